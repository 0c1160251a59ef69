"""All rules applied to one rendered clip: its sidecar, geometry record and (narrated) video."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from lecture.check import captions, frame, overlap, textsize
from lecture.check.geometry import Record, load
from lecture.check.rules import Finding, unique

GEOMETRY_RULES: dict[str, Callable[[Record], list[Finding]]] = {
    "overlap": overlap.check,
    "off-frame": frame.check,
    "text-size": textsize.check,
}
SIDECAR_RULES: dict[str, Callable[[dict[str, Any]], list[Finding]]] = {
    "captions": captions.check,
}


def check_clip(sidecar_path: Path, geometry_path: Path | None,
               video: Path | None = None) -> tuple[list[Finding], list[str], dict[str, Any]]:
    """The clip's findings, the rules applied to it, and its sidecar."""
    sidecar = json.loads(sidecar_path.read_text())
    findings: list[Finding] = []
    applied: list[str] = []
    if geometry_path is not None and geometry_path.exists():
        record = load(geometry_path)
        for name, rule in GEOMETRY_RULES.items():
            findings += rule(record)
            applied.append(name)
    for name, rule in SIDECAR_RULES.items():
        findings += rule(sidecar)
        applied.append(name)
    return unique(findings), applied, sidecar
