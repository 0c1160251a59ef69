"""Lecture content: the kit every scene is written with (kit/), reusable pictures (widgets/), a folder per
built-in lecture (feedforward/, part2/: a lecture.toml beside its scene modules), and the lectures found
and read (catalog/).

Importing this package does not import manim; `scenes.catalog` and `scenes.kit.params` are plain Python.
"""
