"""Render one scene in this process: `render_forked` in a process of `lecture.render`'s pool, or
`python -m lecture.render.worker JOB_JSON` on its own (a render in a fresh process, as the tests use it).

manim's `config` is one global, so every scene renders in a process of its own. Frames go through
the project's renderer (`lecture.manim_compat.fast_renderer`: still parts drawn once, texts parsed
once, bounded memory), or, for `--plain`, through stock manim's. Each scene has its own
TeX folder and manim work folder, locked while it renders, so parallel renders never delete each
other's LaTeX files and two renders of the same scene take turns. The finished files are copied to
the output folder atomically; the sidecar goes last, so it only exists beside a complete clip.
"""
from __future__ import annotations

import contextlib
import fcntl
import importlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Callable


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
    os.environ["LECTURE_PARAMS"] = job["params"]
    os.environ["LECTURE_PATH"] = job.get("lecture_path", "")  # the lecture folders the command found (scenes/catalog.py)
    from manim import config, tempconfig

    from lecture import manim_compat
    from lecture.output.publish import publish, unfinished_files_removed, write_text_atomic
    from lecture.output.frames import save_poster
    from scenes.catalog import current

    info = current().by_id[job["scene"]]
    scene_class = getattr(importlib.import_module(info.module), info.cls)
    scene_class.script = dict(job.get("script", {}))
    scene_class.narrator = narrator_for(job)
    work = Path(job["cache_dir"]).resolve() / job["scene"]
    work.mkdir(parents=True, exist_ok=True)
    out = Path(job["out_dir"]).resolve()
    still = job["format"] == "still"
    settings = {
        "media_dir": str(work / "media"),
        "tex_dir": str(work / "Tex"),
        # manim lays Text out with Pango in a box as wide as the video in pixels (long lines wrap in a
        # narrow one) but leaves the width out of its cache key: one text cache per width.
        "text_dir": str(work / "media" / f"texts-{job['width']}px"),
        "pixel_width": job["width"],
        "pixel_height": job["height"],
        "frame_rate": job["fps"],
        "format": "png" if job["format"] in ("png", "still") else job["format"],
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
    # Slide videos are named by the order of the animations, not their content: a folder per
    # quality and voicing, so the decks of a 480p and a tiny, or a silent and a narrated render stay apart.
    slides_folder = work / "slides" / (job["quality"] + ("-narrated" if scene_class.narrator else ""))
    # The working folder is the cache: manim writes a still's captions into it, not where the user stands.
    with contextlib.chdir(work.parent), open(work / ".lock", "w") as lock, tempconfig(settings):
        fcntl.flock(lock, fcntl.LOCK_EX)
        # --plain: stock manim's renderer and file writer, nothing of lecture/manim_compat installed.
        renderer = None if job.get("plain") else manim_compat.fast_renderer(
            [settings["tex_dir"], settings["text_dir"]], job.get("encoder_threads", 0))
        # The media folder holds the text caches of every width, not only this render's.
        beats = beat_cache(job, info.file, work) if job.get("beats") and renderer is not None and job["format"] == "mp4" else None
        with unfinished_files_removed([work / "Tex", work / "media"], work / ".rendering"):
            scene = scene_class(renderer=renderer, output_folder=slides_folder)
            if on_frames is not None:
                count_frames(scene, job["fps"], on_frames)
            if beats is not None:
                beats.install(scene)
            scene.render()
        writer = scene.renderer.file_writer
        stem = out / job["scene"]
        if still:
            return {"files": [str(publish(Path(writer.image_file_path), stem.with_suffix(".png")))]}
        files = []
        movie = Path(writer.movie_file_path) if job["format"] != "png" else None
        if movie is not None and not movie.exists():  # manim names a GIF .gif but reports .mp4
            movie = movie.with_suffix(f".{job['format']}")
        last_frame = scene.renderer.camera.get_image()
        if beats is not None and movie is not None:  # the skipped beats' frames from their segments
            from PIL import Image

            poster = beats.splice(scene, movie)
            if poster is not None and beats.beats[-1]["skipped"]:
                last_frame = Image.open(poster)
        track = narration_track(scene) if scene.spoken and movie is not None else None
        if movie is not None:
            files.append(publish(movie if track is None else with_sound(movie, track), stem.with_suffix(movie.suffix)))
            if movie.with_suffix(".srt").exists():
                files.append(publish(movie.with_suffix(".srt"), stem.with_suffix(".srt")))
            files.append(save_poster(last_frame, stem.with_suffix(".png"), job["transparent"]))
        else:  # a PNG sequence, e.g. for LaTeX's animate package
            frames_dir = Path(writer.image_file_path).parent
            target = out / f"{job['scene']}_frames"
            tmp = out / f".{job['scene']}_frames.part"
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.copytree(frames_dir, tmp)
            shutil.rmtree(target, ignore_errors=True)
            os.replace(tmp, target)
            files.append(target)
        slides = slides_folder / f"{scene_class.__name__}.json"
        if slides.exists():  # manim-slides' config of this render, for `lecture slides`
            if beats is not None:
                beats.complete_slides(slides, scene.sections)
            if track is not None:
                slides = narrated_slides(slides, scene.sections, track)
            files.append(publish(slides, out / f"{job['scene']}.slides.json"))
        sidecar = scene.sidecar() | {"cache_key": job["cache_key"], "quality": job["quality"], "plain": bool(job.get("plain")),
                                     "files": [f.name for f in files]}
        if beats is not None:
            sidecar["beats"] = beats.beats  # each beat's key, and whether this render drew it
        files.append(write_text_atomic(stem.with_suffix(".json"), json.dumps(sidecar, indent=2, default=float)))
        return {"files": [str(f) for f in files]}


def beat_cache(job: dict, module: Path, work: Path):
    """The beat cache of an incremental render (`Job.beats`): segments kept per quality in the scene's work
    folder. Only for the lectures inside the tool: a beat key hashes the tool's code folders, not a
    lecture folder elsewhere (such a scene renders whole)."""
    from lecture.manim_compat.beats import BeatCache, beat_base
    from lecture.render.jobs import CODE_FOLDERS, ROOT

    if not module.is_relative_to(ROOT):
        return None
    return BeatCache(work / "beats" / job["quality"], beat_base(job, module, ROOT, CODE_FOLDERS))


def narrator_for(job: dict):
    """The scene's narrator for a voiced render (None: silent), its speech cached beside the scenes'."""
    if job.get("voice", "none") == "none":
        return None
    from lecture.voice.narrator import VoiceNarrator
    from lecture.voice.voices import parse_voice

    return VoiceNarrator(parse_voice(job["voice"]), Path(job["cache_dir"]).resolve() / "speech")


def narration_track(scene):
    """The clip's sound: each beat's speech where the beat starts, at broadcast loudness."""
    from lecture.voice import audio

    return audio.normalised(audio.mix([(start, s.audio) for start, s in scene.spoken], scene.now))


def with_sound(video: Path, track) -> Path:
    """The silent video's packets with `track` beside them: the picture is not encoded twice."""
    from lecture.voice import audio

    return audio.with_audio(video, track, video.with_name(f"{video.stem}.narrated{video.suffix}"))


def narrated_slides(config: Path, sections: list[dict], track) -> Path:
    """manim-slides' config with each slide's video carrying the speech of its beat (a slide is a beat)."""
    from lecture.voice import audio

    data = json.loads(config.read_text())
    slides = data["slides"]
    if len(slides) != len(sections):
        raise RuntimeError(f"{len(slides)} slides for {len(sections)} beats: cannot give each slide its speech")
    for slide, section in zip(slides, sections):
        piece = track[round(section["start"] * audio.RATE):round(section["end"] * audio.RATE)]
        for key in ("file", "rev_file"):
            slide[key] = str(with_sound(Path(slide[key]), piece))
    target = config.with_name(f"{config.stem}.narrated.json")
    target.write_text(json.dumps(data, indent=2))
    return target


def render_forked(job: dict, log: str, caller: int | None = None,
                  on_frames: Callable[[int], None] | None = None) -> dict:
    """Entry point in a render process forked from `lecture.render`'s server: the render's output
    (manim's, LaTeX's and a traceback) goes to `log`. Returns {"files": [...]} when the clip, its
    sidecar, captions and poster are in place (they appear together), else {"error": the cause in
    words, "detail": the traceback} (also returned, as the log may be on the disk that is full).

    The process stops, publishing nothing more, on SIGTERM, SIGHUP or SIGINT, when `caller` (the
    `lecture` process that asked for the render) ends, or when the fork server does (PR_SET_PDEATHSIG).
    `on_frames` hears the frames drawn so far after every play."""
    import traceback

    from lecture.output.publish import published_together
    from lecture.render.errors import cause_in_words

    stop_with(caller)
    try:
        log_to(log)
        with published_together(Path(job["out_dir"])):
            files = render(job, on_frames)["files"]
        return {"files": files}
    except BaseException as err:  # noqa: BLE001 - reported in one line, the traceback in the log
        detail = traceback.format_exc()
        with contextlib.suppress(OSError):
            sys.stderr.write(detail)
        return {"error": cause_in_words(err), "detail": detail}
    finally:
        with contextlib.suppress(OSError):  # a full disk must not turn the report into a second traceback
            print(f"peak memory: {peak_memory_mb():.0f} MB")  # the benchmark reads it (scripts/bench/results.py)
            sys.stdout.flush()
            sys.stderr.flush()


def log_to(log: str) -> None:
    """Standard output and error into `log`; if it cannot be written, the render still runs and fails
    on its own account (the parent reports why), its output then in the system's temporary folder."""
    import tempfile

    for path in (Path(log), Path(tempfile.gettempdir()) / "lecture" / f"{Path(log).parent.name}-render.log"):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w") as sink:
                os.dup2(sink.fileno(), 1)
                os.dup2(sink.fileno(), 2)
            return
        except OSError:
            continue


STOP_SIGNALS = ("SIGTERM", "SIGHUP", "SIGINT")
PR_SET_PDEATHSIG = 1


def stop_with(caller: int | None) -> None:
    """Process set-up of a render process: it stops (`stop_now`) on a stop signal, when `caller` ends,
    or when its parent (the fork server) does. A thread waits for all three at once, so a stop takes
    effect even while the main thread is inside a long call into cairo or the encoder."""
    import signal
    import threading

    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    for name in STOP_SIGNALS:
        signal.signal(getattr(signal, name), lambda signum, frame: None)  # the wakeup fd carries the signal
    signal.set_wakeup_fd(wake_write, warn_on_full_buffer=False)
    die_with_parent()
    caller_fd = None
    if caller is not None:
        try:
            caller_fd = os.pidfd_open(caller)
        except ProcessLookupError:
            stop_now("the lecture command ended", 1)
        except (AttributeError, OSError):  # no pidfds (before Linux 5.3): polled below
            caller_fd = None
    threading.Thread(target=watch_for_stop, args=(wake_read, caller_fd, caller, os.getppid()),
                     name="stop-watch", daemon=True).start()


def die_with_parent() -> None:
    """SIGTERM when the parent (the fork server, which ends when `lecture` does) dies: PR_SET_PDEATHSIG."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the watch thread polls the parent instead
        pass


def watch_for_stop(wake_read: int, caller_fd: int | None, caller: int | None, parent: int) -> None:
    import select
    import signal

    watched = [wake_read] + ([caller_fd] if caller_fd is not None else [])
    while True:
        ready, _, _ = select.select(watched, [], [], 0.25)
        if wake_read in ready:
            signum = os.read(wake_read, 1)[0]
            stop_now(f"stopped by {signal.Signals(signum).name}", 128 + signum)
        if caller_fd in ready or os.getppid() != parent or (caller_fd is None and caller and not alive(caller)):
            stop_now("the lecture command ended", 1)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_now(reason: str, code: int) -> None:
    """Publish nothing more, remove this render's temporary files, stop its child processes (LaTeX,
    dvisvgm), note why in the log, and exit at once."""
    import signal

    from lecture.output.publish import stop_publishing

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


def peak_memory_mb() -> float:
    """This process's largest resident size so far (Linux reports kB), with what it shares with the fork server."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def main() -> None:
    job = json.loads(sys.argv[1])
    result = render(job)
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
