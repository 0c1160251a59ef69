"""The narration script as Markdown: written by `lecture script` for a lecturer to read from while
recording, and read back by `--script FILE` to replace any beat's text without touching Python.

    # <lecture title>
    ## <scene id>: <scene title>
    ### <beat name> (12.4 s)
    The beat's text, with {values} the scene records, ^marked words and [pointed words](name).
    > said: the text with the numbers filled in (not read back)

Only `##` and `###` headings and the text under a beat are read; quoted lines (`>`) and HTML comments
are notes. Errors name the file's line. A lecturer may move, drop or reword a pointed phrase, but
only point at what the beat binds: the names its own narration points at.
"""
from __future__ import annotations

import importlib
import json
import string
from dataclasses import dataclass
from pathlib import Path

from lecture import UserError
from scenes.catalog import current

MAX_BEAT_CHARS = 3000  # about three minutes of speech: a beat that long is several beats


@dataclass(frozen=True)
class SceneScript:
    id: str
    title: str
    beats: dict[str, str]  # beat name -> narration template, in the order the scene plays them
    recorded: frozenset[str]  # names the narration may use as {values}


def scene_script(scene_id: str, media: Path | None = None) -> SceneScript:
    """A scene's beats and default texts, from its class (imports manim), and the value names it records."""
    from scenes.kit.base import beat_narrations

    info = current().by_id[scene_id]
    scene_class = getattr(importlib.import_module(info.module), info.cls)
    beats = beat_narrations(scene_class)
    names = {name for text in [*beats.values(), scene_class.alt_text] for name in placeholders(text)}
    sidecar = latest_sidecar(scene_id, media) if media else None
    names |= set(sidecar.get("values", {})) if sidecar else set()
    return SceneScript(scene_id, info.title, beats, frozenset(names))


def placeholders(text: str) -> list[str]:
    return [field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(text) if field]


def latest_sidecar(scene_id: str, media: Path) -> dict | None:
    """The newest sidecar of the scene under `media` (any quality, narrated or not)."""
    found = sorted([*media.glob(f"*/{scene_id}.json"), *media.glob(f"*/narrated/{scene_id}.json")],
                   key=lambda p: p.stat().st_mtime)
    for path in reversed(found):
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            continue
    return None


def to_markdown(title: str, scripts: list[SceneScript], media: Path) -> str:
    from scenes.kit.narration import split_marks

    lines = [f"# {title}", "", "Narration script, beat by beat. Edit the text under a beat and pass this file",
             "with `--script FILE`; `{name}` fills in a number the scene computes, `^word` marks a word",
             "an animation waits for, `[words](name)` lights up what the beat calls `name` while the words",
             "are said. Lines starting with `>` are notes and are not read back.", ""]
    for script in scripts:
        sidecar = latest_sidecar(script.id, media) or {}
        sections = {s["name"]: s for s in sidecar.get("sections", [])}
        lines += [f"## {script.id}: {script.title}", ""]
        for beat, text in script.beats.items():
            section = sections.get(beat)
            took = f" ({section['end'] - section['start']:.1f} s)" if section else " (not rendered yet)"
            lines += [f"### {beat}{took}", "", text, ""]
            said = section.get("narration") if section else None
            if said and said != split_marks(text).text:
                lines += [f"> said: {said}", ""]
    return "\n".join(lines)


def read_script(path: Path, media: Path | None = None) -> dict[str, dict[str, str]]:
    """Scene id -> beat -> text from a script file; a UserError with the line number for anything wrong."""
    from scenes.kit.narration import NarrationError, split_marks

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"--script {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"--script {path}: cannot read it ({err})") from None
    scripts: dict[str, SceneScript] = {}
    found: dict[str, dict[str, str]] = {}
    scene = beat = None
    body: list[tuple[int, str]] = []  # (line number, text)
    beat_line = 0
    in_comment = False

    def error(line: int, message: str) -> UserError:
        return UserError(f"--script {path}, line {line}: {message}")

    def close() -> None:
        if scene is None or beat is None:
            return
        words = " ".join(" ".join(line for _, line in body).split())
        if not words:
            raise error(beat_line, f"beat {beat} has no text; write what is said, or delete its heading")
        if len(words) > MAX_BEAT_CHARS:
            raise error(beat_line, f"beat {beat} has {len(words):,} characters; at most {MAX_BEAT_CHARS:,} (split it across beats)")
        unknown = [n for n in placeholders_checked(words, beat_line) if n not in scripts[scene].recorded]
        if unknown:
            raise error(beat_line, f"{{{unknown[0]}}} is not a value scene {scene} records; "
                                   f"it records {', '.join(sorted(scripts[scene].recorded)) or 'none'}")
        try:
            points = split_marks(words).points
        except NarrationError as err:
            raise error(beat_line, str(err)) from None
        check_points(points, scripts[scene], beat, body, error)
        found[scene][beat] = words

    def placeholders_checked(words: str, line: int) -> list[str]:
        try:
            return placeholders(words)
        except ValueError as err:
            raise error(line, f"braces do not match ({err}); write {{name}} for a value, or no braces") from None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if in_comment or line.startswith("<!--"):
            in_comment = "-->" not in line
            continue
        if line.startswith("### "):
            close()
            if scene is None:
                raise error(number, "a beat heading (###) before any scene heading (## scene-id)")
            beat, body, beat_line = line[4:].split(" (")[0].strip(), [], number
            if beat not in scripts[scene].beats:
                raise error(number, f"scene {scene} has no beat {beat!r}; its beats: {', '.join(scripts[scene].beats)}")
            if beat in found[scene]:
                raise error(number, f"beat {beat} of {scene} is given twice")
        elif line.startswith("## "):
            close()
            scene, beat = line[3:].split(":")[0].strip(), None
            if scene not in current().by_id:
                raise error(number, f"unknown scene {scene!r}; known scenes: {', '.join(current().by_id)}")
            if scene in found:
                raise error(number, f"scene {scene} is given twice")
            scripts[scene] = scene_script(scene, media)
            found[scene] = {}
        elif line.startswith("# ") or line.startswith(">"):
            continue
        elif beat is not None:
            body.append((number, line))
    close()
    return found


def check_points(points: dict, script: SceneScript, beat: str, body: list[tuple[int, str]], error) -> None:
    """Every `[words](name)` of a beat's new text names what the beat binds (its own text points at)."""
    from scenes.kit.narration import split_marks

    known = split_marks(script.beats[beat]).points
    for name in points:
        if name not in known:
            line = next((n for n, text in body if f"]({name})" in text), body[0][0])
            raise error(line, f"beat {beat} points at nothing called {name!r}; it can point at "
                              f"{', '.join(known) or 'nothing'} (write [words](name) with one of those, or plain words)")
