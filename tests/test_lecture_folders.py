"""Lecture folders (docs/lecture-folders.md): found outside the tool, made by `lecture new`, broken ones told
in one line while the others still list, and options that belong to their lecture.

The CLI runs in this process (`run`) for what ends before any render; the tests that render or speak
are marked slow.
"""
from __future__ import annotations

import contextlib
import io
import json
import sys
import textwrap
from pathlib import Path

import av
import pytest

from lecture import UserError
from lecture.cli import exits
from lecture.options.resolve import build_params, read_config
from scenes.catalog import current, discover, read_lecture, write_lecture, BUILT_IN, LectureFileError
from tests.conftest import run_lecture

GOOD_SCENE = textwrap.dedent('''\
    from manim import Circle, FadeIn
    from scenes.kit.base import LectureScene, beat


    class DotScene(LectureScene):
        def construct(self) -> None:
            self.show()

        @beat("A [dot](dot).")
        def show(self) -> None:
            dot = Circle(radius=0.5, color=self.theme.forward)
            self.point_at(dot=dot)
            self.play(FadeIn(dot))
    ''')


@pytest.fixture
def elsewhere(tmp_path, monkeypatch) -> Path:
    """A working folder outside the repository, with no lectures of its own and LECTURE_PATH restored after."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LECTURE_PATH", "")
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    """`lecture ARGS` in this process: exit status, standard output and standard error."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.argv
    sys.argv = ["lecture", *args]
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code = exits.run_command()
    finally:
        sys.argv = saved
    return code, out.getvalue(), err.getvalue()


def lecture_folder(parent: Path, name: str, toml: str, modules: dict[str, str] | None = None) -> Path:
    """A lecture folder named `name` and a number of this test's own: the tests share one process, whose
    sys.path keeps the parents of the folders found before (a second `bad` would be the first's package)."""
    folder = parent / f"{name}_{abs(hash(str(parent))) % 10**8}"
    folder.mkdir(parents=True)
    (folder / "lecture.toml").write_text(textwrap.dedent(toml))
    for module, text in (modules or {"dots": GOOD_SCENE}).items():
        (folder / f"{module}.py").write_text(text)
    return folder


def good_toml(lecture_id: str, scene_id: str = "dot", extra: str = "") -> str:
    return f'''\
        id = "{lecture_id}"
        title = "Dots"

        [[scenes]]
        id = "{scene_id}"
        module = "dots"
        class = "DotScene"
        title = "A dot"
        uses = ["dots"]
        {extra}
        '''


def one_error_line(code: int, err: str) -> str:
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    return lines[0]


# --- found, listed, namespaced ------------------------------------------------------------------

def test_the_built_in_lectures_are_folders_with_title_cards():
    catalog = discover([BUILT_IN])
    assert not catalog.problems and [l.id for l in catalog.lectures] == ["feedforward", "part-2"]
    for lecture in catalog.lectures:
        assert lecture.folder.parent == BUILT_IN and lecture.scenes[0].title == lecture.title  # its card first
        assert lecture.card.outline and lecture.card.welcome
    assert catalog.by_id["title"].module == "scenes.feedforward.intro"


def test_lectures_are_found_in_dot_lectures_env_and_the_lectures_option(elsewhere):
    lecture_folder(elsewhere / "lectures", "local_dots", good_toml("local", "local-dot"))
    lecture_folder(elsewhere / "env", "env_dots", good_toml("from-env", "env-dot"))
    lecture_folder(elsewhere / "opt", "opt_dots", good_toml("from-option", "opt-dot"))
    import os
    os.environ["LECTURE_PATH"] = str(elsewhere / "env")
    code, out, err = run("list", "--lectures", str(elsewhere / "opt"))
    assert code == 0, err
    for lecture_id in ("feedforward", "part-2", "local", "from-env", "from-option"):
        assert f"(--lecture {lecture_id})" in out
    assert [l.id for l in current().lectures][2:] == ["local", "from-env", "from-option"]


def test_write_lecture_reads_back_and_keeps_the_old_file_on_a_problem(elsewhere):
    folder = elsewhere / "mine"
    folder.mkdir()
    (folder / "dots.py").write_text(GOOD_SCENE)
    lecture = write_lecture(folder, "mine", "Mine", [{"id": "mine-dot", "module": "dots", "class": "DotScene"}],
                            card={"kicker": "Week 1", "outline": [["Dots", "one"]]},
                            options={"n": {"help": "How many.", "kind": "whole", "default": 2}})
    assert lecture == read_lecture(folder) and lecture.own_options[0].name == "n"
    before = (folder / "lecture.toml").read_text()
    with pytest.raises(LectureFileError, match=r"lecture.toml line \d+: module 'nope'"):
        write_lecture(folder, "mine", "Mine", [{"id": "mine-dot", "module": "nope", "class": "DotScene"}])
    assert (folder / "lecture.toml").read_text() == before


def test_a_lectures_own_options_do_not_collide_with_another_lectures(elsewhere):
    steps = '\n[options.steps]\nhelp = "Dots drawn."\nkind = "whole"\ndefault = 3\nmin = 1\nmax = 9\nuses = ["dots"]\n'
    lecture_folder(elsewhere / "lectures", "dots_a", good_toml("dots-a", "dot-a", steps))
    lecture_folder(elsewhere / "lectures", "dots_b", good_toml("dots-b", "dot-b", steps.replace("default = 3", "default = 4")))
    a, b = (current().lecture_by_id[i] for i in ("dots-a", "dots-b"))
    feedforward, part2 = (current().lecture_by_id[i] for i in ("feedforward", "part-2"))
    assert build_params({}, {}, a).option("steps") == 3 and build_params({}, {}, b).option("steps") == 4
    assert build_params({}, {}, a).steps == 20  # the shared --steps (descent's) is not the lecture's own
    assert build_params({"steps": "7"}, {}, a).lecture_options == {"steps": 3}  # --steps is descent's
    assert build_params({}, {}, a, ("steps=5",)).option("steps") == 5
    assert build_params({}, {}, b, ("dots-a.steps=5",)).option("steps") == 4  # named for the other lecture
    (elsewhere / "lecture.toml").write_text('lr = 0.2\ntrain-lr = 0.5\n[dots-b]\nsteps = 8\n[part-2]\nlr = 0.25\n')
    config = read_config(None)
    assert build_params({}, config, b).option("steps") == 8 and build_params({}, config, a).option("steps") == 3
    assert build_params({}, config, feedforward).lr == 0.2  # descent's rate
    assert build_params({}, config, part2).train_lr == 0.25  # [part-2] lr, over the top-level train-lr
    assert build_params({"train-lr": "0.4"}, config, part2).train_lr == 0.4  # the flag part 2 always had
    with pytest.raises(UserError, match=r"^--set steps=10: 10 is outside 1 to 9$"):
        build_params({}, {}, a, ("steps=10",))
    code, _, err = run("render", "dot-a", "--set", "nope=1", "--out", str(elsewhere / "o"))
    assert "no option 'nope'" in one_error_line(code, err) and not (elsewhere / "o").exists()


# --- broken folders: one line, the others still list --------------------------------------------

BROKEN = {
    "malformed": ('id = "bad"\ntitle = "Bad\n', None, r"bad_\d+/lecture.toml line 2: not valid TOML"),
    "unknown key": ('id = "bad"\ntitle = "Bad"\nsubtitel = "x"\n[[scenes]]\nid = "bad-dot"\nmodule = "dots"\nclass = "DotScene"\n',
                    None, r"bad_\d+/lecture.toml line 3: unknown key 'subtitel'; did you mean subtitle\?"),
    "scene id twice": ('id = "bad"\ntitle = "Bad"\n[[scenes]]\nid = "bad-dot"\nmodule = "dots"\nclass = "DotScene"\n'
                       '[[scenes]]\nid = "bad-dot"\nmodule = "dots"\nclass = "DotScene"\n', None,
                       r"bad_\d+/lecture.toml line 8: scene id 'bad-dot' is used twice in this lecture"),
    "a built-in scene id": ('id = "bad"\ntitle = "Bad"\n[[scenes]]\nid = "title"\nmodule = "dots"\nclass = "DotScene"\n',
                            None, r"bad_\d+/lecture.toml: scene id 'title' is also a scene of lecture feedforward"),
    "a built-in lecture id": ('id = "part-2"\ntitle = "Bad"\n[[scenes]]\nid = "bad-dot"\nmodule = "dots"\nclass = "DotScene"\n',
                              None, r"bad_\d+/lecture.toml line 1: lecture id 'part-2' is also .*part2/lecture.toml's"),
    "not python": ('id = "bad"\ntitle = "Bad"\n[[scenes]]\nid = "bad-dot"\nmodule = "dots"\nclass = "DotScene"\n',
                   "class DotScene(:\n", r"bad_\d+/dots.py line 1: .*; fix the module"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_folder_is_one_line_and_the_others_still_list(elsewhere, case):
    toml, module, expected = BROKEN[case]
    lecture_folder(elsewhere / "lectures", "bad", toml, {"dots": module or GOOD_SCENE})
    lecture_folder(elsewhere / "lectures", "fine", good_toml("fine", "fine-dot"))
    code, out, err = run("list")
    line = one_error_line(code, err)
    assert line.startswith("lecture: error: ") and __import__("re").search(expected, line), line
    assert "(--lecture feedforward)" in out and "(--lecture fine)" in out  # the others still list
    code, _, err = run("render", "fine-dot", "--out", str(elsewhere / "o"), "--lecture", "nope")
    assert "a lecture folder was left out" in one_error_line(code, err)


def test_two_lectures_with_one_id_name_both_files(elsewhere):
    lecture_folder(elsewhere / "lectures", "one", good_toml("same", "one-dot"))
    lecture_folder(elsewhere / "lectures", "two", good_toml("same", "two-dot"))
    code, out, err = run("list")
    line = one_error_line(code, err)
    assert __import__("re").search(r"two_\d+/lecture.toml line 1: lecture id 'same' is also .*one_\d+/lecture.toml", line)
    assert "(--lecture same)" in out


def test_asking_for_a_broken_lecture_is_its_line_exit_2(elsewhere):
    lecture_folder(elsewhere / "lectures", "bad", BROKEN["unknown key"][0])
    code, _, err = run("render", "all", "--lecture", "bad", "--out", str(elsewhere / "o"))
    assert "unknown key 'subtitel'" in one_error_line(code, err) and not (elsewhere / "o").exists()


def test_a_scene_module_that_fails_to_import_is_one_line_with_its_file_and_line(elsewhere):
    raising = GOOD_SCENE.replace("from scenes.kit.base", "import no_such_package_here\nfrom scenes.kit.base")
    lecture_folder(elsewhere / "lectures", "raising", good_toml("raising", "raising-dot"), {"dots": raising})
    code, _, err = run("render", "all", "--lecture", "raising", "-q", "t", "--out", str(elsewhere / "o"))
    line = one_error_line(code, err)
    assert "/dots.py line 2: importing it failed: ModuleNotFoundError" in line and "fix the module" in line
    assert not (elsewhere / "o").exists()


# --- lecture new --------------------------------------------------------------------------------

def test_new_refuses_an_existing_folder_and_force_keeps_the_lecturers_changes(elsewhere):
    code, out, err = run("new", "my-talk")
    assert code == 0, err
    folder = elsewhere / "lectures" / "my_talk"
    assert {p.name for p in folder.iterdir()} >= {"lecture.toml", "title.py", "example.py", "__init__.py"}
    assert "lecture.toml" in out and "lecture render --lecture my-talk all" in out
    code, _, err = run("new", "my-talk")
    assert "exists" in one_error_line(code, err) and "--force" in err
    (folder / "example.py").write_text((folder / "example.py").read_text() + "\n# mine\n")
    (folder / "title.py").unlink()
    code, out, err = run("new", "my-talk", "--force")
    assert code == 0, err
    assert (folder / "example.py").read_text().endswith("# mine\n") and "[kept: you changed it]" in out
    assert (folder / "title.py").exists()  # what the lecturer did not change is written again
    assert read_lecture(folder).ids == ("my-talk-title", "my-talk-example")
    code, _, err = run("new", "Bad_Id")
    assert "lower-case letters" in one_error_line(code, err)


def test_the_studio_lists_a_new_lecture_and_its_own_option(elsewhere):
    from lecture.studio.state import Studio, View

    assert run("new", "studio-talk")[0] == 0
    studio = Studio(elsewhere / "media")
    state = studio.state(View("studio-talk"), "studio-talk-example")
    assert {"id": "studio-talk", "title": "Studio Talk"} in state["lectures"]
    assert [s["id"] for s in state["scenes"]] == ["studio-talk-title", "studio-talk-example"]
    assert {f["name"]: f["default"] for f in state["form"]}["studio-talk.w"] == "0.5"
    problems = studio.problems(View.from_query({"lecture": "studio-talk", "studio-talk.w": "9"}), "studio-talk-example")
    assert problems == [{"field": "studio-talk.w", "error": "--set w=9: 9 is outside -5 to 5"}]


@pytest.mark.slow
def test_a_new_lecture_outside_the_repo_renders_and_narrates(tmp_path):
    work, course = tmp_path / "work", tmp_path / "course"
    work.mkdir()
    result = run_lecture("new", "my-talk", "--dir", str(course), cwd=work)
    assert result.returncode == 0, result.stderr
    assert f"--lectures {course}" in result.stdout
    result = run_lecture("render", "--lectures", str(course), "--lecture", "my-talk", "all", "-q", "t", "--voice", "joe",
                         "--set", "w=0.8", "--out", str(work / "media"), "--jobs", "2", cwd=work)
    assert result.returncode == 0, result.stdout + result.stderr
    clips = work / "media" / "tiny" / "narrated"
    for scene in ("my-talk-title", "my-talk-example"):
        with av.open(str(clips / f"{scene}.mp4")) as clip:
            assert clip.streams.video and clip.streams.audio, scene
    sidecar = json.loads((clips / "my-talk-example.json").read_text())
    first, second = sidecar["sections"]
    assert "loss" in first["points"] and first["speech"][1] > first["speech"][0]  # the pointed phrase, spoken
    assert sidecar["values"]["w"] == "0.8" and "0.8" in second["narration"]  # its own option reached the scene
    assert sidecar["title"] == "A computational graph and its loss"
    title = json.loads((clips / "my-talk-title.json").read_text())
    assert title["title"] == "My Talk" and title["sections"][0]["narration"] == "Welcome to My Talk."


def test_part_two_title_card_matches_its_golden(rendered_part2):
    """Part 2's title card, new with lecture folders (tests/golden/part-2-title.png, looked at at 480p):
    slow by its fixture, the session's part-2 render."""
    from tests.test_scenes import assert_matches_golden

    assert_matches_golden(rendered_part2, "part-2-title")


def test_an_option_row_the_tool_cannot_take_is_one_line_with_its_line(elsewhere):
    row = '\n[options.rate]\nhelp = "A rate."\nflag = "lr"\n'
    lecture_folder(elsewhere / "lectures", "clash", good_toml("clash", "clash-dot", row))
    code, out, err = run("list")
    line = one_error_line(code, err)
    assert __import__("re").search(r"clash_\d+/lecture.toml line 1\d: option rate: flag 'lr' is a shared option's", line)
    assert "(--lecture clash)" in out  # its scenes still list


def test_the_studio_reloads_a_scene_of_a_lecture_folder_outside_the_tool(elsewhere):
    from lecture.render.jobs import ROOT
    from lecture.studio.watch import affected_scenes

    assert run("new", "reload-talk")[0] == 0
    folder = (elsewhere / "lectures" / "reload_talk").resolve()
    assert affected_scenes([folder / "example.py"], ROOT) == ["reload-talk-example"]
    assert "reload-talk-title" in affected_scenes([ROOT / "scenes" / "kit" / "title.py"], ROOT)
