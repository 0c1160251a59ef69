"""Live reload: which scenes a changed file under scenes/ or engine/ affects, and a thread that looks.

A scene is affected by its own module and by every project module that module imports, directly or
through others (read from the import statements, without importing anything), so an edit to
scenes/feedforward/intro.py re-renders the title card only, one to scenes/kit/base.py or engine/ every scene.
"""
from __future__ import annotations

import ast
import threading
from pathlib import Path
from typing import Callable

from scenes.catalog import current

PACKAGES = ("scenes", "engine")


def module_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, known: set[str], package: str) -> set[str]:
    """The project modules a file imports (`from engine import x` is engine and engine.x when that is a
    module; `from .x import y` inside `package` is package.x)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]) if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            names = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        else:
            continue
        found.update(name for name in names if name in known)
    return found


def watched(root: Path) -> list[tuple[Path, Path]]:
    """(a folder of modules, the folder their import names start from): the tool's scenes/ and engine/,
    and each lecture folder outside the tool (docs/lecture-folders.md), imported by its folder's name."""
    return [*((root / package, root) for package in PACKAGES),
            *((lecture.folder, lecture.folder.parent) for lecture in current().lectures if not lecture.built_in)]


def named(path: Path, root: Path) -> str | None:
    """A watched file's module name, or None when it is in no watched folder."""
    for folder, base in watched(root):
        if path.is_relative_to(folder):
            return module_of(path, base)
    return None


def affected_scenes(changed: list[Path], root: Path) -> list[str]:
    """The ids of the scenes whose module is, or imports (transitively), one of the changed files."""
    files = {module_of(p, base): p for folder, base in watched(root) for p in folder.rglob("*.py")}
    graph = {name: imports_of(path, set(files), name if path.name == "__init__.py" else name.rpartition(".")[0])
             for name, path in files.items()}
    for name, path in files.items():  # a package loads its modules lazily (engine's names): it depends on them all
        if path.name == "__init__.py":
            graph[name] |= {m for m in files if m.startswith(name + ".")}
    changed_modules = {named(p, root) for p in changed} - {None}

    def reaches(module: str, seen: set[str]) -> bool:
        if module in changed_modules:
            return True
        seen.add(module)
        return any(reaches(m, seen) for m in graph.get(module, ()) if m not in seen)

    return [s.id for s in current().scenes if reaches(s.module, set())]


class Watcher(threading.Thread):
    """Polls the modification times of scenes/, engine/ and the lecture folders outside the tool every
    `interval` s; calls
    `on_change(scene ids, changed paths)` after a change (an editor's save is one change), and
    `on_script(lecture ids)` after a lecture's script.md changed."""

    def __init__(self, root: Path, on_change: Callable[[list[str], list[str]], None], interval: float = 0.5,
                 on_script: Callable[[list[str]], None] | None = None):
        super().__init__(name="studio-watch", daemon=True)
        self.root, self.on_change, self.interval, self.on_script = root, on_change, interval, on_script
        self.stopped = threading.Event()

    def snapshot(self) -> dict[Path, int]:
        times = {}
        for folder, _ in watched(self.root):
            for path in folder.rglob("*.py"):
                try:
                    times[path] = path.stat().st_mtime_ns
                except OSError:  # removed meanwhile
                    continue
        return times

    def scripts(self) -> dict[str, int | None]:
        """Each lecture's script file (`script.md` in its folder): its modification time, None while there is none."""
        times: dict[str, int | None] = {}
        for lecture in current().lectures:
            try:
                times[lecture.id] = lecture.script_file.stat().st_mtime_ns
            except OSError:
                times[lecture.id] = None
        return times

    def run(self) -> None:
        seen, scripts = self.snapshot(), self.scripts()
        while not self.stopped.wait(self.interval):
            if self.on_script is not None:  # a script file saved in an editor: the lectures whose narration may have changed
                now = self.scripts()
                if now != scripts:
                    changed_lectures, scripts = sorted(k for k in now if now[k] != scripts.get(k)), now
                    try:
                        self.on_script(changed_lectures)
                    except Exception:  # noqa: BLE001 - a scene that no longer imports: watching goes on
                        pass
            current = self.snapshot()
            if current == seen:
                continue
            changed = sorted(p for p in set(current) | set(seen) if current.get(p) != seen.get(p))
            seen = current
            scenes = affected_scenes(changed, self.root)
            self.on_change(scenes, [(p.relative_to(self.root) if p.is_relative_to(self.root) else p).as_posix()
                                    for p in changed])
