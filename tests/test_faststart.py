"""Every mp4 this project writes has its index (`moov`) before the media data (`mdat`), so a browser plays
it from a web server at once: the silent clip (muxed again, its packets copied), the narrated clip, the
joined lecture and the slide videos. Read from the files' top-level boxes."""
from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest

from lecture.output.concat import concat_clips
from lecture.output.faststart import faststart, index_first, muxer_options, top_level_boxes
from lecture.voice import audio


def encoded_clip(path: Path, frames: int = 10, shade: int = 0) -> Path:
    """A small H.264 clip as manim's writer leaves one: written without faststart, so its index is last."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=5)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(frames):
            picture = np.full((48, 64, 3), (shade + 20 * i) % 256, np.uint8)
            picture[:, : 4 + 6 * i] = 255  # something moves, so the frames differ
            for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def decoded(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray() for frame in container.decode(video=0)]


def test_a_clip_written_without_faststart_has_its_index_last(tmp_path):
    clip = encoded_clip(tmp_path / "clip.mp4")
    boxes = top_level_boxes(clip)
    assert boxes.index("mdat") < boxes.index("moov") and not index_first(clip)


def test_faststart_moves_the_index_first_and_keeps_every_frame(tmp_path):
    clip = encoded_clip(tmp_path / "clip.mp4")
    before = decoded(clip)
    assert faststart(clip) == clip
    boxes = top_level_boxes(clip)
    assert boxes[0] == "ftyp" and boxes.index("moov") < boxes.index("mdat")
    after = decoded(clip)
    assert len(after) == len(before) == 10
    assert all(np.array_equal(a, b) for a, b in zip(before, after))
    assert not list(tmp_path.glob(".*")), "no temporary file left"


def test_faststart_leaves_other_formats_and_done_files_alone(tmp_path):
    assert muxer_options(tmp_path / "a.webm") == {} and muxer_options(tmp_path / "a.gif") == {}
    assert muxer_options(tmp_path / "a.mov") == muxer_options(tmp_path / "a.mp4") == {"movflags": "+faststart"}
    clip = faststart(encoded_clip(tmp_path / "clip.mp4"))
    written = clip.stat().st_mtime_ns
    faststart(clip)
    assert clip.stat().st_mtime_ns == written  # already index-first: not muxed again


def test_the_narrated_clip_and_the_joined_lecture_are_written_index_first(tmp_path):
    first, second = encoded_clip(tmp_path / "a.mp4"), encoded_clip(tmp_path / "b.mp4", shade=100)
    seconds = 2.0  # 10 frames at 5 fps
    tone = (0.1 * np.sin(np.arange(int(seconds * audio.RATE)) * 2 * np.pi * 440 / audio.RATE)).astype(np.float32)
    narrated = [audio.with_audio(clip, tone, clip.with_name(f"{clip.stem}.narrated.mp4")) for clip in (first, second)]
    assert all(index_first(clip) for clip in narrated)
    joined, _ = concat_clips([("one", narrated[0]), ("two", narrated[1])], tmp_path / "lecture.mp4")
    assert index_first(joined)
    assert len(decoded(joined)) == 20


@pytest.mark.slow
def test_rendered_clips_slides_and_the_lecture_are_index_first(rendered):
    """The session's tiny render: every clip, its slide videos and the joined lecture.mp4."""
    clips = sorted(rendered.glob("*.mp4"))
    assert rendered / "lecture.mp4" in clips and len(clips) > 2
    slide_videos = [Path(slide[key]) for config in rendered.glob("*.slides.json")
                    for slide in json.loads(config.read_text())["slides"] for key in ("file", "rev_file") if slide.get(key)]
    assert slide_videos
    late = [str(path) for path in clips + slide_videos if not index_first(path)]
    assert late == []
