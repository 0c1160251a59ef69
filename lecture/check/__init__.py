"""`lecture check`: what a viewer would see wrong in every beat, measured from what the render drew.

The render records every mobject's outline at each animation's start, middle and end and at each beat's
end (`lecture.manim_compat.record`); each rule family here reads that record (or the clip, its sidecar
and captions) and returns `Finding`s. Thresholds are in `rules.py`, one place; `run.check_clip` applies
them all to one clip. Docs: docs/checking.md.
"""
