"""captions: cues a viewer cannot read (under a second, one word, a line too long) or that leave their
speech (start before it is heard, end after it). Read from the sidecar's cues, which the .srt is made of."""
from __future__ import annotations

from typing import Any

from lecture.check.rules import CUE_MAX_LINE, CUE_MIN_S, CUE_SLACK_S, Finding


def check(sidecar: dict[str, Any]) -> list[Finding]:
    scene, theme = sidecar.get("scene", ""), sidecar.get("theme", "")
    findings = []
    for section in sidecar.get("sections", []):
        speech = section.get("speech")
        for start, end, text in section.get("cues", []):
            def found(message: str) -> None:
                findings.append(Finding("captions", scene, section["name"], start, message, [repr(text)], None, theme))

            words = text.split()
            if end - start < CUE_MIN_S - 1e-3:
                found(f"cue {text!r} is on screen {end - start:.2f} s (under {CUE_MIN_S:g} s)")
            if len(words) == 1:
                found(f"cue {text!r} is a single word")
            for line in text.splitlines():
                if len(line) > CUE_MAX_LINE:
                    found(f"caption line {line!r} has {len(line)} characters (over {CUE_MAX_LINE})")
            if speech and (start < speech[0] - CUE_SLACK_S or end > speech[1] + CUE_SLACK_S):
                found(f"cue {text!r} ({start:.2f}-{end:.2f} s) is outside its speech ({speech[0]:.2f}-{speech[1]:.2f} s)")
    return findings
