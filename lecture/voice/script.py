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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lecture import UserError
from scenes.catalog import current
from scenes.kit.narration import Marked, NarrationError, split_marks

MAX_BEAT_CHARS = 3000  # about three minutes of speech: a beat that long is several beats


@dataclass(frozen=True)
class SceneScript:
    id: str
    title: str
    beats: dict[str, str]  # beat name -> narration template, in the order the scene plays them
    recorded: frozenset[str]  # names the narration may use as {values}


def scene_script(scene_id: str, media: Path | None = None) -> SceneScript:
    """A scene's beats and default texts, from its class (imports manim), and the value names it records."""
    from scenes.kit.base import beat_narrations  # imports manim: only where a scene's script is read

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
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"--script {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"--script {path}: cannot read it ({err})") from None
    reader = ScriptReader(path, media)
    for line in script_lines(text):
        reader.read(line)
    reader.close_beat()
    return reader.found


@dataclass(frozen=True)
class ScriptLine:
    """One line of a script file as the reader sees it: `kind` is "scene" or "beat" for a heading (`name`
    its scene id or beat name), "comment" (inside `<!-- -->`), "note" (`>`), "title" (`# `) or "text"."""
    index: int  # from 0, in the file's lines split at "\n"
    kind: str
    name: str
    text: str  # stripped


def script_lines(text: str) -> Iterator[ScriptLine]:
    """The lines of a script file, each with what it is: the one parse of headings and comments that the
    reader and the studio's writer (`with_beat_text`) both use."""
    in_comment = False
    for index, raw in enumerate(text.split("\n")):
        line = raw.strip()
        if in_comment or line.startswith("<!--"):
            in_comment = "-->" not in line
            yield ScriptLine(index, "comment", "", line)
        elif line.startswith("### "):
            yield ScriptLine(index, "beat", line[4:].split(" (")[0].strip(), line)
        elif line.startswith("## "):
            yield ScriptLine(index, "scene", line[3:].split(":")[0].strip(), line)
        elif line.startswith("# "):
            yield ScriptLine(index, "title", "", line)
        else:
            yield ScriptLine(index, "note" if line.startswith(">") else "text", "", line)


def one_line(text: str) -> str:
    """A beat's text as it is kept and said: its lines joined, every run of spaces one space."""
    return " ".join(text.split())


class ScriptReader:
    """Reads a script file line by line: the scene and beat headings, each beat's text checked as its
    heading closes (the next heading or the end of the file)."""

    def __init__(self, path: Path, media: Path | None) -> None:
        self.path, self.media = path, media
        self.scripts: dict[str, SceneScript] = {}
        self.found: dict[str, dict[str, str]] = {}
        self.scene: str | None = None
        self.beat: str | None = None
        self.body: list[tuple[int, str]] = []  # (line number, text) under the beat's heading
        self.beat_line = 0

    def error(self, line: int, message: str) -> UserError:
        return UserError(f"--script {self.path}, line {line}: {message}")

    def read(self, line: ScriptLine) -> None:
        if line.kind == "beat":
            self.beat_heading(line.index + 1, line.name)
        elif line.kind == "scene":
            self.scene_heading(line.index + 1, line.name)
        elif line.kind == "text" and self.beat is not None:
            self.body.append((line.index + 1, line.text))

    def scene_heading(self, number: int, scene: str) -> None:
        self.close_beat()
        self.scene, self.beat = scene, None
        if scene not in current().by_id:
            raise self.error(number, f"unknown scene {scene!r}; known scenes: {', '.join(current().by_id)}")
        if scene in self.found:
            raise self.error(number, f"scene {scene} is given twice")
        self.scripts[scene] = scene_script(scene, self.media)
        self.found[scene] = {}

    def beat_heading(self, number: int, beat: str) -> None:
        self.close_beat()
        if self.scene is None:
            raise self.error(number, "a beat heading (###) before any scene heading (## scene-id)")
        self.beat, self.body, self.beat_line = beat, [], number
        script = self.scripts[self.scene]
        if beat not in script.beats:
            raise self.error(number, f"scene {self.scene} has no beat {beat!r}; its beats: {', '.join(script.beats)}")
        if beat in self.found[self.scene]:
            raise self.error(number, f"beat {beat} of {self.scene} is given twice")

    def close_beat(self) -> None:
        """Check the open beat's text and keep it."""
        if self.scene is None or self.beat is None:
            return
        scene, beat, line = self.scene, self.beat, self.beat_line
        words = one_line(" ".join(text for _, text in self.body))
        if not words:
            raise self.error(line, f"beat {beat} has no text; write what is said, or delete its heading")
        if len(words) > MAX_BEAT_CHARS:
            raise self.error(line, f"beat {beat} has {len(words):,} characters; at most {MAX_BEAT_CHARS:,} (split it across beats)")
        recorded = self.scripts[scene].recorded
        unknown = [n for n in self.placeholders_checked(words, line) if n not in recorded]
        if unknown:
            raise self.error(line, f"{{{unknown[0]}}} is not a value scene {scene} records; "
                                   f"it records {', '.join(sorted(recorded)) or 'none'}")
        try:
            marked = split_marks(words)
        except NarrationError as err:
            raise self.error(line, str(err)) from None
        check_points(marked.points, self.scripts[scene], beat, self.body, self.error)
        check_marks(marked, self.scripts[scene], beat, self.body, self.error)
        self.found[scene][beat] = words

    def placeholders_checked(self, words: str, line: int) -> list[str]:
        try:
            return placeholders(words)
        except ValueError as err:
            raise self.error(line, f"braces do not match ({err}); write {{name}} for a value, or no braces") from None


def check_points(points: dict, script: SceneScript, beat: str, body: list[tuple[int, str]], error) -> None:
    """Every `[words](name)` of a beat's new text names what the beat binds (its own text points at)."""
    known = split_marks(script.beats[beat]).points
    for name in points:
        if name not in known:
            line = next((n for n, text in body if f"]({name})" in text), body[0][0])
            raise error(line, f"beat {beat} points at nothing called {name!r}; it can point at "
                              f"{', '.join(known) or 'nothing'} (write [words](name) with one of those, or plain words)")


def check_marks(marked: Marked, script: SceneScript, beat: str, body: list[tuple[int, str]], error) -> None:
    """Every `^mark` of the beat's own text is kept: its animations wait for those words (`wait_until`,
    `play_along`) and each mark ends the phrase before it, so a text without one would fail mid-render."""
    own = split_marks(script.beats[beat])
    missing = [name for name in own.marks if name not in own.points and name not in marked.marks]
    if missing:
        raise error(body[0][0], f"beat {beat}'s picture is timed to ^{missing[0]}, which this text does not mark; "
                                f"put ^{missing[0]} before the word it should wait for (this beat marks "
                                f"{', '.join('^' + n for n in own.marks if n not in own.points)})")


def with_beat_text(script: str, scene_id: str, scene_title: str, beat: str, text: str, order: list[str]) -> str:
    """`script` (a script file's text) with `beat` of `scene_id` saying `text` (as `one_line`): only that
    beat's text lines change (its heading, HTML comments and notes stay; its `> said:` note, stale now,
    goes); every other line is kept as it is. A beat the file does not give is added under its scene's
    heading, in the scene's beat order (`order`); a scene it does not give is added at the end."""
    lines, words = script.split("\n"), one_line(text)
    parsed = list(script_lines(script))
    scenes: list[tuple[int, str]] = []  # (index, scene id) of each `##` heading
    beats: list[tuple[int, str, int]] = []  # (index, beat name, index of its scene heading) of each `###` heading
    for line in parsed:
        if line.kind == "beat":
            beats.append((line.index, line.name, scenes[-1][0] if scenes else -1))
        elif line.kind == "scene":
            scenes.append((line.index, line.name))
    headings = sorted([i for i, _ in scenes] + [i for i, _, _ in beats])
    scene_at = next((i for i, name in scenes if name == scene_id), None)
    if scene_at is None:
        tail = [] if not lines or lines[-1].strip() == "" else [""]
        return "\n".join([*lines, *tail, f"## {scene_id}: {scene_title}", "", f"### {beat}", "", words, ""])
    scene_end = next((i for i, _ in scenes if i > scene_at), len(lines))
    own = [(i, name) for i, name, parent in beats if parent == scene_at]
    found = next((i for i, name in own if name == beat), None)
    if found is None:
        later = [i for i, name in own if name in order and beat in order and order.index(name) > order.index(beat)]
        if later:  # before the first beat that plays after it
            block, at = [f"### {beat}", "", words, ""], later[0]
        else:  # after the section's last text, before the blank lines that close it
            block, at = ["", f"### {beat}", "", words], scene_end
            while at > scene_at + 1 and lines[at - 1].strip() == "":
                at -= 1
        return "\n".join([*lines[:at], *block, *lines[at:]])
    end = next((i for i in headings if i > found), len(lines))
    kept = [lines[line.index] for line in parsed if found < line.index < end
            and (line.kind == "comment" or (line.kind == "note" and not line.text.startswith("> said:")))]
    closing = [""] if end < len(lines) or (end > found + 1 and lines[end - 1].strip() == "") else []
    new_body = ["", words, *(["", *kept] if kept else []), *closing]
    return "\n".join([*lines[:found + 1], *new_body, *lines[end:]])
