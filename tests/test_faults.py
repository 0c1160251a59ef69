"""Interrupted and concurrent renders never leave a broken clip; renders are deterministic."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import av

from tests.conftest import LECTURE, ROOT, run_lecture


def frame_hashes(video: Path) -> list[str]:
    with av.open(str(video)) as container:
        return [hashlib.sha256(f.to_ndarray(format="rgb24").tobytes()).hexdigest() for f in container.decode(video=0)]


def start_render(out: Path) -> subprocess.Popen:
    return subprocess.Popen([*LECTURE, "render", "title", "-q", "t", "--force", "--out", str(out)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def kill_while_rendering(out: Path) -> None:
    proc = start_render(out)
    time.sleep(6)  # inside the worker: imports done, frames being written
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def test_sigkill_leaves_no_file_then_the_previous_file(tmp_path):
    clip = tmp_path / "tiny" / "title.mp4"
    kill_while_rendering(tmp_path)
    assert not clip.exists()
    assert run_lecture("render", "title", "-q", "t", "--out", str(tmp_path)).returncode == 0
    before = clip.read_bytes()
    kill_while_rendering(tmp_path)
    assert clip.read_bytes() == before  # the complete previous clip, untouched
    assert run_lecture("render", "title", "-q", "t", "--out", str(tmp_path), "--force").returncode == 0


def test_two_renders_of_one_scene_at_once(tmp_path):
    first, second = start_render(tmp_path), start_render(tmp_path)
    assert first.wait(timeout=600) == 0 and second.wait(timeout=600) == 0
    hashes = frame_hashes(tmp_path / "tiny" / "title.mp4")
    assert len(hashes) > 10


def test_same_inputs_give_identical_frames(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert run_lecture("render", "title", "-q", "t", "--out", str(out)).returncode == 0
    assert frame_hashes(a / "tiny" / "title.mp4") == frame_hashes(b / "tiny" / "title.mp4")


def test_doctor_reports_everything_present():
    result = run_lecture("doctor")
    assert result.returncode == 0 and "everything a render needs is here" in result.stdout
