"""LaTeX's SVGs shared between scenes (lecture/manim_compat/latexcache.py): a document typeset for one scene's
TeX folder is taken by the next scene's from the shared folder, byte for byte, without LaTeX. In process,
with LaTeX (slow tier); the shared folder is put back after each test."""
from __future__ import annotations

import pytest
from manim import tempconfig
from manim.utils import tex_file_writing

from lecture.manim_compat import latexcache

FORMULA = r"\frac{\partial L}{\partial w} = -2"


@pytest.fixture
def compiled(monkeypatch) -> list[str]:
    """The documents LaTeX compiles from now on in this test."""
    documents: list[str] = []
    compile_tex = tex_file_writing.compile_tex
    monkeypatch.setattr(tex_file_writing, "compile_tex",
                        lambda tex_file, *a, **k: documents.append(tex_file.name) or compile_tex(tex_file, *a, **k))
    yield documents
    latexcache.install(None)


@pytest.mark.slow
def test_a_second_scene_takes_the_svg_without_latex(tmp_path, compiled):
    latexcache.install(tmp_path / "shared")
    with tempconfig({"tex_dir": str(tmp_path / "first" / "Tex")}):
        first = latexcache.latex_svg_file(FORMULA, "align*")
    assert len(compiled) == 1 and (tmp_path / "shared" / first.name).read_bytes() == first.read_bytes()
    with tempconfig({"tex_dir": str(tmp_path / "second" / "Tex")}):
        second = latexcache.latex_svg_file(FORMULA, "align*")
        again = latexcache.latex_svg_file(FORMULA, "align*")  # its own copy from now on
    assert len(compiled) == 1, "LaTeX ran for a document the shared folder held"
    assert second == again == tmp_path / "second" / "Tex" / first.name
    assert second.read_bytes() == first.read_bytes()
    assert not [p for p in second.parent.iterdir() if p.name.endswith(".part")], "a temporary file was left behind"


@pytest.mark.slow
def test_without_a_shared_folder_each_scene_runs_latex(tmp_path, compiled):
    latexcache.install(None)
    for scene in ("first", "second"):
        with tempconfig({"tex_dir": str(tmp_path / scene / "Tex")}):
            latexcache.latex_svg_file(FORMULA, "align*")
    assert len(compiled) == 2 and not (tmp_path / "shared").exists()
