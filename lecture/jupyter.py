"""`lecture.show(...)`: a scene rendered where the lecturer works, in a Jupyter notebook, shown inline.

It runs `lecture render` (a separate process: manim's global state stays out of the kernel) with the
options given as keywords, so the clip goes through the same cache as the command line (an unchanged
scene with unchanged options is not rendered again), and returns IPython's `Video` with the clip
embedded, as manim's own `%%manim` magic displays its result.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from lecture import UserError

QUALITY_FOLDERS = {"l": "480p15", "m": "720p30", "h": "1080p60", "k": "2160p60", "t": "tiny"}


def flag_value(value: Any) -> str:
    """An option's value as the command line writes it: {"w": -0.5} -> "w=-0.5", (1, 2) -> "1,2"."""
    if isinstance(value, dict):
        return ",".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def render_args(scene: str, quality: str, out: Path, lecture: str | None, voice: str | None,
                lectures: str | Path | None, options: dict[str, Any]) -> list[str]:
    args = ["render", scene, "-q", quality, "--out", str(out)]
    args += ["--lecture", lecture] if lecture else []
    args += ["--voice", voice] if voice else []
    for name, value in options.items():
        args += [f"--{name.replace('_', '-')}", flag_value(value)]
    return args


def show(scene: str, quality: str = "l", *, out: str | Path = "media", lecture: str | None = None,
         voice: str | None = None, lectures: str | Path | None = None, embed: bool = True, **options: Any):
    """Render SCENE (an id of `lecture list`, or a drafted lecture's scene with `lectures=` its folder)
    and return it as an inline video: `lecture.show("backprop", quality="l", expr="(y - w*x)**2",
    values={"w": 0.5, "x": 1, "y": 2})`. Keywords are the render options (`function`, `expr`, `values`,
    `lr`, `theme`, ...). Bad options raise `UserError` with the command's one-line message."""
    from IPython.display import Video  # only in a notebook

    if quality not in QUALITY_FOLDERS:
        raise UserError(f"quality {quality!r}: choose one of {', '.join(QUALITY_FOLDERS)}")
    out = Path(out)
    env = dict(os.environ)
    if lectures:
        env["LECTURE_PATH"] = os.pathsep.join(p for p in (env.get("LECTURE_PATH", ""), str(Path(lectures).resolve())) if p)
    done = subprocess.run([sys.executable, "-m", "lecture", *render_args(scene, quality, out, lecture, voice, lectures, options)],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise UserError(lines[-1] if lines else f"lecture render {scene} failed (exit status {done.returncode})")
    folder = out / QUALITY_FOLDERS[quality] / ("narrated" if voice and voice != "none" else "")
    clip = folder / f"{scene}.mp4"
    if not clip.is_file():
        raise UserError(f"lecture render {scene} made no {clip}; see `lecture render {scene}` in a terminal")
    return Video(str(clip), embed=embed, html_attributes="controls loop")
