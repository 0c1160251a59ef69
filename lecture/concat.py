"""Join clips into one file with a chapter per clip, copying packets (no re-encoding): the picture,
the narration when the clips have it, and the captions as a soft subtitle track (mov_text in mp4/mov)."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av

from lecture.captions import Cue, read_srt
from lecture.files import publish

CHAPTER_TIME_BASE = Fraction(1, 1000)
SUBTITLE_TIME_BASE = Fraction(1, 1000)
# mov_text is encoded from ASS events; ffmpeg's encoder needs an ASS header to start from.
ASS_HEADER = b"""[Script Info]
ScriptType: v4.00+
PlayResX: 384
PlayResY: 288

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Sans,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
"""


def concat_clips(clips: list[tuple[str, Path]], target: Path, subtitles: bool = False) -> tuple[Path, list[Cue]]:
    """`clips` are (chapter title, video path) in order; all must share codec, size and frame rate, and
    all have sound or none. With `subtitles`, each clip's .srt beside it becomes part of one subtitle
    track. Returns the joined file and the lecture's captions, shifted to where each clip starts."""
    tmp = target.with_name(f".{target.stem}.joining{target.suffix}")
    chapters, cues = [], []
    try:
        with av.open(str(tmp), "w") as out:
            streams: dict[str, av.stream.Stream] = {}
            offset = Fraction(0)  # seconds: where the current clip starts in the joined file
            for index, (title, path) in enumerate(clips):
                with av.open(str(path)) as source:
                    video = source.streams.video[0]
                    sound = source.streams.audio[0] if source.streams.audio else None
                    if not streams:
                        streams["video"] = out.add_stream_from_template(video)
                        if sound is not None:
                            streams["audio"] = out.add_stream_from_template(sound)
                        if subtitles:
                            streams["subtitle"] = text_stream(out)
                    elif (video.codec_context.width, video.codec_context.height) != (streams["video"].codec_context.width, streams["video"].codec_context.height):
                        raise ValueError(f"{path.name} has another size than the first clip; render all clips at one quality")
                    elif (sound is None) != ("audio" not in streams):
                        raise ValueError(f"{path.name} {'has no' if sound is None else 'has'} sound, unlike the first clip")
                    end = copy_packets(source, [s for s in (video, sound) if s is not None],
                                       [streams[k] for k in ("video", "audio") if k in streams], out, offset)
                if subtitles and path.with_suffix(".srt").exists():
                    clip_cues = [c for c in read_srt(path.with_suffix(".srt"), float(offset)) if c.start < float(end)]
                    cues += [Cue(c.start, min(c.end, float(end)), c.text) for c in clip_cues]
                chapters.append({"id": index + 1, "start": round(offset / CHAPTER_TIME_BASE),
                                 "end": round(end / CHAPTER_TIME_BASE), "time_base": CHAPTER_TIME_BASE,
                                 "metadata": {"title": title}})
                offset = end
            if subtitles:
                write_cues(out, streams["subtitle"], cues)
            out.set_chapters(chapters)
        return publish(tmp, target), cues
    finally:
        tmp.unlink(missing_ok=True)


def copy_packets(source, inputs: list, outputs: list, out, offset: Fraction) -> Fraction:
    """Every packet of `inputs` into `outputs`, shifted by `offset` seconds; the clip's end (by its video)."""
    shifts = {s.index: round(offset / s.time_base) for s in inputs}  # packets keep the source time base; mux rescales
    targets = {s.index: o for s, o in zip(inputs, outputs)}
    video = inputs[0]
    end = offset
    for packet in source.demux(*inputs):
        if packet.dts is None:
            continue
        stream = packet.stream
        if stream.index == video.index:
            end = max(end, offset + (packet.pts + (packet.duration or 0)) * stream.time_base)
        packet.pts, packet.dts = packet.pts + shifts[stream.index], packet.dts + shifts[stream.index]
        packet.stream = targets[stream.index]
        out.mux(packet)
    return end


def text_stream(out):
    stream = out.add_stream("mov_text")
    stream.codec_context.subtitle_header = ASS_HEADER
    stream.time_base = SUBTITLE_TIME_BASE
    return stream


def write_cues(out, stream, cues: list[Cue]) -> None:
    from av.subtitles.subtitle import SubtitleSet

    for i, cue in enumerate(cues):
        start = round(cue.start / SUBTITLE_TIME_BASE)
        duration = max(round((cue.end - cue.start) / SUBTITLE_TIME_BASE), 1)
        text = cue.text.replace("\n", "\\N").replace("{", "(").replace("}", ")")  # ASS: \N breaks a line, braces are tags
        packet = stream.codec_context.encode_subtitle(SubtitleSet.create(f"{i},0,Default,,0,0,0,,{text}".encode(), 0, duration, pts=start))
        packet.stream = stream
        packet.time_base = SUBTITLE_TIME_BASE
        out.mux(packet)
