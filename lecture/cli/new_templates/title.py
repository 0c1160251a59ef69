"""The title card, drawn from lecture.toml: its title, subtitle and [card] (kicker, outline, narration)."""
from __future__ import annotations

from scenes.kit.title import title_card

TitleScene = title_card(__name__)
