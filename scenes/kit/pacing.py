"""Pacing motion over spoken stretches longer than one phrase.

`scene.play_along(name, ...)` (scenes/kit/pointing.py) stretches a motion over the phrase at a bookmark.
Two more shapes are here, both leaving silent renders exactly as written:

- `play_over(scene, start, end, *animations)`: one motion from a place in the speech until another is
  spoken (a replay of twenty descent steps while the narrator says what the runs do). A place is a
  bookmark's name, a character position of the narration (`position_of` finds words filled in from
  values, which cannot carry a bookmark), or None (now, or the speech's end).
- `PacingScene.play_steps(start, steps, until)`: a loop of plays built one after another from what the
  last one left on screen (a row of W multiplied, then the next row), each step with its share of the
  stretch in proportion to its silent run time, played at most `MOST_STRETCH` times slower than silent
  and holding for the rest of its share.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Sequence

from scenes.kit.narration import phrase_end
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


END = "end"  # `until=END`: the stretch lasts to the end of the beat's speech
MOST_STRETCH = 1.5  # a step plays at most this much slower than silent: slower, a moving number crawls and reads as
                    # a still picture; the rest of its share of the speech is a hold after it, before the next step

Step = tuple[Callable[[], Sequence[Any]], float]  # (makes the step's animations when it starts, its silent run time)


class PacingScene:
    """Mixin of a `LectureScene` (it uses `wait_until`, `play`, `speech`, `_marked`, `_beat_start`)."""

    def spoken_until(self, start: str, until: str | None) -> float:
        """The clip's second at which the stretch from bookmark `start` ends."""
        if until is None:
            return self._beat_start + self.speech.at(phrase_end(self._marked, start))
        return spoken_at(self, None if until == END else until, end=True)

    def play_steps(self, start: str, steps: Sequence[Step], until: str | None = None, least: float = MIN_SHARE,
                   most: float = MOST_STRETCH) -> None:
        """Wait for bookmark `start`, then play each step (a function returning its animations, called when the
        step starts, and its silent run time), all of them together lasting the stretch up to `until`
        (never shorter than `least` times their silent run time; each step played at most `most` times
        slower: pass a large `most` for a motion that reads at any pace, such as writing a formula)."""
        self.wait_until(start)
        if self.speech is None:
            for make, run_time in steps:
                self.play(*make(), run_time=run_time)
            return
        silent = sum(run_time for _, run_time in steps) or 1.0
        factor = max((self.spoken_until(start, until) - self.now) / silent, least)
        played = max(min(factor, most), least)
        for make, run_time in steps:
            share_ends = self.now + run_time * factor
            self.play(*make(), run_time=run_time * played)
            if share_ends - self.now > 1e-3:
                self.wait(share_ends - self.now)

    def paced(self, start: str, *animations: Any, run_time: float | None = None, most: float = MOST_STRETCH) -> None:
        """`play_along` with this module's limit: the animations start at bookmark `start` and take their share
        of the phrase, at most MOST_STRETCH times their silent run time, then the picture holds to its end."""
        compiled = self.compile_animations(*animations, **({} if run_time is None else {"run_time": run_time}))
        self.play_steps(start, [(lambda: compiled, self.get_run_time(compiled))], most=most)
