"""What a command asks for, resolved from its options: the lectures and their scenes, the parameters, the
narration. The CLI and the studio both resolve through here (neither imports the other). A rendering
command resolves its options once into a `RenderRequest` and hands that down; nothing below it reads
the command line's options again."""
from __future__ import annotations

import importlib
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lecture import UserError
from lecture.options.resolve import build_params, check_sets, read_config, resolve_scenes
from lecture.options.table import ALL_LECTURES, CONTENT_OPTIONS, QUALITIES, Quality
from lecture.output.publish import check_writable_dir
from lecture.voice.script import read_script, scene_script
from lecture.voice.voices import check_recordings, parse_voice
from scenes.catalog import BUILT_IN, Catalog, Lecture, SceneInfo, current


@dataclass(frozen=True)
class Narration:
    """A checked --voice and --script: who speaks, and the texts each scene's beats say instead of their own."""
    voice: Any
    scripts: dict[str, dict[str, str]]

    def job_fields(self, scene_id: str) -> dict[str, Any]:
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
    voice = parse_voice(kwargs.get("voice"))
    if voice.speaks and fmt not in ("mp4", "mov", "webm"):
        raise UserError(f"--voice {voice.spec}: narration needs a video with sound; use --format mp4, mov or webm, or --voice none")
    scripts = {}
    if kwargs.get("script_path"):
        scripts = read_script(kwargs["script_path"], media)
    if voice.kind == "recordings":
        check_recordings(voice, {i: list(scene_script(i).beats) for i in ids})
    return Narration(voice, scripts)


def lecture_from(kwargs: dict[str, Any]) -> Lecture:
    """The lecture a command's scenes come from: --lecture, else the first; a broken or unknown one is one line."""
    catalog = current()
    lecture_id = kwargs.get("lecture_id") or catalog.default.id
    if lecture_id not in catalog.lecture_by_id:
        if lecture_id in catalog.broken:
            raise UserError(catalog.broken[lecture_id])
        raise UserError(f"--lecture {lecture_id}: no such lecture; known: {', '.join(catalog.lecture_by_id)} (or "
                        f"{ALL_LECTURES}){broken_note(catalog)}")
    return catalog.lecture_by_id[lecture_id]


def broken_note(catalog: Catalog) -> str:
    return f"; a lecture folder was left out: {catalog.problems[0]}" if catalog.problems else ""


def lectures_with_scenes(scenes: tuple[str, ...], kwargs: dict[str, Any]) -> list[tuple[Lecture, list[str]]]:
    """Each lecture a command renders, with its scenes in the order asked: `all` is --lecture's (every
    lecture's for `--lecture all`), and a scene named by id goes with the lecture it belongs to (its
    options are that lecture's). The scene modules of a lecture outside the tool are imported first, so
    one that cannot be is one line; a broken folder not asked for is a warning."""
    catalog = current()
    lectures = catalog.lectures if kwargs.get("lecture_id") == ALL_LECTURES else (lecture_from(kwargs),)
    ids = [i for lecture in lectures for i in resolve_scenes(scenes, lecture) if kwargs.get("lecture_id") != ALL_LECTURES
           or catalog.lecture_of[i] is lecture]
    ids = list(dict.fromkeys(ids))
    groups: dict[str, tuple[Lecture, list[str]]] = {}
    for i in ids:
        lecture = catalog.lecture_of[i]
        groups.setdefault(lecture.id, (lecture, []))[1].append(i)
    check_importable([catalog.by_id[i] for i in ids])
    check_sets(tuple(kwargs.get("sets") or ()), [lecture for lecture, _ in groups.values()])
    for problem in catalog.problems:
        sys.stderr.write(f"lecture: warning: {problem}\n")
    return list(groups.values())


def check_importable(infos: list[SceneInfo]) -> None:
    """Import the scene modules of lectures outside the tool (the built-in ones are the tool's own code):
    a module that raises is one line naming its file and line, before anything renders."""
    for info in infos:
        if info.file is None or info.file.is_relative_to(BUILT_IN):
            continue
        try:
            scene_class = getattr(importlib.import_module(info.module), info.cls, None)
        except Exception as err:  # noqa: BLE001 - whatever the lecturer's module raises is told in one line
            frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename == str(info.file)] or \
                     traceback.extract_tb(err.__traceback__)[-1:]
            line = f" line {frames[-1].lineno}" if frames else ""
            raise UserError(f"{info.file}{line}: importing it failed: {type(err).__name__}: {err}; fix the module "
                            f"(scene {info.id})") from None
        if scene_class is None:
            raise UserError(f"{info.file}: has no class {info.cls} (scene {info.id}); fix class = in its lecture.toml or the module")


def params_from(kwargs: dict[str, Any], lecture: Lecture | None = None):
    cli = {name: kwargs.get(option.param) for name, option in CONTENT_OPTIONS.items()}
    config = read_config(kwargs.get("config_path"))
    return build_params(cli, config, lecture or lecture_from(kwargs), tuple(kwargs.get("sets") or ())), config


@dataclass(frozen=True)
class SceneGroup:
    """The scenes of one lecture a command renders, in the order asked, with that lecture's parameters."""
    lecture: Lecture
    ids: tuple[str, ...]
    params: Any


@dataclass(frozen=True)
class RenderRequest:
    """A rendering command's options resolved once (`render`, `video`, `check`, `slides`, `present`): its
    scenes grouped by lecture with each lecture's checked parameters, the narration, and where and how the
    clips are made. `lecture` is the one the clips are joined under, or None for `--lecture all` (each
    clip then joins its own lecture)."""
    groups: tuple[SceneGroup, ...]
    lecture: Lecture | None
    narration: Narration
    quality: Quality
    out: Path
    fmt: str = "mp4"
    transparent: bool = False
    jobs: int = 1
    force: bool = False
    plain: bool = False
    record: bool = False
    scheduler: str | None = None

    @classmethod
    def resolve(cls, scenes: tuple[str, ...], options: dict[str, Any], *, quality: str, out: Path, fmt: str = "mp4",
                **how: Any) -> RenderRequest:
        """OPTIONS are the command's remaining click options (the content options, --lecture, --voice,
        --script, --config, --set, --scheduler); HOW sets the fields named alike (jobs, force, ...)."""
        every = options.get("lecture_id") == ALL_LECTURES
        groups = tuple(SceneGroup(lecture, tuple(ids), params_from(options, lecture)[0])
                       for lecture, ids in lectures_with_scenes(scenes, options))
        out = check_writable_dir(out).resolve()
        narration = narration_from(options, [i for g in groups for i in g.ids], fmt, out)
        return cls(groups, None if every else lecture_from(options), narration, QUALITIES[quality], out, fmt,
                   scheduler=options.get("scheduler"), **how)

    @property
    def quality_folder(self) -> Path:
        """OUT/<quality>/: silent clips, and the joined lectures of both kinds."""
        return self.out / self.quality.folder

    @property
    def clip_folder(self) -> Path:
        """Where this request's clips go (narrated ones in their own folder)."""
        return self.narration.out_dir(self.quality_folder)

    def by_lecture(self, outcomes: list) -> list[tuple[Lecture, list]]:
        """The rendered clips of each lecture: all of them are --lecture's; with `--lecture all`, each goes
        to the lecture it belongs to."""
        if self.lecture is not None:
            return [(self.lecture, outcomes)]
        groups: dict[str, tuple[Lecture, list]] = {}
        for o in outcomes:
            lecture = current().lecture_of[o.job.scene]
            groups.setdefault(lecture.id, (lecture, []))[1].append(o)
        return list(groups.values())
