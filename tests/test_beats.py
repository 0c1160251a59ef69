"""The beat cache (lecture/manim_compat/beats.py): an edit of one beat draws only that beat, and the
clip, its sections, poster and slides equal a full render's. Tiny renders in fresh processes (`python -m
lecture.render.worker`); the title card's full render and its first render with the cache are made once for the
module (`title_full`, `title_filled`) and each test copies that cache before changing it; the part-2 scenes'
full renders are the session's (`rendered_part2`)."""
from __future__ import annotations

import json
import os
import shutil
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
from tests.conftest import ROOT, SESSION_ENV

# Every test here but the in-process ones of the state's pickle starts a render in a fresh process (marked slow).

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


@pytest.mark.slow
def test_an_edit_of_one_beat_draws_that_beat_and_the_clip_equals_a_full_render(tmp_path, title_filled):
    _, first, filled_cache = title_filled
    assert [b["skipped"] for b in first["beats"]] == [False, False]  # nothing cached yet: every beat drawn
    cache = tmp_path / ".cache"
    shutil.copytree(filled_cache, cache)
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


# --- the beat-state restore (lecture/manim_compat/beatstate.py): a render whose first changed beat is k puts
# back the state the earlier render kept at k's start and runs only beats k onward.

def forget_beat(cache: Path, scene: str, key: str) -> None:
    """Remove one beat's segment (as if its narration or body had changed): the next render draws it."""
    for path in (cache / scene / "beats").glob(f"*/{key}.*"):
        path.unlink()


def render_scene(scene: str, out: Path, cache: Path, beats: bool = True) -> dict:
    """One render in a fresh process. The string hash seed is fixed, the session's (SESSION_ENV): manim's
    TransformMatchingTex orders the parts it does not match by a set of strings, so two processes with their
    own seeds can draw its frames differently (renders forked from one render server share theirs)."""
    job = Job(scene, QUALITIES["t"], "mp4", False, LectureParams(), out, beats=beats)
    result = subprocess.run([sys.executable, "-m", "lecture.render.worker", json.dumps(job.payload(cache))], cwd=ROOT,
                            capture_output=True, text=True, timeout=900, env={**os.environ, **SESSION_ENV})
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((out / f"{scene}.json").read_text())


def assert_same_clip(folder: Path, reference: Path, scene: str) -> None:
    new, full = frames(folder / f"{scene}.mp4"), frames(reference / f"{scene}.mp4")
    assert len(new) == len(full) and all(np.array_equal(a, b) for a, b in zip(new, full))
    assert np.array_equal(*(np.asarray(Image.open(f / f"{scene}.png")) for f in (folder, reference)))


@pytest.fixture(scope="module")
def title_full(tmp_path_factory) -> tuple[Path, dict]:
    """The title card rendered whole without the beat cache: the frames every restored title render must equal."""
    folder = tmp_path_factory.mktemp("title-full")
    return folder / "full", render_scene(SCENE, folder / "full", folder / ".cache-full", beats=False)


@pytest.fixture(scope="module")
def title_filled(tmp_path_factory) -> tuple[Path, dict, Path]:
    """The title card's first render with the beat cache (every beat drawn, every state kept): its folder, its
    sidecar and its cache, which each test copies before changing it."""
    folder = tmp_path_factory.mktemp("title-filled")
    return folder / "fill", render_scene(SCENE, folder / "fill", folder / ".cache"), folder / ".cache"


def full_and_filled(request, tmp_path: Path, scene: str) -> tuple[Path, dict, list[str], Path]:
    """A full render of `scene` (the reference: its folder and sidecar), the keys of a render with the beat
    cache and a cache of this test's own holding that render's beats. The title card's are the module's, its
    cache copied; a part-2 scene's full render is the session's (`rendered_part2`: the CLI renders without the
    beat cache, with the same hash seed), its first cached render made here."""
    cache = tmp_path / ".cache"
    if scene == SCENE:
        (reference, full), (_, filled, filled_cache) = request.getfixturevalue("title_full"), request.getfixturevalue("title_filled")
        shutil.copytree(filled_cache, cache)
    else:
        reference = request.getfixturevalue("rendered_part2")
        full = json.loads((reference / f"{scene}.json").read_text())
        filled = render_scene(scene, tmp_path / "fill", cache)
    return reference, full, [b["key"] for b in filled["beats"]], cache


# title (part 1's card) and mlp-check (part 2): every state kept, restored at several k.
@pytest.mark.slow
@pytest.mark.parametrize("scene, ks", [("title", (1,)), ("mlp-check", (1, 3))])
def test_a_render_restored_at_beat_k_equals_a_full_render(request, tmp_path, scene, ks):
    reference, full, keys, cache = full_and_filled(request, tmp_path, scene)
    assert all(any((cache / scene / "beats").glob(f"*/{key}.state")) for key in keys)
    for k in ks:  # beats 0..k-1 restored, beat k (0-based) drawn again, the beats after it run skipped
        forget_beat(cache, scene, keys[k])
        edited = render_scene(scene, tmp_path / f"k{k}", cache)
        assert [b["key"] for b in edited["beats"]] == keys
        assert [(b["skipped"], b["restored"]) for b in edited["beats"][:k + 1]] == [(True, True)] * k + [(False, False)]
        assert not any(b["restored"] for b in edited["beats"][k + 1:])
        assert edited["sections"] == full["sections"]
        assert_same_clip(tmp_path / f"k{k}", reference, scene)


@pytest.mark.slow
def test_a_scene_whose_updaters_are_lambdas_falls_back_with_the_same_frames(request, tmp_path):
    """training-run (part 2) holds lambdas as updaters from its first beat on: pickle refuses them, so no state
    is kept, and a later render runs the cached beats' bodies as before the restore (here that path itself
    finds a beat ending otherwise skipped than drawn, and the clip is rendered whole): never other frames
    than the full render's (the session's)."""
    scene = "training-run"
    reference, _, keys, cache = full_and_filled(request, tmp_path, scene)
    assert not list((cache / scene / "beats").glob("*/*.state"))
    forget_beat(cache, scene, keys[1])
    edited = render_scene(scene, tmp_path / "edited", cache)
    assert not any(b["restored"] for b in edited.get("beats", []))
    assert_same_clip(tmp_path / "edited", reference, scene)


class Planted:
    """A pickle that runs code when loaded: what a foreign state could hold."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.mark.slow
def test_a_foreign_state_is_ignored(request, tmp_path):
    import pickle

    from lecture import sealed

    reference, _, keys, cache = full_and_filled(request, tmp_path, SCENE)
    (state,) = (cache / SCENE / "beats").glob(f"*/{keys[0]}.state")
    marker = tmp_path / "the-planted-pickle-ran"
    payload = pickle.dumps({"attributes": Planted(marker)})
    state.write_bytes(sealed.MAGIC + bytes(sealed.DIGEST) + payload)  # sealed with someone else's key
    forget_beat(cache, SCENE, keys[1])
    edited = render_scene(SCENE, tmp_path / "edited", cache)
    assert [(b["skipped"], b["restored"]) for b in edited["beats"]] == [(True, False), (False, False)]
    assert not marker.exists()
    assert_same_clip(tmp_path / "edited", reference, SCENE)


# --- the state's pickle in this process (no render): what is kept, what is refused, what comes back live

class Stage:
    """Stands for a scene: its renderer (clock, camera, file writer) and attributes of its own."""

    def __init__(self):
        from types import SimpleNamespace

        from manim import Camera

        self.renderer = SimpleNamespace(time=0.0, camera=Camera(), file_writer=object())
        self.mobjects, self.foreground_mobjects, self.updaters = [], [], []

    def follow(self, mob) -> None:
        mob.shift([0.01, 0, 0])


def test_a_kept_state_comes_back_with_the_live_scene_and_generators():
    import random

    from manim import Circle, Square

    from lecture.manim_compat import beatstate

    stage = Stage()
    skip = beatstate.infrastructure(stage)
    assert "renderer" in skip and "mobjects" not in skip
    square, circle = Square(), Circle()
    square.add_updater(stage.follow)  # a bound method of the scene: restored bound to the scene that runs
    stage.mobjects.append(square)
    stage.shape, stage.later, stage.renderer.time = circle, square, 3.25
    random.seed(7)
    blob = beatstate.capture(stage, skip, "digest")
    expected = random.random()
    assert blob is not None
    stage.mobjects.clear()
    stage.gone, stage.renderer.time = 1, 0.0
    state = beatstate.load(stage, blob)
    beatstate.apply(stage, state, skip)
    assert state["digest"] == "digest" and stage.renderer.time == 3.25 and not hasattr(stage, "gone")
    assert stage.later is stage.mobjects[0] and np.array_equal(stage.mobjects[0].points, square.points)
    assert stage.mobjects[0].updaters[0].__self__ is stage
    assert random.random() == expected


def test_what_pickle_refuses_keeps_no_state():
    from manim import Square

    from lecture.manim_compat import beatstate

    stage = Stage()
    skip = beatstate.infrastructure(stage)
    stage.mobjects.append(Square().add_updater(lambda m: m.shift([0.01, 0, 0])))
    assert beatstate.capture(stage, skip, "digest") is None
    stage.mobjects.clear()
    with open(__file__) as stage.source:
        assert beatstate.capture(stage, skip, "digest") is None


def test_a_state_sealed_by_another_key_is_not_loaded(tmp_path):
    import pickle

    from lecture import sealed
    from lecture.manim_compat import beatstate

    marker = tmp_path / "ran"
    payload = pickle.dumps({"attributes": Planted(marker)})
    for blob in (sealed.MAGIC + bytes(sealed.DIGEST) + payload, payload, sealed.seal(b"not a pickle")):
        assert beatstate.load(Stage(), blob) is None
    assert not marker.exists()
