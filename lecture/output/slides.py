"""Decks from the rendered clips: HTML (reveal.js, works with no network), PPTX and PDF, through
manim-slides' own converters.

manim-slides' HTML template loads reveal.js from a CDN, which a lecture hall without Wi-Fi does not
have; the deck here points the same template at a copy of reveal.js shipped in this package
(`lecture/assets/reveal.js`, MIT licence), copied beside the HTML.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

from manim_slides.config import PresentationConfig
from manim_slides.convert import PDF, PowerPoint, RevealJS

from lecture import UserError

REVEAL_ASSETS = Path(__file__).parent.parent / "assets" / "reveal.js"


def export_deck(slide_configs: list[Path], to: str, target: Path, theme: str, title: str) -> Path:
    """Write one deck from the scenes' manim-slides configs, atomically (a temp folder, then a rename)."""
    presentations = [PresentationConfig.from_file(p) for p in slide_configs]
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.stem}-") as tmp:
        built = Path(tmp) / target.name
        if to == "html":
            assets = f"{target.stem}_assets"
            RevealJS(presentation_configs=presentations, assets_dir=assets, cdn_url=f"{assets}/reveal.js",
                     reveal_theme="white" if theme == "light" else "black", title=title,
                     background_color="white" if theme == "light" else "black").convert_to(built)
            shutil.copytree(REVEAL_ASSETS, Path(tmp) / assets / "reveal.js")
            final_assets = target.parent / assets
            shutil.rmtree(final_assets, ignore_errors=True)
            (Path(tmp) / assets).rename(final_assets)
        elif to == "pptx":
            width, height = presentations[0].resolution
            PowerPoint(presentation_configs=presentations, width=width, height=height).convert_to(built)
        else:
            PDF(presentation_configs=presentations).convert_to(built)
        built.replace(target)
    return target


def check_presenter() -> None:
    """manim-slides' presenter is a Qt window playing video: it needs PySide6 with QtMultimedia, and a screen."""
    try:
        found = importlib.util.find_spec("PySide6.QtMultimedia") is not None
    except ImportError:
        found = False
    if not found:
        raise UserError("presenting needs Qt (PySide6 with QtMultimedia): run `make setup`, or "
                        "`.venv/bin/pip install -e '.[present]'`")
    if sys.platform.startswith("linux") and not any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        raise UserError("no screen to present on (DISPLAY is not set); `lecture slides --to html` makes a deck "
                        "to open in a browser instead")
