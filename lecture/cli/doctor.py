"""`lecture doctor`: is everything a render needs here? Names the package to install for what is missing."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

from lecture.cli.app import cli
from lecture.options.table import options_for
from lecture.voice.voices import INSTALL_HINT, available
from scenes.kit.theme import DARK


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    fix: str = ""


def latex_has_standalone() -> bool:
    if not shutil.which("kpsewhich"):
        return False
    found = subprocess.run(["kpsewhich", "standalone.cls"], capture_output=True, text=True)
    return bool(found.stdout.strip())


def python_module(name: str) -> bool:
    try:
        __import__(name)
    except Exception:
        return False
    return True


def encoder_available(name: str = "libx264") -> bool:
    try:
        import av  # about 0.3 s: only when doctor looks for the encoder

        av.codec.Codec(name, "w")
    except Exception:
        return False
    return True


def font_available(family: str) -> bool:
    if not shutil.which("fc-list"):
        return False
    return family in subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout


def writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def run_checks(media: Path) -> list[Check]:
    apt = "sudo apt-get install"
    return [
        Check("latex", bool(shutil.which("latex")), f"{apt} texlive-latex-base texlive-latex-recommended"),
        Check("standalone.cls (manim's TeX template)", latex_has_standalone(), f"{apt} texlive-latex-extra"),
        Check("dvisvgm", bool(shutil.which("dvisvgm")), f"{apt} dvisvgm"),
        Check("cairo (pycairo)", python_module("cairo"), f"{apt} libcairo2-dev pkg-config, then make setup"),
        Check("pango (manimpango)", python_module("manimpango"), f"{apt} libpango1.0-dev, then make setup"),
        Check("ffmpeg with libx264 (in the av wheel)", encoder_available(), "make setup (reinstalls av)"),
        Check(f"font {DARK.font}", font_available(DARK.font), f"{apt} fonts-lmodern"),
        Check(f"font {DARK.code_font}", font_available(DARK.code_font), f"{apt} fonts-dejavu-core"),
        Check(f"writable media folder {media}", writable(media), "choose another --out or fix its permissions"),
        Check("AAC and Opus encoders for narration (in the av wheel)", encoder_available("aac") and encoder_available("libopus"),
              "make setup (reinstalls av)"),
        Check("loudness meter (pyloudnorm)", python_module("pyloudnorm"), "make setup"),
        *(Check(f"voice {name} (--voice {name}): {title}", ok, INSTALL_HINT) for name, title, ok in available()),
    ]


@cli.command()
@options_for("doctor")
def doctor(out) -> None:
    """Check LaTeX, dvisvgm, cairo, pango, the encoder, fonts and the media folder; say what to install."""
    checks = run_checks(out)
    for check in checks:
        click.echo(f"  {'ok ' if check.ok else 'MISSING'}  {check.name}" + ("" if check.ok else f"  ->  {check.fix}"))
    if not all(c.ok for c in checks):
        sys.exit(1)
    click.echo("everything a render needs is here")
