"""A tiny scene that points and paces, for tests/test_pointing.py, and how to render it in a process of
its own: `python -m tests.pointing_scene CLASS OUT [--voice [SPEECH_CACHE]] [--plain] [--beats DIR]` writes OUT/CLASS.mp4 (with the
narration's sound when voiced), OUT/CLASS.json (the sidecar) and OUT/CLASS.srt. No text, so no LaTeX or Pango.

`PointingDemo` and `PlainDemo` play the same animations; only `PointingDemo`'s narration points
(`[..](name)`) and paces (`play_along`), so their silent renders must be the same frames.
"""
from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from manim import LEFT, RIGHT, Circle, FadeIn, Square

from scenes.kit.base import LectureScene, beat
from scenes.catalog import SceneInfo

SIZE = (480, 270, 10)  # pixels and frames a second: a ring two pixels wide, cheap to draw

SHOW = "Here is [the loss node](loss), on the left. And here, on the right, is [the weight](w)."
MOVE = "Now the weight ^moves across to the right side of the picture, and stops there."


class DemoBase(LectureScene):
    @property
    def info(self) -> SceneInfo:
        return SceneInfo("pointing-demo", "tests", type(self).__name__, "Pointing", ())

    def construct(self) -> None:
        self.node = Circle(radius=0.8, color=self.theme.forward).shift(LEFT * 3)
        self.weight = Square(side_length=1.2, color=self.theme.learnable).shift(RIGHT * 2)
        self.show()
        self.move()

    def slide_to_right(self):
        return self.weight.animate.shift(RIGHT * 2)


class PointingDemo(DemoBase):
    @beat(SHOW)
    def show(self) -> None:
        self.point_at(loss=self.node, w=self.weight)  # before the phrase: "the loss node" is said as they fade in
        self.play(FadeIn(self.node, self.weight))

    @beat(MOVE)
    def move(self) -> None:
        self.play_along("moves", self.slide_to_right())


class PlainDemo(DemoBase):
    @beat(SHOW.replace("[", "").replace("](loss)", "").replace("](w)", ""))
    def show(self) -> None:
        self.play(FadeIn(self.node, self.weight))

    @beat(MOVE.replace("^", ""))
    def move(self) -> None:
        self.play(self.slide_to_right())


def render(name: str, out: Path, voice: Path | None, plain: bool, beats: Path | None = None) -> Path:
    """Render the class `name` into `out` as the worker would (its renderer, or stock manim's; with
    `beats`, the beat cache kept in that folder)."""
    os.environ.setdefault("LECTURE_PARAMS", "{}")  # the defaults; '{"theme": "light"}' to look at the other theme
    from manim import tempconfig

    from lecture import manim_compat
    from lecture.manim_compat.beats import BeatCache
    from lecture.voice.narrator import VoiceNarrator
    from lecture.voice.voices import parse_voice
    from lecture.render.worker import narration_track, with_sound

    scene_class = globals()[name]
    scene_class.narrator = VoiceNarrator(parse_voice("joe"), voice) if voice else None
    width, height, fps = SIZE
    settings = {"media_dir": str(out / "media"), "pixel_width": width, "pixel_height": height, "frame_rate": fps,
                "output_file": name, "disable_caching": True, "progress_bar": "none", "verbosity": "WARNING"}
    with tempconfig(settings):
        renderer = None if plain else manim_compat.fast_renderer([str(out / "media" / "Tex")], 0)
        scene = scene_class(renderer=renderer, output_folder=out / "slides" / name)
        cache = BeatCache(beats, name) if beats else None
        if cache:
            cache.install(scene)
        scene.render()
        movie = Path(scene.renderer.file_writer.movie_file_path)
        if cache:
            cache.splice(scene, movie)
        sidecar, captions = movie.with_suffix(".json"), movie.with_suffix(".srt")
        if scene.spoken:
            movie = with_sound(movie, narration_track(scene))
    shutil.copy(sidecar, out / f"{name}.json")
    shutil.copy(captions, out / f"{name}.srt")
    return Path(shutil.copy(movie, out / f"{name}.mp4"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("name")
    parser.add_argument("out", type=Path)
    parser.add_argument("--voice", type=Path, nargs="?", const=True, help="speak; speech cached in this folder (default OUT/speech)")
    parser.add_argument("--plain", action="store_true")
    parser.add_argument("--beats", type=Path, help="keep and use a beat cache in this folder")
    args = parser.parse_args()
    speech = args.out / "speech" if args.voice is True else args.voice
    print(render(args.name, args.out.resolve(), speech and speech.resolve(), args.plain, args.beats and args.beats.resolve()))
