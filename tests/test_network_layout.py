"""The network widget's geometry: for every network --layers allows, neurons and their numbers never
overlap and stay inside their box, and the matrix equations of every layer fit their panel."""
from __future__ import annotations

import itertools

import pytest

from engine.limits import MAX_LAYER_SIZE, MAX_LAYERS, MAX_SHOWN_ELEMENTS
from scenes.widgets.network_layout import (MAX_GROW, MOST_PICTURE_SHARE, PICTURE_SHARE, READABLE, Box, Matrix, Operator,
                                           bounding, equation_layout, neuron_layout, picture_share, shows_values, stage)

FRAME = Box(0, 0, 14 + 2 / 9, 8)  # manim's frame, in units
CONTENT = Box.spanning(-FRAME.width / 2 + 0.5, -3.5, FRAME.width / 2 - 0.5, 2.6)  # under the title band, margins kept
NUMBER = (0.8, 0.26)  # "-0.123" at small size on its background patch
CELL = (0.8, 0.3)
OP = Operator("+", 0.3, 0.3)
SIZES = range(1, MAX_LAYER_SIZE + 1)
# Every allowed network of up to two hidden layers, and the extremes of the deepest ones.
NETWORKS = [*itertools.product(SIZES, repeat=3), *itertools.product(SIZES, repeat=4),
            *[(n,) * MAX_LAYERS for n in SIZES], (1, 6, 1, 6, 1), (6, 1, 6, 1, 6), (2, 3, 1)]


def assert_apart(boxes: list[Box]) -> None:
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)


def test_box_overlap_and_inside():
    a = Box(0, 0, 2, 2)
    assert a.overlaps(Box(1.5, 0, 2, 2)) and not a.overlaps(Box(2, 0, 2, 2))  # touching is not overlapping
    assert a.overlaps(Box(2.05, 0, 2, 2), gap=0.1)
    assert Box(0, 0, 1, 1).inside(a) and not Box(0.6, 0, 1, 1).inside(a)
    assert bounding([Box(0, 0, 2, 2), Box(3, 1, 2, 2)]) == Box.spanning(-1, -1, 4, 2)


def test_stage_splits_the_content_without_overlap():
    s = stage(CONTENT, code_height=2.5)
    for part in (s.picture, s.code, s.equation):
        assert part.inside(CONTENT) and part.width > 5 and part.height > 2
    assert_apart([s.picture, s.code, s.equation])
    assert s.code.height == pytest.approx(2.5) and s.code.top == CONTENT.top


@pytest.mark.parametrize("layers", [(2, 3, 1), (3, 4, 4, 2)])
def test_the_lectures_networks_are_drawn_at_full_size(layers):
    layout = neuron_layout(layers, stage(CONTENT, 3.0).picture, NUMBER)
    assert layout.scale >= 1.0 - 1e-9 and all(layout.labelled)  # numbers at full size, or larger
    assert [len(c) for c in layout.nodes] == [*layers, 1]  # a column per layer, then the loss


def test_every_allowed_network_fits_without_overlap():
    for layers in NETWORKS:
        box = stage(CONTENT, 3.0, picture_share(layers, NUMBER[0], CONTENT.width)).picture
        layout = neuron_layout(layers, box, NUMBER)
        assert all(b.inside(box) for b in layout.boxes()), layers
        assert READABLE <= layout.scale <= MAX_GROW, layers  # the deepest, widest network still reads
        assert_apart(layout.boxes())
        xs = [column[0].x for column in layout.nodes]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)  # inputs left, the loss right


def test_a_column_too_tall_for_numbers_is_squeezed_and_unlabelled():
    box = stage(CONTENT, 3.0).picture
    big = MAX_SHOWN_ELEMENTS[0] * 4
    layout = neuron_layout((2, big, 1), box, NUMBER)
    assert layout.labelled == (True, False, True, True)
    assert all(b.inside(box) for b in layout.boxes())
    assert_apart(layout.boxes())


def test_the_largest_network_takes_the_width_it_needs_and_colours_its_tallest_columns():
    layers = (3, 6, 6, 6, 1)
    share = picture_share(layers, NUMBER[0], CONTENT.width)
    assert PICTURE_SHARE < share <= MOST_PICTURE_SHARE
    box = stage(CONTENT, 3.0, share).picture
    layout = neuron_layout(layers, box, NUMBER)
    assert layout.labelled == (True, False, False, False, True, True)  # numbers on the 3 inputs, the output and the loss
    assert layout.scale >= 1.0 - 1e-9 and bounding(layout.boxes()).width > 0.9 * box.width
    small = neuron_layout((2, 3, 1), stage(CONTENT, 3.0, picture_share((2, 3, 1), NUMBER[0], CONTENT.width)).picture, NUMBER)
    assert all(small.labelled)  # the lecture's own network keeps every number


def layer_equation(n_in: int, n_out: int) -> list:
    """W x + b = z, as the forward scene writes one layer."""
    return [Matrix("W", n_out, n_in), Matrix("x", n_in), Operator("+", 0.3, 0.3), Matrix("b", n_out),
            Operator("=", 0.3, 0.2), Matrix("z", n_out)]


def test_every_layer_equation_fits_its_panel():
    box = stage(CONTENT, 3.0).equation
    names = {n: (0.45, 0.3) for n in "Wxbz"}
    for n_in, n_out in itertools.product(SIZES, repeat=2):
        layout = equation_layout(layer_equation(n_in, n_out), box, dict.fromkeys(names, CELL), names)
        assert all(b.inside(box) for b in layout.boxes())
        assert_apart(layout.boxes())
        cells = [c for rows in layout.cells.values() for row in rows for c in row]
        assert_apart(cells)
        assert len(layout.cells["W"]) == n_out and len(layout.cells["W"][0]) == n_in
        assert all(c.inside(layout.frames[name]) for name, rows in layout.cells.items() for row in rows for c in row)
        assert layout.scale > (0.95 if max(n_in, n_out) <= 4 else 0.75), (n_in, n_out)  # 3,4,4,2 at full size


def test_a_name_wider_than_its_matrix_widens_its_place():
    box = Box(0, 0, 20, 5)
    names = {"W": (0.4, 0.3), "x": (2.0, 0.3), "b": (0.4, 0.3), "z": (0.4, 0.3)}
    layout = equation_layout(layer_equation(2, 3), box, dict.fromkeys(names, CELL), names)
    assert layout.labels["x"].width == pytest.approx(2.0 * layout.scale)
    assert_apart(list(layout.labels.values()))


def test_large_tensors_become_colour_maps_that_fit():
    rows, cols = MAX_SHOWN_ELEMENTS[0] + 1, 40
    assert shows_values(*MAX_SHOWN_ELEMENTS) and not shows_values(rows, 1) and not shows_values(1, cols)
    box = stage(CONTENT, 3.0).equation
    layout = equation_layout([Matrix("W", rows, cols), Matrix("x", cols), Operator("=", 0.3, 0.2), Matrix("z", rows)],
                             box, dict.fromkeys("Wxz", CELL), {n: (0.45, 0.3) for n in "Wxz"})
    assert not layout.shows_values("W") and not layout.shows_values("x")
    assert all(b.inside(box) for b in layout.boxes())
    assert_apart(layout.boxes())
    assert layout.frames["W"].height < box.height and layout.scale >= 1.0


def test_a_small_network_is_drawn_larger_but_no_more_than_max_grow():
    box = Box(0, 0, 30, 30)
    small = neuron_layout((1, 1, 1), box, NUMBER)
    assert small.scale == pytest.approx(MAX_GROW)
    assert all(b.inside(box) for b in small.boxes())


def test_each_matrix_gets_cells_as_wide_as_its_own_numbers():
    names = {n: (0.45, 0.3) for n in "Wxbz"}
    cells = {"W": (1.2, 0.3), "x": (0.3, 0.3), "b": (0.8, 0.3), "z": (0.8, 0.3)}
    layout = equation_layout(layer_equation(2, 3), Box(0, 0, 20, 5), cells, names)
    width = {n: layout.cells[n][0][0].width / layout.scale for n in cells}
    assert width == pytest.approx({n: w for n, (w, _) in cells.items()})


def test_a_wide_equation_breaks_before_its_equals_sign_when_that_draws_it_larger():
    parts = [Matrix("delta", 6), Matrix("hT", 1, 6), Operator("=", 0.3, 0.2), Matrix("grad", 6, 6)]
    names = {n: (0.45, 0.3) for n in ("delta", "hT", "grad")}
    box = Box(0, -1, 7.5, 5.5)
    one = equation_layout(parts, box, dict.fromkeys(names, CELL), names)
    two = equation_layout(parts, box, dict.fromkeys(names, CELL), names, equals="=")
    assert two.scale > one.scale
    assert two.frames["grad"].top < two.frames["delta"].bottom  # the result on the second line
    assert two.operators["="].x < two.frames["grad"].left
    for layout in (one, two):
        assert all(b.inside(box) for b in layout.boxes())
        assert_apart(layout.boxes())
    narrow = [Matrix("a", 1), Operator("=", 0.3, 0.2), Matrix("b", 1)]
    assert equation_layout(narrow, box, dict.fromkeys("ab", CELL), {"a": (0.3, 0.3), "b": (0.3, 0.3)}, equals="=").frames["a"].y == \
        pytest.approx(box.y, abs=0.3)  # fits on one line: stays on one
