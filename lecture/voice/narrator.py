"""The narrator a render process hands its scene: speech for each beat, from piper or a recording.

Speech is synthesised in pieces: a piece per sentence, and a new piece at every marked word, so the
time a bookmark's word is spoken comes from the synthesiser itself (piper 1.8 returns no alignments
for this voice). Each piece is cached by (voice, spoken text, pronunciation table), written
atomically: an unchanged re-render synthesises nothing, and a killed one leaves no broken entry.
A recording has no such pieces: its bookmarks and sentences are spread over it by characters.

The pace: piper's joe voice at its own length scale said the first lecture at 166 words a minute
(1,484 words in 537 s, 0.3 s between sentences), faster than a lecture. `LENGTH_SCALE` 1.15 and
0.55 s between sentences give 149 (597 s), measured with `python -m scripts.voice_pace`: the words
themselves stay at about 160 a minute, a natural speaking rate, and the sentence ends breathe.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from lecture.voice import audio, pronounce
from lecture.output.publish import write_atomic
from lecture.voice.voices import Voice
from scenes.kit.narration import Speech, sentences_of, spread_by_characters

SENTENCE_GAP = 0.55  # seconds between sentences: a short breath a listener hears as a full stop
LENGTH_SCALE = 1.15  # piper's phoneme length (the voice's own: 1.0); with the gap, about 150 words a minute
PIECE_GAP = 0.05  # between the pieces of one sentence cut at a bookmark
SYNTHESIS_VERSION = "2"  # bump when the way pieces are made changes


class SpeechCache:
    """Float32 samples at 48 kHz by key, one .npy file each."""

    def __init__(self, folder: Path):
        self.folder = folder

    def get(self, key: str) -> np.ndarray | None:
        try:
            return np.load(self.folder / f"{key}.npy", allow_pickle=False)
        except (OSError, ValueError, EOFError):
            return None  # absent (or unreadable: made again and replaced)

    def put(self, key: str, samples: np.ndarray) -> None:
        buffer = io.BytesIO()
        np.save(buffer, samples.astype(np.float32), allow_pickle=False)
        write_atomic(self.folder / f"{key}.npy", lambda tmp: Path(tmp).write_bytes(buffer.getvalue()))


def load_piper(model: Path) -> Any:
    """piper's `PiperVoice.load` (the model, its config beside it, the CPU), with onnxruntime's worker
    threads waiting idle instead of spinning between the runs of a sentence: the same samples, about a
    fifth less CPU a second of speech (0.27 -> 0.21 s, measured on the title card, 2026-12-07)."""
    import onnxruntime  # installed with piper (the voice extra): imported only to speak
    from piper import PiperConfig, PiperVoice

    options = onnxruntime.SessionOptions()
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # onnxruntime's documented key
    config = PiperConfig.from_dict(json.loads(Path(f"{model}.json").read_text(encoding="utf-8")))
    session = onnxruntime.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
    return PiperVoice(session=session, config=config)


def piper_config() -> Any:
    from piper import SynthesisConfig  # GPL-3.0 extra: imported only to speak

    return SynthesisConfig(length_scale=LENGTH_SCALE)


class PiperSpeaker:
    """One piper model, loaded on first use (about 0.6 s), saying plain text as 48 kHz samples."""

    def __init__(self, voice: Voice, cache: SpeechCache):
        self.voice, self.cache = voice, cache
        self._piper = None
        self.synthesised_seconds = 0.0  # speech made here rather than found in the cache

    def say(self, text: str) -> np.ndarray:
        said = pronounce.spoken(text)
        key = hashlib.sha256("\n".join((self.voice.identity(), pronounce.VERSION, SYNTHESIS_VERSION, str(LENGTH_SCALE),
                                         said)).encode()).hexdigest()[:32]
        samples = self.cache.get(key)
        if samples is None:
            samples = self.synthesise(said)
            self.synthesised_seconds += len(samples) / audio.RATE
            self.cache.put(key, samples)
        return samples

    def synthesise(self, said: str) -> np.ndarray:
        if self._piper is None:
            self._piper, self._config = load_piper(self.voice.model), piper_config()
        chunks = [audio.trimmed(audio.resampled(chunk.audio_float_array, chunk.sample_rate))
                  for chunk in self._piper.synthesize(said, self._config)]
        chunks = [c for c in chunks if len(c)]
        if not chunks:
            return np.zeros(0, np.float32)
        gap = audio.silence(SENTENCE_GAP)
        return np.concatenate([part for chunk in chunks for part in (chunk, gap)][:-1])


class VoiceNarrator:
    """`scenes.kit.narration.Narrator` for a checked `--voice` (piper, or recordings with a fallback)."""

    def __init__(self, voice: Voice, cache_dir: Path):
        self.voice = voice
        cache = SpeechCache(cache_dir)
        piper = voice if voice.kind == "piper" else voice.fallback
        self.speaker = PiperSpeaker(piper, cache) if piper is not None else None

    def speak(self, scene: str, beat: str, text: str, marks: dict[str, int]) -> Speech:
        recording = self.voice.recording(scene, beat)
        if recording is not None:
            samples = audio.trimmed(audio.decode(recording))
            return dataclasses.replace(spread_by_characters(text, marks, len(samples) / audio.RATE), audio=samples)
        if self.speaker is None:
            raise FileNotFoundError(f"no recording for scene {scene}, beat {beat} and no voice to fall back on")
        return self.synthesised(text, marks)

    def synthesised(self, text: str, marks: dict[str, int]) -> Speech:
        """Pieces cut at sentence starts and marked words, said one after another."""
        starts, at = [], 0
        for sentence in sentences_of(text):
            at = text.index(sentence, at)
            starts.append(at)
            at += len(sentence)
        cuts = sorted({*starts, *marks.values(), len(text)} - {0})
        pieces, times, sentence_spans, anchors = [], {}, [], []
        clock, begin = 0.0, 0
        for cut in cuts:
            piece = text[begin:cut].strip()
            if begin in starts:
                if pieces:
                    pieces.append(audio.silence(SENTENCE_GAP))
                    clock += SENTENCE_GAP
                sentence_spans.append([clock, clock])
            elif pieces:
                pieces.append(audio.silence(PIECE_GAP))
                clock += PIECE_GAP
            times[begin] = clock
            samples = self.speaker.say(piece) if piece else np.zeros(0, np.float32)
            pieces.append(samples)
            lead = begin + len(text[begin:cut]) - len(text[begin:cut].lstrip())
            anchors += word_anchors(piece, lead, clock, len(samples) / audio.RATE)
            clock += len(samples) / audio.RATE
            if sentence_spans:
                sentence_spans[-1][1] = clock
            begin = cut
        samples = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
        sentences = tuple((s, start, end) for s, (start, end) in zip(sentences_of(text), sentence_spans))
        return Speech(len(samples) / audio.RATE, {name: times.get(i, 0.0) for name, i in marks.items()},
                      sentences, audio=samples, text=text, anchors=tuple(anchors))


def word_anchors(piece: str, first: int, start: float, seconds: float) -> list[tuple[int, float]]:
    """(character, second) at each word start of a piece said from `start` for `seconds`, and at its
    end: piper gives no word times for this voice, so a piece's time is shared by how long the words
    are when spoken ("0.5" is "zero point five"), a good guess within one short piece."""
    if not piece:
        return []
    whole = max(len(pronounce.spoken(piece)), 1)
    anchors, at, reached = [], 0, 0.0
    for word in piece.split():
        at = piece.index(word, at)
        reached = max(reached, min(len(pronounce.spoken(piece[:at])) / whole, 1.0))
        anchors.append((first + at, start + seconds * reached))
        at += len(word)
    return anchors + [(first + len(piece), start + seconds)]
