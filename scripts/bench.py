"""Benchmark of the lecture renderer: `make bench`, or `.venv/bin/python scripts/bench.py [options]`.

Not a test. It measures how fast rendering is on this machine, and how much memory it takes, and writes
`bench/results/bench.md` (also printed) and `bench/results/bench.json`. Times are medians with their
spread (min-max). The report and the JSON (`total_s`) give how long the benchmark itself took. Do not
run it while anything else renders: on 2 cores the numbers would be noise.

Options: `--quick` (a smoke run of a few minutes: one rep, `title` only, a 2 s naive reference),
`--scenes a,b` (default: the whole lecture), `--sections engine,preview,cli,narration,scenes,naive`
(default: all, run in that order), `--reps N` (cheap measurements: engine, imports, previews, the unchanged re-render;
default 2), `--heavy-reps N` (whole-lecture CLI runs, narrated and silent renders and the narration's
synthesis, 1080p60 renders, the naive reference; default 1),
`--naive-seconds S`, `--out DIR` (default bench/results), `--keep` (keep the render folders).

What is measured, and how, in the order a full run does it:

* engine: `engine.gradient_field` on a 1000 x 1000 grid against numpy's closed-form gradient of
  sin(x^2 + y^2) on the same grid (meshgrid, z and gradient both ways; the report gives their largest
  difference).
* preview: `lecture preview title` and `lecture preview gradient-field` (LaTeX warm; the cold first run
  is noted) against the import floor `python -c "import manim, torch"`, and the CLI's own import time.
* cli: the lecture through the real CLI (`lecture render all -q l --out DIR`), `--heavy-reps` times each:
  cold (empty folders, so LaTeX is cold too; the CLI's default `--jobs`, one per core), warm (the same
  command again, `--reps` times: every scene must be a cache hit; a run during which scenes/ or engine/
  changed is flagged, not scored), and `--jobs 1` against `--jobs 2` (fresh output folders, with the
  TeX and text caches of the cold run copied in: "cold, LaTeX warm"). The 480p target is the `--jobs 2`
  run's wall time over the lecture's video seconds.
  The 480p15 rows of the scenes table come from these runs, not from renders of their own: wall seconds
  per scene are the CLI's own per-scene times (its `  <scene>: done in N s` lines) in the `--jobs 1` run,
  one scene at a time, so no scene shares the cores; the first scene started (the CLI starts the longest
  first) also pays for starting the CLI's fork server. The "LaTeX-cold wall s" column is the same line in
  the cold run, where scenes ran two (one per core) at a time, so those times include sharing the cores.
  Video seconds, frames and the encoder floor (below) come from the `--jobs 1` run's clips
  (`<out>/480p15/<scene>.mp4`), peak memory from the line each render process writes at its end in its
  render.log (`peak memory: N MB`, its max RSS, which counts the pages it shares with the fork server).
* narration: the lecture narrated by the bundled voice `joe`, `--heavy-reps` times each. Synthesis: every
  beat's spoken text (`sections[*].narration` of the narrated run's sidecars, or the silent run's if that
  failed) said by `lecture.narrator.VoiceNarrator` into an empty speech cache, in one fresh process
  (`--synthesis-worker`: interpreter start, imports and loading the model, about 0.6 s, are counted);
  the target is its wall time over the seconds of speech it made. Renders: `lecture render all -q l
  --jobs 2` and the same with `--voice joe`, each into a fresh folder with the TeX and text caches of the
  cli section's cold run copied in (without the cli section: of a silent 480p15 render made first, logged,
  not reported) and no speech cache, so the narrated run synthesises its speech cold; each run's wall
  time over its own clips' video seconds (`<out>/480p15/*.mp4`, `<out>/480p15/narrated/*.mp4`: narrated
  clips are longer, beats hold for their speech). The target is narrated over silent, per video second.
* scenes: the lecture at 1080p60 through the real CLI as a lecturer renders it before class (`lecture
  render all -q h --jobs 1 --out DIR`), `--heavy-reps` times, in a fresh output folder with the TeX
  and text caches of the cli section's cold run copied in (TeX SVGs do not depend on the resolution;
  text SVGs do, and Pango makes them again, fast). One scene at a time, so each scene's time (its
  `done in` line) has both cores, as its encoder floor does. Without the cli section (`--sections
  scenes`), the same scenes are first rendered at 480p15 into the folder to warm LaTeX (logged, not
  reported). The lecture target is this run's wall time, start-up included, over the sum of the floors.
* encoder floor (480p15 and 1080p60 rows): each clip's own frames, decoded from it, encoded again exactly
  as the renders encode (manim 0.21's `SceneFileWriter.open_partial_movie_stream`: PyAV, libx264,
  yuv420p, RGBA arrays in; with the project's options `lecture.encoding.X264_OPTIONS`: crf 23 and a
  10-frame lookahead), in streams of 60 frames as manim writes a partial movie
  file per animation; only the encoding is timed, once per render of the clip. No renderer can avoid this
  cost, and it depends on the content (x264 is fast on still frames), so a synthetic frame would not do.
  Clips longer than 180 frames are sampled (180 frames in evenly spread chunks of 60) and the time scaled
  to the whole clip. A render's wall time over its floor is what drawing adds.
* naive: a gradient field as one might first write it (a heatmap of 3,600 `Square`s, manim's
  `ArrowVectorField`, a probe with live `DecimalNumber` readouts; same function, ranges and beats as
  `gradient-field`, time-compressed to 4 s by default) against `gradient-field`, per video second at 1080p60.

Peak memory of the CLI rows is the max RSS `os.wait4` reports for the CLI: the CLI itself, or a child
it waited for if larger. Its render processes are forked from its fork server and are not such children,
so these rows show about the CLI's own size, not a render's; render memory is in the scene rows (and
the preview rows: a preview renders in the CLI's own process). The targets at the top
are scored as measured/limit ("at most") or limit/measured ("at least"): 1.00 or less passes. A failed
scene is reported as failed and left out of the totals; the run goes on.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
LECTURE_BIN = Path(sys.executable).with_name("lecture")
RESULTS = ROOT / "bench" / "results"
SECTIONS = ("engine", "preview", "cli", "narration", "scenes", "naive")  # in the order they run: narration and scenes reuse the cli caches
LOW, HD = "l", "h"  # 480p15 (the CLI runs), 1080p60 (the scenes section)
PREVIEW_SCENES = ("title", "gradient-field")  # the lightest scene and a heavy one
QUICK_SCENES = ("title",)  # --quick: scenes rendered, and the only preview
QUICK_NAIVE_S = 2.0
PROCESS_TIMEOUT_S = 3600.0
MB = 1e6
FLOOR_CHUNK = 60  # frames per separately encoded stream: about one animation, as manim's partial movie files
FLOOR_MAX_FRAMES = 180  # frames encoded per clip for its floor; longer clips are sampled

# The encoder manim 0.21 uses for mp4 (SceneFileWriter.open_partial_movie_stream).
MANIM_CODEC = "libx264"
MANIM_PIX_FMT = "yuv420p"

# Targets: limits of the ratios in the report.
LECTURE_FLOOR_LIMIT = 1.5  # whole lecture at 1080p60 / its encoder floor
SECONDS_PER_VIDEO_SECOND_480P = 0.3
NAIVE_SPEEDUP = 3.0
WARM_RERENDER_S = 5.0
JOBS_SPEEDUP = 1.6
PREVIEW_IMPORT_LIMIT = 1.5
PEAK_MEMORY_MB = 1000.0
ENGINE_NUMPY_LIMIT = 5.0
SYNTHESIS_PER_SPEECH_S = 0.1  # cold synthesis wall s per second of speech (model load included)
NARRATED_SILENT_LIMIT = 1.10  # narrated / silent 480p render, per video second
VOICE = "joe"  # the bundled piper voice


# --- measuring ----------------------------------------------------------------------------------

@dataclass
class Stats:
    """Repeated measurements of one quantity."""

    values: list[float] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    def text(self, digits: int = 2) -> str:
        if not self.values:
            return "-"
        median = f"{self.median:.{digits}f}"
        if len(self.values) == 1:
            return median
        return f"{median} ({min(self.values):.{digits}f}–{max(self.values):.{digits}f})"

    def to_json(self) -> dict[str, Any]:
        return {"median": self.median, "min": min(self.values, default=None), "max": max(self.values, default=None),
                "n": len(self.values), "values": self.values}


@dataclass
class Run:
    """One finished subprocess: exit status, wall time, peak memory, its output."""

    returncode: int
    wall_s: float
    max_rss_mb: float
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def result(self) -> dict[str, Any] | None:
        """The `RESULT {json}` line a worker prints when it succeeds."""
        for line in self.stdout.splitlines():
            if line.startswith("RESULT "):
                return json.loads(line[len("RESULT "):])
        return None

    def error(self) -> str:
        from lecture.render import last_error_line

        return f"exit {self.returncode}: {last_error_line(self.stderr or self.stdout)}"


# Peak memory comes from `os.wait4` in a small launcher process, not in this one: Linux counts the
# memory a child inherits at fork in its max RSS (the hiwater mark survives exec), so a render forked
# from this process, which holds torch and decoded frames, would report at least this process's size.
LAUNCHER = """\
import os, sys, time
result, cmd = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(result, "w") as f:
    f.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss} {time.perf_counter() - started}")
"""


def run_measured(cmd: list[str], cwd: Path, timeout_s: float = PROCESS_TIMEOUT_S) -> Run:
    """Run `cmd` in a process group of its own, through LAUNCHER: wall time from fork to reaping, and
    max RSS of the process or of any child it waited for (e.g. LaTeX, or the CLI's render workers)."""
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".rusage") as result:
        started = time.perf_counter()
        proc = subprocess.Popen([PYTHON, "-S", "-c", LAUNCHER, result.name, *cmd], cwd=cwd, env=env,
                                stdout=out, stderr=err, start_new_session=True)
        timer = threading.Timer(timeout_s, kill_group, (proc.pid,))
        timer.start()
        try:
            proc.wait()
        except BaseException:  # Ctrl-C: take the render processes down with us
            kill_group(proc.pid)
            raise
        finally:
            timer.cancel()
        fields = result.read().split()
        returncode, max_rss_kb, wall = (int(fields[0]), int(fields[1]), float(fields[2])) if fields else \
            (proc.returncode or -1, 0, time.perf_counter() - started)
        out.seek(0)
        err.seek(0)
        return Run(returncode, wall, max_rss_kb * 1024 / MB,
                   out.read().decode(errors="replace"), err.read().decode(errors="replace"))


def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


# --- the machine --------------------------------------------------------------------------------

def machine_info() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in read_lines("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor() or "unknown")
    mem_kb = next((int(line.split()[1]) for line in read_lines("/proc/meminfo") if line.startswith("MemTotal")), 0)
    versions = {name: metadata.version(name) for name in ("torch", "manim", "av", "numpy")}
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_kb * 1024 / 1e9, 1),
            "python": platform.python_version(), **versions, "platform": platform.platform()}


def read_lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


# --- video files --------------------------------------------------------------------------------

@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    fps: float
    frames: int

    @property
    def seconds(self) -> float:
        return self.frames / self.fps


def video_info(path: Path) -> VideoInfo:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = stream.frames or sum(1 for packet in container.demux(stream) if packet.size)
        return VideoInfo(stream.width, stream.height, float(stream.average_rate), frames)


def encode_like_manim(frames: list[Any], info: VideoInfo, target: Path) -> None:
    """Encode RGBA frames into one file exactly as the renders write a partial movie file (manim 0.21's
    SceneFileWriter with the project's x264 options, `lecture.encoding.X264_OPTIONS`)."""
    import av
    from manim.scene.scene_file_writer import to_av_frame_rate

    from lecture.encoding import X264_OPTIONS

    with av.open(str(target), mode="w") as container:
        stream = container.add_stream(MANIM_CODEC, rate=to_av_frame_rate(round(info.fps)), options=X264_OPTIONS)
        stream.pix_fmt = MANIM_PIX_FMT
        stream.width, stream.height = info.width, info.height
        for rgba in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgba, format="rgba")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def floor_chunks(frames: int) -> set[int]:
    """Indices of the FLOOR_CHUNK-frame chunks to encode: all of them, or FLOOR_MAX_FRAMES' worth evenly spread."""
    count = -(-frames // FLOOR_CHUNK)
    keep = max(1, min(count, FLOOR_MAX_FRAMES // FLOOR_CHUNK))
    return {round(k * (count - 1) / max(keep - 1, 1)) for k in range(keep)}


def sampled_chunks(path: Path, chunks: set[int]) -> Iterator[list[Any]]:
    """The chosen chunks of the clip, each a list of RGBA arrays (at most FLOOR_CHUNK frames in memory).
    Each chunk is sought to (the clip has a keyframe per animation) instead of decoding the whole clip
    (4-5 s for a 1080p clip)."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        fps, base = float(stream.average_rate), stream.time_base
        origin = float((stream.start_time or 0) * base)
        for first in sorted(c * FLOOR_CHUNK for c in chunks):
            container.seek(int((origin + first / fps) / base), stream=stream, backward=True, any_frame=False)
            chunk: list[Any] = []
            for frame in container.decode(stream):
                index = round((float(frame.pts * base) - origin) * fps)
                if index >= first + FLOOR_CHUNK:
                    break
                if index >= first:
                    chunk.append(frame.to_ndarray(format="rgba"))
            if chunk:
                yield chunk


def encoder_floor(movie: Path, scratch: Path) -> tuple[float, int]:
    """Seconds manim's encoder needs for this clip's frames, and how many frames that was measured on.

    Chunks of FLOOR_CHUNK frames are encoded as separate streams, as manim encodes each animation into
    a partial movie file of its own; only the encoding is timed, from RGBA arrays to a closed file.
    Long clips are sampled (FLOOR_MAX_FRAMES frames, evenly spread) and the time scaled to all frames.
    """
    info = video_info(movie)
    seconds, encoded = 0.0, 0
    for index, chunk in enumerate(sampled_chunks(movie, floor_chunks(info.frames))):
        if index == 0:  # untimed: the first encoder of a process pays for loading libx264
            encode_like_manim(chunk[:2], info, scratch / "floor.mp4")
        seconds += timed(lambda: encode_like_manim(chunk, info, scratch / "floor.mp4"))
        encoded += len(chunk)
    (scratch / "floor.mp4").unlink(missing_ok=True)
    return seconds * info.frames / max(encoded, 1), encoded


# --- scenes -------------------------------------------------------------------------------------

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

    def to_json(self) -> dict[str, Any]:
        return {"scene": self.scene, "quality": self.quality, "source": self.source, "ok": self.ok, "error": self.error,
                "video_s": self.video_s, "frames": self.frames, "latex_cold_wall_s": self.cold_s,
                "wall_s": self.wall.to_json(), "s_per_video_s": self.per_video_s.to_json(),
                "max_rss_mb": self.rss_mb.to_json(), "encoder_floor_s": self.floor.to_json(),
                "encoder_floor_frames_measured": self.floor_frames,
                "ratio_to_floor": self.floor_ratio}


def measure_clip(bench: SceneBench, movie: Path, scratch: Path, floor_reps: int) -> None:
    """Video seconds and frames of the clip, and its encoder floor (`floor_reps` times)."""
    info = video_info(movie)
    bench.video_s, bench.frames = info.seconds, info.frames
    scratch.mkdir(parents=True, exist_ok=True)
    for _ in range(floor_reps):
        seconds, bench.floor_frames = encoder_floor(movie, scratch)
        bench.floor.values.append(seconds)
    log(f"{bench.quality} {bench.scene}: {info.frames} frames, encoder floor {bench.floor.text(1)} s "
        f"(measured on {bench.floor_frames})")


def seed_scene_latex(source_cache: Path, scene: str, cache_dir: Path) -> None:
    """Copy one scene's TeX and text caches between two render cache folders, both laid out as the worker
    keeps them for a cache folder C (`C/<scene>/Tex`, `C/<scene>/media/texts-<width>px`). Text SVGs
    answer only renders of the same video width (Pango lays text out that wide)."""
    root = source_cache / scene
    for source in latex_folders(root):
        if source.is_dir():
            shutil.copytree(source, cache_dir / scene / source.relative_to(root), dirs_exist_ok=True)


def latex_folders(scene_cache: Path) -> list[Path]:
    """One scene's TeX folder and its text folders (one per video width), as the worker keeps them."""
    return [scene_cache / "Tex", *sorted((scene_cache / "media").glob("texts-*px"))]


def bench_scenes(scenes: list[str], tmp: Path, heavy_reps: int, latex: Path | None) -> tuple[Timing, list[SceneBench]]:
    """The lecture at 1080p60 through `lecture render -q h --jobs 1`, `heavy_reps` times, in fresh folders
    with LaTeX warm: the TeX and text caches come from `latex` (the cli section's cold run's `--out`), or,
    without it, from a 480p15 render of the same scenes into the folder first (logged, not reported).
    Each scene's row: its `done in` line, its peak memory (the render.log line) and its clip's floor."""
    targets = render_targets(scenes)
    out = tmp / "scenes" / "hd"
    timing = Timing("--jobs 1 at 1080p60: fresh folders, LaTeX warm", scenes=len(scenes))
    runs, peaks = [], []
    for rep in range(heavy_reps):
        fresh_dir(out)
        if latex is not None:
            seed_latex(latex, out)
        else:
            run_logged(lecture_cmd("render", *targets, "-q", LOW, "--out", str(out)), tmp, "480p15 LaTeX warm-up (not reported)")
        runs.append(timing.add(run_logged(lecture_cmd("render", *targets, "-q", HD, "--jobs", "1", "--out", str(out)), tmp,
                                          f"lecture render -q h --jobs 1 {rep + 1}/{heavy_reps}")))
        peaks.append(render_log_peaks(out, scenes))
    source = ("`lecture render -q h --jobs 1` (fresh folders, LaTeX " + ("caches copied from the CLI cold run" if latex else
              "warmed by a 480p15 render first") + "): wall s is the CLI's own time for the scene; peak RSS the render "
              "process's own (its render.log), which counts what it shares with the fork server")
    hd = cli_scene_benches(scenes, HD, runs, [], peaks, out, tmp / "scratch", heavy_reps, source)
    timing.video_s = sum(b.video_s for b in hd if b.video_s)
    return timing, hd


PEAK_LINE = re.compile(r"^peak memory: (?P<mb>[0-9.]+) MB$", re.MULTILINE)


def render_log_peaks(out: Path, scenes: list[str]) -> dict[str, float]:
    """Each scene's peak memory as its render process logged it (`lecture.worker.render_forked`)."""
    peaks = {}
    for scene in scenes:
        log_file = out / ".cache" / scene / "render.log"
        match = PEAK_LINE.search(log_file.read_text(errors="replace")) if log_file.exists() else None
        if match:
            peaks[scene] = float(match["mb"])
    return peaks


# --- the naive gradient field -------------------------------------------------------------------

NAIVE_SQUARES = 60  # per axis: 3,600 squares
NAIVE_DEFAULT_S = 4.0  # video length of the naive reference (the full beats, time-compressed)
# The naive scene's beats at full length (seconds), as in gradient-field (29.5 s): surface and formula,
# pause, arrows, pause, probe appears, probe walks, pause, probe leaves, lesson, pause.
NAIVE_BEATS = {"surface": 1.5, "formula": 1.5, "pause1": 1.0, "arrows": 2.5, "pause2": 1.0, "probe": 1.2,
               "walk": 17.3, "pause3": 1.0, "leave": 1.0, "lesson": 1.0, "pause4": 1.0}


def naive_scene_class(duration_s: float) -> type:
    """A straightforward gradient field, as one might first write it: the same function, ranges and
    beats as `gradient-field` (surface, arrows, a probe with live readouts, a closing line), with every
    beat scaled so the clip lasts `duration_s`. Per second of video it does what gradient-field does."""
    import numpy as np
    from manim import (BLUE_E, DOWN, LEFT, RIGHT, UR, YELLOW, Arrow, ArrowVectorField, Create, DecimalNumber, Dot,
                       FadeIn, FadeOut, MathTex, Scene, Square, Text, ValueTracker, VGroup, Write, always_redraw,
                       interpolate_color, linear)

    from engine.notebook import NOTEBOOK_ARROW_STEP, NOTEBOOK_PLOT_RANGE, fun_dz, fun_z

    lo, hi = NOTEBOOK_PLOT_RANGE
    step = NOTEBOOK_ARROW_STEP
    offset = LEFT * 3  # data (x, y) is drawn at offset + (x, y): a 6 x 6 plot on the left
    beat = {name: seconds * duration_s / sum(NAIVE_BEATS.values()) for name, seconds in NAIVE_BEATS.items()}

    def gradient(point: np.ndarray) -> np.ndarray:
        return np.array([*fun_dz(point[0] - offset[0], point[1] - offset[1]), 0.0])

    class NaiveGradientField(Scene):
        def construct(self) -> None:
            side = (hi - lo) / NAIVE_SQUARES
            centres = np.linspace(lo + side / 2, hi - side / 2, NAIVE_SQUARES)
            heat = VGroup(*(Square(side, stroke_width=0, fill_opacity=1,
                                   fill_color=interpolate_color(BLUE_E, YELLOW, (fun_z(x, y) + 1) / 2))
                            .move_to(offset + [x, y, 0]) for y in centres for x in centres))
            arrows = ArrowVectorField(lambda p: 0.12 * gradient(p), x_range=[lo + step + offset[0], hi - step + offset[0], step],
                                      y_range=[lo + step, hi - step, step])
            formula = MathTex(r"z = \sin(x^2 + y^2)").to_corner(UR)
            self.play(FadeIn(heat), run_time=beat["surface"])
            self.play(Write(formula), run_time=beat["formula"])
            self.wait(beat["pause1"])
            self.play(Create(arrows), run_time=beat["arrows"])
            self.wait(beat["pause2"])

            t = ValueTracker(0.0)  # 0 -> 1: out from near the centre while turning half way round

            def probe() -> np.ndarray:
                angle, radius = np.pi * t.get_value(), 2.4 * min(1.0, 0.2 + t.get_value())
                return offset + radius * np.array([np.cos(angle), np.sin(angle), 0.0])

            def reading(k: int) -> float:
                x, y = (probe() - offset)[:2]
                return [x, y, float(fun_z(x, y)), *gradient(probe())[:2]][k]

            dot = always_redraw(lambda: Dot(probe(), color=YELLOW))
            arrow = always_redraw(lambda: Arrow(probe(), probe() + 0.3 * gradient(probe()), buff=0, color=YELLOW))
            readouts = VGroup(*(DecimalNumber(0, num_decimal_places=2) for _ in range(5)))
            readouts.arrange(DOWN, aligned_edge=LEFT).to_edge(RIGHT, buff=1.5)
            for k, readout in enumerate(readouts):
                readout.add_updater(lambda d, k=k: d.set_value(reading(k)))
            self.play(arrows.animate.set_opacity(0.3), FadeIn(dot), FadeIn(arrow), FadeIn(readouts), run_time=beat["probe"])
            self.play(t.animate.set_value(1), run_time=beat["walk"], rate_func=linear)
            self.wait(beat["pause3"])
            self.play(FadeOut(dot), FadeOut(arrow), FadeOut(readouts), arrows.animate.set_opacity(1), run_time=beat["leave"])
            self.play(FadeIn(Text("Their length is the steepness.", font_size=28).next_to(formula, DOWN, buff=1)),
                      run_time=beat["lesson"])
            self.wait(beat["pause4"])

    return NaiveGradientField


def naive_worker(spec: dict[str, Any]) -> None:
    """Subprocess entry (`--naive-worker JSON`): render the naive scene with the worker's manim settings."""
    from manim import tempconfig

    settings = {"media_dir": spec["media_dir"], "pixel_width": spec["width"], "pixel_height": spec["height"],
                "frame_rate": spec["fps"], "format": "mp4", "output_file": "naive", "write_to_movie": True,
                "progress_bar": "none", "verbosity": "WARNING", "notify_outdated_version": False}
    with tempconfig(settings):
        scene = naive_scene_class(spec["duration_s"])()
        scene.render()
        print("RESULT " + json.dumps({"files": [str(scene.renderer.file_writer.movie_file_path)]}), flush=True)


def bench_naive(tmp: Path, reps: int, duration_s: float) -> SceneBench:
    """The naive scene at 1080p60; no encoder floor (only its ratio to `gradient-field` is a target)."""
    from lecture.options import QUALITIES

    quality = QUALITIES["h"]
    bench = SceneBench("naive gradient field", quality.folder)
    for rep in range(reps):
        work = fresh_dir(tmp / "naive")
        spec = {"media_dir": str(work / "media"), "width": quality.width, "height": quality.height,
                "fps": quality.fps, "duration_s": duration_s}
        run = run_measured([PYTHON, str(Path(__file__).resolve()), "--naive-worker", json.dumps(spec)], cwd=work)
        result = run.result() if run.ok else None
        if result is None:
            bench.error = run.error()
            log(f"naive reference: FAILED ({bench.error})")
            return bench
        info = video_info(Path(result["files"][0]))
        bench.video_s, bench.frames = info.seconds, info.frames
        bench.wall.values.append(run.wall_s)
        bench.rss_mb.values.append(run.max_rss_mb)
        log(f"naive reference rep {rep + 1}/{reps}: {run.wall_s:.1f} s for {info.seconds:.1f} s of video")
    return bench


# --- the CLI: whole lecture, previews -----------------------------------------------------------

@dataclass
class Timing:
    """Repeated runs of one command."""

    name: str
    wall: Stats = field(default_factory=Stats)
    rss_mb: Stats = field(default_factory=Stats)
    video_s: float | None = None
    note: str = ""
    error: str = ""
    valid: bool = True  # False: the runs did not measure what the name says
    scenes: int = 1  # scenes the command renders

    def add(self, run: Run) -> Run:
        self.wall.values.append(run.wall_s)
        self.rss_mb.values.append(run.max_rss_mb)
        if not run.ok and not self.error:
            self.error = run.error()
        return run

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "wall_s": self.wall.to_json(), "max_rss_mb": self.rss_mb.to_json(),
                "video_s": self.video_s, "note": self.note, "error": self.error, "valid": self.valid,
                "scenes": self.scenes}


def lecture_cmd(*args: str) -> list[str]:
    return [str(LECTURE_BIN), *args]


def clip_seconds(out: Path, narrated: bool = False) -> float:
    """Total duration of the clips an `--out` folder holds (480p; narrated: `480p15/narrated`), from the files themselves."""
    folder = out / "480p15" / "narrated" if narrated else out / "480p15"
    return sum(video_info(movie).seconds for movie in sorted(folder.glob("*.mp4")))


def cache_hits(run: Run) -> int:
    return sum(1 for line in run.stdout.splitlines() if line.strip().endswith(": up to date"))


def seed_latex(source: Path, target: Path) -> None:
    """Copy every scene's TeX and text caches from one `--out` folder's .cache into another's."""
    for scene in (source / ".cache").iterdir() if (source / ".cache").is_dir() else ():
        if scene.is_dir():
            seed_scene_latex(source / ".cache", scene.name, target / ".cache")


# The CLI's progress lines (lecture.cli.print_progress) and its error lines for failed scenes.
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
                      out: Path, scratch: Path, floor_reps: int, source: str) -> list[SceneBench]:
    """Scene rows from `lecture render --jobs 1` runs at quality `flag`: wall seconds from the runs'
    per-scene lines, peak memory from each run's render logs (`peaks`), "LaTeX cold" from the cold runs'
    lines (median), video seconds, frames and the encoder floor from the clips the last run wrote to `out`."""
    from lecture.options import QUALITIES

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


def bench_cli(scenes: list[str], tmp: Path, reps: int, heavy_reps: int) -> tuple[dict[str, Timing], list[SceneBench]]:
    """The lecture through `lecture render`: cold, warm (cache hits), --jobs 1 and --jobs 2; and the
    480p15 scene rows, from the per-scene lines of the --jobs 1 (and cold) runs. The last cold run's
    folder, `cli_cold_out(tmp)`, stays: the scenes section takes its LaTeX caches."""
    targets = render_targets(scenes)
    render = lambda out, *extra: lecture_cmd("render", *targets, "-q", "l", "--out", str(out), *extra)  # noqa: E731
    cold, warm = Timing("cold: empty folders, LaTeX cold"), Timing("warm: unchanged, same folders")
    runs = {"cold": cold, "warm": warm}
    fingerprint = code_fingerprint()
    out = cli_cold_out(tmp)
    cold_runs = []
    for rep in range(heavy_reps):
        fresh_dir(out)
        cold_runs.append(cold.add(run_logged(render(out), tmp, f"lecture render cold {rep + 1}/{heavy_reps}")))
    cold.video_s = clip_seconds(out)
    hits = [cache_hits(warm.add(run_logged(render(out), tmp, f"lecture render warm {rep + 1}/{reps}")))
            for rep in range(reps)]
    warm.note = f"cache hits: {min(hits)} of {len(scenes)} scenes" + ("; failed scenes are never cached" if cold.error else "")
    if min(hits) < len(scenes) and code_fingerprint() != fingerprint:
        warm.valid = False
        warm.note += "; scenes/ or engine/ changed during the run: not an unchanged re-render"
    jobs1_runs, jobs1_peaks = [], []
    for jobs in (1, 2):
        timing = runs[f"jobs{jobs}"] = Timing(f"--jobs {jobs}: fresh folders, LaTeX warm", scenes=len(scenes))
        for rep in range(heavy_reps):
            fresh = fresh_dir(tmp / "cli" / f"jobs{jobs}")
            seed_latex(out, fresh)
            run = timing.add(run_logged(render(fresh, "--jobs", str(jobs)), tmp, f"lecture render --jobs {jobs} {rep + 1}/{heavy_reps}"))
            if jobs == 1:
                jobs1_runs.append(run)
                jobs1_peaks.append(render_log_peaks(fresh, scenes))
        timing.video_s = cold.video_s
    source = ("`lecture render -q l --jobs 1` (fresh folders, LaTeX warm): wall s is the CLI's own time for the scene, "
              "one scene at a time; peak RSS the render process's own (its render.log)")
    lowres = cli_scene_benches(scenes, LOW, jobs1_runs, cold_runs, jobs1_peaks, tmp / "cli" / "jobs1", tmp / "scratch",
                               heavy_reps, source)
    return runs, lowres


def cli_cold_out(tmp: Path) -> Path:
    """The `--out` folder of the cli section's cold runs; its `.cache` holds every scene's LaTeX caches."""
    return tmp / "cli" / "cold"


def code_fingerprint() -> str:
    from lecture.render import code_fingerprint as fingerprint

    return fingerprint()


def run_logged(cmd: list[str], cwd: Path, label: str) -> Run:
    run = run_measured(cmd, cwd)
    log(f"{label}: {run.wall_s:.1f} s" + ("" if run.ok else f" FAILED ({run.error()})"))
    return run


def render_targets(scenes: list[str]) -> list[str]:
    """The scene arguments of `lecture render`: `all` for the whole lecture."""
    return ["all"] if scenes == list_lecture() else scenes


def list_lecture() -> list[str]:
    from scenes.catalog import LECTURE

    return list(LECTURE)


def bench_previews(tmp: Path, reps: int, scenes: tuple[str, ...]) -> dict[str, Timing]:
    """`python -c "import manim, torch"`, then `lecture preview SCENE` (once LaTeX cold, then warm)."""
    floor = Timing("import floor: python -c \"import manim, torch\"")
    cli_import = Timing("CLI import: python -c \"import lecture.cli\"")
    for rep in range(reps):
        floor.add(run_logged([PYTHON, "-c", "import manim, torch"], tmp, f"import floor {rep + 1}/{reps}"))
        cli_import.add(run_logged([PYTHON, "-c", "import lecture.cli"], tmp, f"CLI import {rep + 1}/{reps}"))
    results = {"import": floor, "cli_import": cli_import}
    for scene in scenes:
        out = fresh_dir(tmp / "preview" / scene)
        cold = run_logged(lecture_cmd("preview", scene, "--out", str(out)), tmp, f"preview {scene} LaTeX cold")
        timing = results[scene] = Timing(f"lecture preview {scene}", note=f"LaTeX cold: {cold.wall_s:.2f} s")
        timing.error = "" if cold.ok else cold.error()
        for rep in range(reps):
            timing.add(run_logged(lecture_cmd("preview", scene, "--out", str(out)), tmp, f"preview {scene} {rep + 1}/{reps}"))
    return results


# --- narration ----------------------------------------------------------------------------------

def bench_narration(scenes: list[str], tmp: Path, heavy_reps: int, latex: Path | None) -> dict[str, Timing]:
    """The lecture at 480p15 silent and narrated (`--voice joe`), `lecture render -q l --jobs 2` into fresh
    folders with LaTeX warm (caches from `latex`, the cli section's cold run's `--out`, or without it from a
    silent render made first) and no speech cache; then the cold synthesis of all the narration's text,
    taken from the narrated run's sidecars. `heavy_reps` times each."""
    targets = render_targets(scenes)
    work = tmp / "narration"
    if latex is None:
        latex = fresh_dir(work / "latex")
        run_logged(lecture_cmd("render", *targets, "-q", LOW, "--out", str(latex)), tmp, "480p15 LaTeX warm-up (not reported)")
    silent = Timing("silent: `--jobs 2`, fresh folders, LaTeX warm", scenes=len(scenes))
    narrated = Timing(f"narrated: `--jobs 2 --voice {VOICE}`, fresh folders, LaTeX warm, speech cold", scenes=len(scenes))
    for timing, voice in ((silent, ()), (narrated, ("--voice", VOICE))):
        out = work / ("narrated" if voice else "silent")
        for rep in range(heavy_reps):
            fresh_dir(out)
            seed_latex(latex, out)
            shutil.rmtree(out / ".cache" / "speech", ignore_errors=True)  # none copied; the narrated run synthesises cold
            timing.add(run_logged(lecture_cmd("render", *targets, "-q", LOW, "--jobs", "2", "--out", str(out), *voice), tmp,
                                  f"lecture render {' '.join(voice) or 'silent'} {rep + 1}/{heavy_reps}"))
        timing.video_s = clip_seconds(out, narrated=bool(voice))
        log(f"{'narrated' if voice else 'silent'}: {timing.video_s:.1f} s of video")
    beats = narration_beats(work / "narrated" / "480p15" / "narrated") or narration_beats(work / "silent" / "480p15")
    return {"silent": silent, "narrated": narrated, "synthesis": bench_synthesis(beats, work, heavy_reps)}


def narration_beats(folder: Path) -> list[list[str]]:
    """[scene, beat, spoken text] of every beat with narration, from the sidecars in a clips folder."""
    beats = []
    for sidecar in sorted(folder.glob("*.json")):
        data = json.loads(sidecar.read_text())
        beats += [[data.get("scene", sidecar.stem), s["name"], s["narration"]]
                  for s in data.get("sections", []) if s.get("narration")]
    return beats


def bench_synthesis(beats: list[list[str]], work: Path, reps: int) -> Timing:
    """All the beats' texts said in one fresh process (`--synthesis-worker`) into an empty speech cache;
    `video_s` is the seconds of speech made."""
    timing = Timing(f"synthesis, cold: {len(beats)} beats, one process, empty speech cache (model load included)")
    if not beats:
        timing.error = "no narration text: the renders wrote no sidecars"
        return timing
    spec = work / "synthesis.json"
    for rep in range(reps):
        spec.write_text(json.dumps({"voice": VOICE, "cache_dir": str(fresh_dir(work / "speech")), "beats": beats}))
        run = timing.add(run_logged([PYTHON, str(Path(__file__).resolve()), "--synthesis-worker", str(spec)], work,
                                    f"synthesis {rep + 1}/{reps}"))
        result = run.result() if run.ok else None
        if result is None:
            timing.error = timing.error or "the worker printed no result"
            return timing
        timing.video_s = result["speech_s"]
        timing.note = (f"{result['speech_s']:.1f} s of speech ({result['synthesised_s']:.1f} s of it synthesised; the rest "
                       f"gaps between pieces, or pieces said twice), {result['inside_s']:.2f} s inside the worker "
                       "(imports, model load, synthesis); texts as the sidecars give them, without bookmarks")
        log(f"synthesis {rep + 1}/{reps}: {run.wall_s:.2f} s for {result['speech_s']:.1f} s of speech")
    return timing


def synthesis_worker(spec_file: str) -> None:
    """Subprocess entry (`--synthesis-worker FILE`): say every beat's text as a render process does
    (`VoiceNarrator.speak`: a piece per sentence, each cached), and print the seconds of speech."""
    started = time.perf_counter()
    from lecture.narrator import VoiceNarrator
    from lecture.voices import parse_voice
    from scenes.narration import split_marks

    spec = json.loads(Path(spec_file).read_text())
    narrator = VoiceNarrator(parse_voice(spec["voice"]), Path(spec["cache_dir"]))
    speech_s = 0.0
    for scene, beat, text in spec["beats"]:
        marked = split_marks(text)
        speech_s += narrator.speak(scene, beat, marked.text, marked.marks).duration
    print("RESULT " + json.dumps({"speech_s": speech_s, "synthesised_s": narrator.speaker.synthesised_seconds,
                                  "inside_s": time.perf_counter() - started}), flush=True)


# --- the engine ---------------------------------------------------------------------------------

def bench_engine(reps: int) -> dict[str, Any]:
    """engine.gradient_field (torch autograd) against the closed form in numpy, 1000 x 1000, same grid."""
    import numpy as np

    from engine import gradient_field, parse_function
    from engine.notebook import NOTEBOOK_FUNCTION, NOTEBOOK_PLOT_RANGE, fun_dz, fun_z

    h = parse_function(NOTEBOOK_FUNCTION)
    lo, hi = NOTEBOOK_PLOT_RANGE
    n = 1000

    def engine_field() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        f = gradient_field(h, NOTEBOOK_PLOT_RANGE, NOTEBOOK_PLOT_RANGE, step=(hi - lo) / (n - 1))
        return f.z, f.u, f.v

    def closed_form() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        xx, yy = np.meshgrid(np.linspace(lo, hi, n), np.linspace(lo, hi, n))
        return (fun_z(xx, yy), *fun_dz(xx, yy))

    ours, theirs = engine_field(), closed_form()  # warm-up, and check they agree
    assert ours[0].shape == (n, n), ours[0].shape
    error = max(float(np.max(np.abs(a - b))) for a, b in zip(ours, theirs))
    engine_s = Stats([timed(engine_field) for _ in range(reps)])
    numpy_s = Stats([timed(closed_form) for _ in range(reps)])
    log(f"gradient_field {engine_s.text(3)} s, numpy {numpy_s.text(3)} s")
    return {"engine": engine_s, "numpy": numpy_s, "max_abs_difference": error}


# --- targets ------------------------------------------------------------------------------------

@dataclass
class Target:
    name: str
    measured: str
    limit: str
    score: float | None  # measured / limit for "at most", limit / measured for "at least": <= 1 passes
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.score is None:
            return "not measured"
        return "PASS" if self.score <= 1.0 else "FAIL"


def at_most(value: float | None, limit: float) -> float | None:
    return None if value is None else value / limit


def at_least(value: float | None, limit: float) -> float | None:
    return None if not value else limit / value


def failed_note(benches: list[SceneBench], quality: str) -> str:
    failed = [b.scene for b in benches if b.quality == quality and not b.ok]
    return f"left out, failed: {', '.join(failed)}" if failed else ""


def hd_targets(scenes: list[SceneBench], naive: SceneBench | None, lecture: Timing | None) -> list[Target]:
    """Whole lecture at 1080p60 (the `lecture render -q h` run's wall time, start-up included) against its
    encoder floor, gradient-field against the naive reference, memory. If a scene failed, the lecture is
    the sum of the other scenes' own times."""
    hd = [b for b in scenes if b.quality == "1080p60" and b.ok and b.floor.median]
    every_scene = lecture is not None and not lecture.error and lecture.wall.values and len(hd) == lecture.scenes
    wall = lecture.wall.median if every_scene else sum(b.wall.median for b in hd)
    ratio = wall / sum(b.floor.median for b in hd) if hd else None
    field_bench = next((b for b in hd if b.scene == "gradient-field"), None)
    speedup = naive.per_video_s.median / field_bench.per_video_s.median if field_bench and naive and naive.ok else None
    peak = max((max(b.rss_mb.values) for b in scenes if b.quality == "1080p60" and b.rss_mb.values), default=None)
    note = failed_note(scenes, "1080p60")
    return [
        Target("lecture at 1080p60 vs its encoder floor", fmt(ratio, "x floor"), f"<= {LECTURE_FLOOR_LIMIT}x",
               at_most(ratio, LECTURE_FLOOR_LIMIT), note),
        Target("gradient-field vs naive reference, 1080p60, per video s", fmt(speedup, "x faster"), f">= {NAIVE_SPEEDUP}x",
               at_least(speedup, NAIVE_SPEEDUP)),
        Target("peak memory of a 1080p60 render", fmt(peak, "MB", 0), f"< {PEAK_MEMORY_MB:.0f} MB",
               at_most(peak, PEAK_MEMORY_MB), note),
    ]


def cli_targets(cli: dict[str, Timing]) -> list[Target]:
    """Whole lecture at 480p15 per video second, the unchanged re-render, and --jobs 2 against --jobs 1."""
    jobs1, jobs2, warm = cli.get("jobs1"), cli.get("jobs2"), cli.get("warm")
    per_s = jobs2.wall.median / jobs2.video_s if jobs2 and jobs2.video_s else None
    warm_s = warm.wall.median if warm and warm.valid else None
    speedup = jobs1.wall.median / jobs2.wall.median if jobs1 and jobs2 and jobs1.scenes > 1 else None
    return [
        Target("lecture at 480p15, `lecture render -q l --jobs 2`, LaTeX warm", fmt(per_s, "s per video s"),
               f"<= {SECONDS_PER_VIDEO_SECOND_480P}", at_most(per_s, SECONDS_PER_VIDEO_SECOND_480P), jobs2.error if jobs2 else ""),
        Target("unchanged lecture re-render", fmt(warm_s, "s"), f"< {WARM_RERENDER_S} s", at_most(warm_s, WARM_RERENDER_S),
               "; ".join(filter(None, [warm.note, warm.error]))if warm else ""),
        Target("`--jobs 2` vs `--jobs 1`", fmt(speedup, "x faster"), f">= {JOBS_SPEEDUP}x", at_least(speedup, JOBS_SPEEDUP),
               "needs 2+ scenes" if jobs1 and not speedup else "; ".join(filter(None, [t.error for t in (jobs1, jobs2) if t]))),
    ]


def narration_targets(narration: dict[str, Timing]) -> list[Target]:
    """Cold synthesis per second of speech, and the narrated render against the silent one per video second."""
    synthesis, silent, narrated = (narration.get(k) for k in ("synthesis", "silent", "narrated"))
    per_speech_s = per_video_s(synthesis)
    silent_s, narrated_s = per_video_s(silent), per_video_s(narrated)
    ratio = narrated_s / silent_s if silent_s and narrated_s else None
    measured = fmt(ratio, "x silent") + (f" ({narrated_s:.2f} vs {silent_s:.2f} s per video s)" if ratio else "")
    return [
        Target("synthesis of the whole lecture's narration, cold", fmt(per_speech_s, "s per speech s", 3),
               f"<= {SYNTHESIS_PER_SPEECH_S}", at_most(per_speech_s, SYNTHESIS_PER_SPEECH_S), synthesis.error if synthesis else ""),
        Target("narrated vs silent render of the lecture at 480p, per video second", measured, f"<= {NARRATED_SILENT_LIMIT}x",
               at_most(ratio, NARRATED_SILENT_LIMIT), "; ".join(t.error for t in (silent, narrated) if t and t.error)),
    ]


def per_video_s(timing: Timing | None) -> float | None:
    """Median wall seconds per video second of a run that succeeded (None if it failed or made nothing)."""
    return timing.wall.median / timing.video_s if timing and not timing.error and timing.video_s else None


def preview_targets(previews: dict[str, Timing]) -> list[Target]:
    floor = previews.get("import")
    rows = []
    for scene in PREVIEW_SCENES:
        preview = previews.get(scene)
        ratio = preview.wall.median / floor.wall.median if preview and floor and not preview.error else None
        rows.append(Target(f"`lecture preview {scene}` (LaTeX warm) vs import floor", fmt(ratio, "x floor"),
                           f"<= {PREVIEW_IMPORT_LIMIT}x", at_most(ratio, PREVIEW_IMPORT_LIMIT), preview.error if preview else ""))
    return rows


def targets(results: dict[str, Any]) -> list[Target]:
    engine = results.get("engine")
    ratio = engine["engine"].median / engine["numpy"].median if engine else None
    return [*hd_targets(results.get("scenes", []), results.get("naive"), results.get("hd")), *cli_targets(results.get("cli", {})),
            *narration_targets(results.get("narration", {})), *preview_targets(results.get("previews", {})),
            Target("engine.gradient_field 1000x1000 vs numpy closed form", fmt(ratio, "x numpy"),
                   f"<= {ENGINE_NUMPY_LIMIT}x", at_most(ratio, ENGINE_NUMPY_LIMIT))]


def fmt(value: float | None, unit: str, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f} {unit}"


# --- the report ---------------------------------------------------------------------------------

def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def scene_rows(benches: list[SceneBench]) -> list[list[str]]:
    rows = []
    for b in benches:
        if not b.ok:
            rows.append([b.scene, b.quality, "FAILED: " + b.error.replace("|", "/")[:160]] + ["-"] * 7)
            continue
        rows.append([b.scene, b.quality, f"{b.video_s:.1f}", fmt(b.cold_s, "", 1).strip(), b.wall.text(1),
                     b.per_video_s.text(2), peak_text(b.rss_mb.values), b.floor.text(1),
                     fmt(b.floor_ratio, "", 2).strip(), str(b.frames)])
    for quality in sorted({b.quality for b in benches}):
        ok = [b for b in benches if b.quality == quality and b.ok]
        if len(ok) > 1:
            video, wall = sum(b.video_s for b in ok), sum(b.wall.median for b in ok)
            floor = sum(b.floor.median or 0 for b in ok)
            rows.append([f"**all {len(ok)} rendered**", quality, f"{video:.1f}", "", f"{wall:.1f}", f"{wall / video:.2f}",
                         peak_text([v for b in ok for v in b.rss_mb.values]), f"{floor:.1f}",
                         f"{wall / floor:.2f}" if floor else "-", str(sum(b.frames for b in ok))])
    return rows


def peak_text(values: list[float]) -> str:
    return f"{max(values):.0f}" if values else "-"


def scene_notes(benches: list[SceneBench], cores: int) -> str:
    """Where each quality's rows come from."""
    notes = []
    for quality in sorted({b.quality for b in benches}, key=lambda q: int(q.split("p")[0])):
        for source in sorted({b.source for b in benches if b.quality == quality}):
            notes.append(f"{quality}: {source}.")
    if any(b.quality == "480p15" and b.cold_s for b in benches):
        at_once = min(cores, sum(1 for b in benches if b.quality == "480p15"))
        notes.append(f"LaTeX-cold wall s: the same line in the 480p15 cold run, which rendered {at_once} "
                     f"scene{'s' if at_once > 1 else ''} at a time.")
    return " ".join(notes)


def timing_rows(timings: list[Timing]) -> list[list[str]]:
    rows = []
    for t in timings:
        per_s = f"{t.wall.median / t.video_s:.2f}" if t.video_s and t.wall.values else "-"
        note = "; ".join(filter(None, [t.note, f"FAILED: {t.error}" if t.error else ""])).replace("|", "/")
        rows.append([t.name, t.wall.text(2), per_s, t.rss_mb.text(0), note])
    return rows


def report(machine: dict[str, Any], settings: dict[str, Any], results: dict[str, Any]) -> str:
    scenes, naive, cli, narration, previews, engine = (results.get(k) for k in ("scenes", "naive", "cli", "narration", "previews", "engine"))
    total_s = settings.get("total_s", 0)
    parts = [
        "# Lecture renderer benchmark",
        f"This run took {total_s / 60:.1f} min ({total_s:.0f} s).",
        f"{time.strftime('%Y-%m-%d %H:%M')} — {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB; "
        f"Python {machine['python']}, torch {machine['torch']}, manim {machine['manim']}, PyAV {machine['av']}. "
        f"Settings: reps {settings['reps']}, 1080p/lecture reps {settings['heavy_reps']}"
        + (", **quick run**" if settings["quick"] else "") + f"; sections: {', '.join(settings['sections'])}; "
        f"scenes: {', '.join(settings['scenes'])}.",
        "Times are medians (min–max) of wall seconds. \"LaTeX warm\" renders reuse TeX/text caches but no partial movies.",
        "## Targets (score = measured/limit, or limit/measured for \"at least\"; <= 1.00 passes)",
        table(["target", "measured", "limit", "score", "result", "note"],
              [[t.name, t.measured, t.limit, fmt(t.score, "", 2).strip(), t.verdict, t.note]
               for t in targets(results)]),
    ]
    if scenes:
        parts += ["## Scenes",
                  scene_notes(scenes, machine["cores"]),
                  table(["scene", "quality", "video s", "LaTeX-cold wall s", "LaTeX-warm wall s", "s per video s",
                         "peak RSS MB", "encoder floor s", "x floor", "frames"], scene_rows(scenes))]
    if naive:
        parts += ["## Naive reference (3,600 `Square`s + `ArrowVectorField`, 1080p60)",
                  table(["scene", "quality", "video s", "LaTeX-cold wall s", "LaTeX-warm wall s", "s per video s",
                         "peak RSS MB", "encoder floor s", "x floor", "frames"], scene_rows([naive]))]
    lecture_runs = [*(cli or {}).values(), *([results["hd"]] if results.get("hd") else [])]
    if lecture_runs:
        parts += ["## Whole lecture through `lecture render` (480p15 unless said)",
                  "Peak RSS here is the CLI process's own (its render processes are forked from its fork server, "
                  "not children it waits for); each render's own peak is in the scenes table.",
                  table(["run", "wall s", "s per video s", "peak RSS MB", "note"], timing_rows(lecture_runs))]
    if narration:
        rows = timing_rows(list(narration.values()))
        for row, t in zip(rows, narration.values()):
            row.insert(2, fmt(t.video_s, "", 1).strip())
        parts += ["## Narration (480p15, voice `joe`)",
                  "Video s of the synthesis row is the seconds of speech it made; of the renders, their clips' total length "
                  "(narrated clips are longer: beats hold until their speech is over).",
                  table(["run", "wall s", "video / speech s", "s per video s", "peak RSS MB", "note"], rows)]
    if previews:
        floor = previews["import"].wall.median
        rows = timing_rows(list(previews.values()))
        for row, t in zip(rows, previews.values()):
            row[2] = f"{t.wall.median / floor:.2f}x floor" if t.wall.values else "-"
        parts += ["## Preview and imports", table(["command", "wall s", "vs import floor", "peak RSS MB", "note"], rows)]
    if engine:
        parts += ["## Engine: gradient of sin(x^2 + y^2) on 1000 x 1000",
                  table(["implementation", "s", "x numpy"],
                        [["engine.gradient_field (torch autograd)", engine["engine"].text(3),
                          f"{engine['engine'].median / engine['numpy'].median:.2f}"],
                         ["numpy closed form (meshgrid, z, gradient)", engine["numpy"].text(3), "1.00"]])
                  + f"\n\nLargest difference between the two: {engine['max_abs_difference']:.2e}."]
    return "\n\n".join(parts) + "\n"


def to_json(value: Any) -> Any:
    if isinstance(value, (Stats, SceneBench, Timing)):
        return value.to_json()
    if isinstance(value, Target):
        return asdict(value) | {"verdict": value.verdict}
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


# --- main ---------------------------------------------------------------------------------------

def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, help="repetitions of cheap measurements: engine, imports, previews, the unchanged "
                        "re-render (default 2; --quick: 1)")
    parser.add_argument("--heavy-reps", type=int, help="repetitions of the whole-lecture CLI runs (cold, --jobs 1, --jobs 2; "
                        "the 480p15 scene rows come from them), the narrated and silent renders and the synthesis, the 1080p60 renders and the naive reference (default 1)")
    parser.add_argument("--quick", action="store_true", help=f"smoke run: 1 rep, scenes and previews {','.join(QUICK_SCENES)}, a {QUICK_NAIVE_S:g} s naive reference")
    parser.add_argument("--scenes", help="comma-separated scene ids (default: the whole lecture)")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"what to measure (default {','.join(SECTIONS)}; always run "
                        "in that order; narration and scenes without cli warm LaTeX by a 480p15 render of each scene)")
    parser.add_argument("--naive-seconds", type=float, help=f"video length of the naive reference (default {NAIVE_DEFAULT_S:g}; --quick: {QUICK_NAIVE_S:g})")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"results folder (default {RESULTS.relative_to(ROOT)})")
    parser.add_argument("--keep", action="store_true", help="keep the temporary render folders")
    parser.add_argument("--naive-worker", help=argparse.SUPPRESS)
    parser.add_argument("--synthesis-worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.reps = args.reps or (1 if args.quick else 2)
    args.heavy_reps = args.heavy_reps or 1
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    args.scenes = scene_ids(parser, args.scenes, args.quick)
    return args


def scene_ids(parser: argparse.ArgumentParser, text: str | None, quick: bool) -> list[str]:
    from scenes.catalog import BY_ID

    if not text:
        return list(QUICK_SCENES) if quick else list_lecture()
    ids = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in ids if s not in BY_ID]
    if unknown:
        parser.error(f"unknown scenes {', '.join(unknown)}; known: {', '.join(BY_ID)}")
    return ids


def naive_duration(args: argparse.Namespace) -> float:
    return args.naive_seconds or (QUICK_NAIVE_S if args.quick else NAIVE_DEFAULT_S)


def main(argv: list[str]) -> None:
    started = time.perf_counter()
    args = parse_args(argv)
    if args.naive_worker:
        naive_worker(json.loads(args.naive_worker))
        return
    if args.synthesis_worker:
        synthesis_worker(args.synthesis_worker)
        return
    machine = machine_info()
    settings = {"reps": args.reps, "heavy_reps": args.heavy_reps, "quick": args.quick, "scenes": args.scenes,
                "sections": [s for s in SECTIONS if s in args.sections]}
    log(f"benchmark on {machine['cpu']} x{machine['cores']}: {settings}")
    tmp = Path(tempfile.mkdtemp(prefix="lecture-bench-"))
    results: dict[str, Any] = {}
    lowres: list[SceneBench] = []
    try:
        if "engine" in args.sections:
            results["engine"] = bench_engine(max(args.reps, 3))
        if "preview" in args.sections:
            results["previews"] = bench_previews(tmp, args.reps, QUICK_SCENES if args.quick else PREVIEW_SCENES)
        if "cli" in args.sections:
            results["cli"], lowres = bench_cli(args.scenes, tmp, args.reps, args.heavy_reps)
            results["scenes"] = lowres
        latex = cli_cold_out(tmp) if "cli" in args.sections else None  # after cli: its cold run's LaTeX caches
        if "narration" in args.sections:
            results["narration"] = bench_narration(args.scenes, tmp, args.heavy_reps, latex)
        if "scenes" in args.sections:  # these renders LaTeX warm too
            results["hd"], hd = bench_scenes(args.scenes, tmp, args.heavy_reps, latex)
            results["scenes"] = lowres + hd
        if "naive" in args.sections:
            results["naive"] = bench_naive(tmp, args.heavy_reps, naive_duration(args))
    finally:
        if args.keep:
            log(f"render folders kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    settings["total_s"] = round(time.perf_counter() - started, 1)
    markdown = report(machine, settings, results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.md").write_text(markdown)
    document = {"machine": machine, "settings": settings, "total_s": settings["total_s"], "results": to_json(results),
                "targets": to_json(targets(results))}
    (args.out / "bench.json").write_text(json.dumps(document, indent=2))
    print(markdown)
    log(f"done: this run took {settings['total_s'] / 60:.1f} min ({settings['total_s']:.0f} s); "
        f"wrote {args.out / 'bench.md'} and {args.out / 'bench.json'}")


if __name__ == "__main__":
    main(sys.argv[1:])
