"""A draft written as a lecture folder: lecture.toml, draft.json (what the drafted scenes show and
say), drafted.py (two lines: the classes, made by scenes/widgets/drafted.py), script.md (the narration
to edit), NOTES.md (what was done, left out or failed: the lecturer's list) and images/.

Written whole or not at all: every file is made in a temporary folder beside the target first.
Drafting again (`--force`) replaces only files the draft wrote and nobody changed since (their hashes
are kept in .drafted.json); a changed file is kept, the new draft of it written beside it as NAME.new.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from lecture import UserError
from lecture.notebook.model import Draft
from scenes.catalog import LectureFileError, read_lecture
from scenes.catalog.folder import lecture_text
from scenes.catalog.model import SCRIPT_FILE
from scenes.widgets.drafted_names import class_name

MANIFEST = ".drafted.json"
MODULE = "drafted"
ENGINE_USES = {"gradient-field": ["function"], "forward-graph": ["graph"], "backprop": ["graph"]}
ENGINE_CLASSES = {"gradient-field": ("scenes.feedforward.gradients", "GradientFieldScene"),
                  "forward-graph": ("scenes.feedforward.autograd", "ForwardGraphScene"),
                  "backprop": ("scenes.feedforward.autograd", "BackpropScene")}  # the first lecture's scenes, reused


def module_text(draft: Draft) -> str:
    """drafted.py: the engine scenes it reuses imported, and the classes made from draft.json."""
    used = sorted({s.engine for s in draft.scenes if s.engine})
    imports = [f"from {ENGINE_CLASSES[e][0]} import {ENGINE_CLASSES[e][1]}" for e in used]
    mapping = ", ".join(f"{e!r}: {ENGINE_CLASSES[e][1]}" for e in used)
    return ('"""The drafted scenes: each renders its beats from draft.json (scenes/widgets/drafted.py)."""\n'
            + "".join(f"{line}\n" for line in sorted(set(imports)))
            + "from scenes.widgets.drafted import drafted_scenes\n\n"
            + f"globals().update(drafted_scenes(__file__, __name__, {{{mapping}}}))\n")


def engine_defaults(draft: Draft) -> tuple[dict, list[str]]:
    """The lecture's default options the engine scenes need (one function, one graph per lecture: a later
    one is noted, not used)."""
    defaults, notes = {}, []
    for scene in draft.scenes:
        if not scene.engine:
            continue
        clash = {k: v for k, v in scene.options.items() if k in defaults and defaults[k] != v}
        if clash:
            notes.append(f"{scene.id}: uses the lecture's first {', '.join(clash)}; one lecture has one of each, "
                         f"so {scene.options} is not drawn (copy the scene into a lecture of its own)")
            continue
        defaults.update(scene.options)
    return defaults, notes


def lecture_text_of(draft: Draft, lecture_id: str, package: str, defaults: dict) -> str:
    """lecture.toml, through the catalog's own writer: a title card, then every drafted scene in order."""
    chapters = [s for s in draft.scenes if not s.engine][:6]
    scenes = [{"id": f"{lecture_id}-title", "module": "title", "class": "TitleScene", "cost": 3}]
    for scene in draft.scenes:
        entry = {"id": scene.id, "module": MODULE, "class": class_name(scene.id), "title": scene.title}
        if scene.engine:
            entry["uses"] = ENGINE_USES.get(scene.engine, [])
        entry["cost"] = 20 if scene.engine else max(5, 4 * len(scene.beats))
        scenes.append(entry)
    card = {"outline": [[s.title.rstrip(":")] for s in chapters]}
    text = lecture_text(lecture_id, draft.title, scenes, card=card, defaults=defaults or None)
    return f"# Drafted from a notebook (`lecture new {lecture_id} --from ...`); edit freely: docs/notebooks.md\n" + text


def script_md(draft: Draft) -> str:
    """The narration as `lecture script` writes it: a scene per `##`, a beat per `###`."""
    out = [f"# {draft.title}", ""]
    for scene in draft.scenes:
        out += [f"## {scene.id}: {scene.title}", ""]
        if scene.engine:
            out += [f"<!-- the engine's {scene.engine} scene: its narration is that scene's own -->", ""]
        for beat in scene.beats:
            out += [f"### {beat.name}", beat.narration, ""]
    return "\n".join(out)


def notes_md(draft: Draft, lecture_id: str, notes: list[str], source: Path) -> str:
    engine = [s for s in draft.scenes if s.engine]
    out = [f"# Notes on the draft of {draft.title}", "",
           f"Drafted from `{source.name}` without running any of its code: the outputs are the ones stored in it.",
           f"Render it with `lecture video --lecture {lecture_id}`; edit `draft.json` (what each beat shows) or "
           "`script.md` (what it says, with `--script`).", "",
           "## Animated by the engine", ""]
    out += [f"- {s.id}: the {s.engine} scene with {s.options}" for s in engine] or ["- nothing: no function of x and y nor scalar requires_grad formula was found"]
    out += ["", "## Left out, replaced or to check", ""]
    out += [f"- {n}" for n in notes] or ["- nothing"]
    longest = max((s for s in draft.scenes if not s.engine), key=lambda s: len(s.beats), default=None)
    out += ["", "## Before publishing", "",
            "- Prose beats show the paragraph's bold terms or its first sentence: replace them with pictures.",
            "- The narration is the notebook's prose read aloud: shorten long sentences and asides in parentheses "
            "for the ear, and replace the generic sentences over code (\"This code defines ...\", \"The code goes on.\").",
            "- Code cells are shown whole, in parts of at most 14 lines: cut them to the lines the narration discusses.",
            "- Engine scenes keep their own narration; move each next to the paragraph that talks about its picture "
            "(a notebook's plot is not stored as a picture the draft can show).",
            *([f"- {longest.id} has {len(longest.beats)} beats: split it at a level-3 heading (a scene per idea)."]
              if longest and len(longest.beats) > 12 else []),
            "- Check each formula and code panel at 480p (`lecture preview SCENE --storyboard`) and run `lecture check`.", ""]
    return "\n".join(out)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files_of(draft: Draft, lecture_id: str, package: str, source: Path) -> dict[str, bytes]:
    defaults, clash_notes = engine_defaults(draft)
    data = {**draft.to_json(), "lecture": lecture_id}
    data["notes"] = [*draft.notes, *clash_notes]
    files = {
        "lecture.toml": lecture_text_of(draft, lecture_id, package, defaults),
        "__init__.py": '"""A lecture drafted from a notebook (lecture.toml, NOTES.md)."""\n',
        "draft.json": json.dumps(data, indent=1, ensure_ascii=False) + "\n",
        f"{MODULE}.py": module_text(draft),
        "title.py": ('"""The lecture\'s title card, drawn from lecture.toml\'s [card]."""\n'
                     "from scenes.kit.title import title_card\n\nTitleScene = title_card(__name__)\n"),
        SCRIPT_FILE: script_md(draft),
        "NOTES.md": notes_md(draft, lecture_id, data["notes"], source),
    }
    out = {name: text.encode("utf-8") for name, text in files.items()}
    out.update({f"images/{name}": png for name, png in draft.images.items()})
    return out


def write_folder(draft: Draft, folder: Path, lecture_id: str, source: Path, force: bool) -> list[str]:
    """Write the draft into `folder` (its name is the package name, a Python name); returns the files
    kept because the lecturer changed them. The folder is checked as the catalog reads it before any
    file is moved in."""
    if folder.exists() and not force:
        raise UserError(f"{folder} already exists; pass --force to draft it again (files you changed are kept)")
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} is a file, not a lecture folder; choose another id or move it")
    files = files_of(draft, lecture_id, folder.name, source)
    previous = {}
    try:
        previous = json.loads((folder / MANIFEST).read_text()) if (folder / MANIFEST).is_file() else {}
    except (OSError, ValueError):
        previous = {}
    folder.parent.mkdir(parents=True, exist_ok=True)
    outer = Path(tempfile.mkdtemp(prefix=f".draft-{folder.name}-", dir=folder.parent))
    staging = outer / folder.name  # the package's own name, so it reads as the catalog will read it
    kept: list[str] = []
    try:
        staging.mkdir()
        for name, data in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_bytes(data)
        try:
            read_lecture(staging)
        except LectureFileError as err:
            raise UserError(f"the draft does not read as a lecture folder ({err}); please report this") from None
        for name, data in files.items():
            target = folder / name
            if target.exists() and target.read_bytes() != data and previous.get(name) != digest(target.read_bytes()):
                kept.append(name)  # not what the draft wrote last time: the lecturer's, kept
                os.replace(staging / name, staging / (name + ".new"))
        manifest = {name: digest(data) for name, data in files.items() if name not in kept}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
        folder.mkdir(exist_ok=True)
        for path in sorted(p for p in staging.rglob("*") if p.is_file()):
            target = folder / path.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
    finally:
        shutil.rmtree(outer, ignore_errors=True)
    return kept
