"""A drafted lecture's scenes, rendered from data: `draft.json` in the lecture folder lists each scene's
beats (narration and what to show), written by `lecture new ID --from NOTEBOOK.ipynb`
(lecture/notebook/). One class renders every drafted scene; nothing is generated as Python per cell.

A lecture folder's module makes the classes its lecture.toml names:

    from scenes.feedforward.gradients import GradientFieldScene  # the engine scenes the draft reuses
    from scenes.widgets.drafted import drafted_scenes
    globals().update(drafted_scenes(__file__, __name__, {"gradient-field": GradientFieldScene}))

What a beat shows (`show["kind"]`): `title` (the scene's title, large), `prose` (its bold terms, or the
picture before it kept, or its first sentence), `list` (the items, one row each), `equation` (rows of
formulas; one after another transforms term by term; a formula LaTeX refuses is shown as text and
recorded under `latex_failed`), `code` (a code panel, the line the narration names marked as it is said,
what the cell printed under it, a stored PNG beside it). A narration's `[words](formula)` and
`[words](line)` point at the formula and the code line.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from manim import (DOWN, LEFT, RIGHT, UP, FadeIn, FadeOut, Group, ImageMobject, LaggedStart, Mobject, Text,
                   TransformMatchingTex, VGroup, Write, config)

from scenes.kit.base import LectureScene, beat
from scenes.widgets.code_panel import CodePanel
from scenes.widgets.drafted_names import class_name

DRAFT_FILE = "draft.json"
FORMAT = 1
STAGE_GAP = 0.3


class DraftedScene(LectureScene):
    """Renders one scene of a draft; `data` is its entry in draft.json, `folder` the lecture folder."""

    data: dict[str, Any] = {}
    folder: Path = Path(".")

    def construct(self) -> None:
        self.stage: Mobject | None = None  # what the beats show under the heading
        self.stage_kind = ""  # the kind of beat that put it there
        self.formula: Mobject | None = None
        self.record(latex_failed=[])
        self.header = self.heading(self.data["title"])
        self.scale_heading()
        for entry in self.data["beats"]:
            getattr(self, entry["name"])()

    def scale_heading(self) -> None:
        room = config.frame_width - 2 * self.theme.margin
        if self.header.width > room:
            self.header.scale_to_fit_width(room)

    # --- the stage ----------------------------------------------------------------------------
    def area(self) -> tuple[float, float, float, float]:
        """(left, right, top, bottom) of the stage: below the title band and the subtitle."""
        top, bottom = self.content_area()
        half = config.frame_width / 2 - self.theme.margin
        return -half, half, top - 0.45, bottom

    def fit(self, mob: Mobject, width: float | None = None, height: float | None = None, grow: float = 1.0) -> Mobject:
        """Shrink `mob` into the stage (or `width` x `height`), or grow it up to `grow` times to fill it:
        the picture is the largest thing in the frame."""
        left, right, top, bottom = self.area()
        width, height = width or right - left, height or top - bottom
        mob.scale(min(width / max(mob.width, 1e-6), height / max(mob.height, 1e-6), grow))
        return mob

    def subtitle_for(self, show: dict[str, Any]) -> None:
        """The subsection's name, small, at the top of the content area; changed only when it changes."""
        text = show.get("subtitle", "")
        current = getattr(self, "subtitle", None)
        self.subtitle_changed = (getattr(current, "said", "") if current is not None else "") != text
        if not self.subtitle_changed:
            return
        new = self.text(text, size=self.theme.small_size, color=self.theme.muted) if text else None
        if new is not None:
            new.move_to([self.area()[0], self.content_area()[0], 0], aligned_edge=LEFT + UP)
            new.said = text
        moves = [*([FadeOut(current)] if current is not None else []), *([FadeIn(new)] if new else [])]
        if moves:
            self.play(*moves, run_time=0.5)
        self.subtitle = new

    def swap(self, new: Mobject | None, kind: str) -> None:
        """Clear the stage for `new` (added by the caller's animation), shown by a beat of `kind`."""
        if self.stage is not None:
            self.play(FadeOut(self.stage), run_time=0.5)
        self.stage, self.stage_kind, self.formula = new, kind, None

    # --- beats --------------------------------------------------------------------------------
    def show_title(self, show: dict[str, Any]) -> None:
        card = self.fit(self.text(self.data["title"], size=self.theme.title_size))
        self.swap(card, "title")
        self.play(Write(card), run_time=1.0)

    def show_prose(self, show: dict[str, Any]) -> None:
        terms = show.get("terms") or []
        if not terms and self.stage_kind in ("equation", "code") and not getattr(self, "subtitle_changed", False):
            self.wait(0.1)  # the formula or code before it stays while this is said
            return
        left, right, top, bottom = self.area()
        if terms:
            rows = VGroup(*(self.wrapped(t, (right - left) * 0.8, size=self.theme.body_size, color=self.theme.gradient)
                            for t in terms)).arrange(DOWN, buff=0.45)
        else:
            rows = self.wrapped(show.get("text", ""), (right - left) * 0.85, size=self.theme.body_size)
        self.fit(rows).move_to([(left + right) / 2, (top + bottom) / 2, 0])
        self.swap(rows, "prose")
        self.play(LaggedStart(*(FadeIn(r, shift=UP * 0.15) for r in rows), lag_ratio=0.4), run_time=1.2)

    def show_list(self, show: dict[str, Any]) -> None:
        left, right, top, bottom = self.area()
        rows = VGroup(*(VGroup(self.text("•", color=self.theme.highlight),
                               self.wrapped(item, (right - left) * 0.85, size=self.theme.label_size, align="left")
                               ).arrange(RIGHT, buff=0.25, aligned_edge=UP) for item in show["items"]))
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        self.fit(rows).move_to([(left + right) / 2, (top + bottom) / 2, 0])
        self.swap(rows, "list")
        self.play(LaggedStart(*(FadeIn(r, shift=RIGHT * 0.2) for r in rows), lag_ratio=0.5), run_time=0.8 * len(rows))

    def formula_row(self, row: dict[str, Any]) -> Mobject:
        """A row as LaTeX, split into its terms; as plain text when LaTeX refuses it (recorded)."""
        if row.get("ok", True):
            try:
                return self.math(*(row.get("terms") or [row["tex"]]), size=self.theme.body_size)
            except Exception:  # manim raises a bare ValueError/RuntimeError with LaTeX's log: any failure is a text row
                pass
        self.values["latex_failed"].append(row["tex"])
        return Text(row["tex"], font=self.theme.code_font, font_size=self.theme.small_size, color=self.theme.muted)

    def show_equation(self, show: dict[str, Any]) -> None:
        left, right, top, bottom = self.area()
        rows = VGroup(*(self.formula_row(r) for r in show["rows"])).arrange(DOWN, buff=0.45)
        self.fit(rows, width=(right - left) * 0.9, height=(top - bottom) * 0.8, grow=2.0).move_to([(left + right) / 2, (top + bottom) / 2, 0])
        if "formula" in self._can_point:
            self.point_at(formula=rows)
        if show.get("transform") and self.formula is not None and len(self.formula) == len(rows) == 1 \
                and all(hasattr(m, "tex_string") for m in (self.formula[0], rows[0])):
            old = self.formula
            self.stage, self.formula = rows, rows
            self.play_or_wait("formula", TransformMatchingTex(old[0], rows[0]))
            return
        self.swap(rows, "equation")
        self.formula = rows
        self.play_or_wait("formula", LaggedStart(*(Write(r) for r in rows), lag_ratio=0.6))

    def play_or_wait(self, name: str, animation: Any) -> None:
        """The animation as the phrase `name` is said, if the narration has it; else at once."""
        if name in self._marked.marks:
            self.play_along(name, animation)
        else:
            self.play(animation)

    def show_code(self, show: dict[str, Any]) -> None:
        left, right, top, bottom = self.area()
        image = self.folder / "images" / show["image"] if show.get("image") else None
        width = (right - left) * (0.58 if image and image.is_file() else 1.0)
        panel = CodePanel(show["lines"] or [" "], self.theme, self.theme.small_size, width)
        parts: list[Mobject] = [panel]
        if show.get("printed"):
            label = self.text("what it printed", size=self.theme.small_size, color=self.theme.muted)
            lines = VGroup(*(Text(line or " ", font=self.theme.code_font, font_size=self.theme.small_size,
                                  color=self.theme.forward) for line in show["printed"])).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
            parts.append(VGroup(label, lines).arrange(DOWN, aligned_edge=LEFT, buff=0.15))
        column = VGroup(*parts).arrange(DOWN, aligned_edge=LEFT, buff=STAGE_GAP)
        self.fit(column, width=width, grow=1.5).move_to([left, top, 0], aligned_edge=LEFT + UP)
        group: list[Mobject] = [column]
        if image and image.is_file():
            picture = ImageMobject(str(image))
            picture.scale_to_fit_width(min(right - left - width - STAGE_GAP, picture.width))
            if picture.height > top - bottom:
                picture.scale_to_fit_height(top - bottom)
            picture.move_to([right, top, 0], aligned_edge=RIGHT + UP)
            group.append(picture)
        stage = Group(*group)
        self.swap(stage, "code")
        self.play(FadeIn(column[0]), *(FadeIn(g) for g in group[1:]), run_time=0.8)
        mark = show.get("mark")
        if mark is not None and 0 <= mark < len(panel.code.code_lines):
            if "line" in self._can_point:
                self.point_at(line=panel.line(mark))
            self.play_or_wait("line", panel.highlight(mark))
        if len(column) > 1:
            self.play(FadeIn(column[1], shift=DOWN * 0.15), run_time=0.8)


def beat_method(entry: dict[str, Any]) -> Callable:
    kind = entry["show"].get("kind", "prose")

    def run(self: DraftedScene) -> None:
        if self.header not in self.mobjects:  # in the first beat: every frame belongs to a beat's slide
            self.play(FadeIn(self.header), run_time=0.6)
        self.subtitle_for(entry["show"])
        getattr(self, f"show_{kind}", DraftedScene.show_prose)(entry["show"])

    run.__name__ = entry["name"]
    return beat(entry["narration"])(run)


def load_draft(folder: Path) -> dict[str, Any]:
    data = json.loads((folder / DRAFT_FILE).read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{folder / DRAFT_FILE}: format {data.get('format')!r}, this tool reads format {FORMAT}; "
                         "draft it again with lecture new --from --force")
    return data


def drafted_scenes(module_file: str, module_name: str, engine: dict[str, type] | None = None) -> dict[str, type]:
    """The scene classes of the draft beside `module_file`: one per drafted scene (beats from the
    data), and a subclass of the engine's scene class `engine[id]` for each scene the engine animates
    (the lecture folder's module imports those: a widget imports no lecture)."""
    folder = Path(module_file).resolve().parent
    data = load_draft(folder)
    classes: dict[str, type] = {}
    for scene in data["scenes"]:
        name = class_name(scene["id"])
        if scene.get("engine"):
            if scene["engine"] not in (engine or {}):
                raise ValueError(f"{module_file}: draft.json's scene {scene['id']} is the engine's {scene['engine']} "
                                 "scene, which this module does not import; draft the lecture again with --force")
            classes[name] = type(name, (engine[scene["engine"]],), {"__module__": module_name})
            continue
        members: dict[str, Any] = {"__module__": module_name, "data": scene, "folder": folder, "alt_text": alt_text(scene)}
        members.update({entry["name"]: beat_method(entry) for entry in scene["beats"]})
        classes[name] = type(name, (DraftedScene,), members)
    return classes


def alt_text(scene: dict[str, Any]) -> str:
    kinds = [b["show"].get("kind") for b in scene["beats"]]
    shown = ", ".join(f"{kinds.count(k)} {k} beat{'s' if kinds.count(k) > 1 else ''}" for k in dict.fromkeys(kinds))
    return f"A drafted scene titled {scene['title']!r} with {shown}.".replace("{", "{{").replace("}", "}}")
