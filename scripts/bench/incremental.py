"""The incremental edit (the studio's beat cache): one beat of a scene edited, only its frames drawn.

`backprop` at 480p15 rendered with the beat cache, then one beat's narration edited (a script text,
as `lecture script` files and the studio give it) and rendered again: only that beat is drawn, the
others come from their segments, and the beats before it do not run at all: the state their bodies
left is put back (lecture/manim_compat/beatstate.py). The reference is a full render of the edited
scene without the cache: the goal is <= 0.15x of its time, with every frame equal. A third render with
nothing changed (every beat from the cache, all but the last restored) measures the floor: the render
process, the scene's setup, the states loaded, the last beat drawn, the clip joined. A fourth, the
same kind of edit with the kept states hidden, is the route before the restore (every earlier beat's
body run with its plays skipped), measured in the same run. Before each edit's render, the studio's draft
of the edited beat (lecture/render/draft.py: that beat alone, small, from the first render's kept state of
the beat before it) is timed too.
"""
from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from scripts.bench.measure import Timing, log

SCENE = "backprop"
EDIT = ("derive_by_hand", "Now by hand, the same numbers once more: the bench's edit of this one beat.")


def clip_frames(path: Path) -> list:
    import av

    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def frames_compared(clip: Path, reference: Path) -> tuple[bool, str]:
    """Whether two clips have the same frames, and the note that says so."""
    import numpy as np

    new, old = clip_frames(clip), clip_frames(reference)
    if len(new) == len(old) and all(np.array_equal(a, b) for a, b in zip(new, old)):
        return True, f"all {len(new)} frames equal to the full render's"
    return False, f"frames differ from the full render ({len(new)} vs {len(old)} frames)"


@contextlib.contextmanager
def states_hidden(cache: Path) -> Iterator[None]:
    """The kept beat states out of the cache's sight for a while: the earlier beats' bodies run, skipped."""
    states = list(cache.rglob("*.state"))
    for state in states:
        state.rename(state.with_suffix(".hidden"))
    try:
        yield
    finally:
        for state in states:
            state.with_suffix(".hidden").rename(state)


def incremental_timings() -> dict[str, Timing]:
    """The section's rows, in the report's order."""
    full = Timing(f"{SCENE} at 480p15, full render of the edited scene (no beat cache)")
    edited = Timing(f"{SCENE} at 480p15, one beat's narration edited, the beat cache on")
    unchanged = Timing(f"{SCENE} at 480p15 again, nothing changed (a save without an edit): every beat but the last from the cache",
                        note="the floor of this design: the process, setup, the states loaded, the last beat drawn, the clip joined")
    bodies = Timing(f"{SCENE} at 480p15, one beat's narration edited, the kept states hidden: the earlier beats' bodies run, skipped",
                     note="before the restore: construct builds every mobject and runs every play of the earlier beats, skipped")
    draft = Timing(f"{SCENE}, the studio's draft of the edited beat alone (256x144, from the state the beat before it kept)",
                    note="what the studio plays first after a narration save, while the edited clip renders (docs/studio.md)")
    return {"full": full, "edited": edited, "unchanged": unchanged, "bodies": bodies, "draft": draft}


def bench_incremental(tmp: Path, reps: int) -> dict[str, Timing]:
    """`reps` times: the incremental render and the full one of the same edit; frames compared."""
    from lecture.options.table import QUALITIES
    from lecture.render.jobs import Job
    from lecture.render.pool import render_jobs, run_forked
    from scenes.kit.params import LectureParams

    quality, out = QUALITIES["l"], tmp / "incremental"
    cache = out / ".cache"
    timings = incremental_timings()
    full, edited, unchanged, bodies, draft = timings.values()

    def job(folder: str, script: tuple = (), beats: bool = True) -> Job:
        return Job(SCENE, quality, "mp4", False, LectureParams(), out / folder, script=script, beats=beats)

    def run(j: Job, timing: Timing | None) -> None:
        (outcome,) = render_jobs([j], cache, 1, use_cache=False)
        if not outcome.ok:
            raise RuntimeError(outcome.error)
        if timing is not None:
            timing.wall.values.append(outcome.seconds)

    def drafted(text: tuple) -> None:
        """The studio's draft of the edited beat (lecture/render/draft.py), from the first render's kept states."""
        outcome = run_forked(replace(job("first", (text,)), draft=(EDIT[0], str(out))), cache, 1)
        if not outcome.ok:
            raise RuntimeError(f"draft: {outcome.error}")
        draft.wall.values.append(outcome.seconds)

    try:
        run(job("first"), None)  # LaTeX warm, and the beat cache filled (not reported)
        for rep in range(reps):
            text = (EDIT[0], f"{EDIT[1]} ({rep + 1})")
            drafted(text)  # before the edit's render, as the studio starts it
            run(job(f"edit-{rep}", (text,)), edited)
            run(job(f"full-{rep}", (text,), beats=False), full)
            run(job(f"same-{rep}", (text,)), unchanged)  # every beat but the last restored: this design's floor
            with states_hidden(cache):  # the route before the restore, in the same run
                run(job(f"bodies-{rep}", ((EDIT[0], f"{EDIT[1]} ({rep + 1}, again)"),)), bodies)
            same, edited.note = frames_compared(out / f"edit-{rep}" / f"{SCENE}.mp4", out / f"full-{rep}" / f"{SCENE}.mp4")
            edited.valid = edited.valid and same
            log(f"incremental {rep + 1}/{reps}: {edited.wall.values[-1]:.1f} s, full {full.wall.values[-1]:.1f} s, {edited.note}")
    except RuntimeError as err:
        edited.error = full.error = str(err)
    return timings
