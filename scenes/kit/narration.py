"""What a beat says, as text: bookmarks, pointing, clauses and the speech a narrator returns. No manim.

A narration text may mark a word with a caret, `^word`: the beat can wait for it
(`self.wait_until("word")`) so the animation the sentence describes starts as the word is spoken.
It may also point: `[the loss node](loss)` is said and captioned as "the loss node", and the object
the beat binds to `loss` (`self.point_at(loss=...)`) is highlighted while those words are spoken;
the pointing name is a bookmark too. A caret never stands in speech or in `{values}` (a format spec
such as `{x:^9}` is consumed by `str.format` before marks are read), so the two cannot clash.

The scene only needs to know how long speech lasts and when its words fall; making the sound is the
narrator's business (`lecture.voice.narrator`), handed to the scene by the render process.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

MARK = re.compile(r"\^([A-Za-z_][\w']*)")
POINT = re.compile(r"\[([^\[\]\n]+)\]\(([A-Za-z_]\w*)\)")  # [spoken words](name)
MARKUP = re.compile(f"{POINT.pattern}|{MARK.pattern}")


class NarrationError(ValueError):
    """A narration text that cannot be spoken as written (a duplicate bookmark, an unknown value)."""


@dataclass(frozen=True)
class Marked:
    """A narration text without its markup, where each bookmark starts in it (characters; a pointing
    name is a bookmark at its first word), and the (start, end) of each pointed phrase."""
    text: str
    marks: dict[str, int]
    points: dict[str, tuple[int, int]] = field(default_factory=dict)


def split_marks(text: str) -> Marked:
    """`^word` and `[words](name)` read out of `text`; a name used twice is a NarrationError."""
    marks: dict[str, int] = {}
    points: dict[str, tuple[int, int]] = {}
    plain: list[str] = []
    position = 0
    for match in MARKUP.finditer(text):
        plain.append(text[position:match.start()])
        words, pointed, name = match.group(1), match.group(2), match.group(3)
        key = pointed or name
        if key in marks:
            label = f"[{words}]({pointed})" if pointed else f"^{name}"
            raise NarrationError(f"bookmark {label} is marked twice in one beat; mark each word once")
        if words is not None and MARK.search(words):
            raise NarrationError(f"[{words}]({pointed}) holds a ^mark; the pointing name is already a bookmark")
        marks[key] = sum(map(len, plain))
        plain.append(words if pointed else name)
        if pointed:
            points[pointed] = (marks[key], marks[key] + len(words))
        position = match.end()
    plain.append(text[position:])
    return Marked("".join(plain), marks, points)


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
    is said (for captions), all in seconds from the start of the speech. `anchors` are (character of
    `text`, second) pairs, increasing, that place any point of the text in time (`at`): the narrator
    knows them at every piece it synthesised and spreads the words of a piece between them. `audio`
    is the narrator's."""
    duration: float
    marks: dict[str, float]
    sentences: tuple[tuple[str, float, float], ...]
    audio: Any = field(default=None, repr=False, compare=False)
    text: str = ""
    anchors: tuple[tuple[int, float], ...] = ()

    def at(self, position: int) -> float:
        """When the character at `position` of the text is spoken (linear between anchors; where two
        anchors share a character, a piece starting there, the later one)."""
        anchors = self.anchors or ((0, 0.0), (max(len(self.text), 1), self.duration))
        i = bisect.bisect_right([c for c, _ in anchors], position)
        if i == 0:
            return anchors[0][1]
        if i == len(anchors):
            return anchors[-1][1]
        (c0, t0), (c1, t1) = anchors[i - 1], anchors[i]
        return t0 + (t1 - t0) * (position - c0) / (c1 - c0)


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
    return Speech(duration, {name: duration * i / total for name, i in marks.items()}, tuple(sentences),
                  text=text, anchors=((0, 0.0), (total, duration)))


CLAUSE_END = re.compile(r"[,;:](?=\s)|[.!?](?=\s|$)|\s[-–—]\s|—")


def clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) characters of each clause, ended by (and holding) a comma, colon, semicolon, dash or
    sentence end (not the comma of 1,000 nor the point of 0.5), without the spaces around it. Together
    they hold every word of the text."""
    spans, start = [], 0
    for match in CLAUSE_END.finditer(text):
        spans.append((start, match.end()))  # the mark stays with its clause (a caption ends with it)
        start = match.end()
    spans.append((start, len(text)))
    stripped = []
    for a, b in spans:
        piece = text[a:b]
        a, b = a + len(piece) - len(piece.lstrip()), b - len(piece) + len(piece.rstrip())
        if b > a:
            stripped.append((a, b))
    return stripped


def phrase_end(marked: Marked, name: str) -> int:
    """Where the phrase at bookmark `name` ends (a character of `marked.text`): at the next bookmark or
    the end of its clause, whichever comes first."""
    start = marked.marks[name]
    clause_end = next((end for _, end in clauses(marked.text) if end > start), len(marked.text))
    return min([clause_end, *(at for at in marked.marks.values() if at > start)])
