"""Incremental renders: a beat whose frames cannot have changed is not drawn again.

`construct` still runs in full, but a beat whose key is in the beat cache is a skipped slide
(manim-slides' public `next_slide(skip_animations=True)`: manim plays it without drawing, so the
scene's state still advances); its frames come from the segment the render that drew it left. A
beat's key hashes what decides its frames: the scene's state when it starts (every mobject's points,
colours, widths and z-order, the recorded numbers, the clock), the beat method's source, its
narration, and the rest of the clip's inputs (`base`: the job's options and every source file but the
scene module's beat bodies). Each drawn beat's partial movie files are joined into one segment (manim's
own concatenation, no re-encoding), and the clip is the segments joined in order.

A drawn beat also keeps the scene's state at the end of its body (`beatstate.py`): while every beat so far
came from the cache, a cached beat's kept state is put back instead of running its body
(`LectureScene.restore_beat`), so an edit of beat k builds nothing of the beats before it. A beat after a
drawn one runs its body (skipped), as its off-screen attributes may differ from the render that kept it.

A segment keeps the state digest its beat ended with; a skipped beat must end with the same (an
updater that integrates time could leave it otherwise), else `Diverged` and the worker renders every
beat. A deck needs one drawn slide, so when every beat before the last was skipped, the last is drawn.

manim internals relied on (0.21.0): `SceneFileWriter.sections` (each `Section`'s `name` and
`partial_movie_files`, None for a skipped play), `SceneFileWriter.combine_files(files, target)`,
`renderer.camera.get_image()` at a beat's end (its last frame, for the poster), manim-slides'
`_add_last_slide`, `_current_animation` and `_start_animation`, and how the renderer's
clock advances (`CairoRenderer.play`, `add_frame`, `freeze_current_frame`, `Scene.get_time_progression`).
"""
from __future__ import annotations

import hashlib
import logging
import inspect
import io
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
from manim import config
from manim_slides.config import SlideConfig

from lecture.manim_compat import beatstate, require_written_for
from lecture.manim_compat.beatsource import module_without_beat_bodies
from scenes.kit.base import beat_narrations

require_written_for()

KEEP = 200  # segments kept per scene and quality: a few renders' worth of beats
SUFFIXES = (".mp4", ".png", ".json", ".state")  # a segment, its last frame, its end digest, its body's end state


class Diverged(RuntimeError):
    """A skipped beat left the scene otherwise than drawing it did (an updater that integrates time):
    the render is made again without the beat cache."""


def state_digest(scene: Any) -> str:
    """A hash of everything on screen (and what will be) when a beat starts."""
    digest = hashlib.sha256()
    digest.update(repr(round(float(scene.renderer.time), 6)).encode())
    digest.update(json.dumps(scene.values, sort_keys=True, default=repr).encode())
    for top in scene.mobjects:
        for mob in top.get_family():
            digest.update(type(mob).__name__.encode())
            digest.update(repr(getattr(mob, "z_index", 0)).encode())
            for name in ("points", "fill_rgbas", "stroke_rgbas", "background_stroke_rgbas", "pixel_array"):
                value = getattr(mob, name, None)
                if isinstance(value, np.ndarray):
                    digest.update(np.ascontiguousarray(value).tobytes())
            for name in ("stroke_width", "background_stroke_width", "opacity", "color"):
                digest.update(repr(getattr(mob, name, None)).encode())
    return digest.hexdigest()


def drawn_clock(scene: Any, before: float) -> float:
    """The renderer's clock after the play just skipped, had it been drawn: a wait adds its frames at
    once (`freeze_current_frame`), an animation 1/fps per frame of `np.arange(0, run time, 1/fps)`."""
    dt = 1 / scene.renderer.camera.frame_rate
    if scene.is_current_animation_frozen_frame():
        return before + int(scene.duration / dt) * dt
    clock = before
    for _ in range(len(np.arange(0, scene.duration, 1 / config["frame_rate"]))):
        clock += dt
    return clock


class BeatCache:
    """The beat cache of one render: which beats to skip, and afterwards the clip from the segments."""

    def __init__(self, folder: Path, base: str):
        self.folder = folder
        self.base = base
        self.beats: list[dict[str, Any]] = []  # name, key, skipped, in the order they ran
        self.last_frames: dict[str, bytes] = {}  # key -> the drawn beat's last frame, a PNG
        self.end_states: dict[str, str] = {}  # key -> the state digest the drawn beat ended with
        self.states: dict[str, bytes] = {}  # key -> the sealed state the beat's body ended with (beatstate.py)
        self.last = ""  # the name of the scene's last beat (set by `install`)
        self.infrastructure: frozenset[str] = frozenset()  # the scene's attributes no state holds (set by `install`)
        folder.mkdir(parents=True, exist_ok=True)

    def segment(self, key: str) -> Path:
        return self.folder / f"{key}.mp4"

    def install(self, scene: Any) -> None:
        """Wrap the scene's start_beat, next_slide and end_beat, the renderer's play and manim-slides'
        last slide (instance attributes, this render only)."""
        self.last = list(beat_narrations(type(scene)))[-1]
        self._key_beats(scene)
        self._time_skipped_plays(scene)
        self._close_last_slide(scene)
        self.infrastructure = beatstate.infrastructure(scene)

    def beat_key(self, scene: Any, name: str, template: str) -> str:
        """What decides the beat's frames: the clip's other inputs, its name, narration and source, the scene's state."""
        method = inspect.unwrap(getattr(type(scene), name))
        return hashlib.sha256(json.dumps([self.base, name, template, scene.script.get(name), state_digest(scene),
                                          inspect.getsource(method)]).encode()).hexdigest()[:32]

    def _key_beats(self, scene: Any) -> None:
        """Each beat keyed as it starts, skipped when its segment is kept, checked as it ends."""
        start_beat, next_slide, end_beat = scene.start_beat, scene.next_slide, scene.end_beat
        pending: dict[str, Any] = {"skip": False}

        def keyed_start(name: str, template: str, loop: bool = False) -> None:
            key = self.beat_key(scene, name, template)
            skip = all(self.segment(key).with_suffix(suffix).exists() for suffix in SUFFIXES[:3])
            if skip and name == self.last and all(b["skipped"] for b in self.beats):
                skip = False  # manim-slides refuses a deck without a slide drawn: the last beat is drawn
            # Every beat before this one came from the cache: its body's end state, if kept, can stand for the body.
            restore = skip and self.drawn == 0 and self.segment(key).with_suffix(".state").exists()
            self.beats.append({"name": name, "key": key, "skipped": skip, "restored": False})
            pending["skip"], pending["restore"] = skip, restore
            began = time.perf_counter()
            start_beat(name, template, loop)
            pending["began"], pending["spoken"] = began, time.perf_counter() - began

        def slide(*args: Any, **kwargs: Any) -> None:
            if pending.pop("skip", False):
                kwargs["skip_animations"] = True
            next_slide(*args, **kwargs)

        def restore_beat(name: str) -> bool:
            if not pending.pop("restore", False):
                return False
            beat = self.beats[-1]
            state = beatstate.load(scene, self.segment(beat["key"]).with_suffix(".state").read_bytes())
            if state is None:
                return False  # foreign or unloadable: the body runs, its plays skipped
            beatstate.apply(scene, state, self.infrastructure)
            if state_digest(scene) != state["digest"]:
                raise Diverged(f"beat {name}'s kept state gives another picture than it was kept with")
            beat["restored"] = True
            return True

        def keyed_end() -> None:
            beat = self.beats[-1]
            if not beat["skipped"]:  # drawn: the state its body ended with, kept with its segment if pickle can
                state = beatstate.capture(scene, self.infrastructure, state_digest(scene))
                if state is not None:
                    self.states[beat["key"]] = state
            end_beat()
            self._beat_ended(scene)
            log_beat_time(beat, pending)

        scene.start_beat, scene.next_slide, scene.end_beat = keyed_start, slide, keyed_end
        scene.restore_beat = restore_beat

    def _beat_ended(self, scene: Any) -> None:
        """A skipped beat must leave the scene as drawing it did, or nothing after it is sure (`Diverged`);
        a drawn one's end state and last frame are kept in memory until its segment is saved, so a
        stopped render leaves nothing."""
        beat = self.beats[-1]
        end = state_digest(scene)
        if beat["skipped"]:
            drawn = json.loads(self.segment(beat["key"]).with_suffix(".json").read_text())["end"]
            if drawn != end:
                raise Diverged(f"beat {beat['name']} ends otherwise skipped than drawn")
            return
        self.end_states[beat["key"]] = end
        image = io.BytesIO()
        scene.renderer.camera.get_image().convert("RGB").save(image, "PNG")
        self.last_frames[beat["key"]] = image.getvalue()

    @staticmethod
    def _time_skipped_plays(scene: Any) -> None:
        """manim undocumented: a skipped play adds its run time to the renderer's clock at once, a drawn
        one 1/fps per frame (`add_frame`); a skipped beat must end when the drawn one did, to the bit."""
        renderer, play = scene.renderer, scene.renderer.play

        def timed_play(scene_: Any, *args: Any, **kwargs: Any) -> None:
            before = renderer.time
            play(scene_, *args, **kwargs)
            if renderer.skip_animations:
                renderer.time = drawn_clock(scene_, before)
                scene_.update_mobjects(0)  # as a drawn play ends (Scene.play_internal)

        renderer.play = timed_play

    @staticmethod
    def _close_last_slide(scene: Any) -> None:
        """manim-slides private: `_add_last_slide` closes the slide of the plays after the last
        `next_slide`, and refuses one without plays; when the last beat is skipped it has none."""
        add_last_slide = scene._add_last_slide

        def last_slide() -> None:
            if scene._current_animation > scene._start_animation:
                add_last_slide()

        scene._add_last_slide = last_slide

    @property
    def drawn(self) -> int:
        return sum(not b["skipped"] for b in self.beats)

    def splice(self, scene: Any, movie: Path) -> Path | None:
        """Join the segments into `movie` (replacing manim's, which lacks the skipped beats); keep each
        drawn beat's segment and last frame. Returns the last beat's last frame (the poster)."""
        writer = scene.renderer.file_writer
        names = {b["name"] for b in self.beats}
        sections = []
        for section in writer.sections:
            drawn = [f for f in section.partial_movie_files if f is not None]
            if section.name in names:
                sections.append((section.name, drawn))
            elif drawn:  # manim's first section and manim-slides' last slide draw nothing here
                raise RuntimeError(f"section {section.name!r} drew frames outside a beat; render without the beat cache")
        parts: list[str] = []
        for beat in self.beats:
            if sections and sections[0][0] == beat["name"]:
                files = sections.pop(0)[1]
            elif beat["skipped"]:
                files = []  # manim drops a section without plays: a restored loop beat's, which holds no pause
            else:
                break
            target = self.segment(beat["key"])
            if beat["key"] in self.states:
                kept = target.with_name(f".{target.stem}.{os.getpid()}.part.state")
                kept.write_bytes(self.states.pop(beat["key"]))
                os.replace(kept, target.with_suffix(".state"))
            if not beat["skipped"]:
                temporary = target.with_name(f".{target.stem}.{os.getpid()}.part.mp4")
                writer.combine_files(files, temporary)
                os.replace(temporary, target)
                still = target.with_name(f".{target.stem}.{os.getpid()}.part.png")
                still.write_bytes(self.last_frames.pop(beat["key"]))
                os.replace(still, target.with_suffix(".png"))
                target.with_suffix(".json").write_text(json.dumps({"end": self.end_states[beat["key"]]}))
            parts.append(str(target))
        if len(parts) != len(self.beats) or sections:
            raise RuntimeError(f"{len(self.beats)} beats but {len(parts)} sections: render without the beat cache")
        writer.combine_files(parts, movie)
        self.prune(parts)
        return self.segment(self.beats[-1]["key"]).with_suffix(".png") if self.beats else None


    def prune(self, used: list[str], keep: int = KEEP) -> None:
        """Keep the `keep` segments used last (this render's among them): the cache does not grow without end."""
        for path in used:
            os.utime(path)
        segments = sorted(self.folder.glob("*.mp4"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in segments[keep:]:
            for suffix in SUFFIXES:
                old.with_suffix(suffix).unlink(missing_ok=True)

    def complete_slides(self, config: Path, sections: list[dict[str, Any]]) -> None:
        """manim-slides leaves a skipped slide out of its config: put each skipped beat back, its video
        the beat's segment (manim-slides' own SlideConfig, so the deck and presenter read it as any slide)."""
        data = json.loads(config.read_text())
        drawn = iter(data["slides"])
        slides = []
        for beat, section in zip(self.beats, sections):
            if not beat["skipped"]:
                slides.append(next(drawn))
                continue
            segment = self.segment(beat["key"])
            slides.append(SlideConfig(file=segment, rev_file=segment, loop=section["loop"],
                                      notes=section["narration"]).model_dump(mode="json"))
        data["slides"] = slides
        config.write_text(json.dumps(data, indent=2))


def beat_base(job: dict, module: Path, root: Path, folders: tuple[str, ...]) -> str:
    """What every beat key of this render shares: the job's options and every source file that can
    change a frame, the scene's module without its beat bodies."""
    digest = hashlib.sha256(json.dumps([job["scene"], job["quality"], job["params"], job["transparent"],
                                        job.get("voice"), job.get("plain")]).encode())
    for folder in folders:  # relative to `root`, or a lecture folder elsewhere (absolute)
        for path in sorted((root / folder).rglob("*.py")):
            digest.update((path.relative_to(root) if path.is_relative_to(root) else path).as_posix().encode())
            digest.update(module_without_beat_bodies(path).encode() if path == module else path.read_bytes())
    return digest.hexdigest()


def log_beat_time(beat: dict, pending: dict[str, Any]) -> None:
    """Where an edit's time goes, in the render's log (docs/studio.md): the beat's start (its speech), then all of it."""
    how = "restored" if beat["restored"] else "skipped" if beat["skipped"] else "drawn"
    logging.getLogger("lecture.times").info(f"beat {beat['name']}: {how}, start (speech) {pending.get('spoken', 0):.2f} s, "
                                            f"in all {time.perf_counter() - pending.get('began', time.perf_counter()):.2f} s")
