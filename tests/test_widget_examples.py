"""The widget kit's docstring examples (scenes/widgets/): every widget has one, and each renders as written.

A widget's class docstring ends with `Example (rendered by tests/test_widget_examples.py)::` and a whole
scene a lecturer can copy. All examples are written into one file and rendered by stock manim in one
process (the last frame of each, at 192x108): an example that no longer runs, or draws nothing, fails here.
"""
from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
WIDGETS = ROOT / "scenes" / "widgets"
MARK = "Example (rendered by tests/test_widget_examples.py)::"
MOBJECT_BASES = {"VGroup", "Group", "VMobject", "Mobject"}


def widget_classes() -> list[tuple[Path, ast.ClassDef]]:
    """Every public class of scenes/widgets/ that is a mobject (the scene bases are not widgets)."""
    found = []
    for path in sorted(WIDGETS.glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            bases = {getattr(b, "id", getattr(b, "attr", "")) for b in getattr(node, "bases", [])}
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_") and bases & MOBJECT_BASES:
                found.append((path, node))
    return found


def example_of(node: ast.ClassDef) -> str | None:
    doc = ast.get_docstring(node, clean=False) or ""
    return textwrap.dedent(doc.split(MARK, 1)[1]).strip() + "\n" if MARK in doc else None


def test_every_widget_has_an_example():
    missing = [f"{path.name}: {node.name}" for path, node in widget_classes() if example_of(node) is None]
    assert not missing, f"widgets without a docstring example: {missing}"


@pytest.mark.slow
def test_every_example_renders_a_picture(tmp_path):
    examples = {node.name: example_of(node) for _, node in widget_classes()}
    source = "\n\n".join(examples.values())
    scenes = [n.name for n in ast.parse(source).body if isinstance(n, ast.ClassDef)]
    assert len(scenes) == len(examples), "each example defines one scene"
    (tmp_path / "examples.py").write_text(source)
    result = subprocess.run([sys.executable, "-m", "manim", "render", "-s", "-r", "192,108", "--disable_caching",
                             "--media_dir", str(tmp_path / "media"), str(tmp_path / "examples.py"), *scenes],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for scene in scenes:
        (png,) = (tmp_path / "media" / "images" / "examples").glob(f"{scene}*.png")
        pixels = np.asarray(Image.open(png).convert("L"), dtype=float)
        assert (pixels > 60).mean() > 0.003, f"{scene}'s last frame is nearly empty"  # a lone node lights 0.7%
