"""Render one scene in this process: `render_forked` in a process of `lecture.render`'s pool, or
`python -m lecture.render.worker JOB_JSON` on its own (a render in a fresh process, as the tests use it).

manim's `config` is one global, so every scene renders in a process of its own (but a preview's one still:
`lecture.render.pool.run_here` renders it in the CLI's process, once, which then exits). Frames go through
the project's renderer (`lecture.manim_compat.fast_renderer`: still parts drawn once, texts parsed
once, bounded memory), or, for `--plain`, through stock manim's. Each scene has its own
TeX folder and manim work folder, locked while it renders, so parallel renders never delete each
other's LaTeX files and two renders of the same scene take turns. The finished files are copied to
the output folder atomically; the sidecar goes last, so it only exists beside a complete clip.
"""
from __future__ import annotations

import contextlib
import ctypes
import fcntl
import importlib
import json
import logging
import os
import resource
import shutil
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Callable

# manim and PIL: this module runs only where a scene renders (a render process, or `preview` in the CLI).
from manim import tempconfig
from PIL import Image

from lecture import manim_compat
from lecture.manim_compat.beatsource import beat_sources
from lecture.output.faststart import faststart
from lecture.output.frames import save_poster, sheet
from lecture.output.publish import (publish, published_together, save_image_atomic, stop_publishing,
                                    unfinished_files_removed, write_text_atomic)
from lecture.render.errors import cause_in_words, log_places, write_first
from lecture.render.jobs import CODE_FOLDERS, GEOMETRY, ROOT, STILLS
from lecture.render.lifeline import on_end
from lecture.voice import audio
from lecture.voice.narrator import VoiceNarrator
from lecture.voice.voices import parse_voice
from scenes.catalog import current


# Where a render's time went, one line a step: written to a render process's log (`in_render_process` gives the logger
# its handler there); a render in the CLI's or a test's own process has none and writes nothing.
TIMES = logging.getLogger("lecture.times")
TIMES.propagate = False  # never through a root handler a library may have set up: once, in the log


def log_time(text: str) -> None:
    TIMES.info(text)


def count_frames(scene, fps: int, on_frames: Callable[[int], None]) -> None:
    """After every play (a wait is a play too), `on_frames(frames so far)`: the scene's time (the sum of
    the run times played) at `fps`, so nothing is counted per frame and the renderer is not touched."""
    play = scene.play

    def counted(*args, **kwargs) -> None:
        play(*args, **kwargs)
        on_frames(round(scene.time * fps))

    scene.play = counted


def render(job: dict, on_frames: Callable[[int], None] | None = None) -> dict:
    """Render the job; with the beat cache, again without it if a skipped beat did not end as drawn."""
    try:
        return render_once(job, on_frames)
    except Exception as err:  # noqa: BLE001 - only the beat cache's own doubt is retried
        if type(err).__name__ != "Diverged":
            raise
        print(f"beat cache: {err}; rendering every beat")
        return render_once({**job, "beats": False}, on_frames)


def render_once(job: dict, on_frames: Callable[[int], None] | None = None) -> dict:
    """Draw the job's scene in this process and publish its files: {"files": [...]}, the sidecar last."""
    os.environ["LECTURE_PARAMS"] = job["params"]
    os.environ["LECTURE_PATH"] = job.get("lecture_path", "")  # the lecture folders the command found (scenes/catalog)
    info = current().by_id[job["scene"]]
    scene_class = getattr(importlib.import_module(info.module), info.cls)
    scene_class.script = dict(job.get("script", {}))
    scene_class.narrator = narrator_for(job)
    work = Path(job["cache_dir"]).resolve() / job["scene"]
    work.mkdir(parents=True, exist_ok=True)
    # Slide videos are named by the order of the animations, not their content: a folder per
    # quality and voicing, so the decks of a 480p and a tiny, or a silent and a narrated render stay apart.
    slides_folder = work / "slides" / (job["quality"] + ("-narrated" if scene_class.narrator else ""))
    # The working folder is the cache: manim writes a still's captions into it, not where the user stands.
    settings = manim_settings(job, work)
    with contextlib.chdir(work.parent), open(work / ".lock", "w") as lock, tempconfig(settings):
        fcntl.flock(lock, fcntl.LOCK_EX)
        text_caches = [settings["tex_dir"], settings["text_dir"]]
        drawing = time.perf_counter()
        scene, beats, recorder = draw(job, info.file, scene_class, work, text_caches, slides_folder, on_frames)
        publishing = time.perf_counter()
        log_time(f"drawn in {publishing - drawing:.2f} s")
        try:
            return publish_render(job, scene, beats, recorder, Path(job["out_dir"]).resolve(), slides_folder)
        finally:
            log_time(f"spliced, muxed and published in {time.perf_counter() - publishing:.2f} s")


def latex_cache(job: dict) -> Path:
    """The folder LaTeX's SVGs are shared through (`manim_compat.latexcache`): the render's cache folder's
    `_latex` (no scene id starts with "_"), or LECTURE_LATEX_CACHE's, which shares them between cache folders."""
    return Path(os.environ.get("LECTURE_LATEX_CACHE") or Path(job["cache_dir"]).resolve() / "_latex")


def manim_settings(job: dict, work: Path) -> dict[str, Any]:
    """manim's configuration for this render: its own folders under `work`, the job's size, rate and format."""
    still = job["format"] in STILLS
    return {
        "media_dir": str(work / "media"),
        "tex_dir": str(work / "Tex"),
        # manim lays Text out with Pango in a box as wide as the video in pixels (long lines wrap in a
        # narrow one) but leaves the width out of its cache key: one text cache per width.
        "text_dir": str(work / "media" / f"texts-{job['width']}px"),
        "pixel_width": job["width"],
        "pixel_height": job["height"],
        "frame_rate": job["fps"],
        "format": "png" if job["format"] in ("png", *STILLS) else job["format"],
        "transparent": job["transparent"],
        "output_file": job["scene"],
        "write_to_movie": not still,
        "save_last_frame": still,
        "progress_bar": "none",
        "verbosity": "WARNING",
        "notify_outdated_version": False,
        # manim's per-animation cache hashes every play() (about a quarter of a render, measured);
        # the CLI's own cache already skips unchanged scenes whole.
        "disable_caching": True,
    }


def draw(job: dict, module: Path, scene_class: type, work: Path, text_caches: list[str], slides_folder: Path,
         on_frames: Callable[[int], None] | None) -> tuple[Any, Any, Any]:
    """Run the scene under the current manim config: (the scene, its beat cache or None, its geometry
    recorder or None)."""
    # --plain: stock manim's renderer and file writer, nothing of lecture/manim_compat installed.
    renderer = None if job.get("plain") else manim_compat.fast_renderer(text_caches, job.get("encoder_threads", 0),
                                                                           latex_cache(job))
    # A recorded render (`lecture check`) draws every beat: a beat taken from the cache records nothing.
    use_beats = job.get("beats") and not job.get("record") and renderer is not None and job["format"] == "mp4"
    beats = beat_cache(job, module, work) if use_beats else None
    # The media folder holds the text caches of every width, not only this render's.
    with unfinished_files_removed([work / "Tex", work / "media"], work / ".rendering"):
        scene = scene_class(renderer=renderer, output_folder=slides_folder)
        if on_frames is not None:
            count_frames(scene, job["fps"], on_frames)
        if beats is not None:
            beats.install(scene)
        recorder = recorder_for(job, scene)
        if job["format"] == "storyboard":
            scene.pictures = beat_end_pictures(scene)
        scene.render()
    return scene, beats, recorder


def beat_end_pictures(scene) -> list[tuple[str, Image.Image]]:
    """A storyboard's pictures, kept as the render goes (it skips every play, as a still does): at each beat's
    end, the beat's name and the frame as it stands. Rendering the clip to take its frames cost 78 s of CPU for
    mlp-backward at 480p with a new --layers; the beats with their plays skipped, 22 s (docs/speed.md)."""
    kept: list[tuple[str, Image.Image]] = []
    end_beat = scene.end_beat

    def ended() -> None:
        end_beat()
        kept.append((scene.sections[-1]["name"], scene.renderer.picture(scene)))

    scene.end_beat = ended  # the instance's, over LectureScene's: what @beat calls
    return kept


def publish_render(job: dict, scene, beats, recorder, out: Path, slides_folder: Path) -> dict:
    """Publish what the render wrote: the clip (or frames, or a still), its captions, poster and slides,
    then the sidecar naming them."""
    writer = scene.renderer.file_writer
    stem = out / job["scene"]
    if job["format"] == "still":
        return {"files": [str(publish(Path(writer.image_file_path), stem.with_suffix(".png")))]}
    if job["format"] == "storyboard":  # the sheet, then each beat's end picture in beat order (`preview --section`)
        names, kept = zip(*scene.pictures)
        board = sheet(list(kept), list(names), stem.with_name(f"{job['scene']}-storyboard.png"))
        ends: dict[str, Image.Image] = {}
        for name, picture in scene.pictures:
            ends.setdefault(name, picture)  # a beat run more than once: its first end, as a section's first match
        pictures = [save_image_atomic(picture.convert("RGB"), stem.with_name(f"{job['scene']}-{name}.png"))
                    for name, picture in ends.items()]
        return {"files": [str(board), *map(str, pictures)]}
    track = None
    if job["format"] == "png":  # a PNG sequence, e.g. for LaTeX's animate package
        files = [publish_frames(Path(writer.image_file_path).parent, out, job["scene"])]
    else:
        files, track = publish_movie(job, scene, beats, stem)
    began = time.perf_counter()
    slides = slides_folder / f"{type(scene).__name__}.json"
    if slides.exists():  # manim-slides' config of this render, for `lecture slides`
        if beats is not None:
            beats.complete_slides(slides, scene.sections)
        slides = narrated_slides(slides, scene.sections, track) if track is not None else slides_index_first(slides)
        files.append(publish(slides, out / f"{job['scene']}.slides.json"))
        log_time(f"slides in {time.perf_counter() - began:.2f} s")
    if recorder is not None:
        files.append(recorder.save(out / f"{job['scene']}{GEOMETRY}"))
    sidecar = scene.sidecar() | {"cache_key": job["cache_key"], "quality": job["quality"], "plain": bool(job.get("plain")),
                                 "files": [f.name for f in files]}
    if beats is not None:
        sidecar["beats"] = beats.beats  # each beat's key, and whether this render drew it
        sidecar["beat_base"] = beats.base  # what the keys were built on: a studio draft restores a kept state only when it is the same
        sidecar["beat_sources"] = beat_sources(Path(current().by_id[job["scene"]].file))  # which beat a later save changed
    files.append(write_text_atomic(stem.with_suffix(".json"), json.dumps(sidecar, indent=2, default=float)))
    return {"files": [str(f) for f in files]}


def publish_movie(job: dict, scene, beats, stem: Path) -> tuple[list[Path], Any]:
    """The clip (with the narration's sound when spoken), its .srt and its poster: (files, sound track or None)."""
    movie = Path(scene.renderer.file_writer.movie_file_path)
    if not movie.exists():  # manim names a GIF .gif but reports .mp4
        movie = movie.with_suffix(f".{job['format']}")
    last_frame = scene.renderer.camera.get_image()
    began = time.perf_counter()
    if beats is not None:  # the skipped beats' frames from their segments
        poster = beats.splice(scene, movie)
        log_time(f"spliced in {time.perf_counter() - began:.2f} s")
        began = time.perf_counter()
        if poster is not None and beats.beats[-1]["skipped"]:
            last_frame = Image.open(poster)
    track = narration_track(scene) if scene.spoken else None
    # The index first for a browser: the narrated clip is muxed so; manim's silent one is muxed again.
    files = [publish(faststart(movie) if track is None else with_sound(movie, track), stem.with_suffix(movie.suffix))]
    if movie.with_suffix(".srt").exists():
        files.append(publish(movie.with_suffix(".srt"), stem.with_suffix(".srt")))
    files.append(save_poster(last_frame, stem.with_suffix(".png"), job["transparent"]))
    log_time(f"clip published in {time.perf_counter() - began:.2f} s")
    return files, track


def publish_frames(frames_dir: Path, out: Path, scene_id: str) -> Path:
    """The PNG sequence as OUT/<scene>_frames, renamed into place whole."""
    target = out / f"{scene_id}_frames"
    tmp = out / f".{scene_id}_frames.part"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(frames_dir, tmp)
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    return target


def recorder_for(job: dict, scene):
    """With `record` (`lecture check`), the geometry recorder hooked into this render (not into stills or --plain)."""
    if not job.get("record") or job["format"] in STILLS or job.get("plain"):
        return None
    from lecture.manim_compat import record  # only a checked render pays for the recorder's import

    return record.install(scene)


def beat_cache(job: dict, module: Path, work: Path):
    """The beat cache of an incremental render (`Job.beats`): segments kept per quality in the scene's work folder."""
    return manim_compat.beat_cache(work / "beats" / job["quality"], job, module, ROOT, beat_folders(job["scene"]))


def beat_folders(scene: str) -> tuple[str, ...]:
    """The source folders a beat key hashes: the tool's code folders and, for a lecture kept outside the tool,
    its own folder (its modules and helpers change its frames as the tool's do)."""
    lecture = current().lecture_of.get(scene)
    outside = lecture is not None and lecture.folder is not None and not lecture.built_in
    return (*CODE_FOLDERS, str(lecture.folder.resolve())) if outside else CODE_FOLDERS


def narrator_for(job: dict) -> VoiceNarrator | None:
    """The scene's narrator for a voiced render (None: silent), its speech cached beside the scenes'."""
    if job.get("voice", "none") == "none":
        return None
    return VoiceNarrator(parse_voice(job["voice"]), Path(job["cache_dir"]).resolve() / "speech")


def narration_track(scene):
    """The clip's sound: each beat's speech where the beat starts, at broadcast loudness."""
    return audio.normalised(audio.mix([(start, s.audio) for start, s in scene.spoken], scene.now))


def with_sound(video: Path, track) -> Path:
    """The silent video's packets with `track` beside them: the picture is not encoded twice."""
    return audio.with_audio(video, track, video.with_name(f"{video.stem}.narrated{video.suffix}"))


def slides_index_first(config: Path) -> Path:
    """manim-slides' silent slide videos with their index first, as the clips (a deck may be served too)."""
    for slide in json.loads(config.read_text())["slides"]:
        for key in ("file", "rev_file"):
            if slide.get(key) and Path(slide[key]).exists():
                faststart(Path(slide[key]))
    return config


def narrated_slides(config: Path, sections: list[dict], track) -> Path:
    """manim-slides' config with each slide's video carrying the speech of its beat (a slide is a beat)."""
    data = json.loads(config.read_text())
    slides = data["slides"]
    if len(slides) != len(sections):
        raise RuntimeError(f"{len(slides)} slides for {len(sections)} beats: cannot give each slide its speech")
    for slide, section in zip(slides, sections):
        piece = track[round(section["start"] * audio.RATE):round(section["end"] * audio.RATE)]
        narrated: dict[str, str] = {}  # a slide not reversed (`skip_reversing`) has one video as both: muxed once
        for key in ("file", "rev_file"):
            if slide[key] not in narrated:
                narrated[slide[key]] = str(with_sound(Path(slide[key]), piece))
            slide[key] = narrated[slide[key]]
    target = config.with_name(f"{config.stem}.narrated.json")
    target.write_text(json.dumps(data, indent=2))
    return target


def render_forked(job: dict, log: str, caller: int | None = None,
                  on_frames: Callable[[int], None] | None = None) -> dict:
    """Entry point in a render process forked from `lecture.render`'s server: the clip, its sidecar, captions
    and poster appear together (`in_render_process` says the rest). `on_frames` hears the frames drawn so far after every play."""
    def clip() -> list[str]:
        with published_together(Path(job["out_dir"])):
            return render(job, on_frames)["files"]
    return in_render_process(clip, log, caller)


def in_render_process(work: Callable[[], list[str]], log: str, caller: int | None,
                      in_words: Callable[[BaseException], str] = cause_in_words) -> dict:
    """`work()` in a render process, its output (manim's, LaTeX's, the time lines and a traceback) into `log`.
    Returns {"files": what it returned} or {"error": the cause in words, "detail": the traceback} (also
    returned, as the log may be on the disk that is full).

    The process stops, publishing nothing more, on SIGTERM, SIGHUP or SIGINT, when `caller` (the
    `lecture` process that asked for the render) ends, or when the fork server does (PR_SET_PDEATHSIG)."""
    stop_with(caller)
    try:
        log_to(log)
        TIMES.addHandler(logging.StreamHandler(sys.stdout))
        TIMES.setLevel(logging.INFO)
        return {"files": work()}
    except BaseException as err:  # noqa: BLE001 - reported in one line, the traceback in the log
        detail = traceback.format_exc()
        with contextlib.suppress(OSError):
            sys.stderr.write(detail)
        return {"error": in_words(err), "detail": detail}
    finally:
        with contextlib.suppress(OSError):  # a full disk must not turn the report into a second traceback
            print(f"peak memory: {peak_memory_mb():.0f} MB")  # the benchmark reads it (scripts/bench/results.py)
            print(f"cpu: {cpu_seconds():.2f} s")  # user + system, this process's threads and its children (LaTeX)
            sys.stdout.flush()
            sys.stderr.flush()


def log_to(log: str) -> None:
    """Standard output and error into `log`; if it cannot be written, the render still runs and fails
    on its own account (the parent reports why), its output then in the system's temporary folder."""
    def redirect(path: Path) -> None:
        with open(path, "w") as sink:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)

    write_first(log_places(Path(log), f"{Path(log).parent.name}-render.log"), redirect)


STOP_SIGNALS = ("SIGTERM", "SIGHUP", "SIGINT")
PR_SET_PDEATHSIG = 1


def stop_with(caller: int | None) -> None:
    """Process set-up of a render process: it stops (`stop_now`) on a stop signal, when `caller` ends,
    or when its parent (the fork server) does. Threads wait for each, so a stop takes effect even while
    the main thread is inside a long call into cairo or the encoder."""
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    for name in STOP_SIGNALS:
        signal.signal(getattr(signal, name), lambda signum, frame: None)  # the wakeup fd carries the signal
    signal.set_wakeup_fd(wake_write, warn_on_full_buffer=False)
    threading.Thread(target=watch_signals, args=(wake_read,), name="signal-watch", daemon=True).start()
    die_with_parent()
    on_end(os.getppid(), lecture_ended, "parent-watch")
    if caller is not None:
        on_end(caller, lecture_ended, "caller-watch")


def lecture_ended() -> None:
    stop_now("the lecture command ended", 1)


def die_with_parent() -> None:
    """SIGTERM when the parent (the fork server, which ends when `lecture` does) dies: PR_SET_PDEATHSIG."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent-watch thread sees it end
        pass


def watch_signals(wake_read: int) -> None:
    """Stop at the first stop signal (its number arrives on the wakeup pipe)."""
    signum = os.read(wake_read, 1)[0]
    stop_now(f"stopped by {signal.Signals(signum).name}", 128 + signum)


def stop_now(reason: str, code: int) -> None:
    """Publish nothing more, remove this render's temporary files, stop its child processes (LaTeX,
    dvisvgm), note why in the log, and exit at once."""
    stop_publishing()
    for child in child_processes():
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.write(2, f"\nrender {reason}\n".encode())
    os._exit(code)


def child_processes() -> list[int]:
    pids = []
    for children in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
        with contextlib.suppress(OSError, ValueError):
            pids += [int(p) for p in children.read_text().split()]
    return pids


def cpu_seconds() -> float:
    """CPU seconds of this process (all its threads, x264's too) and of the children it waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_memory_mb() -> float:
    """This process's largest resident size so far (Linux reports kB), with what it shares with the fork server."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def main() -> None:
    job = json.loads(sys.argv[1])
    result = render(job)
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
