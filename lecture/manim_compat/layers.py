"""Still parts drawn above moving ones are drawn once per animation, not once per frame.

manim 0.21 draws everything below the first moving mobject once per play (its static image), and
everything from there on again in every frame, whether it moves or not. In the code and graph
scenes a highlight or a growing arrow low in the drawing order (or in z-index) made 200-400 still
glyphs and shapes "moving": about 100 ms a 1080p frame. Here each run of still mobjects between
animated ones is drawn once into a transparent layer; a frame draws the animated mobjects and
pastes the layers between them, in the same order, so the picture is the same.

Still means what manim assumes of what it puts in its static image: no animation is given it,
and no updater sits anywhere in the group it was added to the scene with (an updater may change
its neighbours: a caption re-centred on its live number). A frame whose mobjects no longer match
the plan (one was removed, or put between a layer's parts) is drawn the way manim draws it.

manim internals relied on (0.21.0): Camera's `get_mobjects_to_display`, `capture_mobjects(...,
include_submobjects=False)` and its `pixel_array` (premultiplied BGRA as cairo draws); Scene's
`moving_mobjects` and `foreground_mobjects`; what `Scene.get_moving_mobjects` counts as moving (copied
in `animated_ids`); an `AbstractImageMobject` subclass the project's camera draws itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import cairo
import numpy as np
from manim import AnimationGroup, Mobject, config
from manim.camera.camera import Camera
from manim.mobject.types.image_mobject import AbstractImageMobject

from lecture.manim_compat import require_written_for

require_written_for()

MIN_LAYER_MOBJECTS = 8  # a shorter still run costs less to draw than to paste


@dataclass
class Layer:
    """Still mobjects drawn once: the pixels inside their bounding box, premultiplied ARGB as cairo draws."""

    members: frozenset[int]  # ids of the mobjects drawn into it
    x: int
    y: int
    pixels: np.ndarray | None  # None: nothing visible (all off-frame or transparent)

    def paste(self, pixel_array: np.ndarray, opacity: float = 1.0, dx: float = 0.0, dy: float = 0.0) -> None:
        """Over the frame, at an opacity and moved by (dx, dy) pixels (cairo filters fractional moves)."""
        if self.pixels is None or opacity <= 0:
            return
        height, width = self.pixels.shape[:2]
        target = cairo.ImageSurface.create_for_data(pixel_array.data, cairo.FORMAT_ARGB32,
                                                    pixel_array.shape[1], pixel_array.shape[0])
        source = cairo.ImageSurface.create_for_data(self.pixels.data, cairo.FORMAT_ARGB32, width, height)
        ctx = cairo.Context(target)
        ctx.set_source_surface(source, self.x + dx, self.y + dy)
        ctx.rectangle(self.x + dx, self.y + dy, width, height)
        if opacity >= 1:
            ctx.fill()
        else:
            ctx.clip()
            ctx.paint_with_alpha(opacity)
        target.flush()


class LayerMobject(AbstractImageMobject):
    """A drawn layer shown as one mobject, at an opacity and moved by `offset` pixels
    (`lecture.manim_compat.fades.RasterFade`); the project's camera pastes it (`LectureCamera`)."""

    def __init__(self) -> None:
        super().__init__(scale_to_resolution=1)
        self.layer: Layer | None = None
        self.opacity = 1.0
        self.offset = (0.0, 0.0)

    def reset_points(self) -> LayerMobject:
        """The frame's corners: a layer is as large as the frame it was drawn in."""
        w, h = config.frame_width / 2, config.frame_height / 2
        self.points = np.array([[-w, h, 0], [w, h, 0], [-w, -h, 0], [w, -h, 0]], dtype=float)
        return self

    def get_pixel_array(self) -> np.ndarray:
        raise TypeError("a LayerMobject is drawn by lecture.manim_compat.renderer.LectureCamera only")


def animated_ids(animations: Iterable[Any]) -> set[int]:
    """What the animations change: each one's mobject and its family, inside groups too (as manim)."""
    # A copy of manim's `_collect_animation_mobjects`, nested inside Scene.get_moving_mobjects (private).
    ids: set[int] = set()
    for animation in animations:
        ids.update(id(m) for m in animation.mobject.get_family())
        if isinstance(animation, AnimationGroup):
            ids |= animated_ids(animation.animations)
    return ids


class StaticLayers:
    """The plan of one play: which runs of the moving part are still, each drawn once into a layer."""

    def __init__(self, layers: list[Layer]) -> None:
        self.layers = layers
        self.layer_of = {m: k for k, layer in enumerate(layers) for m in layer.members}

    @classmethod
    def plan(cls, scene: Any, camera: Camera, animations: Iterable[Any]) -> StaticLayers | None:
        """Layers for the mobjects manim would draw every frame of this play, or None if none is worth it.
        Leaves the camera's pixel array scribbled on: the next frame starts from the background."""
        drawn = camera.get_mobjects_to_display(scene.moving_mobjects)  # manim undocumented: as a frame draws them
        moving = animated_ids(animations)
        moving.update(id(m) for f in scene.foreground_mobjects for m in f.get_family())
        for root in scene.mobjects:  # an updater may change its whole group (foreground ones all move)
            family = root.get_family()
            if any(m.updaters for m in family):
                moving.update(id(m) for m in family)
        runs: list[list[Mobject]] = [[]]
        for mob in drawn:
            if id(mob) in moving:
                if runs[-1]:
                    runs.append([])
            else:
                runs[-1].append(mob)
        runs = [run for run in runs if len(run) >= MIN_LAYER_MOBJECTS]
        if not runs:
            return None
        return cls([draw_layer(camera, run) for run in runs])

    def draw(self, camera: Camera, moving_mobjects: list[Mobject]) -> bool:
        """Draw a frame's moving part onto the camera's pixel array; False (nothing drawn) if the
        scene's mobjects no longer fit the plan."""
        drawn = camera.get_mobjects_to_display(moving_mobjects)
        seen = [0] * len(self.layers)
        first = [-1] * len(self.layers)
        for index, mob in enumerate(drawn):
            k = self.layer_of.get(id(mob))
            if k is not None:
                if first[k] < 0:
                    first[k] = index
                seen[k] += 1
        for k, layer in enumerate(self.layers):
            # Every part still there, and nothing new drawn between them.
            if seen[k] != len(layer.members) or any(self.layer_of.get(id(m)) != k
                                                    for m in drawn[first[k]:first[k] + seen[k]]):
                return False
        batch: list[Mobject] = []
        for mob in drawn:
            k = self.layer_of.get(id(mob))
            if k is None:
                batch.append(mob)
            elif mob is drawn[first[k]]:
                camera.capture_mobjects(batch, include_submobjects=False)
                batch = []
                self.layers[k].paste(camera.pixel_array)
        camera.capture_mobjects(batch, include_submobjects=False)
        return True


def draw_layer(camera: Camera, run: list[Mobject]) -> Layer:
    """Draw `run` alone on a transparent frame, keep the part with something in it."""
    pixels = camera.pixel_array
    pixels[:] = 0
    camera.capture_mobjects(run, include_submobjects=False)
    alpha = pixels[..., 3]
    rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
    members = frozenset(id(m) for m in run)
    if not rows.size:
        return Layer(members, 0, 0, None)
    y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    return Layer(members, int(x0), int(y0), np.ascontiguousarray(pixels[y0:y1, x0:x1]))
