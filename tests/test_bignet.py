"""Part 2 across the option space (issues 24 and 26): the largest networks --layers allows are drawn with
their numbers at the theme's smallest readable size or as colour maps, never smaller; what is larger is
refused up front with one line; training-run's points stand apart from its colour map in both themes.

Fast: the layout arithmetic (scenes/widgets/network_layout.py) for every allowed network, against the
theme's smallest size, without rendering. Slow: the parameter rows of training-step built (LaTeX) for
the largest networks, and one tiny render of the largest network through `lecture check`'s rules."""
from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.limits import MAX_LAYER_SIZE, MAX_LAYERS, layers_problem
from lecture.check.contrast import hex_rgb, ratio
from lecture.options.table import QUALITIES
from lecture.render.jobs import Job
from lecture.request import RenderRequest
from scenes.kit.theme import THEMES
from scenes.widgets.network_layout import Box, neuron_layout, picture_share, stage
from tests.conftest import SESSION_ENV, warm_text_caches
from tests.test_storyboard import assert_pictures_are_frames, render as render_worker

ROOT = Path(__file__).resolve().parents[1]
FRAME = Box(0, 0, 14 + 2 / 9, 8)
CONTENT = Box.spanning(-FRAME.width / 2 + 0.5, -3.5, FRAME.width / 2 - 0.5, 2.6)  # under the title band, margins kept
NUMBER = (0.8, 0.26)  # "-0.888" at the smallest size on its background patch (what NetworkDiagram measures)
SLACK = 0.5  # points under the smallest size `lecture check` lets pass (SIZE_SLACK, its text-size tolerance)
LARGEST = [(3, 6, 6, 6, 1), (6, 6, 6, 6, 6), (2, 6, 6, 6, 6), (6, 1, 6, 1, 6)]


def every_network():
    """Every allowed network of up to two hidden layers; of three, those whose sizes are 1, 4 or the largest
    (all 9,297 pass too, in 70 s on the loaded 2-core machine: too slow for the fast tier)."""
    sizes = range(1, MAX_LAYER_SIZE + 1)
    for count in range(3, MAX_LAYERS):
        yield from itertools.product(sizes, repeat=count)
    yield from itertools.product((1, 4, MAX_LAYER_SIZE), repeat=MAX_LAYERS)


def test_every_allowed_network_draws_its_numbers_at_the_smallest_size_or_as_colours():
    """The picture is never scaled below 1 (its numbers at the theme's smallest size, within the
    check's slack), so a column that cannot hold its numbers shows colours instead, never smaller digits."""
    smallest = min(t.small_size for t in THEMES.values())
    for layers in every_network():
        box = stage(CONTENT, 3.0, picture_share(layers, NUMBER[0], CONTENT.width)).picture
        layout = neuron_layout(layers, box, NUMBER)
        assert smallest * layout.scale >= smallest - SLACK, layers
        assert all(b.inside(box) for b in layout.boxes()), layers


def test_the_largest_networks_keep_numbers_where_they_fit():
    """3,6,6,6,1: numbers on the inputs, the output and the loss; the six-neuron columns are colours; and
    the picture takes most of its box's width (not squeezed into a fifth of the frame)."""
    layers = (3, 6, 6, 6, 1)
    box = stage(CONTENT, 3.0, picture_share(layers, NUMBER[0], CONTENT.width)).picture
    layout = neuron_layout(layers, box, NUMBER)
    assert layout.labelled == (True, False, False, False, True, True)
    xs = [column[0].x for column in layout.nodes]
    assert xs[-1] - xs[0] > 0.3 * FRAME.width


def test_more_than_the_largest_is_refused_with_one_line():
    assert layers_problem((MAX_LAYER_SIZE,) * MAX_LAYERS, "xor") is None
    for layers in [(MAX_LAYER_SIZE,) * (MAX_LAYERS + 1), (MAX_LAYER_SIZE + 1, 3, 1), (2, 3, MAX_LAYER_SIZE + 1)]:
        problem = layers_problem(layers, "xor")
        assert problem and "\n" not in problem, layers


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_training_runs_points_stand_apart_from_the_colour_map(theme):
    """A point is its ring in the constant colour inside a halo of the background: at either end of the map
    (output 0 and 1), the ring stands 3:1 (WCAG's non-text contrast) from the map, or from the halo while the
    halo stands 3:1 from the map."""
    t = THEMES[theme]
    dot, halo = hex_rgb(t.constant), hex_rgb(t.background)
    for end in (t.surface[0], t.surface[-1]):
        under = hex_rgb(end)
        assert max(ratio(dot, under), min(ratio(dot, halo), ratio(halo, under))) >= 3.0, (theme, end)


@pytest.mark.slow
@pytest.mark.parametrize("layers", [(3, 6, 6, 6, 1), (6, 6, 6, 6, 6)])
def test_training_steps_parameter_rows_read_at_the_smallest_size(layers):
    """Built, not rendered (LaTeX runs): every layer's W and b and their .grad in rows under the code, all at
    one scale at least the theme's smallest size, the largest as colour maps; inside their area."""
    from lecture.manim_compat import texnumbers
    from scenes.kit.theme import DARK
    from scenes.widgets.equation_rows import in_rows
    from scenes.widgets.network_diagram import Term

    texnumbers.install()
    rng = np.random.default_rng(0)
    values = (-0.888, 0.123, -0.0456)

    def terms(n_in: int, n_out: int, k: int, prefix: str = "") -> list:
        return [Term("weight", prefix + f"W_{{{k}}}", rng.choice(values, size=(n_out, n_in)), DARK.learnable),
                Term("bias", prefix + f"b_{{{k}}}", rng.choice(values, size=n_out), DARK.learnable)]

    pairs = list(zip(layers, layers[1:]))
    rows = [[terms(a, b, k + 1), terms(a, b, k + 1, r"\partial L / \partial ")] for k, (a, b) in enumerate(pairs)]
    area = Box.spanning(-6.6, -3.5, 6.6, 0.9)
    drawn, heat = in_rows(rows, area, DARK, DARK.label_size, 0.35, [b + 1.5 for _, b in pairs])
    assert min(eq.size for row in drawn for eq in row) >= DARK.small_size - SLACK
    assert heat[0] == {"weight", "bias"}  # six numbers a column do not fit four rows: colours
    assert len({eq.keys for row in drawn for eq in row if eq.heat}) == 1  # the maps' keys on all of them or on none
    for row in drawn:
        for eq in row:
            assert area.bottom - 1e-6 <= eq.get_bottom()[1] and eq.get_top()[1] <= area.top + 1e-6


def test_the_largest_network_passes_the_checks_text_rules(tmp_path, rendered_part2):
    """One tiny render (192x108, 5 fps) of training-step with --layers 3,6,6,6,1 through `lecture check`:
    no text under the smallest size, nothing off the frame, no texts over each other (it had 80 text-size
    findings, its tables at 8.1 pt). It takes the session's part-2 LaTeX and Pango SVGs (the texts the
    layers do not change): 73 -> 63 s of CPU. Then its storyboard (every play skipped, hundreds of numbers
    composed from glyphs, colour maps and keys): each picture is the clip's frame at that beat's end
    (tests/test_storyboard.py's measure), the check's LaTeX reused."""
    media, out, scene = tmp_path / "media", tmp_path / "check.json", "training-step"
    warm_text_caches(rendered_part2, media)
    result = subprocess.run([sys.executable, "-m", "lecture", "check", scene, "--lecture", "part-2",
                             "--layers", "3,6,6,6,1", "-q", "t", "--out", str(media), "--json", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=900, env=os.environ | SESSION_ENV)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    findings = json.loads(out.read_text())["findings"]
    assert not [f for f in findings if f["rule"] in ("text-size", "off-frame", "overlap")], findings
    (group,) = RenderRequest.resolve((scene,), {"lecture_id": "part-2", "layers": "3,6,6,6,1"}, quality="t", out=media).groups
    render_worker(Job(scene, QUALITIES["t"], "storyboard", False, group.params, tmp_path / "board"), media / ".cache")
    clips = media / "tiny"
    assert_pictures_are_frames(tmp_path / "board" / f"{scene}-storyboard.png", clips / f"{scene}.mp4",
                               clips / f"{scene}.json", scene)


@pytest.mark.slow
def test_every_colour_map_has_its_key_under_its_name():
    """Issue 26: a colour map that stands in for numbers says what its colours mean: under its name, a ramp of the
    theme's surface colours with the map's least value under its left end and its largest under its right, at the
    equation's size (never under the smallest), the numbers of two keys side by side apart."""
    from lecture.manim_compat import texnumbers
    from scenes.kit.formatting import short_tex
    from scenes.kit.theme import DARK
    from scenes.widgets.network_diagram import KEY_DIGITS, MatrixEquation, Term

    texnumbers.install()
    rng = np.random.default_rng(0)
    w, h = rng.normal(size=(6, 6)), np.tanh(rng.normal(size=6))
    eq = MatrixEquation([Term("W", "W_2", w, DARK.learnable), Term("h", "h_1", h, DARK.forward), "=",
                         Term("z", "z_2", w @ h, DARK.forward)], DARK, Box(0, 0, 12, 3), DARK.label_size, heat=["W", "h"])
    assert eq.size >= DARK.small_size - SLACK
    keys = {}
    for name in ("W", "h"):
        label = eq.label(name)
        lo, bar, hi = label[1]
        assert [lo.tex_string, hi.tex_string] == [short_tex(v, KEY_DIGITS) for v in (eq.terms[name].grid.min(), eq.terms[name].grid.max())]
        assert lo.get_top()[1] < bar.get_bottom()[1] and hi.get_top()[1] < bar.get_bottom()[1]  # under the ramp
        assert label[0].get_bottom()[1] > bar.get_top()[1]  # the ramp under the name
        keys[name] = label[1]
    assert keys["W"].get_right()[0] + 0.15 < keys["h"].get_left()[0]  # two keys read apart
    assert eq.shows(eq.terms["z"]) and not isinstance(eq.label("z"), type(eq.label("W")))  # numbers: a name alone


@pytest.mark.slow
def test_maps_without_room_for_their_keys_share_one_scale_and_one_key():
    """Issue 26: where a narrow equation's colour maps have no room for a key under each name (mlp-forward's W1 x + b1 = z1
    at 3,6,6,6,1), all its maps are drawn on one scale, from the least value they show to the largest (z's taking in h,
    which z turns into), and one key under the equation says so: its ends those two numbers, inside the equation's box,
    at the equation's size. Training-step's panels share a scale each the same way (`use_scale`)."""
    from lecture.manim_compat import texnumbers
    from scenes.kit.formatting import short_tex
    from scenes.kit.theme import DARK
    from scenes.widgets.equation_rows import keyed_equation
    from scenes.widgets.network_diagram import KEY_DIGITS, RAMP_STEPS, MatrixEquation, Term, surface_ramp

    texnumbers.install()
    rng = np.random.default_rng(0)
    w, b = rng.normal(size=(6, 3)), rng.normal(size=6)
    z = w @ np.ones(3) + b
    parts = [Term("W", "W_{1}", w, DARK.learnable), Term("in", "x", np.ones(3), DARK.constant), "+",
             Term("b", "b_{1}", b, DARK.learnable), "=", Term("z", "z_{1}", z, DARK.forward, filled=False)]
    box = Box(3.4, -2.0, 4.7, 2.6)  # the room under mlp-forward's code at 3,6,6,6,1
    eq = keyed_equation(parts, DARK, box, DARK.small_size, wrap=True, also={"z": np.tanh(z)})
    assert eq.heat and not eq.keys and eq.key is not None and eq.size >= DARK.small_size - SLACK
    maps = [name for name, t in eq.terms.items() if not eq.shows(t)]
    values = np.concatenate([eq.terms[n].grid.ravel() for n in maps] + ([np.tanh(z)] if "z" in maps else []))
    assert eq.shared == (values.min(), values.max())
    lo, _, hi = eq.key
    assert [lo.tex_string, hi.tex_string] == [short_tex(v, KEY_DIGITS) for v in eq.shared]
    assert box.left - 1e-6 <= eq.get_left()[0] and eq.get_right()[0] <= box.right + 1e-6
    assert box.bottom - 1e-6 <= eq.get_bottom()[1] and eq.get_top()[1] <= box.top + 1e-6
    assert eq.key.get_top()[1] < min(eq.label(n).get_bottom()[1] for n in eq.terms)  # under the equation
    ramp, (low, high) = surface_ramp(DARK.surface, RAMP_STEPS), eq.shared
    for name in maps:  # every square on the one scale: the least value shown is the ramp's first colour, the largest its last
        for (i, j), v in np.ndenumerate(eq.terms[name].grid):
            if eq.terms[name].filled:
                assert eq.cell(name, i, j).get_fill_color() == ramp[round((RAMP_STEPS - 1) * (v - low) / (high - low))]
    with pytest.raises(ValueError):  # an equation whose maps have their own keys keeps their own scales
        MatrixEquation(parts, DARK, Box(0, 0, 12, 5), DARK.label_size, heat=["W"]).use_scale((0.0, 1.0))
