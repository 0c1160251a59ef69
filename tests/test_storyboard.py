"""A storyboard (`lecture preview SCENE --storyboard`) is drawn with every play skipped, each beat's end frame kept
as the beats run (lecture/render/worker.py, `beat_end_pictures`), not taken from a rendered clip: each of its
pictures must be the clip's frame at that beat's end, within the tolerance of tests/frames.py (measured on every
scene of both lectures at 192x108: at most 22 levels apart after the blur, no pixel over 24)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from lecture.options.table import QUALITIES
from lecture.output.frames import frames_at
from lecture.render.jobs import Job
from lecture.request import RenderRequest
from tests.conftest import ROOT, SESSION_ENV, warm_text_caches
from tests.frames import MAX_BLURRED_DIFFERENCE, MAX_SHARE_OVER_24

pytestmark = pytest.mark.slow

# chain-rule: its formulas transform term by term (TransformMatchingTex); mlp-check: part 2's paced steps
SCENES = [("feedforward", "chain-rule", "rendered"), ("part-2", "mlp-check", "rendered_part2")]


def sheet_cells(sheet: Image.Image, count: int, size: tuple[int, int], columns: int = 3) -> list[Image.Image]:
    """The pictures of a storyboard sheet (lecture/output/frames.py, `sheet`): a label band over each."""
    w, h = size
    band = max(18, h // 12)
    return [sheet.crop(((i % columns) * w, (i // columns) * (h + band) + band,
                        (i % columns) * w + w, (i // columns) * (h + band) + band + h)) for i in range(count)]


def blurred(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB").filter(ImageFilter.BoxBlur(2)), dtype=int)


def render(job: Job, cache: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "lecture.render.worker", json.dumps(job.payload(cache))],
                          cwd=ROOT, env=os.environ | SESSION_ENV, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]


def assert_pictures_are_frames(sheet_file: Path, clip: Path, sidecar: Path, scene: str) -> None:
    sections = json.loads(sidecar.read_text())["sections"]
    frames = frames_at(clip, [s["end"] - 1e-3 for s in sections])
    with Image.open(sheet_file) as sheet:
        assert sheet.width == 3 * frames[0].width
        cells = sheet_cells(sheet, len(frames), frames[0].size)
    for section, cell, frame in zip(sections, cells, frames):
        diff = np.abs(blurred(cell) - blurred(frame)).max(axis=2)
        assert diff.max() <= MAX_BLURRED_DIFFERENCE and (diff > 24).mean() <= MAX_SHARE_OVER_24, \
            f"{scene} {section['name']}: up to {diff.max()} levels apart, {(diff > 24).mean():.2%} of pixels over 24"


@pytest.mark.parametrize("lecture, scene, fixture", SCENES)
def test_each_picture_is_the_clips_frame_at_its_beats_end(request, tmp_path, lecture, scene, fixture):
    session: Path = request.getfixturevalue(fixture)
    warm_text_caches(session, tmp_path / "cache", into_cache=True)
    (group,) = RenderRequest.resolve((scene,), {"lecture_id": lecture}, quality="t", out=tmp_path).groups
    render(Job(scene, QUALITIES["t"], "storyboard", False, group.params, tmp_path / "out"), tmp_path / "cache")
    assert_pictures_are_frames(tmp_path / "out" / f"{scene}-storyboard.png", session / f"{scene}.mp4",
                               session / f"{scene}.json", scene)
