"""MP4 and MOV files with their index first ("faststart"): the `moov` box, which says where every frame
lies, before the media data (`mdat`). Without it a browser playing a clip or `lecture.mp4` from a web
server must fetch the end of the file before it can show the first frame.

Files this project muxes itself are opened with `MUXER_OPTIONS` (the narrated clip, the joined lecture);
the silent clip, which manim's own writer joins from its partial movie files, is muxed once more with
its packets copied (`faststart`), so `--plain` renders get it too.
"""
from __future__ import annotations

import os
import struct
from pathlib import Path

import av

INDEX_FIRST = {"movflags": "+faststart"}  # ffmpeg's mov/mp4 muxer moves moov before mdat when it finishes
SUFFIXES = (".mp4", ".mov")


def muxer_options(target: Path) -> dict[str, str]:
    """The container options for writing `target`: faststart for MP4 and MOV, none for WebM or GIF."""
    return dict(INDEX_FIRST) if Path(target).suffix.lower() in SUFFIXES else {}


def top_level_boxes(path: Path) -> list[str]:
    """The types of an MP4/MOV file's top-level boxes in file order (`ftyp`, `moov`, `mdat`, ...), read
    from their headers only."""
    boxes = []
    size_of_file = Path(path).stat().st_size
    with open(path, "rb") as source:
        at = 0
        while at + 8 <= size_of_file:
            source.seek(at)
            size, kind = struct.unpack(">I4s", source.read(8))
            if size == 1:  # a 64-bit size follows the type
                size = struct.unpack(">Q", source.read(8))[0]
            elif size == 0:  # the box runs to the end of the file
                size = size_of_file - at
            if size < 8:
                raise ValueError(f"{path}: a box at byte {at} has size {size}; not an MP4/MOV file")
            boxes.append(kind.decode("latin-1"))
            at += size
    return boxes


def index_first(path: Path) -> bool:
    """Whether the file's `moov` comes before its `mdat`."""
    boxes = top_level_boxes(path)
    return "moov" in boxes and "mdat" in boxes and boxes.index("moov") < boxes.index("mdat")


def faststart(path: Path) -> Path:
    """`path` with its index first: an MP4/MOV whose `moov` follows the media is muxed again, every
    video and audio packet copied as it is (the frames do not change), and renamed over itself."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES or index_first(path):
        return path
    moved = path.with_name(f".{path.stem}.faststart{path.suffix}")
    try:
        with av.open(str(path)) as source, av.open(str(moved), "w", options=INDEX_FIRST) as out:
            out.metadata.update(source.metadata)
            copied = [s for s in source.streams if s.type in ("video", "audio")]
            streams = {s.index: out.add_stream_from_template(s) for s in copied}
            for packet in source.demux(copied):
                if packet.dts is None:  # demux's flushing packets
                    continue
                packet.stream = streams[packet.stream.index]
                out.mux(packet)
        os.replace(moved, path)
    finally:
        moved.unlink(missing_ok=True)
    return path
