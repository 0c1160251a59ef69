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
Clip = tuple[Path, Path | None, Path | None]  # its sidecar, geometry record and video


class RulePool:
    """The rules applied to clips side by side in `jobs` processes, each clip as soon as it is handed in:
    `lecture check` hands a clip in when its render is done, so the rules of the first clips run while the
    last ones render, and fill the cores the render's tail leaves idle (docs/checking.md "Cost"). With one
    job, a clip is checked in this process when its result is asked for."""

    def __init__(self, jobs: int) -> None:
        context = multiprocessing.get_context("spawn")  # the rules are numpy over a clip's own files: nothing to inherit
        self._pool = ProcessPoolExecutor(jobs, mp_context=context) if jobs > 1 else None
        self._clips: dict[str, Any] = {}

    def submit(self, name: str, clip: Clip) -> None:
        self._clips[name] = self._pool.submit(check_clip, *clip) if self._pool else clip

    def result(self, name: str) -> Checked:
        held = self._clips[name]
        return held.result() if self._pool else check_clip(*held)

    def __enter__(self) -> "RulePool":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
