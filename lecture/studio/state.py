"""The studio's state: what a page views (a lecture, a quality, the form's values), the same checks as
the CLI's, and renders run in the background with their progress published to every page.

Each setting renders into its own folder (the lecture's defaults into OUT/<quality>/, as `lecture
render` does, any other into OUT/studio/<key>/<quality>/), so two tabs never write the same file;
a page swaps its player to a new clip by loading the clip's new URL.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import queue
import re
import threading
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lecture import UserError
from lecture.manim_compat.beatsource import beat_sources
from lecture.options.resolve import build_params, check_params, read_config
from lecture.options.form import command_line, form_rows, own_text
from lecture.options.table import CONTENT_OPTIONS, OPTIONS, QUALITIES
from lecture.output.publish import write_atomic
from lecture.render import progress
from lecture.render.errors import cause_in_words
from lecture.render.jobs import Job, code_changed, draft_files, up_to_date
from lecture.render.pool import render_jobs, run_forked
from lecture.request import narration_from
from lecture.voice.script import one_line, read_script, scene_script, to_markdown, with_beat_text
from scenes.catalog import Lecture, SceneInfo, current
from scenes.kit.theme import THEMES

FORM_OPTIONS = tuple(name for name in CONTENT_OPTIONS if name != "config") + ("voice",)  # shared, and lectures' flags
OPTION_ROWS = {o.name: o for o in OPTIONS if o.name in FORM_OPTIONS}  # the table's row of each field
PREVIEW_QUALITY = "l"
OPEN_VIEWS = 8  # settings a live reload renders again for: those of the pages opened last


class FieldError(UserError):
    """A form value the CLI would refuse: its message, and the field it names (None: the form as a whole)."""

    def __init__(self, message: str, field_name: str | None, every: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.field = field_name
        self.every = every or [{"field": field_name, "error": message}]  # every field's problem, when known


def field_named(message: str, names: dict[str, Any]) -> str | None:
    """The form field a CLI message is about: the first `--option` (or `option =` from the lecture's
    defaults) it names, else the first option it names in words."""
    for found in re.finditer(r"--set ([a-z0-9.-]+)=|--([a-z][a-z-]*)\b|\b([a-z][a-z-]*) = ", message):
        name = found[1] or found[2] or found[3]
        own = [key for key in names if found[1] and key.endswith(f".{name}")]  # `--set w=...`: the field LECTURE.w
        if name in names or own:
            return name if name in names else own[0]
    words = re.findall(r"[a-z]+", message)  # "unknown voice 'bob'": the option named in words
    return next((w for w in words if w in names), None)


@dataclass(frozen=True)
class View:
    """What a page shows: a lecture at a quality, with the form's values (only those set, as text)."""
    lecture: str
    quality: str = PREVIEW_QUALITY
    settings: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_query(cls, query: dict[str, str]) -> "View":
        lecture = query.get("lecture") or current().default.id
        if lecture not in current().lecture_by_id:
            raise FieldError(f"unknown lecture {lecture!r}; known: {', '.join(current().lecture_by_id)}", None)
        quality = query.get("q") or PREVIEW_QUALITY
        if quality not in QUALITIES:
            raise FieldError(f"unknown quality {quality!r}; choose one of {', '.join(QUALITIES)}", None)
        names = form_rows(current().lecture_by_id[lecture])  # the shared options and the lecture's own
        settings = tuple(sorted((k, str(v)) for k, v in query.items() if k in names and str(v).strip() != ""))
        return cls(lecture, quality, settings)

    @property
    def key(self) -> str:
        return hashlib.sha256(json.dumps([self.lecture, self.quality, self.settings]).encode()).hexdigest()[:16]

    def for_scene(self, scene: str) -> "View":
        """Only the settings that change `scene` (the option table's `changes`, and the voice)."""
        rows = form_rows(current().lecture_by_id[self.lecture])
        return View(self.lecture, self.quality, tuple((k, v) for k, v in self.settings if k == "voice" or scene in rows[k]["changes"]))

    @property
    def voice(self) -> str:
        return dict(self.settings).get("voice", "none")


@dataclass
class Task:
    """One scene's render for one view, as the page hears of it."""
    id: str
    view: View
    scene: str
    folder: str  # where it renders, relative to the media folder: pages match events by it
    state: str = "queued"  # queued, rendering, done, failed
    frames: int = 0
    total: int | None = None
    started: float = field(default_factory=time.perf_counter)
    error: str = ""


class Studio:
    """Checks, renders and events of one studio server over the media folder `out`."""

    def __init__(self, out: Path, workers: int = os.cpu_count() or 1):
        self.out = out.resolve()
        self.config = read_config(None)  # ./lecture.toml, as the CLI reads it
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="studio-render")
        self._drafts = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-draft")  # never behind a clip's render
        self._latest_draft: dict[tuple[str, str], str] = {}  # (folder, scene) -> the draft asked for last
        self._tasks: dict[tuple[str, str], Task] = {}  # (out folder, scene) -> its queued or running render
        self._tasks_lock = threading.Lock()
        self._subscribers: list[queue.Queue] = []
        self._errors: dict[tuple[str, str], str] = {}  # (folder, scene) -> why its last render failed
        self.open_views: dict[str, tuple[View, str]] = {}  # view key -> (view, the scene open in it)
        self.closing = threading.Event()
        self._count = 0
        self._script_lock = threading.RLock()  # one save of a lecture's script file at a time
        self._script_read: tuple[Any, dict[str, dict[str, str]]] = (None, {})  # (file's identity, what it read)
        self._script_rendered: dict[str, dict[str, dict[str, str]]] = {}  # lecture -> the script its renders were asked with

    # --- checks: the CLI's own ------------------------------------------------------------------
    def checked(self, view: View, scene: str):
        """(params, narration) for `scene` in `view`, checked exactly as `lecture render` checks them."""
        lecture = current().lecture_by_id[view.lecture]
        if scene not in lecture.ids and scene not in current().by_id:
            raise FieldError(f"unknown scene {scene!r}", None)
        values = dict(view.settings)
        try:
            cli, sets = command_line(lecture, values)
            params = build_params(cli, self.config, lecture, sets)
            check_params(params, [scene])
            narration = narration_from({"voice": values.get("voice")}, [scene], "mp4", self.out)
            narration = dataclasses.replace(narration, scripts=self.scripts(lecture))
            self._script_rendered.setdefault(lecture.id, narration.scripts)  # what an edit of the file is compared with
        except UserError as err:
            raise FieldError(str(err), field_named(str(err), form_rows(lecture))) from None
        return params, narration

    def problems(self, view: View, scene: str) -> list[dict[str, Any]]:
        """Every field the CLI would refuse, each checked alone over the defaults (the CLI stops at the
        first), then the values together (a --learnable that --values does not name); [] when all pass."""
        found = []
        for name, value in view.settings:
            try:
                self.checked(View(view.lecture, view.quality, ((name, value),)), scene)
            except FieldError as err:
                found.append({"field": err.field or name, "error": str(err)})
        if not found:
            try:
                self.checked(view, scene)
            except FieldError as err:
                found.append({"field": err.field, "error": str(err)})
        return found

    def warm(self) -> None:
        """Check the defaults once at start (the first check a page asks for loads torch, seconds, otherwise)
        and import the default lecture's scenes (a first narration save reads every scene's beats)."""
        lecture = current().default
        try:
            self.checked(View(lecture.id), lecture.ids[0])
        except UserError:
            pass  # the page shows it when it asks
        from lecture.voice.script import scene_script  # a first narration save reads every scene's beats: imported now

        for info in (*lecture.scenes, *lecture.extras):
            try:
                scene_script(info.id)
            except Exception:  # noqa: BLE001 - a scene that does not import fails where the page shows it
                pass

    # --- narration: the lecture's script file, read and written beat by beat ----------------------------
    def scripts(self, lecture: Lecture) -> dict[str, dict[str, str]]:
        """The lecture's script file as `--script` reads it ({} when there is none), read again only when
        the file changed: a save checks and renders with it several times within a second."""
        path = lecture.script_file
        try:
            stat = path.stat()
        except FileNotFoundError:
            return {}
        key = (str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)
        with self._script_lock:
            if self._script_read[0] != key:
                self._script_read = (key, read_script(path, self.out))  # a UserError: the file as it is is refused
            return self._script_read[1]

    def narration(self, view: View, scene: str) -> dict[str, Any]:
        """The open scene's beats as the script file gives them (marks and {values} as written), each beat
        the file does not give as the scene's own; and where the file is (or would be made)."""
        lecture = current().lecture_by_id[view.lecture]
        if scene not in current().by_id:
            raise FieldError(f"unknown scene {scene!r}", None)
        path, texts, error = lecture.script_file, dict(scene_script(scene, self.out).beats), None
        try:
            texts.update(self.scripts(lecture).get(scene, {}))
        except UserError as err:
            error = str(err)
        return {"file": str(path), "exists": path.exists(), "beats": texts, "error": error}

    def save_narration(self, view: View, scene: str, beat: str, text: str) -> Path:
        """Write `text` as what `beat` of `scene` says into the lecture's script file, atomically: the
        file (made as `lecture script` writes it when there is none) with that beat's text replaced,
        read back by the script reader before it takes the file's place. A text the reader refuses is
        a FieldError (field "narration") with its one-line message, and nothing is written."""
        lecture = current().lecture_by_id[view.lecture]
        if scene not in {i.id for i in (*lecture.scenes, *lecture.extras)}:
            raise FieldError(f"unknown scene {scene!r} in lecture {lecture.id}", None)
        own = scene_script(scene, self.out)
        if beat not in own.beats:
            raise FieldError(f"scene {scene} has no beat {beat!r}; its beats: {', '.join(own.beats)}", "narration")
        words = one_line(text)
        path = lecture.script_file
        with self._script_lock:
            if path.exists():
                old = path.read_text(encoding="utf-8")
            else:
                ids = [i.id for i in (*lecture.scenes, *lecture.extras)]
                old = to_markdown(lecture.title, [scene_script(i, self.out) for i in ids], self.out) + "\n"
            new = with_beat_text(old, scene, own.title, beat, words, list(own.beats))

            read: dict[str, dict[str, str]] = {}

            def write(tmp: str) -> None:
                Path(tmp).write_text(new, encoding="utf-8")
                try:
                    read.update(read_script(Path(tmp), self.out))
                except UserError as err:
                    raise FieldError(str(err).replace(tmp, str(path)), "narration") from None
                if read.get(scene, {}).get(beat) != words:  # read back as something else: a heading or a note
                    raise FieldError(f"--script {path}: the text cannot begin with #, > or <!-- (the file would read it "
                                     "as a heading or a note); begin it with a word", "narration")

            write_atomic(path, write)
            stat = path.stat()  # what was read back is what the renders read: not read a third time
            self._script_read = ((str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino), read)
            self._script_rendered[lecture.id] = read  # the save renders its scene itself
        return path

    def script_changed(self, lectures: list[str]) -> None:
        """A lecture's script file changed outside the page (an editor's save): the scenes whose beats now
        say something else render again in every open view (the open scene, and those with a clip there);
        the beat cache draws only what changed. A file the reader refuses is each such scene's error."""
        for lecture_id in lectures:
            lecture = current().lecture_by_id.get(lecture_id)
            if lecture is None:
                continue
            ids = [i.id for i in (*lecture.scenes, *lecture.extras)]
            try:
                now = self.scripts(lecture)
            except UserError as err:
                self.publish({"type": "changed", "files": [str(lecture.script_file)], "scenes": [], "error": str(err)})
                continue
            with self._script_lock:
                before = self._script_rendered.get(lecture_id, {})
                self._script_rendered[lecture_id] = now
            scenes = [s for s in ids if now.get(s, {}) != before.get(s, {})]
            if not scenes:
                continue
            self.publish({"type": "changed", "files": [str(lecture.script_file)], "scenes": scenes})
            for view, open_scene in list(self.open_views.values()):
                if view.lecture != lecture_id:
                    continue
                wanted = [s for s in scenes if s == open_scene or (self.out_dir(view, s) / f"{s}.json").exists()]
                for scene in sorted(wanted, key=lambda s: s != open_scene):
                    try:
                        self.render(view, scene)  # not forced: a scene whose clip is up to date renders nothing
                    except FieldError as err:
                        self._errors[(self.folder(self.out_dir(view, scene)), scene)] = str(err)

    def out_dir(self, view: View, scene: str) -> Path:
        """Where `scene` renders in `view`: keyed by the settings that change it (an --lr leaves the title
        card's clip where it was); the lecture's defaults in OUT/<quality>/, as `lecture render` has it."""
        own = view.for_scene(scene)
        folder = QUALITIES[view.quality].folder
        base = self.out / folder if not own.settings else self.out / "studio" / own.key / folder
        return base / "narrated" if own.voice != "none" else base  # as lecture.request.Narration.out_dir

    def job(self, view: View, scene: str):
        params, narration = self.checked(view, scene)
        return Job(scene, QUALITIES[view.quality], "mp4", False, params, self.out_dir(view, scene),
                   **narration.job_fields(scene), beats=True)  # an edit of one beat draws that beat

    # --- what a page shows ------------------------------------------------------------------------
    def folder(self, out_dir: Path) -> str:
        return out_dir.relative_to(self.out).as_posix()

    def media_url(self, path: Path) -> str:
        return "/media/" + path.relative_to(self.out).as_posix() + f"?v={path.stat().st_mtime_ns}"

    def scene_state(self, view: View, info: SceneInfo) -> dict[str, Any]:
        out_dir = self.out_dir(view, info.id)
        state: dict[str, Any] = {"id": info.id, "title": info.title, "duration": None, "sections": [], "clip": None,
                                 "folder": self.folder(out_dir),
                                 "poster": None, "error": self._errors.get((self.folder(out_dir), info.id)), "task": None}
        try:
            sidecar = json.loads((out_dir / f"{info.id}.json").read_text())
            clip, poster = out_dir / f"{info.id}.mp4", out_dir / f"{info.id}.png"
            state.update(duration=sidecar["duration_s"], sections=sidecar["sections"], clip=self.media_url(clip),
                         poster=self.media_url(poster) if poster.exists() else None, key=sidecar.get("cache_key"))
        except (OSError, ValueError, KeyError):
            pass
        task = self._tasks.get((str(out_dir), info.id))
        if task is not None:
            state["task"] = self.task_data(task)
        return state

    def state(self, view: View, scene: str) -> dict[str, Any]:
        """Every scene of the view's lecture, and the form of the open one."""
        lecture = current().lecture_by_id[view.lecture]
        infos = [*lecture.scenes, *lecture.extras]
        if scene not in {i.id for i in infos}:
            scene = infos[0].id
        self.open_views.pop(view.key, None)
        self.open_views[view.key] = (view, scene)  # the newest last; live reload renders for the newest few
        while len(self.open_views) > OPEN_VIEWS:
            self.open_views.pop(next(iter(self.open_views)))
        return {"view": view.key, "lecture": lecture.id, "scene": scene, "quality": view.quality,
                "lectures": [{"id": l.id, "title": l.title} for l in current().lectures],
                "qualities": {k: f"{q.height}p{q.fps}" if k != "t" else "tiny" for k, q in QUALITIES.items()},
                "scenes": [self.scene_state(view, i) | {"extra": i in lecture.extras} for i in infos],
                "form": self.form(view, scene)}

    def form(self, view: View, scene: str) -> list[dict[str, Any]]:
        """The options that change `scene`, from the option table, each with its current text."""
        lecture = current().lecture_by_id[view.lecture]
        rows = form_rows(lecture)
        set_values = dict(view.settings)
        try:
            defaults = build_params({}, self.config, lecture)
        except UserError:
            defaults = None
        fields = []
        for name, row in rows.items():
            if name != "voice" and scene not in row["changes"]:
                continue
            default = field_text(name, defaults, current().by_id[scene], lecture) if defaults is not None else ""
            choices = row["choices"] or (list(THEMES) if name == "theme" else None)
            fields.append({"name": name, "help": row["help"], "choices": choices, "default": default,
                           "value": set_values.get(name, default)})
        return fields

    # --- renders --------------------------------------------------------------------------------
    def render(self, view: View, scene: str, force: bool = False, checked: bool = False) -> Task:
        """Queue `scene`'s render for `view` (checked first, unless the caller just did: a FieldError
        renders nothing); a render of the same clip already queued or running is the one returned."""
        found = [] if checked else self.problems(view, scene)
        if found:
            raise FieldError(found[0]["error"], found[0]["field"], found)
        job = self.job(view, scene)
        slot = (str(job.out_dir), scene)
        with self._tasks_lock:
            if slot in self._tasks:
                return self._tasks[slot]
            self._count += 1
            task = self._tasks[slot] = Task(f"t{self._count}", view, scene, self.folder(job.out_dir))
            task.total = progress.expected_frames(scene, job.out_dir, job.quality.fps)
        self._errors.pop((task.folder, scene), None)
        self._pool.submit(self._run, task, job, slot, force)
        self.publish({"type": "queued", "task": self.task_data(task)})
        return task

    def _run(self, task: Task, job, slot: tuple[str, str], force: bool) -> None:
        def report(event: str, outcome) -> None:
            if event == "start":
                task.state, task.started = "rendering", time.perf_counter()
            elif event == "frames":
                task.frames = outcome.frames
            self.publish({"type": "progress", "task": self.task_data(task)})

        try:
            (outcome,) = render_jobs([job], self.out / ".cache", 1, use_cache=not force, report=report)
        except Exception as err:  # noqa: BLE001 - the page hears it in one line, the server goes on
            outcome = None
            task.error = cause_in_words(err)
        with self._tasks_lock:
            self._tasks.pop(slot, None)
        if outcome is not None and outcome.ok:
            task.state = "done"
        else:
            task.state = "failed"
            task.error = outcome.error if outcome is not None else task.error
            self._errors[(task.folder, task.scene)] = task.error
        info = current().by_id[task.scene]
        self.publish({"type": task.state, "task": self.task_data(task), "scene": self.scene_state(task.view, info)})

    def draft(self, view: View, scene: str, beat: str) -> Task:
        """Render a draft of `beat` (lecture/render/draft.py) beside the clip's render: small, only that beat,
        from the state the beat before it kept. Its end is a "draft" event with the draft's address and where
        the beat starts in the clip, or "draft-failed" with why (no kept state: the page waits for the clip)."""
        job = dataclasses.replace(self.job(view, scene), draft=(beat, str(self.out)))
        with self._tasks_lock:
            self._count += 1
            task = Task(f"d{self._count}", view, scene, self.folder(job.out_dir))
            self._latest_draft[(task.folder, scene)] = task.id  # a draft still queued when another is asked for is not made
        self._drafts.submit(self._run_draft, task, job, beat)
        return task

    def _run_draft(self, task: Task, job: Job, beat: str) -> None:
        task.state, task.started = "rendering", time.perf_counter()
        if self._latest_draft.get((task.folder, task.scene)) != task.id:
            outcome, task.error = None, "a later save's draft replaces it"
        elif up_to_date(job):
            outcome, task.error = None, "the clip is up to date: nothing to draft"
        else:
            try:
                outcome = run_forked(job, self.out / ".cache", 1)
            except Exception as err:  # noqa: BLE001 - a draft that cannot be made is only no draft
                outcome, task.error = None, cause_in_words(err)
        video, about = draft_files(self.out, job.out_dir, job.scene, beat)
        if outcome is not None and outcome.ok and about.exists():
            task.state = "done"
            where = json.loads(about.read_text())
            self.publish({"type": "draft", "task": self.task_data(task), "beat": beat, "url": self.media_url(video),
                          "start": where["start"], "end": where["end"], "seconds": round(time.perf_counter() - task.started, 3)})
        else:
            task.state, task.error = "failed", outcome.error if outcome is not None else task.error
            self.publish({"type": "draft-failed", "task": self.task_data(task), "beat": beat})

    def task_data(self, task: Task) -> dict[str, Any]:
        elapsed = time.perf_counter() - task.started
        eta = progress.eta(task.frames, task.total, elapsed) if task.state == "rendering" else None
        return {"id": task.id, "folder": task.folder, "scene": task.scene, "state": task.state, "frames": task.frames,
                "total": max(task.frames, task.total) if task.total else None, "eta": eta,
                "eta_text": progress.clock(eta) if eta is not None else None, "error": task.error}

    def busy(self) -> bool:
        return bool(self._tasks)

    def reload(self, scenes: list[str], changed: list[str]) -> None:
        """Files under scenes/ or engine/ changed: the scenes they affect render again in every open view
        (the open scene, and those with a clip there), and every page hears of it. The open scene's first
        beat whose source the save changed is drafted first, as after a narration save ("edited")."""
        code_changed()
        self.publish({"type": "changed", "files": changed, "scenes": scenes})
        drafted: set[tuple[str, str]] = set()
        for view, open_scene in list(self.open_views.values()):
            wanted = [s for s in scenes if s == open_scene or (self.out_dir(view, s) / f"{s}.json").exists()]
            for scene in sorted(wanted, key=lambda s: s != open_scene):
                try:
                    beat = self.edited_beat(view, scene, changed) if scene == open_scene else None
                    draft = self.draft(view, scene, beat) if beat and (str(self.out_dir(view, scene)), scene) not in drafted else None
                    task = self.render(view, scene, force=True)
                except FieldError as err:
                    self._errors[(self.folder(self.out_dir(view, scene)), scene)] = str(err)
                    continue
                if draft is not None:
                    drafted.add((str(self.out_dir(view, scene)), scene))
                    self.publish({"type": "edited", "beat": beat, "task": self.task_data(task), "draft": self.task_data(draft)})

    def edited_beat(self, view: View, scene: str, changed: list[str]) -> str | None:
        """The first beat (in the clip's order) whose source a save of the scene's own module changed, from the
        digests the clip's sidecar keeps; None when the module did not change, the clip keeps no digests (not
        rendered with the beat cache), or the edit is outside every beat (then no beat can be drafted alone)."""
        module = Path(current().by_id[scene].file).resolve()
        if module not in {Path(c).resolve() for c in changed}:
            return None
        try:
            sidecar = json.loads((self.out_dir(view, scene) / f"{scene}.json").read_text())
        except (OSError, ValueError):
            return None
        before, now = sidecar.get("beat_sources", {}), beat_sources(module)
        order = [b["name"] for b in sidecar.get("beats", [])]
        return next((name for name in order if name in now and before and now[name] != before.get(name)), None)

    # --- events -----------------------------------------------------------------------------------
    def subscribe(self) -> queue.Queue:
        events: queue.Queue = queue.Queue()
        self._subscribers.append(events)
        return events

    def unsubscribe(self, events: queue.Queue) -> None:
        if events in self._subscribers:
            self._subscribers.remove(events)

    def publish(self, event: dict[str, Any]) -> None:
        for events in list(self._subscribers):
            events.put(event)

    def close(self) -> None:
        """Stop: the pages' event streams end; renders are stopped by `lecture.render.pool.stop_renders`."""
        self.closing.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._drafts.shutdown(wait=False, cancel_futures=True)


def field_text(key: str, params, info: SceneInfo, lecture: Lecture) -> str:
    """A form field's current value: a lecture's own option without a flag (LECTURE.NAME) from its
    `lecture_options` or field, any other from the option table (`default_text`)."""
    own = next((row for row in lecture.own_options if key == f"{lecture.id}.{row.name}"), None)
    return own_text(own, params) if own is not None else default_text(key, params, info)


def default_text(name: str, params, info: SceneInfo) -> str:
    """An option's current value for the open scene, as the command line writes it, from the option
    table: the `LectureParams` fields its row's parser sets, written back as text. Of the texts of those
    fields, the one that gives all of them as they are (`sgd,momentum,adam` sets the optimizer and the
    race); where none does, the field the scene reads: `<use>_<field>` for a scene that uses it
    (`descent_function` for the descent scenes), else the first."""
    option = OPTION_ROWS[name]
    if option.content is None:
        return as_text(option.default_for("render"))
    fields = fields_set_by(name)
    for field_name in fields:
        text = as_text(getattr(params, field_name))
        if gives(option, text, params, fields):
            return text
    own = [f"{use}_{fields[0]}" for use in info.uses if f"{use}_{fields[0]}" in fields]
    return as_text(getattr(params, own[0] if own else fields[0]))


@functools.cache
def fields_set_by(name: str) -> tuple[str, ...]:
    """The `LectureParams` fields a content option sets, in order: its parser run on its own example."""
    content = OPTION_ROWS[name].content
    return tuple(content.parse(tomllib.loads(content.example)[name], f"the example of --{name}"))


def gives(option, text: str, params, fields: tuple[str, ...]) -> bool:
    """Whether `text`, parsed as the command line parses it, sets every one of `fields` as `params` has it."""
    try:
        parsed = option.content.parse(text, f"--{option.name}")
    except UserError:
        return False
    return all(parsed.get(f) == getattr(params, f) for f in fields)


def as_text(value: Any) -> str:
    """A value as the command line writes it: lists comma-separated, tables name=value, numbers short."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return ",".join(f"{k}={as_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ",".join(as_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
