"""The graph scenes draw a formula's graph only when it fits readably (issue 24): up to MAX_GRAPH_NODES nodes and
MAX_GRAPH_INPUTS inputs; a larger one is refused before anything starts, in one line naming --expr."""
from __future__ import annotations

import pytest

from engine import trace
from engine.limits import MAX_GRAPH_INPUTS, MAX_GRAPH_NODES, graph_problem
from tests.in_process import run

TWELVE_NODES = ("(y - tanh(w*x + b))**2 + w*w", "w=-0.5,b=0.5,x=1,y=7")
LARGEST = ("(y - tanh(w1*x1 + w2*x2 + b))**2", "w1=0.5,w2=-0.3,x1=1,x2=2,b=0.1,y=1")  # 14 nodes, 6 inputs


def values(text: str) -> dict[str, float]:
    return {k: float(v) for k, v in (item.split("=") for item in text.split(","))}


@pytest.mark.parametrize("expr, given", [TWELVE_NODES, LARGEST])
def test_the_formulas_the_scenes_draw_are_accepted(expr, given):
    graph = trace(expr, requires_grad=tuple(values(given)), **values(given))
    assert len(graph.nodes) <= MAX_GRAPH_NODES and graph_problem(graph) is None


@pytest.mark.slow  # the refusal comes after the render host starts (a process)
@pytest.mark.parametrize("expr, given, message", [
    ("(a*b + c*d + e*f - y)**2 + exp(a)", "a=0.5,b=-0.3,c=1,d=2,e=0.2,f=0.7,y=1", "its graph has 17 nodes"),
    ("a+b+c+d+e+f+g", "a=1,b=1,c=1,d=1,e=1,f=1,g=1", f"the graph scenes show at most {MAX_GRAPH_INPUTS}"),
])
def test_a_graph_too_large_to_read_is_refused_in_one_line(tmp_path, expr, given, message):
    code, err = run("render", "backprop", "--expr", expr, "--values", given, "-q", "t", "--out", str(tmp_path / "out"))
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert lines[0].startswith("lecture: error: --expr ") and message in lines[0], lines
    assert not (tmp_path / "out").exists() or not any(p.is_file() for p in (tmp_path / "out").rglob("*"))
