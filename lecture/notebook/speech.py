"""Prose made speakable: markdown emphasis, links and code marks stripped, inline LaTeX as words
(`latex.words`), lists as sentences; the result is a narration template (braces doubled, no caret)."""
from __future__ import annotations

import html
import re

from lecture.notebook.latex import words

INLINE_MATH = re.compile(r"\\\((.+?)\\\)|(?<![\\$])\$(?!\$)(.+?)(?<!\\)\$")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
CODE = re.compile(r"`+([^`]+)`+")
EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")


def plain(text: str) -> str:
    """Markdown inline text as it reads: '**iterative** [docs](u) `x.grad` $x_0$' -> 'iterative docs x.grad x_0'."""
    code: list[str] = []

    def keep_code(m: re.Match) -> str:  # code spans are literal: shield them from emphasis and maths
        code.append(m.group(1).strip())
        return f"\x00{len(code) - 1}\x00"

    def keep_math(m: re.Match) -> str:
        code.append(words(m.group(1) or m.group(2)))
        return f"\x00{len(code) - 1}\x00"

    text = CODE.sub(keep_code, text)
    text = INLINE_MATH.sub(keep_math, text)
    text = LINK.sub(lambda m: m.group(1), text)
    for _ in range(2):
        text = EMPHASIS.sub(lambda m: m.group(2), text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!$])", r"\1", text)  # markdown escapes
    text = re.sub(r"<[^>]+>", " ", html.unescape(text)).replace("\\", " ")
    text = re.sub(r"\x00(\d+)\x00", lambda m: code[int(m.group(1))], text)
    text = text.replace("’", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


def sentence(text: str) -> str:
    """`text` ending as a sentence does."""
    text = text.strip()
    return text if not text or text[-1] in ".!?:" else text + "."


def list_sentences(items: tuple[str, ...]) -> str:
    """A list read aloud: each item a sentence of its own."""
    return " ".join(sentence(capital(plain(item))) for item in items if plain(item))


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def template(text: str) -> str:
    """Narration text as a beat template: literal braces doubled (`{x}` is a value there), carets
    before a letter spaced (`^word` is a bookmark), brackets that would read as a pointing mark broken."""
    text = text.replace("{", "{{").replace("}", "}}")
    text = re.sub(r"\^(?=[A-Za-z_])", "^ ", text)
    return re.sub(r"\](?=\()", "] ", text)


def emphasised(text: str) -> list[str]:
    """The phrases a paragraph puts in bold: its key terms, shown on screen beside the voice."""
    return [plain(m.group(2)) for m in re.finditer(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", text)]
