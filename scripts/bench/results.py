"""What the benchmark measures per scene, and the CLI's output read back: its per-scene lines, its render logs."""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.bench.measure import Run, Stats, log
from scripts.bench.text import fmt, peak_text
from scripts.bench.video import encoder_floor_cpu, video_info


@dataclass
class SceneBench:
    """Renders of one scene at one quality."""

    scene: str
    quality: str
    video_s: float | None = None
    frames: int | None = None
    cold_s: float | None = None  # LaTeX cold (480p only: the CLI cold run's time for this scene)
    wall: Stats = field(default_factory=Stats)  # LaTeX-warm renders
    rss_mb: Stats = field(default_factory=Stats)  # each render process's own peak (its render.log)
    floor: Stats = field(default_factory=Stats)
    cpu: Stats = field(default_factory=Stats)  # each render process's own CPU seconds, its threads and children (its render.log)
    floor_cpu: Stats = field(default_factory=Stats)  # the encoder floor in CPU seconds
    floor_frames: int | None = None  # frames the floor was measured on (sampled in long clips)
    source: str = ""  # where the renders come from
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.wall.values)

    @property
    def per_video_s(self) -> Stats:
        return Stats([w / self.video_s for w in self.wall.values]) if self.video_s else Stats()

    @property
    def floor_ratio(self) -> float | None:
        if not (self.ok and self.floor.median):
            return None
        return self.wall.median / self.floor.median

    @property
    def cpu_floor_ratio(self) -> float | None:
        """The render's CPU seconds over its floor's: what a loaded machine changes least."""
        if not (self.ok and self.cpu.median and self.floor_cpu.median):
            return None
        return self.cpu.median / self.floor_cpu.median

    def to_json(self) -> dict[str, Any]:
        return {"scene": self.scene, "quality": self.quality, "source": self.source, "ok": self.ok, "error": self.error,
                "video_s": self.video_s, "frames": self.frames, "latex_cold_wall_s": self.cold_s,
                "wall_s": self.wall.to_json(), "s_per_video_s": self.per_video_s.to_json(),
                "max_rss_mb": self.rss_mb.to_json(), "encoder_floor_s": self.floor.to_json(),
                "encoder_floor_frames_measured": self.floor_frames,
                "ratio_to_floor": self.floor_ratio, "cpu_s": self.cpu.to_json(),
                "encoder_floor_cpu_s": self.floor_cpu.to_json(), "cpu_ratio_to_floor": self.cpu_floor_ratio}

def measure_clip(bench: SceneBench, movie: Path, scratch: Path, floor_reps: int) -> None:
    """Video seconds and frames of the clip, and its encoder floor (`floor_reps` times)."""
    info = video_info(movie)
    bench.video_s, bench.frames = info.seconds, info.frames
    scratch.mkdir(parents=True, exist_ok=True)
    for _ in range(floor_reps):
        seconds, cpu, bench.floor_frames = encoder_floor_cpu(movie, scratch)
        bench.floor.values.append(seconds)
        bench.floor_cpu.values.append(cpu)
    log(f"{bench.quality} {bench.scene}: {info.frames} frames, encoder floor {bench.floor.text(1)} s, "
        f"{bench.floor_cpu.text(1)} s CPU (measured on {bench.floor_frames})")

PEAK_LINE = re.compile(r"^peak memory: (?P<mb>[0-9.]+) MB$", re.MULTILINE)


def render_log_values(out: Path, scenes: list[str], line: re.Pattern) -> dict[str, float]:
    """Each scene's number on `line` (its one group) as its render process logged it (`lecture.render.worker`)."""
    found = {}
    for scene in scenes:
        log_file = out / ".cache" / scene / "render.log"
        match = line.search(log_file.read_text(errors="replace")) if log_file.exists() else None
        if match:
            found[scene] = float(match[1])
    return found


def render_log_peaks(out: Path, scenes: list[str]) -> dict[str, float]:
    """Each scene's peak memory in MB as its render process logged it."""
    return render_log_values(out, scenes, PEAK_LINE)


CPU_LINE = re.compile(r"^cpu: (?P<s>[0-9.]+) s$", re.MULTILINE)


def render_log_cpu(out: Path, scenes: list[str]) -> dict[str, float]:
    """Each scene's CPU seconds as its render process logged them: user + system of the process, its
    threads and its children."""
    return render_log_values(out, scenes, CPU_LINE)


# The CLI's progress lines off a terminal (lecture.progress.Display) and its error lines for failed scenes.
CLI_PROGRESS = re.compile(r"^\s*(?P<scene>\S+): (?:done in (?P<seconds>[0-9.]+) s|(?P<failed>FAILED) after .*|(?P<cached>up to date))\s*$")

CLI_ERROR = re.compile(r"^lecture: error: (?P<scene>\S+) failed: (?P<error>.*)$")

def cli_scene_seconds(run: Run) -> dict[str, float | str]:
    """Each scene of a `lecture render` run: its wall seconds as the CLI reports them (`<scene>: done in
    N s`), or, if it was not rendered, why (a cache hit, or the error of a failed render)."""
    errors = {m["scene"]: m["error"] for m in map(CLI_ERROR.match, run.stderr.splitlines()) if m}
    scenes: dict[str, float | str] = {}
    for match in filter(None, map(CLI_PROGRESS.match, run.stdout.splitlines())):
        scene = match["scene"]
        if match["seconds"]:
            scenes[scene] = float(match["seconds"])
        elif match["cached"]:
            scenes[scene] = "a cache hit in fresh folders: not rendered"
        else:
            scenes[scene] = "failed: " + errors.get(scene, run.error())
    return scenes

def cli_scene_benches(scenes: list[str], flag: str, jobs1: list[Run], cold: list[Run], peaks: list[dict[str, float]],
                      out: Path, scratch: Path, floor_reps: int, source: str,
                      cpus: list[dict[str, float]] | None = None) -> list[SceneBench]:
    """Scene rows from `lecture render --jobs 1` runs at quality `flag`: wall seconds from the runs'
    per-scene lines, peak memory from each run's render logs (`peaks`), "LaTeX cold" from the cold runs'
    lines (median), video seconds, frames and the encoder floor from the clips the last run wrote to `out`."""
    from lecture.options.table import QUALITIES

    quality = QUALITIES[flag].folder
    rep_seconds = [(run, cli_scene_seconds(run)) for run in jobs1]
    cold_seconds = [cli_scene_seconds(run) for run in cold]
    benches = []
    for scene in scenes:
        bench = SceneBench(scene, quality, source=source)
        cold_values = [seconds[scene] for seconds in cold_seconds if isinstance(seconds.get(scene), float)]
        bench.cold_s = statistics.median(cold_values) if cold_values else None
        for run, seconds in rep_seconds:
            value = seconds.get(scene, "no line for it in the CLI's output" + ("" if run.ok else f" ({run.error()})"))
            if isinstance(value, str):
                bench.error = f"`lecture render --jobs 1`: {value}"
                break
            bench.wall.values.append(value)
        bench.rss_mb.values = [p[scene] for p in peaks if scene in p]
        bench.cpu.values = [c[scene] for c in cpus or [] if scene in c]
        movie = out / quality / f"{scene}.mp4"
        if not bench.error and not movie.exists():
            bench.error = f"`lecture render --jobs 1` wrote no {movie.name}"
        if not bench.ok:
            log(f"{quality} {scene}: FAILED ({bench.error})")
            benches.append(bench)
            continue
        log(f"{quality} {scene} (--jobs 1): {bench.wall.text(1)} s, peak {peak_text(bench.rss_mb.values)} MB; "
            f"LaTeX cold: {fmt(bench.cold_s, 's', 1)}")
        measure_clip(bench, movie, scratch, floor_reps)
        benches.append(bench)
    return benches

def cache_hits(run: Run) -> int:
    return sum(1 for line in run.stdout.splitlines() if line.strip().endswith(": up to date"))

def clip_seconds(out: Path, narrated: bool = False) -> float:
    """Total duration of the clips an `--out` folder holds (480p; narrated: `480p15/narrated`), from the files themselves."""
    folder = out / "480p15" / "narrated" if narrated else out / "480p15"
    return sum(video_info(movie).seconds for movie in sorted(folder.glob("*.mp4")))
