"""What a command asks for, resolved from its options: the lectures and their scenes, the parameters, the
narration. The CLI and the studio both resolve through here (neither imports the other)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lecture import UserError
from lecture.options.resolve import build_params, read_config, resolve_scenes
from lecture.options.table import ALL_LECTURES, CONTENT_OPTIONS
from scenes.catalog import current, Lecture


@dataclass(frozen=True)
class Narration:
    """A checked --voice and --script: who speaks, and the texts each scene's beats say instead of their own."""
    voice: Any
    scripts: dict[str, dict[str, str]]

    def job_fields(self, scene_id: str) -> dict[str, Any]:
        from lecture.voice.script import scene_script  # imports the scene (and manim) only when used below

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
    from lecture.voice.voices import check_recordings, parse_voice

    voice = parse_voice(kwargs.get("voice"))
    if voice.speaks and fmt not in ("mp4", "mov", "webm"):
        raise UserError(f"--voice {voice.spec}: narration needs a video with sound; use --format mp4, mov or webm, or --voice none")
    scripts = {}
    if kwargs.get("script_path"):
        from lecture.voice.script import read_script

        scripts = read_script(kwargs["script_path"], media)
    if voice.kind == "recordings":
        from lecture.voice.script import scene_script

        check_recordings(voice, {i: list(scene_script(i).beats) for i in ids})
    return Narration(voice, scripts)


def lecture_from(kwargs: dict[str, Any]) -> Lecture:
    """The lecture a command's scenes come from: --lecture, else the first."""
    return current().lecture_by_id[kwargs.get("lecture_id") or current().default.id]


def lectures_with_scenes(scenes: tuple[str, ...], kwargs: dict[str, Any]) -> list[tuple[Lecture, list[str]]]:
    """Each lecture a command renders, with its scenes: the one --lecture names, or, for `--lecture all`,
    every lecture (SCENES named by id go to the lecture they belong to)."""
    if kwargs.get("lecture_id") != ALL_LECTURES:
        lecture = lecture_from(kwargs)
        return [(lecture, resolve_scenes(scenes, lecture))]
    groups = [(lecture, [i for i in resolve_scenes(scenes, lecture) if current().lecture_of[i] is lecture]) for lecture in current().lectures]
    return [(lecture, ids) for lecture, ids in groups if ids]


def params_from(kwargs: dict[str, Any], lecture: Lecture | None = None):
    cli = {name: kwargs.get(option.param) for name, option in CONTENT_OPTIONS.items()}
    config = read_config(kwargs.get("config_path"))
    return build_params(cli, config, lecture or lecture_from(kwargs)), config
