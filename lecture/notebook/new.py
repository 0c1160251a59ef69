"""`lecture new ID --from NOTEBOOK.ipynb`: check the request, draft, write the folder, say what to do next."""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from lecture import UserError
from lecture.notebook.folder import write_folder
from lecture.notebook.model import Draft
from lecture.notebook.structure import draft_notebook
from scenes.catalog import current

ID = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Drafted:
    folder: Path
    draft: Draft
    kept: list[str]  # files the lecturer had changed: kept, the new draft beside them as NAME.new

    def summary(self, directory: Path = Path("lectures")) -> str:
        """What was drafted and the next commands (with --lectures when DIR is not ./lectures)."""
        engine = [s for s in self.draft.scenes if s.engine]
        beats = sum(len(s.beats) for s in self.draft.scenes)
        lines = [f"drafted {self.folder}: {len(self.draft.scenes)} scenes, {beats} beats"
                 + (f", {len(engine)} animated by the engine ({', '.join(s.engine for s in engine)})" if engine else ""),
                 f"  {len(self.draft.notes)} notes in {self.folder / 'NOTES.md'} (left out, replaced or to check)"]
        lines += [f"  kept your {name}; the new draft of it is {name}.new" for name in self.kept]
        lecture_id = self.folder.name.replace("_", "-")
        look = "" if directory.resolve() == Path("lectures").resolve() else f" --lectures {shlex.quote(str(directory))}"
        lines += [f"  look:   lecture preview{look} {self.draft.scenes[0].id} --storyboard",
                  f"  video:  lecture video{look} --lecture {lecture_id} --voice joe",
                  f"  edit:   {self.folder / 'draft.json'} (what beats show), {self.folder / 'script.md'} (what they say)"]
        return "\n".join(lines)


def folder_for(lecture_id: str, directory: Path) -> Path:
    """Where `lecture new` puts lecture ID: DIR/ID_WITH_UNDERSCORES (the folder name is a package name)."""
    if not ID.match(lecture_id):
        raise UserError(f"lecture id {lecture_id!r} must start with a letter and hold only lower-case letters, "
                        "digits and hyphens, e.g. my-lecture")
    return directory / lecture_id.replace("-", "_")


def new_from_notebook(lecture_id: str, notebook: Path, directory: Path, force: bool) -> Drafted:
    """Draft lecture `lecture_id` from `notebook` into DIR/ID; nothing is written on any problem."""
    folder = folder_for(lecture_id, directory)
    if folder.exists() and not force:
        raise UserError(f"{folder} already exists; pass --force to draft it again (files you changed are kept)")
    if notebook.suffix.lower() != ".ipynb" and not notebook.is_file():
        raise UserError(f"{notebook}: no such notebook; give the path of an .ipynb file")
    catalog = current()
    taken = {s.id for lecture in catalog.lectures if lecture.id != lecture_id for s in (*lecture.scenes, *lecture.extras)}
    if lecture_id in catalog.lecture_by_id and (catalog.lecture_by_id[lecture_id].folder or Path()).resolve() != folder.resolve():
        raise UserError(f"lecture id {lecture_id!r} is already {catalog.lecture_by_id[lecture_id].folder}'s; choose another id")
    draft = draft_notebook(notebook, taken, prefix=lecture_id)
    kept = write_folder(draft, folder, lecture_id, notebook, force)
    return Drafted(folder, draft, kept)
