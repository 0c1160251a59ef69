"""What a beat says, as text: bookmarks, the speech a narrator returns, and caption cues. No manim.

A narration text may mark a word with a caret, `^word`: the beat can wait for it
(`self.wait_until("word")`) so the animation the sentence describes starts as the word is spoken.
A caret never stands in speech or in `{values}` (a format spec such as `{x:^9}` is consumed by
`str.format` before marks are read), so the two cannot clash.

The scene only needs to know how long speech lasts and when its words fall; making the sound is the
narrator's business (`lecture.voice.narrator`), handed to the scene by the render process.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

MARK = re.compile(r"\^([A-Za-z_][\w']*)")
CAPTION_CHARS = 42  # per line, two lines a cue (STYLE.md)
CAPTION_MIN_SECONDS = 1.0


class NarrationError(ValueError):
    """A narration text that cannot be spoken as written (a duplicate bookmark, an unknown value)."""


@dataclass(frozen=True)
class Marked:
    """A narration text without its carets, and where each marked word starts in it (characters)."""
    text: str
    marks: dict[str, int]


def split_marks(text: str) -> Marked:
    marks: dict[str, int] = {}
    plain: list[str] = []
    position = 0
    for match in MARK.finditer(text):
        plain.append(text[position:match.start()])
        name = match.group(1)
        if name in marks:
            raise NarrationError(f"bookmark ^{name} is marked twice in one beat; mark each word once")
        marks[name] = sum(map(len, plain))
        plain.append(name)
        position = match.end()
    plain.append(text[position:])
    return Marked("".join(plain), marks)


def fill(template: str, values: dict[str, Any]) -> str:
    """The template with the scene's recorded values; a name the scene does not record is a NarrationError."""
    try:
        return template.format(**values)
    except KeyError as err:
        raise NarrationError(f"{{{err.args[0]}}} is not a value this scene records; "
                             f"known: {', '.join(sorted(values)) or 'none'}") from None
    except (ValueError, IndexError) as err:
        raise NarrationError(f"cannot fill in {template[:40]!r}...: {err}") from None


@dataclass(frozen=True)
class Speech:
    """Spoken narration of one beat: its length, when each bookmark's word starts, when each sentence
    is said (for captions), all in seconds from the start of the speech. `audio` is the narrator's."""
    duration: float
    marks: dict[str, float]
    sentences: tuple[tuple[str, float, float], ...]
    audio: Any = field(default=None, repr=False, compare=False)


class Narrator(Protocol):
    def speak(self, scene: str, beat: str, text: str, marks: dict[str, int]) -> Speech:
        """The speech of `text` (carets removed; `marks` index into it)."""


def sentences_of(text: str) -> list[str]:
    """Sentences as a listener hears them: split after . ! ? followed by a space (not inside '0.5')."""
    parts = re.split(r"(?<=[.!?])\s+(?=\S)", text.strip())
    return [p for p in parts if p]


def spread_by_characters(text: str, marks: dict[str, int], duration: float) -> Speech:
    """Speech timing guessed from the text alone (a recording, or no voice): time runs with the characters."""
    total = max(len(text), 1)
    sentences, at = [], 0
    for sentence in sentences_of(text):
        start = text.index(sentence, at)
        at = start + len(sentence)
        sentences.append((sentence, duration * start / total, duration * at / total))
    return Speech(duration, {name: duration * i / total for name, i in marks.items()}, tuple(sentences))


def caption_lines(text: str, chars: int = CAPTION_CHARS) -> list[str]:
    """Words filled greedily into lines of at most `chars` (a longer word gets a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def caption_cues(sentences: tuple[tuple[str, float, float], ...] | list, offset: float,
                 chars: int = CAPTION_CHARS, min_seconds: float = CAPTION_MIN_SECONDS) -> list[tuple[float, float, str]]:
    """(start, end, text) cues of at most two lines each, timed within each sentence by characters,
    and lasting at least `min_seconds` (a short cue borrows time from the next gap, never overlaps)."""
    cues: list[tuple[float, float, str]] = []
    for sentence, start, end in sentences:
        lines = caption_lines(sentence, chars)
        chunks = [lines[i:i + 2] for i in range(0, len(lines), 2)]
        total = sum(len(" ".join(c)) for c in chunks) or 1
        at = start
        for chunk in chunks:
            length = (end - start) * len(" ".join(chunk)) / total
            cues.append((offset + at, offset + at + length, "\n".join(chunk)))
            at += length
    for i, (start, end, text) in enumerate(cues):
        limit = cues[i + 1][0] if i + 1 < len(cues) else end + min_seconds
        cues[i] = (start, min(max(end, start + min_seconds), max(limit, end)), text)
    return cues
