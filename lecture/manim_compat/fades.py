"""A fade of a large still group is one drawn layer whose opacity changes, not hundreds of mobjects
whose colours are interpolated and redrawn every frame.

manim fades each part of a group separately: every frame it interpolates every part's colours (a
copy made at the start) and draws every part. Fading in a code panel of 230 glyphs took 5.7 s for
one second of 1080p60 video. `RasterFade` draws the group once, the way the frame would show it,
and pastes that at the fade's opacity; at the end the group itself stands where its layer stood.
The start and end frames are the same as manim's; in between, where parts overlap (text on a
panel), the group fades as one picture instead of each part showing through the others.

A fade with a shift moves the layer (cairo filters the fractional pixels). Only fades without a
scale, a target point or a lag qualify, of a group with enough parts that nothing
else in the same play animates, and with no updaters. A group whose parts have several z-indices
is a layer per z-index. A fade-out's group stands on
its own in the scene, or is a group the scene does not hold (a stage gathered from parts added one
by one): manim adds such a group on top of everything for the fade, and so does its layer. A group
inside another one fades where its parent is, which a layer cannot do.

manim internals relied on (0.21.0): Animation's `_setup_scene`; Fade's `point_target`, `scale_factor`,
`shift_vector`; Scene's `replace` and `restructure_mobjects`; Camera's `get_mobjects_to_display`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from manim import FadeIn, FadeOut, Group, Mobject
from manim.animation.animation import Animation

from lecture.manim_compat import require_written_for

require_written_for()

from lecture.manim_compat.layers import MIN_LAYER_MOBJECTS, LayerMobject, animated_ids, draw_layer


class RasterFade(Animation):
    def __init__(self, original: Mobject, fade_in: bool, shift: np.ndarray, run_time: float, rate_func: Any) -> None:
        self.original, self.fade_in, self.shift = original, fade_in, shift
        self.shift_px = (0.0, 0.0)
        # One layer per z-index in the group: manim sorts every drawn part by its z-index, so each
        # layer stands where its parts would (an arrow above the nodes stays above a neighbour's text).
        self.z_levels = sorted({m.z_index for m in original.get_family()})
        self.layers = [LayerMobject() for _ in self.z_levels]
        for layer, z in zip(self.layers, self.z_levels):
            layer.z_index = z
        super().__init__(Group(*self.layers), run_time=run_time, rate_func=rate_func,
                         introducer=fade_in, remover=not fade_in)

    # manim private: Scene.begin_animations calls `_setup_scene` before `begin` (where FadeIn adds its group).
    def _setup_scene(self, scene: Any) -> None:
        if not scene.renderer.skip_animations:  # a skipped fade shows nothing: only its end matters
            camera = scene.renderer.camera
            drawn = camera.get_mobjects_to_display([self.original])  # manim undocumented: drawn order, z-sorted
            for layer, z in zip(self.layers, self.z_levels):
                layer.layer = draw_layer(camera, [m for m in drawn if m.z_index == z])
            self.shift_px = (self.shift[0] * camera.pixel_width / camera.frame_width,
                             -self.shift[1] * camera.pixel_height / camera.frame_height)
        if self.fade_in:
            scene.add(self.mobject)  # where manim's FadeIn would have added the group
        elif self.original in scene.mobjects:
            scene.replace(self.original, self.mobject)
        else:  # the scene added the layers on top, as it adds the group itself: its parts come out
            scene.restructure_mobjects([self.original])  # manim undocumented: what Scene.remove does to parts

    def begin(self) -> None:  # no starting copy: the layer is the start
        self.interpolate(0)

    def interpolate_mobject(self, alpha: float) -> None:
        alpha = self.rate_func(alpha)  # as manim's per-part interpolation applies it
        away = alpha - 1 if self.fade_in else alpha  # in: from one shift back; out: one shift on
        for layer in self.layers:
            layer.opacity = alpha if self.fade_in else 1 - alpha
            layer.offset = (away * self.shift_px[0], away * self.shift_px[1])

    def finish(self) -> None:
        self.interpolate(1)

    def clean_up_from_scene(self, scene: Any) -> None:
        if self.fade_in:
            scene.replace(self.mobject, self.original)
        else:
            scene.remove(self.mobject)


def raster_fade(animation: Any, others: list[Any], scene: Any, play_kwargs: dict | None = None) -> RasterFade | None:
    """A `RasterFade` doing what `animation` would, or None if it does not qualify (module docstring).
    `play_kwargs`: play()'s keyword arguments, which manim sets on every animation after this is asked
    (`self.play(FadeIn(group), lag_ratio=0.5)` is a lagged fade)."""
    fade_in = type(animation) is FadeIn
    if not (fade_in or type(animation) is FadeOut):
        return None
    given = play_kwargs or {}  # run_time and rate_func given to play() are set on the RasterFade as well
    if animation.point_target or animation.scale_factor != 1 or given.get("lag_ratio", animation.lag_ratio):
        return None
    mob = animation.mobject
    family = mob.get_family()
    drawn = [m for m in family if m.has_points()]
    if len(drawn) < MIN_LAYER_MOBJECTS or any(m.updaters for m in family):
        return None
    inside_another = mob in scene.get_mobject_family_members() and mob not in scene.mobjects
    if (fade_in and mob in scene.get_mobject_family_members()) or (not fade_in and inside_another):
        return None
    touched = set()
    for other in others:
        if isinstance(other, Animation):
            touched |= animated_ids([other])
        elif hasattr(other, "mobject"):  # an .animate builder
            touched.update(id(m) for m in other.mobject.get_family())
    if touched & {id(m) for m in family}:
        return None
    return RasterFade(mob, fade_in, np.asarray(animation.shift_vector, dtype=float), animation.run_time,
                      animation.rate_func)
