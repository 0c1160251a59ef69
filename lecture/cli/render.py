"""`lecture render` and `lecture video`: clips rendered where they are not up to date, joined into a lecture."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable

import click

from lecture import UserError
from lecture.cli.app import all_rendered, cli
from lecture.options.resolve import check_params
from lecture.options.table import options_for
from lecture.output.publish import write_text_atomic
from lecture.render import progress
from lecture.request import RenderRequest, SceneGroup
from lecture.voice.captions import srt_text, vtt_text
from scenes.catalog import current, Lecture


@cli.command()
@click.argument("scenes", nargs=-1)
@options_for("render")
def render(scenes, quality, fmt, transparent, out, jobs, concat, force, plain, **kwargs) -> None:
    """Render SCENES (ids from `lecture list`, or `all`) into OUT/<quality>/<scene>.<format>
    (narrated: OUT/<quality>/narrated/<scene>.<format>).

    Beside each clip: a JSON sidecar (sections, numbers shown, narration), an .srt caption file and
    a poster PNG. Unchanged scenes with unchanged options are not rendered again.
    """
    if transparent and fmt == "mp4":
        fmt = "mov"  # H.264 mp4 has no alpha channel
    if concat and fmt not in ("mp4", "mov", "webm"):
        raise UserError("--concat joins video clips; use --format mp4, mov or webm")
    request = RenderRequest.resolve(scenes, kwargs, quality=quality, out=out, fmt=fmt, transparent=transparent,
                                    jobs=jobs, force=force, plain=plain)
    outcomes = render_clips(request)
    failed = [o for o in outcomes if not o.ok]
    if concat and not failed:
        for lecture, clips in request.by_lecture(outcomes):  # narrated clips are in narrated/, the lecture beside it
            joined = join_lecture(clips, lecture, request.quality_folder, fmt)
            click.echo(f"joined {len(clips)} clips with chapters: {joined}")
    click.echo("files:")
    for o in outcomes:
        for f in o.files:
            click.echo(f"  {f}")
    if failed:  # every clip that was made is listed above, then why the others were not
        for o in failed:
            click.echo(f"lecture: error: {o.job.scene} failed: {o.error}", err=True)
        sys.exit(1)


def render_clips(request: RenderRequest, on_done: Callable[[Any], None] = lambda outcome: None) -> list:
    """Render what is not up to date (with `request.record`, or LECTURE_RECORD=1 in the environment, what
    has no geometry record for `lecture check` either); the outcomes, in the order asked. `on_done(outcome)`
    as each clip is done (or found up to date), while the others still render."""
    # The render machinery (the job's cache key, the pool: about 0.4 s): only for a command that renders.
    from lecture.render.jobs import RECORD_ENV, Job
    from lecture.render.pool import render_jobs

    r, narration = request, request.narration
    record = r.record or os.environ.get(RECORD_ENV) == "1"
    job_list = [Job(i, r.quality, r.fmt, r.transparent, g.params, r.clip_folder, **narration.job_fields(i), plain=r.plain,
                    record=record) for g in r.groups for i in g.ids]
    pool = cluster_pool(r.scheduler, job_list, r.force)
    try:
        check_if_rendering(job_list, r.groups, r.force, start_server=pool is None)
    except BaseException:
        if pool is not None:
            pool.close()
        raise
    display = progress.Display(job_list, sys.stdout)

    def report(event: str, outcome) -> None:
        display(event, outcome)
        if event == "done":
            on_done(outcome)
    try:
        return render_jobs(job_list, r.out / ".cache", r.jobs, use_cache=not r.force, report=report, pool=pool)
    finally:
        display.close()


def cluster_pool(scheduler: str | None, jobs: list, force: bool):
    """With --scheduler, the cluster's pool, if a scene will render (an up-to-date one is not sent, so
    the scheduler is not even contacted when none will): connected and its workers checked before the
    options are (which loads torch), so a wrong address fails at once."""
    from lecture.render.jobs import up_to_date  # the render machinery: only for a command that renders

    if not scheduler or not (force or any(up_to_date(job) is None for job in jobs)):
        return None
    from lecture.cluster.pool import open_pool  # Dask: only with --scheduler

    return open_pool(scheduler, jobs)


def join_lecture(outcomes: list, lecture: Lecture, folder: Path, fmt: str, captions: bool = False) -> Path:
    """The clips joined into FOLDER/<lecture's file>.<fmt> (lecture.mp4), a chapter per scene; with
    `captions`, a subtitle track (mp4 and mov) and .srt and .vtt files beside it."""
    from lecture.output.concat import concat_clips  # av (about 0.3 s): only when clips are joined

    clips = [(current().by_id[o.job.scene].title, Path(next(f for f in o.files if f.endswith(f".{fmt}")))) for o in outcomes]
    joined, cues = concat_clips(clips, folder / f"{lecture.stem}.{fmt}", subtitles=captions and fmt in ("mp4", "mov"))
    if captions:
        write_text_atomic(joined.with_suffix(".srt"), srt_text(cues))
        write_text_atomic(joined.with_suffix(".vtt"), vtt_text(cues))
    return joined


@cli.command()
@click.argument("scenes", nargs=-1)
@options_for("video")
def video(scenes, quality, out, jobs, force, **kwargs) -> None:
    """The whole lecture, narrated, as OUT/<quality>/lecture.mp4: H.264 and AAC, a chapter per scene,
    a subtitle track of the narration, and lecture.srt and lecture.vtt beside it. SCENES (default: all)
    makes a shorter one of just those."""
    request = RenderRequest.resolve(scenes or ("all",), kwargs, quality=quality, out=out, jobs=jobs, force=force)
    outcomes = all_rendered(render_clips(request))
    for lecture, clips in request.by_lecture(outcomes):
        joined = join_lecture(clips, lecture, request.quality_folder, "mp4", captions=True)
        click.echo(f"wrote {joined} ({len(clips)} chapters, subtitles), {joined.with_suffix('.srt')}, {joined.with_suffix('.vtt')}")


def check_if_rendering(jobs: list, groups: tuple[SceneGroup, ...], force: bool, start_server: bool = True) -> None:
    """Check the options (loading torch) only if a scene will render: an up-to-date clip was rendered
    with these very options, so they passed then. The render server starts first (unless the renders
    go to a cluster), importing manim and torch in its own process at the same time."""
    from lecture.render.jobs import up_to_date  # the render machinery: only for a command that renders
    from lecture.render.pool import needs_torch, start_render_server

    if force or any(up_to_date(job) is None for job in jobs):
        if start_server:
            start_render_server(narrated=any(job.narrated for job in jobs), torch=needs_torch(jobs))
        for group in groups:
            check_params(group.params, list(group.ids))
