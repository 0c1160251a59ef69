"""The benchmark's sections: each runs the real commands and returns what it measured."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from scripts.bench.measure import PYTHON, ROOT, Stats, Timing, fresh_dir, lecture_cmd, log, run_logged, run_measured, timed
from scripts.bench.results import (SceneBench, cache_hits, cli_scene_benches, clip_seconds, render_log_cpu,
                                   render_log_peaks)
from scripts.bench.video import video_info


LOW, HD = "l", "h"  # 480p15 (the CLI runs), 1080p60 (the scenes section)

VOICE = "joe"  # the bundled piper voice

PREVIEW_SCENES = ("title", "gradient-field")  # the lightest scene and a heavy one

QUICK_SCENES = ("title",)  # --quick: scenes rendered, and the only preview

def copy_scene_latex(source_cache: Path, scene: str, cache_dir: Path) -> None:
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

def copy_latex_caches(source: Path, target: Path) -> None:
    """Copy every scene's TeX and text caches from one `--out` folder's .cache into another's."""
    for scene in (source / ".cache").iterdir() if (source / ".cache").is_dir() else ():
        if scene.is_dir():
            copy_scene_latex(source / ".cache", scene.name, target / ".cache")

def bench_scenes(scenes: list[str], tmp: Path, heavy_reps: int, latex: Path | None) -> tuple[Timing, list[SceneBench]]:
    """The lecture at 1080p60 through `lecture render -q h --jobs 1`, `heavy_reps` times, in fresh folders
    with LaTeX warm: the TeX and text caches come from `latex` (the cli section's cold run's `--out`), or,
    without it, from a 480p15 render of the same scenes into the folder first (logged, not reported).
    Each scene's row: its `done in` line, its peak memory (the render.log line) and its clip's floor."""
    targets = render_targets(scenes)
    out = tmp / "scenes" / "hd"
    timing = Timing("--jobs 1 at 1080p60: fresh folders, LaTeX warm", scenes=len(scenes))
    runs, peaks, cpus = [], [], []
    for rep in range(heavy_reps):
        fresh_dir(out)
        if latex is not None:
            copy_latex_caches(latex, out)
        else:
            run_logged(lecture_cmd("render", *targets, "-q", LOW, "--out", str(out)), tmp, "480p15 LaTeX warm-up (not reported)")
        runs.append(timing.add(run_logged(lecture_cmd("render", *targets, "-q", HD, "--jobs", "1", "--out", str(out)), tmp,
                                          f"lecture render -q h --jobs 1 {rep + 1}/{heavy_reps}")))
        peaks.append(render_log_peaks(out, scenes))
        cpus.append(render_log_cpu(out, scenes))
    source = ("`lecture render -q h --jobs 1` (fresh folders, LaTeX " + ("caches copied from the CLI cold run" if latex else
              "warmed by a 480p15 render first") + "): wall s is the CLI's own time for the scene; peak RSS the render "
              "process's own (its render.log), which counts what it shares with the fork server")
    hd = cli_scene_benches(scenes, HD, runs, [], peaks, out, tmp / "scratch", heavy_reps, source, cpus)
    timing.video_s = sum(b.video_s for b in hd if b.video_s)
    return timing, hd

def bench_naive(tmp: Path, reps: int, duration_s: float) -> SceneBench:
    """The naive scene at 1080p60; no encoder floor (only its ratio to `gradient-field` is a target)."""
    from lecture.options.table import QUALITIES

    quality = QUALITIES["h"]
    bench = SceneBench("naive gradient field", quality.folder)
    for rep in range(reps):
        work = fresh_dir(tmp / "naive")
        spec = {"media_dir": str(work / "media"), "width": quality.width, "height": quality.height,
                "fps": quality.fps, "duration_s": duration_s}
        run = run_measured([PYTHON, "-m", "scripts.bench", "--naive-worker", json.dumps(spec)], cwd=work)
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
    jobs1_runs, jobs1_peaks, jobs1_cpus = [], [], []
    for jobs in (1, 2):
        timing = runs[f"jobs{jobs}"] = Timing(f"--jobs {jobs}: fresh folders, LaTeX warm", scenes=len(scenes))
        for rep in range(heavy_reps):
            fresh = fresh_dir(tmp / "cli" / f"jobs{jobs}")
            copy_latex_caches(out, fresh)
            run = timing.add(run_logged(render(fresh, "--jobs", str(jobs)), tmp, f"lecture render --jobs {jobs} {rep + 1}/{heavy_reps}"))
            if jobs == 1:
                jobs1_runs.append(run)
                jobs1_peaks.append(render_log_peaks(fresh, scenes))
                jobs1_cpus.append(render_log_cpu(fresh, scenes))
        timing.video_s = cold.video_s
    source = ("`lecture render -q l --jobs 1` (fresh folders, LaTeX warm): wall s is the CLI's own time for the scene, "
              "one scene at a time; peak RSS the render process's own (its render.log)")
    lowres = cli_scene_benches(scenes, LOW, jobs1_runs, cold_runs, jobs1_peaks, tmp / "cli" / "jobs1", tmp / "scratch",
                               heavy_reps, source, jobs1_cpus)
    return runs, lowres

def cli_cold_out(tmp: Path) -> Path:
    """The `--out` folder of the cli section's cold runs; its `.cache` holds every scene's LaTeX caches."""
    return tmp / "cli" / "cold"

def code_fingerprint() -> str:
    from lecture.render.jobs import code_fingerprint as fingerprint

    return fingerprint()

def render_targets(scenes: list[str]) -> list[str]:
    """The scene arguments of `lecture render`: `--lecture ID all` for one whole lecture, else the ids."""
    from scenes.catalog import LECTURES

    whole = next((lecture for lecture in LECTURES if scenes == list(lecture.ids)), None)
    return ["--lecture", whole.id, "all"] if whole else scenes

def list_lecture(lecture_id: str | None = None) -> list[str]:
    """One lecture's scenes, in order; every lecture's, one after the other, for None."""
    from scenes.catalog import LECTURE_BY_ID, LECTURES

    return list(LECTURE_BY_ID[lecture_id].ids) if lecture_id else [s for lecture in LECTURES for s in lecture.ids]

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
            copy_latex_caches(latex, out)
            shutil.rmtree(out / ".cache" / "speech", ignore_errors=True)  # none copied; the narrated run synthesises cold
            run = timing.add(run_logged(lecture_cmd("render", *targets, "-q", LOW, "--jobs", "2", "--out", str(out), *voice),
                                        tmp, f"lecture render {' '.join(voice) or 'silent'} {rep + 1}/{heavy_reps}"))
            renders = render_log_cpu(out, scenes)
            if run.ok and len(renders) == len(scenes):  # the CLI's own CPU and every render's
                timing.cpu.values.append(run.cpu_s + sum(renders.values()))
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
        run = timing.add(run_logged([PYTHON, "-m", "scripts.bench", "--synthesis-worker", str(spec)], work,
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
    from lecture.voice.narrator import VoiceNarrator
    from lecture.voice.voices import parse_voice
    from scenes.kit.narration import split_marks

    spec = json.loads(Path(spec_file).read_text())
    narrator = VoiceNarrator(parse_voice(spec["voice"]), Path(spec["cache_dir"]))
    speech_s = 0.0
    for scene, beat, text in spec["beats"]:
        marked = split_marks(text)
        speech_s += narrator.speak(scene, beat, marked.text, marked.marks).duration
    print("RESULT " + json.dumps({"speech_s": speech_s, "synthesised_s": narrator.speaker.synthesised_seconds,
                                  "inside_s": time.perf_counter() - started}), flush=True)

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


def has_plain_render() -> bool:
    """Whether this lecture's `render` has `--plain` (stock manim: no custom renderer, layers, fades,
    text cache or encoder changes)."""
    run = run_measured(lecture_cmd("render", "--help"), ROOT)
    return run.ok and "--plain" in run.stdout


def bench_plain(scenes: list[str], tmp: Path, latex: Path | None) -> dict[str, Timing]:
    """The lecture at 480p15, `lecture render -q l --force` and the same with `--plain`, one run each,
    into one fresh folder with LaTeX warm (the cli section's caches, or a render made first, logged,
    not reported): how much faster the project's renderer is than stock manim."""
    targets = render_targets(scenes)
    default = Timing("default renderer: `--force`, LaTeX warm", scenes=len(scenes))
    plain = Timing("stock manim: `--plain --force`, LaTeX warm", scenes=len(scenes))
    if not has_plain_render():
        plain.note = "skipped: `lecture render` has no --plain here (stock manim rendering is not in this version)"
        log(f"plain: {plain.note}")
        return {"default": default, "plain": plain}
    out = fresh_dir(tmp / "plain")
    if latex is not None:
        copy_latex_caches(latex, out)
    else:
        run_logged(lecture_cmd("render", *targets, "-q", LOW, "--out", str(out)), tmp, "480p15 LaTeX warm-up (not reported)")
    for timing, extra in ((default, ()), (plain, ("--plain",))):
        timing.add(run_logged(lecture_cmd("render", *targets, "-q", LOW, "--force", "--out", str(out), *extra), tmp,
                              f"lecture render {' '.join(extra) or 'default'}"))
        timing.video_s = clip_seconds(out)
    return {"default": default, "plain": plain}

CLUSTER_WORKERS = 2  # LocalCluster worker processes, one thread each: as `dask worker --nworkers 2 --nthreads 1`


def bench_cluster(scenes: list[str], tmp: Path, heavy_reps: int, latex: Path | None) -> dict[str, Timing]:
    """The lecture at 480p15 on a 2-worker LocalCluster (`lecture render -q l --scheduler ADDRESS`) against
    `--jobs 2` on the same machine, `heavy_reps` times each, alternating, into fresh folders, LaTeX warm on
    both sides: the cli section's caches (without it: a render made first, logged, not reported), copied
    into the `--jobs 2` folder and into the workers' cache (LECTURE_WORKER_CACHE, laid out as `--out`'s
    .cache). The cluster is started fresh for the section, as a cluster that is already up: its worker
    processes are running, their render servers (lecture/render/host.py) start with the first task, as
    the CLI's fork server starts with the CLI."""
    import os

    from distributed import LocalCluster

    from lecture.cluster.pool import WORKER_CACHE

    targets = render_targets(scenes)
    work = tmp / "cluster"
    if latex is None:
        latex = fresh_dir(work / "latex")
        run_logged(lecture_cmd("render", *targets, "-q", LOW, "--out", str(latex)), tmp, "480p15 LaTeX warm-up (not reported)")
    workers_cache = fresh_dir(work / "workers")
    copy_latex_caches(latex, workers_cache)
    local = Timing("`--jobs 2` on this machine: fresh folders, LaTeX warm", scenes=len(scenes))
    cluster_run = Timing(f"`--scheduler`: a {CLUSTER_WORKERS}-worker LocalCluster on this machine (one thread each), "
                         "fresh folders, LaTeX warm", scenes=len(scenes))
    saved = os.environ.get(WORKER_CACHE)
    os.environ[WORKER_CACHE] = str(workers_cache / ".cache")  # the worker processes inherit it
    try:
        with LocalCluster(n_workers=CLUSTER_WORKERS, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
            for rep in range(heavy_reps):
                for timing, extra in ((local, ("--jobs", "2")), (cluster_run, ("--scheduler", cluster.scheduler_address))):
                    out = fresh_dir(work / ("cluster" if timing is cluster_run else "local"))
                    if timing is local:
                        copy_latex_caches(latex, out)
                    timing.add(run_logged(lecture_cmd("render", *targets, "-q", LOW, "--out", str(out), *extra), tmp,
                                          f"lecture render {' '.join(extra)} {rep + 1}/{heavy_reps}"))
                    timing.video_s = clip_seconds(out)
    finally:
        if saved is None:
            os.environ.pop(WORKER_CACHE, None)
        else:
            os.environ[WORKER_CACHE] = saved
    return {"local": local, "cluster": cluster_run}
