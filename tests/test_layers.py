"""Each layer imports only the one before it: engine never imports manim, scenes never import lecture."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(folder: str) -> set[str]:
    names = set()
    for path in (ROOT / folder).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_engine_never_imports_manim_or_upper_layers():
    assert not imported_modules("engine") & {"manim", "manim_slides", "scenes", "lecture"}
    code = "import sys, engine, engine.neuron; sys.exit('manim' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_scenes_never_import_the_tool():
    assert "lecture" not in imported_modules("scenes")


def test_catalog_and_params_load_without_manim():
    code = "import sys, scenes.catalog, scenes.params; sys.exit('manim' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
