"""One theme for every clip: a colour per role, fonts, sizes and timing.

A colour means the same thing in every scene (learnable parameter, constant, forward value,
gradient, loss, highlight), so a viewer who learned "yellow is a gradient" in the field scene reads
the backward pass without being told. The light theme keeps the roles in darker shades for slides.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    text: str
    muted: str  # axes, edges, secondary text
    panel: str  # boxes behind code and nodes
    learnable: str  # w, b: tensors with requires_grad, and the point that descent moves
    constant: str  # x, y: inputs and targets, numbers in formulas
    forward: str  # values flowing left to right
    gradient: str  # arrows of the field, values flowing right to left, .grad
    loss: str  # the loss node, the loss counter
    highlight: str  # "look here": the current code line, the active edge
    surface: tuple[str, ...]  # colour map of a surface, low to high (no role colour in it)
    code_style: str  # pygments style for manim's Code
    # Typography and timing, the same for both themes.
    font: str = "Latin Modern Sans"
    code_font: str = "DejaVu Sans Mono"
    display_size: float = 52  # a title card's large line, between the title size and a poster's
    large_size: float = 40  # between the title and the body: a card's line under its title, a derivation's formulas
    title_size: float = 44
    body_size: float = 34
    label_size: float = 28
    small_size: float = 22
    margin: float = 0.5  # units kept free at every frame edge
    pause: float = 1.0  # seconds held at the end of every beat, for the lecturer to talk over


DARK = Theme(
    name="dark",
    background="#111319",
    text="#ECECEC",
    muted="#8A8F9C",
    panel="#1E222C",
    learnable="#58C4DD",
    constant="#C5A3E8",
    forward="#83C167",
    gradient="#FFD93D",
    loss="#FC6255",
    highlight="#FF8C3A",
    surface=("#14162A", "#232748", "#363A66", "#4F5182", "#6E6B98", "#938AAE"),
    code_style="monokai",
)

LIGHT = Theme(
    name="light",
    background="#FFFFFF",
    text="#1B1B1F",
    muted="#636877",  # 4.97:1 on the panel (secondary text there: "Vanilla algorithm"; #6B7080 was 4.4:1)
    panel="#F1F2F6",
    learnable="#1F6F9A",
    constant="#6B3FA0",
    forward="#2E7D32",
    gradient="#945E00",  # 5.3:1 on white, 4.8:1 on the panel (WCAG AA for text; #A86B00 was 4.4:1)
    loss="#C62828",
    highlight="#B34700",  # 5.5:1 on white (#E05A00 was 3.7:1: `lecture check` found it on every light frame)
    surface=("#F6F5FA", "#E2E0EE", "#CBC8E0", "#B1ADD0", "#9691BE", "#7C76AA"),
    code_style="friendly",
)

THEMES = {t.name: t for t in (DARK, LIGHT)}


def get_theme(name: str) -> Theme:
    if name not in THEMES:
        raise ValueError(f"unknown theme '{name}'; choose one of {', '.join(THEMES)}")
    return THEMES[name]
