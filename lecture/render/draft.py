"""A draft of one beat: after a narration save, the studio renders the saved beat alone, small, with its new
speech, so the lecturer hears and sees its timing before the full clip is there (issue 29).

The beat starts from the state the beat before it left, kept by the studio's last render of the clip
(`lecture/manim_compat/beatstate.py`, found through the clip's sidecar: its beats' keys and the beat key
base they were made with). No earlier beat's body runs, no later beat runs at all (the scene ends at the
beat's end). The picture is 256x144 at the clip's own frame rate, so the beat lasts what it will last in the
clip; texts are laid out at the clip's size (Pango wraps a text in a box as wide as the video), read from the
clip's own text and LaTeX caches (linked into the draft's folder: `linked_caches`), so the draft's words break as
the clip's do.

The beat before it starts and ends as in the clip's incremental render (its state put back in place of its
body, its end held for its speech and the pause), so the drafted beat starts when it starts in the clip.

A draft is never a clip: it is written into `<media>/drafts/<the clip's folder>/<scene>.<beat>.mp4` (and a
`.json` saying where in the clip the beat starts), never beside a clip, never in a sidecar, a deck or a
lecture; each save's draft replaces the one before.

No draft (`NoDraft`, the page waits for the clip as before) when: the clip was never rendered with the beat
cache (a first render still running), its code changed since (another beat key
base), the beat before kept no state (a scene `beatstate` cannot keep: a lambda updater, a moving camera), or
the kept state does not load or gives another picture. The first beat needs no kept state: it starts
from `setup`, as in the clip.
"""
from __future__ import annotations

import contextlib
import fcntl
import importlib
import json
import os
import time
from pathlib import Path
from typing import Any, Callable

from manim import tempconfig

from lecture import manim_compat
from lecture.manim_compat import NoDraft
from lecture.output.publish import publish, published_together, write_text_atomic
from lecture.render import worker
from lecture.render.errors import cause_in_words
from lecture.render.jobs import ROOT, draft_files
from lecture.voice import audio
from scenes.catalog import current
from scenes.kit.base import beat_narrations

DRAFT_HEIGHT = 144  # a draft's picture height (its width keeps the clip's shape); the frame rate is the clip's


def draft_size(width: int, height: int) -> tuple[int, int]:
    """The draft's pixels: DRAFT_HEIGHT high (or the clip's, if smaller), even numbers for the encoder."""
    scale = min(1.0, DRAFT_HEIGHT / height)
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def kept_state(job: dict, work: Path, before: str, module: Path) -> bytes:
    """The sealed state beat `before` ended with in the clip's last render, or NoDraft."""
    try:
        sidecar = json.loads((Path(job["out_dir"]) / f"{job['scene']}.json").read_text())
    except (OSError, ValueError):
        raise NoDraft("the clip has not been rendered yet") from None
    keys = {b["name"]: b["key"] for b in sidecar.get("beats", [])}
    if before not in keys or "beat_base" not in sidecar:
        raise NoDraft("the clip was not rendered with the beat cache")
    if sidecar["beat_base"] != manim_compat.beat_key_base(job, module, ROOT, worker.beat_folders(job["scene"])):
        raise NoDraft("the code changed since the clip was rendered")
    state = work / "beats" / job["quality"] / f"{keys[before]}.state"
    if not state.exists():
        raise NoDraft(f"beat {before} kept no state (see beatstate.py: what cannot be restored)")
    return state.read_bytes()


def linked_caches(work: Path, own: Path, folders: tuple[str, ...]) -> list[Path]:
    """The clip's LaTeX and text cache folders as the draft's own: their finished files (SVGs and their kept
    parses) hard-linked, not copied, so the draft reads what the clip made; what the draft makes itself (a
    changed formula) is written into its own folder. Never into the clip's: its render may be running, and
    manim runs LaTeX on fixed names and writes and deletes `<name>_.svg` beside each SVG it parses, so two
    processes in one folder break each other's files (seen: the clip's render failing on a vanished `_.svg`).
    Where a file cannot be linked, the draft makes it again."""
    linked = []
    for name in folders:
        source, target = work / name, own / "caches" / name
        target.mkdir(parents=True, exist_ok=True)
        for file in source.iterdir() if source.is_dir() else ():
            if file.suffix in (".svg", ".parsed") and not file.stem.endswith("_") and not (target / file.name).exists():
                with contextlib.suppress(OSError):  # gone meanwhile, or a file system without hard links
                    os.link(file, target / file.name)
        linked.append(target)
    return linked


def render_draft(job: dict, on_frames: Callable[[int], None] | None = None) -> dict:
    """Draw the draft of `job["draft"][0]` and publish it with its speech: {"files": [video, json]}."""
    beat, media = job["draft"]
    os.environ["LECTURE_PARAMS"] = job["params"]
    os.environ["LECTURE_PATH"] = job.get("lecture_path", "")
    info = current().by_id[job["scene"]]
    scene_class = getattr(importlib.import_module(info.module), info.cls)
    names = list(beat_narrations(scene_class))
    if beat not in names:
        raise NoDraft(f"scene {job['scene']} has no beat {beat!r}")
    scene_class.script = dict(job.get("script", {}))
    scene_class.narrator = worker.narrator_for(job)
    work = Path(job["cache_dir"]).resolve() / job["scene"]
    k = names.index(beat)
    began = time.perf_counter()
    blob = kept_state(job, work, names[k - 1], Path(info.file)) if k else None
    width, height = draft_size(job["width"], job["height"])
    own = work / "draft"
    own.mkdir(parents=True, exist_ok=True)
    settings = worker.manim_settings({**job, "width": width, "height": height}, own)
    # The clip's caches: LaTeX is the same at any size, and texts are laid out at the clip's size (draft_scene).
    tex, texts = linked_caches(work, own, ("Tex", f"media/texts-{job['width']}px"))
    settings.update(tex_dir=str(tex), text_dir=str(texts))
    with contextlib.chdir(work.parent), open(own / ".lock", "w") as lock, tempconfig(settings):
        fcntl.flock(lock, fcntl.LOCK_EX)  # two drafts of one scene take turns; the clip's render is not waited for
        renderer = manim_compat.fast_renderer([settings["tex_dir"], settings["text_dir"]], 1, worker.latex_cache(job))
        scene = scene_class(renderer=renderer, output_folder=own / "slides")
        drafting = manim_compat.draft_scene(scene, beat, names[k - 1] if k else None, blob, (job["width"], job["height"]))
        drawing, cpu = time.perf_counter(), time.process_time()
        scene.render()
        drawn, cpu_drawn = time.perf_counter(), time.process_time()
        worker.log_time(f"draft {beat} (wall/CPU s): kept state read {drawing - began:.2f} (before the scene), restored "
              f"{drafting.restored[0]:.2f}/{drafting.restored[1]:.2f}, start (speech) {drafting.spoken[0]:.2f}/"
              f"{drafting.spoken[1]:.2f}, the scene in all {drawn - drawing:.2f}/{cpu_drawn - cpu:.2f}")
        movie = Path(scene.renderer.file_writer.movie_file_path)
        video, about = draft_files(Path(media), Path(job["out_dir"]), job["scene"], beat)
        video.parent.mkdir(parents=True, exist_ok=True)
        if scene.spoken:
            track = audio.normalised(audio.mix([(start - drafting.start, s.audio) for start, s in scene.spoken
                                                if start >= drafting.start], drafting.end - drafting.start))
            movie = worker.with_sound(movie, track)
        files = [publish(movie, video),
                 write_text_atomic(about, json.dumps({"scene": job["scene"], "beat": beat, "start": round(drafting.start, 3),
                                                      "end": round(drafting.end, 3), "width": width, "height": height}))]
        worker.log_time(f"draft muxed and published in {time.perf_counter() - drawn:.2f}/{time.process_time() - cpu_drawn:.2f} s")
        return {"files": [str(f) for f in files]}


def render_forked(job: dict, log: str, caller: int | None = None,
                  on_frames: Callable[[int], None] | None = None) -> dict:
    """As `worker.render_forked`, for a draft: {"files": [...]} or {"error": ..., "detail": ...}."""
    def draft() -> list[str]:
        video, _ = draft_files(Path(job["draft"][1]), Path(job["out_dir"]), job["scene"], job["draft"][0])
        video.parent.mkdir(parents=True, exist_ok=True)
        with published_together(video.parent):
            return render_draft(job, on_frames)["files"]
    return worker.in_render_process(draft, log, caller, lambda err: str(err) if isinstance(err, NoDraft) else cause_in_words(err))
