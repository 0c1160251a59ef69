"""stillness: how long the picture stands still while the voice speaks (narrated clips).

Decodes the clip with PyAV: a frame is *still* when no pixel of its small grey copy differs from the
frame of the last change by more than `CHANGE_LEVEL` (a highlight ring fading in counts as change, encoder
noise does not), and a still run shorter than `MOVING_WITHIN_S` between two changes is motion (a slow fade
moves a few levels a frame: compared frame to frame it would read as still at 15 fps and not at 5); speech is where the audio's RMS over `WINDOW` seconds is within `SPEECH_DB` of its loudest
window, with gaps shorter than `GAP` bridged (the pauses inside a sentence). Per beat (the sidecar's
sections) and per clip: the share of the speech spoken over a still picture and the longest still run
while speaking. A beat whose longest run is over `STILL_MAX_S` is a finding, and so is a clip whose
share is over `STILL_SHARE_MAX` (the targets of the issue "the picture moves with the voice").
`scripts/stillness.py` prints the same measures for any clips.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

from lecture.check.rules import (CHANGE_LEVEL, GAP, MOVING_WITHIN_S, SPEECH_DB, STILL_MAX_S, STILL_SHARE_MAX, WINDOW,
                                 Finding)


@dataclass(frozen=True)
class Measure:
    speech_s: float
    still_speech_s: float
    longest_s: float
    longest_at: float  # seconds from the start of what was measured (the clip, or the beat)

    @property
    def share(self) -> float:
        return self.still_speech_s / self.speech_s if self.speech_s else 0.0

    def as_json(self, offset: float = 0.0) -> dict[str, float]:
        return {"speech_s": round(self.speech_s, 2), "still_share": round(self.share, 3),
                "longest_still_s": round(self.longest_s, 2), "longest_at": round(offset + self.longest_at, 2)}


def frame_changes(clip: Path) -> tuple[np.ndarray, float]:
    """(changed[i] for every frame i: the picture is moving there, the frame duration). A frame changes when it
    differs by more than CHANGE_LEVEL from the frame of the last change; still runs shorter than
    MOVING_WITHIN_S between changes are motion (a slow motion crosses the level every few frames)."""
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate)
        changed, reference = [], None
        for frame in container.decode(stream):
            grey = frame.to_ndarray(format="gray", width=192, height=108).astype(np.int16)
            moved = reference is None or int(np.abs(grey - reference).max()) > CHANGE_LEVEL
            reference = grey if moved else reference
            changed.append(moved)
    return short_stills_moving(np.array(changed, dtype=bool), max(1, round(MOVING_WITHIN_S * rate))), 1.0 / rate


def short_stills_moving(changed: np.ndarray, frames: int) -> np.ndarray:
    """`changed` with every run of unchanged frames shorter than `frames` that ends in a change marked as moving."""
    moving = changed.copy()
    run_start = None
    for i, c in enumerate(changed):
        if not c:
            run_start = i if run_start is None else run_start
        elif run_start is not None:
            if i - run_start < frames:
                moving[run_start:i] = True
            run_start = None
    return moving


def speech_mask(clip: Path, times: np.ndarray) -> np.ndarray:
    """speaking[i] at each time in `times` (seconds), from the clip's audio envelope."""
    with av.open(str(clip)) as container:
        if not container.streams.audio:
            return np.zeros(len(times), dtype=bool)
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=16000)
        chunks = [r.to_ndarray().ravel() for f in container.decode(stream) for r in resampler.resample(f)]
    samples = np.concatenate(chunks) if chunks else np.zeros(1, dtype=np.float32)
    per = int(16000 * WINDOW)
    windows = samples[: len(samples) // per * per].reshape(-1, per)
    if not len(windows):
        return np.zeros(len(times), dtype=bool)
    db = 10 * np.log10((windows.astype(np.float64) ** 2).mean(axis=1) + 1e-12)
    loud = db > db.max() - SPEECH_DB
    bridge = int(GAP / WINDOW)
    idx = np.flatnonzero(loud)
    for a, b in zip(idx, idx[1:]):
        if 1 < b - a <= bridge:
            loud[a:b] = True
    at = np.minimum((times / WINDOW).astype(int), len(loud) - 1)
    return loud[at]


def measure(changed: np.ndarray, speaking: np.ndarray, dt: float) -> Measure:
    """Share of speech over still frames, and the longest run of still frames that overlaps speech
    (counted from its first spoken frame to its last)."""
    still = ~changed
    longest, longest_at, run_start = 0.0, 0.0, None
    for i in range(len(still) + 1):
        if i < len(still) and still[i]:
            run_start = i if run_start is None else run_start
            continue
        if run_start is not None:
            spoken = np.flatnonzero(speaking[run_start:i])
            if len(spoken):
                length = (spoken[-1] - spoken[0] + 1) * dt
                if length > longest:
                    longest, longest_at = length, (run_start + spoken[0]) * dt
            run_start = None
    return Measure(float(speaking.sum() * dt), float((speaking & still).sum() * dt), longest, longest_at)


def measures(clip: Path, sections: list[dict[str, Any]]) -> tuple[Measure, list[tuple[dict[str, Any], Measure]]]:
    """The clip's measure and each section's."""
    changed, dt = frame_changes(clip)
    times = np.arange(len(changed)) * dt
    speaking = speech_mask(clip, times)
    beats = []
    for section in sections:
        part = (times >= section["start"]) & (times < section["end"])
        beats.append((section, measure(changed[part], speaking[part], dt)))
    return measure(changed, speaking, dt), beats


def check(video: Path, sidecar: dict[str, Any]) -> list[Finding]:
    scene, theme = sidecar.get("scene", video.stem), sidecar.get("theme", "")
    whole, beats = measures(video, sidecar.get("sections", []))
    findings = [Finding("stillness", scene, section["name"], float(round(section["start"] + m.longest_at, 2)),
                        f"the picture stands still for {m.longest_s:.1f} s while the voice speaks "
                        f"(over {STILL_MAX_S:g} s; {m.share:.0%} of this beat's speech is over a still picture)",
                        [], None, theme)
                for section, m in beats if m.longest_s > STILL_MAX_S]
    if whole.share > STILL_SHARE_MAX:
        findings.append(Finding("stillness", scene, "", float(round(whole.longest_at, 2)),
                                f"{whole.share:.0%} of the clip's {whole.speech_s:.0f} s of speech is over a still picture "
                                f"(over {STILL_SHARE_MAX:.0%}); longest still {whole.longest_s:.1f} s", [], None, theme))
    return findings
