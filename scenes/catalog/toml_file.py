"""Reading a TOML file a person wrote (a lecture's `lecture.toml`, a `--config` file): one place that turns
every way it can fail into words with the line, so each caller only adds which file it is and what to do."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any


class TomlProblem(Exception):
    """Why the file cannot be read, in words; `line` when TOML names one."""

    def __init__(self, words: str, line: int | None = None) -> None:
        super().__init__(words)
        self.words, self.line = words, line


def read_toml(path: Path) -> tuple[str, dict[str, Any]]:
    """(its text, its tables); a byte order mark is allowed (Notepad saves UTF-8 with one)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        return text, tomllib.loads(text)
    except UnicodeDecodeError as err:
        raise TomlProblem(f"not UTF-8 text (byte {err.start})") from None
    except FileNotFoundError:
        raise TomlProblem("no such file") from None
    except OSError as err:
        raise TomlProblem(f"cannot read it ({err.strerror or err})") from None
    except tomllib.TOMLDecodeError as err:
        found = re.search(r"^(.*) \(at line (\d+), column (\d+)\)$", str(err))
        if found:
            raise TomlProblem(f"not valid TOML: {found[1].lower()} (column {found[3]})", int(found[2])) from None
        raise TomlProblem(f"not valid TOML ({err})") from None
