"""Where a sampled function crosses a level, as line segments (marching squares): the training scene's
decision boundary, redrawn for every snapshot of the network. Pure numpy: tested alone."""
from __future__ import annotations

import numpy as np

Segment = tuple[tuple[float, float], tuple[float, float]]


def _crossing(a: np.ndarray, b: np.ndarray, za: float, zb: float, level: float) -> tuple[float, float]:
    t = (level - za) / (zb - za)
    point = a + t * (b - a)
    return float(point[0]), float(point[1])


def level_segments(xs: np.ndarray, ys: np.ndarray, z: np.ndarray, level: float) -> list[Segment]:
    """Segments of the curve z = level, z sampled as z[row, column] at (xs[column], ys[row]). A cell
    whose corners are all on one side has none; a saddle cell (two opposite corners above) is split
    by the value at its centre; NaN corners leave their cell out."""
    segments: list[Segment] = []
    for r in range(len(ys) - 1):
        for c in range(len(xs) - 1):
            corners = [np.array([xs[c], ys[r]]), np.array([xs[c + 1], ys[r]]),
                       np.array([xs[c + 1], ys[r + 1]]), np.array([xs[c], ys[r + 1]])]
            values = [z[r, c], z[r, c + 1], z[r + 1, c + 1], z[r + 1, c]]
            if not np.all(np.isfinite(values)):
                continue
            above = [v > level for v in values]
            if all(above) or not any(above):
                continue
            points = [_crossing(corners[i], corners[(i + 1) % 4], values[i], values[(i + 1) % 4], level)
                      for i in range(4) if above[i] != above[(i + 1) % 4]]
            if len(points) == 2:
                segments.append((points[0], points[1]))
            else:  # a saddle: pair the crossings so the centre's side stays connected
                centre_above = float(np.mean(values)) > level
                start = 0 if above[0] == centre_above else 1
                ordered = points[start:] + points[:start]
                segments += [(ordered[0], ordered[1]), (ordered[2], ordered[3])]
    return segments
