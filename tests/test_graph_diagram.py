"""The backward motion's pieces on the notebook's graph: the lit edge points the way the gradient goes, and the
local derivative sits beside its edge, clear of every node and number (issue 26: nothing overlaps mid-motion).
Builds mobjects only (LaTeX, no rendering), so it is marked slow for its first-run LaTeX."""
from __future__ import annotations

import numpy as np
import pytest

from engine import trace
from engine.neuron import neuron_loss
from engine.notebook import NOTEBOOK_LEARNABLE, NOTEBOOK_NEURON
from scenes.kit.theme import DARK
from scenes.widgets.graph_diagram import GraphDiagram, _overlap

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def diagram() -> GraphDiagram:
    graph = trace(neuron_loss, requires_grad=NOTEBOOK_LEARNABLE, **NOTEBOOK_NEURON)
    return GraphDiagram(graph, DARK, 13.2, 4.3, grow=1.35)


def test_the_local_derivative_sits_beside_its_edge_clear_of_nodes_and_numbers(diagram):
    taken = diagram._taken_boxes()
    for edge in diagram.gradient_edges():
        arrow = diagram.arrow_of(edge)
        label, at = diagram.local_label(arrow, r"\times 1")
        centre, half = label.get_center()[:2], np.array([label.width / 2, label.height / 2])
        assert sum(_overlap(centre, half, box) for box in taken) == 0, (edge.source, edge.target)
        line = [arrow.point_from_proportion(t)[:2] for t in np.linspace(0, 1, 40)]
        inside = [p for p in line if np.all(np.abs(p - centre) < half)]
        assert not inside, f"the label of {edge.source} -> {edge.target} sits on its edge"


def test_the_lit_edge_points_back_to_the_source(diagram):
    edge = diagram.gradient_edges()[0]
    arrow = diagram.arrow_of(edge)
    lit = diagram.lit_backwards(arrow)
    head = lit[-1]
    assert np.linalg.norm(head.tip_point - arrow.get_start()) < 1e-6
    back = arrow.get_start() - arrow.get_end()
    forward_of_head = head.tip_point - head.base
    assert np.dot(back, forward_of_head) > 0


@pytest.mark.parametrize("height", [4.3, 3.6])
def test_a_graph_scaled_to_its_box_keeps_its_texts_readable(height):
    """issue 24: a graph scaled down to fit drew its names at 19-21 pt; names, symbols and numbers stay at 22 and up."""
    graph = trace(neuron_loss, requires_grad=NOTEBOOK_LEARNABLE, **NOTEBOOK_NEURON)
    diagram = GraphDiagram(graph, DARK, 13.2, height, grow=1.35)
    assert diagram.width <= 13.2 + 1e-6 and diagram.height <= height + 1e-6
    small = DARK.small_size - 0.5
    for node in diagram.nodes.values():
        assert node.symbol.font_size >= small, node.node.name
        if node.caption is not None:
            assert node.caption.font_size >= small, node.node.name
    assert diagram.value_label("loss")[1].font_size >= small


# --- beside the nodes, on short edges (issue 24: --expr graphs) ------------------------------------------------------
def box_of(mob) -> tuple[np.ndarray, np.ndarray]:
    return mob.get_center()[:2], np.array([mob.width / 2, mob.height / 2])


@pytest.fixture(scope="module")
def five_inputs() -> GraphDiagram:
    """sin(a*b + c*d)*e: the numbers go beside the nodes, and sin's value (-0.4794) is wider than its last edge has room for."""
    graph = trace("sin(a*b + c*d)*e", a=0.5, b=2.0, c=-1.0, d=1.5, e=2.0)
    diagram = GraphDiagram(graph, DARK, 13.2, 3.8, {graph.output_name: "loss"}, grow=1.35)
    assert diagram.beside
    return diagram


def test_a_value_on_a_short_edge_leaves_its_number_by_the_middle_of_its_way(five_inputs):
    """forward-graph: the copy of -0.4794 slid only 0.3 units along its 1.5-unit edge and lay over the number it left."""
    for name in "abcde":
        five_inputs.show_value(name)
    for op in ("mul", "mul_2", "add", "sin"):
        five_inputs.forward_into(op)
    source = five_inputs.shown_values["sin"]
    moves = five_inputs.forward_into("mul_3").animations[0].animations
    travel = next(m for m in moves if type(m).__name__ == "MoveAlongPath" and
                  np.allclose(m.path.get_start(), source.get_center()))
    half = np.array([travel.mobject.width / 2, travel.mobject.height / 2])
    for t in np.linspace(0.5, 1.0, 6):
        assert _overlap(travel.path.point_from_proportion(t)[:2], half, box_of(source)) == 0, t


def test_a_gradient_rides_under_its_edge_clear_of_the_values_over_it(five_inputs):
    """backprop: the gradient travelling back along a short edge passed over the source's value (0.961 over -0.5)."""
    diagram = five_inputs
    diagram.start_backward()
    values = {name: diagram.value_label(name) for name in diagram.nodes}
    for edge in diagram.gradient_edges():
        motion = diagram.backward_along(edge)
        for stage in (motion.animations[0], motion.animations[2]):
            travel = next(m for m in stage.animations if type(m).__name__ == "MoveAlongPath")
            half = np.array([travel.mobject.width / 2, travel.mobject.height / 2])
            for t in np.linspace(0.3, 0.7, 5):
                centre = travel.path.point_from_proportion(t)[:2]
                assert _overlap(centre, half, box_of(values[edge.source])) == 0, (edge.source, edge.target, t)
