"""`lecture render` and `lecture video`: clips rendered where they are not up to date, joined into a lecture."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from lecture import UserError
from lecture.cli.app import all_rendered, cli
from lecture.options.resolve import check_params
from lecture.options.table import ALL_LECTURES, QUALITIES, options_for
from lecture.output.publish import check_writable_dir, write_text_atomic
from lecture.render import progress
from lecture.voice.captions import srt_text, vtt_text
from lecture.request import lecture_from, lectures_with_scenes, narration_from, params_from
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
    outcomes, out_dir = render_clips(scenes, quality, fmt, transparent, out, jobs, force, kwargs, plain)
    failed = [o for o in outcomes if not o.ok]
    if concat and not failed:
        folder = out.resolve() / QUALITIES[quality].folder  # narrated clips are in its narrated/, the lecture beside them
        for lecture, clips in by_lecture(outcomes, kwargs):
            click.echo(f"joined {len(clips)} clips with chapters: {join_lecture(clips, lecture, folder, fmt)}")
    click.echo("files:")
    for o in outcomes:
        for f in o.files:
            click.echo(f"  {f}")
    if failed:  # every clip that was made is listed above, then why the others were not
        for o in failed:
            click.echo(f"lecture: error: {o.job.scene} failed: {o.error}", err=True)
        sys.exit(1)


def render_clips(scenes: tuple[str, ...], quality: str, fmt: str, transparent: bool, out: Path, jobs: int,
                 force: bool, kwargs: dict, plain: bool = False, record: bool = False) -> tuple[list, Path]:
    """Check every option (content, voice, script), then render what is not up to date (with `record`,
    or LECTURE_RECORD=1 in the environment, what has no geometry record for `lecture check` either)."""
    # The render machinery (the job's cache key, the pool: about 0.4 s): only for a command that renders.
    from lecture.render.jobs import RECORD_ENV, Job
    from lecture.render.pool import render_jobs

    groups = [(ids, params_from(kwargs, lecture)[0]) for lecture, ids in lectures_with_scenes(scenes, kwargs)]
    out = check_writable_dir(out).resolve()
    narration = narration_from(kwargs, [i for ids, _ in groups for i in ids], fmt, out)
    q = QUALITIES[quality]
    record = record or os.environ.get(RECORD_ENV) == "1"
    out_dir = narration.out_dir(out / q.folder)
    job_list = [Job(i, q, fmt, transparent, params, out_dir, **narration.job_fields(i), plain=plain, record=record)
                for ids, params in groups for i in ids]
    pool = cluster_pool(kwargs.get("scheduler"), job_list, force)
    try:
        check_if_rendering(job_list, groups, force, start_server=pool is None)
    except BaseException:
        if pool is not None:
            pool.close()
        raise
    display = progress.Display(job_list, sys.stdout)
    try:
        return render_jobs(job_list, out / ".cache", jobs, use_cache=not force, report=display, pool=pool), out_dir
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


def by_lecture(outcomes: list, kwargs: dict[str, Any]) -> list[tuple[Lecture, list]]:
    """The rendered clips of each lecture: all of them are --lecture's; with `--lecture all`, each goes
    to the lecture it belongs to."""
    if kwargs.get("lecture_id") != ALL_LECTURES:
        return [(lecture_from(kwargs), outcomes)]
    groups: dict[str, tuple[Lecture, list]] = {}
    for o in outcomes:
        lecture = current().lecture_of[o.job.scene]
        groups.setdefault(lecture.id, (lecture, []))[1].append(o)
    return list(groups.values())


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
    outcomes = all_rendered(render_clips(scenes or ("all",), quality, "mp4", False, out, jobs, force, kwargs)[0])
    folder = check_writable_dir(out).resolve() / QUALITIES[quality].folder
    for lecture, clips in by_lecture(outcomes, kwargs):
        joined = join_lecture(clips, lecture, folder, "mp4", captions=True)
        click.echo(f"wrote {joined} ({len(clips)} chapters, subtitles), {joined.with_suffix('.srt')}, {joined.with_suffix('.vtt')}")


def check_if_rendering(jobs: list, groups: list[tuple[list[str], Any]], force: bool, start_server: bool = True) -> None:
    """Check the options (loading torch) only if a scene will render: an up-to-date clip was rendered
    with these very options, so they passed then. The render server starts first (unless the renders
    go to a cluster), importing manim and torch in its own process at the same time."""
    from lecture.render.jobs import up_to_date  # the render machinery: only for a command that renders
    from lecture.render.pool import start_render_server

    if force or any(up_to_date(job) is None for job in jobs):
        if start_server:
            start_render_server()
        for ids, params in groups:
            check_params(params, ids)
