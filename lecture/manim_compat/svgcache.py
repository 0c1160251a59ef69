"""Parsed SVGs kept on disk beside the TeX and text SVGs they come from.

manim caches the SVG of every Text and MathTex on disk, but parses it again in every render:
svgelements reads the file, then a VMobject is built for each glyph. A code panel and a formula
took 0.57 s to parse and 0.03 s to load from a pickle (measured), and the lecture's scenes hold a
few hundred texts. Here the first render parses and pickles the result next to its SVG; later
renders with the same TeX and text caches load it.

Only what parsing makes is kept (the glyphs' points and colours, before the mobject is styled,
scaled and moved), keyed by what manim keys its own in-memory SVG cache by, with the file's name
for its content (manim names cached SVGs by a hash of what made them), and the versions of manim
and svgelements. The svgelements path each glyph was built from is left out: nothing reads it
after the glyph's points are made, it was half the pickle, and every copy of a glyph (each Transform
copies what it moves) deep-copied it: half of chain-rule's CPU in a first render. A glyph parsed here
drops it at once, as a loaded one has none. Only SVGs inside the render's own
cache folders are kept, so a user's SVG files never get pickles beside them. A pickle runs code when
loaded, so each is sealed with this user's key (`lecture.sealed`): a cache copied from someone else is
parsed again, never loaded.

manim also rewrites every cached text SVG in place on every render (manimpango's `remove_last_M`);
a render killed mid-rewrite left an empty SVG that failed every later render of the scene. Here the
SVG is rewritten only when that changes it, and atomically.

manim internals relied on (0.21.0): SVGMobject's `init_svg_mobject` (replaced), its `svg_default`,
`path_string_config`, `id_to_vgroup_dict`, the methods a subclass parses with, VMobjectFromSVGPath's
`path_obj`; manimpango's `PangoUtils.remove_last_M` (replaced).
"""
from __future__ import annotations

import hashlib
import os
import pickle
import re
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Iterable

from manim import MarkupText, Text, config
from manim.mobject.svg.svg_mobject import SVGMobject, VMobjectFromSVGPath
from manimpango import PangoUtils

from lecture.output.publish import write_text_atomic
from lecture.sealed import seal, unseal

from lecture.manim_compat import require_written_for

require_written_for()

FORMAT = 2  # bump when what is pickled changes (2: sealed)
_original_init = SVGMobject.init_svg_mobject
_roots: tuple[str, ...] = ()
_versions = ""


def install(folders: Iterable[str | Path]) -> None:
    """From now on, SVGs inside `folders` (a render's TeX and text caches) are parsed once."""
    global _roots, _versions
    _roots = tuple(str(Path(f).resolve()) + os.sep for f in folders)
    _versions = f"{FORMAT} manim {metadata.version('manim')} svgelements {metadata.version('svgelements')}"
    SVGMobject.init_svg_mobject = _init_svg_mobject  # manim undocumented: SVGMobject.__init__ parses through it
    # manimpango undocumented: manim's Text calls it on every cached SVG, every render.
    PangoUtils.remove_last_M = staticmethod(_remove_last_m)


def _remove_last_m(file_name: str) -> None:
    """manimpango's `remove_last_M` (the same substitution), writing only a changed file, atomically."""
    text = Path(file_name).read_text()
    trimmed = re.sub(r'Z M [^A-Za-z]*? "\/>', 'Z "/>', text)
    if trimmed != text:
        write_text_atomic(Path(file_name), trimmed)


def _init_svg_mobject(self: SVGMobject, use_svg_cache: bool) -> SVGMobject:
    # use_svg_cache=False asks for a fresh parse, and gets one; except from Text and MarkupText, which
    # pass False by default (manim's docstring: an in-memory copy of a one-off SVG is not worth keeping),
    # and whose SVG's name is a hash of the text and every setting, so its kept parse is of the same file.
    fresh = not use_svg_cache and not isinstance(self, (Text, MarkupText))
    parsed = None if fresh else parsed_path(self)
    if parsed is None:
        return _original_init(self, use_svg_cache)
    kept = _load(parsed)
    if kept is not None:
        submobjects, self.id_to_vgroup_dict = kept
        self.add(*submobjects)
        return self
    _original_init(self, False)  # parsed, not also kept in manim's memory: the pickle is the kept copy
    for glyph in self.get_family():  # as a loaded parse is: every later copy of the glyph copied its path too
        if isinstance(glyph, VMobjectFromSVGPath):
            glyph.path_obj = None
    _save(self, parsed)
    return self


def _load(parsed: Path) -> tuple[list, dict] | None:
    """The kept parse, if there is one and this user's key sealed it (nothing else is unpickled)."""
    try:
        payload = unseal(parsed.read_bytes())
        return pickle.loads(payload) if payload is not None else None
    except Exception:  # noqa: BLE001 - not made yet, or damaged: parsed again and (re)written
        return None


def parsed_path(mob: SVGMobject) -> Path | None:
    """Where `mob`'s parse is kept, or None if it is not kept (not in a cache folder, or a subclass
    that parses differently)."""
    cls = type(mob)
    if not _roots or any(getattr(cls, name) is not getattr(SVGMobject, name)
                         for name in ("hash_seed", "generate_mobject", "modify_xml_tree", "get_mobjects_from")):
        return None
    name = getattr(mob, "file_name", None)
    if not name:
        return None
    svg = Path(name).resolve()
    if not str(svg).startswith(_roots):
        return None
    identity = (_versions, cls.__name__, mob.svg_default, mob.path_string_config, svg.name, str(config.renderer))
    return svg.with_name(f"{svg.stem}.{hashlib.sha256(repr(identity).encode()).hexdigest()[:16]}.parsed")


def _save(mob: SVGMobject, target: Path) -> None:
    """Pickle the parse atomically (renders of other scenes may read the same folder)."""
    data = pickle.dumps((mob.submobjects, getattr(mob, "id_to_vgroup_dict", {})), protocol=pickle.HIGHEST_PROTOCOL)
    partial = None
    try:
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False) as tmp:
            partial = Path(tmp.name)
            tmp.write(seal(data))
        os.replace(partial, target)
    except OSError:  # a read-only cache: parse again next time
        if partial is not None:
            partial.unlink(missing_ok=True)
