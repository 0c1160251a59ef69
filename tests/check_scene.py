"""Two tiny scenes for `lecture check`'s rules, rendered through the geometry recorder, and how to render
them in a process of their own: `python -m tests.check_scene CLASS OUT` writes OUT/CLASS.mp4, OUT/CLASS.json
and OUT/CLASS.geometry.json.gz. `Crowded` breaks the geometric rules (a label sliding across another, a
dot carried across a word between the sampled instants, a note off the frame, a tiny caption, a dim word); `Tidy` shows the same things where they belong."""
from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from manim import DOWN, LEFT, RIGHT, UP, Dot, FadeIn, Line, MoveAlongPath

from scenes.catalog import SceneInfo
from scenes.kit.base import LectureScene, beat

SIZE = (480, 270, 10)


class CheckDemo(LectureScene):
    crowded = False

    @property
    def info(self) -> SceneInfo:
        return SceneInfo("check-demo", "tests", type(self).__name__, "Checking", ())

    def construct(self) -> None:
        self.lay_out()

    @beat("Two labels, a note and a caption.")
    def lay_out(self) -> None:
        t = self.theme
        title = self.heading("Checking")
        left = self.text("weight", size=t.body_size).shift(LEFT * 3)
        right = self.text("bias", size=t.body_size)
        note = self.text("a note", size=t.label_size).shift(DOWN * 2.5 + (RIGHT * 6.9 if self.crowded else RIGHT * 4))
        caption = self.text("small print", size=10 if self.crowded else t.small_size).shift(DOWN * 1.2)
        dim = self.text("dim", size=t.body_size, color="#202228" if self.crowded else t.muted).shift(UP * 1.2)
        self.play(FadeIn(title, left, right, note, caption, dim))
        # Crowded: the left label slides across the middle one to the right (mid-motion on it); Tidy: it
        # moves up and back.
        target = RIGHT * 6 if self.crowded else UP * 0.8
        self.play(left.animate.shift(target), run_time=1)
        self.play(left.animate.shift(-target), run_time=1)
        # A dot carried along a line: Crowded, across "dim" between its play's start and middle (no snapshot sees
        # it there, the swept path does); Tidy, above it.
        dot = Dot(radius=0.1, color=t.highlight).move_to(LEFT * 4 + UP * (1.2 if self.crowded else 2.2))
        self.play(FadeIn(dot), run_time=0.3)
        self.play(MoveAlongPath(dot, Line(dot.get_center(), dot.get_center() + RIGHT * 10)), run_time=1)


class Crowded(CheckDemo):
    crowded = True


class Tidy(CheckDemo):
    crowded = False


def render(name: str, out: Path) -> Path:
    """Render the class `name` into `out` with the project's renderer and the geometry recorder."""
    os.environ.setdefault("LECTURE_PARAMS", "{}")
    from manim import tempconfig

    from lecture import manim_compat
    from lecture.manim_compat import record

    scene_class = globals()[name]
    width, height, fps = SIZE
    settings = {"media_dir": str(out / "media"), "pixel_width": width, "pixel_height": height, "frame_rate": fps,
                "output_file": name, "disable_caching": True, "progress_bar": "none", "verbosity": "WARNING"}
    with tempconfig(settings):
        renderer = manim_compat.fast_renderer([str(out / "media" / "Tex"), str(out / "media" / "texts")], 0)
        scene = scene_class(renderer=renderer, output_folder=out / "slides" / name)
        recorder = record.install(scene)
        scene.render()
        recorder.save(out / f"{name}.geometry.json.gz")
        movie = Path(scene.renderer.file_writer.movie_file_path)
    shutil.copy(movie.with_suffix(".json"), out / f"{name}.json")
    return Path(shutil.copy(movie, out / f"{name}.mp4"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("name")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    print(render(args.name, args.out.resolve()))
