"""The seam's part of a studio draft (`lecture/render/draft.py`): a scene whose beats are wrapped so that only
one beat is drawn, from the state the beat before it kept, and texts laid out at the clip's size in a smaller
picture.

manim internals relied on (0.21.0): `renderer._original_skipping_status` (a play is skipped, not drawn, while
it is set: the clock still advances, `BeatCache._time_skipped_plays`), `EndSceneEarlyException` ending
`Scene.render` cleanly after the drafted beat, and `text_mobject.manimpango` (the module name Text calls
`text2svg` through, whose width and height are the video's pixels).
"""
from __future__ import annotations

import sys
import time
from typing import Any

import manimpango
from manim.mobject.text import text_mobject
from manim.utils.exceptions import EndSceneEarlyException

from lecture.manim_compat import NoDraft, beats, beatstate


def laid_out_at(width: int, height: int) -> None:
    """manim's Text lays out in a box of the video's pixels (`manimpango.text2svg`'s width and height): at the
    clip's, not the draft's. (MarkupText's box is fixed: nothing to do.)"""

    plain = manimpango.text2svg

    def text2svg(settings, size, line_spacing, disable_liga, file_name, start_x, start_y, _width, _height, *rest, **kw):
        return plain(settings, size, line_spacing, disable_liga, file_name, start_x, start_y, width, height, *rest, **kw)

    proxy = type(sys)("manimpango_at_the_clips_size")
    proxy.__dict__.update({k: getattr(manimpango, k) for k in dir(manimpango) if not k.startswith("__")})
    proxy.text2svg = text2svg
    text_mobject.manimpango = proxy


class Drafting:
    """The scene's beats wrapped so that only `beat` runs, drawn. The beat before it (`previous`) starts and
    ends as in the clip's incremental render (its speech from the cache, its slide skipped, its end held as
    long as drawing it holds), its body replaced by its kept state (`blob`); no other beat runs at all."""

    def __init__(self, scene: Any, beat: str, previous: str | None, blob: bytes | None):
        self.start = self.end = 0.0
        self.spoken = (0.0, 0.0)  # (wall, CPU) seconds the drafted beat's start took (its speech synthesised)
        self.restored = (0.0, 0.0)  # (wall, CPU) seconds the kept state took to load and apply
        start_beat, end_beat, next_slide, renderer = scene.start_beat, scene.end_beat, scene.next_slide, scene.renderer
        current, pending = {"name": ""}, {"skip": False}
        renderer._original_skipping_status = True  # manim internal: every play before the beat is skipped, not drawn
        beats.BeatCache._time_skipped_plays(scene)  # a skipped play advances the clock as drawing it would

        def draft_start(name: str, template: str, loop: bool = False) -> None:
            current["name"] = name
            if name == previous:
                pending["skip"] = True
                start_beat(name, template, loop)
            elif name == beat:
                renderer._original_skipping_status = False
                self.start = scene.now
                began, cpu = time.perf_counter(), time.process_time()
                start_beat(name, template, loop)
                self.spoken = (time.perf_counter() - began, time.process_time() - cpu)

        def slide(*args: Any, **kwargs: Any) -> None:
            if pending.pop("skip", False):
                kwargs["skip_animations"] = True
            next_slide(*args, **kwargs)

        def restore(name: str) -> bool:
            if name != previous:
                return name != beat  # only the drafted beat's body runs
            began, cpu = time.perf_counter(), time.process_time()
            state = beatstate.load(scene, blob)
            if state is None:
                raise NoDraft("the kept state does not load")
            beatstate.apply(scene, state, infrastructure)
            if beats.state_digest(scene) != state["digest"]:
                raise NoDraft("the kept state gives another picture than it was kept with")
            self.restored = (time.perf_counter() - began, time.process_time() - cpu)
            return True

        def draft_end() -> None:
            if current["name"] == previous:
                end_beat()  # held as in the clip: the drafted beat starts where it starts there
            elif current["name"] == beat:
                end_beat()
                self.end = scene.now
                raise EndSceneEarlyException()  # manim ends the scene here: no later beat runs

        scene.start_beat, scene.end_beat, scene.next_slide, scene.restore_beat = draft_start, draft_end, slide, restore
        infrastructure = beatstate.infrastructure(scene)
