"""The beat cache (lecture/manim_compat/beats.py): an edit of one beat draws only that beat, and the
clip, its sections, poster and slides equal a full render's. Three tiny renders of the title card in
fresh processes (`python -m lecture.render.worker`)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from lecture.options.table import QUALITIES
from lecture.render.jobs import Job
from scenes.kit.params import LectureParams
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # every test here starts the CLI or a render in a fresh process

SCENE = "title"
EDIT = (("show_outline", "A different text for the outline beat only."),)


def render(out: Path, cache: Path, script: tuple = (), beats: bool = True) -> dict:
    job = Job(SCENE, QUALITIES["t"], "mp4", False, LectureParams(), out, script=script, beats=beats)
    result = subprocess.run([sys.executable, "-m", "lecture.render.worker", json.dumps(job.payload(cache))], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((out / f"{SCENE}.json").read_text())


def frames(clip: Path) -> list[np.ndarray]:
    with av.open(str(clip)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def test_an_edit_of_one_beat_draws_that_beat_and_the_clip_equals_a_full_render(tmp_path):
    cache = tmp_path / ".cache"
    first = render(tmp_path / "first", cache)
    assert [b["skipped"] for b in first["beats"]] == [False, False]  # nothing cached yet: every beat drawn
    edited = render(tmp_path / "edited", cache, EDIT)
    full = render(tmp_path / "full", tmp_path / ".cache-full", EDIT, beats=False)
    assert [(b["name"], b["skipped"]) for b in edited["beats"]] == [("show_title", True), ("show_outline", False)]
    assert edited["beats"][0]["key"] == first["beats"][0]["key"] and edited["beats"][1]["key"] != first["beats"][1]["key"]
    assert edited["sections"] == full["sections"] and edited["narration"][1] == EDIT[0][1]
    new, reference = frames(tmp_path / "edited" / f"{SCENE}.mp4"), frames(tmp_path / "full" / f"{SCENE}.mp4")
    assert len(new) == len(reference) and all(np.array_equal(a, b) for a, b in zip(new, reference))
    posters = [np.asarray(Image.open(tmp_path / f / f"{SCENE}.png")) for f in ("edited", "full")]
    assert np.array_equal(*posters)
    slides = json.loads((tmp_path / "edited" / f"{SCENE}.slides.json").read_text())["slides"]
    assert len(slides) == len(full["sections"]) and all(Path(s["file"]).exists() for s in slides)
    assert [s["notes"] for s in slides] == edited["narration"]
