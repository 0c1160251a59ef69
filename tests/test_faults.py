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


def test_a_cache_file_cut_short_by_a_kill_is_made_again(tmp_path):
    """What SIGKILL in the middle of writing a text's SVG (Pango's first write, or manimpango's rewrite
    in every render before the fix) leaves: the render's marker, and an empty SVG newer than it. The
    kill in the test above hits that window only now and then; it failed CI that way."""
    assert run_lecture("render", "title", "-q", "t", "--out", str(tmp_path)).returncode == 0
    work = tmp_path / ".cache" / "title"
    kept, cut = sorted((work / "media").glob("texts-*/*.svg"))[:2]
    (work / ".rendering").touch()
    time.sleep(0.05)
    cut.write_bytes(b"")
    for parsed in cut.parent.glob(f"{cut.stem}.*.parsed"):
        parsed.unlink()
    kept_before = kept.stat().st_mtime_ns
    result = run_lecture("render", "title", "-q", "t", "--out", str(tmp_path), "--force")
    assert result.returncode == 0, result.stderr
    assert cut.stat().st_size > 0 and not (work / ".rendering").exists()
    assert kept.stat().st_mtime_ns == kept_before  # what the finished render wrote is still reused


def test_a_failed_render_leaves_its_marker_so_its_files_are_made_again(tmp_path):
    from lecture.files import unfinished_files_removed

    old, marker = tmp_path / "old.svg", tmp_path / ".rendering"
    old.write_text("<svg/>")
    time.sleep(0.05)  # file times tick coarsely: a file as old as the marker counts as written after it
    try:
        with unfinished_files_removed([tmp_path], marker):
            (tmp_path / "half.svg").write_text("<sv")
            raise RuntimeError("LaTeX failed")
    except RuntimeError:
        pass
    assert marker.exists()
    with unfinished_files_removed([tmp_path], marker):
        assert old.exists() and not (tmp_path / "half.svg").exists()
    assert not marker.exists()


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


def test_poles_render_masked_and_divergence_is_drawn(tmp_path):
    """A formula with poles renders with blank regions and says so; a learning rate that blows up
    is drawn to the point where the engine stopped, and named."""
    import json

    poles = ("--function", "log(x) + 1/(x**2 + y**2)", "--range", "-2,2")
    bad_start = run_lecture("render", "learning-rates", "-q", "t", "--out", str(tmp_path), *poles, "--start", "-1,1")
    assert bad_start.returncode == 2 and "undefined at the start point" in bad_start.stderr
    result = run_lecture("render", "gradient-field", "-q", "t", "--out", str(tmp_path), *poles)
    assert result.returncode == 0, result.stderr
    result = run_lecture("render", "learning-rates", "-q", "t", "--out", str(tmp_path))  # 0.36 is too large for the bowl
    assert result.returncode == 0, result.stderr
    field = json.loads((tmp_path / "tiny" / "gradient-field.json").read_text())["values"]
    assert field["undefined_percent"] > 40 and field["undefined_arrows"] > 0
    rates = json.loads((tmp_path / "tiny" / "learning-rates.json").read_text())["values"]["outcomes"]
    assert any("diverged" in o["verdict"] or "leaves the map" in o["verdict"] for o in rates)
