"""Clips' lengths and their encoder floor: what encoding their frames costs, as the renders encode them."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import time

from scripts.bench.measure import timed


FLOOR_CHUNK = 60  # frames per separately encoded stream: about one animation, as manim's partial movie files

FLOOR_MAX_FRAMES = 180  # frames encoded per clip for its floor; longer clips are sampled

@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    fps: float
    frames: int

    @property
    def seconds(self) -> float:
        return self.frames / self.fps

def video_info(path: Path) -> VideoInfo:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = stream.frames or sum(1 for packet in container.demux(stream) if packet.size)
        return VideoInfo(stream.width, stream.height, float(stream.average_rate), frames)

def floor_chunks(frames: int) -> set[int]:
    """Indices of the FLOOR_CHUNK-frame chunks to encode: all of them, or FLOOR_MAX_FRAMES' worth evenly spread."""
    count = -(-frames // FLOOR_CHUNK)
    keep = max(1, min(count, FLOOR_MAX_FRAMES // FLOOR_CHUNK))
    return {round(k * (count - 1) / max(keep - 1, 1)) for k in range(keep)}

def sampled_chunks(path: Path, chunks: set[int]) -> Iterator[list[Any]]:
    """The chosen chunks of the clip, each a list of RGBA arrays (at most FLOOR_CHUNK frames in memory).
    Each chunk is sought to (the clip has a keyframe per animation) instead of decoding the whole clip
    (4-5 s for a 1080p clip)."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        fps, base = float(stream.average_rate), stream.time_base
        origin = float((stream.start_time or 0) * base)
        for first in sorted(c * FLOOR_CHUNK for c in chunks):
            container.seek(int((origin + first / fps) / base), stream=stream, backward=True, any_frame=False)
            chunk: list[Any] = []
            for frame in container.decode(stream):
                index = round((float(frame.pts * base) - origin) * fps)
                if index >= first + FLOOR_CHUNK:
                    break
                if index >= first:
                    chunk.append(frame.to_ndarray(format="rgba"))
            if chunk:
                yield chunk

def encode(frames: list[Any], info: VideoInfo, target: Path) -> None:
    from lecture.manim_compat.encoding import encode_like_a_render  # imports manim: only when a floor is measured

    encode_like_a_render(frames, round(info.fps), info.width, info.height, target)


def encoder_floor(movie: Path, scratch: Path) -> tuple[float, int]:
    """Seconds manim's encoder needs for this clip's frames, and how many frames that was measured on."""
    wall, _, frames = encoder_floor_cpu(movie, scratch)
    return wall, frames


def encoder_floor_cpu(movie: Path, scratch: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds (this process's, x264's threads included: `time.process_time`) manim's encoder
    needs for this clip's frames, every frame given to x264 as stock manim gives it, and how many frames
    that was measured on.

    Chunks of FLOOR_CHUNK frames are encoded as separate streams, as manim encodes each animation into
    a partial movie file of its own; only the encoding is timed, from RGBA arrays to a closed file.
    Long clips are sampled (FLOOR_MAX_FRAMES frames, evenly spread) and the time scaled to all frames.
    """
    info = video_info(movie)
    seconds, cpu, encoded = 0.0, 0.0, 0
    for index, chunk in enumerate(sampled_chunks(movie, floor_chunks(info.frames))):
        if index == 0:  # untimed: the first encoder of a process pays for loading libx264
            encode(chunk[:2], info, scratch / "floor.mp4")
        started = time.process_time()
        seconds += timed(lambda: encode(chunk, info, scratch / "floor.mp4"))
        cpu += time.process_time() - started
        encoded += len(chunk)
    (scratch / "floor.mp4").unlink(missing_ok=True)
    scale = info.frames / max(encoded, 1)
    return seconds * scale, cpu * scale, encoded
