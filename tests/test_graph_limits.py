"""The graph scenes draw a formula's graph only when it fits readably (issue 24): up to MAX_GRAPH_NODES nodes and
MAX_GRAPH_INPUTS inputs; a larger one is refused before anything starts, in one line naming --expr."""
from __future__ import annotations

import pytest

from engine import trace
from engine.limits import MAX_GRAPH_INPUTS, MAX_GRAPH_NODES, graph_problem
from tests.in_process import run

NOTEBOOKS = ("(y - tanh(w*x + b))**2", "w=-0.5,b=0.5,x=1,y=7")  # 10 nodes: the lecture's own
LARGEST = ("(a*b + c*d)*e + a", "a=1,b=2,c=-1,d=0.5,e=3")  # 10 nodes, 5 inputs: `lecture check` finds no small number


def values(text: str) -> dict[str, float]:
    return {k: float(v) for k, v in (item.split("=") for item in text.split(","))}


@pytest.mark.parametrize("expr, given", [NOTEBOOKS, LARGEST])
def test_the_formulas_the_scenes_draw_are_accepted(expr, given):
    graph = trace(expr, requires_grad=tuple(values(given)), **values(given))
    assert len(graph.nodes) == MAX_GRAPH_NODES and graph_problem(graph) is None


def test_one_node_more_is_refused_for_its_size():
    graph = trace("(a*b + c*d)*(a - d) + b*c", a=1.0, b=2.0, c=-1.0, d=0.5)  # 11 nodes: numbers at 19.5 pt
    assert graph_problem(graph).startswith(f"its graph has 11 nodes; the graph scenes draw at most {MAX_GRAPH_NODES}")


@pytest.mark.slow  # the refusal comes after the render host starts (a process)
@pytest.mark.parametrize("expr, given, message", [
    ("(a*b + c*d - y)**2 + exp(a)", "a=0.5,b=-0.3,c=1,d=2,y=1", "its graph has 13 nodes"),
    ("a+b+c+d+e+f+g", "a=1,b=1,c=1,d=1,e=1,f=1,g=1", f"the graph scenes show at most {MAX_GRAPH_INPUTS}"),
])
def test_a_graph_too_large_to_read_is_refused_in_one_line(tmp_path, expr, given, message):
    code, err = run("render", "backprop", "--expr", expr, "--values", given, "-q", "t", "--out", str(tmp_path / "out"))
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert lines[0].startswith("lecture: error: --expr ") and message in lines[0], lines
    assert not (tmp_path / "out").exists() or not any(p.is_file() for p in (tmp_path / "out").rglob("*"))


def test_a_notebook_computation_too_large_to_read_is_left_as_code():
    """A drafted lecture never asks the graph scenes for a graph they refuse: it keeps the code panel and says why."""
    from lecture.notebook.engine_scenes import engine_scenes

    cell = "\n".join(f"{n} = torch.tensor({v}, requires_grad=True)" for n, v in zip("abcd", (1.0, 2.0, -1.0, 0.5)))
    found, skipped = engine_scenes(cell + "\nout = (a*b + c*d)*(a - d) + b*c\n")
    assert found == [] and skipped == ["(a * b + c * d) * (a - d) + b * c on requires_grad tensors is not drawn as a graph: "
                                       f"its graph has 11 nodes; the graph scenes draw at most {MAX_GRAPH_NODES} (inputs, "
                                       "constants and operations) with numbers large enough to read: a shorter formula"]
    found, _ = engine_scenes(cell + "\nout = (a*b + c*d)*(a - d) + c\n")
    assert [f.scenes for f in found] == [("forward-graph", "backprop")]
