"""A markdown cell as blocks: headings, paragraphs, lists, display formulas, images and HTML.

Only what a lecture needs from CommonMark plus the notebook's LaTeX (`$$...$$`, `\\[...\\]`,
`\\begin{equation}`/`align`...`\\end`); enough for notebooks as people write them, not a full parser.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lecture.notebook.latex import ENVIRONMENTS

HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
ITEM = re.compile(r"^\s{0,3}(?:[*+-]|\d+[.)])\s+(.*)$")
RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)[^)]*\)")
HTML_IMAGE = re.compile(r"<img\b[^>]*?(?:alt\s*=\s*[\"']([^\"']*)[\"'])?[^>]*>", re.I)
BEGIN = re.compile(r"\\begin\{(" + "|".join(re.escape(e) for e in ENVIRONMENTS) + r")\}")


@dataclass(frozen=True)
class Block:
    kind: str  # heading, paragraph, list, equation, image, html
    text: str = ""  # heading/paragraph text, equation LaTeX, image alt text
    level: int = 0  # heading level
    items: tuple[str, ...] = ()  # list items


def display_math(lines: list[str], i: int) -> tuple[str, int] | None:
    """A display formula starting at line i: (its LaTeX, the line after it), or None."""
    line = lines[i].strip()
    for opener, closer in (("$$", "$$"), ("\\[", "\\]")):
        if line.startswith(opener):
            body, j = line[len(opener):], i
            while closer not in body:
                j += 1
                if j >= len(lines):
                    return None
                body += "\n" + lines[j]
            inner, _, _ = body.partition(closer)
            return inner.strip(), j + 1
    match = BEGIN.match(line)
    if match:
        end, j, body = f"\\end{{{match.group(1)}}}", i, line
        while end not in body:
            j += 1
            if j >= len(lines):
                return body, j
            body += "\n" + lines[j]
        return body[:body.index(end) + len(end)].strip(), j + 1
    return None


def blocks(source: str) -> list[Block]:
    """The blocks of one markdown cell, in order."""
    lines = source.replace("\r\n", "\n").split("\n")
    out: list[Block] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            text = " ".join(p.strip() for p in paragraph).strip()
            paragraph.clear()
            out.extend(split_inline_images(text))
        if items:
            out.append(Block("list", items=tuple(items)))
            items.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = re.sub(r"^\s{0,3}>\s?", "", line).strip()  # a quote reads as its text
        formula = display_math(lines, i) if stripped else None
        if not stripped or RULE.match(line):
            flush()
        elif formula:
            flush()
            out.append(Block("equation", formula[0]))
            i = formula[1]
            continue
        elif (m := HEADING.match(line)):
            flush()
            out.append(Block("heading", m.group(2).strip(), level=len(m.group(1))))
        elif (m := ITEM.match(line)):
            if paragraph:
                flush()
            items.append(m.group(1).strip())
        elif items and line.startswith((" ", "\t")):
            items[-1] += " " + stripped
        elif re.fullmatch(r"(<[^>]*>\s*)+", stripped) and not HTML_IMAGE.search(stripped):
            flush()  # layout HTML (<br/>, <div>): nothing to say
        else:
            if items:
                flush()
            paragraph.append(stripped)
        i += 1
    flush()
    return out


def split_inline_images(text: str) -> list[Block]:
    """A paragraph, with each image in it as an image block after it (its alt text kept)."""
    found = [Block("image", m.group(1).strip()) for m in IMAGE.finditer(text)]
    found += [Block("image", (m.group(1) or "").strip()) for m in HTML_IMAGE.finditer(text)]
    rest = HTML_IMAGE.sub("", IMAGE.sub("", text))
    rest = re.sub(r"<[^>]+>", " ", rest).strip()
    return ([Block("paragraph", rest)] if rest else []) + found
