"""A scene module's beats read from its source, without importing it (so the studio, which never imports
manim, can read them too): where each `@beat` method is, the module without them (what every beat key of
the module shares, `beats.beat_base`), and a digest of each (which beat an editor's save changed)."""
from __future__ import annotations

import ast
import hashlib
from pathlib import Path


def beat_spans(text: str) -> dict[str, tuple[int, int]]:
    """Each `@beat` method's lines, its decorators included (its narration), as 0-based [first, last)."""
    spans = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef) and any("beat" in ast.unparse(d) for d in node.decorator_list):
            spans[node.name] = (min(d.lineno for d in node.decorator_list) - 1, node.end_lineno)
    return spans


def module_without_beat_bodies(path: Path) -> str:
    """The scene module's source with every `@beat` method left out, narration and body: an edit inside one
    beat changes that beat's key (its source is in it), any other edit in the module every key."""
    text = path.read_text()
    lines = text.splitlines()
    for first, last in beat_spans(text).values():
        lines[first:last] = [""] * (last - first)
    return "\n".join(lines)


def beat_sources(path: Path) -> dict[str, str]:
    """Beat name -> a digest of its source (decorators and body), for the beats written in this module. A
    clip's sidecar keeps them; after a save, the first beat whose digest changed is the one to draft."""
    try:
        text = path.read_text()
        spans = beat_spans(text)
    except (OSError, SyntaxError, ValueError):  # a file being saved, or half-written: no beat is known
        return {}
    lines = text.splitlines()
    return {name: hashlib.sha256("\n".join(lines[first:last]).encode()).hexdigest()[:16]
            for name, (first, last) in spans.items()}
