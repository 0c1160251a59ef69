"""Join clips into one file with a chapter per clip, copying packets (no re-encoding)."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av

from lecture.files import publish

CHAPTER_TIME_BASE = Fraction(1, 1000)


def concat_clips(clips: list[tuple[str, Path]], target: Path) -> Path:
    """`clips` are (chapter title, video path) in order; all must share codec, size and frame rate."""
    tmp = target.with_name(f".{target.stem}.joining{target.suffix}")
    chapters = []
    try:
        with av.open(str(tmp), "w") as out:
            stream = None
            offset = Fraction(0)  # seconds: where the current clip starts in the joined file
            for index, (title, path) in enumerate(clips):
                with av.open(str(path)) as source:
                    video = source.streams.video[0]
                    if stream is None:
                        stream = out.add_stream_from_template(video)
                    elif (video.codec_context.width, video.codec_context.height) != (stream.codec_context.width, stream.codec_context.height):
                        raise ValueError(f"{path.name} has another size than the first clip; render all clips at one quality")
                    shift = round(offset / video.time_base)  # packets keep the source time base; mux rescales
                    end = offset
                    for packet in source.demux(video):
                        if packet.dts is None:
                            continue
                        packet.pts, packet.dts = packet.pts + shift, packet.dts + shift
                        end = max(end, (packet.pts + (packet.duration or 0)) * video.time_base)
                        packet.stream = stream
                        out.mux(packet)
                chapters.append({"id": index + 1, "start": round(offset / CHAPTER_TIME_BASE),
                                 "end": round(end / CHAPTER_TIME_BASE), "time_base": CHAPTER_TIME_BASE,
                                 "metadata": {"title": title}})
                offset = end
            out.set_chapters(chapters)
        return publish(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)

