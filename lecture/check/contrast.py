"""contrast: text against what is drawn behind it, below WCAG AA (4.5:1), in the theme checked.

What is behind a text is composed from the record as the camera draws it: the theme's background,
then every shape's fill and image drawn before the text, each with its opacity, pixel by pixel under
the text's box at 480p. The text's own colour (with its opacity) is compared with that, over its
glyph pixels; the median ratio is the text's. Checked where texts rest: at the end of each play and
of each beat."""
from __future__ import annotations

import numpy as np
from PIL import Image

from lecture.check.geometry import Drawn, Record, ink, intersect, to_px
from lecture.check.rules import CONTRAST_MIN, FAINT_OPACITY, Finding


def hex_rgb(colour: str) -> np.ndarray:
    colour = colour.lstrip("#")
    return np.array([int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4)])


def luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of sRGB colours (values 0-1, last axis RGB)."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    la, lb = luminance(a), luminance(b)
    return (np.maximum(la, lb) + 0.05) / (np.minimum(la, lb) + 0.05)


def behind(record: Record, drawn: list[Drawn], text: Drawn, region: tuple[int, int, int, int]) -> np.ndarray:
    """The colours under `region` (480p pixels) before `text` is drawn: an (h, w, 3) array."""
    x0, y0, x1, y1 = region
    picture = np.ones((max(y1 - y0, 1), max(x1 - x0, 1), 3)) * hex_rgb(record.background)
    for item in drawn:
        if item.order >= text.order or item.kind == "text":
            continue
        box = to_px(item.box, record.frame)
        if intersect(box, region) is None:
            continue
        for part in item.parts:
            if "thumb" in part:  # an image: its 8x8 colours stretched over its box
                bx0, by0, bx1, by1 = to_px(tuple(part["box"]), record.frame)
                if bx1 <= bx0 or by1 <= by0:
                    continue
                thumb = np.asarray(part["thumb"], dtype=np.uint8)
                big = np.asarray(Image.fromarray(thumb, "RGBA").resize((bx1 - bx0, by1 - by0), Image.Resampling.BILINEAR)) / 255
                cx0, cy0, cx1, cy1 = max(bx0, x0), max(by0, y0), min(bx1, x1), min(by1, y1)
                if cx1 <= cx0 or cy1 <= cy0:
                    continue
                patch = big[cy0 - by0:cy1 - by0, cx0 - bx0:cx1 - bx0]
                alpha = patch[..., 3:4] * part.get("opacity", 1.0)
                target = picture[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]
                target[:] = target * (1 - alpha) + patch[..., :3] * alpha
                continue
            fill = part.get("fill", [0, 0, 0, 0])
            if fill[3] <= 0.02:
                continue
            one = Drawn(item.uid, item.kind, item.label, item.order, [part])
            mask = ink(one, region, record.frame, strokes=False)
            picture[mask] = picture[mask] * (1 - fill[3]) + np.array(fill[:3]) * fill[3]
    return picture


def text_contrast(record: Record, drawn: list[Drawn], text: Drawn,
                  region: tuple[int, int, int, int]) -> tuple[float, np.ndarray] | None:
    """The median contrast of `text`'s glyph pixels against what is behind them, and those colours; None
    where it puts no ink in `region`."""
    letters = ink(text, region, record.frame)
    if not letters.any():
        return None
    colour = text.colour
    under = behind(record, drawn, text, region)[letters]
    seen = under * (1 - colour[3]) + np.array(colour[:3]) * colour[3]
    return float(np.median(ratio(seen, under))), under


def check(record: Record) -> list[Finding]:
    """One finding per snapshot and pair of colours (a theme colour too faint on its background is one
    finding listing its texts, not one per text). A text drawing the same pixels over the same things as
    at an earlier snapshot is not measured again."""
    findings = []
    measured: dict[tuple, tuple[float, np.ndarray] | None] = {}
    for snap in record.snapshots:
        if snap.at not in ("end", "beat-end"):
            continue
        pairs: dict[tuple[str, str], list] = {}
        shapes = [(item, to_px(item.box, record.frame)) for item in snap.drawn if item.kind != "text"]
        for text in snap.texts:
            colour = text.colour
            if text.opacity < FAINT_OPACITY or colour[3] <= 0:
                continue
            region = to_px(text.box, record.frame)
            key = (text.signature, region, tuple(item.signature for item, box in shapes
                                                 if item.order < text.order and intersect(box, region)))
            if key not in measured:
                measured[key] = text_contrast(record, snap.drawn, text, region)
            if measured[key] is None:
                continue
            value, under = measured[key]
            if value < CONTRAST_MIN:
                shown = "#%02X%02X%02X" % tuple(round(c * 255) for c in colour[:3])
                back = "#%02X%02X%02X" % tuple(np.round(np.median(under, axis=0) * 255).astype(int))
                pairs.setdefault((shown, back), []).append((text, value))
        for (shown, back), texts in pairs.items():
            names = [t.name() for t, _ in texts]
            boxes = [t.box for t, _ in texts]
            box = [round(min(b[0] for b in boxes), 3), round(min(b[1] for b in boxes), 3),
                   round(max(b[2] for b in boxes), 3), round(max(b[3] for b in boxes), 3)]
            listed = ", ".join(names[:5]) + (f" (and {len(names) - 5} more)" if len(names) > 5 else "")
            findings.append(Finding("contrast", record.scene, snap.beat, snap.t,
                                    f"{listed} ({shown}) on {back}: contrast {min(v for _, v in texts):.1f}:1 "
                                    f"(under {CONTRAST_MIN}:1)", names, box, record.theme))
    return findings
