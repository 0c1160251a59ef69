"""overlap: texts drawn over each other, or hidden under a shape drawn after them, through the motion.

Boxes would cry wolf (an "x" beside a "7" share box corners): two texts overlap when their glyph ink,
filled as drawn at 480p, shares `OVERLAP_MIN_PX` pixels. Checked at every play's start, middle and end
and at each beat's end; all the overlaps of one snapshot are one finding. Not overlaps: a cross-fade
(one text fading or turning into another mid-motion), a text fainter than `FAINT_OPACITY` (not read
yet), anything moving at a play's first frame (a copy about to fly out of its source starts on it;
where a moving thing was before the play, the previous snapshot has checked), and, mid-play, a shape appearing,
going or turning into another (a formula's glyphs in a transform are recorded as shapes: where they land, the
play's end judges). A text is hidden when a shape covers `HIDDEN_MIN_SHARE` of its ink or of one glyph's
(`geometry.hidden_share`, the sweep's measure too). Between those instants,
a thing moving rigidly is checked along the path it sweeps (`lecture/check/sweep.py`).
"""
from __future__ import annotations

from itertools import combinations

from lecture.check import sweep
from lecture.check.geometry import (FADING, Drawn, Record, Snapshot, glyph_inks, hidden_share, ink, intersect, listed,
                                    scene_box, to_px, union)
from lecture.check.rules import (FAINT_OPACITY, HIDDEN_MIN_OPACITY, HIDDEN_MIN_SHARE, OVERLAP_MIN_PX,
                                 Finding)


def exempt(a: Drawn, b: Drawn, at: str) -> bool:
    """A pair that is not an overlap at this snapshot (see the module's docstring)."""
    if at == "start":
        return bool(a.moving or b.moving)
    if at == "mid":
        return bool(a.moving and b.moving and (a.moving in FADING or b.moving in FADING))
    return False


def when(snap: Snapshot) -> str:
    return "At the beat's end" if snap.at == "beat-end" else f"At the {snap.at} of a play"


def texts_over_texts(record: Record, snap: Snapshot, texts: list[Drawn], boxes: dict) -> tuple[list[str], list, set]:
    pairs, regions, names = [], [], set()
    for a, b in combinations(texts, 2):
        region = intersect(boxes[id(a)], boxes[id(b)])
        if region is None or exempt(a, b, snap.at):
            continue
        shared = int((ink(a, region, record.frame) & ink(b, region, record.frame)).sum())
        if shared >= OVERLAP_MIN_PX:
            pairs.append(f"{a.name()} on {b.name()} ({shared} px)")
            regions.append(region)
            names |= {a.name(), b.name()}
    return pairs, regions, names


def texts_under_shapes(record: Record, snap: Snapshot, texts: list[Drawn], boxes: dict) -> tuple[list[str], list, set]:
    shapes = [s for s in snap.drawn if s.kind != "text" and s.opacity >= HIDDEN_MIN_OPACITY]
    hidden, regions, names = [], [], set()
    for text in texts:
        box, letters, glyphs = boxes[id(text)], None, []
        for shape in shapes:
            if shape.order <= text.order:
                continue
            region = intersect(box, to_px(shape.box, record.frame))
            if region is None or exempt(text, shape, snap.at) or (snap.at == "mid" and shape.moving in FADING):
                continue
            if letters is None:
                letters, glyphs = ink(text, box, record.frame), glyph_inks(text, box, record.frame)
            if not letters.any():
                break
            share = hidden_share(letters, glyphs, ink(shape, box, record.frame))
            if share >= HIDDEN_MIN_SHARE:
                hidden.append(f"{text.name()} {share:.0%} under a {shape.label}")
                regions.append(region)
                names.add(text.name())
                break
    return hidden, regions, names


def check(record: Record) -> list[Finding]:
    findings = sweep.check(record)
    for snap in record.snapshots:
        texts = [t for t in snap.texts if t.opacity >= FAINT_OPACITY]
        boxes = {id(t): to_px(t.box, record.frame) for t in texts}
        pairs, regions, names = texts_over_texts(record, snap, texts, boxes)
        hidden, under, hidden_names = texts_under_shapes(record, snap, texts, boxes)
        if not (pairs or hidden):
            continue
        parts = ([f"texts drawn over each other: {listed(pairs)}"] if pairs else []) + \
                ([f"texts hidden under shapes drawn after them: {listed(hidden)}"] if hidden else [])
        findings.append(Finding("overlap", record.scene, snap.beat, snap.t, f"{when(snap)}, " + "; and ".join(parts),
                                sorted(names | hidden_names), scene_box(union(regions + under), record.frame), record.theme))
    return sorted(findings, key=lambda f: f.time)
