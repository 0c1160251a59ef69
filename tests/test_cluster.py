"""Rendering on a Dask cluster (`--scheduler`, lecture/cluster/): a real LocalCluster of two worker
processes with one thread each, started here and shared by the module's tests; its clips against the
same scenes rendered by the local process pool (the session's render, `rendered`)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from lecture.cluster.pool import DASK_MALLOC, WORKER_CACHE, mismatch
from tests.conftest import ROOT, run_lecture
from tests.test_faults import frame_hashes

SCENES = ("title", "forward-graph")  # cheap to draw (3 and 8 s of CPU at 192x108), one per worker; one with LaTeX


@pytest.fixture(scope="module")
def local(rendered) -> Path:
    """The local process pool's clips of the same scenes: the session's render of the lecture (`--jobs 2`),
    which the suite makes anyway; a render of its own here would cost CI half a minute more."""
    return rendered


@pytest.fixture(scope="module")
def worker_cache(tmp_path_factory, local) -> Path:
    """The workers' cache, LaTeX warm as after a first run: the local render's TeX and text caches of
    the scenes, copied where a worker keeps them (its cache folder is laid out as `--out`'s .cache)."""
    cache = tmp_path_factory.mktemp("worker-cache")
    for scene in SCENES:
        source = local.parent / ".cache" / scene
        for folder in [f for f in [source / "Tex", *(source / "media").glob("texts-*px")] if f.is_dir()]:  # title has no TeX
            shutil.copytree(folder, cache / scene / folder.relative_to(source))
    return cache


@pytest.fixture(scope="module")
def cluster(worker_cache):
    from distributed import LocalCluster

    saved = os.environ.get(WORKER_CACHE)
    os.environ[WORKER_CACHE] = str(worker_cache)  # the worker processes inherit it: their caches stay in the test's folder
    try:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as local_cluster:
            yield local_cluster
    finally:
        if saved is None:
            os.environ.pop(WORKER_CACHE, None)
        else:
            os.environ[WORKER_CACHE] = saved


def without_out(path: Path, out: Path) -> bytes:
    """A file's bytes with its output folder's path taken out (the slides config names its videos by path)."""
    return path.read_bytes().replace(str(out).encode(), b"OUT")


def nothing_listening() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{probe.getsockname()[1]}"


def test_scenes_render_on_the_cluster_as_on_this_machine(cluster, local, tmp_path):
    recorded = {**os.environ, "LECTURE_RECORD": "1"}  # as the session's clips were: their sidecars list a geometry record
    result = run_lecture("render", *SCENES, "-q", "t", "--out", str(tmp_path), "--scheduler", cluster.scheduler_address,
                         env=recorded)
    assert result.returncode == 0, result.stdout + result.stderr
    clips = tmp_path / "tiny"
    published = [name for scene in SCENES for name in [*json.loads((clips / f"{scene}.json").read_text())["files"], f"{scene}.json"]]
    assert sorted(p.name for p in clips.iterdir()) == sorted(published)  # nothing else: no .part
    for scene in SCENES:
        assert frame_hashes(clips / f"{scene}.mp4") == frame_hashes(local / f"{scene}.mp4"), scene
        for suffix in (".mp4", ".json", ".srt", ".png"):  # x264 with the same threads is deterministic: the same bytes
            assert (clips / f"{scene}{suffix}").read_bytes() == (local / f"{scene}{suffix}").read_bytes(), scene + suffix
        slides = json.loads(without_out(clips / f"{scene}.slides.json", tmp_path))
        assert slides == json.loads(without_out(local / f"{scene}.slides.json", local.parent))
        for slide in json.loads((clips / f"{scene}.slides.json").read_text())["slides"]:
            assert Path(slide["file"]).is_file() and str(tmp_path) in slide["file"]  # shipped into this machine's cache

    # The cache works across the cluster: an up-to-date clip is not sent at all, not even a connection is made.
    again = run_lecture("render", *SCENES, "-q", "t", "--out", str(tmp_path), "--scheduler", nothing_listening(), env=recorded)
    assert again.returncode == 0 and again.stdout.count("up to date") == len(SCENES), again.stdout + again.stderr
    (clips / "title.json").unlink()  # title is out of date now: it alone goes to the cluster
    third = run_lecture("render", *SCENES, "-q", "t", "--out", str(tmp_path), "--scheduler", cluster.scheduler_address,
                        env=recorded)
    assert third.returncode == 0, third.stderr
    assert "rendering title" in third.stdout and third.stdout.count("rendering") == 1 and third.stdout.count("up to date") == len(SCENES) - 1


@pytest.mark.slow
def test_nothing_listening_is_one_line_and_exit_2_within_seconds(tmp_path):
    started = time.monotonic()
    result = run_lecture("render", "title", "-q", "t", "--out", str(tmp_path), "--scheduler", nothing_listening())
    assert result.returncode == 2 and time.monotonic() - started < 20
    assert len(result.stderr.strip().splitlines()) == 1 and "no Dask scheduler answers there" in result.stderr, result.stderr
    assert not (tmp_path / "tiny").exists()


def descendants_environments(pid: int) -> dict[int, str]:
    found = {}
    for child in psutil.Process(pid).children(recursive=True):
        try:
            found[child.pid] = Path(f"/proc/{child.pid}/environ").read_bytes().decode(errors="replace")
        except OSError:
            pass
    return found


def test_a_worker_killed_mid_render_is_retried_on_another(cluster, local, tmp_path):
    """SIGKILL to the worker process while it renders forward-graph: Dask runs the task again on the other
    worker, the run succeeds with the same frames, and the killed worker's render processes end too.
    Before the kill: the render processes started without Dask's MALLOC_TRIM_THRESHOLD_."""
    from lecture.cluster.pool import ClusterPool
    from lecture.options.table import QUALITIES
    from lecture.options.resolve import build_params
    from lecture.render.jobs import Job
    from lecture.render.pool import render_jobs

    job = Job("forward-graph", QUALITIES["t"], "mp4", False, build_params({}), tmp_path / "tiny")
    pool = ClusterPool(cluster.scheduler_address)
    drawing, starts, outcomes = threading.Event(), [], []

    def report(event: str, outcome) -> None:
        if event == "start":
            starts.append(outcome.job.scene)
        elif event == "frames" and outcome.frames > 0:
            drawing.set()

    runner = threading.Thread(target=lambda: outcomes.extend(render_jobs([job], tmp_path / ".cache", 1, report=report, pool=pool)))
    runner.start()
    assert drawing.wait(300), "forward-graph never started drawing on the cluster"
    (address,) = [worker for worker, keys in pool.client.processing().items() if keys]
    pid = pool.client.run(os.getpid, workers=[address])[address]
    environments = descendants_environments(pid)
    assert DASK_MALLOC in Path(f"/proc/{pid}/environ").read_bytes().decode()  # Dask's worker has it ...
    assert len(environments) >= 3 and not any(DASK_MALLOC in e for e in environments.values())  # ... its renders do not
    renders = [psutil.Process(p) for p in environments]
    os.kill(pid, signal.SIGKILL)
    runner.join(300)
    assert not runner.is_alive()
    (outcome,) = outcomes
    assert outcome.ok, outcome.error
    assert starts == ["forward-graph", "forward-graph"]  # once on the killed worker, once on the other
    assert frame_hashes(tmp_path / "tiny" / "forward-graph.mp4") == frame_hashes(local / "forward-graph.mp4")
    _, alive = psutil.wait_procs(renders, timeout=60)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], "the killed worker's render processes live on"


def test_the_versions_compared_and_how_a_mismatch_reads():
    ours = {"code": "a" * 64, "versions": {"lecture-clips": "0.1.0", "manim": "0.21.0", "torch": "2.13.0", "av": "14.0.1"}}
    assert mismatch("tcp://10.0.0.7:40000", ours, ours) is None
    theirs = {"code": "b" * 64, "versions": ours["versions"] | {"manim": "0.20.1"}}
    assert mismatch("tcp://10.0.0.7:40000", theirs, ours) == (
        "worker tcp://10.0.0.7:40000 runs manim 0.20.1 (here 0.21.0), project code bbbbbbbbbbbb (here aaaaaaaaaaaa): "
        "install the same checkout with the same pins on every worker (`make setup`) and restart it")


def test_a_worker_running_other_code_is_refused_naming_it(cluster, tmp_path):
    """A third worker, started as a user starts one (`dask worker ADDRESS`), from a copy of the project whose
    title scene differs by one line: the render is refused in one line naming that worker, nothing rendered."""
    other = tmp_path / "other"
    for folder in ("engine", "scenes", "lecture"):
        shutil.copytree(ROOT / folder, other / folder, ignore=shutil.ignore_patterns("__pycache__", "assets"))
    with open(other / "scenes" / "feedforward" / "intro.py", "a") as scene:
        scene.write("# a line this worker's copy has and the client's does not\n")
    known = set(cluster.scheduler_info["workers"])
    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", cluster.scheduler_address,
                               "--nthreads", "1", "--no-dashboard"], cwd=other,
                              env={**os.environ, "PYTHONPATH": str(other)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(cluster.scheduler.workers) < len(known) + 1:
            assert time.monotonic() < deadline and worker.poll() is None, "the third worker never joined"
            time.sleep(0.2)
        (address,) = set(cluster.scheduler.workers) - known
        result = run_lecture("render", "title", "-q", "t", "--out", str(tmp_path / "out"), "--scheduler", cluster.scheduler_address)
        assert result.returncode == 2, result.stdout + result.stderr
        assert result.stderr.strip().splitlines() == [result.stderr.strip()] and f"worker {address} runs project code" in result.stderr
        assert not (tmp_path / "out" / "tiny").exists()
    finally:
        worker.terminate()
        worker.wait(30)


@pytest.mark.slow
def test_lecture_all_is_every_lecture_each_with_its_own_scenes():
    from lecture.request import lectures_with_scenes
    from scenes.catalog import LECTURES

    assert [(lecture.id, ids) for lecture, ids in lectures_with_scenes((), {"lecture_id": "all"})] == \
        [(lecture.id, list(lecture.ids)) for lecture in LECTURES]
    extra = LECTURES[0].extras[0].id  # named by id: rendered once, with the lecture it belongs to
    assert lectures_with_scenes(("all", extra), {"lecture_id": "all"})[0][1] == [*LECTURES[0].ids, extra]
    assert [ids for _, ids in lectures_with_scenes((extra,), {"lecture_id": "all"})] == [[extra]]
    script = run_lecture("script", "--lecture", "all")
    assert script.returncode == 2 and "a script is one lecture's" in script.stderr and "Traceback" not in script.stderr
