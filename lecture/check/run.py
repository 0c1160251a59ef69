"""All rules applied to one rendered clip: its sidecar, geometry record and (narrated) video."""
from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

from lecture.check import canvas, captions, contrast, frame, numbers, overlap, textsize
from lecture.check.geometry import Record, load
from lecture.check.rules import Finding, unique

GEOMETRY_RULES: dict[str, Callable[[Record], list[Finding]]] = {
    "overlap": overlap.check,
    "off-frame": frame.check,
    "text-size": textsize.check,
    "contrast": contrast.check,
    "empty-canvas": canvas.check,
}


def check_clip(sidecar_path: Path, geometry_path: Path | None,
               video: Path | None = None) -> tuple[list[Finding], list[str], dict[str, Any]]:
    """The clip's findings, the rules applied to it, and its sidecar. The geometric rules need the
    record; stillness and captions a narrated clip (a silent clip's cues are spread over its beats by
    their length, not timed to a voice)."""
    sidecar = json.loads(sidecar_path.read_text())
    findings: list[Finding] = []
    applied: list[str] = []
    record = load(geometry_path) if geometry_path is not None and geometry_path.exists() else None
    if record is not None:
        for name, rule in GEOMETRY_RULES.items():
            findings += rule(record)
            applied.append(name)
    if video is not None and video.exists() and any("speech" in s for s in sidecar.get("sections", [])):
        from lecture.check import stillness  # av: decodes sound and frames, only for a narrated clip

        findings += stillness.check(video, sidecar)
        applied.append("stillness")
    if any("speech" in s for s in sidecar.get("sections", [])):  # a silent clip's cues follow no voice
        findings += captions.check(sidecar)
        applied.append("captions")
    findings += numbers.check(record, sidecar)
    applied.append("numbers")
    return unique(findings), applied, sidecar


Checked = tuple[list[Finding], list[str], dict[str, Any]]


def check_clips(clips: list[tuple[Path, Path | None, Path | None]], jobs: int = 1) -> list[Checked]:
    """`check_clip` for each (sidecar, geometry record, video), in the order given. With `jobs` > 1 the
    clips are checked side by side in that many processes (the rules are pure numpy over a clip's own
    files; on two cores this halves the rules' share of `lecture check`, docs/checking.md "Cost")."""
    workers = min(jobs, len(clips))
    if workers <= 1:
        return [check_clip(*clip) for clip in clips]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(check_clip, *zip(*clips)))
