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

from manim import (Animation, DecimalNumber, Integer, MarkupText, MathTex, Mobject, RoundedRectangle,
                   SingleStringMathTex, Text, VGroup, Wait, config)

from scenes.kit.narration import Marked, Speech, phrase_end, split_marks

FADE_IN = 0.25  # seconds from the phrase's first word to full strength
LINGER = 0.35  # seconds at full strength after its last word
FADE_OUT = 0.45
MIN_SHARE = 0.5  # a paced motion lasts at least this share of its silent run time: never a jolt
RING_BUFF = 0.15  # units between the object and its ring: wider than the glow's inner half, so it never covers the object
RING_STROKES = ((3.5, 1.0), (9.0, 0.28), (16.0, 0.1))  # (width, opacity at full strength): a line and its glow
RING_REACH = max(width for width, _ in RING_STROKES) / 200  # units the glow reaches either side of the line (a
# stroke width is a hundredth of a unit): a letter that near the ring's box is crossed by it
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
TEXT_TYPES = (MathTex, SingleStringMathTex, Text, MarkupText, DecimalNumber, Integer)  # what a ring must not cross


def extent(mobject: Mobject) -> Bounds:
    (x0, y0, _), (x1, y1, _) = mobject.get_corner([-1, -1, 0]), mobject.get_corner([1, 1, 0])
    return x0, x1, y0, y1


def apart(a: Bounds, b: Bounds) -> bool:
    return a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2]


def ring_box(target: Bounds, bounds: Bounds | None, glyphs: list[Bounds]) -> Bounds:
    """The ring's box: the target's, RING_BUFF wider. Within `bounds` (the content area) it closes in on a
    target near the edge rather than cross into the margin or the title band (a side where the target itself
    lies outside is left alone); beside another text's glyph it stops halfway to it, so it never runs
    through a neighbour's letters (a loss label just above a rule, the next row's number)."""
    x0, x1, y0, y1 = target
    box = [x0 - RING_BUFF, x1 + RING_BUFF, y0 - RING_BUFF, y1 + RING_BUFF]
    if bounds is not None:
        left, right, bottom, top = bounds
        box = [max(box[0], left) if x0 >= left else box[0], min(box[1], right) if x1 <= right else box[1],
               max(box[2], bottom) if y0 >= bottom else box[2], min(box[3], top) if y1 <= top else box[3]]
    for g in glyphs:
        reach = (box[0] - RING_REACH, box[1] + RING_REACH, box[2] - RING_REACH, box[3] + RING_REACH)
        if apart(g, reach) or not apart(g, target):  # clear of the ring, or inside the target's own box
            continue
        if g[2] >= y1:  # above the target (level with it or beyond a corner)
            box[3] = min(box[3], (y1 + g[2]) / 2)
        elif g[3] <= y0:  # below
            box[2] = max(box[2], (y0 + g[3]) / 2)
        elif g[0] >= x1:  # to the right, level with it
            box[1] = min(box[1], (x1 + g[0]) / 2)
        else:  # to the left
            box[0] = max(box[0], (x0 + g[1]) / 2)
    return tuple(box)


def ring_boxes(target: Mobject, bounds: Bounds | None, glyphs: list[Bounds]) -> list[Bounds]:
    """One box around the target; around each of its parts instead when they lie apart with another text's
    letters between them (two results in two rows of a derivation: one ring would enclose the longer row's
    terms)."""
    whole = extent(target)
    parts = target.submobjects if type(target) is VGroup else []
    if len(parts) > 1 and any(not apart(g, whole) and all(apart(g, extent(p)) for p in parts) for g in glyphs):
        return [ring_box(extent(p), bounds, glyphs) for p in parts]
    return [ring_box(whole, bounds, glyphs)]


def ring(target: Mobject, color: str, bounds: Bounds | None = None, glyphs: list[Bounds] = ()) -> VGroup:
    """A rounded outline around the target's shape, a line and two fainter, wider strokes (light), kept
    clear of `glyphs` (other texts' letters, `ring_box`)."""
    rings = VGroup()
    for box in ring_boxes(target, bounds, list(glyphs)):
        width, height = box[1] - box[0], box[3] - box[2]
        corner = min(RING_BUFF, width / 2, height / 2)
        centre = [(box[0] + box[1]) / 2, (box[2] + box[3]) / 2, 0]
        rings.add(VGroup(*(RoundedRectangle(width=width, height=height, corner_radius=corner, color=color,
                                            stroke_width=w, stroke_opacity=opacity).move_to(centre)
                           for w, opacity in RING_STROKES)))
    return rings


def other_glyphs(mobjects: list[Mobject], target: Mobject) -> list[Bounds]:
    """Where the letters of the texts on screen are, but the target's own."""
    mine = set(target.get_family())
    texts = [m for top in mobjects for m in top.get_family() if isinstance(m, TEXT_TYPES)]
    glyphs = {id(g): g for t in texts for g in t.family_members_with_points() if g not in mine}
    return [extent(g) for g in glyphs.values()]


class Highlight(Animation):
    """The one pointing motion: the ring around `target` at the strength `window` gives each moment
    of a play starting at `start` (the clip's seconds). It follows the target if the target moves, and keeps
    clear of the other texts' letters (`glyphs`, where they were when the play began)."""

    def __init__(self, target: Mobject, window: Window, color: str, start: float, run_time: float,
                 bounds: Bounds | None = None, glyphs: list[Bounds] = ()) -> None:
        self.target, self.window, self.color, self.start, self.bounds = target, window, color, start, bounds
        self.glyphs = list(glyphs)
        self._box: tuple | None = None
        super().__init__(self.drawn(), run_time=run_time, introducer=True, remover=True)

    def drawn(self) -> VGroup:
        return ring(self.target, self.color, self.bounds, self.glyphs)

    def interpolate_mobject(self, alpha: float) -> None:  # alpha is the play's share of time, no rate function
        box = tuple(map(tuple, (self.target.get_corner([-1, 1, 0]), self.target.get_corner([1, -1, 0]))))
        if box != self._box:
            self.mobject.become(self.drawn())
            self._box = box
        level = self.window.level(self.start + alpha * self.run_time)
        for one in self.mobject:
            for stroke, (_, opacity) in zip(one, RING_STROKES):
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
        return [Highlight(self._pointed[w.name], w, self.theme.highlight, start, run_time, bounds,
                          other_glyphs(self.mobjects, self._pointed[w.name])) for w in windows]

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
