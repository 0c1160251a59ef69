"""The geometry recorder of `lecture check`: what every beat draws, captured during a normal render.

For every play it takes a snapshot at the animation's first frame, its middle frame and after it
ends, and one at each beat's end: every mobject the camera draws, in the order it draws them, with the groups it is in, as
outlines (each subpath's anchors and curve midpoints, in scene units), fill and stroke colours and
the text, formula or number it is a glyph of. Shapes that do not change between snapshots are stored
once (a table of shapes, each snapshot a list of indices), so a scene's record is a few hundred kB,
gzipped JSON beside the clip (`<scene>.geometry.json.gz`). The rules of `lecture/check/` read it; no
frame is decoded to find what is where.

Off unless the job asks for it (`Job.record`, set by `lecture check`): the render is the same frames.

manim internals relied on (0.21.0): `CairoRenderer.play(scene, ...)` and `render(scene, time,
moving_mobjects)` called by `Scene.play_internal` once per frame (the hooks the renderer overrides
too), `Scene.duration`, `Scene.animations` and `Scene.static_mobjects` set before the first frame, `Camera.get_mobjects_to_display`
(draw order), `VMobject.get_subpath_split_indices_from_points`, `Succession.active_animation` (its running stage), and the font sizes Text, MathTex and DecimalNumber compute from `initial_height`.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from manim import (AnimationGroup, config, DecimalNumber, ImageMobject, MarkupText, Paragraph, SingleStringMathTex,
                   Succession, Text, VMobject)

from lecture.manim_compat import require_written_for
from lecture.output.publish import write_atomic

require_written_for()

FORMAT = 2  # the record's layout; lecture/check refuses another
TEXTS = (Text, MarkupText, Paragraph, SingleStringMathTex, DecimalNumber)  # a glyph's outermost one of these is its text
DIGITS = 3  # decimals kept of a coordinate (scene units: a 480p pixel is 0.017)
# motions that carry a thing along a path: the centres of what they move are kept at every frame (`tracks`), so
# the overlap rule follows the path itself between the snapshots (lecture/check/sweep.py)
TRACKED = {"MoveAlongPath", "_MethodAnimation", "ApplyMethod", "MoveToTarget"}


def label_of(mob: Any) -> str:
    """What a viewer reads in a text (or which shape it is), for the findings."""
    if isinstance(mob, DecimalNumber):
        return mob._get_num_string(mob.number) if hasattr(mob, "_get_num_string") else str(mob.number)  # manim private
    for name in ("original_text", "text", "tex_string"):
        value = getattr(mob, name, None)
        if isinstance(value, str) and value:
            return value
    if isinstance(mob, Paragraph):
        return " / ".join(label_of(line) for line in mob.submobjects)
    return type(mob).__name__


def colour(rgbas: Any) -> list[float]:
    if not isinstance(rgbas, np.ndarray) or rgbas.size == 0:
        return [0.0, 0.0, 0.0, 0.0]
    return [round(float(v), 3) for v in rgbas.reshape(-1, 4)[0]]


def outlines(mob: VMobject) -> list[list[float]]:
    """Each subpath as a closed polygon: its curves' start anchors and midpoints (x0, y0, x1, y1, ...)."""
    points = np.asarray(mob.points)
    paths = []
    # manim: the vectorised split `get_subpaths` makes (5x faster than calling it, measured on text glyphs)
    for start, end in mob.get_subpath_split_indices_from_points(points):
        if end - start < 4:
            continue
        curves = points[start:start + (end - start) // 4 * 4].reshape(-1, 4, 3)
        mids = (curves[:, 0] + 3 * curves[:, 1] + 3 * curves[:, 2] + curves[:, 3]) / 8
        poly = np.stack([curves[:, 0, :2], mids[:, :2]], axis=1).reshape(-1, 2)
        poly = np.vstack([poly, curves[-1, 3, :2]])
        paths.append(np.round(poly.ravel(), DIGITS).tolist())
    return paths


def thumbnail(mob: ImageMobject) -> list[list[list[int]]]:
    """An image as 8x8 mean colours (what a text over a heatmap stands on)."""
    pixels = mob.get_pixel_array()
    image = Image.fromarray(pixels.astype(np.uint8)).convert("RGBA").resize((8, 8), Image.Resampling.BOX)
    return np.asarray(image).tolist()


class Recorder:
    """Snapshots of one scene's render; `install` hooks it, `save` writes the record."""

    def __init__(self, scene: Any):
        self.scene = scene
        self.shapes: list[dict[str, Any]] = []
        self.keys: dict[tuple, int] = {}
        self.uids: dict[int, tuple[int, Any]] = {}  # id(mob) -> (uid, mob): the mob kept so its id is not reused
        self.snapshots: list[dict[str, Any]] = []
        self.groups: dict[int, str] = {}  # uid of a mobject with parts -> its type
        self.last: dict[int, int] = {}  # id(mob) -> its shape in the last snapshot
        self.play: dict[str, Any] = {}
        self.tracks: list[dict[str, Any]] = []  # per frame of a play with a tracked motion: t and [uid, x, y] of each member

    def uid(self, mob: Any) -> int:
        entry = self.uids.get(id(mob))
        if entry is None or entry[1] is not mob:
            entry = (len(self.uids), mob)
            self.uids[id(mob)] = entry
        return entry[0]

    def texts(self) -> tuple[dict[int, Any], dict[int, tuple[int, ...]]]:
        """For everything in the scene: id(member) -> the text it is a glyph of, and id(member) -> the uids
        of the groups it is in, outermost first (a chart's axes and labels share their Axes)."""
        roots: dict[int, Any] = {}
        chains: dict[int, tuple[int, ...]] = {}

        def walk(mob: Any, root: Any, chain: tuple[int, ...]) -> None:
            if root is None and isinstance(mob, TEXTS):
                root = mob
            if root is not None:
                roots[id(mob)] = root
            chains[id(mob)] = chain
            if mob.submobjects:
                uid = self.uid(mob)
                self.groups.setdefault(uid, type(mob).__name__)
                for sub in mob.submobjects:
                    walk(sub, root, chain + (uid,))

        for top in self.scene.mobjects:
            walk(top, None, ())
        return roots, chains

    def moving(self) -> dict[int, str]:
        """id(member) -> the animation moving it in the current play."""
        names: dict[int, str] = {}

        def walk(animation: Any) -> None:
            if isinstance(animation, AnimationGroup):
                for part in animation.animations:
                    walk(part)
                return
            mob = getattr(animation, "mobject", None)
            if mob is not None:
                for member in mob.get_family():
                    names.setdefault(id(member), type(animation).__name__)

        for animation in getattr(self.scene, "animations", None) or []:
            walk(animation)
        return names

    def track(self) -> None:
        """This frame's centres (their points' box) of the members a TRACKED motion is moving now: in a Succession
        only its running stage (manim's `Succession.active_animation`), so a landing that fades is not followed."""
        members: dict[int, Any] = {}

        def walk(animation: Any) -> None:
            if isinstance(animation, Succession):
                active = getattr(animation, "active_animation", None)
                if active is not None:
                    walk(active)
            elif isinstance(animation, AnimationGroup):
                for part in animation.animations:
                    walk(part)
            elif type(animation).__name__ in TRACKED and getattr(animation, "mobject", None) is not None:
                members.update((id(m), m) for m in animation.mobject.get_family() if len(m.points))

        for animation in getattr(self.scene, "animations", None) or []:
            walk(animation)
        centres = []
        for mob in members.values():
            lo, hi = mob.points[:, :2].min(axis=0), mob.points[:, :2].max(axis=0)
            centres.append([self.uid(mob), round(float(lo[0] + hi[0]) / 2, DIGITS), round(float(lo[1] + hi[1]) / 2, DIGITS)])
        if centres:
            self.tracks.append({"t": round(float(self.scene.renderer.time), 3), "c": centres})

    def shape(self, mob: Any, root: Any, font_sizes: dict[int, float], chain: tuple[int, ...] = ()) -> int:
        image = isinstance(mob, ImageMobject)
        points = np.asarray(mob.points)
        fill = getattr(mob, "fill_rgbas", None)
        stroke = getattr(mob, "stroke_rgbas", None)
        data = mob.pixel_array if image else None
        if root is not None and id(root) not in font_sizes:
            try:
                font_sizes[id(root)] = round(float(root.font_size), 1)
            except (AttributeError, ZeroDivisionError, ValueError, TypeError):
                font_sizes[id(root)] = 0.0
        # The text's size is part of the key: a glyph finished mid-Create is unchanged at the play's end while its
        # text (partly drawn before, whole now) has grown to its size; reused, the glyph kept the partial size.
        key = (self.uid(mob), hash(points.tobytes()), hash(fill.tobytes()) if isinstance(fill, np.ndarray) else 0,
               hash(stroke.tobytes()) if isinstance(stroke, np.ndarray) else 0, getattr(mob, "stroke_width", 0),
               hash(data.tobytes()) if data is not None else 0, id(root) if root is not None else 0, chain,
               font_sizes.get(id(root), 0.0) if root is not None else 0.0)
        index = self.keys.get(key)
        if index is not None:
            return index
        entry: dict[str, Any] = {"uid": key[0], "kind": "image" if image else ("text" if root is not None else "shape"),
                                 "type": type(mob).__name__, "groups": list(chain)}
        if image:
            corners = points[:, :2]
            entry.update(box=[round(float(corners[:, 0].min()), DIGITS), round(float(corners[:, 1].min()), DIGITS),
                              round(float(corners[:, 0].max()), DIGITS), round(float(corners[:, 1].max()), DIGITS)],
                         thumb=thumbnail(mob), opacity=round(float(getattr(mob, "opacity", 1) or 1), 3))
        else:
            entry.update(paths=outlines(mob), fill=colour(fill), stroke=colour(stroke),
                         stroke_width=round(float(getattr(mob, "stroke_width", 0) or 0), 2))
        if root is not None:
            rid = id(root)
            entry.update(text=self.uid(root), label=label_of(root), text_type=type(root).__name__,
                         font_size=font_sizes[rid])
        else:
            entry["label"] = type(mob).__name__
        index = len(self.shapes)
        self.shapes.append(entry)
        self.keys[key] = index
        return index

    def snap(self, at: str) -> None:
        """Everything drawn now; what stayed still in this play keeps the shape the play's first frame found
        (manim's `static_mobjects`: no updater, no animation), the rest is looked at again."""
        scene = self.scene
        still = self.play.get("still", set()) if at in ("mid", "end") else set()
        (roots, chains), moving = self.texts(), self.moving() if at in ("start", "mid") else {}
        font_sizes: dict[int, float] = {}
        items = []
        last, self.last = self.last, {}
        for mob in scene.camera.get_mobjects_to_display(scene.mobjects):  # manim: the camera's draw order
            if isinstance(mob, ImageMobject) or (isinstance(mob, VMobject) and len(mob.points)):
                index = last.get(id(mob)) if id(mob) in still else None
                if index is None:
                    index = self.shape(mob, roots.get(id(mob)), font_sizes, chains.get(id(mob), ()))
                self.last[id(mob)] = index
                items.append([index, moving.get(id(mob), "")])
        self.snapshots.append({"t": round(float(scene.renderer.time), 3), "beat": getattr(scene, "_beat_name", ""),
                               "at": at, "items": items})

    def install(self) -> None:
        """Wrap the renderer's play and render and the scene's end_beat (this render only)."""
        scene, renderer = self.scene, self.scene.renderer
        play, render, end_beat = renderer.play, renderer.render, scene.end_beat

        def recorded_play(scene_: Any, *args: Any, **kwargs: Any) -> None:
            self.play = {"frames": 0, "mid": False}
            play(scene_, *args, **kwargs)
            if self.play["frames"]:  # a wait without motion draws no frame here: nothing moved
                self.snap("end")
            self.play = {}

        def recorded_render(scene_: Any, time: float, moving_mobjects: Any = None) -> None:
            if self.play:
                if self.play["frames"] == 0:
                    self.snap("start")
                    # manim: what begin_animations found still for this play (static_mobjects, Cairo renderer)
                    self.play["still"] = {id(m) for top in getattr(scene_, "static_mobjects", []) for m in top.get_family()}
                elif not self.play["mid"] and time >= getattr(scene_, "duration", 0) / 2:
                    self.play["mid"] = True
                    self.snap("mid")
                self.play["frames"] += 1
                self.track()
            render(scene_, time, moving_mobjects)

        def recorded_end_beat() -> None:
            end_beat()
            self.snap("beat-end")

        renderer.play, renderer.render, scene.end_beat = recorded_play, recorded_render, recorded_end_beat

    def record(self) -> dict[str, Any]:
        scene = self.scene
        theme = getattr(scene, "theme", None)
        return {"format": FORMAT, "scene": getattr(scene, "scene_id", type(scene).__name__),
                "title": getattr(scene, "title", ""), "theme": getattr(theme, "name", ""),
                "background": getattr(theme, "background", "#000000"),
                "frame": [config.frame_width, config.frame_height], "pixels": [config.pixel_width, config.pixel_height],
                "shapes": self.shapes, "groups": {str(k): v for k, v in self.groups.items()}, "snapshots": self.snapshots,
                "tracks": self.tracks}

    def save(self, target: Path) -> Path:
        data = json.dumps(self.record(), separators=(",", ":")).encode()

        def write(tmp: str) -> None:
            with gzip.open(tmp, "wb", compresslevel=5) as sink:
                sink.write(data)

        return write_atomic(target, write)


def install(scene: Any) -> Recorder:
    """Record `scene`'s geometry while it renders; `save` the recorder afterwards."""
    recorder = Recorder(scene)
    recorder.install()
    return recorder
