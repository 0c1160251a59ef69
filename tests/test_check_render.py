"""`lecture check` on real renders: two tiny scenes through the geometry recorder (one breaking the
geometric rules, one tidy), and the command over the session's renders (tests/conftest.py renders them
with LECTURE_RECORD=1), which it must reuse, not render again. The studio's findings on a scene's beats are
tested in tests/test_studio.py, over its studio and browser."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lecture.check.rules import GEOMETRIC
from lecture.check.run import RulePool, check_clip
from scenes.catalog import LECTURE_BY_ID
from tests.conftest import ROOT, run_lecture

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demos(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("check-demo")
    for name in ("Crowded", "Tidy"):
        result = subprocess.run([sys.executable, "-m", "tests.check_scene", name, str(out)], cwd=ROOT,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_recorded_scene_that_breaks_the_geometric_rules(demos):
    findings, applied, _ = check_clip(demos / "Crowded.json", demos / "Crowded.geometry.json.gz")
    assert set(GEOMETRIC) <= set(applied)
    by_rule = {f.rule: f for f in findings}
    overlaps = [f for f in findings if f.rule == "overlap"]
    assert any('"weight"' in f.objects and "mid of a play" in f.message for f in overlaps)  # through the motion
    assert any(f.objects == ['"dim"'] and f.message.startswith("Between the start and the mid") for f in overlaps)  # swept
    assert by_rule["off-frame"].objects == ['"a note"']
    assert by_rule["text-size"].objects == ['"small print"']
    assert by_rule["contrast"].objects == ['"dim"']


def test_recorded_scene_that_is_tidy(demos):
    findings, _, _ = check_clip(demos / "Tidy.json", demos / "Tidy.geometry.json.gz")
    assert [f for f in findings if f.rule in GEOMETRIC] == []


def test_clips_checked_side_by_side_find_what_one_at_a_time_finds(demos):
    """`lecture check` applies the rules to its clips in --jobs processes: the same findings, in the clips' order."""
    clips = [(demos / f"{name}.json", demos / f"{name}.geometry.json.gz", None) for name in ("Crowded", "Tidy", "Crowded")]
    with RulePool(2) as pool:
        for i, clip in enumerate(clips):
            pool.submit(str(i), clip)
        apart = [pool.result(str(i)) for i in range(len(clips))]
    assert [a[:2] for a in apart] == [check_clip(*clip)[:2] for clip in clips]
    assert apart[0][0] and apart[0][0] == apart[2][0] and not [f for f in apart[1][0] if f.rule in GEOMETRIC]


@pytest.mark.parametrize("lecture,fixture,extra", [("feedforward", "rendered", ["optimizers"]),
                                                    ("part-2", "rendered_part2", [])])
def test_check_reuses_the_session_render(request, tmp_path, lecture, fixture, extra):
    rendered: Path = request.getfixturevalue(fixture)
    report, sheet = tmp_path / "check.json", tmp_path / "sheet.png"
    result = run_lecture("check", "--lecture", lecture, "all", *extra, "-q", "t", "--out", str(rendered.parent),
                         "--json", str(report), "--sheet", str(sheet))
    assert "rendering " not in result.stdout, result.stdout  # every clip up to date, with its geometry record
    data = json.loads(report.read_text())
    scenes = [*LECTURE_BY_ID[lecture].ids, *extra]
    assert [c["scene"] for c in data["clips"]] == scenes
    assert all(set(GEOMETRIC) <= set(c["rules_applied"]) for c in data["clips"])
    beats = {(c["scene"], b["name"]) for c in data["clips"] for b in c["beats"]}
    assert all(f["beat"] == "" or (f["scene"], f["beat"]) in beats for f in data["findings"])  # "": the whole clip
    assert result.returncode == (1 if data["findings"] else 0), result.stdout + result.stderr
    assert sheet.stat().st_size > 0
