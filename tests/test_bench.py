"""The benchmark's pure parts (scripts/bench): statistics, the CLI's lines read back, the encoder
floor's sampling, the targets' scores and verdicts, the report. The benchmark itself is `make bench`."""
from __future__ import annotations

import json

import pytest

from scripts.bench.measure import Run, Stats, Timing
from scripts.bench.report import report, to_json
from scripts.bench.results import SceneBench, cache_hits, cli_scene_seconds
from scripts.bench.targets import Target, at_least, at_most, cli_targets, cluster_targets, incremental_targets, plain_targets, targets
from scripts.bench.text import fmt, table
from scripts.bench.video import FLOOR_CHUNK, FLOOR_MAX_FRAMES, floor_chunks


def test_stats_median_and_spread():
    assert Stats().median is None and Stats().text() == "-"
    assert Stats([3.0]).text(1) == "3.0"
    assert Stats([4.0, 1.0, 2.0]).text(1) == "2.0 (1.0–4.0)"
    assert Stats([1.0, 2.0]).to_json() == {"median": 1.5, "min": 1.0, "max": 2.0, "n": 2, "values": [1.0, 2.0]}


def test_scores_and_verdicts():
    assert at_most(0.5, 1.0) == 0.5 and at_most(None, 1.0) is None
    assert at_least(6.0, 3.0) == 0.5 and at_least(0.0, 3.0) is None and at_least(None, 3.0) is None
    assert Target("t", "", "", 1.0).verdict == "PASS"
    assert Target("t", "", "", 1.01).verdict == "FAIL"
    assert Target("t", "", "", None).verdict == "not measured"


def test_text():
    assert fmt(None, "s") == "-" and fmt(1.234, "s") == "1.23 s" and fmt(1.25, "x", 1) == "1.2 x"
    assert table(["a", "b"], [["1", "2"]]) == "| a | b |\n|---|---|\n| 1 | 2 |"


def run(stdout: str, stderr: str = "", code: int = 0) -> Run:
    return Run(code, 10.0, 100.0, stdout, stderr)


def test_cli_lines_read_back():
    """The lines `lecture render` prints off a terminal (lecture.render.progress), as the benchmark reads them."""
    out = run("  rendering backprop ...\n  title: up to date\n  backprop: done in 12.5 s\n  grad-fn: FAILED after 3.0 s\nfiles:\n",
              "lecture: error: grad-fn failed: no space left on device (full log: x)\n", code=1)
    assert cli_scene_seconds(out) == {"title": "a cache hit in fresh folders: not rendered", "backprop": 12.5,
                                      "grad-fn": "failed: no space left on device (full log: x)"}
    assert cache_hits(out) == 1


def test_floor_chunks_sample_long_clips_evenly():
    assert floor_chunks(1) == {0}
    assert floor_chunks(FLOOR_CHUNK * 2) == {0, 1}
    chunks = floor_chunks(FLOOR_CHUNK * 10 + 1)  # 11 chunks, the last one short
    assert len(chunks) == FLOOR_MAX_FRAMES // FLOOR_CHUNK and min(chunks) == 0 and max(chunks) == 10


def timing(*walls: float, video_s: float | None = None, error: str = "", scenes: int = 9) -> Timing:
    t = Timing("run", video_s=video_s, error=error, scenes=scenes)
    t.wall.values = list(walls)
    return t


def test_plain_target():
    (target,) = plain_targets({"default": timing(40.0), "plain": timing(160.0)})
    assert target.measured == "4.00 x faster" and target.score == 0.75 and target.verdict == "PASS"
    (slow,) = plain_targets({"default": timing(80.0), "plain": timing(160.0)})
    assert slow.verdict == "FAIL"
    skipped = "skipped: `lecture render` has no --plain here"
    absent_plain = timing()
    absent_plain.note = skipped
    (absent,) = plain_targets({"default": timing(), "plain": absent_plain})
    assert absent.verdict == "not measured" and absent.note == skipped
    assert plain_targets({})[0].verdict == "not measured"
    (broken,) = plain_targets({"default": timing(40.0), "plain": timing(9.0, error="exit 1: boom")})
    assert broken.verdict == "not measured" and broken.note == "exit 1: boom"


def test_incremental_target():
    (target,) = incremental_targets({"full": timing(40.0), "edited": timing(4.0)})
    assert target.score == 0.1 / 0.15 and target.verdict == "PASS" and "4.0 vs 40.0 s" in target.measured
    (before,) = incremental_targets({"full": timing(40.0), "edited": timing(4.0), "bodies": timing(20.0)})
    assert "bodies run instead (before the restore) 0.50x" in before.note
    different = timing(8.0)
    different.valid, different.note = False, "frames differ from the full render"
    (wrong,) = incremental_targets({"full": timing(40.0), "edited": different})
    assert wrong.verdict == "not measured" and "frames differ" in wrong.note
    assert incremental_targets({"full": timing(40.0), "edited": timing(20.0)})[0].verdict == "FAIL"


def test_cli_targets():
    per_s, warm, jobs = cli_targets({"jobs1": timing(30.0), "jobs2": timing(15.0, video_s=100.0), "warm": timing(2.0)})
    assert per_s.score == 0.15 / 0.3 and warm.verdict == "PASS" and jobs.measured == "2.00 x faster"
    invalid = timing(2.0)
    invalid.valid = False
    assert cli_targets({"warm": invalid})[1].verdict == "not measured"


def test_report_and_json_of_a_small_run():
    scene = SceneBench("title", "480p15", video_s=8.0, frames=120, source="a test")
    scene.wall.values, scene.floor.values, scene.rss_mb.values = [4.0], [1.0], [300.0]
    failed = SceneBench("backprop", "480p15", error="exit 1: boom")
    results = {"scenes": [scene, failed], "plain": {"default": timing(40.0, video_s=80.0), "plain": timing(120.0, video_s=80.0)}}
    machine = {"cpu": "test cpu", "cores": 2, "memory_gb": 4, "python": "3.11", "torch": "t", "manim": "m", "av": "a"}
    settings = {"reps": 1, "heavy_reps": 1, "quick": True, "sections": ["plain"], "scenes": ["title"], "total_s": 90}
    text = report(machine, settings, results)
    assert "This run took 1.5 min (90 s)." in text and "**quick run**" in text
    assert "| title | 480p15 | 8.0 | - | 4.0 | 0.50 | 300 | 1.0 | 4.00 | - | - | - | 120 |" in text
    assert "| backprop | 480p15 | FAILED: exit 1: boom |" in text
    assert "| lecture at 480p15: default vs `--plain` (stock manim) | 3.00 x faster | >= 3.0x | 1.00 | PASS |" in text
    assert "## Stock manim (`lecture render --plain`)" in text
    document = json.loads(json.dumps(to_json({"results": results, "targets": targets(results)})))
    assert document["results"]["scenes"][0]["ratio_to_floor"] == 4.0
    assert [t["verdict"] for t in document["targets"] if "--plain" in t["name"]] == ["PASS"]


def test_cluster_target():
    (target,) = cluster_targets({"local": timing(60.0), "cluster": timing(63.0)})
    assert target.measured == "1.05 x `--jobs 2` (63.0 s vs 60.0 s)" and target.verdict == "PASS"
    assert cluster_targets({"local": timing(60.0), "cluster": timing(70.0)})[0].verdict == "FAIL"
    (broken,) = cluster_targets({"local": timing(60.0), "cluster": timing(3.0, error="exit 2: no Dask scheduler")})
    assert broken.verdict == "not measured" and broken.note == "exit 2: no Dask scheduler"
    assert cluster_targets({})[0].verdict == "not measured"


def test_floor_and_narration_targets_in_cpu_seconds():
    """With CPU seconds measured (render logs' `cpu:` lines, the floor's process time), the targets use them."""
    from scripts.bench.results import CPU_LINE
    from scripts.bench.targets import LECTURE_FLOOR_LIMIT, hd_targets, narration_targets

    assert CPU_LINE.search("peak memory: 700 MB\ncpu: 61.25 s\n")["s"] == "61.25"
    scenes = []
    for name, cpu, floor_cpu in (("a", 11.0, 10.0), ("b", 12.0, 10.0)):
        bench = SceneBench(name, "1080p60", video_s=10.0, frames=600)
        bench.wall.values, bench.floor.values, bench.cpu.values, bench.floor_cpu.values = [20.0], [10.0], [cpu], [floor_cpu]
        scenes.append(bench)
    lecture = timing(45.0, video_s=20.0)
    lecture.scenes = 2
    floor = hd_targets(scenes, None, lecture)[0]
    assert floor.measured == "1.15 x floor in CPU s" and floor.score == pytest.approx(1.15 / LECTURE_FLOOR_LIMIT)
    assert "wall: 2.25x" in floor.note
    silent, narrated = timing(10.0, video_s=100.0), timing(14.0, video_s=120.0)
    silent.cpu.values, narrated.cpu.values = [11.0], [14.52]
    row = narration_targets({"silent": silent, "narrated": narrated})[1]
    assert row.measured.startswith("1.10 x silent in CPU s (0.121 vs 0.110 CPU s per video s; wall 1.17x)")
