"""Part 1 across the options users reach (issues 24 and 26): what is allowed lays out cleanly, what cannot be
drawn readably is refused up front in one line, and the 3-D surface has cells where it bends."""
from __future__ import annotations

import numpy as np
import pytest

from engine.expression import parse_function
from engine.field import evaluate_on_grid
from scenes.widgets.surface import MAX_MESH_CELLS, MESH_BEND, MESH_CELLS, mesh_cells


def miss(f, lo: float, hi: float, cells: int) -> float:
    """The mesh's largest miss at its cells' centres (98th percentile), as a share of the height range."""
    z = evaluate_on_grid(f, *(np.linspace(lo, hi, 2 * cells + 1),) * 2).z
    corners = (z[:-2:2, :-2:2] + z[:-2:2, 2::2] + z[2::2, :-2:2] + z[2::2, 2::2]) / 4
    off = np.abs(z[1::2, 1::2] - corners)
    return float(np.quantile(off[np.isfinite(off)], 0.98)) / float(np.nanmax(z) - np.nanmin(z))


@pytest.mark.parametrize("formula, lo, hi, least", [("x**2 + 3*y**2", -3, 3, 24), ("(1-x)**2 + 100*(y-x**2)**2", -2, 2, 24),
                                                    ("x**2 + 3*y**2", -3, 3, MESH_CELLS)])
def test_a_bowl_keeps_the_least_cells(formula, lo, hi, least):
    assert mesh_cells(parse_function(formula), (lo, hi), (lo, hi), least=least) == least


def test_ripples_get_cells_until_the_mesh_misses_by_at_most_the_bend():
    """sin(x² + y²), the field scene's own: at 48 cells its ridges' outlines showed teeth a cell wide (the mesh missed
    the surface by 4.7% of its height); it now gets about twice the cells, within the bend, under the cap."""
    f = parse_function("sin(x**2 + y**2)")
    assert miss(f, -3, 3, MESH_CELLS) > 4 * MESH_BEND
    cells = mesh_cells(f, (-3, 3), (-3, 3))
    assert MESH_CELLS < cells <= MAX_MESH_CELLS
    assert miss(f, -3, 3, cells) <= 1.1 * MESH_BEND


def test_cells_are_capped_and_undefined_or_flat_surfaces_keep_the_least():
    assert mesh_cells(parse_function("sin(20*x)*y"), (-3, 3), (-3, 3)) == MAX_MESH_CELLS
    assert mesh_cells(parse_function("1 + 0*x"), (-3, 3), (-3, 3)) == MESH_CELLS
    assert MESH_CELLS <= mesh_cells(parse_function("log(x) + y"), (-3, 3), (-3, 3)) <= MAX_MESH_CELLS


# --- --function: shown beside a map, readable, or refused up front ----------------------------------------------------
from engine.expression import latex_glyphs  # noqa: E402
from engine.limits import MAX_SHOWN_FORMULA, shown_formula_problem  # noqa: E402
from tests.in_process import run  # noqa: E402

REALISTIC = "sin(x**2+y**2)*exp(-(x**2+y**2)/8)+0.1*x*y"  # 42 characters: lays out with no finding (lecture check)
TOO_WIDE = "tanh(x)*tanh(y)+tanh(x+y)+tanh(x-y)"  # 35 characters, 7.2 units at 28 pt: under 22 pt in the field's column


@pytest.mark.parametrize("latex, glyphs", [("x^{2} + 3y^{2}", 6.2), (r"\sin\left(x\right)", 5.2), (r"\frac{x}{1 + y^{2}}", 4.9),
                                           (r"\sigma\left(x\right) \cdot \pi", 5.6), (r"\operatorname{ReLU}\left(x\right)", 6.2)])
def test_a_formula_is_measured_in_typeset_characters(latex, glyphs):
    assert latex_glyphs(latex) == pytest.approx(glyphs)


@pytest.mark.parametrize("formula", ["sin(x**2 + y**2)", "x**2 + 3*y**2", "(1-x)**2 + 100*(y-x**2)**2", "x**4 - 3*x*y + y**2",
                                     REALISTIC])
def test_the_lectures_and_realistic_formulas_are_shown(formula):
    assert shown_formula_problem(parse_function(formula).shown_width) is None


def test_a_formula_too_wide_to_read_beside_the_map_is_refused():
    problem = shown_formula_problem(parse_function(TOO_WIDE).shown_width)
    assert problem.startswith(f"the scenes show the formula beside a map, readable up to about {MAX_SHOWN_FORMULA:g}")
    assert "this one is about 35" in problem


@pytest.mark.slow  # the refusal comes after the render host starts (a process)
@pytest.mark.parametrize("scene", ["gradient-field", "gradient-descent", "optimizers"])
def test_a_formula_too_wide_is_refused_in_one_line(tmp_path, scene):
    code, err = run("render", scene, "--function", TOO_WIDE, "-q", "t", "--out", str(tmp_path / "out"))
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert lines[0].startswith("lecture: error: --function ") and "readable up to about" in lines[0], lines
    assert not (tmp_path / "out").exists() or not any(p.is_file() for p in (tmp_path / "out").rglob("*"))


# --- --expr: every input given is drawn with its gradient ------------------------------------------------------------
from engine import trace  # noqa: E402
from engine.limits import MAX_GRAPH_NODES, graph_problem  # noqa: E402


def test_an_input_the_formula_does_not_use_is_refused():
    """The only way to 6 inputs in 10 nodes: a*b + c*d + e with f=2 given too. f was drawn unconnected and backprop
    failed on its gradient (None); it is refused, so 6 inputs take at least 11 nodes, over MAX_GRAPH_NODES."""
    graph = trace("a*b + c*d + e", a=0.5, b=2.0, c=1.5, d=-1.0, e=3.0, f=2.0)
    assert len(graph.nodes) == MAX_GRAPH_NODES
    assert graph_problem(graph) == ("the formula does not use f; the graph scenes draw every input given in --values "
                                    "with its gradient: give only the formula's inputs")
    assert graph_problem(trace("a*b + c*d + e", a=0.5, b=2.0, c=1.5, d=-1.0, e=3.0)) is None


@pytest.mark.slow  # the refusal comes after the render host starts (a process)
def test_an_unused_input_is_refused_in_one_line(tmp_path):
    code, err = run("render", "backprop", "--expr", "a*b + c*d + e", "--values", "a=0.5,b=2,c=1.5,d=-1,e=3,f=2",
                    "-q", "t", "--out", str(tmp_path / "out"))
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "the formula does not use f" in lines[0], err
