"""Pacing a motion over more than one phrase: from one bookmark to another, or to the end of the speech.

`scene.play_along(name, ...)` stretches a motion over the phrase at a bookmark (up to the next bookmark or
the clause's end). Some motions go with several clauses or sentences: a replay of twenty descent steps
while the narrator says what the runs do, a label per number as a list of numbers is read. `play_over`
plays them from a place in the speech until another is spoken; a place is a bookmark's name, a character
position of the narration (`position_of` finds words filled in from values, which cannot carry a
bookmark), or None (now, or the speech's end). Silent renders play them as written, at once, so their
timing stays the silent one.
"""
from __future__ import annotations

import re
from typing import Any

from scenes.kit.pointing import CAPTION_KEYS, MIN_SHARE

Place = str | int | None


def position_of(scene: Any, words: str, after: int = 0) -> int:
    """Where `words` (whole words) are first said at or after character `after` of this beat's narration."""
    match = re.compile(rf"(?<![\w.]){re.escape(words)}(?![\w]|\.\d)").search(scene.narration, after)
    if match is None:
        raise ValueError(f"beat {scene._beat_name} paces to {words!r}, which its narration does not say")
    return match.start()


def spoken_at(scene: Any, place: Place, *, end: bool = False) -> float | None:
    """When `place` is spoken, in the clip's seconds (None with `end`: the speech's end, else now); None when silent."""
    if scene.speech is None:
        return None
    if place is None:
        return scene._beat_start + scene.speech.duration if end else scene.now
    if isinstance(place, int):
        return scene._beat_start + scene.speech.at(place)
    if place not in scene.speech.marks:
        raise ValueError(f"beat {scene._beat_name} paces to ^{place}, but its narration marks "
                         f"{', '.join(scene.speech.marks) or 'no word'}")
    return scene._beat_start + scene.speech.marks[place]


def wait_for(scene: Any, place: Place) -> None:
    """Hold until `place` is spoken (at once when silent)."""
    at = spoken_at(scene, place)
    if at is not None and at - scene.now > 1e-3:
        scene.wait(at - scene.now)


def play_over(scene: Any, start: Place, end: Place, *animations: Any, **kwargs: Any) -> None:
    """Play `animations` from `start` until `end` is spoken, never shorter than `MIN_SHARE` of their own
    run time; silent: at once, as written."""
    wait_for(scene, start)
    until = spoken_at(scene, end, end=True)
    if until is None:
        return scene.play(*animations, **kwargs)
    compiled = scene.compile_animations(*animations, **{k: v for k, v in kwargs.items() if k not in CAPTION_KEYS})
    silent = scene.get_run_time(compiled)
    scene.play(*compiled, **{**kwargs, "run_time": max(until - scene.now, MIN_SHARE * silent)})
