"""Several plays spread over one spoken stretch: a step per row, per neuron, per edge, as the voice describes them.

`play_along` (scenes/kit/pointing.py) stretches one play over one phrase. A loop of plays (a row of W
multiplied, then the next row; a delta sent back into one neuron, then the next) cannot be one
`Succession` when its steps are built one after another from what the last one left on screen, so
`play_steps` takes the steps as a list and plays them one by one, each with its share of the stretch
of speech from bookmark `start` to bookmark `until` (or, without `until`, the phrase at `start`; with
`until="end"`, the end of the beat's speech). Narrated, each step gets a share of the stretch in
proportion to its silent run time and starts at the start of its share, so the steps follow the words
in order; it plays for its silent run time times the stretch's factor, at least `least` and at most
`MOST_STRETCH` times it, and holds for the rest of its share. Silent, every step plays exactly as
written, so the silent render's timing never changes.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from scenes.kit.narration import phrase_end
from scenes.kit.pointing import MIN_SHARE

END = "end"  # `until=END`: the stretch lasts to the end of the beat's speech
MOST_STRETCH = 1.5  # a step plays at most this much slower than silent: slower, a moving number crawls and reads as
                    # a still picture; the rest of its share of the speech is a hold after it, before the next step

Step = tuple[Callable[[], Sequence[Any]], float]  # (makes the step's animations when it starts, its silent run time)


class PacingScene:
    """Mixin of a `LectureScene` (it uses `wait_until`, `play`, `speech`, `_marked`, `_beat_start`)."""

    def spoken_until(self, start: str, until: str | None) -> float:
        """The clip's second at which the stretch from bookmark `start` ends."""
        speech = self.speech
        if until == END:
            return self._beat_start + speech.duration
        if until is not None:
            return self._beat_start + speech.marks[until]
        return self._beat_start + speech.at(phrase_end(self._marked, start))

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
