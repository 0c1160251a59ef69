"""Plain numbers set without LaTeX (lecture/manim_compat/texnumbers.py): the same outlines as LaTeX's, and
no LaTeX run after the reference. In process: the replacement is put back after each test."""
from __future__ import annotations

import numpy as np
import pytest
from manim import DecimalNumber, MathTex, tempconfig
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
