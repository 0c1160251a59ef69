"""The project's camera draws what manim's camera draws, faster (lecture/renderer.py)."""
from __future__ import annotations

import numpy as np
import pytest
from manim import DEGREES, ImageMobject, tempconfig
from manim.camera.camera import Camera

from lecture.renderer import LectureCamera


def checkerboard_image() -> ImageMobject:
    """A 64x48 image with hard edges and a transparent corner: what resampling and blending must get right."""
    y, x = np.mgrid[0:48, 0:64]
    rgba = np.zeros((48, 64, 4), np.uint8)
    rgba[..., 0] = np.where((x // 8 + y // 8) % 2, 230, 20)
    rgba[..., 1] = x * 4
    rgba[..., 2] = y * 5
    rgba[..., 3] = np.where((x < 16) & (y < 12), 0, 255)
    return ImageMobject(rgba)


def drawn(camera_class: type[Camera], image: ImageMobject) -> np.ndarray:
    camera = camera_class()
    camera.capture_mobjects([image])
    return camera.pixel_array.astype(int)


@pytest.mark.parametrize("place", ["inside", "across the edge", "rotated", "faded"])
def test_image_drawn_as_manim_draws_it(place):
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        image = checkerboard_image().set_height(4)
        if place == "across the edge":
            image.move_to([6.5, 3, 0])
        elif place == "rotated":
            image.rotate(20 * DEGREES)
        elif place == "faded":
            image.set_opacity(0.4)
        ours, manims = drawn(LectureCamera, image), drawn(Camera, image)
    assert np.abs(manims).sum() > 0, "the image is in the frame"
    # Resampling differs only at the checker edges and along the border (by one pixel at most).
    differs = (np.abs(ours - manims).max(axis=2) > 48).mean()
    assert differs < 0.01, f"{differs:.2%} of the pixels differ"


def test_unchanged_image_is_resized_once():
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        camera, image = LectureCamera(), checkerboard_image().set_height(4)
        camera.capture_mobjects([image])
        first = camera._resized[id(image)][3]
        camera.reset()
        camera.capture_mobjects([image])
        assert camera._resized[id(image)][3] is first
        image.set_opacity(0.5)  # pixels changed in place: resized again
        camera.reset()
        camera.capture_mobjects([image])
        assert camera._resized[id(image)][3] is not first
