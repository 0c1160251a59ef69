"""Shared fixtures: the whole lecture rendered once at tiny size through the real CLI; and the two tiers
(tests/tiers.py): tests using these renders are marked slow here, and an unmarked test that renders, starts
a process or speaks fails."""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# The two tiers' hooks (tests/tiers.py): marking by fixture, and the guard on unmarked tests.
from tests.tiers import mark_by_fixture, pytest_configure, pytest_runtest_call, pytest_runtest_protocol  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
LECTURE = [sys.executable, "-m", "lecture"]


# The order `make test`'s two workers take the test files in (pytest-xdist's `--dist loadfile` with
# `--no-loadscope-reorder`: a worker takes the next file in this order when it is about to run out). The first
# two start the session's two renders at once, one on each worker (each render runs two processes, so neither
# worker waits on the other's for long); then the longest files, so the short ones fill in at the end and both
# workers finish together instead of one running a long file alone. The files not listed follow in their own
# order. Measured in docs/tests.md ("Where the time goes"); a new long file joins this list.
LONGEST_FIRST = ("test_scenes.py", "test_network_training_scenes.py", "test_beats.py", "test_bignet.py",
                 "test_renderer.py", "test_faults.py", "test_narration.py", "test_plain.py", "test_cli.py",
                 "test_pointing.py", "test_notebook.py", "test_studio.py", "test_cluster.py", "test_check_render.py",
                 "test_lecture_folders.py", "test_slides.py", "test_widget_examples.py", "test_network_pass_scenes.py",
                 "test_optspace.py", "test_options.py", "test_encoding.py", "test_progress.py", "test_graph_diagram.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark by fixture (tests/tiers.py), then order the files LONGEST_FIRST (a stable sort: each file's
    tests keep their order, and so do the files not listed)."""
    mark_by_fixture(items)
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONGEST_FIRST)))


def run_lecture(*args: str, cwd: Path = ROOT, timeout: float = 3600, env: dict | None = None) -> subprocess.CompletedProcess:
    """`lecture ARGS` in a process of its own. The timeout only ends a hang: on a shared 2-core machine
    under load 30 the session's render took over 900 s."""
    return subprocess.run([*LECTURE, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


# The session's renders run with one string hash seed: manim's TransformMatchingTex orders the parts it does
# not match by a set of strings, so a render with another seed can draw those frames otherwise. With it, the
# session's clips are the frames a render of the same scene in a process of its own with that seed draws
# (test_beats.py compares its restored renders with the session's part-2 clips instead of rendering them whole).
SESSION_ENV = {"PYTHONHASHSEED": "0"}


@pytest.fixture(scope="session", autouse=True)
def shared_latex(tmp_path_factory) -> Path:
    """Every render of the test run shares LaTeX's SVGs (lecture/manim_compat/latexcache.py, through
    LECTURE_LATEX_CACHE): a formula is typeset once for the whole run, not once in each test's `--out`. Both
    xdist workers use one folder (the run's shared temporary folder); a test that needs LaTeX to run leaves
    the variable out of its process's environment (test_faults' missing LaTeX)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if "PYTEST_XDIST_WORKER" in os.environ else base) / "latex"
    os.environ["LECTURE_LATEX_CACHE"] = str(folder)
    return folder


def session_render(tmp_path_factory, name: str, *args: str) -> Path:
    """`lecture ARGS --out OUT` once for the whole test run; returns OUT.

    `make test` runs two pytest-xdist workers, each with a session of its own: the first worker to ask
    renders into the run's shared temporary folder while the other waits on a lock, then both read the
    same files (a render of the same thing twice would cost the suite minutes). A failed render is kept
    with its output, so the waiting worker fails with it instead of rendering again."""
    # The session's renders also record what they draw, so tests/test_check_render.py checks them with `lecture
    # check` without rendering them again; the suite's other renders draw as a user's do, without the recorder
    # (about 9% of a render's CPU, docs/tests.md).
    env = {**os.environ, **SESSION_ENV, "LECTURE_RECORD": "1"}
    if "PYTEST_XDIST_WORKER" not in os.environ:
        out = tmp_path_factory.mktemp(name)
        result = run_lecture(*args, "--out", str(out), env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        return out
    shared = tmp_path_factory.getbasetemp().parent
    out, done, failed = shared / name, shared / f"{name}.done", shared / f"{name}.failed"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists() and not failed.exists():
            result = run_lecture(*args, "--out", str(out), env=env)
            (done if result.returncode == 0 else failed).write_text(result.stdout + result.stderr)
    assert not failed.exists(), failed.read_text()
    return out


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> Path:
    """Every scene (the lecture and the extra `optimizers`) at 192x108, 5 fps, joined with --concat."""
    return session_render(tmp_path_factory, "render", "render", "all", "optimizers", "-q", "t", "--jobs", "2",
                          "--concat") / "tiny"


def warm_text_caches(rendered: Path, out: Path, into_cache: bool = False) -> None:
    """Give a render into `out` the LaTeX and Pango SVGs the session's render made (the files its own first
    render would make again, a minute of the suite each time), so a second render of the same scenes times
    only drawing. The `.parsed` copies stay behind: they are the renderer's, made again from the SVGs.
    `into_cache`: `out` is the cache folder itself (a worker's `Job.payload(cache)`), not `--out`'s."""
    cache = out if into_cache else out / ".cache"
    for tex in (rendered.parent / ".cache").glob("*/Tex"):
        shutil.copytree(tex, cache / tex.parent.name / "Tex", ignore=shutil.ignore_patterns("*.parsed"))
    for texts in (rendered.parent / ".cache").glob("*/media/texts-*"):
        shutil.copytree(texts, cache / texts.parent.parent.name / "media" / texts.name,
                        ignore=shutil.ignore_patterns("*.parsed"))


def copy_session_clip(rendered: Path, scene: str, out: Path) -> Path:
    """OUT as `lecture render SCENE -q t --out OUT` leaves it (the clip and the files its sidecar names,
    the sidecar, and the scene's cache with its text SVGs and log), copied from a session render: for
    tests that need a finished clip to start from, not a render of their own. Returns OUT/tiny."""
    folder = out / rendered.name
    folder.mkdir(parents=True, exist_ok=True)
    for name in [*json.loads((rendered / f"{scene}.json").read_text())["files"], f"{scene}.json"]:
        shutil.copy2(rendered / name, folder / name)
    shutil.copytree(rendered.parent / ".cache" / scene, out / ".cache" / scene, ignore=shutil.ignore_patterns(".lock"))
    return folder


@pytest.fixture(scope="session")
def rendered_part2(tmp_path_factory) -> Path:
    """The part-2 lecture's five scenes at 192x108, 5 fps, joined with --concat, rendered once for every test that reads them."""
    return session_render(tmp_path_factory, "render-part2", "render", "--lecture", "part-2", "all", "-q", "t",
                          "--jobs", "2", "--concat") / "tiny"
