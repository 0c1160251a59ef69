"""`python -m scripts.bench [options]` (`make bench`): run the sections asked for, write the report."""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from scripts.bench import __doc__ as GUIDE
from scripts.bench.check import bench_check
from scripts.bench.incremental import bench_incremental
from scripts.bench.measure import ROOT, log, machine_info
from scripts.bench.naive_scene import NAIVE_DEFAULT_S, naive_worker
from scripts.bench.report import report, to_json
from scripts.bench.results import SceneBench
from scripts.bench.sections import (PREVIEW_SCENES, QUICK_SCENES, bench_cli, bench_engine, bench_naive, bench_narration,
                                    bench_plain, bench_cluster, bench_previews, bench_scenes, cli_cold_out, list_lecture, synthesis_worker)
from scripts.bench.targets import targets


RESULTS = ROOT / "bench" / "results"

SECTIONS = ("engine", "preview", "cli", "narration", "plain", "check", "incremental", "cluster", "scenes", "naive")  # in the order they run: narration and scenes reuse the cli caches

QUICK_NAIVE_S = 2.0

def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=GUIDE.split("\n\n")[0])
    parser.add_argument("--reps", type=int, help="repetitions of cheap measurements: engine, imports, previews, the unchanged "
                        "re-render (default 2; --quick: 1)")
    parser.add_argument("--heavy-reps", type=int, help="repetitions of the whole-lecture CLI runs (cold, --jobs 1, --jobs 2; "
                        "the 480p15 scene rows come from them), the narrated and silent renders and the synthesis, the 1080p60 renders and the naive reference (default 1)")
    parser.add_argument("--quick", action="store_true", help=f"smoke run: 1 rep, scenes and previews {','.join(QUICK_SCENES)}, a {QUICK_NAIVE_S:g} s naive reference")
    parser.add_argument("--scenes", help="comma-separated scene ids (default: every scene of --lecture)")
    parser.add_argument("--lecture", default="all", help="whose scenes to measure: a lecture id, or all (default: every "
                        "lecture's scenes, a row each; the whole-lecture targets then cover them all)")
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
    args.scenes = scene_ids(parser, args.scenes, args.quick, args.lecture)
    return args

def scene_ids(parser: argparse.ArgumentParser, text: str | None, quick: bool, lecture: str = "all") -> list[str]:
    from scenes.catalog import BY_ID, LECTURE_BY_ID

    if lecture != "all" and lecture not in LECTURE_BY_ID:
        parser.error(f"unknown lecture {lecture}; known: {', '.join(LECTURE_BY_ID)} (or all)")
    if not text:
        return list(QUICK_SCENES) if quick else list_lecture(None if lecture == "all" else lecture)
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
    try:
        results = run_sections(args, tmp)
    finally:
        if args.keep:
            log(f"render folders kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    settings["total_s"] = round(time.perf_counter() - started, 1)
    write_outputs(args.out, machine, settings, results)


def run_sections(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Every section asked for, in SECTIONS' order: the later ones reuse the cli section's LaTeX caches."""
    results: dict[str, Any] = {}
    lowres: list[SceneBench] = []
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
    if "plain" in args.sections:
        results["plain"] = bench_plain(args.scenes, tmp, latex)
    if "check" in args.sections:
        results["check"] = bench_check(args.scenes, tmp, latex)
    if "incremental" in args.sections:
        results["incremental"] = bench_incremental(tmp, args.reps)
    if "cluster" in args.sections:
        results["cluster"] = bench_cluster(args.scenes, tmp, args.heavy_reps, latex)
    if "scenes" in args.sections:  # these renders LaTeX warm too
        results["hd"], hd = bench_scenes(args.scenes, tmp, args.heavy_reps, latex)
        results["scenes"] = lowres + hd
    if "naive" in args.sections:
        results["naive"] = bench_naive(tmp, args.heavy_reps, naive_duration(args))
    return results


def write_outputs(out: Path, machine: dict[str, Any], settings: dict[str, Any], results: dict[str, Any]) -> None:
    """bench.md and bench.json in OUT, and the Markdown on standard output."""
    markdown = report(machine, settings, results)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.md").write_text(markdown)
    document = {"machine": machine, "settings": settings, "total_s": settings["total_s"], "results": to_json(results),
                "targets": to_json(targets(results))}
    (out / "bench.json").write_text(json.dumps(document, indent=2))
    print(markdown)
    log(f"done: this run took {settings['total_s'] / 60:.1f} min ({settings['total_s']:.0f} s); "
        f"wrote {out / 'bench.md'} and {out / 'bench.json'}")

if __name__ == "__main__":
    main(sys.argv[1:])
