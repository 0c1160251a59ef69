"""Each layer imports only the ones before it (engine <- scenes' kit <- widgets <- lectures <- the tool), and no
module imports itself back through others, at module level or inside a function."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

from lecture.studio.watch import imports_of, module_of

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(folder: str) -> set[str]:
    names = set()
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


@pytest.mark.slow
def test_engine_never_imports_manim_or_upper_layers():
    assert not imported_modules("engine") & {"manim", "manim_slides", "scenes", "lecture"}
    code = "import sys, engine, engine.neuron; sys.exit('manim' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_scenes_never_import_the_tool():
    assert "lecture" not in imported_modules("scenes")


@pytest.mark.slow
def test_catalog_and_params_load_without_manim():
    code = "import sys, scenes.catalog, scenes.kit.params; sys.exit('manim' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def project_imports() -> dict[str, set[str]]:
    """Every project module (engine, scenes, lecture) and the project modules it imports anywhere in it (read as
    the studio's watcher reads them), its own packages left out (`from lecture import UserError` in lecture.cli)."""
    files = {module_of(p, ROOT): p for package in ("engine", "scenes", "lecture") for p in (ROOT / package).rglob("*.py")}
    graph = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = {m for m in imports_of(path, set(files), package) if m != name and not name.startswith(m + ".")}
    return graph


def test_no_import_cycles():
    graph = project_imports()

    def reaches(start: str, goal: str) -> list[str] | None:
        stack, seen = [[start]], {start}
        while stack:
            path = stack.pop()
            for nxt in graph[path[-1]]:
                if nxt == goal:
                    return path + [goal]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(path + [nxt])
        return None

    cycles = [" -> ".join(cycle) for name in graph if (cycle := reaches(name, name))]
    assert not cycles, cycles[0]


def test_the_kit_imports_no_widget_and_no_lecture():
    """scenes/kit is what every lecture builds on; widgets build on the kit; a lecture folder on both."""
    for name, imports in project_imports().items():
        if name.startswith("scenes.kit"):
            assert not {i for i in imports if i.startswith(("scenes.widgets", "scenes.feedforward", "scenes.part2"))}, name
        if name.startswith("scenes.widgets"):
            assert not {i for i in imports if i.startswith(("scenes.feedforward", "scenes.part2"))}, name


def unexplained_local_imports(folders: tuple[str, ...]) -> list[str]:
    """Imports inside functions with no comment on them or on the import lines just above (docstring
    examples are strings, not imports, and are not counted)."""
    found = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            lines = path.read_text().split("\n")
            for function in ast.walk(ast.parse("\n".join(lines))):
                if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                for node in ast.walk(function):
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        above, explained = node.lineno - 1, False  # the import's own line, then the block above it
                        while above >= 0 and lines[above].strip().startswith(("from ", "import ", "#")):
                            if "#" in lines[above]:
                                explained = True
                                break
                            above -= 1
                        if not explained:
                            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return sorted(set(found))


def test_a_function_local_import_says_why_it_waits():
    """An import inside a function is there because a heavy module (torch, manim, av, PIL, piper) must
    wait until it is needed; each says so in a comment, on its line or its block's."""
    assert unexplained_local_imports(("engine", "scenes", "lecture")) == []
