"""`python -m scripts.readme_clip CLIP.mp4 TARGET.gif [START END FPS WIDTH]`: the README's animated picture,
a stretch of a real render as a small GIF (one palette for every frame, so the file stays small).

`docs/clip.gif` is gradient-descent rendered with `lecture render gradient-descent -q l`, 13.5 s to 35.3 s,
10 frames a second, 480 pixels wide (about 0.4 MB).
"""
from __future__ import annotations

import sys
from pathlib import Path

import av
from PIL import Image


def frames_of(clip: Path, start: float, end: float, fps: float, width: int) -> list[Image.Image]:
    """The clip's frames from `start` to `end` seconds, `fps` a second, resized to `width`."""
    frames: list[Image.Image] = []
    with av.open(str(clip)) as container:
        wanted = start
        for frame in container.decode(container.streams.video[0]):
            if frame.time < wanted - 1e-6:
                continue
            if frame.time > end:
                break
            image = frame.to_image()
            frames.append(image.resize((width, round(image.height * width / image.width)), Image.LANCZOS))
            wanted += 1 / fps
    return frames


def write_gif(frames: list[Image.Image], target: Path, fps: float, colours: int = 128) -> Path:
    """One palette from four frames spread over the stretch (a palette per frame would flicker and cost more)."""
    height = frames[0].height
    sample = Image.new("RGB", (frames[0].width, height * 4))
    for row, index in enumerate((0, len(frames) // 3, 2 * len(frames) // 3, len(frames) - 1)):
        sample.paste(frames[index], (0, row * height))
    palette = sample.quantize(colors=colours, method=Image.Quantize.MEDIANCUT)
    quantized = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    quantized[0].save(target, save_all=True, append_images=quantized[1:], duration=round(1000 / fps), loop=0, optimize=True)
    return target


def main(argv: list[str]) -> None:
    clip, target = Path(argv[0]), Path(argv[1])
    start, end, fps, width = (float(argv[2]), float(argv[3]), float(argv[4]), int(argv[5])) if len(argv) > 2 else (13.5, 35.3, 10.0, 480)
    print(write_gif(frames_of(clip, start, end, fps, width), target, fps))


if __name__ == "__main__":
    main(sys.argv[1:])
