"""The layout the autograd scenes share: code top left, a side panel to its right, the graph below."""
from __future__ import annotations

import re
from typing import Iterable, Sequence

from manim import (DOWN, LEFT, RIGHT, UP, Animation, Arrow, FadeIn, FadeOut, Group, Mobject, Succession, Text, VGroup,
                   config)

from engine import Graph
from scenes.kit.base import LectureScene
from scenes.widgets.code_panel import CodePanel
from scenes.widgets.graph_diagram import COLUMN_GAP, GraphDiagram, leaf_shape
from scenes.kit.theme import Theme

PANEL_GAP = 0.35  # between the code, the side panel and the graph
ROOM_SHARE, ROOM_GROWTH = 0.6, 2.5  # a side panel grown into the room beside the code: this share of it, at most this much


def legend_row(theme: Theme, icon: Mobject, text: str, color: str, size: float) -> VGroup:
    label = Text(text, font=theme.font, font_size=size, color=color)
    return VGroup(icon.scale_to_fit_height(label.height * 1.5), label).arrange(RIGHT, buff=0.2)


class CodeScene(LectureScene):
    """Shared layout of the autograd scenes: code top left, a side panel top right, the graph below.

    The graph scenes' printed output, legend and graph are drawn large (`text_role`, `graph_growth`) so
    they fill the frame and read at 480p. The code stays at `small_size`: pango wraps a line wider than
    the frame's pixel width, so at label size the longer lines wrap onto each other in a 192 px test frame."""

    text_role: str = "label_size"  # theme size of the printed output and the legend
    graph_growth: float = 1.35  # how much larger than its natural size the graph may be drawn, room allowing

    @property
    def text_size(self) -> float:
        return getattr(self.theme, self.text_role)

    @property
    def is_notebook(self) -> bool:
        return self.params.expr is None

    @property
    def left(self) -> float:
        return -config.frame_width / 2 + self.theme.margin

    @property
    def right(self) -> float:
        return config.frame_width / 2 - self.theme.margin

    def code_panel(self, lines: Sequence[str], max_width: float | None = None, top: float | None = None) -> CodePanel:
        panel = CodePanel(lines, self.theme, self.theme.small_size, max_width or (self.right - self.left) * 0.68)
        top = self.content_area()[0] if top is None else top
        return panel.move_to([self.left, top, 0], aligned_edge=LEFT + UP)

    def side_panel(self, rows: Sequence[Mobject], beside: Mobject) -> VGroup:
        """Rows stacked to the right of `beside`, top-aligned, shrunk to fit the space left."""
        group = VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.22)
        room = self.right - beside.get_right()[0] - PANEL_GAP
        if group.width > room:
            group.scale_to_fit_width(room)
        return group.move_to([beside.get_right()[0] + PANEL_GAP, beside.get_top()[1], 0], aligned_edge=LEFT + UP)

    def in_room_beside(self, mob: Mobject, beside: Mobject, share: float = ROOM_SHARE, most: float = ROOM_GROWTH) -> Mobject:
        """`mob` (a side panel) grown to `share` of the room right of `beside` (as tall as it), at most `most` times its
        size, and centred there: a short panel beside a tall code panel (an --expr of five inputs: six lines) would
        leave most of that room empty."""
        left, right = beside.get_right()[0] + PANEL_GAP, self.right
        top, bottom = beside.get_top()[1], beside.get_bottom()[1]
        factor = min(share * (right - left) / mob.width, share * (top - bottom) / mob.height, most)
        if factor > 1.0:
            mob.scale(factor)
        return mob.move_to([(left + right) / 2, (top + bottom) / 2, 0])

    def printed_lines(self, text: str, beside: Mobject, color: str | None = None) -> list[Text]:
        """`text` as the program prints it, broken after an item's "), " into lines that each fit the side panel's room
        beside `beside` at the output's size (a long `next_functions` tuple would otherwise shrink the whole panel
        below the smallest readable size); a continuation is indented by a space, as pprint does."""
        room = self.right - beside.get_right()[0] - PANEL_GAP
        lines, line = [], ""
        for piece in re.split(r"(?<=\), )", text):
            if line and self.output_text(line + piece.rstrip(), color).width > room:
                lines.append(line.rstrip())
                line = " " + piece.lstrip()
            else:
                line += piece
        return [self.output_text(l, color) for l in lines + [line]]

    def diagram_below(self, graph: Graph, above: Mobject, captions: dict[str, str] | None = None,
                      reserve: float = 0.0, column_gap: float = COLUMN_GAP[1]) -> GraphDiagram:
        """The graph in the box between `above` and the bottom margin (less `reserve` kept free under it), full width,
        its columns at most `column_gap` apart (a graph of few columns: more, so it spreads across the frame)."""
        top, bottom = above.get_bottom()[1] - PANEL_GAP, self.content_area()[1] + reserve
        diagram = GraphDiagram(graph, self.theme, self.right - self.left, top - bottom, captions,
                               grow=self.graph_growth, column_gap=column_gap)
        return diagram.move_to([(self.left + self.right) / 2, (top + bottom) / 2, 0])

    def legend(self, kind: str) -> VGroup:
        """One legend row: 'learnable', 'constant' or 'value'."""
        t, size = self.theme, self.text_size
        if kind == "learnable":
            return legend_row(t, leaf_shape(t, t.learnable, ringed=True), "requires_grad=True", t.learnable, size)
        if kind == "constant":
            return legend_row(t, leaf_shape(t, t.constant, ringed=False), "constant", t.constant, size)
        arrow = Arrow(LEFT * 0.25, RIGHT * 0.25, buff=0, color=t.forward, stroke_width=4, tip_length=0.15)
        return VGroup(arrow, Text("value, flowing forward", font=t.font, font_size=size, color=t.forward)).arrange(RIGHT, buff=0.2)

    def play_until(self, mark: str | None, *animations: Animation, **kwargs) -> None:
        """Play now and, narrated, last until bookmark `mark` is spoken (the end of the beat's speech when
        None): for a motion that goes with several clauses. At least half its own run time (never a jolt);
        silent, its own run time."""
        if self.speech is None:
            return self.play(*animations, **kwargs)
        compiled = self.compile_animations(*animations, **kwargs)
        until = self._beat_start + (self.speech.marks[mark] if mark else self.speech.duration)
        self.play(*compiled, run_time=max(until - self.now, 0.5 * self.get_run_time(compiled)))

    @staticmethod
    def steps(*animations: Animation) -> Animation:
        """Several motions one after the other, played (and paced) as one; each adds what it shows when it starts."""
        return Succession(*animations, introducer=True)

    def show_heading(self) -> Animation:
        self.header = self.heading(self.title)
        return FadeIn(self.header)

    def output_text(self, text: str, color: str | None = None) -> Text:
        """A line the program prints, in the code font."""
        return Text(text, font=self.theme.code_font, font_size=self.text_size, color=color or self.theme.text)

    def clear_stage(self, keep: Iterable[Mobject] = ()) -> Animation:
        """Fade out everything on screen except `keep` (the heading, a diagram that stays...), as one group."""
        kept = set()
        for m in keep:
            kept.update(m.get_family())
        return FadeOut(Group(*[m for m in self.mobjects if m not in kept]))

    def keep_inside(self, mob: Mobject) -> Mobject:
        """Shift sideways so it stays within the margins."""
        if mob.get_right()[0] > self.right:
            mob.shift(LEFT * (mob.get_right()[0] - self.right))
        if mob.get_left()[0] < self.left:
            mob.shift(RIGHT * (self.left - mob.get_left()[0]))
        return mob

    def record_graph(self, graph: Graph) -> None:
        values = {"loss": graph.output.value}
        if "prediction" in {n.name for n in graph.nodes}:
            values["prediction"] = graph.node("prediction").value
        for n in graph.nodes:
            if n.learnable:
                values[f"dloss_d{n.name}"] = n.grad
        self.record(**values)
