"""The project's renderer draws what manim draws, faster (lecture/manim_compat/renderer.py, layers.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest
from manim import (DEGREES, DOWN, AnimationGroup, Create, FadeIn, FadeOut, Write, ImageMobject, ManimColor, Scene, Square, UP, ValueTracker, VGroup,
                   linear, tempconfig)
from manim.camera.camera import Camera
from manim.renderer.cairo_renderer import CairoRenderer
from PIL import Image, ImageFilter

from lecture.options.table import QUALITIES
from lecture.render.jobs import Job
from lecture.manim_compat.encoding import X264_OPTIONS, HeldFrameJob, LectureFileWriter
from lecture.manim_compat.fades import RasterFade, raster_fade
from lecture.manim_compat.renderer import WHOLE_FRAMES, LectureCamera, LectureRenderer
from scenes.kit.params import LectureParams
from tests.conftest import warm_text_caches

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


@pytest.mark.slow
def test_static_layers_draw_the_same_frames(tmp_path, rendered):
    """grad-fn pastes still code and graph parts as layers in most of its plays (lecture/manim_compat/layers.py):
    every frame must equal the frame drawn whole, as manim draws it (LECTURE_WHOLE_FRAMES=1). Both renders take
    the session's LaTeX and Pango SVGs of grad-fn (the same texts), so LaTeX does not run."""
    for whole in ("0", "1"):
        warm_text_caches(rendered, tmp_path / f"cache{whole}", into_cache=True)
        job = Job("grad-fn", QUALITIES["t"], "png", False, LectureParams(), tmp_path / f"out{whole}")
        proc = subprocess.run([sys.executable, "-m", "lecture.render.worker", json.dumps(job.payload(tmp_path / f"cache{whole}"))],
                              cwd=ROOT, env=os.environ | {WHOLE_FRAMES: whole}, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-2000:]
    layered = sorted((tmp_path / "out0" / "grad-fn_frames").glob("*.png"))
    whole = sorted((tmp_path / "out1" / "grad-fn_frames").glob("*.png"))
    assert len(layered) == len(whole) > 50
    for a, b in zip(layered, whole):
        diff = np.abs(np.asarray(Image.open(a), dtype=int) - np.asarray(Image.open(b), dtype=int)).max(axis=2)
        # Rounding of premultiplied alpha at anti-aliased edges: a level or two.
        assert diff.max() <= 8, f"{a.name}: {(diff > 8).sum()} pixels differ by up to {diff.max()}"


def tile_panel() -> VGroup:
    """Separate tiles (no outlines: an outline overlaps its fill)."""
    return VGroup(*(Square(0.8, fill_color=c, fill_opacity=1, stroke_width=0)
                    for c in ("#f5c542", "#4fc3f7", "#e57373", "#81c784") * 3)).arrange_in_grid(3, 4, buff=0.3)


class FadeScene(Scene):
    """A panel of tiles fading in with a shift, then out; then its tiles added one by one, every
    other one raised to z-index 2 over a cover at z-index 1, and the panel (a group the scene does
    not hold) fading out with a shift: manim draws it on top for the fade, sorted by z-index, so
    the cover stays between the tiles. The tiles do not overlap each other, so a fade of the group
    as pictures (one per z-index) must equal manim's fade of each part in every frame."""

    def construct(self) -> None:
        tiles = tile_panel()
        self.play(FadeIn(tiles, shift=DOWN * 0.5), run_time=1)
        self.play(FadeOut(tiles), run_time=1)
        for tile in tiles[::2]:
            tile.set_z_index(2)
        self.add(*tiles, Square(1.5, fill_color="#ffffff", fill_opacity=1, stroke_width=0).set_z_index(1))
        self.play(FadeOut(tiles, shift=UP * 0.3), run_time=1)


def fade_frames(tmp_path: Path, renderer_class: type) -> list[np.ndarray]:
    media = tmp_path / renderer_class.__name__
    with tempconfig({"pixel_width": 192, "pixel_height": 108, "frame_rate": 10, "format": "png",
                     "media_dir": str(media), "disable_caching": True, "verbosity": "ERROR", "progress_bar": "none"}):
        FadeScene(renderer=renderer_class()).render()
    return [np.asarray(Image.open(f), dtype=int) for f in sorted(media.rglob("FadeScene*.png"))]


@pytest.mark.slow
def test_group_fades_as_manim_fades_it(tmp_path):
    with tempconfig({"pixel_width": 192, "pixel_height": 108}):
        scene = FadeScene(renderer=LectureRenderer())
        tiles = tile_panel()
        assert isinstance(raster_fade(FadeIn(tiles, shift=DOWN), [], scene), RasterFade), "the group qualifies"
        scene.add(*tiles)
        assert isinstance(raster_fade(FadeOut(tiles), [], scene), RasterFade), "a group gathered from parts qualifies"
        scene.add(VGroup(tiles))
        assert raster_fade(FadeOut(tiles), [], scene) is None, "a group inside another does not"
    ours, manims = fade_frames(tmp_path, LectureRenderer), fade_frames(tmp_path, CairoRenderer)
    assert len(ours) == len(manims) >= 30
    for i, (a, b) in enumerate(zip(ours, manims)):
        # While the tiles slide they land between pixels: cairo filters the layer there, manim draws
        # the edges anew, so edge pixels differ by up to 48 levels at this size; blurred, by 16.
        # An opacity off by the easing (linear for smooth) moves the mean by 1.2, a wrong shift by more.
        assert np.abs(a - b).mean() < 0.6, f"frame {i}: mean difference {np.abs(a - b).mean():.2f}"
        blurred = np.abs(box_blur(a) - box_blur(b)).max()
        assert blurred <= 20, f"frame {i}: blurred frames differ by {blurred}"


def box_blur(frame: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(frame.astype(np.uint8)).filter(ImageFilter.BoxBlur(1)), dtype=int)


class BrighteningScene(Scene):
    """One grey square filling the frame, a level brighter in every frame."""

    def construct(self) -> None:
        tracker = ValueTracker(0)
        square = Square(20, stroke_width=0, fill_opacity=1)
        square.add_updater(lambda m: m.set_fill(ManimColor.from_rgb((tracker.get_value(),) * 3)))
        self.add(square)
        self.play(tracker.animate.set_value(1), run_time=3, rate_func=linear)


@pytest.mark.slow
def test_frames_reach_the_encoder_in_order_while_it_lags(tmp_path, monkeypatch):
    """LectureFileWriter copies frames into buffers it reuses: a buffer still waiting for a slow
    encoder must never be overwritten by a later frame."""
    slow = HeldFrameJob._encode_and_write_frame

    def encode_slowly(self, frame, num_frames):
        time.sleep(0.01)
        slow(self, frame, num_frames)

    monkeypatch.setattr(HeldFrameJob, "_encode_and_write_frame", encode_slowly)
    with tempconfig({"pixel_width": 64, "pixel_height": 36, "frame_rate": 20, "media_dir": str(tmp_path),
                     "disable_caching": True, "verbosity": "ERROR", "progress_bar": "none"}):
        BrighteningScene(renderer=LectureRenderer()).render()
    (movie,) = tmp_path.rglob("BrighteningScene.mp4")
    with av.open(str(movie)) as container:
        levels = [frame.to_ndarray(format="gray").mean() for frame in container.decode(video=0)]
    assert len(levels) == 60
    steps = np.diff(levels)
    assert steps.min() > 1.5, f"frames out of order or repeated: smallest step {steps.min():.1f} of about 4.3"


@pytest.mark.slow
def test_encoder_settings_reach_x264(tmp_path, monkeypatch):
    """x264 writes its settings into the stream: the project's lookahead, and the thread count the
    renderer gives each encoder when renders run side by side."""
    monkeypatch.setattr(LectureFileWriter, "encoder_threads", 1)
    # 640x360: x264 gives frames as small as 64x36 one thread anyway, and this size more on its own.
    with tempconfig({"pixel_width": 640, "pixel_height": 360, "frame_rate": 5, "media_dir": str(tmp_path),
                     "disable_caching": True, "verbosity": "ERROR", "progress_bar": "none"}):
        BrighteningScene(renderer=LectureRenderer()).render()
    (movie,) = tmp_path.rglob("BrighteningScene.mp4")
    settings = movie.read_bytes()
    lookahead = X264_OPTIONS["rc-lookahead"]
    assert b" threads=1 " in settings and f" rc_lookahead={lookahead} ".encode() in settings


class LaggedFadeScene(Scene):
    """A panel of tiles fading in one after another: the lag is given to play(), not to FadeIn."""

    def construct(self) -> None:
        self.play(FadeIn(tile_panel()), lag_ratio=0.5, run_time=1)


@pytest.mark.slow
def test_a_lag_given_to_play_is_a_lagged_fade(tmp_path):
    """play()'s keyword arguments reach the animations after the renderer has looked at them: a fade
    lagged by play() must not become one picture fading (the first tile would wait for the last)."""
    frames = {}
    for renderer_class in (LectureRenderer, CairoRenderer):
        media = tmp_path / renderer_class.__name__
        with tempconfig({"pixel_width": 192, "pixel_height": 108, "frame_rate": 10, "format": "png",
                         "media_dir": str(media), "disable_caching": True, "verbosity": "ERROR", "progress_bar": "none"}):
            LaggedFadeScene(renderer=renderer_class()).render()
        frames[renderer_class] = [np.asarray(Image.open(f), dtype=int) for f in sorted(media.rglob("LaggedFadeScene*.png"))]
    ours, manims = frames[LectureRenderer], frames[CairoRenderer]
    assert len(ours) == len(manims) >= 8
    for i, (a, b) in enumerate(zip(ours, manims)):
        assert np.abs(a - b).max() <= 8, f"frame {i}: differs by up to {np.abs(a - b).max()}"


def test_an_explicit_ignore_skipping_draws_while_skipping():
    """While plays are skipped the renderer draws nothing, unless asked with ignore_skipping=True
    (manim's show_frame, a scene drawing a frame on purpose)."""
    with tempconfig({"pixel_width": 64, "pixel_height": 36, "verbosity": "ERROR"}):
        renderer = LectureRenderer()
        scene = Scene(renderer=renderer)
        scene.add(Square(4, fill_color="#ffffff", fill_opacity=1, stroke_width=0))
        renderer.skip_animations = True
        renderer.camera.reset()
        renderer.update_frame(scene)
        assert renderer.camera.pixel_array[18, 32, :3].max() == 0, "a skipped play's frame is not drawn"
        renderer.update_frame(scene, ignore_skipping=True)
        assert renderer.camera.pixel_array[18, 32, :3].min() == 255, "asked to draw: the square is there"


class FinishCallbackScene(Scene):
    def construct(self) -> None:
        self.finished: list[str] = []
        done = self.finished.append
        self.play(FadeIn(Square(), _on_finish=lambda s: done("fade in")))
        group = AnimationGroup(Create(Square(), _on_finish=lambda s: done("create")),
                               Write(Square(), _on_finish=lambda s: done("write")), _on_finish=lambda s: done("group"))
        self.play(group)
        self.play(FadeOut(self.mobjects[0], _on_finish=lambda s: done("fade out")))


@pytest.mark.slow
def test_a_still_runs_the_callbacks_of_the_animations_it_skips(tmp_path):
    """A still replaces fades and writes by what they leave (EndState); what they were to do when
    finished (`_on_finish`, as manim's Graph uses it) must still happen, in the same order."""
    finished = {}
    for renderer_class in (LectureRenderer, CairoRenderer):
        with tempconfig({"pixel_width": 64, "pixel_height": 36, "save_last_frame": True, "write_to_movie": False,
                         "media_dir": str(tmp_path / renderer_class.__name__), "verbosity": "ERROR"}):
            scene = FinishCallbackScene(renderer=renderer_class())
            scene.render()
        finished[renderer_class] = scene.finished
    assert finished[LectureRenderer] == finished[CairoRenderer] == ["fade in", "group", "create", "write", "fade out"]
