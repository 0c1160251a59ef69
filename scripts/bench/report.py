"""The report: Markdown tables of the targets and of every measurement, and the same as JSON."""
from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from scripts.bench.measure import Stats, Timing
from scripts.bench.results import SceneBench
from scripts.bench.targets import Target, targets
from scripts.bench.text import fmt, peak_text, table




def scene_rows(benches: list[SceneBench]) -> list[list[str]]:
    rows = []
    for b in benches:
        if not b.ok:
            rows.append([b.scene, b.quality, "FAILED: " + b.error.replace("|", "/")[:160]] + ["-"] * 10)
            continue
        rows.append([b.scene, b.quality, f"{b.video_s:.1f}", fmt(b.cold_s, "", 1).strip(), b.wall.text(1),
                     b.per_video_s.text(2), peak_text(b.rss_mb.values), b.floor.text(1),
                     fmt(b.floor_ratio, "", 2).strip(), b.cpu.text(1), b.floor_cpu.text(1),
                     fmt(b.cpu_floor_ratio, "", 2).strip(), str(b.frames)])
    for quality in sorted({b.quality for b in benches}):
        ok = [b for b in benches if b.quality == quality and b.ok]
        if len(ok) > 1:
            video, wall = sum(b.video_s for b in ok), sum(b.wall.median for b in ok)
            floor = sum(b.floor.median or 0 for b in ok)
            cpu, floor_cpu = cpu_totals(ok)
            rows.append([f"**all {len(ok)} rendered**", quality, f"{video:.1f}", "", f"{wall:.1f}", f"{wall / video:.2f}",
                         peak_text([v for b in ok for v in b.rss_mb.values]), f"{floor:.1f}",
                         f"{wall / floor:.2f}" if floor else "-", fmt(cpu, "", 1).strip(), fmt(floor_cpu, "", 1).strip(),
                         f"{cpu / floor_cpu:.2f}" if cpu and floor_cpu else "-", str(sum(b.frames for b in ok))])
    return rows


def cpu_totals(benches: list[SceneBench]) -> tuple[float | None, float | None]:
    """The renders' CPU seconds and their floors', summed, if every scene has both."""
    if not benches or not all(b.cpu.median and b.floor_cpu.median for b in benches):
        return None, None
    return sum(b.cpu.median for b in benches), sum(b.floor_cpu.median for b in benches)


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

SCENE_COLUMNS = ["scene", "quality", "video s", "LaTeX-cold wall s", "LaTeX-warm wall s", "s per video s", "peak RSS MB",
                 "encoder floor s", "x floor", "render CPU s", "floor CPU s", "x floor (CPU)", "frames"]
TIMING_COLUMNS = ["run", "wall s", "s per video s", "peak RSS MB", "note"]

# The sections whose rows are runs of one command each: results key, heading, what the rows mean.
TIMING_SECTIONS = [
    ("plain", "## Stock manim (`lecture render --plain`) against the default renderer (480p15, one run each)", ""),
    ("check", "## `lecture check` against rendering (480p15, LaTeX warm, one run each)",
     "The check renders with the geometry recorder on, then applies every rule; its last row is the rules alone, on "
     "clips that are up to date."),
    ("incremental", "## Incremental edit: one beat of backprop at 480p15 (the studio's beat cache)", ""),
    ("cluster", "## A Dask cluster (`lecture render --scheduler`) against `--jobs 2` (480p15, the same machine)",
     "Both LaTeX warm, into fresh folders; the cluster's render servers start with its first tasks, as the CLI's fork "
     "server starts with the CLI."),
]


def report(machine: dict[str, Any], settings: dict[str, Any], results: dict[str, Any]) -> str:
    parts = header(machine, settings, results) + scene_sections(results, machine["cores"]) + lecture_sections(results)
    for key, heading, intro in TIMING_SECTIONS:
        if results.get(key):
            parts += [heading, *filter(None, [intro]), table(TIMING_COLUMNS, timing_rows(list(results[key].values())))]
    parts += preview_and_engine_sections(results)
    return "\n\n".join(parts) + "\n"


def header(machine: dict[str, Any], settings: dict[str, Any], results: dict[str, Any]) -> list[str]:
    """What ran, where, and the targets' table."""
    total_s = settings.get("total_s", 0)
    return [
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


def scene_sections(results: dict[str, Any], cores: int) -> list[str]:
    """The scenes one by one, and the naive reference scene."""
    parts = []
    if results.get("scenes"):
        parts += ["## Scenes", scene_notes(results["scenes"], cores), table(SCENE_COLUMNS, scene_rows(results["scenes"]))]
    if results.get("naive"):
        parts += ["## Naive reference (3,600 `Square`s + `ArrowVectorField`, 1080p60)",
                  table(SCENE_COLUMNS, scene_rows([results["naive"]]))]
    return parts


def lecture_sections(results: dict[str, Any]) -> list[str]:
    """The whole lecture through the CLI, and the narrated renders with their CPU seconds."""
    parts = []
    lecture_runs = [*(results.get("cli") or {}).values(), *([results["hd"]] if results.get("hd") else [])]
    if lecture_runs:
        parts += ["## Whole lecture through `lecture render` (480p15 unless said)",
                  "Peak RSS here is the CLI process's own (its render processes are forked from its fork server, "
                  "not children it waits for); each render's own peak is in the scenes table.",
                  table(TIMING_COLUMNS, timing_rows(lecture_runs))]
    narration = results.get("narration")
    if narration:
        rows = timing_rows(list(narration.values()))
        for row, t in zip(rows, narration.values()):
            row.insert(2, fmt(t.video_s, "", 1).strip())
            row.insert(4, t.cpu.text(1))
            row.insert(5, f"{t.cpu.median / t.video_s:.3f}" if t.cpu.values and t.video_s else "-")
        parts += ["## Narration (480p15, voice `joe`)",
                  "Video s of the synthesis row is the seconds of speech it made; of the renders, their clips' total length "
                  "(narrated clips are longer: beats hold until their speech is over). CPU s: the CLI's own user + system "
                  "time and every render process's (the `cpu:` line of its render.log: its threads, x264's, and its children).",
                  table(["run", "wall s", "video / speech s", "s per video s", "CPU s", "CPU s per video s", "peak RSS MB",
                         "note"], rows)]
    return parts


def preview_and_engine_sections(results: dict[str, Any]) -> list[str]:
    """Previews against the import floor, and the engine's gradient field against numpy's closed form."""
    parts = []
    previews, engine = results.get("previews"), results.get("engine")
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
    return parts


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
