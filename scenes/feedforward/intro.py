"""The title card of the lecture and what it covers, from this folder's lecture.toml ([card])."""
from __future__ import annotations

from scenes.kit.title import title_card

TitleScene = title_card(__name__)
