"""The project's renderer draws what manim draws, faster (lecture/renderer.py, lecture/layers.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from manim import DEGREES, ImageMobject, tempconfig
from manim.camera.camera import Camera
from PIL import Image

from lecture.options import QUALITIES
from lecture.render import Job
from lecture.renderer import WHOLE_FRAMES, LectureCamera
from scenes.params import LectureParams

ROOT = Path(__file__).resolve().parents[1]


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


def test_static_layers_draw_the_same_frames(tmp_path):
    """grad-fn pastes still code and graph parts as layers in most of its plays (lecture/layers.py):
    every frame must equal the frame drawn whole, as manim draws it (LECTURE_WHOLE_FRAMES=1)."""
    runs = {}
    for whole in ("0", "1"):
        job = Job("grad-fn", QUALITIES["t"], "png", False, LectureParams(), tmp_path / f"out{whole}")
        runs[whole] = subprocess.Popen([sys.executable, "-m", "lecture.worker", json.dumps(job.payload(tmp_path / f"cache{whole}"))],
                                       cwd=ROOT, env=os.environ | {WHOLE_FRAMES: whole},
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for proc in runs.values():
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-2000:]
    layered = sorted((tmp_path / "out0" / "grad-fn_frames").glob("*.png"))
    whole = sorted((tmp_path / "out1" / "grad-fn_frames").glob("*.png"))
    assert len(layered) == len(whole) > 50
    for a, b in zip(layered, whole):
        diff = np.abs(np.asarray(Image.open(a), dtype=int) - np.asarray(Image.open(b), dtype=int)).max(axis=2)
        # Rounding of premultiplied alpha at anti-aliased edges: a level or two.
        assert diff.max() <= 8, f"{a.name}: {(diff > 8).sum()} pixels differ by up to {diff.max()}"
