"""What a request to the studio may ask for: its Host and Origin, which files, how large a body.

A local server is an attack surface: a web page the lecturer visits can send requests to it (a
cross-site form, a DNS name rebound to 127.0.0.1). So the studio answers only requests addressed to
the loopback address and port it bound, takes state-changing requests only from its own page, and
serves only files inside its folders, whatever the path's spelling.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

MAX_BODY = 64 * 1024  # bytes of a request body: a form's values are a few hundred


def host_allowed(host: str | None, bound: str, port: int) -> bool:
    """The Host header names exactly the address and port the server bound (DNS rebinding sends the attacker's name)."""
    return host == f"{bound}:{port}"


def origin_allowed(origin: str | None, bound: str, port: int) -> bool:
    """A state-changing request came from the studio's own page (browsers send Origin on every POST)."""
    return origin == f"http://{bound}:{port}"


def file_inside(root: Path, relative: str) -> Path | None:
    """The file `relative` (a URL path, still %-encoded) names inside `root`, or None: `..` in any
    spelling, absolute paths, hidden names (caches, temporaries), folders and symlinks that lead out are refused."""
    text = unquote(relative)
    if not text or "\x00" in text or "\\" in text or text.startswith("/"):
        return None
    parts = text.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    base = root.resolve()
    try:
        target = (base / Path(*parts)).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one range `bytes=a-b` (or `a-`, `-n`) asks for, as (first, last) inside the file; None for
    the whole file or a range it cannot serve. A video element seeks with these."""
    if not header or not header.startswith("bytes=") or "," in header or size == 0:
        return None
    first, _, last = header[len("bytes="):].strip().partition("-")
    try:
        if first == "":
            start, end = max(0, size - int(last)), size - 1
        else:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
    except ValueError:
        return None
    return (start, end) if 0 <= start <= end else None
