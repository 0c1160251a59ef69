"""empty-canvas: a beat-end frame whose content leaves a large part of the area below the title empty
while the rest is crowded.

The measure: the area below the title band, inside the margins, is cut into `EMPTY_GRID` cells; a
cell is used when drawn things cover a tenth of it. A thing is the largest group a part is drawn in
whose box stays under `GROUP_MAX_SHARE` of the area (a chart's axes and labels make one chart, its
inside used; a scene-wide group is too big to say where things are), or a chart (`CHARTS`: axes, its
inside the picture however large it is drawn, e.g. a loss curve across the frame before it is drawn),
else the part itself. The emptiness is the largest
rectangle of unused cells, as a share of the area; the crowding is how full the used cells are
(the share of their area the parts' boxes cover). A frame is reported when the empty rectangle is
over `EMPTY_MAX_SHARE` and the used cells are at least `EMPTY_CROWDED` full: content packed into
part of the canvas, the rest dark. A sparse frame (a title card, one formula in the middle) is not
crowded, and not reported."""
from __future__ import annotations

import numpy as np

from lecture.check.geometry import Record, Snapshot
from lecture.check.rules import EMPTY_CROWDED, EMPTY_GRID, EMPTY_MAX_SHARE, TITLE_BAND, Finding
from scenes.kit.theme import get_theme

RESOLUTION = 20  # samples per unit for the coverage masks
GROUP_MAX_SHARE = 0.3  # a group's box larger than this share of the area is not one thing
CHARTS = {"Axes", "NumberPlane", "ThreeDAxes"}  # ... except a chart: its inside is its picture, at any size


def area(record: Record) -> tuple[float, float, float, float]:
    theme = get_theme(record.theme or "dark")
    w, h = record.frame[0] / 2, record.frame[1] / 2
    return (-w + theme.margin, -h + theme.margin, w - theme.margin, h - theme.margin - TITLE_BAND)


def coverage(record: Record, snap: Snapshot) -> np.ndarray:
    """Which samples of the content area the boxes of the drawn texts and shapes cover (rows top to bottom)."""
    x0, y0, x1, y1 = area(record)
    nx, ny = round((x1 - x0) * RESOLUTION), round((y1 - y0) * RESOLUTION)
    mask = np.zeros((ny, nx), dtype=bool)
    shown = [d for d in snap.drawn if d.opacity >= 0.05 and not (d.kind == "text" and d.label == record.title)
             and not (d.box[2] - d.box[0] >= record.frame[0] * 0.98 and d.box[3] - d.box[1] >= record.frame[1] * 0.98)]
    group_boxes: dict[int, list[float]] = {}
    for d in shown:
        for g in d.groups:
            b = group_boxes.setdefault(g, list(d.box))
            b[:] = [min(b[0], d.box[0]), min(b[1], d.box[1]), max(b[2], d.box[2]), max(b[3], d.box[3])]
    largest = GROUP_MAX_SHARE * (x1 - x0) * (y1 - y0)

    def one_thing(g: int) -> bool:
        b = group_boxes[g]
        return (b[2] - b[0]) * (b[3] - b[1]) <= largest or record.group_types.get(g) in CHARTS
    for d in shown:
        bx0, by0, bx1, by1 = next((group_boxes[g] for g in d.groups if one_thing(g)), d.box)
        c0 = int(np.clip((bx0 - x0) * RESOLUTION, 0, nx))
        c1 = int(np.clip(np.ceil((bx1 - x0) * RESOLUTION), 0, nx))
        r0 = int(np.clip((y1 - by1) * RESOLUTION, 0, ny))
        r1 = int(np.clip(np.ceil((y1 - by0) * RESOLUTION), 0, ny))
        mask[r0:r1, c0:c1] = True
    return mask


def largest_empty(used: np.ndarray) -> tuple[int, tuple[int, int, int, int]]:
    """The largest rectangle of False cells: (cells, (row0, col0, row1, col1) exclusive ends)."""
    rows, cols = used.shape
    best, where = 0, (0, 0, 0, 0)
    for r0 in range(rows):
        for r1 in range(r0 + 1, rows + 1):
            free = ~used[r0:r1].any(axis=0)
            run = 0
            for c in range(cols + 1):
                if c < cols and free[c]:
                    run += 1
                    continue
                if run * (r1 - r0) > best:
                    best, where = run * (r1 - r0), (r0, c - run, r1, c)
                run = 0
    return best, where


def measure(record: Record, snap: Snapshot) -> tuple[float, float, list[float]]:
    """(empty share, crowding, the empty rectangle's box in scene units)."""
    mask = coverage(record, snap)
    cols, rows = EMPTY_GRID
    ny, nx = mask.shape
    cells = np.zeros((rows, cols))
    for r in range(rows):
        for c in range(cols):
            cells[r, c] = mask[r * ny // rows:(r + 1) * ny // rows, c * nx // cols:(c + 1) * nx // cols].mean()
    used = cells >= 0.1
    empty, (r0, c0, r1, c1) = largest_empty(used)
    crowding = float(cells[used].mean()) if used.any() else 0.0
    x0, y0, x1, y1 = area(record)
    cw, ch = (x1 - x0) / cols, (y1 - y0) / rows
    box = [round(x0 + c0 * cw, 3), round(y1 - r1 * ch, 3), round(x0 + c1 * cw, 3), round(y1 - r0 * ch, 3)]
    return empty / (rows * cols), crowding, box


def check(record: Record) -> list[Finding]:
    findings = []
    for snap in record.snapshots:
        if snap.at != "beat-end":
            continue
        share, crowding, box = measure(record, snap)
        if share > EMPTY_MAX_SHARE and crowding >= EMPTY_CROWDED:
            findings.append(Finding("empty-canvas", record.scene, snap.beat, snap.t,
                                    f"{share:.0%} of the canvas below the title is empty while the used part is "
                                    f"{crowding:.0%} full", [], box, record.theme))
    return findings
