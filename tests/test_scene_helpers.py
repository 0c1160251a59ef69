"""The scenes' pure helpers, without a renderer: how numbers are written, what a descent run did,
the code the graph scenes show, where graph nodes go, and the probe's walk."""
from __future__ import annotations

import math

import numpy as np
import pytest

from engine import descend, parse_function, trace
from engine.notebook import NOTEBOOK_FUNCTION
from lecture.voice.pronounce import spoken
from scenes.kit import formatting
from scenes.feedforward.descent_runs import clamp, clip_segment, diverged_after, inside, judge, left_map_at, said_outcome
from scenes.feedforward.graph_code import graph_code, lecture_graph, torch_code
from scenes.widgets.graph_layout import column_rows, main_path
from scenes.kit.params import LectureParams
from scenes.feedforward.probe import ArrowScale, arrow_grid, longest_run, probe_stops, walk_probe
from scenes.kit.wording import said_list

BOX = ((-3.0, 3.0), (-3.0, 3.0))


# --- numbers ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, written", [(-14.0, "-14"), (49.0, "49"), (-0.5, "-0.5"), (2.95876, "2.959"),
                                            (-1e-9, "-1e-09"), (-0.0, "0"), (0.00001, "1e-05"), (math.inf, "inf")])
def test_short_is_what_a_lecturer_writes(value, written):
    assert formatting.short(value) == written


def test_short_tex_writes_powers_of_ten():
    assert formatting.short_tex(123456.0) == r"1.235 \times 10^{5}"
    assert formatting.short_tex(0.5) == "0.5"


@pytest.mark.parametrize("value, tex, text", [
    (12.5, "12.5", "12.5"), (1.2903, "1.29", "1.29"), (0.000831, "0.000831", "0.000831"), (49.0, "49.0", "49.0"),
    (0.0, "0.00", "0.00"), (1744.3, "1744", "1744"), (0.0000123, r"1.23 \times 10^{-5}", "1.23e-5"),
    (-250000.0, r"-2.50 \times 10^{5}", "-2.50e5")])
def test_a_counter_keeps_three_significant_digits(value, tex, text):
    assert formatting.counter_tex(value) == tex
    assert formatting.counter(value) == text


def test_a_counter_switches_to_powers_of_ten_outside_its_range():
    assert not formatting.in_powers_of_ten(0.0)
    assert formatting.in_powers_of_ten(9.99e-5) and not formatting.in_powers_of_ten(1e-4)
    assert formatting.in_powers_of_ten(1e5) and not formatting.in_powers_of_ten(99999.0)
    assert formatting.counter_parts(0.0000123) == ("1.23", -5)
    assert formatting.counter_places(0.000001) == 6  # never more than six places
    assert formatting.counter_places(math.nan) == 2


@pytest.mark.parametrize("value, span, tex", [(0.9999, 2.0, "1"), (0.0004, 1.0, "0"), (36.0, 36.0, "36"),
                                              (1234.4, 2000.0, "1{,}234"), (2.5e7, 3e7, r"2.5 \times 10^{7}"),
                                              (-0.00123, 0.001, "-0.00123")])
def test_colour_bar_numbers(value, span, tex):
    assert formatting.scale_tex(value, span) == tex


@pytest.mark.parametrize("value, digits, text", [(0.41997, 3, "0.42"), (0.000831, 2, "0.00083"), (1234.5, 3, "1234"),
                                                 (7.0612, 3, "7.06")])
def test_positional_never_writes_an_exponent(value, digits, text):
    assert formatting.positional(value, digits) == text


def test_the_voice_rounds_what_the_screen_writes():
    """A counter's digits, read aloud: rounded for the ear, powers of ten said as such."""
    assert spoken(formatting.counter(0.41997)) == "zero point four two"
    assert spoken(formatting.counter(0.0000123)) == "one point two three times ten to the minus five"
    assert spoken(formatting.short(-14.0)) == "minus fourteen"


# --- descent runs ----------------------------------------------------------------------------------
def test_clip_segment_keeps_the_part_inside_the_map():
    p, q = np.array([0.0, 0.0]), np.array([6.0, 0.0])
    a, b = clip_segment(p, q, BOX)
    assert a == pytest.approx([0, 0]) and b == pytest.approx([3, 0])
    assert clip_segment(np.array([4.0, 4.0]), np.array([5.0, 5.0]), BOX) is None  # wholly outside
    a, b = clip_segment(np.array([-4.0, -4.0]), np.array([4.0, 4.0]), BOX)  # through, both ends outside
    assert a == pytest.approx([-3, -3]) and b == pytest.approx([3, 3])
    assert inside(np.array([3.0, -3.0]), BOX) and not inside(np.array([3.01, 0.0]), BOX)
    assert clamp(np.array([10.0, -0.5]), BOX) == pytest.approx([3, -0.5])


def test_runs_are_judged_by_their_numbers():
    bowl = parse_function("x**2 + 3*y**2")
    good = judge(descend(bowl, (-2.5, 2.0), 0.1, 60, "sgd"), BOX, floor=0.0)
    slow = judge(descend(bowl, (-2.5, 2.0), 0.001, 20, "sgd"), BOX, floor=0.0)
    wild = descend(bowl, (-2.5, 2.0), 0.36, 20, "sgd")
    assert good.verdict == "converged" and good.left_at is None and good.final_value < 1e-3
    assert slow.verdict == "still far"
    assert judge(wild, BOX, floor=0.0).verdict == f"leaves the map at step {left_map_at(wild, BOX)}"
    assert said_outcome(good).startswith("converged, at f ")
    assert said_outcome(slow) == f"is still far from the bottom, at f {formatting.counter(slow.final_value)}"
    assert diverged_after(0) == "diverged on the first step" and diverged_after(1) == "diverged after 1 step"


def test_lists_as_said():
    assert said_list(["w"]) == "w"
    assert said_list(["w", "b"]) == "w and b"
    assert said_list(["a", "b", "c"]) == "a, b and c"
    assert said_list(["sgd converged", "adam is close"], "; ") == "sgd converged; and adam is close"


# --- the code and the layout of the graph scenes ----------------------------------------------------
def test_the_notebooks_code_creates_every_node_once():
    params = LectureParams()
    graph = lecture_graph(params)
    lines = graph_code(params, graph)
    assert [line.text for line in lines[:2]] == ["self.w = torch.tensor([w], requires_grad=True)",
                                                  "self.b = torch.tensor([b], requires_grad=True)"]
    created = [n for line in lines for n in line.nodes]
    assert sorted(created) == sorted(n.name for n in graph.nodes)  # each node on exactly one line
    assert "prediction" in lines[2].nodes and graph.output_name in lines[3].nodes


def test_a_formulas_code_declares_its_inputs_then_computes_the_loss():
    params = LectureParams(expr="(a*b + sin(a))**2", values={"a": 0.5, "b": 2.0}, learnable=("a", "b"))
    lines = graph_code(params, lecture_graph(params))
    assert [line.text for line in lines] == ["a = torch.tensor([0.5], requires_grad=True)",
                                             "b = torch.tensor([2.0], requires_grad=True)",
                                             "loss = (a*b + torch.sin(a))**2"]
    assert torch_code("sinh(x) + sin(x)") == "sinh(x) + torch.sin(x)"


def test_graph_layout_puts_the_main_path_on_one_row_and_nodes_apart():
    graph = lecture_graph(LectureParams())
    layer, rows, _ = column_rows(graph)
    path = main_path(graph)
    assert path[0] == graph.output_name and graph.node(path[-1]).kind == "input"
    spine = [rows[n] for n in path]
    assert max(spine) - min(spine) < 1e-4  # the spine is straight (pinned by a heavy weight, not exactly)
    for column in set(layer.values()):
        ys = sorted(rows[n] for n in rows if layer[n] == column)
        assert all(b - a >= 1 - 1e-6 for a, b in zip(ys, ys[1:]))  # a row apart
    for e in graph.edges:
        assert layer[e.source] < layer[e.target]  # left to right


# --- the probe -------------------------------------------------------------------------------------
def test_the_probe_walks_where_h_is_defined_and_stops_at_the_steepest_point():
    path = walk_probe(parse_function(NOTEBOOK_FUNCTION), (-3, 3), (-3, 3))
    stops = dict((kind, i) for i, kind in probe_stops(path))
    assert np.isfinite(path.z).all()
    assert path.magnitude[stops["steep"]] == path.magnitude[: path.ring_start + 1].max()
    assert longest_run(np.array([True, False, True, True, False])) == (2, 4)
    assert walk_probe(parse_function("log(-x**2 - 1)"), (-3, 3), (-3, 3)) is None  # undefined everywhere


def test_arrow_lengths_compress_only_when_arrows_would_be_specks():
    assert ArrowScale.for_magnitudes(np.linspace(1, 2, 50)).proportional
    specks = np.concatenate([np.full(80, 0.01), np.full(20, 10.0)])
    assert ArrowScale.for_magnitudes(specks).exponent < 1
    assert arrow_grid((-3, 3), (-1, 0), 0.5) == ((-2.5, 2.5), (-0.75, -0.25))


def test_formula_text_writes_powers_as_superscripts_and_the_voice_reads_them_back():
    from lecture.voice.pronounce import spoken
    from scenes.kit.formatting import formula_text
    assert formula_text("sin(x**2 + y**2)") == "sin(x² + y²)"
    assert formula_text("x**2 + 3*y**2") == "x² + 3y²"
    assert formula_text("(y - tanh(w*x + b))**2") == "(y - tanh(w·x + b))²"
    assert formula_text("y**-1 + x**0.5 + 2**x") == "y⁻¹ + x**0.5 + 2**x"  # only whole-number powers are raised
    assert "^" not in formula_text("x**(1/2)")  # a caret would be a bookmark in a narration
    assert spoken(formula_text("sin(x**2 + y**2)")) == spoken("sin(x**2 + y**2)") == "sine of x squared plus y squared"
    assert spoken(formula_text("x**2 + 3*y**2")) == "x squared plus 3y squared"  # the voice says "three y"
    assert spoken(formula_text("y**-1 + w*x")) == spoken("y**-1 + w*x")
