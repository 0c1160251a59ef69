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
