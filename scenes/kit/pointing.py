"""The picture moves with the voice: what a narration names lights up, a motion lasts as long as its phrase.

Pointing. A narration writes `[the loss node](loss)`; the beat binds `loss` to a mobject with
`self.point_at(loss=node)` before the phrase is spoken. In a narrated render the times of the
phrase's words are known when the beat starts (`Speech.at`), so every `play` (a `wait` is a play)
that overlaps the phrase's window gets a `Highlight` for the part of the window it covers: a soft
ring of the theme's highlight colour around the object that fades in with the first word and out
shortly after the last. It is time-driven, so a window that spans several plays continues smoothly,
and a wait that overlaps one becomes a wait, a play of the highlight and a wait. Silent renders
play exactly what the beat plays: the lecturer points in class.

Pacing. `self.play_along("name", *animations)` waits for the bookmark and, narrated, plays the
animations for as long as the phrase from the bookmark to the next bookmark or the end of its clause,
whichever is first (never shorter than `MIN_SHARE` of their own run time); silent, as written.
Only manim's public API (Animation, Wait, SurroundingRectangle, compile_animations, get_run_time).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from manim import Animation, Mobject, RoundedRectangle, VGroup, Wait, config

from scenes.kit.narration import Marked, Speech, phrase_end, split_marks

FADE_IN = 0.25  # seconds from the phrase's first word to full strength
LINGER = 0.35  # seconds at full strength after its last word
FADE_OUT = 0.45
MIN_SHARE = 0.5  # a paced motion lasts at least this share of its silent run time: never a jolt
RING_BUFF = 0.15  # units between the object and its ring: wider than the glow's inner half, so it never covers the object
RING_STROKES = ((3.5, 1.0), (9.0, 0.28), (16.0, 0.1))  # (width, opacity at full strength): a line and its glow
CAPTION_KEYS = ("subcaption", "subcaption_duration", "subcaption_offset")  # Scene.play's own keywords


@dataclass(frozen=True)
class Window:
    """When a pointed phrase is spoken, in the clip's seconds, and how strong its highlight is at `t`."""
    name: str
    start: float
    end: float

    @property
    def until(self) -> float:
        return max(self.end + LINGER, self.start + FADE_IN) + FADE_OUT

    def level(self, t: float) -> float:
        rise = (t - self.start) / FADE_IN
        fall = (self.until - t) / FADE_OUT
        x = min(rise, fall, 1.0)
        return 0.0 if x <= 0 else x * x * (3 - 2 * x)  # smoothstep: no sudden edge


Bounds = tuple[float, float, float, float]  # (left, right, bottom, top) of the area a ring stays inside


def ring(target: Mobject, color: str, bounds: Bounds | None = None) -> VGroup:
    """A rounded outline around the target's shape, a line and two fainter, wider strokes (light). Within
    `bounds` (the content area) the ring closes in on a target near its edge rather than cross into the
    margin or the title band; a side where the target itself lies outside them is left alone."""
    (x0, y0, _), (x1, y1, _) = target.get_corner([-1, -1, 0]), target.get_corner([1, 1, 0])
    box = [x0 - RING_BUFF, x1 + RING_BUFF, y0 - RING_BUFF, y1 + RING_BUFF]
    if bounds is not None:
        left, right, bottom, top = bounds
        box = [max(box[0], left) if x0 >= left else box[0], min(box[1], right) if x1 <= right else box[1],
               max(box[2], bottom) if y0 >= bottom else box[2], min(box[3], top) if y1 <= top else box[3]]
    width, height = box[1] - box[0], box[3] - box[2]
    corner = min(RING_BUFF, width / 2, height / 2)
    centre = [(box[0] + box[1]) / 2, (box[2] + box[3]) / 2, 0]
    return VGroup(*(RoundedRectangle(width=width, height=height, corner_radius=corner, color=color,
                                     stroke_width=w, stroke_opacity=opacity).move_to(centre)
                    for w, opacity in RING_STROKES))


class Highlight(Animation):
    """The one pointing motion: the ring around `target` at the strength `window` gives each moment
    of a play starting at `start` (the clip's seconds). It follows the target if the target moves."""

    def __init__(self, target: Mobject, window: Window, color: str, start: float, run_time: float,
                 bounds: Bounds | None = None) -> None:
        self.target, self.window, self.color, self.start, self.bounds = target, window, color, start, bounds
        self._box: tuple | None = None
        super().__init__(ring(target, color, bounds), run_time=run_time, introducer=True, remover=True)

    def interpolate_mobject(self, alpha: float) -> None:  # alpha is the play's share of time, no rate function
        box = tuple(map(tuple, (self.target.get_corner([-1, 1, 0]), self.target.get_corner([1, -1, 0]))))
        if box != self._box:
            self.mobject.become(ring(self.target, self.color, self.bounds))
            self._box = box
        level = self.window.level(self.start + alpha * self.run_time)
        for stroke, (_, opacity) in zip(self.mobject, RING_STROKES):
            stroke.set_stroke(opacity=opacity * level)


class PointingScene:
    """Mixin of `LectureScene` (before manim's Scene in its bases): pointing and pacing for a beat."""

    def begin_pointing(self, template: str, marked: Marked, speech: Speech | None) -> None:
        """At a beat's start: what its default narration may point at, and when this speech points."""
        self._marked, self._pointed = marked, {}
        self._can_point = set(split_marks(template).points)
        self._windows = [] if speech is None else [
            Window(name, self.now + speech.at(a), self.now + speech.at(b)) for name, (a, b) in marked.points.items()]

    def end_pointing(self) -> None:
        """At a beat's end: every phrase it spoke pointed at something."""
        unbound = [name for name in self._marked.points if name not in self._pointed]
        if unbound:
            raise ValueError(f"beat {self._beat_name} points at [...]({unbound[0]}) but binds nothing to it: "
                             f"call self.point_at({unbound[0]}=...) before the phrase")
        self._windows = []

    def point_at(self, **targets: Mobject) -> None:
        """Bind pointing names of this beat's narration to what they mark: `self.point_at(loss=node)`."""
        unknown = sorted(set(targets) - self._can_point)
        if unknown:
            raise ValueError(f"beat {self._beat_name} binds {unknown[0]}, but its narration points at "
                             f"{', '.join(sorted(self._can_point)) or 'nothing'}; write [words]({unknown[0]}) in it")
        self._pointed.update(targets)

    def play(self, *args: Any, **kwargs: Any) -> None:
        """manim's play; narrated, with a highlight for every pointed phrase spoken during it."""
        if not getattr(self, "_windows", None):
            return super().play(*args, **kwargs)
        animations = self.compile_animations(*args, **{k: v for k, v in kwargs.items() if k not in CAPTION_KEYS})
        start = self.now
        end = start + self.get_run_time(animations)
        live = [w for w in self._windows if w.start < end and w.until > start and w.name in self._pointed]
        if not live:
            return super().play(*animations, **kwargs)
        if not (len(animations) == 1 and isinstance(animations[0], Wait) and animations[0].stop_condition is None):
            return super().play(*animations, *self.highlights(live, start, end - start), **kwargs)
        # A wait: still frames (drawn once) before and after the highlight, the highlight played between.
        frame = 1 / config.frame_rate
        lit_from, lit_until = max(start, min(w.start for w in live)), min(end, max(w.until for w in live))
        if lit_from - start >= frame:
            super().play(Wait(run_time=lit_from - start))
        super().play(*self.highlights(live, self.now, max(lit_until - self.now, frame)), **kwargs)
        if end - self.now >= frame:
            super().play(Wait(run_time=end - self.now))

    def highlights(self, windows: list[Window], start: float, run_time: float) -> list[Highlight]:
        top, bottom = self.content_area()
        side = config.frame_width / 2 - self.theme.margin
        bounds = (-side, side, bottom, top)
        return [Highlight(self._pointed[w.name], w, self.theme.highlight, start, run_time, bounds) for w in windows]

    def play_along(self, name: str, *animations: Any, **kwargs: Any) -> None:
        """Play the animations as the phrase at bookmark `name` is spoken, for as long as it lasts (from
        the bookmark to the next one or its clause's end; at least `MIN_SHARE` of their own run time).
        Silent: at once, with their own run time. Several steps over one phrase: pass one
        `Succession(...)` (or `LaggedStart`), which manim stretches as a whole."""
        self.wait_until(name)
        if self.speech is None:
            return self.play(*animations, **kwargs)
        compiled = self.compile_animations(*animations, **{k: v for k, v in kwargs.items() if k not in CAPTION_KEYS})
        silent = self.get_run_time(compiled)
        spoken_until = self._beat_start + self.speech.at(phrase_end(self._marked, name))
        self.play(*compiled, **{**kwargs, "run_time": max(spoken_until - self.now, MIN_SHARE * silent)})
