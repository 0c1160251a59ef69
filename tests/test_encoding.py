"""Held frames (a wait, a beat holding for its speech) cost the encoder almost nothing: x264 encodes the
first picture as it always did, the copies after it are H.264 frames that repeat it (lecture/output/h264.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from manim import BLUE, RIGHT, UP, Scene, Square, Text, tempconfig
from manim.renderer.cairo_renderer import CairoRenderer
from manim.scene.scene_file_writer import _PartialMovieEncodeJob, to_av_frame_rate

from lecture.manim_compat.encoding import X264_OPTIONS, HeldFrameJob
from lecture.output.h264 import BitReader, BitWriter, escape, unescape


def picture(width: int, height: int, shift: int = 0) -> np.ndarray:
    """An RGBA frame with edges, gradients and text-like detail, so x264 has something to code."""
    y, x = np.mgrid[0:height, 0:width]
    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[..., 0] = (x * 255 // width + shift) % 256
    rgba[..., 1] = ((x // 7 + y // 5 + shift) % 2) * 200
    rgba[..., 2] = (y * 255 // height)
    rgba[..., 3] = 255
    return rgba


def encode(path: Path, writes: list[tuple[np.ndarray, int]], job_class: type, fps: int = 60) -> None:
    """Frames through an encoder job as manim's file writer hands them over (`put(num_frames, frame)`)."""
    height, width = writes[0][0].shape[:2]
    container = av.open(str(path), mode="w")
    stream = container.add_stream("libx264", rate=to_av_frame_rate(fps), options=dict(X264_OPTIONS))
    stream.pix_fmt = "yuv420p"
    stream.width, stream.height = width, height
    job = job_class(path=path, animation_index=0, container=container, stream=stream, frame_queue_size=0)
    for frame, count in writes:
        job.put(count, frame)
    job.seal()
    job.join()


def decoded(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray() for f in container.decode(video=0)]


def timing(path: Path) -> tuple[list[float], float]:
    """Each decoded frame's presentation time in seconds, and the file's duration."""
    with av.open(str(path)) as container:
        return [float(f.time) for f in container.decode(video=0)], container.duration / 1e6


def test_bits_and_escapes_round_trip():
    w = BitWriter()
    for value in (0, 1, 2, 7, 8159, 300000):
        w.ue(value)
    for value in (0, 1, -1, 26, -26):
        w.se(value)
    w.align(1)
    r = BitReader(w.bytes())
    assert [r.ue() for _ in range(6)] == [0, 1, 2, 7, 8159, 300000]
    assert [r.se() for _ in range(5)] == [0, 1, -1, 26, -26]
    raw = bytes([0, 0, 0, 0, 0, 1, 0, 0, 3, 7, 0, 0, 2])
    assert b"\x00\x00\x00" not in escape(raw) and unescape(escape(raw)) == raw


@pytest.mark.parametrize("size", [pytest.param((1920, 1080), marks=pytest.mark.slow),
                                  pytest.param((854, 480), marks=pytest.mark.slow), (192, 108)])
def test_a_held_frame_decodes_to_its_first_picture_every_time(tmp_path, size):
    frame = picture(*size)
    ours, manims = tmp_path / "ours.mp4", tmp_path / "manims.mp4"
    encode(ours, [(frame, 90)], HeldFrameJob)
    encode(manims, [(frame, 90)], _PartialMovieEncodeJob)
    mine, theirs = decoded(ours), decoded(manims)
    assert len(mine) == len(theirs) == 90
    assert all(np.array_equal(f, mine[0]) for f in mine), "every copy is the first picture"
    assert np.array_equal(mine[0], theirs[0]), "the first picture is x264's, as it always was"
    assert timing(ours) == timing(manims), "every frame at its time, the file as long"
    assert ours.stat().st_size < manims.stat().st_size


def test_frames_after_a_held_one_are_encoded_as_before(tmp_path):
    """A held frame followed by others in the same file: every copy goes to x264, the same bytes as manim's job."""
    writes = [(picture(320, 180), 30), *[(picture(320, 180, shift), 1) for shift in range(1, 6)], (picture(320, 180, 9), 4)]
    ours, manims = tmp_path / "ours.mp4", tmp_path / "manims.mp4"
    encode(ours, writes, HeldFrameJob)
    encode(manims, writes, _PartialMovieEncodeJob)
    mine, theirs = decoded(ours), decoded(manims)
    assert len(mine) == 39 and all(np.array_equal(a, b) for a, b in zip(mine, theirs))
    assert timing(ours) == timing(manims)


def test_short_holds_go_to_x264(tmp_path):
    """A hold no longer than x264's lookahead is encoded whole, as before."""
    count = int(X264_OPTIONS["rc-lookahead"]) + 1
    ours, manims = tmp_path / "ours.mp4", tmp_path / "manims.mp4"
    encode(ours, [(picture(320, 180), count)], HeldFrameJob)
    encode(manims, [(picture(320, 180), count)], _PartialMovieEncodeJob)
    assert [f.tobytes() for f in decoded(ours)] == [f.tobytes() for f in decoded(manims)]


class WaitingScene(Scene):
    """A wait (a held frame, a partial movie of its own), a move, a wait again."""

    def construct(self) -> None:
        square = Square(2, fill_opacity=1, color=BLUE)
        self.add(square, Text("held", font_size=36).to_edge(UP))
        self.wait(1)
        self.play(square.animate.shift(RIGHT * 2), run_time=0.5)
        self.wait(1.5)


def scene_movie(tmp_path: Path, renderer: Any) -> Path:
    media = tmp_path / type(renderer).__name__
    with tempconfig({"pixel_width": 320, "pixel_height": 180, "frame_rate": 30, "media_dir": str(media),
                     "disable_caching": True, "verbosity": "ERROR", "progress_bar": "none"}):
        WaitingScene(renderer=renderer).render()
    (movie,) = [m for m in media.rglob("WaitingScene.mp4")]
    return movie


@pytest.mark.slow
def test_a_scene_with_waits_keeps_its_frames_and_times(tmp_path):
    """Through manim's whole path (partial movies joined by its concat): as many frames at the same times
    as manim's own encoder, the waits' frames equal to their first, every frame within x264's noise."""
    from lecture.manim_compat.renderer import LectureRenderer

    ours, manims = scene_movie(tmp_path, LectureRenderer()), scene_movie(tmp_path, CairoRenderer())
    assert timing(ours) == timing(manims)
    mine, theirs = decoded(ours), decoded(manims)
    fps = round(1 / (timing(ours)[0][1] - timing(ours)[0][0]))
    assert len(mine) == len(theirs) >= 3 * fps
    assert all(np.array_equal(f, mine[0]) for f in mine[:fps]) and all(np.array_equal(f, mine[-1]) for f in mine[-fps:])
    for a, b in zip(mine, theirs):
        assert np.abs(a.astype(int) - b).max() <= 24 and np.abs(a.astype(int) - b).mean() < 1.0
