"""`lecture render --plain` draws with stock manim, and the project's renderer (lecture/manim_compat/)
draws the same frames; on another manim the seam refuses in one line and `--plain` still renders."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageFilter

from tests.conftest import ROOT, run_lecture, warm_text_caches
from lecture.manim_compat import WRITTEN_FOR, version_problem
from scenes.catalog import LECTURE

# The tolerance, on frames blurred by a 5x5 box (x264 noise and one-pixel edges average out there):
# every pixel within 48 levels, and at most 2% of them over 24. What is drawn differently on purpose:
# images resized instead of warped (resampling at the heatmaps' edges, measured up to 41 levels
# blurred, 1.1% of pixels over 24 in gradient-field), numbers as one path of the same glyphs, a fade
# of text on a panel as one picture (up to 11 levels). A missing or misplaced digit at this size
# differs by 80 or more blurred, a wrong fade opacity by more than 2% of the frame.
MAX_BLURRED_DIFFERENCE = 48
MAX_SHARE_OVER_24 = 0.02


@pytest.fixture(scope="session")
def plain(rendered: Path) -> Path:
    """Every scene rendered again with --plain, beside the suite's default render; LaTeX and Pango's
    SVGs are copied over from it (the same files stock manim would make), so only drawing is timed."""
    out = rendered.parent.parent / "plain"
    warm_text_caches(rendered, out)
    result = run_lecture("render", "all", "optimizers", "-q", "t", "--jobs", "2", "--out", str(out), "--plain")
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "tiny"


def video_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [np.asarray(f.to_image().filter(ImageFilter.BoxBlur(2)), dtype=int) for f in container.decode(video=0)]


@pytest.mark.parametrize("scene_id", [*LECTURE, "optimizers"])  # what the `rendered` fixture renders
def test_plain_render_draws_the_same_frames(rendered, plain, scene_id):
    ours, stock = video_frames(rendered / f"{scene_id}.mp4"), video_frames(plain / f"{scene_id}.mp4")
    assert len(ours) == len(stock) > 10
    for i, (a, b) in enumerate(zip(ours, stock)):
        diff = np.abs(a - b).max(axis=2)
        share = (diff > 24).mean()
        assert diff.max() <= MAX_BLURRED_DIFFERENCE and share <= MAX_SHARE_OVER_24, \
            f"{scene_id} frame {i}: blurred frames differ by up to {diff.max()}, {share:.2%} of pixels by more than 24"
    sidecar = json.loads((plain / f"{scene_id}.json").read_text())
    assert sidecar["plain"] is True and json.loads((rendered / f"{scene_id}.json").read_text())["plain"] is False
    assert sidecar["cache_key"] != json.loads((rendered / f"{scene_id}.json").read_text())["cache_key"]


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
