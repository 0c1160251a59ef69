"""A render job and its cache key: what a scene's clip depends on, and whether the clip on disk is up to date.

Pure data and hashing (no processes): the CLI, the studio, the pools and the render process share it.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from lecture.options.table import Quality
from scenes.catalog import BUILT_IN, FILE_NAME, current
from scenes.kit.params import LectureParams

ROOT = Path(__file__).resolve().parents[2]
CODE_FOLDERS = ("engine", "scenes", "lecture/manim_compat")  # and the seam to manim, which changes frames
# other files of the tool that change what a clip holds: frames, and how the mp4 is written (held frames, index first)
DRAWING_FILES = ("lecture/render/worker.py", "lecture/output/h264.py", "lecture/output/faststart.py")
SOUND_FILES = tuple(f"lecture/voice/{m}.py" for m in ("audio", "narrator", "pronounce", "voices"))  # and the sound
GEOMETRY = ".geometry.json.gz"  # the recorder's file beside a clip rendered for `lecture check`
RECORD_ENV = "LECTURE_RECORD"  # =1: every render records its geometry, as `lecture check` does (the test suite's session renders)
DRAFTS = "drafts"  # under the media folder: the studio's drafts of one beat (lecture/render/draft.py), and only those
STILLS = ("still", "storyboard")  # formats drawn with every play skipped: the last frame, or each beat's end
PACKAGES = ("manim", "manim-slides", "torch", "numpy", "av", "pillow")
@dataclass(frozen=True)
class Job:
    scene: str
    quality: Quality
    format: str  # mp4 webm gif mov png, or "still" (last frame only) or "storyboard" (each beat's end frame): previews
    transparent: bool
    params: LectureParams
    out_dir: Path
    voice: str = "none"  # `--voice` as given (lecture.voice.voices): none, joe, a model, recordings[,fallback]
    script: tuple[tuple[str, str], ...] = ()  # (beat, narration) the lecturer's script gives this scene
    voice_digest: str = ""  # the recordings' or the model's content, for the cache key
    plain: bool = False  # `--plain`: stock manim draws it, nothing of lecture/manim_compat
    beats: bool = False  # draw only the beats whose frames changed since a render that kept them (the studio)
    draft: tuple[str, str] = ()  # (beat, media folder): only a draft of that beat, small, into the media's drafts/ (lecture/render/draft.py)
    record: bool = False  # also write what every beat draws, <scene>.geometry.json.gz (`lecture check`); same frames

    @property
    def narrated(self) -> bool:
        """Whether a voice speaks in it (its render server then preloads the voice: `lecture.render.pool`)."""
        return self.voice not in ("", "none")

    @property
    def records(self) -> bool:
        """Whether the render writes a geometry record: asked for, and neither a still nor --plain."""
        return self.record and not self.plain and self.format not in STILLS

    @property
    def cache_key(self) -> str:
        return cache_key(self)

    def payload(self, cache_dir: Path, encoder_threads: int = 0) -> dict:
        """What a render process needs; `encoder_threads` 0 lets x264 choose (one per core and more)."""
        return {"scene": self.scene, "quality": self.quality.folder, "width": self.quality.width,
                "height": self.quality.height, "fps": self.quality.fps, "format": self.format,
                "transparent": self.transparent, "params": self.params.to_json(),
                "out_dir": str(self.out_dir), "cache_dir": str(cache_dir), "cache_key": self.cache_key,
                "encoder_threads": encoder_threads, "voice": self.voice, "script": dict(self.script),
                "plain": self.plain, "beats": self.beats, "record": self.records, "lecture_path": lecture_path(),
                "draft": list(self.draft)}


@dataclass
class Outcome:
    job: Job
    ok: bool
    seconds: float
    files: list[str] = field(default_factory=list)
    cached: bool = False
    error: str = ""
    frames: int = 0  # frames drawn so far ("frames" reports) or in all (a finished render)
    lost: bool = False  # the render process ended without a word (killed): worth trying again elsewhere


def code_fingerprint() -> str:
    """A hash of every source file that can change a frame, and the versions of the packages that draw it."""
    digest = hashlib.sha256()
    for folder in CODE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    for name in DRAWING_FILES + SOUND_FILES:
        digest.update((ROOT / name).read_bytes())
    for package in PACKAGES:
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()


_FINGERPRINT: str | None = None


def cache_key(job: Job) -> str:
    global _FINGERPRINT
    _FINGERPRINT = _FINGERPRINT or code_fingerprint()
    options = json.dumps([job.scene, job.quality.folder, job.format, job.transparent, job.params.to_json(), _FINGERPRINT,
                          job.voice, job.script, job.voice_digest, job.plain, lecture_fingerprint(job.scene)])
    return hashlib.sha256(options.encode()).hexdigest()[:32]


def lecture_path() -> str:
    """The lecture folders this command found, besides the built-in one, for the render process
    (LECTURE_PATH there: it is forked from a server that did not see `--lectures`)."""
    return os.pathsep.join(str(folder) for folder in current().folders if folder != BUILT_IN)


def lecture_fingerprint(scene: str) -> str:
    """A hash of the scene's lecture.toml (its card, titles) and, for a folder outside the tool, of every
    module in it: code_fingerprint covers only the tool's own folders."""
    lecture = current().lecture_of.get(scene)
    if lecture is None or lecture.folder is None:
        return ""
    digest = hashlib.sha256((lecture.folder / FILE_NAME).read_bytes())
    if not lecture.built_in:
        for path in sorted(lecture.folder.rglob("*.py")):
            digest.update(path.relative_to(lecture.folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def code_changed() -> None:
    """Source files changed (the studio's live reload): the next cache key hashes them again."""
    global _FINGERPRINT
    _FINGERPRINT = None


def up_to_date(job: Job) -> list[str] | None:
    """The files of a previous render with the same key, if they are all still there."""
    sidecar = job.out_dir / f"{job.scene}.json"
    try:
        data = json.loads(sidecar.read_text())
    except (OSError, ValueError):
        return None
    files = [job.out_dir / name for name in data.get("files", [])]
    if data.get("cache_key") != job.cache_key or not files or not all(f.exists() for f in files):
        return None
    if job.records and f"{job.scene}{GEOMETRY}" not in data["files"]:  # rendered without the recorder: again, with it
        return None
    return [str(f) for f in files + [sidecar]]


def draft_files(media: Path, clip_folder: Path, scene: str, beat: str) -> tuple[Path, Path]:
    """(the draft's video, its JSON) of `beat` of the clip in `clip_folder` (inside `media`): in the media's
    drafts/ folder, never beside a clip, so nothing that gathers clips (a sidecar, a deck, a lecture) meets one."""
    folder = media / DRAFTS / Path(clip_folder).resolve().relative_to(Path(media).resolve())
    return folder / f"{scene}.{beat}.mp4", folder / f"{scene}.{beat}.json"
