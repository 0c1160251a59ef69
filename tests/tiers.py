"""The suite's two speeds: a test marked `slow` may render, start a process (the CLI, a render server, a
browser, a Dask cluster) or synthesise speech; every other test must not, so `make test-fast`
(`-m "not slow"`) stays fast. Tests using the session's renders are marked by fixture (`RENDERING_FIXTURES`).
The guard here makes an unmarked test that does one of those fail at once,
naming what it did and the marker it lacks, instead of slowly making the fast tier slow.

What counts, while an unmarked test runs (its setup, call and teardown):
- a process started: `subprocess` (and anything built on it), `os.fork`/`posix_spawn`/`exec*`/`system`,
  and any `multiprocessing` process (a pool's worker, a fork server's child);
- a manim scene rendered in this process (`Scene.render`);
- the voice loaded to speak (`piper` imported).

tests/conftest.py takes this module's hooks; another pytest run takes them with `-p tests.tiers`.
"""
from __future__ import annotations

import sys
from typing import Any

import _posixsubprocess
import multiprocessing.process

import pytest

SLOW = "slow"
# The session's renders (tests/conftest.py): a test using one, directly or through a fixture built on it
# (`narrated`, `plain`, the studio's and the cluster's), is slow without saying so. A new session fixture
# that renders, starts a server or speaks joins this set.
RENDERING_FIXTURES = frozenset({"rendered", "rendered_part2"})

_PROCESS_EVENTS = ("subprocess.Popen", "os.system", "os.fork", "os.forkpty", "os.posix_spawn", "os.exec",
                   "os.spawn", "pty.spawn")
_SPEAKING_MODULES = ("piper",)


class SlowWorkInFastTest(AssertionError):
    """Raised where the work starts, and reported again after the test, however the code under test
    handled the first (the CLI turns errors into an exit status)."""


class Guard:
    """The state of the check: on while an unmarked test runs; what it caught, for the report."""

    def __init__(self) -> None:
        self.test: str | None = None
        self.caught: list[str] = []
        self.installed = False

    def refuse(self, what: str) -> None:
        if self.test is None:
            return
        self.caught.append(what)
        raise SlowWorkInFastTest(f"{self.test} {what} but is not marked slow: add `@pytest.mark.slow` "
                                 "(or module-level `pytestmark = pytest.mark.slow`), see docs/tests.md")

    def audit(self, event: str, args: tuple[Any, ...]) -> None:
        if self.test is None:
            return
        if event == "import" and args[0].split(".")[0] in _SPEAKING_MODULES:
            self.refuse(f"loads the voice ({args[0]})")
        elif event.startswith(_PROCESS_EVENTS):
            detail = f": {args[1]!r}"[:160] if event == "subprocess.Popen" and len(args) > 1 else ""
            self.refuse(f"starts a process ({event}{detail})")


GUARD = Guard()


def install() -> None:
    """The audit hook (processes, imports) and two wrappers the audit events miss: multiprocessing's
    spawn and fork server start children through `_posixsubprocess.fork_exec` or a socket to the server,
    and a scene render is a method call. Installed once per pytest process; refusing only while on."""
    if GUARD.installed:
        return
    GUARD.installed = True
    sys.addaudithook(GUARD.audit)
    fork_exec = _posixsubprocess.fork_exec

    def guarded_fork_exec(*args: Any, **kwargs: Any) -> Any:
        GUARD.refuse("starts a process (_posixsubprocess.fork_exec)")
        return fork_exec(*args, **kwargs)

    _posixsubprocess.fork_exec = guarded_fork_exec
    start = multiprocessing.process.BaseProcess.start

    def guarded_start(self: multiprocessing.process.BaseProcess) -> None:
        GUARD.refuse(f"starts a multiprocessing process ({self.name})")
        start(self)

    multiprocessing.process.BaseProcess.start = guarded_start  # type: ignore[method-assign]


def guard_renders() -> None:
    """Wrap manim's `Scene.render` once manim is imported (a test module may import it late)."""
    scene_module = sys.modules.get("manim.scene.scene")
    if scene_module is None or getattr(scene_module.Scene.render, "_guarded", False):
        return
    render = scene_module.Scene.render

    def guarded_render(self: Any, *args: Any, **kwargs: Any) -> Any:
        GUARD.refuse(f"renders a scene ({type(self).__name__})")
        return render(self, *args, **kwargs)

    guarded_render._guarded = True  # type: ignore[attr-defined]
    scene_module.Scene.render = guarded_render


def mark_by_fixture(items: list[pytest.Item]) -> None:
    """Mark slow every test that uses a rendering session fixture, directly or through another fixture."""
    for item in items:
        if RENDERING_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def is_slow(item: pytest.Item) -> bool:
    return item.get_closest_marker(SLOW) is not None


# --- the hooks -----------------------------------------------------------------------------------------
def pytest_configure(config: pytest.Config) -> None:
    install()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_by_fixture(items)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """The guard is on through an unmarked test's setup, call and teardown."""
    guard_renders()
    GUARD.test = None if is_slow(item) else item.nodeid
    GUARD.caught.clear()
    try:
        return (yield)
    finally:
        GUARD.test = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Fail the test for what the guard caught even when the code under test swallowed the exception
    (the CLI turns errors into an exit status and one line)."""
    result = yield
    if GUARD.caught:
        pytest.fail(f"{item.nodeid} {GUARD.caught[0]} but is not marked slow: add `@pytest.mark.slow`", pytrace=False)
    return result
