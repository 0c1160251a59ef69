"""A notebook's cells as a lecture: headings of level 1-2 start scenes, lower headings and paragraphs
start beats; a paragraph just before a formula or a code cell is what is said while it is shown."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lecture import UserError
from lecture.notebook import cells as code_cells
from lecture.notebook import latex, speech
from lecture.notebook.engine_scenes import engine_scenes
from lecture.notebook.markdown import Block, blocks
from lecture.notebook.model import Beat, Draft, DraftScene
from lecture.notebook.read import read_notebook

MAX_BEAT_CHARS = 600  # a paragraph longer than this (about 40 s of speech) is cut into beats at sentences
LONG_ITEM = 160  # list items longer than this are a beat each
EQUATION_NAME = re.compile(r"\b(?:(?:the|this|that|a|our)\s+(?:following\s+)?(?:composite\s+)?"
                           r"(?:function|formula|equation|rule|update|gradient vector|gradient))\b", re.I)


@dataclass
class Item:
    """One thing in reading order: a markdown block, or a code cell (`cell`, its number `index`)."""
    kind: str
    block: Block | None = None
    cell: Any = None
    index: int = 0


def slug(text: str, limit: int = 40) -> str:
    """ASCII, lower case, words joined by '-': 'Gradient vector#' -> 'gradient-vector'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    whole = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return whole if len(whole) <= limit else whole[:limit + 1].rsplit("-", 1)[0]


def clean_title(text: str) -> str:
    """A heading as a title: markdown and trailing anchors ('#', '¶') removed."""
    return speech.plain(re.sub(r"\s*\^\{[^}]*\}\s*$", "", text)).rstrip("#¶: ").strip() or "Untitled"


def items_of(notebook) -> tuple[list[Item], list[str]]:
    items, notes = [], []
    for index, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "markdown":
            items.extend(Item("block", block=b, index=index) for b in blocks(code_cells.source(cell)))
        elif cell.cell_type == "code":
            reason = code_cells.left_out(cell)
            if reason and reason != "empty":
                first = code_cells.source(cell).strip().splitlines()[0][:60]
                notes.append(f"cell {index}: code left out, {reason}: {first}")
            elif not reason:
                items.append(Item("code", cell=cell, index=index))
        # raw cells are for nbconvert, not for a lecture: nothing to say or show
    return items, notes


def sentences(text: str, limit: int = MAX_BEAT_CHARS) -> list[str]:
    """`text` in pieces of whole sentences, each at most about `limit` characters."""
    pieces: list[str] = []
    for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])", text):
        if pieces and len(pieces[-1]) + 1 + len(s) <= limit:
            pieces[-1] += " " + s
        else:
            pieces.append(s)
    return [p for p in pieces if p.strip()]


def first_sentence(text: str, limit: int = 90) -> str:
    head = re.split(r"(?<![ .]i\.e\.)(?<![ .]e\.g\.)(?<=[.!?])\s+(?=[A-Z])", text, maxsplit=1)[0]
    return head if len(head) <= limit else head[:limit - 1].rsplit(" ", 1)[0] + "…"


def point(narration: str, pattern: re.Pattern[str] | str, name: str) -> str:
    """Narration with the first match of `pattern` made a pointing phrase `[words](name)`."""
    match = re.search(pattern, narration) if isinstance(pattern, re.Pattern) else None
    if match is None and isinstance(pattern, str):
        at = narration.find(pattern)
        match_span = (at, at + len(pattern)) if at >= 0 else None
    else:
        match_span = match.span() if match else None
    if not match_span:
        return narration
    a, b = match_span
    inside = narration[a:b]
    if "[" in inside or "]" in inside or not inside.strip():
        return narration
    return f"{narration[:a]}[{inside}]({name}){narration[b:]}"


class Drafter:
    """Walks the items once, building scenes; `notes` collect what a lecturer must look at."""

    def __init__(self, title: str, taken: set[str], prefix: str = "") -> None:
        self.title, self.taken, self.prefix = title, set(taken), prefix
        self.scenes: list[DraftScene] = []
        self.notes: list[str] = []
        self.images: dict[str, bytes] = {}
        self.scene: DraftScene | None = None
        self.pending_engine: list[DraftScene] = []
        self.subtitle = ""
        self.new_subtitle = ""
        self.title_said = False

    # --- scenes -----------------------------------------------------------------------------
    def unique(self, base: str) -> str:
        base = "-".join(p for p in (self.prefix, base or "scene") if p)
        name, n = base, 2
        while name in self.taken:
            name, n = f"{base}-{n}", n + 1
        self.taken.add(name)
        return name

    def open_scene(self, title: str, where: str) -> None:
        self.close_scene()
        self.scene = DraftScene(self.unique(slug(title)), title, source=where)
        self.subtitle = self.new_subtitle = ""

    def close_scene(self) -> None:
        if self.scene is not None:
            if not self.scene.beats:
                self.add_beat(speech.sentence(self.scene.title), {"kind": "title"})
            self.scenes.append(self.scene)
        self.scenes.extend(self.pending_engine)
        self.pending_engine = []
        self.scene = None

    def ensure_scene(self, where: str) -> None:
        if self.scene is None:  # content before the first section heading
            self.open_scene("Introduction" if self.scenes or self.title_said else self.title, where)

    def add_beat(self, narration: str, show: dict[str, Any], words: str = "", ready: bool = False) -> None:
        """A beat; the subtitle a lower heading started is said first and shown above. `narration` is
        plain text, or a template already (`ready`: braces doubled, pointing marks in it)."""
        assert self.scene is not None
        heading = self.new_subtitle
        narration = narration if ready else speech.template(narration)
        said = " ".join(p for p in (speech.template(speech.sentence(heading)) if heading else "", narration) if p).strip()
        said = said or speech.template(speech.sentence(self.subtitle or self.scene.title))
        self.new_subtitle = ""
        n = len(self.scene.beats) + 1
        name = f"beat_{n:02d}_" + (slug(words or heading or show.get("kind", "beat"), 24).replace("-", "_") or "beat")
        self.scene.beats.append(Beat(name, said, {**show, "subtitle": self.subtitle}))

    # --- items ------------------------------------------------------------------------------
    def run(self, items: list[Item]) -> None:
        i = 0
        while i < len(items):
            item = items[i]
            nxt = items[i + 1] if i + 1 < len(items) else None
            where = f"cell {item.index}"
            if item.kind == "block" and item.block.kind == "heading":
                self.heading(item.block, where)
            elif item.kind == "block" and item.block.kind == "equation":
                i = self.equations(items, i, lead="")
                continue
            elif item.kind == "code":
                self.ensure_scene(where)
                self.code(item, lead="", lead_code=[])
            elif item.kind == "block" and item.block.kind == "paragraph":
                self.ensure_scene(where)
                text = item.block.text
                plain = speech.plain(text)
                if re.fullmatch(r"(\*\*|__)[^*_]+\1:?", text.strip()) or (len(plain) < 40 and plain.endswith(":") and nxt and nxt.kind == "block" and nxt.block.kind == "list"):
                    self.subheading(plain.rstrip(":"))
                elif nxt and nxt.kind == "code":
                    self.code(nxt, lead=plain, lead_code=re.findall(r"`+([^`]+)`+", text))
                    i += 2
                    continue
                elif nxt and nxt.kind == "block" and nxt.block.kind == "equation":
                    i = self.equations(items, i + 1, lead=plain)
                    continue
                else:
                    self.prose(plain, speech.emphasised(text))
            elif item.kind == "block" and item.block.kind == "list":
                self.ensure_scene(where)
                self.listing(item.block.items)
            elif item.kind == "block" and item.block.kind == "image":
                alt = item.block.text or "no alt text"
                self.notes.append(f"{where}: an image is not shown; its alt text: {alt}")
            i += 1
        self.close_scene()

    def heading(self, block: Block, where: str) -> None:
        title = clean_title(block.text)
        if block.level <= 2:
            if block.level == 1 and title == self.title and self.scene is None and not self.scenes:
                self.title_said = True
                return  # the lecture's own title: its title card says it
            self.open_scene(title, where)
        else:
            self.ensure_scene(where)
            self.subheading(title)

    def subheading(self, title: str) -> None:
        self.subtitle = self.new_subtitle = title.rstrip(":")

    def prose(self, text: str, terms: list[str]) -> None:
        terms = [t.rstrip(":") for t in terms if len(t.rstrip(":")) > 3][:4]
        if len(terms) == 1 and " " not in terms[0]:
            terms = []  # one bold word ("towards") says less than the picture before it
        for n, piece in enumerate(sentences(text)):
            self.add_beat(piece, {"kind": "prose", "terms": terms if n == 0 else [],
                                  "text": first_sentence(piece)}, words=first_sentence(piece, 24))

    def listing(self, entries: tuple[str, ...]) -> None:
        said = [speech.sentence(speech.capital(speech.plain(e))) for e in entries if speech.plain(e)]
        if any(len(s) > LONG_ITEM for s in said):
            for s in said:
                self.prose(s, [])
            return
        self.add_beat(" ".join(said), {"kind": "list", "items": [first_sentence(s, 70) for s in said]})

    def equations(self, items: list[Item], i: int, lead: str) -> int:
        """Consecutive display formulas as one beat (rows stacked); the beat transforms from the one
        before when only its lead-in stood between them. Returns the index after them."""
        self.ensure_scene(f"cell {items[i].index}")
        rows: list[dict[str, Any]] = []
        while i < len(items) and items[i].kind == "block" and items[i].block.kind == "equation":
            source = items[i].block.text
            problem = latex.problem(source)
            if problem:
                self.notes.append(f"cell {items[i].index}: a formula is shown as text, LaTeX would refuse it "
                                  f"({problem}): {' '.join(source.split())[:80]}")
                rows.append({"tex": " ".join(source.split()), "terms": [], "ok": False})
            else:
                rows.extend({"tex": r, "terms": latex.terms(r), "ok": True} for r in latex.rows(source))
            i += 1
        previous = self.scene.beats[-1].show if self.scene.beats else {}
        follows = previous.get("kind") == "equation" and len(previous["rows"]) == 1 and len(rows) == 1
        narration = lead or ("These formulas." if len(rows) > 1 else "This formula.")
        narration = speech.template(narration)
        narration = point(narration, EQUATION_NAME, "formula") if "](" not in narration else narration
        if "](formula)" not in narration:
            narration = narration.rstrip() + " [Here it is](formula)." if not lead else narration
        self.add_beat(narration, {"kind": "equation", "rows": rows, "transform": follows},
                      words=lead[:24] or "formula", ready=True)
        return i

    def code(self, item: Item, lead: str, lead_code: list[str]) -> None:
        cell, where = item.cell, f"cell {item.index}"
        source = code_cells.source(cell)
        lines = code_cells.shown_lines(source)
        out = code_cells.printed(cell)
        self.notes.extend(f"{where}: {note}" for note in out.notes)
        image = None
        for k, png in enumerate(out.images):
            file = f"cell-{item.index}-{k + 1}.png"
            self.images[file] = png
            image = image or file
        parts = code_cells.parts(lines)
        functions, classes = code_cells.defined_names(source)
        described = describe(functions, classes)
        for n, part in enumerate(parts):
            last = n == len(parts) - 1
            said = lead if n == 0 else ""
            if not said:
                said = described if n == 0 else "The code goes on."
            if n == 0 and lead and (functions or classes) and not any(name in lead for name in functions + classes):
                said += " " + described
            if last and (out.lines or image):
                said += " Under it, what it printed." if out.lines else " Under it, the picture it drew."
            narration, mark = speech.template(said), None
            for token in lead_code if n == 0 else []:
                at = next((k for k, line in enumerate(part) if token.strip(".()") and token.strip(".()") in line), None)
                if at is not None and token in narration:
                    narration, mark = point(narration, token, "line"), at
                    break
            self.add_beat(narration, {"kind": "code", "lines": part, "mark": mark, "cell": item.index,
                                      "part": [n + 1, len(parts)],
                                      "printed": out.lines if last else [], "image": image if last else None},
                          words=(functions + classes + ["code"])[0], ready=True)
        found, skipped = engine_scenes(source)
        for f in found:
            for scene in f.scenes:
                sid = self.unique(f"{self.scene.id.removeprefix(self.prefix + '-') if self.prefix else self.scene.id}-{scene}")
                self.pending_engine.append(DraftScene(sid, engine_title(scene), engine=scene, options=dict(f.options),
                                                      source=where))
            self.notes.append(f"{where}: animated by the engine: {f.why}")
        self.notes.extend(f"{where}: not animated: {s}" for s in skipped)


def describe(functions: list[str], classes: list[str]) -> str:
    names = [f"the class {c}" for c in classes] + [f"the function {f}" for f in functions]
    if not names:
        return "Here is the code."
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"This code defines {joined}."


def engine_title(scene: str) -> str:
    return {"gradient-field": "The gradient field of the notebook's function",
            "forward-graph": "The notebook's computation as a graph",
            "backprop": "Backpropagation through the notebook's computation"}.get(scene, scene)


def draft_notebook(path: Path, taken: set[str] = frozenset(), prefix: str = "") -> Draft:
    """The draft of a lecture from the notebook at `path`; scene ids start with `prefix` (the lecture's
    id: scene ids are unique across lectures) and avoid `taken`. Raises UserError."""
    notebook, notes = read_notebook(path)
    if not notebook.cells:
        raise UserError(f"{path}: the notebook has no cells; nothing to draft a lecture from")
    items, left_out = items_of(notebook)
    title = next((clean_title(it.block.text) for it in items if it.kind == "block" and it.block.kind == "heading"
                  and it.block.level == 1), None) or str(notebook.metadata.get("title") or "") or Path(path).stem
    drafter = Drafter(title, set(taken), prefix)
    drafter.run(items)
    if not drafter.scenes:
        raise UserError(f"{path}: the notebook has no prose, formulas or code to draft from (every cell is "
                        "empty or left out); add markdown or code cells")
    return Draft(title, drafter.scenes, [*notes, *left_out, *drafter.notes], drafter.images)
