"""Plain numbers set without LaTeX (lecture/manim_compat/texnumbers.py): the same outlines as LaTeX's, and
no LaTeX run after the reference; composed from glyphs as their pages would parse. In process: the replacements
are put back after each test."""
from __future__ import annotations

import numpy as np
import pytest
from manim import DecimalNumber, MathTex, tempconfig
from manim.mobject.svg.svg_mobject import SVGMobject
from manim.mobject.text import tex_mobject
from manim.utils import tex_file_writing

from lecture.manim_compat import texnumbers

NUMBERS = ["0", "7", "-14", "0.00118", "-0.5", "49.0", ".5", "1{,}234", "123456789", "-", ".", ",", r"\times 0.987", r"\times1"]


def outline(mob) -> np.ndarray:
    return np.concatenate([m.points for m in mob.family_members_with_points()])


def test_only_plain_numbers_are_set_from_glyphs():
    assert texnumbers.plain_number("0.00118") == ("0.00118", None)
    assert texnumbers.plain_number(texnumbers.GROUP_TEX.format(group="unique003", tex="-1{,}234.5")) == ("-1{,}234.5", "unique003")
    for tex in ("1.2 \\times 10^{5}", "x", "1-2", "1,234", "--1", "", "1.2e5", r"\mathbf{1}", "5-", r"\times -0.5", r"1 \times 2"):
        assert texnumbers.plain_number(tex) is None, tex


@pytest.mark.slow
def test_numbers_have_latexs_outlines_without_a_latex_run(tmp_path, monkeypatch):
    compiled: list[str] = []
    # Stock manim's first, whatever an earlier test in this process installed (a still renders in process).
    monkeypatch.setattr(tex_mobject, "tex_to_svg_file", tex_file_writing.tex_to_svg_file)
    compile_tex = tex_file_writing.compile_tex
    monkeypatch.setattr(tex_file_writing, "compile_tex",
                        lambda tex_file, *a, **k: compiled.append(tex_file.read_text()) or compile_tex(tex_file, *a, **k))
    with tempconfig({"media_dir": str(tmp_path / "latex")}):
        typeset = [outline(MathTex(n)) for n in NUMBERS]
    assert len(compiled) == len(NUMBERS)  # stock manim: a LaTeX document per number

    del compiled[:]
    monkeypatch.setattr(tex_mobject, "tex_to_svg_file", texnumbers.tex_to_svg_file)  # as fast_renderer() installs it
    with tempconfig({"media_dir": str(tmp_path / "glyphs")}):
        drawn = [outline(MathTex(n)) for n in NUMBERS]
        DecimalNumber(-3.25, num_decimal_places=2)  # a character per MathTex: also from the glyphs
        MathTex("x")  # not a number: LaTeX's
    assert len(compiled) == 2 and texnumbers.REFERENCE in compiled[0]  # the reference once, and the x
    for number, a, b in zip(NUMBERS, typeset, drawn):
        assert a.shape == b.shape and np.abs(a - b).max() < 1e-5, number  # 1e-5 units: 0.001 px at 1080p


def groups(mob) -> list[tuple[str, list[int]]]:
    """MathTex's parse groups (`id_to_vgroup_dict`), in order: each name with the glyphs it holds, by place."""
    glyphs = mob.family_members_with_points()
    return [(name, [glyphs.index(g) for g in group.submobjects]) for name, group in mob.id_to_vgroup_dict.items()]


def style(mob) -> list:
    return [(g.get_fill_rgbas().tolist(), g.get_stroke_rgbas().tolist(), g.get_stroke_width(), type(g).__name__)
            for g in mob.get_family()]


@pytest.mark.slow
def test_numbers_are_composed_from_glyphs_as_their_page_would_parse(tmp_path, monkeypatch):
    """A number set here is not parsed: its glyphs' mobjects (each parsed once) are copied and moved by their
    advances. The same points within 1e-12 units (the same sums in another order), the same groups, styles and
    structure; and a layout's measure of a number (`extent`, nothing built) is the built one's width and height."""
    monkeypatch.setattr(tex_mobject, "tex_to_svg_file", texnumbers.tex_to_svg_file)
    # what parses, whatever an earlier test in this process installed; put back after the test
    parse = texnumbers._parse if SVGMobject.init_svg_mobject is texnumbers.init_svg_mobject else SVGMobject.init_svg_mobject
    monkeypatch.setattr(SVGMobject, "init_svg_mobject", parse)
    sizes = (48.0, 22, 23.72545419250811)
    with tempconfig({"media_dir": str(tmp_path)}):
        parsed = [MathTex(n, font_size=s, color="#ff8800") for n in NUMBERS for s in sizes]  # from the pages
        texnumbers.install()
        assert SVGMobject.init_svg_mobject is texnumbers.init_svg_mobject
        try:
            texnumbers.install()  # again: not wrapped twice
            assert texnumbers._parse is parse
            composed = [MathTex(n, font_size=s, color="#ff8800") for n in NUMBERS for s in sizes]
            extents = [texnumbers.extent(n, s) for n in NUMBERS for s in sizes]
            assert texnumbers.extent("x", 48.0) is None and texnumbers.extent("1-2", 48.0) is None
            decimal = DecimalNumber(-3.25, num_decimal_places=2)
        finally:
            SVGMobject.init_svg_mobject = parse
        again = DecimalNumber(-3.25, num_decimal_places=2)  # parsed
    for (number, size), a, b, e in zip([(n, s) for n in NUMBERS for s in sizes], parsed, composed, extents):
        assert np.abs(outline(a) - outline(b)).max() < 1e-12, number
        assert groups(a) == groups(b) and style(a) == style(b), number
        assert abs(e[0] - a.width) < 1e-12 and abs(e[1] - a.height) < 1e-12, (number, size)
    assert np.abs(outline(decimal) - outline(again)).max() < 1e-12
