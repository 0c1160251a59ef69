"""`lecture new ID`: a lecture folder that renders and narrates at once (a lecture.toml, a title card and
one example scene built from the kit and widgets), and what to edit next.

It never overwrites a file the lecturer changed: it keeps a hash of each file it wrote in
`.lecture-new.json`, and with `--force` writes again only the files that still have their hash.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import click

from lecture import UserError
from lecture.cli.app import cli
from lecture.options.table import options_for
from scenes.catalog import FILE_NAME, current
from scenes.catalog.folder import ID, LectureFileError, lecture_text, read_lecture

TEMPLATES = Path(__file__).resolve().parent / "new_templates"
RECORD = ".lecture-new.json"  # file name -> sha256 of what `lecture new` wrote


def folder_files(lecture_id: str) -> dict[str, str]:
    """The new lecture's files, by name."""
    title = " ".join(word.capitalize() for word in lecture_id.split("-"))
    scenes = [{"id": f"{lecture_id}-title", "module": "title", "class": "TitleScene", "cost": 3},
              {"id": f"{lecture_id}-example", "module": "example", "class": "ExampleScene",
               "title": "A computational graph and its loss", "uses": ["example"], "cost": 8}]
    card = {"kicker": "A lecture", "outline": [["An example", "a computational graph, and its loss"]],
            "welcome": f"Welcome to {title}.",
            "plan": "Here is the plan: ^first, an example: a computational graph, and the loss it computes."}
    options = {"w": {"help": "The weight w of the example's neuron.", "kind": "number", "default": 0.5, "min": -5,
                     "max": 5, "uses": ["example"]}}
    toml = ("# A lecture folder (the tool's docs/lecture-folders.md). Edit the title, the card, the scenes and\n"
            "# their options; each [[scenes]] entry names a class in a module of this folder.\n"
            + lecture_text(lecture_id, title, scenes, card=card, options=options))
    example = (TEMPLATES / "example.py").read_text().replace("{scene_id}", f"{lecture_id}-example")
    return {FILE_NAME: toml, "__init__.py": f'"""The lecture {title}: its scenes, found by its lecture.toml."""\n',
            "title.py": (TEMPLATES / "title.py").read_text(), "example.py": example}


def digest(text: bytes) -> str:
    return hashlib.sha256(text).hexdigest()


def kept_files(folder: Path, files: dict[str, str]) -> set[str]:
    """The files already there that the lecturer wrote or changed: those `lecture new` did not write as they are."""
    try:
        record = json.loads((folder / RECORD).read_text())
    except (OSError, ValueError):
        record = {}
    return {name for name in files if (folder / name).exists()
            and record.get(name) != digest((folder / name).read_bytes())}


def write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@cli.command()
@click.argument("lecture_id", metavar="ID")
@options_for("new")
def new(lecture_id: str, notebook: Path | None, folder: Path, force: bool) -> None:
    """Write a new lecture folder DIR/ID (a title card and one example scene) that renders and narrates
    at once, and print what to edit; `lecture list` and the studio list it. With --from NOTEBOOK.ipynb,
    the folder is a draft of the notebook's lecture instead."""
    if notebook is not None:
        from lecture.notebook.new import new_from_notebook  # nbformat: only when drafting

        click.echo(new_from_notebook(lecture_id, notebook, folder, force).summary(folder))
        return
    if not ID.match(lecture_id):
        raise UserError(f"lecture new {lecture_id!r}: an id is lower-case letters, digits and hyphens, e.g. my-lecture")
    target = folder / lecture_id.replace("-", "_")
    known = current().lecture_by_id.get(lecture_id)
    if known is not None and known.folder != target.resolve():
        raise UserError(f"lecture new {lecture_id}: a lecture {lecture_id!r} already exists ({known.folder / FILE_NAME}); "
                        "choose another id")
    if target.exists() and not force:
        raise UserError(f"{target}: exists; choose another id, or --force to write again the files you have not changed")
    files = folder_files(lecture_id)
    kept = kept_files(target, files)
    target.mkdir(parents=True, exist_ok=True)
    record = {}
    for name, text in files.items():
        if name not in kept:
            write_atomic(target / name, text)
            record[name] = digest(text.encode("utf-8"))
    write_atomic(target / RECORD, json.dumps(record, indent=2) + "\n")
    try:
        read_lecture(target)
    except LectureFileError as err:  # a lecture.toml the lecturer kept, and broke
        raise UserError(str(err)) from None
    report(target, lecture_id, files, kept, folder)


def report(target: Path, lecture_id: str, files: dict[str, str], kept: set[str], folder: Path) -> None:
    what = {FILE_NAME: "title, the title card's outline and narration, the scenes in order, their options",
            "example.py": "the example scene: its picture, its beats and their narration",
            "title.py": "the title card, drawn from lecture.toml (nothing to edit)",
            "__init__.py": "makes the folder a package"}
    click.echo(f"wrote {target}/ (lecture {lecture_id}):")
    for name in files:
        click.echo(f"  {name:<14}{what[name]}" + ("  [kept: you changed it]" if name in kept else ""))
    found_here = folder.resolve() == Path("lectures").resolve()
    look = "" if found_here else f" --lectures {folder}"
    click.echo("next:")
    click.echo(f"  lecture list{look}")
    click.echo(f"  lecture render{look} --lecture {lecture_id} all -q l --voice joe")
    click.echo(f"  lecture studio{look}")
