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
else in the same play animates, with no updaters, all on one z-index, and (a fade-out) standing
on its own in the scene rather than inside another group.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from manim import FadeIn, FadeOut, Mobject
from manim.animation.animation import Animation

from lecture.layers import MIN_LAYER_MOBJECTS, LayerMobject, animated_ids, draw_layer


class RasterFade(Animation):
    def __init__(self, original: Mobject, fade_in: bool, shift: np.ndarray, run_time: float, rate_func: Any) -> None:
        self.original, self.fade_in, self.shift = original, fade_in, shift
        self.shift_px = (0.0, 0.0)
        self.layer_mobject = LayerMobject()
        self.layer_mobject.z_index = original.z_index
        super().__init__(self.layer_mobject, run_time=run_time, rate_func=rate_func,
                         introducer=fade_in, remover=not fade_in)

    def _setup_scene(self, scene: Any) -> None:
        if not scene.renderer.skip_animations:  # a skipped fade shows nothing: only its end matters
            camera = scene.renderer.camera
            self.layer_mobject.layer = draw_layer(camera, camera.get_mobjects_to_display([self.original]))
            self.shift_px = (self.shift[0] * camera.pixel_width / camera.frame_width,
                             -self.shift[1] * camera.pixel_height / camera.frame_height)
        if self.fade_in:
            scene.add(self.layer_mobject)  # where manim's FadeIn would have added the group
        else:
            scene.replace(self.original, self.layer_mobject)

    def begin(self) -> None:  # no starting copy: the layer is the start
        self.interpolate(0)

    def interpolate_mobject(self, alpha: float) -> None:
        alpha = self.rate_func(alpha)  # as manim's per-part interpolation applies it
        self.layer_mobject.opacity = alpha if self.fade_in else 1 - alpha
        away = alpha - 1 if self.fade_in else alpha  # in: from one shift back; out: one shift on
        self.layer_mobject.offset = (away * self.shift_px[0], away * self.shift_px[1])

    def finish(self) -> None:
        self.interpolate(1)

    def clean_up_from_scene(self, scene: Any) -> None:
        if self.fade_in:
            scene.replace(self.layer_mobject, self.original)
        else:
            scene.remove(self.layer_mobject)


def raster_fade(animation: Any, others: list[Any], scene: Any) -> RasterFade | None:
    """A `RasterFade` doing what `animation` would, or None if it does not qualify (module docstring)."""
    fade_in = type(animation) is FadeIn
    if not (fade_in or type(animation) is FadeOut):
        return None
    if animation.point_target or animation.scale_factor != 1 or animation.lag_ratio:
        return None
    mob = animation.mobject
    family = mob.get_family()
    drawn = [m for m in family if m.has_points()]
    if len(drawn) < MIN_LAYER_MOBJECTS or any(m.updaters for m in family) or len({m.z_index for m in family}) > 1:
        return None
    in_scene = scene.get_mobject_family_members()
    if (fade_in and mob in in_scene) or (not fade_in and mob not in scene.mobjects):
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
