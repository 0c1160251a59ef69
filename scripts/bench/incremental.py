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

from dataclasses import replace
from pathlib import Path

from scripts.bench.measure import Timing, log

SCENE = "backprop"
EDIT = ("derive_by_hand", "Now by hand, the same numbers once more: the bench's edit of this one beat.")


def clip_frames(path: Path) -> list:
    import av

    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def bench_incremental(tmp: Path, reps: int) -> dict[str, Timing]:
    """`reps` times: the incremental render and the full one of the same edit; frames compared."""
    import numpy as np

    from lecture.options.table import QUALITIES
    from lecture.render.jobs import Job
    from lecture.render.pool import render_jobs, run_forked
    from scenes.kit.params import LectureParams

    quality, out = QUALITIES["l"], tmp / "incremental"
    cache = out / ".cache"
    full = Timing(f"{SCENE} at 480p15, full render of the edited scene (no beat cache)")
    edited = Timing(f"{SCENE} at 480p15, one beat's narration edited, the beat cache on")
    unchanged = Timing(f"{SCENE} at 480p15 again, nothing changed (a save without an edit): every beat but the last from the cache")
    bodies = Timing(f"{SCENE} at 480p15, one beat's narration edited, the kept states hidden: the earlier beats' bodies run, skipped")
    draft = Timing(f"{SCENE}, the studio's draft of the edited beat alone (256x144, from the state the beat before it kept)")

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
            states = list(cache.rglob("*.state"))
            for state in states:  # the route before the restore, in the same run
                state.rename(state.with_suffix(".hidden"))
            try:
                run(job(f"bodies-{rep}", ((EDIT[0], f"{EDIT[1]} ({rep + 1}, again)"),)), bodies)
            finally:
                for state in states:
                    state.with_suffix(".hidden").rename(state)
            new, reference = (clip_frames(out / f / f"{SCENE}.mp4") for f in (f"edit-{rep}", f"full-{rep}"))
            same = len(new) == len(reference) and all(np.array_equal(a, b) for a, b in zip(new, reference))
            if not same:
                edited.valid = False
                edited.note = f"frames differ from the full render ({len(new)} vs {len(reference)} frames)"
            else:
                edited.note = f"all {len(new)} frames equal to the full render's"
            log(f"incremental {rep + 1}/{reps}: {edited.wall.values[-1]:.1f} s, full {full.wall.values[-1]:.1f} s, {edited.note}")
    except RuntimeError as err:
        edited.error = full.error = str(err)
    unchanged.note = "the floor of this design: the process, setup, the states loaded, the last beat drawn, the clip joined"
    bodies.note = "before the restore: construct builds every mobject and runs every play of the earlier beats, skipped"
    draft.note = "what the studio plays first after a narration save, while the edited clip renders (docs/studio.md)"
    return {"full": full, "edited": edited, "unchanged": unchanged, "bodies": bodies, "draft": draft}
