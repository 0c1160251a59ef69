"""Lecture content: one Manim file per part of the lecture, a shared theme, and the scene catalog.

Importing this package does not import manim; `scenes.catalog` and `scenes.kit.params` are plain Python.
"""
