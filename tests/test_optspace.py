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
