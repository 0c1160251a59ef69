"""Every scene really renders (tiny size), its sidecar carries the engine's numbers, and its last
frame matches a golden image (a comparison that runs everywhere, unlike manim's frames_comparison,
which skips on the cairo of Debian 12). Set UPDATE_GOLDEN=1 to accept new goldens after a look."""
from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine import parse_function, trace
from engine.neuron import analytic_gradients, neuron_loss
from engine.notebook import NOTEBOOK_FUNCTION, NOTEBOOK_LEARNABLE, NOTEBOOK_NEURON
from lecture.output.frames import frames_at
from lecture.options.table import QUALITIES
from lecture.render.jobs import Job
from scenes.catalog import BY_ID, LECTURE
from scenes.kit.params import LectureParams
from tests.conftest import warm_text_caches

GOLDEN = Path(__file__).parent / "golden"
ALL = [*LECTURE, "optimizers"]


def sidecar(rendered: Path, scene_id: str) -> dict:
    return json.loads((rendered / f"{scene_id}.json").read_text())


@pytest.mark.parametrize("scene_id", ALL)
def test_sidecar_describes_the_clip(rendered, scene_id):
    data = sidecar(rendered, scene_id)
    assert data["scene"] == scene_id and data["title"] == BY_ID[scene_id].title
    shortest = 5 if scene_id == "title" else 15  # a title card is short; content clips roughly 20 to 60 s
    assert shortest <= data["duration_s"] <= 75, "a clip a lecturer can talk over"
    sections = data["sections"]
    assert len(sections) >= 2 and all(s["narration"] for s in sections)
    assert sections[0]["start"] == 0 and sections[-1]["end"] == pytest.approx(data["duration_s"], abs=0.01)
    for a, b in zip(sections, sections[1:]):
        assert a["end"] == pytest.approx(b["start"], abs=0.01)
    assert data["alt_text"] and "{" not in data["alt_text"]
    cue_text = [line for line in (rendered / f"{scene_id}.srt").read_text().splitlines()
                if line.strip() and not line.strip().isdigit() and "-->" not in line]
    captions = " ".join(" ".join(cue_text).split())  # cues break at clauses and lines at 42 characters
    assert all(s["narration"][:30] in captions for s in sections)


def test_backprop_values_are_the_engines(rendered):
    values = sidecar(rendered, "backprop")["values"]
    graph = trace(neuron_loss, requires_grad=NOTEBOOK_LEARNABLE, **NOTEBOOK_NEURON)
    expected = analytic_gradients(**NOTEBOOK_NEURON)
    assert values["prediction"] == graph.node("prediction").value == expected["prediction"] == 0.0
    assert values["loss"] == graph.output.value == 49.0
    assert values["dloss_dw"] == graph.node("w").grad == -14.0
    assert values["dloss_db"] == graph.node("b").grad == -14.0


def test_probe_ring_ends_where_it_begins():
    """The looping beat of gradient-field has no seam: the ring's last sample is its first."""
    from scenes.feedforward.probe import walk_probe

    path = walk_probe(parse_function(NOTEBOOK_FUNCTION), (-3, 3), (-3, 3))
    assert path.closed
    first, last = path.values(path.ring_start), path.values(len(path) - 1)
    assert first == pytest.approx(last, abs=1e-12)
    cut = walk_probe(parse_function("log(y)"), (-3, 3), (-3, 3))  # undefined for y <= 0: no full ring
    assert cut is not None and not cut.closed


def test_wrapped_lines_are_as_few_as_fit_and_even():
    from scenes.kit.base import balanced_lines

    words = "Gradient vectors only see their local values, not the whole landscape.".split()
    lines = balanced_lines(words, max_chars=30)
    assert " ".join(lines) == " ".join(words)
    assert len(lines) == 3 and max(map(len, lines)) <= 30  # filling greedily takes three lines too
    assert max(map(len, lines)) - min(map(len, lines)) <= 3  # greedy lines: 25, 27 and 16 characters
    assert balanced_lines("leaves the map at step 2".split(), max_chars=20) == ["leaves the", "map at step 2"]
    assert balanced_lines(["supercalifragilistic", "word"], max_chars=10) == ["supercalifragilistic", "word"]


def test_forward_graph_values(rendered):
    """Every node of the graph shows a value, and each is the engine's to the digits on screen; the
    printed prediction and loss and the declared tensors are the engine's too."""
    values = sidecar(rendered, "forward-graph")["values"]
    graph = trace(neuron_loss, requires_grad=NOTEBOOK_LEARNABLE, **NOTEBOOK_NEURON)
    shown = values["shown_values"]  # the LaTeX of each value label, by node
    assert sorted(shown) == sorted(n.name for n in graph.nodes)
    for node in graph.nodes:
        mantissa, _, exponent = shown[node.name].partition(r" \times 10^")
        number = float(mantissa) * 10 ** int(exponent.strip("{}") or 0)
        assert number == pytest.approx(node.value, rel=5e-4, abs=1e-12), (node.name, shown[node.name])
    assert shown["mul"] == "-0.5" and shown["add"] == shown["prediction"] == "0" and shown["loss"] == "49"
    assert values["prediction"] == graph.node("prediction").value and values["loss"] == graph.output.value
    assert {name: values[name] for name in NOTEBOOK_NEURON} == NOTEBOOK_NEURON


@pytest.mark.parametrize("scene_id", ALL)
def test_last_frame_matches_golden(rendered, scene_id):
    assert_matches_golden(rendered, scene_id)


def assert_matches_golden(rendered: Path, scene_id: str) -> None:
    """The clip's last frame (its poster PNG) against tests/golden/<scene>.png; UPDATE_GOLDEN=1 accepts it."""
    frame = np.asarray(Image.open(rendered / f"{scene_id}.png").convert("RGB"), dtype=np.int16)
    golden_path = GOLDEN / f"{scene_id}.png"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        shutil.copyfile(rendered / f"{scene_id}.png", golden_path)
    assert golden_path.exists(), f"no golden frame for {scene_id}; render, look at it, then UPDATE_GOLDEN=1"
    golden = np.asarray(Image.open(golden_path).convert("RGB"), dtype=np.int16)
    assert frame.shape == golden.shape
    diff = frame_difference(frame, golden)
    # Anti-aliasing moves a few edge pixels a little; a layout change moves many a lot.
    assert diff.mean() < 2.0 and (diff > 48).mean() < 0.01, f"{scene_id}: mean {diff.mean():.2f}, moved {(diff > 48).mean():.3%}"


def frame_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2)


# Scenes whose end depends on fades of groups whose parts were added one by one (title's card),
# fade-outs inside groups (chain-rule) and fades of whole stages (autograd-notes).
@pytest.mark.parametrize("scene_id", ["title", "chain-rule", "autograd-notes"])
def test_still_is_the_clips_last_frame(rendered, tmp_path, scene_id):
    """A still (what `lecture preview` draws) replaces fades and writes by their end states
    (lecture/manim_compat/renderer.py): it must show exactly what the clip ends on."""
    job = Job(scene_id, QUALITIES["t"], "still", False, LectureParams(), tmp_path / "out")
    warm_text_caches(rendered, tmp_path)  # the session's LaTeX and Pango SVGs: the same texts, not typeset again
    result = subprocess.run([sys.executable, "-m", "lecture.render.worker", json.dumps(job.payload(tmp_path / ".cache"))],
                            cwd=Path(__file__).parent.parent, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    still = np.asarray(Image.open(tmp_path / "out" / f"{scene_id}.png").convert("RGB"))
    poster = np.asarray(Image.open(rendered / f"{scene_id}.png").convert("RGB"))  # the clip's last drawn frame
    clip_end = np.asarray(frames_at(rendered / f"{scene_id}.mp4", [math.inf])[0].convert("RGB"))
    assert still.shape == poster.shape == clip_end.shape
    # A mobject left on or missing moves 0.5-6.5% of the pixels (measured with such a bug); the
    # still and the poster are both drawn losslessly, the clip's frame went through x264 (its
    # colours shift by a few levels everywhere, more at sharp edges).
    for name, frame in (("the poster", poster), ("the clip's last frame", clip_end)):
        moved = (frame_difference(still, frame) > 48).mean()
        assert moved < 0.002, f"{moved:.3%} of the pixels differ from {name}"
