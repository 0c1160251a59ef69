"""Drafting a narrated lecture from a Jupyter notebook, without running any of its code.

`read` checks the file (nbformat), `markdown` and `latex` turn its prose and formulas into blocks and
speakable text, `cells` reads code cells and their stored outputs, `engine_scenes` finds what the
engine can animate, `structure` orders it all into scenes and beats (`model`), and `folder` writes the
draft as a lecture folder that `scenes/widgets/drafted.py` renders. Pure and fast: no manim here.
"""
from lecture.notebook.model import Beat, Draft, DraftScene
from lecture.notebook.structure import draft_notebook

__all__ = ["Beat", "Draft", "DraftScene", "draft_notebook"]
