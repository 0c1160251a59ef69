"""The class name of a drafted scene, shared by the folder writer (no manim) and scenes/widgets/drafted.py."""
from __future__ import annotations

import re


def class_name(lecture_id: str, scene_id: str) -> str:
    """'Draft' + the lecture's and scene's ids in CamelCase: unique across lectures, a Python name."""
    words = re.split(r"[^A-Za-z0-9]+", f"{lecture_id} {scene_id}")
    return "Draft" + "".join(w[:1].upper() + w[1:] for w in words if w)
