"""`lecture check --sheet`: a PNG contact sheet of the frames with findings, each finding boxed on its
frame and labelled with its number and rule; the numbered messages under each frame."""
from __future__ import annotations

import math
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from lecture.check.rules import Finding
from lecture.output.publish import save_image_atomic

TILE = (640, 360)  # each frame's size on the sheet
MAX_FRAMES = 60  # frames on one sheet (the JSON has every finding)
LINES = 7  # message lines under a frame
COLOURS = {"overlap": "#FF3B30", "off-frame": "#FF9500", "text-size": "#FFCC00", "contrast": "#AF52DE",
           "empty-canvas": "#34C759", "stillness": "#5AC8FA", "captions": "#007AFF", "numbers": "#FF2D55"}


def frames_with_findings(checks: list) -> list[tuple[object, float, list[Finding]]]:
    """(clip, time, findings shown on that frame), findings at the same time of a clip together."""
    groups: dict[tuple[str, float], tuple[object, float, list[Finding]]] = {}
    for clip in checks:
        for f in clip.findings:
            key = (clip.scene, round(f.time, 2))
            groups.setdefault(key, (clip, f.time, []))[2].append(f)
    return list(groups.values())[:MAX_FRAMES]


def to_tile(box: list[float], frame_size: tuple[float, float] = (128 / 9, 8.0)) -> tuple[float, float, float, float]:
    w, h = frame_size
    sx, sy = TILE[0] / w, TILE[1] / h
    x0, y0, x1, y1 = box
    return ((x0 + w / 2) * sx, (h / 2 - y1) * sy, (x1 + w / 2) * sx, (h / 2 - y0) * sy)


def contact_sheet(checks: list, target: Path, columns: int = 3) -> Path:
    from lecture.output.frames import frames_at  # av: only when a sheet is drawn

    shown = frames_with_findings(checks)
    font = ImageFont.load_default(size=14)
    small = ImageFont.load_default(size=12)
    text_h = 20 + LINES * 15
    rows = max(math.ceil(len(shown) / columns), 1)
    sheet = Image.new("RGB", (columns * TILE[0], rows * (TILE[1] + text_h)), "white")
    draw = ImageDraw.Draw(sheet)
    if not shown:
        draw.text((10, 10), "no findings", fill="black", font=font)
    images: dict[int, Image.Image] = {}
    for clip in {id(c): c for c, _, _ in shown}.values():  # each clip decoded once
        wanted = [(i, t) for i, (c, t, _) in enumerate(shown) if c is clip]
        if clip.video is not None and Path(clip.video).exists():
            for (i, _), image in zip(wanted, frames_at(Path(clip.video), [max(t - 1e-3, 0) for _, t in wanted])):
                images[i] = image
    number = 0
    for i, (clip, t, findings) in enumerate(shown):
        x, y = (i % columns) * TILE[0], (i // columns) * (TILE[1] + text_h)
        tile = images.get(i, Image.new("RGB", TILE, "grey")).convert("RGB").resize(TILE)
        tile_draw = ImageDraw.Draw(tile)
        lines = []
        for f in findings:
            number += 1
            colour = COLOURS.get(f.rule, "#FF3B30")
            if f.box:
                bx0, by0, bx1, by1 = to_tile(f.box)
                tile_draw.rectangle((bx0 - 2, by0 - 2, bx1 + 2, by1 + 2), outline=colour, width=3)
                tile_draw.rectangle((bx0 - 2, by0 - 18, bx0 + 8 + 8 * len(f"{number} {f.rule}"), by0 - 2), fill=colour)
                tile_draw.text((bx0 + 2, by0 - 17), f"{number} {f.rule}", fill="black", font=small)
            lines += textwrap.wrap(f"{number}. {f.rule}: {f.message}", 95)[:2]
        sheet.paste(tile, (x, y))
        draw.text((x + 4, y + TILE[1] + 2), f"{clip.scene} ({clip.theme}) {t:.2f} s, {findings[0].beat}", fill="black", font=font)
        for k, line in enumerate(lines[:LINES]):
            draw.text((x + 4, y + TILE[1] + 20 + k * 15), line, fill="#333333", font=small)
    return save_image_atomic(sheet, target)
