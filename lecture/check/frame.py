"""off-frame: parts outside the frame or inside its margin, and anything but the title in the title band."""
from __future__ import annotations

from lecture.check.geometry import Record
from lecture.check.rules import EDGE_TOLERANCE, TITLE_BAND, Finding
from scenes.kit.theme import get_theme


def check(record: Record) -> list[Finding]:
    theme = get_theme(record.theme or "dark")
    w, h = record.frame[0] / 2, record.frame[1] / 2
    inner = (-w + theme.margin - EDGE_TOLERANCE, -h + theme.margin - EDGE_TOLERANCE,
             w - theme.margin + EDGE_TOLERANCE, h - theme.margin + EDGE_TOLERANCE)
    band = h - theme.margin - TITLE_BAND
    findings = []
    for snap in record.snapshots:
        title = next((t for t in snap.texts if t.label == record.title), None)
        for d in snap.drawn:
            x0, y0, x1, y1 = d.box
            if x1 - x0 >= 2 * w * 0.98 and y1 - y0 >= 2 * h * 0.98:
                continue  # a background over the whole frame
            if d.opacity < 0.05:
                continue
            outside = x0 < inner[0] or y0 < inner[1] or x1 > inner[2] or y1 > inner[3]
            if outside:
                where = "outside the frame" if (x0 < -w or y0 < -h or x1 > w or y1 > h) else "inside the margin"
                findings.append(Finding("off-frame", record.scene, snap.beat, snap.t,
                                        f"{d.name()} reaches {where} ({snap.at})", [d.name()],
                                        [round(v, 3) for v in d.box], record.theme))
            elif title is not None and d is not title and y1 > band + EDGE_TOLERANCE and not (d.kind == "text" and d.label == record.title):
                findings.append(Finding("off-frame", record.scene, snap.beat, snap.t,
                                        f"{d.name()} is in the title band ({snap.at})", [d.name()],
                                        [round(v, 3) for v in d.box], record.theme))
    return findings
