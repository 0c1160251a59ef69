"""Join clips into one file with a chapter per clip, copying packets (no re-encoding): the picture,
the narration when the clips have it, and the captions as a soft subtitle track (mov_text in mp4/mov)."""
from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from av.subtitles.subtitle import SubtitleSet

from lecture.voice import audio
from lecture.voice.captions import Cue, read_srt
from lecture.output.faststart import muxer_options
from lecture.output.publish import publish

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
    track. Returns the joined file (its index first, for a browser) and the lecture's captions, shifted
    to where each clip starts.

    The picture's packets are copied. The sound is decoded and encoded once more as one track: AAC
    packets cannot simply follow each other, since every clip's sound starts with a priming packet
    before its zero, and shifting it after the previous clip's end would delay the speech by 21 ms
    more with every clip."""
    tmp = target.with_name(f".{target.stem}.joining{target.suffix}")
    ends = [clip_end(path) for _, path in clips]
    offsets = [Fraction(0), *itertools.accumulate(ends)][:-1]
    paths = [path for _, path in clips]
    cues = joined_cues(paths, offsets, ends) if subtitles else []
    try:
        with av.open(str(tmp), "w", options=muxer_options(target)) as out:
            video_out, sound_packets = first_streams(out, paths, offsets, sum(ends, Fraction(0)))
            text_out = text_stream(out) if subtitles else None
            with_sound = bool(sound_packets)
            for path, offset in zip(paths, offsets):
                copy_picture(out, path, offset, video_out, sound_packets, with_sound)
            for packet in sound_packets:
                out.mux(packet)
            if text_out is not None:
                write_cues(out, text_out, cues)
            out.set_chapters([chapter(i, title, offset, offset + length)
                              for i, ((title, _), offset, length) in enumerate(zip(clips, offsets, ends))])
        return publish(tmp, target), cues
    finally:
        tmp.unlink(missing_ok=True)


def first_streams(out, paths: list[Path], offsets: list[Fraction], total: Fraction) -> tuple[Any, list[av.Packet]]:
    """The joined file's picture stream, made like the first clip's, and the whole sound track's packets
    (none when the clips are silent)."""
    with av.open(str(paths[0])) as first:
        video_out = out.add_stream_from_template(first.streams.video[0])
        sound = joined_sound(out, paths, offsets, total) if first.streams.audio else []
    return video_out, sound


def copy_picture(out, path: Path, offset: Fraction, video_out, sound_packets: list[av.Packet], with_sound: bool) -> None:
    """One clip's picture packets at `offset`, with the sound packets due before each muxed ahead of it."""
    with av.open(str(path)) as source:
        video = source.streams.video[0]
        size = (video.codec_context.width, video.codec_context.height)
        if size != (video_out.codec_context.width, video_out.codec_context.height):
            raise ValueError(f"{path.name} has another size than the first clip; render all clips at one quality")
        if bool(source.streams.audio) != with_sound:
            raise ValueError(f"{path.name} {'has' if source.streams.audio else 'has no'} sound, unlike the first clip")
        shift = round(offset / video.time_base)  # packets keep the source time base; mux rescales
        for packet in source.demux(video):
            if packet.dts is None:
                continue
            while sound_packets and sound_packets[0].pts * sound_packets[0].time_base <= offset + packet.pts * video.time_base:
                out.mux(sound_packets.pop(0))
            packet.pts, packet.dts = packet.pts + shift, packet.dts + shift
            packet.stream = video_out
            out.mux(packet)


def joined_cues(paths: list[Path], offsets: list[Fraction], ends: list[Fraction]) -> list[Cue]:
    """Every clip's captions (its .srt, where it has one) shifted to where the clip starts, none past its end."""
    cues = []
    for path, offset, length in zip(paths, offsets, ends):
        end = float(offset + length)
        if path.with_suffix(".srt").exists():
            cues += [Cue(c.start, min(c.end, end), c.text) for c in read_srt(path.with_suffix(".srt"), float(offset)) if c.start < end]
    return cues


def chapter(index: int, title: str, start: Fraction, end: Fraction) -> dict[str, Any]:
    return {"id": index + 1, "start": round(start / CHAPTER_TIME_BASE), "end": round(end / CHAPTER_TIME_BASE),
            "time_base": CHAPTER_TIME_BASE, "metadata": {"title": title}}


def clip_end(path: Path) -> Fraction:
    """How long a clip's picture lasts, from its packets (no decoding)."""
    with av.open(str(path)) as source:
        video = source.streams.video[0]
        return max(((p.pts + (p.duration or 0)) * video.time_base for p in source.demux(video) if p.pts is not None),
                   default=Fraction(0))


def joined_sound(out, paths: list[Path], offsets: list[Fraction], total: Fraction) -> list[av.Packet]:
    """Every clip's sound at its offset in one track, encoded as the clips are (AAC or Opus)."""
    track = audio.mix([(float(offset), audio.decode(path)) for path, offset in zip(paths, offsets)], float(total))
    stream = out.add_stream(audio.CODECS[paths[0].suffix], rate=audio.RATE, layout="mono")
    stream.bit_rate = audio.BIT_RATE
    return audio.encoded(stream, track)


def text_stream(out):
    stream = out.add_stream("mov_text")
    stream.codec_context.subtitle_header = ASS_HEADER
    stream.time_base = SUBTITLE_TIME_BASE
    return stream


def write_cues(out, stream, cues: list[Cue]) -> None:
    for i, cue in enumerate(cues):
        start = round(cue.start / SUBTITLE_TIME_BASE)
        duration = max(round((cue.end - cue.start) / SUBTITLE_TIME_BASE), 1)
        text = cue.text.replace("\n", "\\N").replace("{", "(").replace("}", ")")  # ASS: \N breaks a line, braces are tags
        packet = stream.codec_context.encode_subtitle(SubtitleSet.create(f"{i},0,Default,,0,0,0,,{text}".encode(), 0, duration, pts=start))
        packet.stream = stream
        packet.time_base = SUBTITLE_TIME_BASE
        out.mux(packet)
