"""LaTeX's SVGs shared between the scenes of a cache folder, so a formula is typeset once, not once a scene.

Each scene renders with a TeX folder of its own: manim runs LaTeX on fixed file names and writes a
temporary `<name>_.svg` beside each SVG it parses, so two renders in one folder trip over each other's
files. A formula used by six scenes was then typeset six times: the first lecture's tiny render ran LaTeX
125 times for 86 different documents, 0.3-0.4 s of CPU each (2026-12-07). manim names a document's SVG by a hash of
its whole TeX source (template included), so the SVG is the same wherever it is made. Here each SVG that
LaTeX makes is also copied, atomically, into one shared folder, and a scene whose own folder lacks an SVG
takes it from there before running LaTeX. Only SVGs are shared (data, not code); the parsed pickles stay
in each scene's folder (`svgcache`), sealed as before.

manim internals relied on (0.21.0): `generate_tex_file` names the document by that hash and writes it into
`config.tex_dir`; `tex_to_svg_file` returns an SVG already there without running LaTeX.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from manim import config
from manim.utils.tex import TexTemplate
from manim.utils.tex_file_writing import generate_tex_file, tex_to_svg_file

from lecture.manim_compat import require_written_for
from lecture.output.publish import write_atomic

require_written_for()

_shared: Path | None = None


def install(folder: str | Path | None) -> None:
    """From now on, in this process, LaTeX's SVGs are shared through `folder` (None: not shared)."""
    global _shared
    _shared = Path(folder) if folder else None


def latex_svg_file(expression: str, environment: str | None = None, tex_template: TexTemplate | None = None) -> Path:
    """manim's `tex_to_svg_file`, taking the SVG from the shared folder when another scene made it."""
    template = tex_template or config["tex_template"]
    own = generate_tex_file(expression, environment, template).with_suffix(".svg")
    if _shared is None or own.exists():
        return tex_to_svg_file(expression, environment, template)
    shared = _shared / own.name
    if shared.exists():
        return write_atomic(own, lambda tmp: shutil.copyfile(shared, tmp))
    made = tex_to_svg_file(expression, environment, template)
    write_atomic(shared, lambda tmp: shutil.copyfile(made, tmp))
    return made
