"""Parsed SVGs are kept beside the cached SVGs and loaded with the same points (lecture/manim_compat/svgcache.py)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from manim import MathTex, SVGMobject, Text, tempconfig
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath

from lecture.manim_compat import svgcache

SQUARE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><path d="M0 0 L10 0 L10 10 Z"/></svg>'


@pytest.fixture
def caches(tmp_path, monkeypatch):
    """The TeX and text caches of a render in tmp_path, with parses kept; manim as it was afterwards."""
    monkeypatch.setattr(SVGMobject, "init_svg_mobject", SVGMobject.init_svg_mobject)
    monkeypatch.setattr(svgcache, "_roots", ())
    folders = {"tex_dir": str(tmp_path / "Tex"), "text_dir": str(tmp_path / "texts")}
    with tempconfig(folders):
        svgcache.install(folders.values())
        yield tmp_path


def made() -> list[SVGMobject]:
    return [Text("w.grad", font_size=30), MathTex(r"\frac{\partial L}{\partial w}")]


def assert_same_drawing(a: SVGMobject, b: SVGMobject) -> None:
    family_a, family_b = a.family_members_with_points(), b.family_members_with_points()
    assert len(family_a) == len(family_b) > 0
    for x, y in zip(family_a, family_b):
        assert np.array_equal(x.points, y.points)
        assert np.array_equal(x.fill_rgbas, y.fill_rgbas) and np.array_equal(x.stroke_rgbas, y.stroke_rgbas)


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The SVG files manim parsed (its `generate_mobject` ran) since the test began; a loaded parse adds none."""
    seen: list[str] = []
    original = SVGMobject.generate_mobject

    def counted(self: SVGMobject) -> SVGMobject:
        seen.append(self.file_name)
        return original(self)

    monkeypatch.setattr(SVGMobject, "generate_mobject", counted)
    return seen


def without_paths(mob: SVGMobject) -> bool:
    """No glyph keeps its svgelements path (a Transform would deep-copy it with the glyph)."""
    return all(m.path_obj is None for m in mob.get_family() if isinstance(m, VMobjectFromSVGPath))


@pytest.mark.slow
def test_a_parse_is_kept_and_loaded_with_the_same_points(caches, parses):
    first = made()
    assert len(parses) == 2 and all(without_paths(m) for m in first)
    assert len(list(caches.rglob("*.parsed"))) == 2, "one pickle beside each SVG"
    again = made()
    assert len(parses) == 2, "loaded, not parsed again"
    for a, b in zip(first, again):
        assert_same_drawing(a, b)


@pytest.mark.slow
def test_a_damaged_pickle_is_parsed_again_and_replaced(caches, parses):
    (text, _) = made()
    (pickle_file,) = (caches / "texts").rglob("*.parsed")
    pickle_file.write_bytes(b"not a pickle")
    before = len(parses)
    reparsed = Text("w.grad", font_size=30)
    assert len(parses) == before + 1
    assert_same_drawing(text, reparsed)
    Text("w.grad", font_size=30)
    assert len(parses) == before + 1, "the pickle was written again"


def test_svgs_outside_the_caches_get_no_pickle(caches):
    own = caches / "assets" / "square.svg"
    own.parent.mkdir()
    own.write_text(SQUARE_SVG)
    SVGMobject(str(own))
    assert not list((caches / "assets").glob("*.parsed"))


def test_use_svg_cache_false_neither_loads_nor_keeps_a_parse(caches, parses):
    """`use_svg_cache=False` asks manim for a fresh parse: no pickle is read or written for it."""
    svg = caches / "Tex" / "square.svg"
    svg.parent.mkdir(exist_ok=True)
    svg.write_text(SQUARE_SVG)
    fresh = SVGMobject(str(svg), use_svg_cache=False)
    assert not list(svg.parent.glob("*.parsed")), "no pickle kept for an uncached parse"
    kept = SVGMobject(str(svg))
    assert len(list(svg.parent.glob("*.parsed"))) == 1, "a cached parse is kept, as before"
    SVGMobject(str(svg), use_svg_cache=False)
    assert len(parses) == 3, "an uncached parse is a parse"
    SVGMobject(str(svg))
    assert len(parses) == 3, "a cached one is loaded"
    assert_same_drawing(fresh, kept)
