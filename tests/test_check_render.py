"""`lecture check` on real renders: two tiny scenes through the geometry recorder (one breaking the
geometric rules, one tidy), and the command over the session's renders (tests/conftest.py renders them
with LECTURE_RECORD=1), which it must reuse, not render again."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lecture.check.rules import GEOMETRIC
from lecture.check.run import check_clip
from scenes.catalog import LECTURE_BY_ID
from tests.conftest import ROOT, run_lecture
from tests.test_studio import browser, open_page, studio  # noqa: F401 (fixtures: the studio over the session's clips)

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


def test_the_studio_shows_a_scenes_findings_on_their_beats(studio, browser):
    """The studio over the session's clips (with their geometry records): /api/findings gives what the
    check finds, and the page marks each beat that has some (a scene with findings, if the tiny clips have one)."""
    import http.client

    tiny = studio["media"] / "tiny"
    checked = {s: check_clip(tiny / f"{s}.json", tiny / f"{s}.geometry.json.gz")[0] for s in LECTURE_BY_ID["feedforward"].ids}
    scene = next((s for s, found in checked.items() if found), "backprop")
    connection = http.client.HTTPConnection("127.0.0.1", studio["port"], timeout=60)
    connection.request("GET", f"/api/findings?scene={scene}&q=t")
    data = json.loads(connection.getresponse().read())
    assert set(GEOMETRIC) <= set(data["rules"])
    assert [f["message"] for f in data["findings"]] == [f.message for f in checked[scene]]
    page = open_page(browser, studio, f"?scene={scene}&q=t", [])
    marked = {f.beat for f in checked[scene]}
    page.wait_for_function(f"document.querySelectorAll('.beat.has-findings').length === {len(marked)}", timeout=20000)
