"""The class name of a drafted scene, shared by the folder writer (no manim) and scenes/widgets/drafted.py."""
from __future__ import annotations

import re


def class_name(scene_id: str) -> str:
    """'Draft' + the scene's id in CamelCase (scene ids are unique across lectures): a Python name."""
    words = re.split(r"[^A-Za-z0-9]+", scene_id)
    return "Draft" + "".join(w[:1].upper() + w[1:] for w in words if w)
