"""Two renders' frames compared as a viewer would see them: decoded with PyAV, blurred by a 5x5 box so that
x264 noise and one-pixel edges average out, then every pixel within 48 levels and at most 2% of them over 24.
What the project's renderer draws differently from stock manim on purpose stays inside that (images resized
instead of warped: up to 41 levels, 1.1% of pixels over 24 in gradient-field; numbers as one path of the same
glyphs; a fade of text on a panel as one picture: up to 11 levels). A missing or misplaced digit at the tiny
size differs by 80 or more, a wrong fade opacity by more than 2% of the frame."""
from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from PIL import ImageFilter

MAX_BLURRED_DIFFERENCE = 48
MAX_SHARE_OVER_24 = 0.02


def blurred_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [np.asarray(f.to_image().filter(ImageFilter.BoxBlur(2)), dtype=int) for f in container.decode(video=0)]


def frame_differences(ours: Path, stock: Path) -> list[str]:
    """Each frame where the two videos differ more than the tolerance, as one line; a different frame count is one line."""
    a_frames, b_frames = blurred_frames(ours), blurred_frames(stock)
    if len(a_frames) != len(b_frames):
        return [f"{len(a_frames)} frames against {len(b_frames)}"]
    found = []
    for i, (a, b) in enumerate(zip(a_frames, b_frames)):
        diff = np.abs(a - b).max(axis=2)
        share = (diff > 24).mean()
        if diff.max() > MAX_BLURRED_DIFFERENCE or share > MAX_SHARE_OVER_24:
            found.append(f"frame {i}: blurred frames differ by up to {diff.max()}, {share:.2%} of pixels by more than 24")
    return found
