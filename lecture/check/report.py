"""What `lecture check` prints (a table per scene and beat) and writes (`--json`)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lecture.check import rules
from lecture.check.rules import Finding
from lecture.output.publish import write_text_atomic


@dataclass
class ClipCheck:
    """One checked clip: its scene, theme, files, the rules applied and what they found."""
    scene: str
    theme: str
    video: Path | None
    sections: list[dict[str, Any]]
    applied: list[str]
    findings: list[Finding] = field(default_factory=list)


def table(clip: ClipCheck) -> str:
    """A line per beat with a count per rule applied, then each finding on a line of its own."""
    names = [r for r in rules.RULES if r in clip.applied]
    width = max([len(s["name"]) for s in clip.sections] + [4])
    lines = [f"{clip.scene} ({clip.theme} theme): {len(clip.findings) or 'no'} finding{'s' * (len(clip.findings) != 1)}",
             "  " + "beat".ljust(width) + "  " + "  ".join(names)]
    for section in clip.sections:
        counts = [sum(f.rule == r and f.beat == section["name"] for f in clip.findings) for r in names]
        lines.append("  " + section["name"].ljust(width) + "  " +
                     "  ".join((str(c) if c else "·").rjust(len(r)) for c, r in zip(counts, names)))
    for f in clip.findings:
        lines.append(f"  {f.time:7.2f} s  {f.beat}  {f.rule}: {f.message}")
    return "\n".join(lines)


def as_json(checks: list[ClipCheck], options: dict[str, Any]) -> dict[str, Any]:
    thresholds = {name: getattr(rules, name) for name in dir(rules) if name.isupper() and name not in ("RULES", "GEOMETRIC")}
    return {
        "options": options,
        "rules": rules.RULES,
        "thresholds": thresholds,
        "clips": [{"scene": c.scene, "theme": c.theme, "video": str(c.video) if c.video else None, "rules_applied": c.applied,
                   "beats": [{"name": s["name"], "start": s["start"], "end": s["end"],
                              "findings": sum(f.beat == s["name"] for f in c.findings)} for s in c.sections]}
                  for c in checks],
        "findings": [f.as_json() for c in checks for f in c.findings],
    }


def write_json(checks: list[ClipCheck], options: dict[str, Any], target: Path) -> Path:
    return write_text_atomic(target, json.dumps(as_json(checks, options), indent=2, default=str))
