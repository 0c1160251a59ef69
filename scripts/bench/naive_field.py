"""The naive reference scene: stock manim, written plainly (rendered by `naive_scene.naive_worker`)."""
from __future__ import annotations

import numpy as np
from manim import (BLUE_E, DOWN, LEFT, RIGHT, UR, YELLOW, Arrow, ArrowVectorField, Create, DecimalNumber, Dot, FadeIn,
                   FadeOut, MathTex, Scene, Square, Text, ValueTracker, VGroup, Write, always_redraw, interpolate_color,
                   linear)

from engine.notebook import NOTEBOOK_ARROW_STEP, NOTEBOOK_PLOT_RANGE, fun_dz, fun_z
from scripts.bench.naive_scene import NAIVE_BEATS, NAIVE_SQUARES

lo, hi = NOTEBOOK_PLOT_RANGE
step = NOTEBOOK_ARROW_STEP
offset = LEFT * 3  # data (x, y) is drawn at offset + (x, y): a 6 x 6 plot on the left


def gradient(point: np.ndarray) -> np.ndarray:
    return np.array([*fun_dz(point[0] - offset[0], point[1] - offset[1]), 0.0])


class NaiveGradientField(Scene):
    """A straightforward gradient field, as one might first write it: the same function, ranges and beats as
    `gradient-field` (surface, arrows, a probe with live readouts, a closing line), with every beat scaled so
    the clip lasts `duration_s`. Per second of video it does what gradient-field does."""

    def __init__(self, duration_s: float) -> None:
        super().__init__()
        self.beat = {name: seconds * duration_s / sum(NAIVE_BEATS.values()) for name, seconds in NAIVE_BEATS.items()}

    def construct(self) -> None:
        formula, arrows = self.show_field()
        self.walk_probe(arrows)
        self.play(FadeIn(Text("Their length is the steepness.", font_size=28).next_to(formula, DOWN, buff=1)),
                  run_time=self.beat["lesson"])
        self.wait(self.beat["pause4"])

    def show_field(self) -> tuple[MathTex, ArrowVectorField]:
        side = (hi - lo) / NAIVE_SQUARES
        centres = np.linspace(lo + side / 2, hi - side / 2, NAIVE_SQUARES)
        heat = VGroup(*(Square(side, stroke_width=0, fill_opacity=1,
                               fill_color=interpolate_color(BLUE_E, YELLOW, (fun_z(x, y) + 1) / 2))
                        .move_to(offset + [x, y, 0]) for y in centres for x in centres))
        arrows = ArrowVectorField(lambda p: 0.12 * gradient(p), x_range=[lo + step + offset[0], hi - step + offset[0], step],
                                  y_range=[lo + step, hi - step, step])
        formula = MathTex(r"z = \sin(x^2 + y^2)").to_corner(UR)
        self.play(FadeIn(heat), run_time=self.beat["surface"])
        self.play(Write(formula), run_time=self.beat["formula"])
        self.wait(self.beat["pause1"])
        self.play(Create(arrows), run_time=self.beat["arrows"])
        self.wait(self.beat["pause2"])
        return formula, arrows

    def walk_probe(self, arrows: ArrowVectorField) -> None:
        t = ValueTracker(0.0)  # 0 -> 1: out from near the centre while turning half way round

        def probe() -> np.ndarray:
            angle, radius = np.pi * t.get_value(), 2.4 * min(1.0, 0.2 + t.get_value())
            return offset + radius * np.array([np.cos(angle), np.sin(angle), 0.0])

        def reading(k: int) -> float:
            x, y = (probe() - offset)[:2]
            return [x, y, float(fun_z(x, y)), *gradient(probe())[:2]][k]

        dot = always_redraw(lambda: Dot(probe(), color=YELLOW))
        arrow = always_redraw(lambda: Arrow(probe(), probe() + 0.3 * gradient(probe()), buff=0, color=YELLOW))
        readouts = VGroup(*(DecimalNumber(0, num_decimal_places=2) for _ in range(5)))
        readouts.arrange(DOWN, aligned_edge=LEFT).to_edge(RIGHT, buff=1.5)
        for k, readout in enumerate(readouts):
            readout.add_updater(lambda d, k=k: d.set_value(reading(k)))
        self.play(arrows.animate.set_opacity(0.3), FadeIn(dot), FadeIn(arrow), FadeIn(readouts), run_time=self.beat["probe"])
        self.play(t.animate.set_value(1), run_time=self.beat["walk"], rate_func=linear)
        self.wait(self.beat["pause3"])
        self.play(FadeOut(dot), FadeOut(arrow), FadeOut(readouts), arrows.animate.set_opacity(1), run_time=self.beat["leave"])

