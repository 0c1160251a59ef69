"""`lecture render --plain` draws with stock manim, and the project's renderer (lecture/manim_compat/)
draws the same frames; on another manim the seam refuses in one line and `--plain` still renders."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import ROOT, run_lecture, warm_text_caches
from tests.frames import blurred_frames, frame_differences
from lecture.manim_compat import WRITTEN_FOR, version_problem

# The tolerance for "the same frames" is in tests/frames.py.


# One scene per seam module that changes how frames are drawn (lecture/manim_compat/; encoding.py writes
# every clip), and one of part 2: what the comparison needs, not the whole lecture again.
PLAIN_SCENES = {
    "title": "fades.py: the title card's text fades in and out as groups",
    "gradient-field": "renderer.py: the heatmaps' images resized, not warped; numbers.py: the probe's readouts",
    "chain-rule": "svgcache.py: MathTex and Text parsed once and pickled",
    "forward-graph": "layers.py: the still code and graph drawn once above the moving parts",
}
PLAIN_PART2 = {"mlp-forward": "part 2: the network and matrix widgets"}


@pytest.fixture(scope="session")
def plain(rendered: Path, rendered_part2: Path) -> dict[str, Path]:
    """PLAIN_SCENES and PLAIN_PART2 rendered again with --plain, beside the suite's default renders;
    LaTeX and Pango's SVGs are copied over from them (the same files stock manim would make), so only
    drawing is timed. Each scene id maps to (its stock clip's folder, the default render's folder)."""
    out = rendered.parent.parent / "plain"
    for session in (rendered, rendered_part2):
        warm_text_caches(session, out)
    folders = {}
    for lecture, scenes, session in (("feedforward", PLAIN_SCENES, rendered), ("part-2", PLAIN_PART2, rendered_part2)):
        result = run_lecture("render", "--lecture", lecture, *scenes, "-q", "t", "--jobs", "2", "--out", str(out), "--plain")
        assert result.returncode == 0, result.stdout + result.stderr
        folders |= {scene: (out / "tiny", session) for scene in scenes}
    return folders


@pytest.mark.parametrize("scene_id", [*PLAIN_SCENES, *PLAIN_PART2])
def test_plain_render_draws_the_same_frames(plain, scene_id):
    stock_folder, ours_folder = plain[scene_id]
    ours, stock = ours_folder / f"{scene_id}.mp4", stock_folder / f"{scene_id}.mp4"
    assert len(blurred_frames(ours)) > 10
    assert not (found := frame_differences(ours, stock)), f"{scene_id} " + "; ".join(found[:5])
    sidecar = json.loads((stock_folder / f"{scene_id}.json").read_text())
    ours_sidecar = json.loads((ours_folder / f"{scene_id}.json").read_text())
    assert sidecar["plain"] is True and ours_sidecar["plain"] is False
    assert sidecar["cache_key"] != ours_sidecar["cache_key"]


def test_a_mismatched_manim_is_named_with_what_to_do():
    assert version_problem(WRITTEN_FOR) is None
    problem = version_problem("0.19.0")
    assert problem and "\n" not in problem
    assert "manim 0.19.0 is installed" in problem and f"manim=={WRITTEN_FOR}" in problem
    assert "make setup" in problem and "--plain" in problem


@pytest.mark.slow
def test_on_another_manim_only_plain_renders(tmp_path):
    """A distribution record claiming manim 0.20.0 first on the path: what importlib.metadata reads,
    while the real manim still imports. The default render refuses before anything starts; --plain renders."""
    fake = tmp_path / "site"
    record = fake / "manim-0.20.0.dist-info"
    record.mkdir(parents=True)
    (record / "METADATA").write_text("Metadata-Version: 2.1\nName: manim\nVersion: 0.20.0\n")
    env_out = tmp_path / "out"
    env = os.environ | {"PYTHONPATH": str(fake)}
    refused = subprocess.run([sys.executable, "-m", "lecture", "render", "title", "-q", "t", "--out", str(env_out)],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lecture: error: manim 0.20.0 is installed"), refused.stderr
    assert "--plain" in lines[0] and not (env_out / "tiny" / "title.mp4").exists()
    plain = subprocess.run([sys.executable, "-m", "lecture", "render", "title", "-q", "t", "--plain", "--out", str(env_out)],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert Image.open(env_out / "tiny" / "title.png").size == (192, 108)
