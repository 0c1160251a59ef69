"""`python -m scripts.stillness CLIP.mp4 [CLIP.mp4 ...]`: how long the picture stands still while the voice speaks.

Decodes a narrated clip with PyAV: a frame is *still* when no pixel of its small grey copy differs from the
frame before by more than `CHANGE_LEVEL` (a highlight ring fading in counts as change, encoder noise does
not); speech is where the audio's RMS over `WINDOW` seconds is above `SPEECH_DB` below its loudest window,
with gaps shorter than `GAP` bridged (the pauses inside a sentence). Prints, per beat (the clip's sidecar
JSON beside it) and per clip, the share of the speech spoken over a still picture and the longest still
run while speaking; the targets (issue "The picture moves with the voice") are at most 40% and 4 s.
"""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

CHANGE_LEVEL = 12  # grey levels (of 255) a pixel must move by, on the 192x108 copy, for the frame to change
WINDOW = 0.05  # seconds per RMS window
SPEECH_DB = 35.0  # a window is speech when within this many dB of the loudest window
GAP = 0.35  # seconds of quiet inside speech that still count as speaking
STILL_TARGET_S = 4.0
SHARE_TARGET = 0.40


@dataclass(frozen=True)
class Measure:
    speech_s: float
    still_speech_s: float
    longest_s: float
    longest_at: float

    @property
    def share(self) -> float:
        return self.still_speech_s / self.speech_s if self.speech_s else 0.0


def frame_changes(clip: Path) -> tuple[np.ndarray, float]:
    """(changed[i] for every frame i: differs from frame i-1, the frame duration)."""
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate)
        changed, previous = [], None
        for frame in container.decode(stream):
            grey = frame.to_ndarray(format="gray", width=192, height=108).astype(np.int16)
            changed.append(previous is None or int(np.abs(grey - previous).max()) > CHANGE_LEVEL)
            previous = grey
    return np.array(changed, dtype=bool), 1.0 / rate


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


def report(clip: Path) -> Measure:
    changed, dt = frame_changes(clip)
    times = np.arange(len(changed)) * dt
    speaking = speech_mask(clip, times)
    whole = measure(changed, speaking, dt)
    sidecar = clip.with_suffix(".json")
    if sidecar.exists():
        for section in json.loads(sidecar.read_text()).get("sections", []):
            part = (times >= section["start"]) & (times < section["end"])
            m = measure(changed[part], speaking[part], dt)
            flag = " <" if m.longest_s > STILL_TARGET_S or m.share > SHARE_TARGET else ""
            print(f"  {section['name']:<28} speech {m.speech_s:5.1f} s  still {m.share:4.0%}  "
                  f"longest {m.longest_s:4.1f} s at {section['start'] + m.longest_at:5.1f}{flag}")
    print(f"{clip.stem}: speech {whole.speech_s:.1f} s, {whole.share:.0%} over a still picture, "
          f"longest still {whole.longest_s:.1f} s at {whole.longest_at:.1f} s")
    return whole


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.stillness", description=__doc__.split("\n\n")[0])
    parser.add_argument("clips", type=Path, nargs="+")
    total_speech = total_still = longest = 0.0
    for clip in parser.parse_args().clips:
        m = report(clip)
        total_speech, total_still, longest = total_speech + m.speech_s, total_still + m.still_speech_s, max(longest, m.longest_s)
    if total_speech:
        print(f"all: {total_still / total_speech:.0%} of {total_speech:.0f} s of speech over a still picture, longest {longest:.1f} s")


if __name__ == "__main__":
    main()
