"""The guard of the fast tier (tests/tiers.py): a test not marked slow that starts a process, renders or
loads the voice fails, naming what it did; one marked slow may. These tests are themselves unmarked, so
the guard is on while they run: each provokes it, checks the refusal, and clears what it caught."""
from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap

import pytest

from tests import tiers
from tests.conftest import ROOT


def refused() -> list[str]:
    """What the guard caught in this test, cleared so the test itself is not failed for it."""
    caught = list(tiers.GUARD.caught)
    tiers.GUARD.caught.clear()
    return caught


def test_a_subprocess_is_refused_before_it_starts(tmp_path):
    witness = tmp_path / "ran"
    with pytest.raises(tiers.SlowWorkInFastTest, match=r"test_tiers\.py::.* starts a process .*not marked slow"):
        subprocess.run(["touch", str(witness)])
    assert not witness.exists() and len(refused()) == 1


def test_a_fork_and_a_multiprocessing_process_are_refused():
    with pytest.raises(tiers.SlowWorkInFastTest, match="os.fork"):
        os.fork()  # refused by the audit hook before the fork: no child exists to return into
    with pytest.raises(tiers.SlowWorkInFastTest, match="multiprocessing"):
        multiprocessing.get_context("spawn").Process(target=print).start()
    assert len(refused()) == 2


def test_a_render_and_the_voice_are_refused():
    from manim import Scene

    tiers.guard_renders()
    with pytest.raises(tiers.SlowWorkInFastTest, match="renders a scene"):
        Scene().render()
    with pytest.raises(tiers.SlowWorkInFastTest, match="loads the voice"):
        tiers.GUARD.audit("import", ("piper.voice", None, sys.path, sys.meta_path, sys.path_hooks))
    assert len(refused()) == 2


@pytest.mark.slow
def test_an_unmarked_test_fails_even_when_its_code_swallows_the_refusal(tmp_path):
    """A pytest run of a file with the tiers' hooks (`-p tests.tiers`): the unmarked test that catches
    the refusal (as the CLI turns errors into an exit status) still fails; the marked one passes."""
    (tmp_path / "test_example.py").write_text(textwrap.dedent("""
        import subprocess
        import pytest

        def test_unmarked_swallows():
            try:
                subprocess.run(["true"])
            except Exception:
                pass

        @pytest.mark.slow
        def test_marked():
            assert subprocess.run(["true"]).returncode == 0
    """))
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    slow: slow\n")
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.tiers", "-q", "-rA", "-p", "no:cacheprovider"],
                            cwd=tmp_path, env=os.environ | {"PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "PASSED test_example.py::test_marked" in result.stdout, result.stdout
    assert "FAILED test_example.py::test_unmarked_swallows" in result.stdout, result.stdout
    assert "starts a process" in result.stdout and "not marked slow" in result.stdout
