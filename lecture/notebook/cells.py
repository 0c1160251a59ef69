"""Code cells as a lecture shows them: which to leave out, the code (docstrings to one line, long cells
in parts) and what the cell printed, read from the outputs stored in the file. Nothing is run."""
from __future__ import annotations

import ast
import base64
import binascii
import re
from dataclasses import dataclass, field

MAX_PART_LINES = 14  # a code panel at 480p reads up to about this many lines
MAX_OUTPUT_LINES = 6
MAX_OUTPUT_CHARS = 80  # per line; longer lines end in an ellipsis
MAX_OUTPUT_BYTES = 1_000_000  # an output larger than this (a 50 MB dump) is left out, with a note
MAX_IMAGE_BYTES = 5_000_000
HIDE_TAGS = {"hide", "hide-cell", "hide-input", "remove-cell", "remove-input", "remove_cell", "hide_input"}
DISPLAY_CALLS = re.compile(r"\b(display|YouTubeVideo|HTML|IFrame|Video|Audio|Javascript|widgets?\.\w+|interact\w*|Output)\s*\(")
DISPLAY_MIME = ("text/html", "application/vnd.jupyter.widget-view+json", "text/javascript", "application/javascript",
                "video/mp4", "text/markdown", "image/svg+xml", "image/jpeg")


@dataclass
class Printed:
    """What a cell printed, as stored: text lines, PNG images, and notes on what could not be shown."""
    lines: list[str] = field(default_factory=list)
    images: list[bytes] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def source(cell) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else str(text)


def left_out(cell) -> str | None:
    """Why a code cell is not shown in the lecture (hidden, display-only, setup), or None."""
    code = source(cell).strip()
    meta = cell.get("metadata", {}) or {}
    tags = set(meta.get("tags", []) or [])
    if not code:
        return "empty"
    if re.match(r"#\s*@title", code):
        return "hidden (a #@title form)"
    if tags & HIDE_TAGS or (meta.get("jupyter", {}) or {}).get("source_hidden") or meta.get("cellView") == "form":
        return "hidden (tagged so)"
    statements = [line for line in code.splitlines() if line.strip() and not line.strip().startswith("#")]
    if all(re.match(r"\s*(import|from)\s", line) for line in statements):
        return "setup (imports only)"
    if DISPLAY_CALLS.search(code) and not re.search(r"\bprint\s*\(", code) and not re.search(r"^\s*(def|class)\s", code, re.M):
        return "display-only (widgets, video or HTML)"
    outputs = cell.get("outputs", []) or []
    kinds = [set((o.get("data") or {}).keys()) for o in outputs if o.get("output_type") in ("display_data", "execute_result")]
    if kinds and all(k and k <= set(DISPLAY_MIME) | {"text/plain"} and k & set(DISPLAY_MIME) for k in kinds) \
            and not any(o.get("output_type") == "stream" for o in outputs) and len(statements) <= 3:
        return "display-only (its output is HTML, a widget or a video)"
    return None


def docstring_lines(code: str) -> list[tuple[int, int]]:
    """(first, last) 0-based lines of every docstring, from the syntax tree (none if it does not parse)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):  # magics, a notebook's own syntax: shown as written
        return []
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                spans.append((first.lineno - 1, first.end_lineno - 1))
    return spans


def shown_lines(code: str) -> list[str]:
    """The code as the panel shows it: each docstring cut to its first line of text, runs of blank lines
    made one, tabs as four spaces."""
    lines = code.expandtabs(4).rstrip().splitlines()
    for first, last in sorted(docstring_lines(code), reverse=True):
        indent = re.match(r"\s*", lines[first]).group(0)
        text = " ".join(" ".join(lines[first:last + 1]).split()).strip("\"' rbuRBU")
        summary = re.split(r"(?<=[.!?])\s|\s{2,}|\bArgs:|\bReturns:", text)[0].strip()
        lines[first:last + 1] = [f'{indent}"""{summary}"""'] if summary else []
    kept: list[str] = []
    for line in lines:
        if line.strip() or (kept and kept[-1].strip()):
            kept.append(line.rstrip())
    return kept


def parts(lines: list[str], limit: int = MAX_PART_LINES) -> list[list[str]]:
    """Long code in parts of at most `limit` lines, cut at blank lines where it can be, so a function
    stays whole when it fits."""
    out: list[list[str]] = []
    current: list[str] = []
    blocks: list[list[str]] = [[]]
    for line in lines:
        if not line.strip():
            blocks.append([])
        else:
            blocks[-1].append(line)
    for block in (b for b in blocks if b):
        while len(block) > limit:
            if current:
                out.append(current)
                current = []
            out.append(block[:limit])
            block = block[limit:]
        if current and len(current) + 1 + len(block) > limit:
            out.append(current)
            current = []
        current = current + ([""] if current else []) + block
    if current:
        out.append(current)
    return out or [[]]


def printed(cell) -> Printed:
    """The cell's stored outputs: stream and plain-text results, errors as their last line, PNG images."""
    result = Printed()
    for output in cell.get("outputs", []) or []:
        kind = output.get("output_type")
        if kind == "stream":
            text = output.get("text", "")
        elif kind == "error":
            text = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
        elif kind in ("display_data", "execute_result"):
            data = output.get("data", {}) or {}
            png = data.get("image/png")
            if png:
                add_image(result, "".join(png) if isinstance(png, list) else png)
                continue
            text = data.get("text/plain", "")
            if not text:
                shown = ", ".join(sorted(data)) or "nothing"
                result.notes.append(f"an output of {shown} is not shown")
                continue
        else:
            continue
        text = "".join(text) if isinstance(text, list) else str(text)
        if len(text.encode()) > MAX_OUTPUT_BYTES:
            result.notes.append(f"a printed output of {len(text.encode()) / 2**20:.1f} MB is left out (too long to show)")
            continue
        result.lines.extend(re.sub(r"\x1b\[[0-9;]*m", "", text).rstrip("\n").splitlines())
    if len(result.lines) > MAX_OUTPUT_LINES:
        dropped = len(result.lines) - MAX_OUTPUT_LINES
        result.lines = result.lines[:MAX_OUTPUT_LINES - 1] + [f"... ({dropped + 1} more lines)"]
    result.lines = [line if len(line) <= MAX_OUTPUT_CHARS else line[:MAX_OUTPUT_CHARS - 1] + "…" for line in result.lines]
    return result


def add_image(result: Printed, encoded: str) -> None:
    if len(encoded) > MAX_IMAGE_BYTES * 4 / 3:
        result.notes.append(f"a stored image of {len(encoded) * 3 / 4 / 2**20:.1f} MB is left out (too large)")
        return
    try:
        data = base64.b64decode(encoded, validate=False)
    except (binascii.Error, ValueError):
        result.notes.append("a stored image is not valid base64 and is left out")
        return
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        result.notes.append("a stored image is not a PNG and is left out")
        return
    result.images.append(data)


def defined_names(code: str) -> tuple[list[str], list[str]]:
    """(functions, classes) defined at the top of a cell, for a sentence about what it does."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return [], []
    return ([n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))],
            [n.name for n in tree.body if isinstance(n, ast.ClassDef)])
