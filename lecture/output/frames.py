"""Stills from rendered clips: posters, section end frames, storyboards."""
from __future__ import annotations

import math
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont

from lecture.output.publish import save_image_atomic


def frames_at(video: Path, times: list[float]) -> list[Image.Image]:
    """The frame shown at each time (the last frame at or before it), decoding the clip once and
    converting to an image only the frames asked for (conversion costs more than decoding)."""
    wanted = sorted(range(len(times)), key=lambda i: times[i])
    found: dict[int, av.VideoFrame] = {}
    last = None
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        k = 0
        for frame in container.decode(stream):
            t = float(frame.pts * stream.time_base)
            while k < len(wanted) and t > times[wanted[k]] + 1e-6 and last is not None:
                found[wanted[k]] = last
                k += 1
            last = frame
        for i in wanted[k:]:
            found[i] = last
        return [found[i].to_image() for i in range(len(times))]


def save_poster(last_frame: Image.Image, target: Path, transparent: bool) -> Path:
    """The clip's last frame as a PNG beside it: a slide's poster, a thumbnail. It is the renderer's
    last drawn frame, lossless: decoding a 1080p clip again for it took 3-5 s."""
    return save_image_atomic(last_frame if transparent else last_frame.convert("RGB"), target)


def sheet(images: list[Image.Image], names: list[str], target: Path, columns: int = 3) -> Path:
    """The images in a grid, `columns` wide, each under its number and name: a storyboard of a scene's beat ends."""
    w, h = images[0].size
    label_h = max(18, h // 12)
    rows = math.ceil(len(images) / columns)
    grid = Image.new("RGB", (columns * w, rows * (h + label_h)), "white")
    draw = ImageDraw.Draw(grid)
    font = ImageFont.load_default(size=label_h * 0.7)
    for i, (image, name) in enumerate(zip(images, names)):
        x, y = (i % columns) * w, (i // columns) * (h + label_h)
        grid.paste(image.convert("RGB"), (x, y + label_h))
        draw.text((x + 6, y + 2), f"{i + 1}. {name}", fill="black", font=font)
    return save_image_atomic(grid, target)
