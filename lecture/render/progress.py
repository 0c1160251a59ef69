"""How far a render run is: on a terminal, a live line per scene rendering (frames done of total, an
ETA) and one for the whole run; off a terminal (pipes, CI logs), one line per scene start and end.

The frame counts come from the render processes after every play (`lecture.render.worker.count_frames`);
a scene's total is the length of its last render (its sidecar), so the first render of a scene
shows frames done and no ETA. Third-party bars (tqdm's, in manim-slides' converters) are switched
off when standard error is not a terminal, so no carriage-return noise lands in logs.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Callable, TextIO

REDRAW_EVERY_S = 0.2  # the live block is redrawn at most this often (starts and ends at once)


def clock(seconds: float | None) -> str:
    """A duration as m:ss (h:mm:ss from an hour), "?" when unknown."""
    if seconds is None:
        return "?"
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def eta(done: int, total: int | None, elapsed: float) -> float | None:
    """Seconds left at the rate so far; None before the first frame or without a total."""
    if total is None or done <= 0 or elapsed <= 0:
        return None
    return max(0, total - done) * elapsed / done


def fraction(done: int, total: int | None) -> str:
    """`120/300 frames` (a total passed is raised to what is done: the scene grew since its last render)."""
    if total is None:
        return f"{done} frames"
    return f"{done}/{max(done, total)} frames"


def scene_line(scene: str, width: int, done: int, total: int | None, elapsed: float) -> str:
    return f"  {scene.ljust(width)}  {fraction(done, total)}  ETA {clock(eta(done, total, elapsed))}"


def run_eta(remaining: list[int | None], done: int, elapsed: float) -> float | None:
    """The whole run's seconds left: frames still to draw over the frames drawn per second so far, by
    every render process together. None while a scene to render has no known length."""
    if any(r is None for r in remaining):
        return None
    return eta(done, done + sum(remaining), elapsed)  # type: ignore[arg-type]


def run_line(finished: int, scenes: int, done: int, remaining: list[int | None], elapsed: float) -> str:
    left = None if any(r is None for r in remaining) else done + sum(remaining)  # type: ignore[arg-type]
    return (f"  all: {finished}/{scenes} scenes  {fraction(done, left)}  "
            f"ETA {clock(run_eta(remaining, done, elapsed))}  ({clock(elapsed)} so far)")


def expected_frames(scene: str, out_dir: Path, fps: int) -> int | None:
    """The scene's length in frames at `fps`, from the sidecar of its last render: in the same folder,
    else any other quality's (a silent clip's length is the same at every quality)."""
    candidates = [out_dir / f"{scene}.json", *sorted(out_dir.parent.glob(f"*/{scene}.json"))]
    for sidecar in candidates:
        try:
            duration = float(json.loads(sidecar.read_text())["duration_s"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        return max(1, round(duration * fps))
    return None


def is_live(stream: TextIO) -> bool:
    """Live lines only on a terminal that understands cursor movement."""
    try:
        return stream.isatty() and os.environ.get("TERM", "") != "dumb"
    except (AttributeError, ValueError):
        return False


def quiet_foreign_bars(stream: TextIO = sys.stderr) -> None:
    """tqdm reads TQDM_* variables when it is first imported: called before anything imports it (it is
    imported by manim and manim-slides), so their bars stay off when `stream` is not a terminal."""
    if not is_live(stream):
        os.environ.setdefault("TQDM_DISABLE", "1")


class Display:
    """`report` of `lecture.render.pool.render_jobs`: called from several threads with ("start" | "frames" |
    "done", outcome)."""

    def __init__(self, jobs: list, stream: TextIO, live: bool | None = None,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.now = stream, now
        self.live = is_live(stream) if live is None else live
        self.total = {job.scene: expected_frames(job.scene, job.out_dir, job.quality.fps) for job in jobs}
        self.width = max((len(job.scene) for job in jobs), default=0)
        self.scenes = len(jobs)
        self.done: dict[str, int] = {}  # frames drawn, by scene rendered (not cached)
        self.started: dict[str, float] = {}  # scenes rendering now, since when
        self.finished = 0
        self.cached: set[str] = set()
        self.run_started: float | None = None
        self.drawn_lines = 0
        self.last_draw = float("-inf")
        self.lock = threading.Lock()

    def __call__(self, event: str, outcome) -> None:
        scene = outcome.job.scene
        with self.lock:
            if event == "start":
                self.run_started = self.now() if self.run_started is None else self.run_started
                self.started[scene] = self.now()
                self.done[scene] = 0
                self.emit([] if self.live else [f"  rendering {scene} ..."], force=True)
            elif event == "frames":
                self.done[scene] = outcome.frames
                if self.live:
                    self.emit([], force=False)
            elif event == "done":
                self.finished += 1
                self.started.pop(scene, None)
                if outcome.cached:
                    self.cached.add(scene)
                elif outcome.frames:
                    self.done[scene] = outcome.frames
                    self.total[scene] = outcome.frames
                self.emit([self.ended(outcome)], force=True)

    def ended(self, outcome) -> str:
        scene = outcome.job.scene
        if outcome.cached:
            return f"  {scene}: up to date"
        frames = f" ({outcome.frames} frames)" if self.live and outcome.frames else ""
        if outcome.ok:
            return f"  {scene}: done in {outcome.seconds:.1f} s{frames}"
        return f"  {scene}: FAILED after {outcome.seconds:.1f} s"

    def block(self) -> list[str]:
        """The live lines: every scene rendering now, then the whole run."""
        now = self.now()
        lines = [scene_line(s, self.width, self.done.get(s, 0), self.total[s], now - t)
                 for s, t in sorted(self.started.items())]
        remaining = [None if self.total[s] is None else max(0, self.total[s] - self.done.get(s, 0))  # type: ignore[operator]
                     for s in self.total if s not in self.cached and (s in self.started or s not in self.done)]
        elapsed = now - self.run_started if self.run_started is not None else 0.0
        lines.append(run_line(self.finished, self.scenes, sum(self.done.values()), remaining, elapsed))
        return lines

    def emit(self, permanent: list[str], force: bool) -> None:
        """Lines that stay; on a terminal, the live block redrawn below them (at most every REDRAW_EVERY_S)."""
        if not self.live:
            for line in permanent:
                self.stream.write(line + "\n")
            self.stream.flush()
            return
        if not force and self.now() - self.last_draw < REDRAW_EVERY_S:
            return
        self.last_draw = self.now()
        block = self.block()
        self.stream.write(self.erase() + "".join(line + "\n" for line in permanent + block))
        self.drawn_lines = len(block)
        self.stream.flush()

    def erase(self) -> str:
        """Cursor to the start of the live block, and the screen below it cleared."""
        return f"\x1b[{self.drawn_lines}F\x1b[J" if self.drawn_lines else ""

    def close(self) -> None:
        """The live block removed, its last state summed up in one line that stays."""
        with self.lock:
            if self.live and self.drawn_lines:
                self.stream.write(self.erase())
                if self.run_started is not None:
                    elapsed = self.now() - self.run_started
                    self.stream.write(f"  all: {self.finished}/{self.scenes} scenes, "
                                      f"{sum(self.done.values())} frames in {clock(elapsed)}\n")
                self.drawn_lines = 0
                self.stream.flush()
