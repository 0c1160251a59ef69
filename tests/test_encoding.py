"""Held frames (a wait, a beat holding for its speech) cost the encoder almost nothing: x264 encodes the
first picture as it always did, the copies after it are H.264 frames that repeat it (lecture/output/h264.py)."""
from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
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


@pytest.mark.parametrize("size", [(1920, 1080), (854, 480), (192, 108)])
def test_a_held_frame_decodes_to_its_first_picture_every_time(tmp_path, size):
    frame = picture(*size)
    ours, manims = tmp_path / "ours.mp4", tmp_path / "manims.mp4"
    encode(ours, [(frame, 90)], HeldFrameJob)
    encode(manims, [(frame, 90)], _PartialMovieEncodeJob)
    mine, theirs = decoded(ours), decoded(manims)
    assert len(mine) == len(theirs) == 90
    assert all(np.array_equal(f, mine[0]) for f in mine), "every copy is the first picture"
    assert np.array_equal(mine[0], theirs[0]), "the first picture is x264's, as it always was"
    assert ours.stat().st_size < manims.stat().st_size


def test_frames_after_a_held_one_are_encoded_as_before(tmp_path):
    """A held frame followed by others in the same file: every copy goes to x264, the same bytes as manim's job."""
    writes = [(picture(320, 180), 30), *[(picture(320, 180, shift), 1) for shift in range(1, 6)], (picture(320, 180, 9), 4)]
    ours, manims = tmp_path / "ours.mp4", tmp_path / "manims.mp4"
    encode(ours, writes, HeldFrameJob)
    encode(manims, writes, _PartialMovieEncodeJob)
    mine, theirs = decoded(ours), decoded(manims)
    assert len(mine) == 39 and all(np.array_equal(a, b) for a, b in zip(mine, theirs))


def test_short_holds_go_to_x264(tmp_path):
    """A hold no longer than x264's lookahead is encoded whole, as before."""
    count = int(X264_OPTIONS["rc-lookahead"]) + 1
    ours, manims = tmp_path / "ours.mp4", tmp_path / "manims.mp4"
    encode(ours, [(picture(320, 180), count)], HeldFrameJob)
    encode(manims, [(picture(320, 180), count)], _PartialMovieEncodeJob)
    assert [f.tobytes() for f in decoded(ours)] == [f.tobytes() for f in decoded(manims)]
