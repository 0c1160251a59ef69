"""manim's Cairo renderer with the project's file writer, minus drawing frames that nobody sees.

A still (`lecture preview`, `-s`) skips every animation, but manim 0.21 still draws each skipped
play: the static background, then every step of the moving part, only to drop the frames. Here a
skipped play draws nothing; the last frame is drawn once, whole, when the scene has finished (a storyboard
also draws one at each beat's end, `picture`). And
a skipped fade or write still deep-copies its mobject (twice for a fade) to animate from: for a
still, those animations are replaced by what they leave behind (`EndState`).
Measured on `lecture preview gradient-field`: 5.0 s to build the scene before, about 3 s after.

Images (the heatmaps) are drawn by `LectureCamera`: manim maps every image through a perspective
transform and blends it over a whole frame-sized canvas, about 125 ms a frame at 1080p for the
heatmap, in every frame where it counts as moving (its fade-in, or anything animated below it).
An unrotated image only needs resizing, once while its pixels stay the same, and blending where
it lies.

manim internals relied on (manim 0.21.0; see docs/seam.md): CairoRenderer's undocumented hooks
`play`, `render`, `update_frame`, `save_static_frame_data`, `scene_finished` and its `static_image`;
Camera's `display_image_mobject`, `points_to_subpixel_coords`, `set_frame_to_background`, `reset`;
Animation's `_setup_scene` and `_on_finish`; Scene's `get_moving_and_static_mobjects` (skipped in a still).
"""
from __future__ import annotations

import os
from collections import OrderedDict
from typing import Any

import numpy as np
from PIL import Image
from manim import (AnimationGroup, Create, DrawBorderThenFill, FadeIn, FadeOut, GrowArrow, GrowFromCenter,
                   GrowFromPoint, LaggedStart, Mobject, Write, config)
from manim.animation.animation import Animation
from manim.camera.camera import Camera
from manim.mobject.types.image_mobject import AbstractImageMobject
from manim.renderer.cairo_renderer import CairoRenderer

from lecture.manim_compat import require_written_for

require_written_for()

from lecture.manim_compat.encoding import LectureFileWriter
from lecture.manim_compat.fades import raster_fade
from lecture.manim_compat.layers import LayerMobject, StaticLayers

WHOLE_FRAMES = "LECTURE_WHOLE_FRAMES"  # set to 1: draw every frame as manim does, without static layers


class LectureRenderer(CairoRenderer):
    def __init__(self) -> None:
        super().__init__(file_writer_class=LectureFileWriter, camera_class=LectureCamera)
        self._scene_finished = False
        self._layers: StaticLayers | None = None  # the current play's still parts above moving ones

    # manim undocumented: CairoRenderer.play(scene, *args, **kwargs) is what Scene.play calls, before
    # play()'s keyword arguments are set on the animations (Scene.compile_animations, inside it).
    def play(self, scene: Any, *args: Any, **kwargs: Any) -> None:
        if config.save_last_frame:  # a still: only where each animation ends matters
            args = tuple(end_state(a) or a if isinstance(a, Animation) else a for a in args)
            # manim undocumented: Scene.begin_animations splits the scene into moving and still mobjects for the
            # frames to come (a walk of every family, 0.7 s of mlp-backward's storyboard); a still draws none.
            scene.get_moving_and_static_mobjects = nothing_moves
        else:
            args = tuple(raster_fade(a, [o for o in args if o is not a], scene, kwargs) or a for a in args)
        try:
            super().play(scene, *args, **kwargs)
        finally:
            self._layers = None
            scene.__dict__.pop("get_moving_and_static_mobjects", None)

    # manim undocumented: Scene.play_internal calls render(scene, time, moving_mobjects) per frame.
    def render(self, scene: Any, time: float, moving_mobjects: Any = None) -> None:
        self.update_frame(scene, moving_mobjects)
        self.add_frame(self.camera.pixel_array)  # LectureFileWriter copies it into a buffer of its own

    # manim undocumented: update_frame(scene, mobjects, include_submobjects, ignore_skipping) draws
    # the camera's frame; manim calls it without `ignore_skipping` during skipped plays (and then
    # draws anyway, its default being True): here those calls draw nothing, an explicit True draws.
    def update_frame(self, scene: Any, mobjects: Any = None, include_submobjects: bool = True,
                     ignore_skipping: bool | None = None, **kwargs: Any) -> None:
        if self.skip_animations and not self._scene_finished and not ignore_skipping:
            return
        if self._layers is not None and mobjects is scene.moving_mobjects:
            if self.static_image is not None:  # as manim starts a frame (static_image: manim undocumented)
                self.camera.set_frame_to_background(self.static_image)
            else:
                self.camera.reset()
            if self._layers.draw(self.camera, mobjects):
                return
            self._layers = None  # the scene changed under the plan: draw this play as manim does
        super().update_frame(scene, mobjects, include_submobjects, ignore_skipping=True, **kwargs)

    # manim undocumented: called once per play, after the animations begin, with what stays still.
    def save_static_frame_data(self, scene: Any, static_mobjects: Any) -> Any:
        self._layers = None
        if self.skip_animations:
            self.static_image = None
            return None
        image = super().save_static_frame_data(scene, static_mobjects)
        if os.environ.get(WHOLE_FRAMES) != "1":
            self._layers = StaticLayers.plan(scene, self.camera, scene.animations)
        return image

    def picture(self, scene: Any) -> Image.Image:
        """The frame as it stands, drawn whole: in a still render (every play skipped), a storyboard's beat end."""
        self.update_frame(scene, ignore_skipping=True)
        return self.camera.get_image().copy()  # get_image shares the camera's pixels, which the next frame draws over

    # manim undocumented: Scene.render calls it once; a still's last frame is drawn in it.
    def scene_finished(self, scene: Any) -> None:
        self._scene_finished = True
        super().scene_finished(scene)


def nothing_moves(animations: Any) -> tuple[list, list]:
    """`Scene.get_moving_and_static_mobjects` for a still's plays: no frame is drawn from the split."""
    return [], []


class LectureCamera(Camera):
    """manim's camera; an image whose edges are parallel to the frame's is resized, not transformed."""

    RESIZED_KEPT = 8  # images whose last resize is kept (a fade's copies are other images)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._resized: OrderedDict[int, tuple[np.ndarray, tuple[int, int], int, Image.Image]] = OrderedDict()

    # manim undocumented: Camera draws each image through display_image_mobject.
    def display_image_mobject(self, image_mobject: AbstractImageMobject, pixel_array: np.ndarray) -> None:
        if isinstance(image_mobject, LayerMobject):
            if image_mobject.layer is not None:
                image_mobject.layer.paste(pixel_array, image_mobject.opacity, *image_mobject.offset)
            return None
        # manim undocumented: the camera's own mapping of the image's corners to pixels.
        ul, ur, dl, _ = self.points_to_subpixel_coords(image_mobject, image_mobject.points)
        if not (ul[1] == ur[1] and ul[0] == dl[0] and ur[0] > ul[0] and dl[1] > ul[1]):
            return super().display_image_mobject(image_mobject, pixel_array)  # rotated, skewed, flipped
        # The box manim's transform fills: corners truncated to whole pixels.
        x0, y0, x1, y1 = int(ul[0]), int(ul[1]), int(ur[0]), int(dl[1])
        if x1 <= x0 or y1 <= y0:
            return None
        image = self._resize(image_mobject, (x1 - x0, y1 - y0))
        height, width = pixel_array.shape[:2]
        cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
        if cx1 <= cx0 or cy1 <= cy0:
            return None
        if (cx0, cy0, cx1, cy1) != (x0, y0, x1, y1):
            image = image.crop((cx0 - x0, cy0 - y0, cx1 - x0, cy1 - y0))
        region = pixel_array[cy0:cy1, cx0:cx1]
        region[:] = np.asarray(Image.alpha_composite(Image.fromarray(region), image))
        return None

    def _resize(self, image_mobject: AbstractImageMobject, size: tuple[int, int]) -> Image.Image:
        pixels = image_mobject.get_pixel_array()
        resampling = image_mobject.resampling_algorithm
        kept = self._resized.get(id(image_mobject))
        if kept is not None and kept[1] == size and kept[2] == resampling and np.array_equal(kept[0], pixels):
            self._resized.move_to_end(id(image_mobject))
            return kept[3]
        image = Image.fromarray(pixels).resize(size, resampling)
        self._resized[id(image_mobject)] = (pixels.copy(), size, resampling, image)
        while len(self._resized) > self.RESIZED_KEPT:
            self._resized.popitem(last=False)
        return image


# Animations that end with their mobject exactly as it was given (exact types: Uncreate is a Create).
ENDS_SHOWN = (FadeIn, Create, Write, DrawBorderThenFill, GrowArrow, GrowFromCenter, GrowFromPoint)


class EndState(Animation):
    """Shows and hides mobjects as a skipped animation would have left them, in the same time."""

    def __init__(self, shown: list[Mobject], hidden: list[Mobject], run_time: float,
                 replaced: list[Animation] = ()) -> None:
        super().__init__(Mobject(), run_time=run_time, introducer=True)
        self.shown, self.hidden = shown, hidden
        self.replaced = list(replaced)  # the animations it stands for, whose `_on_finish` it runs

    # manim private: Scene.begin_animations calls `_setup_scene` on each animation before it begins.
    def _setup_scene(self, scene: Any) -> None:
        # As manim would: what a fade-out animates is first added to the scene if it is not there
        # itself (taking its parts out of where they were), then removed whole when it ends.
        for mobjects in (self.hidden, self.shown):
            present = scene.get_mobject_family_members()
            scene.add(*(m for m in mobjects if m not in present))

    def begin(self) -> None:
        pass

    def interpolate(self, alpha: float) -> None:
        pass

    def finish(self) -> None:
        pass

    def clean_up_from_scene(self, scene: Any) -> None:
        for animation in self.replaced:
            animation._on_finish(scene)  # manim private: what Animation.clean_up_from_scene calls first
        scene.remove(*self.hidden)


def end_state(animation: Animation) -> EndState | None:
    """An `EndState` for fades, writes and growths, alone or grouped; None for anything else."""
    if type(animation) in ENDS_SHOWN:
        return EndState([animation.mobject], [], animation.run_time, [animation])
    if type(animation) is FadeOut:  # it restores the mobject once removed, so removing is all it does
        return EndState([], [animation.mobject], animation.run_time, [animation])
    if type(animation) in (AnimationGroup, LaggedStart) and not animation.remover:
        parts = [end_state(a) for a in animation.animations]
        if all(parts):
            return EndState([m for p in parts for m in p.shown], [m for p in parts for m in p.hidden],
                            animation.run_time, [animation] + [a for p in parts for a in p.replaced])
    return None
