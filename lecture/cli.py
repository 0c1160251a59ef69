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

from lecture import UserError
from lecture.files import check_writable_dir
from lecture.options import FORMATS, QUALITIES, build_params, check_params, read_config, resolve_scenes
from scenes.catalog import BY_ID, LECTURE, SCENES

DEFAULT_OUT = Path("media")
LECTURE_TITLE = "Feedforward Neural Networks and Backpropagation, Part 1"
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def content_options(command):
    """The options that change what the clips show (shared by render, preview and watch)."""
    options = [
        click.option("--function", help='Formula in x, y for the field and descent scenes, e.g. "x**2 + 3*y**2".'),
        click.option("--range", "range_", metavar="MIN,MAX", help="Axis range for x and y, e.g. -2,2 (default -3,3)."),
        click.option("--start", metavar="X,Y", help="Start point of descent, e.g. -2.5,2."),
        click.option("--lr", type=str, help="Learning rate of descent (> 0), e.g. 0.1."),
        click.option("--steps", type=str, help="Descent steps to draw (1 to 200)."),
        click.option("--optimizer", help="sgd|momentum|nesterov|adagrad|rmsprop|adam; several, comma-separated, race in `optimizers`."),
        click.option("--expr", help='Formula whose autograd graph the graph scenes show, e.g. "(y - tanh(w*x + b))**2".'),
        click.option("--values", help="Inputs of --expr, e.g. w=-0.5,b=0.5,x=1,y=7."),
        click.option("--learnable", help="Inputs with requires_grad, e.g. w,b (default: all of --values)."),
        click.option("--theme", help="dark (default) or light (white background, for slide decks)."),
        click.option("--config", "config_path", type=click.Path(path_type=Path), help="A lecture.toml with these options (default ./lecture.toml); command-line options win."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def voice_options(default: str):
    """--voice and --script, on every command that renders clips (`default`: who speaks unless told)."""
    def add(command):
        command = click.option("--script", "script_path", type=click.Path(path_type=Path),
                               help="A narration script (from `lecture script`) whose texts replace the beats' own.")(command)
        return click.option("--voice", default=default, show_default=True,
                            help="none, joe (the bundled neural voice), a piper model .onnx, or a folder of recordings "
                                 "DIR/<scene>/<beat>.wav (DIR,joe: joe speaks the beats not recorded).")(command)
    return add


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


def params_from(kwargs: dict[str, Any]):
    cli = {k: kwargs.get(k) for k in ("function", "start", "lr", "steps", "optimizer", "expr", "values", "learnable", "theme")}
    cli["range"] = kwargs.get("range_")
    config = read_config(kwargs.get("config_path"))
    return build_params(cli, config), config


@click.group(context_settings=CONTEXT)
def cli() -> None:
    """Render the lecture "Feedforward Neural Networks and Backpropagation, Part 1" as animated clips.

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
    """List the scenes: id, title, sections and approximate duration."""
    rows = [("id", "title", "sections", "duration")]
    for info in SCENES:
        sections, duration = last_render_summary(info.id)
        flag = "" if info.id in LECTURE else " (extra)"
        rows.append((info.id, info.title + flag, sections, duration))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def last_render_summary(scene_id: str) -> tuple[str, str]:
    """Sections and duration from the newest sidecar of this scene under media/, if any."""
    sidecars = sorted(DEFAULT_OUT.glob(f"*/{scene_id}.json"), key=lambda p: p.stat().st_mtime)
    if not sidecars:
        return "-", "not rendered yet"
    data = json.loads(sidecars[-1].read_text())
    return ", ".join(s["name"] for s in data.get("sections", [])), f"~{data.get('duration_s', 0):.0f} s"


@cli.command()
@click.argument("scenes", nargs=-1)
@click.option("-q", "--quality", default="l", show_default=True, type=click.Choice(list(QUALITIES)),
              help="l=480p15, m=720p30, h=1080p60, k=2160p60 (t=192x108 at 5 fps, for tests).")
@click.option("--format", "fmt", default="mp4", show_default=True, type=click.Choice(FORMATS),
              help="mp4 (H.264, plays in PowerPoint/Keynote), webm, gif, mov, or png (a frame sequence).")
@click.option("--transparent", is_flag=True, help="Transparent background (mov with alpha, or webm/png).")
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True, help="Output folder.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=os.cpu_count() or 1, show_default=True, help="Scenes rendered in parallel processes.")
@click.option("--concat", is_flag=True, help="Also join the clips into lecture.mp4 with a chapter per scene.")
@click.option("--force", is_flag=True, help="Render even when an up-to-date clip exists.")
@click.option("--plain", is_flag=True, help="Render with stock manim (no faster renderer, text cache or encoder changes), "
              "to check the frames or on another manim version.")
@voice_options("none")
@content_options
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
        click.echo(f"joined {len(outcomes)} clips with chapters: {join_lecture(outcomes, out_dir.parent if out_dir.name == 'narrated' else out_dir, fmt)}")
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

    ids = resolve_scenes(scenes)
    params, _ = params_from(kwargs)
    out = check_writable_dir(out).resolve()
    narration = narration_from(kwargs, ids, fmt, out)
    q = QUALITIES[quality]
    out_dir = narration.out_dir(out / q.folder)
    job_list = [Job(i, q, fmt, transparent, params, out_dir, **narration.job_fields(i), plain=plain) for i in ids]
    check_if_rendering(job_list, params, ids, force)
    return render_jobs(job_list, out / ".cache", jobs, use_cache=not force, report=print_progress), out_dir


def join_lecture(outcomes: list, folder: Path, fmt: str, captions: bool = False) -> Path:
    """The clips joined into FOLDER/lecture.<fmt>, a chapter per scene; with `captions`, a subtitle
    track (mp4 and mov) and lecture.srt and lecture.vtt beside it."""
    from lecture.captions import srt_text, vtt_text
    from lecture.concat import concat_clips
    from lecture.files import write_text_atomic

    clips = [(BY_ID[o.job.scene].title, Path(next(f for f in o.files if f.endswith(f".{fmt}")))) for o in outcomes]
    joined, cues = concat_clips(clips, folder / f"lecture.{fmt}", subtitles=captions and fmt in ("mp4", "mov"))
    if captions:
        write_text_atomic(folder / "lecture.srt", srt_text(cues))
        write_text_atomic(folder / "lecture.vtt", vtt_text(cues))
    return joined


@cli.command()
@click.option("-q", "--quality", default="l", show_default=True, type=click.Choice(list(QUALITIES)),
              help="l=480p15, m=720p30, h=1080p60, k=2160p60 (t=192x108 at 5 fps, for tests).")
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True, help="Output folder.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=os.cpu_count() or 1, show_default=True, help="Scenes rendered in parallel processes.")
@click.option("--force", is_flag=True, help="Render even when an up-to-date clip exists.")
@voice_options("joe")
@content_options
def video(quality, out, jobs, force, **kwargs) -> None:
    """The whole lecture, narrated, as OUT/<quality>/lecture.mp4: H.264 and AAC, a chapter per scene,
    a subtitle track of the narration, and lecture.srt and lecture.vtt beside it."""
    outcomes, out_dir = render_clips(("all",), quality, "mp4", False, out, jobs, force, kwargs)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise RenderFailed("; ".join(f"{o.job.scene} failed: {o.error}" for o in failed))
    folder = check_writable_dir(out).resolve() / QUALITIES[quality].folder
    joined = join_lecture(outcomes, folder, "mp4", captions=True)
    click.echo(f"wrote {joined} ({len(outcomes)} chapters, subtitles), {folder / 'lecture.srt'}, {folder / 'lecture.vtt'}")


@cli.command()
@click.argument("scenes", nargs=-1)
@click.option("--out", "target", type=click.Path(path_type=Path), help="Write the Markdown here instead of printing it.")
@click.option("--media", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="Where the rendered clips are (for each beat's duration and its text with the numbers filled in).")
def script(scenes, target, media) -> None:
    """The narration script of SCENES (or all), beat by beat, as Markdown: to read from while
    recording, and to edit and pass back with `--script FILE`."""
    from lecture.files import write_text_atomic
    from lecture.script import scene_script, to_markdown

    ids = resolve_scenes(scenes)
    text = to_markdown(LECTURE_TITLE, [scene_script(i) for i in ids], media)
    if target is None:
        click.echo(text)
    else:
        click.echo(f"wrote {write_text_atomic(target, text)}")


def check_if_rendering(jobs: list, params, ids: list[str], force: bool) -> None:
    """Check the options (loading torch) only if a scene will render: an up-to-date clip was rendered
    with these very options, so they passed then. The render server starts first, importing manim and
    torch in its own process at the same time."""
    from lecture.render import start_render_server, up_to_date

    if force or any(up_to_date(job) is None for job in jobs):
        start_render_server()
        check_params(params, ids)


def print_progress(event: str, outcome) -> None:
    scene = outcome.job.scene
    if event == "start":
        click.echo(f"  rendering {scene} ...")
    elif outcome.cached:
        click.echo(f"  {scene}: up to date")
    elif outcome.ok:
        click.echo(f"  {scene}: done in {outcome.seconds:.1f} s")
    else:
        click.echo(f"  {scene}: FAILED after {outcome.seconds:.1f} s")


@cli.command()
@click.argument("scene")
@click.option("--section", help="Show the end of this section (a beat name from `lecture list`) instead of the last frame.")
@click.option("--storyboard", is_flag=True, help="One PNG grid of every section's end frame.")
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True, help="Output folder.")
@content_options
def preview(scene, section, storyboard, out, **kwargs) -> None:
    """Write a 480p PNG of SCENE's last frame (or of a section's end) and print its path."""
    click.echo(str(make_preview(scene, section, storyboard, out, kwargs, in_this_process=True)))


def make_preview(scene: str, section: str | None, storyboard: bool, out: Path, kwargs: dict,
                 in_this_process: bool = False) -> Path:
    """A still renders in this process when asked (`preview`: no second start-up of manim and torch);
    `watch` renders in a fresh process each time, so edited scene code is what it shows."""
    from lecture.frames import frames_at, storyboard as make_storyboard
    from lecture.render import Job, render_jobs, run_here

    (scene_id,) = resolve_scenes((scene,))
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
@click.option("--section", help="Preview the end of this section.")
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True)
@click.option("--interval", type=float, default=0.5, show_default=True, help="Seconds between checks for changes.")
@content_options
def watch(scene, section, out, interval, **kwargs) -> None:
    """Re-render SCENE's preview whenever a file under scenes/ or engine/ changes (Ctrl-C stops)."""
    from lecture.render import ROOT

    check_params(params_from(kwargs)[0], resolve_scenes((scene,)))  # fail fast on bad options
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
@click.argument("scenes", nargs=-1)
@click.option("--to", "to", type=click.Choice(["html", "pptx", "pdf"]), default="html", show_default=True,
              help="html: reveal.js deck that works offline; pptx: one slide per pause with its video; pdf: one still per pause.")
@click.option("-q", "--quality", default="l", show_default=True, type=click.Choice(list(QUALITIES)), help="Quality of the clips in the deck.")
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True, help="Output folder; the deck goes to OUT/slides/.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=os.cpu_count() or 1, show_default=True)
@voice_options("none")
@content_options
def slides(scenes, to, quality, out, jobs, **kwargs) -> None:
    """Make one deck of SCENES (or all): a slide per pause, arrow keys or a clicker to advance."""
    from lecture.slides import export_deck

    params, configs = rendered_slides(scenes, quality, out, jobs, kwargs)
    deck = export_deck(configs, to, check_writable_dir(out).resolve() / "slides" / f"lecture.{to}", params.theme,
                       LECTURE_TITLE)
    click.echo(f"wrote {deck}")
    if to == "html":
        click.echo(f"wrote {deck.parent / 'lecture_assets'} (keep it beside the HTML)")


@cli.command()
@click.argument("scenes", nargs=-1)
@click.option("-q", "--quality", default="h", show_default=True, type=click.Choice(list(QUALITIES)), help="Quality of the clips shown.")
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True, help="Output folder.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=os.cpu_count() or 1, show_default=True)
@click.option("--fullscreen", is_flag=True, help="Start full screen.")
@voice_options("none")
@content_options
def present(scenes, quality, out, jobs, fullscreen, **kwargs) -> None:
    """Present SCENES (or all) in manim-slides' window: right arrow or a clicker for the next pause."""
    from lecture.slides import check_presenter

    check_presenter()
    _, configs = rendered_slides(scenes, quality, out, jobs, kwargs)
    command = [sys.executable, "-m", "manim_slides", "present", "--folder", str(configs[0].parent),
               *(["--full-screen"] if fullscreen else []), *(c.name.removesuffix(".json") for c in configs)]
    sys.exit(subprocess.call(command))


def rendered_slides(scenes: tuple[str, ...], quality: str, out: Path, jobs: int, kwargs: dict) -> tuple[Any, list[Path]]:
    """Render SCENES (cached clips are reused) and return the params and each scene's manim-slides config."""
    outcomes, out_dir = render_clips(scenes, quality, "mp4", False, out, jobs, False, kwargs)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise RenderFailed("; ".join(f"{o.job.scene} failed: {o.error}" for o in failed))
    return params_from(kwargs)[0], [out_dir / f"{o.job.scene}.slides.json" for o in outcomes]


@cli.command()
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True, help="Media folder to check.")
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
