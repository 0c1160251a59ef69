"""Caption cues of a beat's speech, cut where a listener hears a break. No manim.

A cue is a clause (a comma, colon, semicolon, dash or sentence end closes it) in at most two lines of
at most 42 characters, timed by when its words are spoken (`Speech.at`). Clauses too long for two
lines are cut into even pieces; a cue of fewer than three words, or one the next would cover within a second,
is joined to a neighbour it fits with (the one in the same sentence first), or else the two are cut
again into even pieces (a break inside a clause rather than a flash of two words); two clauses of one
sentence that fit one line together are one cue. A cue stays up until the next one when the voice
pauses for less than `JOIN_GAP`, and at least `CAPTION_MIN_SECONDS` when the next one leaves room.
The .srt, the sidecar and the lecture's subtitle track all carry these cues.
"""
from __future__ import annotations

import math
from itertools import combinations

from scenes.kit.narration import Speech, clauses

CAPTION_CHARS = 42  # per line, two lines a cue (STYLE.md)
CAPTION_LINES = 2
CAPTION_MIN_SECONDS = 1.0
JOIN_GAP = 0.5  # seconds: a shorter pause keeps the cue on screen until the next one
MIN_WORDS = 3  # a cue of fewer words flashes by ("part one."): joined to a neighbour where it fits

Span = tuple[int, int]  # characters of the speech's text


def line_count(words: list[str], max_chars: float) -> int:
    """How many lines filling each up to `max_chars` takes (the fewest any breaking gives)."""
    count, filled = 1, 0  # lines and characters in the last one
    for word in words:
        if filled and filled + 1 + len(word) > max_chars:
            count, filled = count + 1, len(word)
        else:
            filled += bool(filled) + len(word)
    return count


def balanced_lines(words: list[str], max_chars: float) -> list[str]:
    """The words in as many lines as filling each up to `max_chars` takes, broken where the longest
    line is shortest (a word longer than `max_chars` still gets a line)."""
    def lines(cuts: tuple[int, ...]) -> list[str]:
        edges = (0, *cuts, len(words))
        return [" ".join(words[a:b]) for a, b in zip(edges, edges[1:])]
    best = min(combinations(range(1, len(words)), line_count(words, max_chars) - 1),
               key=lambda cuts: max(map(len, lines(cuts))))
    return lines(best)


def fits(text: str, chars: int = CAPTION_CHARS) -> bool:
    """Whether `text` fits one cue (counted greedily: trying every break of a long clause is slow)."""
    return line_count(text.split(), chars) <= CAPTION_LINES


def even_pieces(text: str, span: Span, chars: int) -> list[Span]:
    """`span` of `text` cut at spaces into the fewest pieces of about equal length that each fit a cue."""
    a, b = span
    words = [(a + i, a + i + len(w)) for i, w in _word_offsets(text[a:b])]
    for count in range(math.ceil((b - a) / (CAPTION_LINES * chars)), len(words) + 1):
        target = (b - a) / max(count, 1)
        cuts = [0] + [min(range(1, len(words)), key=lambda k: abs(words[k][0] - a - target * n)) for n in range(1, count)] + [len(words)]
        pieces = [(words[i][0], words[j - 1][1]) for i, j in zip(cuts, cuts[1:]) if j > i]
        if len(pieces) == count and all(fits(text[p:q], chars) for p, q in pieces):
            return pieces
    return [(s, e) for s, e in words]


def _word_offsets(text: str) -> list[tuple[int, str]]:
    offsets, at = [], 0
    for word in text.split():
        at = text.index(word, at)
        offsets.append((at, word))
        at += len(word)
    return offsets


def cue_spans(speech: Speech, chars: int = CAPTION_CHARS, min_seconds: float = CAPTION_MIN_SECONDS) -> list[Span]:
    """The character spans of the cues: clauses, long ones cut, weak ones joined to a neighbour."""
    text = speech.text
    spans = [piece for span in clauses(text) for piece in
             ([span] if fits(text[span[0]:span[1]], chars) else even_pieces(text, span, chars))]

    def weak(i: int) -> bool:
        start, end = spans[i]
        shown = speech.at(spans[i + 1][0]) - speech.at(start) if i + 1 < len(spans) else math.inf
        return len(text[start:end].split()) < MIN_WORDS or shown < min_seconds

    def join(i: int) -> bool:
        """Join spans i and i+1 when they fit one cue."""
        if 0 <= i < len(spans) - 1 and fits(text[spans[i][0]:spans[i + 1][1]], chars):
            spans[i:i + 2] = [(spans[i][0], spans[i + 1][1])]
            return True
        return False

    def partners(i: int) -> list[int]:
        """Where span i may be joined (j: spans j and j+1), the neighbour in its sentence first."""
        options = [j for j in (i - 1, i) if 0 <= j < len(spans) - 1]
        return sorted(options, key=lambda j: (ends_sentence(text, spans[j]), spans[j + 1][1] - spans[j][0]))

    def recut(j: int) -> bool:
        """Spans j and j+1 cut again into even pieces, when that leaves none of them weak."""
        before = spans[j:j + 2]
        pieces = even_pieces(text, (before[0][0], before[1][1]), chars)
        spans[j:j + 2] = pieces
        if pieces != before and not any(weak(k) for k in range(j, j + len(pieces))):
            return True
        spans[j:j + len(pieces)] = before
        return False

    # Each join leaves a span fewer, each recut a weak span fewer; stop when no weak span can be helped.
    while any(weak(i) and any(join(j) or recut(j) for j in partners(i)) for i in range(len(spans))):
        pass
    return one_line_joins(text, spans, chars)


def one_line_joins(text: str, spans: list[Span], chars: int) -> list[Span]:
    """Two clauses of a sentence that fit one line together are one cue."""
    i = 0
    while i < len(spans) - 1:
        start, end = spans[i][0], spans[i + 1][1]
        if not ends_sentence(text, spans[i]) and len(" ".join(text[start:end].split())) <= chars:
            spans[i:i + 2] = [(start, end)]
        else:
            i += 1
    return spans


def ends_sentence(text: str, span: Span) -> bool:
    return text[span[0]:span[1]].rstrip()[-1:] in ".!?"


def caption_cues(speech: Speech, offset: float, chars: int = CAPTION_CHARS,
                 min_seconds: float = CAPTION_MIN_SECONDS) -> list[tuple[float, float, str]]:
    """(start, end, text) of each cue, `offset` added: lines balanced, never overlapping."""
    spans = cue_spans(speech, chars, min_seconds)
    times = [(offset + speech.at(a), offset + speech.at(b)) for a, b in spans]
    cues = []
    for i, ((a, b), (start, end)) in enumerate(zip(spans, times)):
        following = times[i + 1][0] if i + 1 < len(times) else math.inf
        if following - end < JOIN_GAP:
            end = following
        end = min(max(end, start + min_seconds), following)
        cues.append((start, end, "\n".join(balanced_lines(speech.text[a:b].split(), chars))))
    return cues
