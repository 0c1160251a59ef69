"""A code listing in the theme's colours with a bar behind the line being run."""
from __future__ import annotations

from typing import Sequence

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Animation, Code, Line, Mobject, Rectangle, VGroup

from scenes.kit.theme import Theme

MARKER_INSET = 0.03  # the bar's left edge sits just inside the listing's rounded background
# the bar's fill: on the light panel the highlight at 22% left green code text (#007020) at 4.1:1; at 12%, 4.7:1
BAR_OPACITY = {"light": 0.12}
DEFAULT_BAR_OPACITY = 0.22


class CodePanel(VGroup):
    """A listing in the theme's colours, with a bar behind the line being run.

    Example (rendered by tests/test_widget_examples.py)::

        from manim import Scene
        from scenes.kit.theme import DARK
        from scenes.widgets.code_panel import CodePanel

        class CodePanelExample(Scene):
            def construct(self):
                panel = CodePanel(["x = torch.tensor(2.0, requires_grad=True)", "y = x ** 2", "y.backward()"],
                                  DARK, DARK.small_size, max_width=10)
                self.add(panel)
                self.play(panel.highlight(1))  # the bar moves to the line being run
    """

    def __init__(self, lines: Sequence[str], theme: Theme, font_size: float, max_width: float):
        super().__init__()
        self.theme = theme
        self.code = Code(code_string="\n".join(lines), language="python", formatter_style=theme.code_style,
                         add_line_numbers=False, background="rectangle",
                         background_config={"fill_color": theme.panel, "stroke_color": theme.muted,
                                            "stroke_width": 1, "buff": 0.22, "corner_radius": 0.12},
                         paragraph_config={"font": theme.code_font, "font_size": font_size})
        if self.code.width > max_width:
            self.code.scale_to_fit_width(max_width)
        self.marker = self._marker_at(0).set_opacity(0)
        self.code.submobjects.insert(1, self.marker)  # above the background, under the text
        self.code.code_lines.set_z_index(1)  # under the text even when a paced motion re-adds the bar on top
        self.add(self.code)

    @property
    def bar_opacity(self) -> float:
        return BAR_OPACITY.get(self.theme.name, DEFAULT_BAR_OPACITY)

    def line(self, i: int) -> Mobject:
        return self.code.code_lines[i]

    def _line_centres(self) -> np.ndarray:
        """y of every line, on an even pitch fitted to the glyphs (descenders don't shift the bar)."""
        ys = np.array([line.get_center()[1] for line in self.code.code_lines])
        if len(ys) < 2:
            return ys
        slope, intercept = np.polyfit(np.arange(len(ys)), ys, 1)
        return intercept + slope * np.arange(len(ys))

    def _marker_at(self, i: int) -> Rectangle:
        ys = self._line_centres()
        pitch = abs(ys[1] - ys[0]) if len(ys) > 1 else self.code.code_lines[0].height * 1.6
        bg = self.code.background
        bar = Rectangle(width=bg.width - 0.08, height=pitch * 0.96, stroke_width=0,
                        fill_color=self.theme.highlight, fill_opacity=self.bar_opacity)
        edge = Line(UP * pitch * 0.48, DOWN * pitch * 0.48, stroke_color=self.theme.highlight, stroke_width=5)
        group = VGroup(bar, edge.next_to(bar, LEFT, buff=0).shift(RIGHT * MARKER_INSET))
        return group.move_to([bg.get_center()[0], ys[i], 0])

    def highlight(self, i: int) -> Animation:
        """Move the bar to line i (it fades in the first time)."""
        target = self._marker_at(i)
        target[0].set_fill(opacity=self.bar_opacity)
        target[1].set_stroke(opacity=1)
        return self.marker.animate.become(target)
