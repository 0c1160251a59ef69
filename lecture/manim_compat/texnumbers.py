"""Plain numbers set in MathTex without a LaTeX run: their SVG is written from the glyphs of one reference
document, as LaTeX would have written it.

A changed option (a network size, a formula) brings new numbers, and each was a LaTeX document of its own
(`0.00118` too): a preview of mlp-backward with a new `--layers` wrote 585 of them and waited 77 s. In math
mode TeX sets a plain number (digits, a decimal point, a leading minus, `{,}` between thousands) glyph
after glyph at each glyph's width, with no kerning between them, so the number's page is the reference
document's glyphs placed at their advances. The reference, `-0123456789.{,}0` in the same template and
environment, is typeset once (by manim, into its TeX cache) and read here; from then on a number's SVG is
written beside its `.tex`, where manim would have put LaTeX's, and manim reads it as its own.
tests/test_texnumbers.py holds the outlines equal to LaTeX's.

manim internals relied on (0.21.0): `manim.mobject.text.tex_mobject` calls `tex_to_svg_file` by that name
(replaced there); `generate_tex_file` names the SVG; MathTex's `\\special{dvisvgm:raw <g id=...>}` groups;
dvisvgm's SVG (`<path id>` glyphs in `<defs>`, `<use x y xlink:href>` on the page).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

from manim import config
from manim.mobject.text import tex_mobject
from manim.utils.tex import TexTemplate
from manim.utils.tex_file_writing import generate_tex_file

from lecture.manim_compat import require_written_for
from lecture.manim_compat.latexcache import latex_svg_file
from lecture.output.publish import write_text_atomic

require_written_for()

# every character a plain number is made of, each once (the 0s end the comma and the times sign); the times
# sign on a row of its own, where it starts the formula and so is an ordinary symbol, as in "\times 0.5"
REFERENCE = r"-0123456789.{,}0 \\ \times 0"
CHARACTERS = re.compile(r"\\times ?|\{,\}|[-0-9.,]")
# a leading minus or times sign is an ordinary symbol in TeX (after a digit or the times sign, a minus is an
# operator, spaced); a lone comma is DecimalNumber's thousands separator, set alone
UNSIGNED = r"(?:[0-9]+(?:\{,\}[0-9]{3})*)?\.?[0-9]*"
NUMBER = re.compile(rf"-?{UNSIGNED}|\\times ?{UNSIGNED}|,")
GROUP = re.compile(r"\\special\{dvisvgm:raw <g id='(\w+)'>\}(.*)\\special\{dvisvgm:raw </g>\}")
GROUP_TEX = r"\special{{dvisvgm:raw <g id='{group}'>}}{tex}\special{{dvisvgm:raw </g>}}"
SVG, XLINK = "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"
SP_PER_BP = 65536 * 72.27 / 72  # TeX's scaled points in one of dvisvgm's units


class Font:
    """The reference document's glyphs: each character's outline, its advance, and the baseline."""

    def __init__(self, svg: str) -> None:
        root = ElementTree.fromstring(svg)
        self.header = svg[:svg.index("<!--")] + "<!-- set by lecture/manim_compat/texnumbers.py from dvisvgm's glyphs -->\n"
        self.paths = {p.get("id"): p.get("d") for p in root.iter(f"{{{SVG}}}path")}
        uses = list(root.iter(f"{{{SVG}}}use"))
        characters = [c.strip() for c in CHARACTERS.findall(REFERENCE)]
        if len(uses) != len(characters):
            raise ValueError(f"the reference number set as {len(uses)} glyphs, not {len(characters)}")
        self.baseline = uses[0].get("y")
        self.glyph = {c: u.get(f"{{{XLINK}}}href")[1:] for c, u in zip(characters, uses)}
        self.glyph[","] = self.glyph["{,}"]
        xs = [float(u.get("x")) for u in uses]
        # whole scaled points, as TeX places them (dvisvgm prints six decimals); each row's last glyph has none
        self.advance = {c: round((b - a) * SP_PER_BP) for c, a, b, u, v in zip(characters, xs, xs[1:], uses, uses[1:])
                        if u.get("y") == v.get("y")}
        self.height = root.get("height")

    def page(self, number: str, group: str | None) -> str:
        """The SVG dvisvgm writes for `number` set alone (up to where the page sits, which centring undoes)."""
        characters = [c.strip() for c in CHARACTERS.findall(number)]
        uses, x = [], 0
        for c in characters:
            uses.append(f"<use x='{x / SP_PER_BP:.6f}' y='{self.baseline}' xlink:href='#{self.glyph[c]}'/>")
            x += self.advance.get(c, 0)  # a lone comma: nothing after it
        width = f"{x / SP_PER_BP:.6f}"
        defs = "".join(f"<path id='{g}' d='{self.paths[g]}'/>\n" for g in dict.fromkeys(self.glyph[c] for c in characters))
        body = "\n".join(uses)
        if group:
            body = f"<g id='{group}'>\n{body}\n</g>"
        return (f"{self.header}<svg version='1.1' xmlns='{SVG}' xmlns:xlink='{XLINK}' width='{width}pt' "
                f"height='{self.height}' viewBox='0 -{self.height[:-2]} {width} {self.height[:-2]}'>\n"
                f"<defs>\n{defs}</defs>\n<g id='page1'>\n{body}\n</g>\n</svg>")


def plain_number(expression: str) -> tuple[str, str | None] | None:
    """(the number, its MathTex group id or None) when `expression` is a plain number, else None."""
    group = None
    wrapped = GROUP.fullmatch(expression)
    if wrapped:
        group, expression = wrapped.groups()
    return (expression, group) if expression and NUMBER.fullmatch(expression) else None


@lru_cache(maxsize=None)
def font(svg_file: Path) -> Font:
    return Font(svg_file.read_text())


def tex_to_svg_file(expression: str, environment: str | None = None,
                    tex_template: TexTemplate | None = None) -> Path:
    """manim's `tex_to_svg_file`, except that a plain number's SVG is written from the reference's glyphs."""
    number = plain_number(expression)
    if number is None:
        return latex_svg_file(expression, environment, tex_template)
    template = tex_template or config["tex_template"]
    svg_file = generate_tex_file(expression, environment, template).with_suffix(".svg")
    if not svg_file.exists():
        # the group (MathTex's) changes no glyph: one reference with it, one without
        reference = REFERENCE if number[1] is None else GROUP_TEX.format(group="unique000", tex=REFERENCE)
        reference_svg = latex_svg_file(reference, environment, template)  # typeset once, then in manim's cache
        write_text_atomic(svg_file, font(reference_svg).page(*number))
    return svg_file


def install() -> None:
    """From now on, in this process, MathTex sets plain numbers without LaTeX."""
    tex_mobject.tex_to_svg_file = tex_to_svg_file  # manim: SingleStringMathTex calls it by this module-level name
