"""The `lecture` command, run as a subprocess as a user would; its one-line refusals of bad input, which end
before any work starts, run in this process through the CLI's own entry (tests/in_process.py), with one of
them in a process of its own (what a user's terminal shows: nothing but the one line)."""
from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from lecture.voice.script import scene_script
from scenes.catalog import BY_ID, LECTURE
from tests.conftest import copy_session_clip, run_lecture
from tests.in_process import run, run_in

# Every test here that starts the CLI or a render in a fresh process is marked slow; the in-process ones are fast.


@pytest.mark.slow
def test_list_shows_every_scene():
    result = run_lecture("list")
    assert result.returncode == 0
    for scene_id, info in BY_ID.items():
        assert scene_id in result.stdout and info.title in result.stdout


@pytest.mark.slow
def test_help_on_every_command():
    for command in ([], ["render"], ["preview"], ["watch"], ["list"], ["video"], ["script"], ["studio"]):
        result = run_lecture(*command, "--help")
        assert result.returncode == 0 and "Usage:" in result.stdout


def test_render_writes_clip_sidecar_captions_poster(rendered):
    for scene_id in [*LECTURE, "optimizers"]:
        for suffix in (".mp4", ".json", ".srt", ".png"):
            assert (rendered / f"{scene_id}{suffix}").stat().st_size > 0, scene_id + suffix
        with Image.open(rendered / f"{scene_id}.png") as poster:
            assert poster.size == (192, 108)


def test_concat_has_a_chapter_per_scene(rendered):
    with av.open(str(rendered / "lecture.mp4")) as joined:
        chapters = joined.chapters()
        duration = float(joined.duration / av.time_base)
    titles = [c["metadata"]["title"] for c in chapters]
    assert titles == [BY_ID[s].title for s in [*LECTURE, "optimizers"]]
    total = sum(json.loads((rendered / f"{s}.json").read_text())["duration_s"] for s in [*LECTURE, "optimizers"])
    assert duration == pytest.approx(total, abs=1.0)
    starts = [c["start"] for c in chapters]
    assert starts == sorted(starts) and starts[0] == 0


def test_unchanged_scene_is_not_rendered_again(tmp_path, rendered):
    """A finished clip (the session's, copied) is up to date for the same command; changed options render it
    again. The change comes from ./lecture.toml (its theme), with its refused learning rate overridden on the
    command line (test_config_file_options_are_read: the same file alone)."""
    copy_session_clip(rendered, "title", tmp_path)
    clip = tmp_path / "tiny" / "title.mp4"
    stamp = clip.stat().st_mtime_ns
    second = run_lecture("render", "title", "-q", "t", "--out", str(tmp_path))
    assert second.returncode == 0 and "up to date" in second.stdout, second.stdout + second.stderr
    assert clip.stat().st_mtime_ns == stamp
    work = tmp_path / "work"
    work.mkdir()
    (work / "lecture.toml").write_text(CONFIG)
    changed = run_lecture("render", "title", "-q", "t", "--lr", "0.2", "--out", str(tmp_path), cwd=work)
    assert changed.returncode == 0 and "done in" in changed.stdout, changed.stderr
    assert clip.stat().st_mtime_ns != stamp
    assert json.loads((tmp_path / "tiny" / "title.json").read_text())["theme"] == "light"  # read from ./lecture.toml


@pytest.mark.slow
def test_preview_writes_a_480p_png(tmp_path):
    result = run_lecture("preview", "title", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    path = result.stdout.strip().splitlines()[-1]
    with Image.open(path) as image:
        assert image.size == (854, 480)


@pytest.mark.slow
def test_storyboard_has_every_section(tmp_path):
    """A picture of each of the title card's two beats, at 480p with its label band, in one row of three; no clip
    is rendered for it (tests/test_storyboard.py holds the pictures equal to a clip's frames). `--section` is one
    of those pictures."""
    result = run_lecture("preview", "title", "--storyboard", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    with Image.open(result.stdout.strip().splitlines()[-1]) as sheet:
        assert sheet.size == (3 * 854, 480 + 40)
        cells = [sheet.crop((k * 854, 40, (k + 1) * 854, 520)).convert("L") for k in range(3)]
        assert [cell.getextrema() == (255, 255) for cell in cells] == [False, False, True]  # two pictures, then blank
        second = np.asarray(sheet.crop((854, 40, 2 * 854, 520)).convert("RGB"))
    beat = list(scene_script("title").beats)[1]
    section = run_lecture("preview", "title", "--section", beat, "--out", str(tmp_path))  # that beat's end, from a storyboard
    assert section.returncode == 0, section.stderr
    with Image.open(section.stdout.strip().splitlines()[-1]) as picture:
        assert np.array_equal(np.asarray(picture.convert("RGB")), second)
    assert not list((tmp_path / "preview").glob("*.mp4"))


BAD = [
    (["render", "no-such-scene"], "unknown scene"),
    (["render", "title", "--function", "sin(x"], "--function"),
    (["render", "title", "--function", "__import__('os').system('touch pwned')"], "--function"),
    (["render", "title", "--optimizer", "lbfgs"], "unknown optimizer"),
    (["render", "title", "--values", "w=1,b"], "--values"),
    (["render", "title", "--values", "w=abc"], "--values"),
    (["render", "title", "--range", "2,-2"], "min < max"),
    (["render", "title", "--range", "1"], "--range"),
    # the range's width overflows a float: was "gradient-field failed: OverflowError", exit 1, inside the render
    (["render", "gradient-field", "--range", "-1e308,1e308"], "--range '-1e308,1e308': range (-1e+308, 1e+308) is wider than a float"),
    (["render", "title", "--lr", "0"], "learning rate"),
    (["render", "title", "--lr", "-0.1"], "learning rate"),
    (["render", "title", "--steps", "0"], "steps"),
    (["render", "title", "--steps", "1.5"], "--steps"),
    (["render", "title", "--theme", "neon"], "unknown theme"),
    (["render", "title", "-q", "z"], "--quality"),
    (["render", "title", "--format", "avi"], "--format"),
    (["render", "title", "--expr", "(y - tanh(w*x + b))**2", "--values", "w=1,x=2"], "--expr"),
    (["render", "title", "--learnable", "q"], "learnable"),
    (["preview", "title", "--section", "nope"], "no section"),
]


# The options checked while the render server starts (a formula, an optimizer, an --expr graph, a preview's
# section: their checks load torch or the scene, lecture/cli/render.py check_if_rendering): the CLI in a
# process of its own. The others are refused before anything starts: in this process.
CHECKED_BESIDE_THE_SERVER = {"--function", "--optimizer", "--expr", "--section"}


def refused(tmp_path: Path, args: list[str]) -> tuple[int, str]:
    """`lecture ARGS --out OUT` run in `tmp_path` (in this process, or in its own when it starts the render
    server): the exit status and stderr."""
    out = str(tmp_path / "out")
    if CHECKED_BESIDE_THE_SERVER & set(args):
        result = run_lecture(*args, "--out", out, cwd=tmp_path)
        return result.returncode, result.stderr
    return run_in(tmp_path, *args, "--out", out)


@pytest.mark.parametrize("args,message", [pytest.param(a, m, marks=[pytest.mark.slow] if CHECKED_BESIDE_THE_SERVER & set(a) else [])
                                          for a, m in BAD], ids=[" ".join(a[1:]) for a, _ in BAD])
def test_bad_input_is_one_line_exit_2_nothing_written(tmp_path, args, message):
    code, err = refused(tmp_path, args)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lecture: error:") and message in lines[0], err
    assert "Traceback" not in err
    assert not (tmp_path / "pwned").exists()
    if args[0] == "render":
        out = tmp_path / "out"
        assert not any(p.is_file() for p in out.rglob("*")) if out.exists() else True


@pytest.mark.slow
def test_bad_input_in_a_process_of_its_own_is_one_line_exit_2(tmp_path):
    """What a user's terminal shows for a refused option: the process's whole stderr is the one line (no
    warning or traceback around it), its exit status 2, and nothing is run or written."""
    out = tmp_path / "out"
    result = run_lecture("render", "title", "--lr", "-0.1", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lecture: error:") and "learning rate" in lines[0], result.stderr
    assert not out.exists()


def test_out_that_is_a_file_or_read_only(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, err = run("render", "title", "-q", "t", "--out", str(blocker))
    assert code == 2 and "is a file" in err
    assert blocker.read_text() == "x"


def test_unreadable_config(tmp_path):
    bad = tmp_path / "lecture.toml"
    bad.write_text("function = ")
    code, err = run("render", "title", "--config", str(bad), "--out", str(tmp_path / "o"))
    assert code == 2 and "not valid TOML" in err
    code, err = run("render", "title", "--config", str(tmp_path / "none.toml"))
    assert code == 2 and "no such file" in err


CONFIG = 'lr = -1\ntheme = "light"\n'


def test_config_file_options_are_read(tmp_path):
    """./lecture.toml is read: its learning rate refused. --lr on the command line overriding it, and its theme
    used, are checked on a render: test_unchanged_scene_is_not_rendered_again."""
    (tmp_path / "lecture.toml").write_text(CONFIG)
    code, err = run_in(tmp_path, "render", "title", "-q", "t", "--out", str(tmp_path / "o"))
    assert code == 2 and "learning rate" in err  # read from ./lecture.toml


def run_with_config(tmp_path, text: str, *args: str, own_process: bool = False):
    """`lecture render title` in a folder whose lecture.toml is `text` (in this process, or in its own for an
    option checked while the render server starts): its one line."""
    (tmp_path / "lecture.toml").write_text(text)
    if own_process:
        result = run_lecture("render", "title", "-q", "t", *args, "--out", str(tmp_path / "out"), cwd=tmp_path)
        code, err = result.returncode, result.stderr
    else:
        code, err = refused(tmp_path, ["render", "title", "-q", "t", *args])
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("lecture: error: "), err
    assert not (tmp_path / "out" / "tiny").exists()
    return lines[0]


def test_config_unknown_key_is_named_with_the_nearest_known_one(tmp_path):
    """A typo in lecture.toml was ignored silently: the lecturer's function was not used, nothing said why."""
    line = run_with_config(tmp_path, 'lr = 0.1\nfunktion = "x**2"\n')
    assert "lecture.toml line 2: unknown option 'funktion'; did you mean function?" in line


def test_config_wrong_type_names_the_key_the_type_and_the_line(tmp_path):
    line = run_with_config(tmp_path, '# my lecture\nfunction = "x**2"\n\nsteps = "many"\n')
    assert "lecture.toml line 4: steps must be a whole number, e.g. steps = 20; it is a string" in line


def test_config_values_are_checked_as_on_the_command_line(tmp_path):
    assert "lecture.toml line 1: range = [-1e+308, 1e+308]: range (-1e+308, 1e+308) is wider than a float" in \
        run_with_config(tmp_path, "range = [-1e308, 1e308]\n")
    assert "lecture.toml line 1: theme = \"neon\": unknown theme 'neon'" in run_with_config(tmp_path, 'theme = "neon"\n')


@pytest.mark.slow
def test_a_config_formula_is_checked_as_on_the_command_line(tmp_path):
    assert "lecture.toml line 2: function = \"sin(x\": syntax error" in \
        run_with_config(tmp_path, 'lr = 0.1\nfunction = "sin(x"\n', own_process=True)


def test_config_malformed_names_the_line(tmp_path):
    line = run_with_config(tmp_path, 'lr = 0.1\nfunction = \n')
    assert "lecture.toml line 2: not valid TOML" in line


def test_config_command_line_only_options_say_so(tmp_path):
    """The narration's --voice and --script are options of the command line; lecture.toml says so rather than "unknown"."""
    assert "voice is an option of the command line only (--voice)" in run_with_config(tmp_path, 'voice = "joe"\n')
    assert "script is an option of the command line only (--script)" in run_with_config(tmp_path, 'script = "s.md"\n')
