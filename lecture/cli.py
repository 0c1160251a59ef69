"""`lecture`: render the lecture's clips, preview a scene while writing it, watch for changes.

A thin click CLI over `lecture.render` (processes, caching, atomic output) and `scenes`
(content). Bad input is one line on stderr and exit status 2; nothing is written.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from lecture import UserError, progress
from lecture.files import check_writable_dir
from lecture.option_table import ALL_LECTURES, CONTENT_OPTIONS, DEFAULT_OUT, QUALITIES, options_for
from lecture.options import build_params, check_params, read_config, resolve_scenes
from scenes.catalog import BY_ID, DEFAULT_LECTURE, LECTURE_BY_ID, LECTURE_OF, LECTURES, Lecture

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@dataclass(frozen=True)
class Narration:
    """A checked --voice and --script: who speaks, and the texts each scene's beats say instead of their own."""
    voice: Any
    scripts: dict[str, dict[str, str]]

    def job_fields(self, scene_id: str) -> dict[str, Any]:
        from lecture.script import scene_script  # imports the scene (and manim) only when used below

        own = self.scripts.get(scene_id, {})
        if own:  # texts equal to the scene's own change nothing, so they do not change the cache key either
            defaults = scene_script(scene_id).beats
            own = {beat: text for beat, text in own.items() if defaults.get(beat) != text}
        digest = ""
        if self.voice.kind == "recordings":
            digest = self.voice.digest(scene_id, list(scene_script(scene_id).beats))
        elif self.voice.kind == "piper":
            digest = self.voice.identity()
        return {"voice": self.voice.canonical, "script": tuple(sorted(own.items())), "voice_digest": digest}

    def out_dir(self, quality_dir: Path) -> Path:
        """Narrated clips have their own folder, so silent and narrated renders do not replace each other."""
        return quality_dir / "narrated" if self.voice.speaks else quality_dir


def narration_from(kwargs: dict[str, Any], ids: list[str], fmt: str, media: Path) -> Narration:
    from lecture.voices import check_recordings, parse_voice

    voice = parse_voice(kwargs.get("voice"))
    if voice.speaks and fmt not in ("mp4", "mov", "webm"):
        raise UserError(f"--voice {voice.spec}: narration needs a video with sound; use --format mp4, mov or webm, or --voice none")
    scripts = {}
    if kwargs.get("script_path"):
        from lecture.script import read_script

        scripts = read_script(kwargs["script_path"], media)
    if voice.kind == "recordings":
        from lecture.script import scene_script

        check_recordings(voice, {i: list(scene_script(i).beats) for i in ids})
    return Narration(voice, scripts)


def lecture_from(kwargs: dict[str, Any]) -> Lecture:
    """The lecture a command's scenes come from: --lecture, else the first."""
    return LECTURE_BY_ID[kwargs.get("lecture_id") or DEFAULT_LECTURE.id]


def lectures_with_scenes(scenes: tuple[str, ...], kwargs: dict[str, Any]) -> list[tuple[Lecture, list[str]]]:
    """Each lecture a command renders, with its scenes: the one --lecture names, or, for `--lecture all`,
    every lecture (SCENES named by id go to the lecture they belong to)."""
    if kwargs.get("lecture_id") != ALL_LECTURES:
        lecture = lecture_from(kwargs)
        return [(lecture, resolve_scenes(scenes, lecture))]
    groups = [(lecture, [i for i in resolve_scenes(scenes, lecture) if LECTURE_OF[i] is lecture]) for lecture in LECTURES]
    return [(lecture, ids) for lecture, ids in groups if ids]


def params_from(kwargs: dict[str, Any], lecture: Lecture | None = None):
    cli = {name: kwargs.get(option.param) for name, option in CONTENT_OPTIONS.items()}
    config = read_config(kwargs.get("config_path"))
    return build_params(cli, config, lecture or lecture_from(kwargs)), config


@click.group(context_settings=CONTEXT)
def cli() -> None:
    """Render lectures (`lecture list`) as animated clips, narrated videos, slide decks and scripts.

    \b
    Examples:
      lecture video                                # the narrated lecture, media/480p15/lecture.mp4
      lecture list
      lecture render all -q h                      # the whole lecture at 1080p60
      lecture render gradient-descent --function "x**2 + 3*y**2" --start -2,2 --lr 0.1
      lecture preview backprop --storyboard        # every section's end frame in one PNG
    """


@cli.command("list")
def list_scenes() -> None:
    """List the scenes of every lecture: id, title, sections and approximate duration."""
    for number, lecture in enumerate(LECTURES):
        click.echo(("\n" if number else "") + f"{lecture.title} (--lecture {lecture.id})")
        rows = [("id", "title", "sections", "duration")]
        for info, flag in [*((s, "") for s in lecture.scenes), *((s, " (extra)") for s in lecture.extras)]:
            rows.append((info.id, info.title + flag, *last_render_summary(info.id)))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for row in rows:
            click.echo("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def last_render_summary(scene_id: str) -> tuple[str, str]:
    """Sections and duration from the newest sidecar of this scene under media/, if any."""
    sidecars = sorted(DEFAULT_OUT.glob(f"*/{scene_id}.json"), key=lambda p: p.stat().st_mtime)
    if not sidecars:
        return "-", "not rendered yet"
    data = json.loads(sidecars[-1].read_text())
    return ", ".join(s["name"] for s in data.get("sections", [])), f"~{data.get('duration_s', 0):.0f} s"


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
    if failed:
        for o in failed:
            click.echo(f"lecture: error: {o.job.scene} failed: {o.error}", err=True)
        sys.exit(1)


def render_clips(scenes: tuple[str, ...], quality: str, fmt: str, transparent: bool, out: Path, jobs: int,
                 force: bool, kwargs: dict, plain: bool = False) -> tuple[list, Path]:
    """Check every option (content, voice, script), then render what is not up to date."""
    from lecture.render import Job, render_jobs

    groups = [(ids, params_from(kwargs, lecture)[0]) for lecture, ids in lectures_with_scenes(scenes, kwargs)]
    out = check_writable_dir(out).resolve()
    narration = narration_from(kwargs, [i for ids, _ in groups for i in ids], fmt, out)
    q = QUALITIES[quality]
    out_dir = narration.out_dir(out / q.folder)
    job_list = [Job(i, q, fmt, transparent, params, out_dir, **narration.job_fields(i), plain=plain)
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
    from lecture.render import up_to_date

    if not scheduler or not (force or any(up_to_date(job) is None for job in jobs)):
        return None
    from lecture.cluster import open_pool

    return open_pool(scheduler, jobs)


def by_lecture(outcomes: list, kwargs: dict[str, Any]) -> list[tuple[Lecture, list]]:
    """The rendered clips of each lecture: all of them are --lecture's; with `--lecture all`, each goes
    to the lecture it belongs to."""
    if kwargs.get("lecture_id") != ALL_LECTURES:
        return [(lecture_from(kwargs), outcomes)]
    groups: dict[str, tuple[Lecture, list]] = {}
    for o in outcomes:
        lecture = LECTURE_OF[o.job.scene]
        groups.setdefault(lecture.id, (lecture, []))[1].append(o)
    return list(groups.values())


def join_lecture(outcomes: list, lecture: Lecture, folder: Path, fmt: str, captions: bool = False) -> Path:
    """The clips joined into FOLDER/<lecture's file>.<fmt> (lecture.mp4), a chapter per scene; with
    `captions`, a subtitle track (mp4 and mov) and .srt and .vtt files beside it."""
    from lecture.captions import srt_text, vtt_text
    from lecture.concat import concat_clips
    from lecture.files import write_text_atomic

    clips = [(BY_ID[o.job.scene].title, Path(next(f for f in o.files if f.endswith(f".{fmt}")))) for o in outcomes]
    joined, cues = concat_clips(clips, folder / f"{lecture.stem}.{fmt}", subtitles=captions and fmt in ("mp4", "mov"))
    if captions:
        write_text_atomic(joined.with_suffix(".srt"), srt_text(cues))
        write_text_atomic(joined.with_suffix(".vtt"), vtt_text(cues))
    return joined


@cli.command()
@options_for("video")
def video(quality, out, jobs, force, **kwargs) -> None:
    """The whole lecture, narrated, as OUT/<quality>/lecture.mp4: H.264 and AAC, a chapter per scene,
    a subtitle track of the narration, and lecture.srt and lecture.vtt beside it."""
    outcomes, out_dir = render_clips(("all",), quality, "mp4", False, out, jobs, force, kwargs)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise RenderFailed("; ".join(f"{o.job.scene} failed: {o.error}" for o in failed))
    folder = check_writable_dir(out).resolve() / QUALITIES[quality].folder
    for lecture, clips in by_lecture(outcomes, kwargs):
        joined = join_lecture(clips, lecture, folder, "mp4", captions=True)
        click.echo(f"wrote {joined} ({len(clips)} chapters, subtitles), {joined.with_suffix('.srt')}, {joined.with_suffix('.vtt')}")


@cli.command()
@click.argument("scenes", nargs=-1)
@options_for("script")
def script(scenes, target, media, lecture_id) -> None:
    """The narration script of SCENES (or all), beat by beat, as Markdown: to read from while
    recording, and to edit and pass back with `--script FILE`."""
    from lecture.files import write_text_atomic
    from lecture.script import scene_script, to_markdown

    if lecture_id == ALL_LECTURES:
        raise UserError(f"--lecture {ALL_LECTURES}: a script is one lecture's; name one of {', '.join(LECTURE_BY_ID)}")
    lecture = LECTURE_BY_ID[lecture_id]
    ids = resolve_scenes(scenes, lecture)
    text = to_markdown(lecture.title, [scene_script(i) for i in ids], media)
    if target is None:
        click.echo(text)
    else:
        click.echo(f"wrote {write_text_atomic(target, text)}")


def check_if_rendering(jobs: list, groups: list[tuple[list[str], Any]], force: bool, start_server: bool = True) -> None:
    """Check the options (loading torch) only if a scene will render: an up-to-date clip was rendered
    with these very options, so they passed then. The render server starts first (unless the renders
    go to a cluster), importing manim and torch in its own process at the same time."""
    from lecture.render import start_render_server, up_to_date

    if force or any(up_to_date(job) is None for job in jobs):
        if start_server:
            start_render_server()
        for ids, params in groups:
            check_params(params, ids)


@cli.command()
@click.argument("scene")
@options_for("preview")
def preview(scene, section, storyboard, out, **kwargs) -> None:
    """Write a 480p PNG of SCENE's last frame (or of a section's end) and print its path."""
    click.echo(str(make_preview(scene, section, storyboard, out, kwargs, in_this_process=True)))


def make_preview(scene: str, section: str | None, storyboard: bool, out: Path, kwargs: dict,
                 in_this_process: bool = False) -> Path:
    """A still renders in this process when asked (`preview`: no second start-up of manim and torch);
    `watch` renders in a fresh process each time, so edited scene code is what it shows."""
    from lecture.frames import frames_at, storyboard as make_storyboard
    from lecture.render import Job, render_jobs, run_here

    (scene_id,) = resolve_scenes((scene,), lecture_from(kwargs))
    params, _ = params_from(kwargs)
    check_params(params, [scene_id])
    out = check_writable_dir(out).resolve()
    out_dir = out / "preview"
    quality = QUALITIES["l"]
    still = not (section or storyboard)
    job = Job(scene_id, quality, "still" if still else "mp4", False, params, out_dir)
    if still and in_this_process:
        outcome = run_here(job, out / ".cache")
    else:
        (outcome,) = render_jobs([job], out / ".cache", 1)
    if not outcome.ok:
        raise RenderFailed(f"{scene_id} failed: {outcome.error}")
    if still:
        return Path(outcome.files[0])
    sidecar = json.loads((out_dir / f"{scene_id}.json").read_text())
    video = out_dir / f"{scene_id}.mp4"
    if storyboard:
        return make_storyboard(video, sidecar["sections"], out_dir / f"{scene_id}-storyboard.png")
    match = [s for s in sidecar["sections"] if s["name"] == section]
    if not match:
        raise UserError(f"no section {section!r} in {scene_id}; sections: {', '.join(s['name'] for s in sidecar['sections'])}")
    from lecture.files import save_image_atomic

    return save_image_atomic(frames_at(video, [match[0]["end"] - 1e-3])[0], out_dir / f"{scene_id}-{section}.png")


@cli.command()
@click.argument("scene")
@options_for("watch")
def watch(scene, section, out, interval, **kwargs) -> None:
    """Re-render SCENE's preview whenever a file under scenes/ or engine/ changes (Ctrl-C stops)."""
    from lecture.render import ROOT

    check_params(params_from(kwargs)[0], resolve_scenes((scene,), lecture_from(kwargs)))  # fail fast on bad options
    folders = [ROOT / "scenes", ROOT / "engine"]

    def snapshot() -> dict[Path, float]:
        return {p: p.stat().st_mtime for folder in folders for p in folder.rglob("*.py")}

    seen: dict[Path, float] = {}
    try:
        while True:
            current = snapshot()
            if current != seen:
                seen = current
                try:
                    click.echo(f"{time.strftime('%H:%M:%S')} preview: {make_preview(scene, section, False, out, kwargs)}")
                except RenderFailed as err:
                    click.echo(f"{time.strftime('%H:%M:%S')} {err}", err=True)
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("stopped watching")


@cli.command()
@options_for("studio")
def studio(port, no_open, out) -> None:
    """A page on 127.0.0.1 to see, hear and change the lecture while writing it: each scene's player,
    its beats on a timeline, a storyboard, and a form of the options that change it (Render streams the
    progress). Edits under scenes/ and engine/ re-render the scenes they affect by themselves."""
    from lecture.studio.server import run

    run(check_writable_dir(out).resolve(), port, open_browser=not no_open, echo=click.echo)


@cli.command()
@click.argument("scenes", nargs=-1)
@options_for("slides")
def slides(scenes, to, quality, out, jobs, **kwargs) -> None:
    """Make one deck of SCENES (or all): a slide per pause, arrow keys or a clicker to advance."""
    from lecture.slides import export_deck

    for lecture, params, configs in rendered_slides(scenes, quality, out, jobs, kwargs):
        deck = export_deck(configs, to, check_writable_dir(out).resolve() / "slides" / f"{lecture.stem}.{to}", params.theme,
                           lecture.title)
        click.echo(f"wrote {deck}")
        if to == "html":
            click.echo(f"wrote {deck.parent / f'{lecture.stem}_assets'} (keep it beside the HTML)")


@cli.command()
@click.argument("scenes", nargs=-1)
@options_for("present")
def present(scenes, quality, out, jobs, fullscreen, **kwargs) -> None:
    """Present SCENES (or all) in manim-slides' window: right arrow or a clicker for the next pause."""
    from lecture.slides import check_presenter

    check_presenter()
    configs = [config for _, _, lecture_configs in rendered_slides(scenes, quality, out, jobs, kwargs) for config in lecture_configs]
    command = [sys.executable, "-m", "manim_slides", "present", "--folder", str(configs[0].parent),
               *(["--full-screen"] if fullscreen else []), *(c.name.removesuffix(".json") for c in configs)]
    sys.exit(subprocess.call(command))


def rendered_slides(scenes: tuple[str, ...], quality: str, out: Path, jobs: int, kwargs: dict) -> list[tuple[Lecture, Any, list[Path]]]:
    """Render SCENES (cached clips are reused); for each lecture, its params and each scene's manim-slides config."""
    outcomes, out_dir = render_clips(scenes, quality, "mp4", False, out, jobs, False, kwargs)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise RenderFailed("; ".join(f"{o.job.scene} failed: {o.error}" for o in failed))
    return [(lecture, clips[0].job.params, [out_dir / f"{o.job.scene}.slides.json" for o in clips])
            for lecture, clips in by_lecture(outcomes, kwargs)]


@cli.command()
@options_for("doctor")
def doctor(out) -> None:
    """Check LaTeX, dvisvgm, cairo, pango, the encoder, fonts and the media folder; say what to install."""
    from lecture.doctor import run_checks

    checks = run_checks(out)
    for check in checks:
        click.echo(f"  {'ok ' if check.ok else 'MISSING'}  {check.name}" + ("" if check.ok else f"  ->  {check.fix}"))
    if not all(c.ok for c in checks):
        sys.exit(1)
    click.echo("everything a render needs is here")


class RenderFailed(Exception):
    """A scene's render raised: reported with the log path, exit status 1."""


class Aborted(BaseException):
    """A stop signal (SIGTERM, SIGHUP) arrived: every render stopped, one line, exit status 128 + signal."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


class Interrupted(Aborted, KeyboardInterrupt):
    """SIGINT: as Ctrl-C always was (exit status 130; `watch` stops watching), and the renders stopped."""


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
ABORT_DEADLINE_S = 5.0  # if the unwinding after a stop signal has not exited by then, exit anyway


def on_stop_signal(signum: int, frame) -> None:
    """Stop the renders at once (they publish nothing more), then unwind the command with `Aborted`.
    A second signal while that happens changes nothing; a watchdog exits if it hangs."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    line = f"lecture: aborted by {signal.Signals(signum).name}\n".encode()

    def watchdog() -> None:
        time.sleep(ABORT_DEADLINE_S)
        with contextlib.suppress(OSError):
            os.write(2, line)
        os._exit(128 + signum)

    threading.Thread(target=watchdog, name="abort-watchdog", daemon=True).start()
    render = sys.modules.get("lecture.render")
    if render is not None:
        render.stop_renders()
    raise (Interrupted if signum == signal.SIGINT else Aborted)(signum)


def main() -> None:
    """Entry point: one line and exit status 2 for bad input, never a traceback."""
    progress.quiet_foreign_bars()
    for sig in STOP_SIGNALS:
        signal.signal(sig, on_stop_signal)
    try:
        code = run_command()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if not isinstance(done.code, (int, type(None))):
            click.echo(str(done.code), err=True)
    except Aborted as err:  # arrived after the command had finished
        code = aborted(err)
    exit_without_teardown(code)


def aborted(err: Aborted) -> int:
    with contextlib.suppress(OSError):
        os.write(2, f"lecture: aborted by {err.name}\n".encode())
    return 128 + err.signum


def run_command() -> int:
    try:
        cli.main(standalone_mode=False)
    except UserError as err:
        click.echo(f"lecture: error: {err}", err=True)
        return 2
    except click.exceptions.NoArgsIsHelpError as err:
        click.echo(err.format_message())
    except click.UsageError as err:
        click.echo(f"lecture: error: {err.format_message()}", err=True)
        return 2
    except click.Abort as err:  # click's name for Ctrl-C (and EOF at a prompt)
        if isinstance(err.__cause__, Aborted):
            return aborted(err.__cause__)
        click.echo("aborted", err=True)
        return 130
    except Aborted as err:
        return aborted(err)
    except RenderFailed as err:
        click.echo(f"lecture: error: {err}", err=True)
        return 1
    return 0


def exit_without_teardown(code: int) -> None:
    """Exit once Python's own exit handlers have run, skipping the interpreter's teardown: freeing
    torch's and manim's modules object by object took 1.1 s of a 5 s preview (measured), and the
    operating system frees the memory at once. Every file this tool writes is closed by then."""
    from lecture.manim_compat import run_exit_handlers

    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # a closed pipe (`lecture list | head -1`)
            pass
    os._exit(code)
