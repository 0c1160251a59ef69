"""overlap: texts drawn over each other, or hidden under a shape drawn after them, through the motion.

Boxes would cry wolf (an "x" beside a "7" share box corners): two texts overlap when their glyph ink,
filled as drawn at 480p, shares `OVERLAP_MIN_PX` pixels. A cross-fade (one text fading out where
another fades in) is not an overlap; a text fainter than `FAINT_OPACITY` is not read yet.
"""
from __future__ import annotations

from itertools import combinations

from lecture.check.geometry import Drawn, Record, ink, intersect, to_px
from lecture.check.rules import (FAINT_OPACITY, HIDDEN_MIN_OPACITY, HIDDEN_MIN_SHARE, OVERLAP_MIN_PX, PX_PER_UNIT,
                                 Finding)

FADING = {"FadeOut", "FadeIn", "FadeTransform", "FadeTransformPieces", "ReplacementTransform", "Transform",
          "TransformMatchingTex", "TransformMatchingShapes", "Uncreate", "Unwrite", "Write", "Create",
          "AddTextLetterByLetter", "RemoveTextLetterByLetter", "ShrinkToCenter", "FadeToColor"}
TRANSFORMS = ("Transform", "ReplacementTransform", "TransformFromCopy", "ClockwiseTransform", "CounterclockwiseTransform",
              "FadeTransform", "TransformMatching", "MoveToTarget", "CyclicReplace", "Swap")


def both_changing(a: Drawn, b: Drawn, at: str) -> bool:
    """Mid-motion, one text turning into another (or fading while the other appears) is no overlap; and
    a transform starts where its source is (a copy flying out of a formula starts on it)."""
    if at == "start" and (a.moving.startswith(TRANSFORMS) or b.moving.startswith(TRANSFORMS)):
        return True
    return bool(a.moving and b.moving and (a.moving in FADING or b.moving in FADING))


def scene_box(px: tuple[int, int, int, int], frame: tuple[float, float]) -> list[float]:
    w, h = frame
    return [round(px[0] / PX_PER_UNIT - w / 2, 3), round(h / 2 - px[3] / PX_PER_UNIT, 3),
            round(px[2] / PX_PER_UNIT - w / 2, 3), round(h / 2 - px[1] / PX_PER_UNIT, 3)]


def check(record: Record) -> list[Finding]:
    findings = []
    frame = record.frame
    for snap in record.snapshots:
        texts = [t for t in snap.texts if t.opacity >= FAINT_OPACITY]
        boxes = {id(t): to_px(t.box, frame) for t in texts}
        for a, b in combinations(texts, 2):
            region = intersect(boxes[id(a)], boxes[id(b)])
            if region is None or (snap.at in ("start", "mid") and both_changing(a, b, snap.at)):
                continue
            shared = int((ink(a, region, frame) & ink(b, region, frame)).sum())
            if shared >= OVERLAP_MIN_PX:
                findings.append(Finding("overlap", record.scene, snap.beat, snap.t,
                                        f"{a.name()} and {b.name()} are drawn over each other ({shared} px at 480p, "
                                        f"{snap.at} of {'a play' if snap.at != 'beat-end' else 'the beat'})",
                                        sorted([a.name(), b.name()]), scene_box(region, frame), record.theme))
        shapes = [s for s in snap.drawn if s.kind != "text" and s.opacity >= HIDDEN_MIN_OPACITY]
        for text in texts:
            box = boxes[id(text)]
            letters = None
            for shape in shapes:
                if shape.order <= text.order:
                    continue
                region = intersect(box, to_px(shape.box, frame))
                if region is None or (snap.at in ("start", "mid") and both_changing(text, shape, snap.at)):
                    continue
                letters = ink(text, box, frame) if letters is None else letters
                total = int(letters.sum())
                if not total:
                    break
                cover = ink(shape, box, frame, strokes=True) & letters
                share = cover.sum() / total
                if share >= HIDDEN_MIN_SHARE:
                    findings.append(Finding("overlap", record.scene, snap.beat, snap.t,
                                            f"{text.name()} is {share:.0%} hidden under a {shape.label} drawn after it "
                                            f"({snap.at} of {'a play' if snap.at != 'beat-end' else 'the beat'})",
                                            [text.name(), shape.label], scene_box(region, frame), record.theme))
    return findings
