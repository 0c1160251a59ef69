"""An example scene of this lecture: copy it for more scenes, and list each in lecture.toml's [[scenes]].

How scenes are written: the tool's docs/writing-scenes.md; this folder's format: docs/lecture-folders.md.
Render it with `lecture render {scene_id} -q l`, narrated with `--voice joe`; `lecture preview {scene_id}
--storyboard` shows the end of every beat.
"""
from __future__ import annotations

from manim import DOWN, FadeIn, LaggedStart

from engine import trace
from scenes.kit.base import LectureScene, beat
from scenes.kit.formatting import short
from scenes.widgets.graph_diagram import GraphDiagram

FORMULA = "(w*x + b - y)**2"  # a squared error: one neuron's prediction w*x + b against the target y


class ExampleScene(LectureScene):
    alt_text = "The computational graph of the squared error (w x + b - y) squared, its value {loss} at the output."

    def construct(self) -> None:
        w = self.params.option("w")  # this lecture's own option: [options.w] in lecture.toml, `--set w=0.8`
        self.graph = trace(FORMULA, requires_grad=["w", "b"], w=w, b=0.5, x=1.0, y=2.0)
        self.record(w=short(w), loss=short(self.graph.output.value))  # numbers the narration and sidecar use
        top, bottom = self.content_area()
        self.diagram = GraphDiagram(self.graph, self.theme, 11, top - bottom).move_to(DOWN * 0.4)
        self.show_graph()
        self.show_loss()

    @beat("Each operation of the code is a node: the inputs on the left, and [the loss](loss) on the right.")
    def show_graph(self) -> None:
        self.play(FadeIn(self.heading(self.title)))
        self.point_at(loss=self.diagram.node(self.graph.output_name))  # lit while "the loss" is said
        self.play(LaggedStart(*(self.diagram.grow(n.name) for n in self.graph.forward_order()), lag_ratio=0.3),
                  run_time=2.5)

    @beat("With w at {w}, the values flow ^forward, and the loss comes out as {loss}.")
    def show_loss(self) -> None:
        self.play(*(self.diagram.show_value(n.name) for n in self.graph.nodes if n.kind != "op"))
        self.wait_until("forward")  # the marked word ^forward: the motion starts as it is said
        for node in (n for n in self.graph.forward_order() if n.kind == "op"):
            self.play(self.diagram.forward_into(node.name, run_time=1.0))
