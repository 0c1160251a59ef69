"""Caption files: a clip's .srt (written by manim from the beats' cues) read back, shifted and joined
for the whole lecture, and written as .srt and WebVTT."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import srt


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    end: float
    text: str


def read_srt(path: Path, offset: float = 0.0) -> list[Cue]:
    return [Cue(s.start.total_seconds() + offset, s.end.total_seconds() + offset, s.content)
            for s in srt.parse(path.read_text(encoding="utf-8"))]


def srt_text(cues: list[Cue]) -> str:
    return srt.compose([srt.Subtitle(i + 1, timedelta(seconds=c.start), timedelta(seconds=c.end), c.text)
                        for i, c in enumerate(cues)])


def vtt_text(cues: list[Cue]) -> str:
    def stamp(seconds: float) -> str:
        ms = round(seconds * 1000)
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"
    blocks = [f"{stamp(c.start)} --> {stamp(c.end)}\n{c.text}" for c in cues]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"
