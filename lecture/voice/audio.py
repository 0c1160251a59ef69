"""Sound for the clips, through PyAV (ffmpeg): decode and resample, build a clip's narration track,
bring it to broadcast loudness, and mux it beside the video without re-encoding the picture.

The track is mono float32 at 48 kHz. Loudness is -16 LUFS integrated (ITU-R BS.1770, measured with
pyloudnorm), peaks are kept under -1 dBFS by a short look-ahead limiter, and every piece of speech
fades in and out over a few milliseconds so no join clicks.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from lecture.output.faststart import muxer_options

RATE = 48000
TARGET_LUFS = -16.0
PEAK_CEILING = 10 ** (-3.0 / 20)  # 2 dB under the -1 dBFS limit: AAC overshoots speech peaks by up to 1.1 dB (measured)
FADE_SECONDS = 0.005
SILENCE_DB = -45.0  # below this (relative to the loudest sample) counts as silence at the edges
CODECS = {".mp4": "aac", ".mov": "aac", ".webm": "libopus"}
BIT_RATE = 160000  # mono speech; at 96 kbps AAC's overshoot of the limited peaks reached 3 dB (measured), at 160 under 1
PEAK_LIMIT = 10 ** (-1.1 / 20)  # what the decoded file's peaks must stay under (the issue's -1 dBFS, a little margin)


class AudioError(ValueError):
    """A sound file that cannot be used: unreadable, empty, no audio stream."""


def to_frame(samples: np.ndarray, rate: int) -> av.AudioFrame:
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples, dtype=np.float32)[None, :], format="flt", layout="mono")
    frame.sample_rate = rate
    return frame


def resampled(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mono samples at `rate` -> mono at 48 kHz (ffmpeg's resampler)."""
    if rate == RATE or len(samples) == 0:
        return samples.astype(np.float32)
    resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
    frames = resampler.resample(to_frame(samples, rate)) + resampler.resample(None)
    return np.concatenate([f.to_ndarray().reshape(-1) for f in frames]).astype(np.float32)


def decode(path: Path) -> np.ndarray:
    """Any audio file ffmpeg reads (wav, flac, mp3, m4a...), at any rate and channel count, as mono at 48 kHz."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise AudioError(f"{path} has no sound in it")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            chunks = [f.to_ndarray().reshape(-1) for frame in container.decode(container.streams.audio[0])
                      for f in resampler.resample(frame)]
            chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    except AudioError:
        raise
    except (av.FFmpegError, OSError, ValueError) as err:
        raise AudioError(f"cannot read {path}: {err}") from None
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if len(samples) == 0 or not np.any(np.abs(samples) > 1e-4):
        raise AudioError(f"{path} is empty or silent")
    return samples


def trimmed(samples: np.ndarray, pad: float = 0.02) -> np.ndarray:
    """Without the silence at either end (keeping `pad` seconds), faded in and out."""
    level = np.abs(samples)
    loud = np.nonzero(level > level.max() * 10 ** (SILENCE_DB / 20))[0] if len(samples) else []
    if len(loud) == 0:
        return np.zeros(0, np.float32)
    keep = int(pad * RATE)
    return faded(samples[max(loud[0] - keep, 0):loud[-1] + keep + 1])


def faded(samples: np.ndarray, seconds: float = FADE_SECONDS) -> np.ndarray:
    n = min(int(seconds * RATE), len(samples) // 2)
    out = samples.astype(np.float32, copy=True)
    if n:
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
        out[:n] *= ramp
        out[-n:] *= ramp[::-1]
    return out


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(round(seconds * RATE)), np.float32)


def mix(placements: list[tuple[float, np.ndarray]], duration: float) -> np.ndarray:
    """One track of `duration` seconds with each piece of sound starting at its time (later pieces
    that would run past the end are cut there)."""
    track = np.zeros(int(round(duration * RATE)), np.float32)
    for start, samples in placements:
        at = int(round(start * RATE))
        piece = samples[:max(len(track) - at, 0)]
        track[at:at + len(piece)] += piece
    return track


def loudness(track: np.ndarray) -> float:
    """Integrated loudness in LUFS (gated, so the silences between beats do not count)."""
    import pyloudnorm  # with scipy, about 0.5 s: only where loudness is measured (a narrated render)

    if len(track) < RATE // 2:  # shorter than the 400 ms gating block and its overlap
        track = np.concatenate([track, np.zeros(RATE // 2 - len(track), np.float32)])
    return float(pyloudnorm.Meter(RATE).integrated_loudness(track.astype(np.float64)))


def limited(track: np.ndarray, ceiling: float = PEAK_CEILING, window: float = 0.004) -> np.ndarray:
    """Peaks brought under `ceiling` by a gain that dips smoothly around them (look-ahead and release
    of `window` seconds), so speech is not clipped and quieter parts keep their level."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d  # scipy: only where a narration is limited

    need = np.minimum(1.0, ceiling / np.maximum(np.abs(track), 1e-9))
    if need.min() >= 1.0:
        return track
    width = max(int(window * RATE), 1)
    gain = uniform_filter1d(minimum_filter1d(need, 2 * width + 1), width + 1)  # the mean of a min never exceeds it
    return np.clip(track * gain, -ceiling, ceiling).astype(np.float32)


def normalised(track: np.ndarray, target: float = TARGET_LUFS) -> np.ndarray:
    """At `target` LUFS with peaks under the ceiling; a silent track stays silent."""
    if not np.any(np.abs(track) > 1e-6):
        return track
    for _ in range(3):  # limiting lowers the loudness a little: measure again
        level = loudness(track)
        if not np.isfinite(level) or abs(level - target) < 0.2:
            break
        track = limited(track * np.float32(10 ** ((target - level) / 20)))
    return limited(track)


def with_audio(video: Path, track: np.ndarray, target: Path) -> Path:
    """Write `target`: the video's packets copied as they are, and `track` encoded beside them
    (AAC for mp4/mov, Opus for webm), interleaved by time. The encoder can push a limited peak back
    over -1 dBFS; then the track is made that much quieter and written once more."""
    muxed(video, track, target)
    peak = float(np.abs(decode(target)).max()) if np.any(track) else 0.0
    if peak > PEAK_LIMIT:
        muxed(video, track * np.float32(0.97 * PEAK_LIMIT / peak), target)
    return target


def muxed(video: Path, track: np.ndarray, target: Path) -> Path:
    codec = CODECS[target.suffix]
    with av.open(str(video)) as source, av.open(str(target), "w", options=muxer_options(target)) as out:
        picture = source.streams.video[0]
        video_out = out.add_stream_from_template(picture)
        sound = out.add_stream(codec, rate=RATE, layout="mono")
        sound.bit_rate = BIT_RATE
        packets = encoded(sound, track)
        for packet in source.demux(picture):
            if packet.dts is None:
                continue
            while packets and packets[0].pts * packets[0].time_base <= packet.pts * picture.time_base:
                out.mux(packets.pop(0))
            packet.stream = video_out
            out.mux(packet)
        for packet in packets:
            out.mux(packet)
    return target


def encoded(stream: av.audio.stream.AudioStream, track: np.ndarray) -> list[av.Packet]:
    """The track's packets, encoded in frames of the codec's size."""
    size = 960 if stream.codec_context.name == "libopus" else 1024
    packets: list[av.Packet] = []
    for start in range(0, len(track), size):
        frame = to_frame(track[start:start + size], RATE)
        frame.pts = start
        frame.time_base = Fraction(1, RATE)
        packets += stream.encode(frame)
    packets += stream.encode(None)
    return packets
