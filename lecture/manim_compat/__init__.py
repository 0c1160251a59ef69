"""The one seam between this project and the private or undocumented parts of manim, manimpango and
CPython. Everything that overrides, copies or reads such a part lives in this package, each touch with
a line saying what it relies on; the rest of the code calls the named functions below, and two modules by
name: `beatsource` (no manim: each beat's source digest) and `record` (the recorder of a checked render).

Importing this package is cheap (no manim): it reads the installed manim's version. The manim-facing
modules (`renderer`, `layers`, `fades`, `svgcache`, `encoding`, `numbers`, `texnumbers`, `latexcache`, `family`,
`beats`, `beatstate`, `record`; `drafting` through `beats`) call `require_written_for()` when imported,
so on another manim they refuse in one line instead of drawing wrong frames. `--plain` renders never
import them, so they work on any manim. What is here and how to upgrade: docs/seam.md.
"""
from __future__ import annotations

import atexit
import multiprocessing.forkserver
import multiprocessing.resource_tracker
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

from lecture import UserError

WRITTEN_FOR = "0.21.0"  # the manim release every touch below was read against


class ManimVersionError(UserError):
    """The installed manim is not the one the seam was written for (one line, exit status 2)."""


def installed_manim() -> str:
    try:
        return metadata.version("manim")
    except metadata.PackageNotFoundError:
        return "none"


def version_problem(installed: str | None = None) -> str | None:
    """What to do when `installed` (default: the installed manim) is not `WRITTEN_FOR`; None if it is."""
    installed = installed or installed_manim()
    if installed == WRITTEN_FOR:
        return None
    return (f"manim {installed} is installed, but lecture/manim_compat/ was written for manim {WRITTEN_FOR}: "
            f"run `make setup` (it pins manim=={WRITTEN_FOR}), or render with `lecture render --plain` (stock manim, "
            f"slower); to port the seam, see docs/seam.md")


PROBLEM = version_problem()  # checked at import; raised by whatever would touch manim's internals


def require_written_for() -> None:
    """Raise `ManimVersionError` unless the installed manim is the one the seam was written for."""
    if PROBLEM:
        raise ManimVersionError(PROBLEM)


def fast_renderer(text_caches: Iterable[str | Path], encoder_threads: int = 0, latex_cache: str | Path | None = None) -> Any:
    """The project's renderer for one render process: manim's Cairo renderer drawing still parts once
    (layers), large fades as one picture, unrotated images resized, stills without drawing skipped
    plays; families listed and mobjects copied without manim's overhead; texts parsed once (in `text_caches`), quick number readouts, plain numbers set without LaTeX, LaTeX's SVGs shared
    through `latex_cache` with the other scenes, a bounded encoder queue with `encoder_threads` x264 threads (0: x264
    chooses). Changes manim's classes for this process."""
    require_written_for()
    # manim-facing modules: they import manim and change its classes, so only a render process loads them.
    from lecture.manim_compat import family, latexcache, numbers, svgcache, texnumbers
    from lecture.manim_compat.encoding import LectureFileWriter
    from lecture.manim_compat.renderer import LectureRenderer

    family.install()
    svgcache.install(text_caches)
    numbers.install()
    texnumbers.install()
    latexcache.install(latex_cache)
    LectureFileWriter.encoder_threads = encoder_threads
    return LectureRenderer()


def beat_cache(folder: Path, job: dict, scene_file: Path, root: Path, code_folders: tuple[str, ...]) -> Any:
    """The beat cache of an incremental render (`Job.beats`): segments kept in `folder`, each beat's key
    built on the job's options and the sources under `code_folders` (the scene's beat bodies left out)."""
    require_written_for()
    from lecture.manim_compat.beats import BeatCache, beat_base  # imports manim: only renders that use it

    return BeatCache(folder, beat_base(job, scene_file, root, code_folders))


class NoDraft(RuntimeError):
    """This beat cannot be drafted from a kept state: the page waits for the clip."""


def beat_key_base(job: dict, scene_file: Path, root: Path, code_folders: tuple[str, ...]) -> str:
    """What every beat key of `beat_cache` is built on: a draft compares it with the clip's sidecar."""
    from lecture.manim_compat.beats import beat_base  # imports manim: only in a render process

    return beat_base(job, scene_file, root, code_folders)


def draft_scene(scene: Any, beat: str, previous: str | None, state: bytes | None, clip_size: tuple[int, int]) -> Any:
    """`scene` set to draw only `beat` (a studio draft, `lecture/render/draft.py`): the beat before it,
    `previous`, put back from its kept `state`, texts laid out at the clip's pixels (`clip_size`) in a
    smaller picture. Returns the `Drafting` (its start, end and times once rendered)."""
    from lecture.manim_compat.drafting import Drafting, laid_out_at  # imports manim: only in a render process

    laid_out_at(*clip_size)
    return Drafting(scene, beat, previous, state)


def run_exit_handlers() -> None:
    """Run what `atexit` holds now, as the interpreter would at exit (before `os._exit`)."""
    atexit._run_exitfuncs()  # CPython, undocumented: the only way to run them without the interpreter's teardown


def forkserver_pid() -> int | None:
    """The pid of multiprocessing's fork server, if it runs."""
    # CPython private: the module's singleton and its pid; no public way to ask whether it runs.
    return getattr(getattr(multiprocessing.forkserver, "_forkserver", None), "_forkserver_pid", None)


def resource_tracker_pid() -> int | None:
    """The pid of multiprocessing's resource tracker, if it runs."""
    # CPython private: as above, for the resource tracker.
    return getattr(getattr(multiprocessing.resource_tracker, "_resource_tracker", None), "_pid", None)
