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

Nor is such a page parsed (`compose`): svgelements' parse and manim's path building cost about 20 ms a number,
most of a preview with a new `--layers` (mlp-backward at 3,6,6,5,1: 9 s of 26). Each glyph is parsed once per
process, from a page of its own, by the mobject's own methods; a number's submobjects are copies of its glyphs,
each moved by its advance, with the groups manim's parse names (`id_to_vgroup_dict`). The points equal the
parse's within 1e-12 units (the same sums in another order; tests/test_texnumbers.py).

manim internals relied on (0.21.0): `manim.mobject.text.tex_mobject` calls `tex_to_svg_file` by that name
(replaced there); `generate_tex_file` names the SVG; MathTex's `\\special{dvisvgm:raw <g id=...>}` groups;
dvisvgm's SVG (`<path id>` glyphs in `<defs>`, `<use x y xlink:href>` on the page); SVGMobject's
`init_svg_mobject` (wrapped), `generate_mobject` (what `compose` does instead: `modify_xml_tree`,
`get_mobjects_from`, the groups it names, the flip; its new root keeps no `viewBox`, so a glyph's points are the page's units).
"""
from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import svgelements as se
from manim import RIGHT, MathTex, VGroup, config
from manim.constants import SCALE_FACTOR_PER_FONT_POINT
from manim.mobject.svg.svg_mobject import SVGMobject
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
PARSED_BY = ("hash_seed", "generate_mobject", "modify_xml_tree", "get_mobjects_from")  # what `compose` stands in for


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

    def placed(self, number: str) -> tuple[list[tuple[str, str]], str]:
        """Each glyph of `number` with its x on the page (as dvisvgm prints it), and the page's width."""
        placed, x = [], 0
        for c in (c.strip() for c in CHARACTERS.findall(number)):
            placed.append((self.glyph[c], f"{x / SP_PER_BP:.6f}"))
            x += self.advance.get(c, 0)  # a lone comma: nothing after it
        return placed, f"{x / SP_PER_BP:.6f}"

    def page(self, number: str, group: str | None) -> str:
        """The SVG dvisvgm writes for `number` set alone (up to where the page sits, which centring undoes)."""
        placed, width = self.placed(number)
        return self._svg([f"<use x='{x}' y='{self.baseline}' xlink:href='#{g}'/>" for g, x in placed], width,
                         [g for g, _ in placed], group)

    def glyph_page(self, glyph: str) -> str:
        """A page with one glyph at x = 0 (what `compose` parses once per glyph)."""
        return self._svg([f"<use x='0.000000' y='{self.baseline}' xlink:href='#{glyph}'/>"], "1.000000", [glyph], None)

    def _svg(self, uses: list[str], width: str, glyphs: list[str], group: str | None) -> str:
        defs = "".join(f"<path id='{g}' d='{self.paths[g]}'/>\n" for g in dict.fromkeys(glyphs))
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


_pages: dict[str, tuple[Font, str, str | None]] = {}  # a number's SVG -> its glyphs, the number, its group
_glyphs: dict[tuple, object] = {}  # (font, glyph, the parse's settings) -> the glyph's mobject, parsed once


def tex_to_svg_file(expression: str, environment: str | None = None,
                    tex_template: TexTemplate | None = None) -> Path:
    """manim's `tex_to_svg_file`, except that a plain number's SVG is written from the reference's glyphs."""
    number = plain_number(expression)
    if number is None:
        return latex_svg_file(expression, environment, tex_template)
    template = tex_template or config["tex_template"]
    svg_file = generate_tex_file(expression, environment, template).with_suffix(".svg")
    # the group (MathTex's) changes no glyph: one reference with it, one without
    reference = REFERENCE if number[1] is None else GROUP_TEX.format(group="unique000", tex=REFERENCE)
    glyphs = font(latex_svg_file(reference, environment, template))  # typeset once, then in manim's cache
    if not svg_file.exists():
        write_text_atomic(svg_file, glyphs.page(*number))
    _pages[str(svg_file)] = (glyphs, *number)  # as MathTex names it: its `file_name`
    return svg_file


def compose(mob: SVGMobject) -> bool:
    """Build `mob` as `SVGMobject.generate_mobject` would from its page, if the page is a number set here by this
    process (else False): its glyphs' mobjects copied and moved by their advances, the groups named as manim's
    parse names them (`root`, the page's wrappers, MathTex's group, a `numbered_group_N` per glyph), flipped."""
    page = _pages.get(str(mob.file_name)) if getattr(mob, "file_name", None) else None
    cls = type(mob)
    if page is None or any(getattr(cls, name) is not getattr(SVGMobject, name) for name in PARSED_BY):
        return False
    glyphs, number, group = page
    placed, _ = glyphs.placed(number)
    mobjects = [_glyph(mob, glyphs, g).copy().shift([float(x), 0, 0]) for g, x in placed]
    # get_mobjects_from's groups: every element by its id or a running number, each holding the shapes under it
    holders = ["root", "numbered_group_0", "numbered_group_1", "numbered_group_2", "page1"] + ([group] if group else [])
    vgroups = {name: _group(*mobjects) for name in holders}
    for k, ((g, _), glyph) in enumerate(zip(placed, mobjects)):
        vgroups[f"numbered_group_{k + 3}"] = _group(glyph)
        vgroups[g] = _group()
    mob.add(*mobjects)
    mob.id_to_vgroup_dict = vgroups
    mob.flip(RIGHT)  # as generate_mobject flips y
    return True


_empty: list[VGroup] = []


def _group(*mobjects) -> VGroup:
    """`VGroup(*mobjects)`, from a copy of an empty one: a number has a group per glyph and five more, and a new
    VGroup works out its colours again (0.24 ms; a copy 0.03 ms)."""
    if not _empty:
        _empty.append(VGroup())
    return _empty[0].copy().add(*mobjects)


def _glyph(mob: SVGMobject, glyphs: Font, glyph: str):
    """One glyph's mobject as `mob`'s parse makes it (its style settings, its path settings), at x = 0, unflipped."""
    key = (id(glyphs), glyph, type(mob), repr(mob.svg_default), repr(mob.path_string_config))
    made = _glyphs.get(key)
    if made is None:
        tree = mob.modify_xml_tree(ElementTree.ElementTree(ElementTree.fromstring(glyphs.glyph_page(glyph))))
        data = io.BytesIO()
        tree.write(data)
        data.seek(0)
        (made,), _ = mob.get_mobjects_from(se.SVG.parse(data))
        made.path_obj = None  # as svgcache drops it: nothing reads it once the points are made, and copies copied it
        _glyphs[key] = made
    return made


# how MathTex parses its page: SVGMobject's default style, and the path settings SingleStringMathTex passes
MATHTEX_DEFAULT = {"color": None, "opacity": None, "fill_color": None, "fill_opacity": None, "stroke_width": 0,
                   "stroke_color": None, "stroke_opacity": None}
MATHTEX_PATHS = {"should_subdivide_sharp_curves": True, "should_remove_null_curves": True}


def extent(tex: str, font_size: float) -> tuple[float, float] | None:
    """The width and height of `MathTex(tex, font_size=font_size)` when `tex` is a plain number and numbers are set
    here (else None), from its glyphs' extents: nothing built. As MathTex measures it: its page's points from the
    least to the largest, scaled by its font size (the same sums in another order: equal within 1e-15 units)."""
    number = plain_number(tex.strip())
    if tex_mobject.tex_to_svg_file is not tex_to_svg_file or number is None or number[1] is not None:
        return None
    reference = GROUP_TEX.format(group="unique000", tex=REFERENCE)  # MathTex wraps its one string in this group
    glyphs = font(latex_svg_file(reference, "align*", config["tex_template"]))
    stub = MathTex.__new__(MathTex)  # what `_glyph` reads of a MathTex: its parse settings
    stub.svg_default, stub.path_string_config = MATHTEX_DEFAULT, MATHTEX_PATHS
    placed, _ = glyphs.placed(number[0])
    boxes = [_box(_glyph(stub, glyphs, g)) + [float(x), 0, float(x), 0] for g, x in placed]
    least, largest = np.min([b[:2] for b in boxes], axis=0), np.max([b[2:] for b in boxes], axis=0)
    scale = font_size / (1 / SCALE_FACTOR_PER_FONT_POINT)  # MathTex's font_size setter, from its initial height
    return float((largest[0] - least[0]) * scale), float((largest[1] - least[1]) * scale)


_boxes: dict[int, np.ndarray] = {}


def _box(glyph) -> np.ndarray:
    """A glyph's points' least x and y, then largest x and y."""
    box = _boxes.get(id(glyph))
    if box is None:
        box = _boxes[id(glyph)] = np.concatenate([glyph.points[:, :2].min(axis=0), glyph.points[:, :2].max(axis=0)])
    return box


def init_svg_mobject(self: SVGMobject, use_svg_cache: bool) -> SVGMobject:
    """SVGMobject's `init_svg_mobject`: a number set here is composed, anything else parsed as before."""
    if compose(self):
        return self
    return _parse(self, use_svg_cache)


_parse = SVGMobject.init_svg_mobject


tex_to_svg_file.extent = extent  # how scenes/kit/measure.py finds it: through manim's `tex_to_svg_file`


def install() -> None:
    """From now on, in this process, MathTex sets plain numbers without LaTeX, and without parsing their pages."""
    global _parse
    tex_mobject.tex_to_svg_file = tex_to_svg_file  # manim: SingleStringMathTex calls it by this module-level name
    if SVGMobject.init_svg_mobject is not init_svg_mobject:  # once: svgcache's (installed first) is what parses
        _parse = SVGMobject.init_svg_mobject
        SVGMobject.init_svg_mobject = init_svg_mobject  # manim undocumented: SVGMobject.__init__ parses through it
