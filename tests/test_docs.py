"""The README and docs/ name only what exists: every relative link, every path of the repository and
every dotted name (`lecture.render.jobs.code_fingerprint`) they write in backticks. Read from the files
(no imports), so it runs in the fast tier."""
from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FOLDERS = ("lecture", "scenes", "engine", "tests", "scripts", "docs")
PATH = re.compile(rf"(?<![\w./<-])((?:{'|'.join(FOLDERS)})/[\w./-]*\w/?)")
DOTTED = re.compile(r"(?<![\w./\"])((?:lecture|scenes|engine)(?:\.\w+)+)")  # in quotes: a string (a logger's name), not a name
LINK = re.compile(r"\]\(([^)\s]+)\)")
FILE_ENDINGS = {"md", "py", "toml", "json", "srt", "vtt", "mp4", "mov", "webm", "gif", "png", "pdf", "pptx", "html", "onnx", "wav"}


def code_spans(text: str) -> list[str]:
    return re.findall(r"`([^`\n]+)`", text)


@cache
def names_in(module: Path) -> frozenset[str]:
    """What a module defines at its top level (functions, classes, assignments, imports) and its classes' members."""
    tree = ast.parse(module.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for target in targets for t in ast.walk(target) if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        if isinstance(node, ast.Dict):  # names a package loads when first used (`engine`'s _HOME)
            names.update(k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str))
    return frozenset(names)


def resolves(dotted: str) -> bool:
    """`a.b.c.name`: the longest module prefix is a file or package of the repo, and what follows is
    defined there (one attribute deep, or a class's member)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:cut])
        module = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
        if module.exists():
            rest = parts[cut:]
            return all(name in names_in(module) for name in rest[:2]) if rest else True
    return False


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_link_path_and_name_in_the_docs_exists(page):
    text = page.read_text()
    missing = []
    prose = re.sub(r"`[^`\n]+`", "", re.sub(r"```.*?```", "", text, flags=re.DOTALL))  # a link in code is an example
    for target in LINK.findall(prose):
        if not re.match(r"[a-z]+:", target) and not target.startswith("#"):
            if not (page.parent / target.split("#")[0]).exists():
                missing.append(f"link {target}")
    for span in code_spans(text):
        for path in PATH.findall(span):
            file, _, attribute = path.rpartition(".")  # scenes/feedforward/probe.arrow_grid: a name in a file
            found = (ROOT / path.rstrip("/")).exists() or resolves(file.replace("/", ".") + "." + attribute)
            if not found:
                missing.append(f"path {path}")
        for dotted in DOTTED.findall(span):
            if dotted.rsplit(".", 1)[-1] not in FILE_ENDINGS and not resolves(dotted):
                missing.append(f"name {dotted}")
    assert missing == [], f"{page.name}: {missing}"
