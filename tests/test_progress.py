"""Progress of a render run: its pure parts (durations, ETAs, the lines), the live lines on a real
pseudo-terminal, no carriage-return noise from third-party bars off a terminal, and `--help` of
every command."""
from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from lecture.render.progress import Display, clock, eta, expected_frames, fraction, run_eta, scene_line
from lecture.render.jobs import Outcome
from tests.conftest import LECTURE, ROOT, run_lecture


def test_clock():
    assert [clock(s) for s in (None, 0, 4.4, 59.6, 61, 3599, 3600, 3725)] == \
        ["?", "0:00", "0:04", "1:00", "1:01", "59:59", "1:00:00", "1:02:05"]


def test_eta_is_the_rate_so_far():
    assert eta(10, 40, 5.0) == 15.0  # 2 frames a second, 30 to go
    assert eta(40, 40, 5.0) == 0.0
    assert eta(50, 40, 5.0) == 0.0  # more than its last render: not negative
    assert eta(0, 40, 5.0) is None and eta(10, None, 5.0) is None and eta(10, 40, 0.0) is None


def test_fraction_and_scene_line():
    assert fraction(12, None) == "12 frames"
    assert fraction(12, 40) == "12/40 frames"
    assert fraction(45, 40) == "45/45 frames"
    assert scene_line("title", 8, 10, 40, 5.0) == "  title     10/40 frames  ETA 0:15"


def test_run_eta_needs_every_length():
    assert run_eta([30, 60], 30, 10.0) == 30.0  # 3 frames a second by all renders, 90 to go
    assert run_eta([30, None], 30, 10.0) is None


def test_expected_frames_from_the_last_sidecar(tmp_path):
    tiny, low = tmp_path / "tiny", tmp_path / "480p15"
    tiny.mkdir(), low.mkdir()
    assert expected_frames("title", tiny, 5) is None
    (low / "title.json").write_text(json.dumps({"duration_s": 8.2}))
    assert expected_frames("title", tiny, 5) == 41  # another quality's length, in this one's frames
    (tiny / "title.json").write_text(json.dumps({"duration_s": 10.0}))
    assert expected_frames("title", tiny, 5) == 50  # this folder's own first
    (tiny / "title.json").write_text("{not json")
    assert expected_frames("title", tiny, 5) == 41


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def jobs(tmp_path: Path, *scenes: str) -> list:
    return [SimpleNamespace(scene=s, out_dir=tmp_path, quality=SimpleNamespace(fps=5)) for s in scenes]


def test_off_a_terminal_one_line_per_scene_start_and_end(tmp_path):
    stream, (a, b) = io.StringIO(), jobs(tmp_path, "title", "backprop")
    display = Display([a, b], stream, live=False, now=Clock())
    display("start", Outcome(a, True, 0.0))
    display("frames", Outcome(a, True, 1.0, frames=20))
    display("done", Outcome(a, True, 2.5, frames=41))
    display("done", Outcome(b, True, 0.0, cached=True))
    display.close()
    assert stream.getvalue() == "  rendering title ...\n  title: done in 2.5 s\n  backprop: up to date\n"


def test_on_a_terminal_live_lines_redrawn_in_place(tmp_path):
    (tmp_path / "title.json").write_text(json.dumps({"duration_s": 8.0}))
    stream, now, (a, b) = io.StringIO(), Clock(), jobs(tmp_path, "title", "backprop")
    display = Display([a, b], stream, live=True, now=now)
    display("start", Outcome(a, True, 0.0))
    first = stream.getvalue()
    assert first == "  title     0/40 frames  ETA ?\n  all: 0/2 scenes  0 frames  ETA ?  (0:00 so far)\n"
    now.t += 5
    display("frames", Outcome(a, True, 5.0, frames=10))
    redrawn = stream.getvalue()[len(first):]
    assert redrawn.startswith("\x1b[2F\x1b[J")  # back over the two lines drawn, cleared
    assert "  title     10/40 frames  ETA 0:15\n" in redrawn
    now.t += 0.05  # sooner than REDRAW_EVERY_S: nothing drawn
    display("frames", Outcome(a, True, 5.05, frames=11))
    assert stream.getvalue() == first + redrawn
    display("done", Outcome(a, True, 8.0, frames=40))
    display("done", Outcome(b, True, 0.0, cached=True))
    display.close()
    tail = stream.getvalue()
    assert "  title: done in 8.0 s (40 frames)\n" in tail and "  backprop: up to date\n" in tail
    assert tail.endswith("\x1b[1F\x1b[J  all: 2/2 scenes, 40 frames in 0:05\n")


def run_in_terminal(*args: str, timeout: float = 600) -> tuple[int, str]:
    """The CLI with its standard output and error on a pseudo-terminal, as in a terminal window."""
    master, slave = os.openpty()
    proc = subprocess.Popen([*LECTURE, *args], cwd=ROOT, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                            env=os.environ | {"TERM": "xterm"})
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the last process holding the terminal has closed it
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return proc.wait(timeout=timeout), b"".join(chunks).decode()


@pytest.mark.slow
def test_render_on_a_terminal_shows_frames_and_eta(tmp_path):
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    (tiny / "title.json").write_text(json.dumps({"duration_s": 8.2}))  # a last render 41 frames long (5 fps)
    code, out = run_in_terminal("render", "title", "-q", "t", "--force", "--out", str(tmp_path))
    assert code == 0, out
    frames = int(re.search(r"  title: done in [\d.]+ s \((\d+) frames\)\r\n", out).group(1))
    assert frames == json.loads((tiny / "title.json").read_text())["duration_s"] * 5
    live = re.findall(r"  title +(\d+)/(\d+) frames  ETA (\?|\d+:\d\d)\r\n", out)
    assert live and live[0][0] == "0" and {total for _, total, _ in live} <= {"41", str(frames)}, out
    assert any(e != "?" for _, _, e in live), out  # an ETA once frames were drawn
    assert [int(d) for d, _, _ in live] == sorted(int(d) for d, _, _ in live), out  # counts only go up
    assert re.search(rf"\x1b\[\d+F\x1b\[J  all: 1/1 scenes, {frames} frames in \d+:\d\d\r\nfiles:", out), out


@pytest.mark.slow
def test_slides_off_a_terminal_has_no_carriage_returns(tmp_path):
    """manim-slides' PDF and PPTX converters draw tqdm bars: with the output captured they are off."""
    result = subprocess.run([*LECTURE, "slides", "title", "--to", "pdf", "-q", "t", "--out", str(tmp_path)], cwd=ROOT,
                            capture_output=True, timeout=600)  # bytes: text mode would turn \r into \n
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0, out + err
    assert (tmp_path / "slides" / "lecture.pdf").stat().st_size > 0
    assert "\r" not in out + err and "\x1b" not in out + err, repr(out + err)
    assert re.fullmatch(r"  rendering title \.\.\.\n  title: done in [\d.]+ s\nwrote \S+lecture\.pdf\n", out), out


HELP = {
    "list": [],
    "render": ["--quality", "--format", "--transparent", "--out", "--jobs", "--concat", "--force", "--voice",
               "--script", "--function", "--range", "--start", "--lr", "--steps", "--optimizer", "--expr",
               "--values", "--learnable", "--theme", "--config"],
    "video": ["--quality", "--out", "--jobs", "--force", "--voice", "--script", "--function", "--expr", "--config"],
    "script": ["--out", "--media"],
    "preview": ["--section", "--storyboard", "--out", "--function", "--expr", "--config"],
    "watch": ["--section", "--out", "--interval", "--function", "--expr"],
    "slides": ["--to", "--quality", "--out", "--jobs", "--voice", "--function", "--expr"],
    "present": ["--quality", "--out", "--jobs", "--fullscreen", "--voice", "--function"],
    "doctor": ["--out"],
}


@pytest.mark.slow
def test_help_of_every_command_names_its_options():
    """One process asks every command for --help (through the CLI's own entry point), as a user would."""
    program = ("import contextlib, io, json, sys\n"
               "from lecture.cli import exits\n"
               "answers = {}\n"
               "for command in sys.argv[1:]:\n"
               "    out = io.StringIO()\n"
               "    with contextlib.redirect_stdout(out):\n"
               "        sys.argv = ['lecture', command, '--help']\n"
               "        code = exits.run_command()\n"
               "    answers[command] = [code, out.getvalue()]\n"
               "print(json.dumps(answers))\n")
    result = subprocess.run([sys.executable, "-c", program, *HELP], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    answers = json.loads(result.stdout)
    assert set(answers) == set(HELP)
    top = run_lecture("--help")
    assert top.returncode == 0 and all(re.search(rf"^  {c}\b", top.stdout, re.M) for c in HELP), top.stdout
    for command, options in HELP.items():
        code, text = answers[command]
        assert code == 0, (command, text)
        assert text.startswith(f"Usage: lecture {command} [OPTIONS]"), (command, text)
        missing = [o for o in options + ["--help"] if not re.search(rf"(^|[ ,]){o}\b", text, re.M)]
        assert not missing, (command, missing, text)
