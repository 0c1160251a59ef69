"""The 3-D surface's quads painted through PIL's core call give the pixels of PIL's public `polygon`.

`paint_quads` (scenes/widgets/surface.py) skips ImageDraw's per-call ink conversion by calling the
undocumented core behind `ImageDraw.polygon`; this is the check that a Pillow upgrade still paints the same.
"""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from scenes.widgets.surface import paint_quads


def random_quads(count: int, size: int, rng: np.random.Generator) -> tuple[list[list[float]], np.ndarray, np.ndarray]:
    centres = rng.uniform(0, size, (count, 1, 2))
    corners = centres + rng.uniform(-size / 6, size / 6, (count, 4, 2))
    fills = rng.integers(0, 256, (count, 4), dtype=np.uint8)
    fills[: count // 2, 3] = 255  # opaque and translucent quads both
    outlines = fills.copy()
    outlines[:, :3] //= 2
    outlines[:, 3] = 255
    outlines[::5] = fills[::5]  # some outlines equal their fill: not drawn again
    return corners.reshape(count, 8).tolist(), fills, outlines


@pytest.mark.parametrize("with_outlines", [False, True])
def test_the_core_paint_equals_pils_public_polygon(with_outlines):
    polygons, fills, outlines = random_quads(200, 96, np.random.default_rng(7))
    fast, public = (Image.new("RGBA", (96, 96), (0, 0, 0, 0)) for _ in range(2))
    paint_quads(ImageDraw.Draw(fast), polygons, fills, outlines if with_outlines else None)
    draw = ImageDraw.Draw(public)
    for k, polygon in enumerate(polygons):
        draw.polygon(polygon, fill=tuple(int(v) for v in fills[k]),
                     outline=tuple(int(v) for v in outlines[k]) if with_outlines else None)
    painted = np.asarray(fast)
    assert np.count_nonzero(painted[..., 3]) > 96 * 96 // 2  # the quads cover most of the canvas
    assert np.array_equal(painted, np.asarray(public))
