"""A beat's end state kept beside its segment, so a render whose first changed beat is k starts at k.

When a beat is drawn, the scene's own state at the end of its body (before `end_beat` holds the picture)
is pickled: every attribute of the scene that manim,
manim-slides and the render itself did not set before `setup` (the mobjects on screen, the scene's own
attributes, its recorded values, the pointing state), the renderer's clock, and the random generators (Python's, numpy's and torch's). A later render in which every beat before this one
came from the cache puts that state back instead of running the body (`LectureScene.restore_beat`):
no mobject of the earlier beats is built, no play of theirs run. `start_beat` and `end_beat` still run
around it, so the skipped slide, the section, the captions and the held pause are as before.

The live render objects are not copied: the scene, its renderer, camera and file writer are pickled as
references (`persistent_id`) and put back as this render's, so a bound method of the scene (an updater
`self.follow`) is restored bound to the scene that runs.

What cannot be restored, and how such a scene falls back: anything pickle refuses (a lambda or a nested
function as an updater, a closure, an open file, a lock or thread, a generator, a local class), a camera
that keeps state of its own (a moving or 3-D camera: its frame is not in the scene's attributes). Then
no state is kept for the beat (the attempt costs a pickle up to the first refusal, in the render that
draws it), and a later render runs the beat's body with its plays skipped, as before this module
(`beats.py`); the beats after it are restored again if their states were kept. A
state that cannot be loaded (damaged, a class since renamed) is also a body run. A state that loads
but does not give the digest it was saved with is `Diverged`: the worker renders every beat again.

Pickles are code: each state is sealed with this user's key (`lecture/sealed.py`); a state this user
did not write (a copied media folder) is ignored, and the body runs.

manim internals relied on (0.21.0): `Scene.__dict__` holds the scene's state (`mobjects`,
`foreground_mobjects`, `updaters` and the subclass's attributes), `renderer.time` is the clock
(`renderer.num_plays` is not restored: it indexes the file writer's partial movie files, one per play
this render ran), `renderer.camera` and `renderer.file_writer`;
the plain `Camera` keeps nothing a scene changes besides its background.
"""
from __future__ import annotations

import io
import pickle
import random
import sys
from typing import Any

import numpy as np
from manim.camera.camera import Camera
from manim.camera.moving_camera import MovingCamera
from manim.camera.three_d_camera import ThreeDCamera

from lecture import sealed
from lecture.manim_compat import require_written_for

require_written_for()

# Set by manim before construct but changed by a beat's body: these are the scene's state.
SCENE_STATE = frozenset({"mobjects", "foreground_mobjects", "updaters"})
# Set by `start_beat` and `end_beat` (they run around a restored body): kept as this render has them.
BEAT_BOOKKEEPING = frozenset({"sections", "spoken", "speech"})


def infrastructure(scene: Any) -> frozenset[str]:
    """The attributes not restored: what manim, manim-slides and the render set on the scene before its
    `setup` (renderer, slide counters, the render's own wrappers), but for the mobjects; and the beat's
    bookkeeping. Call after the render's wrappers are installed."""
    return frozenset(scene.__dict__) - SCENE_STATE | BEAT_BOOKKEEPING


def restorable_camera(scene: Any) -> bool:
    """manim's plain camera keeps nothing a beat changes; a moving or 3-D one does (its frame, its angles)."""
    camera = scene.renderer.camera
    return isinstance(camera, Camera) and not isinstance(camera, (MovingCamera, ThreeDCamera))


def _live(scene: Any) -> dict[str, Any]:
    renderer = scene.renderer
    return {"scene": scene, "renderer": renderer, "camera": renderer.camera, "writer": renderer.file_writer}


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, live: dict[str, Any]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._ids = {id(obj): name for name, obj in live.items()}

    def persistent_id(self, obj: Any) -> str | None:
        return self._ids.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, live: dict[str, Any]):
        super().__init__(file)
        self._live = live

    def persistent_load(self, pid: str) -> Any:
        return self._live[pid]


def _generators() -> dict[str, Any]:
    states: dict[str, Any] = {"random": random.getstate(), "numpy": np.random.get_state()}
    torch = sys.modules.get("torch")
    if torch is not None:
        states["torch"] = torch.random.get_rng_state()
    return states


def _set_generators(states: dict[str, Any]) -> None:
    random.setstate(states["random"])
    np.random.set_state(states["numpy"])
    torch = sys.modules.get("torch")
    if torch is not None and "torch" in states:
        torch.random.set_rng_state(states["torch"])


def capture(scene: Any, skip: frozenset[str], digest: str) -> bytes | None:
    """The scene's state now, pickled and sealed; None when it cannot be kept (see the module's docstring)."""
    if not restorable_camera(scene):
        return None
    renderer = scene.renderer
    state = {"attributes": {k: v for k, v in scene.__dict__.items() if k not in skip},
             "time": renderer.time, "generators": _generators(), "digest": digest}
    buffer = io.BytesIO()
    try:
        _Pickler(buffer, _live(scene)).dump(state)
    except Exception:  # noqa: BLE001 - whatever pickle refuses (lambdas, closures, files, locks...): no state
        return None
    return sealed.seal(buffer.getvalue())


def load(scene: Any, blob: bytes) -> dict[str, Any] | None:
    """The state in `blob` with this render's live objects in it, or None (foreign, damaged, unloadable)."""
    payload = sealed.unseal(blob)
    if payload is None:
        return None
    try:
        state = _Unpickler(io.BytesIO(payload), _live(scene)).load()
    except Exception:  # noqa: BLE001 - a class renamed or moved since: the body runs instead
        return None
    return state if isinstance(state, dict) and {"attributes", "time", "generators", "digest"} <= set(state) else None


def apply(scene: Any, state: dict[str, Any], skip: frozenset[str]) -> None:
    """Put the state back on the scene (nothing here can fail half-way)."""
    attributes = state["attributes"]
    for name in [k for k in scene.__dict__ if k not in skip and k not in attributes]:
        del scene.__dict__[name]  # set after the state was kept by an earlier render's body: not there then
    scene.__dict__.update(attributes)
    scene.renderer.time = state["time"]
    _set_generators(state["generators"])
