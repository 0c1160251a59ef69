"""Open a notebook file as nbformat 4, validated; anything else is one line saying what is wrong."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

from lecture import UserError

MAX_FILE_BYTES = 200 * 1024 * 1024  # a notebook larger than this is mostly outputs we could not show anyway


KNOWN_CELLS = ("markdown", "code", "raw")


def read_notebook(path: Path) -> tuple[object, list[str]]:
    """The notebook at `path` as an nbformat 4 NotebookNode (version 3 converted), and notes on what
    was left out before validation: cells of a type Jupyter does not know (a newer tool's)."""
    import nbformat  # only drafting needs it
    import nbformat.warnings

    where = f"{path}"
    if not path.is_file():
        raise UserError(f"{where}: no such notebook file; give the path of an .ipynb file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise UserError(f"{where}: {path.stat().st_size / 2**20:.0f} MB is too large to draft from (at most "
                        f"{MAX_FILE_BYTES // 2**20} MB); clear its outputs (Cell > All Output > Clear) and try again")
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as err:
        raise UserError(f"{where}: not UTF-8 text (byte {err.start}); a notebook is a UTF-8 JSON file") from None
    except json.JSONDecodeError as err:
        raise UserError(f"{where}: not JSON (line {err.lineno}, column {err.colno}: {err.msg}); "
                        "is it an .ipynb notebook?") from None
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw or "nbformat" not in raw:
        raise UserError(f"{where}: JSON but not a Jupyter notebook (no 'nbformat' and 'cells'); "
                        "give an .ipynb file saved by Jupyter")
    major = raw.get("nbformat")
    if major not in (3, 4):
        raise UserError(f"{where}: notebook format {major!r} is not supported; save it with Jupyter 4 or later")
    notes = drop_unknown_cells(raw) if major == 4 and isinstance(raw.get("cells"), list) else []
    try:
        for quirk in (nbformat.warnings.MissingIDFieldWarning, nbformat.warnings.DuplicateCellId):
            warnings.filterwarnings("ignore", category=quirk)  # old or copied files: nbformat repairs the ids itself
        node = nbformat.from_dict(raw)
        if major == 3:
            nbformat.validate(node, version=3)
            node = nbformat.convert(node, 4)
        nbformat.validate(node)
    except nbformat.ValidationError as err:
        path_in = "/".join(str(p) for p in err.absolute_path) or "the top level"
        message = str(err.message).splitlines()[0][:160]
        raise UserError(f"{where}: not a valid notebook at {path_in}: {message}; "
                        "open and save it in Jupyter to repair it") from None
    except Exception as err:  # nbformat's converters raise plain errors on a broken v3 file
        raise UserError(f"{where}: cannot read it as a notebook ({type(err).__name__}: {str(err)[:120]})") from None
    return node, notes


def drop_unknown_cells(raw: dict) -> list[str]:
    """Leave out (before validation, which would refuse them) cells of a type Jupyter does not know; a note each."""
    notes, kept = [], []
    for i, cell in enumerate(raw["cells"], start=1):
        kind = cell.get("cell_type") if isinstance(cell, dict) else None
        if isinstance(kind, str) and kind not in KNOWN_CELLS:
            notes.append(f"cell {i}: left out, its type {kind!r} is not one Jupyter knows")
        else:
            kept.append(cell)
    raw["cells"] = kept
    return notes
