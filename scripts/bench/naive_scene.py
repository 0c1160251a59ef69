"""The naive reference: a gradient field as one might first write it in manim, rendered with stock manim."""
from __future__ import annotations

import json
from typing import Any


NAIVE_SQUARES = 60  # per axis: 3,600 squares

NAIVE_DEFAULT_S = 4.0  # video length of the naive reference (the full beats, time-compressed)

# The naive scene's beats at full length (seconds), as in gradient-field (29.5 s): surface and formula,
# pause, arrows, pause, probe appears, probe walks, pause, probe leaves, lesson, pause.
NAIVE_BEATS = {"surface": 1.5, "formula": 1.5, "pause1": 1.0, "arrows": 2.5, "pause2": 1.0, "probe": 1.2,
               "walk": 17.3, "pause3": 1.0, "leave": 1.0, "lesson": 1.0, "pause4": 1.0}

def naive_scene_class(duration_s: float) -> type:
    """A straightforward gradient field, as one might first write it: the same function, ranges and
    beats as `gradient-field` (surface, arrows, a probe with live readouts, a closing line), with every
    beat scaled so the clip lasts `duration_s`. Per second of video it does what gradient-field does."""
    import numpy as np
    from manim import (BLUE_E, DOWN, LEFT, RIGHT, UR, YELLOW, Arrow, ArrowVectorField, Create, DecimalNumber, Dot,
                       FadeIn, FadeOut, MathTex, Scene, Square, Text, ValueTracker, VGroup, Write, always_redraw,
                       interpolate_color, linear)

    from engine.notebook import NOTEBOOK_ARROW_STEP, NOTEBOOK_PLOT_RANGE, fun_dz, fun_z

    lo, hi = NOTEBOOK_PLOT_RANGE
    step = NOTEBOOK_ARROW_STEP
    offset = LEFT * 3  # data (x, y) is drawn at offset + (x, y): a 6 x 6 plot on the left
    beat = {name: seconds * duration_s / sum(NAIVE_BEATS.values()) for name, seconds in NAIVE_BEATS.items()}

    def gradient(point: np.ndarray) -> np.ndarray:
        return np.array([*fun_dz(point[0] - offset[0], point[1] - offset[1]), 0.0])

    class NaiveGradientField(Scene):
        def construct(self) -> None:
            side = (hi - lo) / NAIVE_SQUARES
            centres = np.linspace(lo + side / 2, hi - side / 2, NAIVE_SQUARES)
            heat = VGroup(*(Square(side, stroke_width=0, fill_opacity=1,
                                   fill_color=interpolate_color(BLUE_E, YELLOW, (fun_z(x, y) + 1) / 2))
                            .move_to(offset + [x, y, 0]) for y in centres for x in centres))
            arrows = ArrowVectorField(lambda p: 0.12 * gradient(p), x_range=[lo + step + offset[0], hi - step + offset[0], step],
                                      y_range=[lo + step, hi - step, step])
            formula = MathTex(r"z = \sin(x^2 + y^2)").to_corner(UR)
            self.play(FadeIn(heat), run_time=beat["surface"])
            self.play(Write(formula), run_time=beat["formula"])
            self.wait(beat["pause1"])
            self.play(Create(arrows), run_time=beat["arrows"])
            self.wait(beat["pause2"])

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
            self.play(arrows.animate.set_opacity(0.3), FadeIn(dot), FadeIn(arrow), FadeIn(readouts), run_time=beat["probe"])
            self.play(t.animate.set_value(1), run_time=beat["walk"], rate_func=linear)
            self.wait(beat["pause3"])
            self.play(FadeOut(dot), FadeOut(arrow), FadeOut(readouts), arrows.animate.set_opacity(1), run_time=beat["leave"])
            self.play(FadeIn(Text("Their length is the steepness.", font_size=28).next_to(formula, DOWN, buff=1)),
                      run_time=beat["lesson"])
            self.wait(beat["pause4"])

    return NaiveGradientField

def naive_worker(spec: dict[str, Any]) -> None:
    """Subprocess entry (`--naive-worker JSON`): render the naive scene with the worker's manim settings."""
    from manim import tempconfig

    settings = {"media_dir": spec["media_dir"], "pixel_width": spec["width"], "pixel_height": spec["height"],
                "frame_rate": spec["fps"], "format": "mp4", "output_file": "naive", "write_to_movie": True,
                "progress_bar": "none", "verbosity": "WARNING", "notify_outdated_version": False}
    with tempconfig(settings):
        scene = naive_scene_class(spec["duration_s"])()
        scene.render()
        print("RESULT " + json.dumps({"files": [str(scene.renderer.file_writer.movie_file_path)]}), flush=True)
