"""The option table and the lecture catalog: one declaration each, read by every command."""
from __future__ import annotations

import importlib
import json
import subprocess
import sys

import click
import pytest

from engine.descent import check_descent_options
from engine.network_spec import NetworkSpec
from lecture import UserError
from lecture.cli import cli
from lecture.options.table import COMMAND_LINE_ONLY, CONTENT_OPTIONS, OPTIONS, as_data
from lecture.options.resolve import build_params, read_config, resolve_scenes
from scenes.catalog import BY_ID, DEFAULT_LECTURE, LECTURE_BY_ID, LECTURES, Lecture, SceneInfo
from scenes.kit.params import LectureParams
from tests.conftest import ROOT, run_lecture


def command_flags(name: str) -> set[str]:
    return {flag for p in cli.commands[name].params if isinstance(p, click.Option) for flag in p.opts}


def test_every_command_takes_exactly_the_options_the_table_gives_it():
    commands = {c for o in OPTIONS for c in o.commands}
    assert commands <= set(cli.commands)
    for name in cli.commands:
        wanted = {f"--{o.name}" for o in OPTIONS if name in o.commands}
        assert command_flags(name) - {"-h", "-q", "-j"} == wanted, name


@pytest.mark.slow
def test_help_of_every_command_shows_its_options():
    for name in cli.commands:
        result = run_lecture(name, "--help")
        assert result.returncode == 0 and "Usage:" in result.stdout, name
        for option in OPTIONS:
            if name in option.commands:
                assert f"--{option.name}" in result.stdout, (name, option.name)


def test_common_options_are_declared_once():
    names = [(o.name, c) for o in OPTIONS for c in o.commands]
    assert len(names) == len(set(names))  # --out is two rows: a folder, and the script's file, on other commands
    assert sum(o.name == "quality" for o in OPTIONS) == 1 and sum(o.name == "voice" for o in OPTIONS) == 1


def test_per_command_defaults_come_from_the_table():
    defaults = {(c, p.name): p.default for c in ("video", "render", "present") for p in cli.commands[c].params}
    assert defaults[("video", "voice")] == "joe" and defaults[("render", "voice")] == "none"
    assert defaults[("present", "quality")] == "h" and defaults[("render", "quality")] == "l"


def test_every_lecture_toml_key_is_a_content_option(tmp_path):
    toml = tmp_path / "lecture.toml"
    toml.write_text("\n".join(o.content.example for o in CONTENT_OPTIONS.values()) + "\n")
    config = read_config(toml)
    assert set(config.values) == set(CONTENT_OPTIONS)
    params = build_params({}, config)
    assert params.lr == 0.1 and params.optimizers == ("sgd", "adam") and params.theme == "light"
    for name in COMMAND_LINE_ONLY:
        toml.write_text(f'{name} = "x"\n')
        with pytest.raises(UserError, match="option of the command line only"):
            read_config(toml)


def test_content_options_set_only_fields_of_the_parameters():
    fields = set(LectureParams.__dataclass_fields__)
    command_line = {"function": "x**2", "range": "-2,2", "start": "1,1", "lr": "0.2", "steps": "5", "optimizer": "adam",
                    "expr": "a*b", "values": "a=1,b=2", "learnable": "a", "theme": "light", "layers": "3,4,2",
                    "activation": "relu", "dataset": "xor", "seed": "2", "train-lr": "0.5", "train-steps": "50"}
    assert set(command_line) == set(CONTENT_OPTIONS)
    for name, text in command_line.items():
        assert set(CONTENT_OPTIONS[name].content.parse(text, f"--{name}")) <= fields, name
    set_by_options = {f for name, text in command_line.items() for f in CONTENT_OPTIONS[name].content.parse(text, name)}
    # fixed by the lecture, no option sets them; a lecture's own options without a check, and where values came from
    assert fields - set_by_options == {"arrow_step", "learning_rates", "lecture_options", "sources"}
    params = build_params(command_line)
    assert (params.descent_function, params.x_range, params.steps, params.values, params.learnable) == \
        ("x**2", (-2.0, 2.0), 5, {"a": 1.0, "b": 2.0}, ("a",))
    assert params.network_spec() == NetworkSpec()  # part 2's own options: not the first lecture's
    params = build_params(command_line, lecture=LECTURE_BY_ID["part-2"])
    assert params.network_spec() == NetworkSpec((3, 4, 2), "relu", "xor", 2, 0.5, 50)  # its own lr and steps


@pytest.mark.slow
@pytest.mark.parametrize("option,text", [("optimizer", "sgd,,adam"), ("values", "w=1,,b=2"), ("learnable", "w,,b"),
                                         ("start", "-2,,2"), ("optimizer", "sgd,adam,")])
def test_list_valued_options_refuse_an_empty_item_alike(tmp_path, option, text):
    result = run_lecture("render", "title", f"--{option}", text, "--out", str(tmp_path / "o"), cwd=tmp_path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith(f"lecture: error: --{option} ") and "of the list is empty" in lines[0]
    assert not (tmp_path / "o").exists()


def test_lecture_toml_lists_refuse_an_empty_item_too():
    with pytest.raises(UserError, match=r"lecture.toml: optimizer = \[\"sgd\", \"\"\]: item 2 of the list is empty"):
        build_params({}, {"optimizer": ["sgd", ""]})


def test_one_check_of_a_value_in_the_engine_and_the_parameters():
    messages = []
    for check in (lambda: check_descent_options((0.0, 0.0), 0.0, 5, "sgd"),
                  lambda: LectureParams(lr=0.0).validate()):
        with pytest.raises(ValueError) as err:
            check()
        messages.append(str(err.value))
    assert messages[0] == messages[1] == "learning rate must be > 0 and at most 1000, got 0"
    with pytest.raises(UserError, match=r"--lr '0': learning rate must be > 0 and at most 1000$"):
        build_params({"lr": "0"})


def test_the_table_as_plain_data():
    data = json.loads(json.dumps(as_data()))
    assert [d["name"] for d in data] == [o.name for o in OPTIONS]
    lr = next(d for d in data if d["name"] == "lr")
    assert lr["lecture_toml"] and set(lr["changes"]) == {"gradient-descent", "learning-rates", "optimizers"}
    theme = next(d for d in data if d["name"] == "theme")
    assert set(theme["changes"]) == set(BY_ID)
    quality = next(d for d in data if d["name"] == "quality")
    assert quality["default"]["present"] == "h" and "t" in quality["choices"] and not quality["lecture_toml"]


SECOND = Lecture("second", "A Second Lecture", scenes=(BY_ID["chain-rule"], BY_ID["title"]), options={"lr": 0.3})


def test_a_lecture_declares_its_scenes_and_default_options():
    assert resolve_scenes(("all",), SECOND) == ["chain-rule", "title"]
    assert resolve_scenes(("backprop", "all"), SECOND) == ["chain-rule", "title", "backprop"]
    assert build_params({}, {}, SECOND).lr == 0.3
    assert build_params({}, {"lr": 0.4}, SECOND).lr == 0.4  # lecture.toml over the lecture's defaults
    assert build_params({"lr": "0.5"}, {"lr": 0.4}, SECOND).lr == 0.5  # the command line over both
    bad = Lecture("bad", "Bad", scenes=(BY_ID["title"],), options={"lr": -1})
    with pytest.raises(UserError, match=r"^lecture bad: lr = -1: learning rate"):
        build_params({}, {}, bad)


def test_every_lectures_default_options_are_content_options():
    for lecture in LECTURES:
        assert set(lecture.options) <= set(CONTENT_OPTIONS), lecture.id
        build_params({}, {}, lecture)


def test_a_title_card_takes_its_lectures_title():
    lecture = Lecture("x", "Some Title", scenes=(SceneInfo("card", "intro", "Card", None, ()),))
    assert lecture.scenes[0].title == "Some Title"
    assert BY_ID["title"].title == DEFAULT_LECTURE.title


def test_the_first_lecture_is_the_notebooks_nine_clips_and_optimizers_is_extra():
    assert DEFAULT_LECTURE is LECTURES[0] and DEFAULT_LECTURE.stem == "lecture"
    assert len(DEFAULT_LECTURE.ids) == 9 and "optimizers" not in DEFAULT_LECTURE.ids
    assert [s.id for s in DEFAULT_LECTURE.extras] == ["optimizers"]
    assert resolve_scenes(()) == list(DEFAULT_LECTURE.ids)


def test_scene_classes_take_id_and_title_from_the_catalog():
    for info in BY_ID.values():
        scene_class = getattr(importlib.import_module(info.module), info.cls)
        assert "scene_id" not in vars(scene_class) and "title" not in vars(scene_class), info.cls
        assert scene_class.info.fget(scene_class.__new__(scene_class)) == info


@pytest.mark.slow
def test_list_groups_scenes_by_lecture():
    result = run_lecture("list")
    assert result.returncode == 0, result.stderr
    blocks = [block.splitlines() for block in result.stdout.strip().split("\n\n")]
    assert [block[0] for block in blocks] == [f"{lecture.title} (--lecture {lecture.id})" for lecture in LECTURES]
    first = blocks[0]
    assert [line.split()[0] for line in first[2:]] == [*DEFAULT_LECTURE.ids, "optimizers"] and "(extra)" in first[-1]
    scenes_of_second = blocks[1][2:blocks[1].index("  its options:")]  # then its own options, a line each
    assert [line.split()[0] for line in scenes_of_second] == list(LECTURES[1].ids)
    assert any(line.strip().startswith("--train-lr VALUE") for line in blocks[1])
    assert all(line.startswith("  ") for block in blocks for line in block[1:])


@pytest.mark.slow
def test_an_unknown_lecture_is_one_line_exit_2(tmp_path):
    result = run_lecture("render", "all", "--lecture", "nope", "--out", str(tmp_path / "o"))
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and "--lecture" in lines[0] and "feedforward" in lines[0]


@pytest.mark.slow
def test_a_title_cards_options_are_checked_without_torch():
    """A formula is parsed without torch, and a title card computes nothing: checking its options (what `lecture
    render title` does before it draws) loads no torch (2-3 s of CPU in every title render), yet still refuses a bad formula."""
    code = ("import sys\n"
            "from lecture.options.resolve import check_params\n"
            "from scenes.kit.params import LectureParams\n"
            "check_params(LectureParams(), ['title'])\n"
            "try:\n"
            "    check_params(LectureParams(function='sin(x'), ['title'])\n"
            "except Exception as err:\n"
            "    print(type(err).__name__, err)\n"
            "print('torch' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.stdout.splitlines() == ["UserError --function 'sin(x': syntax error at column 3: '(' was never closed", "False"], result.stdout + result.stderr
