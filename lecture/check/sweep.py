"""overlap between the sampled instants: a thing carried along a path (a travelling dot or number) checked
along the path it sweeps, not only where the snapshots saw it (a play's start, middle and end).

The recorder keeps the centre of each thing a path motion moves at every frame (`tracks`; in a Succession,
only while that stage runs); the rule steps from frame to frame in steps of at most half the thing's size
(`SWEEP_STEP`, at most `SWEEP_MAX_SAMPLES` per stretch), the thing's outline as the stretch's first snapshot drew
it, and checks what it covers on its way with the overlap rule's measures: a still text drawn before it, under
its ink (a text on a text) or under an opaque shape (a dot over a number: 15% of the text's ink or of one
glyph's). Passing under a text (drawn after it) covers only the mover: not a finding. What it touches on leaving
its source or arriving at its target (an overlap running on from either end of the stretch, which the snapshots
there judge) is not a finding either; one that starts and ends between them is. A record without frames (an
older one, the tests' frames): the parabola through the three recorded places, for a thing whose size stays
within `SWEEP_RIGID`.
"""
from __future__ import annotations

import copy

import numpy as np

from lecture.check.geometry import (FADING, Drawn, Record, Snapshot, glyph_inks, hidden_share, ink, intersect, listed,
                                    scene_box, to_px, union)
from lecture.check.rules import (FAINT_OPACITY, Finding, HIDDEN_MIN_OPACITY, HIDDEN_MIN_SHARE, OVERLAP_MIN_PX, PX_PER_UNIT,
                                 SWEEP_MAX_SAMPLES, SWEEP_RIGID, SWEEP_STEP)

PAIRS = (("start", "mid"), ("mid", "end"), ("start", "end"))  # consecutive snapshots of one play
AT = {"start": 0.0, "mid": 0.5, "end": 1.0}  # a snapshot's place in its play, as a fraction of it


def centre(box: tuple) -> np.ndarray:
    return np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])


def rigid(a: Drawn, b: Drawn) -> bool:
    wa, ha, wb, hb = a.box[2] - a.box[0], a.box[3] - a.box[1], b.box[2] - b.box[0], b.box[3] - b.box[1]
    return abs(wa - wb) <= SWEEP_RIGID * max(wa, wb, 1e-6) and abs(ha - hb) <= SWEEP_RIGID * max(ha, hb, 1e-6)


def shifted(drawn: Drawn, offset: np.ndarray) -> Drawn:
    """`drawn` translated by `offset` (scene units)."""
    dx, dy = float(offset[0]), float(offset[1])
    parts = []
    for part in drawn.parts:
        part = copy.copy(part)
        if "box" in part:
            part["box"] = [part["box"][0] + dx, part["box"][1] + dy, part["box"][2] + dx, part["box"][3] + dy]
        if "paths" in part:
            part["paths"] = [[v + (dx if i % 2 == 0 else dy) for i, v in enumerate(path)] for path in part["paths"]]
        parts.append(part)
    return Drawn(drawn.uid, drawn.kind, drawn.label, drawn.order, parts, drawn.moving)


def plays(record: Record) -> list[list[Snapshot]]:
    """The snapshots of each play (start, mid, end), in order."""
    out: list[list[Snapshot]] = []
    for snap in record.snapshots:
        if snap.at == "start":
            out.append([snap])
        elif snap.at in ("mid", "end") and out and out[-1][-1].at in ("start", "mid") and (out[-1][-1].at, snap.at) in PAIRS:
            out[-1].append(snap)
    return out


def path_of(places: dict[str, np.ndarray]):
    """The mover's centre at play fraction s (0 start, 0.5 mid, 1 end): the parabola through the places known."""
    known = sorted((AT[k], v) for k, v in places.items())
    if len(known) == 3:
        p0, p1, p2 = (v for _, v in known)
        control = 2 * p1 - (p0 + p2) / 2
        return lambda s: (1 - s) ** 2 * p0 + 2 * s * (1 - s) * control + s ** 2 * p2
    (s0, p0), (s1, p1) = known[0], known[-1]
    return lambda s: p0 + (p1 - p0) * (s - s0) / (s1 - s0)


def hits(mover: Drawn, other: Drawn, frame: tuple, cache: dict) -> bool:
    """The overlap rule's measure between a (translated) mover and something standing still (whose ink, in its
    own box, `cache` keeps: it is the same at every step of the path)."""
    box = to_px(other.box, frame)
    if intersect(to_px(mover.box, frame), box) is None:
        return False
    if id(other) not in cache:
        cache[id(other)] = (ink(other, box, frame), glyph_inks(other, box, frame))
    letters, glyphs = cache[id(other)]
    cover = ink(mover, box, frame)
    if mover.kind == "text":
        return int((cover & letters).sum()) >= OVERLAP_MIN_PX
    return hidden_share(letters, glyphs, cover) >= HIDDEN_MIN_SHARE


def candidates(snap: Snapshot, mover: Drawn) -> list[Drawn]:
    """What stands still in `snap` and the mover would cover on its way: a text drawn before it (a text, or an
    opaque shape, the mover is). Passing under a text or a shape (drawn after it) covers only the mover."""
    least = FAINT_OPACITY if mover.kind == "text" else HIDDEN_MIN_OPACITY
    if mover.opacity < least:
        return []
    return [other for other in snap.drawn if other is not mover and not other.moving and other.kind == "text"
            and other.order < mover.order and other.opacity >= FAINT_OPACITY]


def step_of(mover: Drawn) -> float:
    """The longest step along a path: SWEEP_STEP of the mover's smaller side, two 480p pixels at least."""
    return max(min(mover.box[2] - mover.box[0], mover.box[3] - mover.box[1]) * SWEEP_STEP, 2 / PX_PER_UNIT)


def samples(path, s0: float, s1: float, mover: Drawn) -> np.ndarray:
    """Play fractions from s0 to s1 (both ends included), the mover stepping at most SWEEP_STEP of its size."""
    chord = np.linalg.norm(path(s1) - path(s0)) + 2 * np.linalg.norm(path((s0 + s1) / 2) - (path(s0) + path(s1)) / 2)
    return np.linspace(s0, s1, int(min(SWEEP_MAX_SAMPLES, max(2, np.ceil(chord / step_of(mover))))) + 1)


def between(offsets: np.ndarray, near: np.ndarray, mover: Drawn, other: Drawn, frame: tuple) -> int | None:
    """The first step (of the mover shifted by `offsets`; `near`: the steps whose box meets `other`'s) at which it
    is over or under `other` in an overlap that runs on to neither end of the stretch; None when there is none."""
    cache: dict = {}
    touching = [bool(near[i]) and hits(shifted(mover, offsets[i]), other, frame, cache) for i in range(len(offsets))]
    first, last = 0, len(touching) - 1
    while first <= last and touching[first]:
        first += 1
    while last >= first and touching[last]:
        last -= 1
    return next((i for i in range(first, last + 1) if touching[i]), None)


def tracked(record: Record, a: Snapshot, b: Snapshot, mover: Drawn, last: np.ndarray | None) -> tuple:
    """The mover's path from snapshot a to b as the recorder followed it frame by frame (its first part's centre):
    times and offsets from where a saw it, in steps of at most SWEEP_STEP of its size; (None, None) untracked."""
    uid = mover.parts[0].get("uid") if mover.parts else None
    frames = [(t, c[uid]) for t, c in record.tracks if a.t <= t < b.t and uid in c]
    if not frames or frames[0][0] != a.t:
        return None, None
    base = np.array(frames[0][1])
    times = [t for t, _ in frames] + ([b.t] if last is not None else [])
    points = [np.array(xy) - base for _, xy in frames] + ([last] if last is not None else [])
    step = step_of(mover)
    out_t, out_p = [times[0]], [points[0]]
    for (t0, p0), (t1, p1) in zip(zip(times, points), zip(times[1:], points[1:])):
        n = int(min(SWEEP_MAX_SAMPLES, max(1, np.ceil(np.linalg.norm(p1 - p0) / step))))
        for k in range(1, n + 1):
            out_t.append(t0 + (t1 - t0) * k / n)
            out_p.append(p0 + (p1 - p0) * k / n)
    return np.array(out_t), np.array(out_p)


def movers(play: list[Snapshot]) -> dict[tuple, dict[str, Drawn]]:
    """Each thing moving rigidly in the play (not fading, not transforming): its drawing in each snapshot."""
    found: dict[tuple, dict[str, Drawn]] = {}
    for snap in play:
        for d in snap.drawn:
            key = (d.kind, d.uid)
            if key in found or (snap.at != "end" and d.moving and d.moving not in FADING and d.kind != "image"):
                found.setdefault(key, {})[snap.at] = d
    return {k: v for k, v in found.items() if any(d.moving for d in v.values())}


def stretch(record: Record, a: Snapshot, b: Snapshot, places: dict[str, Drawn]) -> list[tuple[Drawn, Drawn, float]]:
    """The overlaps of one mover between snapshots a and b: (mover, other, time)."""
    mover, there = places[a.at], places.get(b.at)
    there = there if there is not None and rigid(mover, there) else None
    if not mover.moving:
        return []
    others = candidates(a, mover)
    if not others:
        return []
    times, offsets = tracked(record, a, b, mover, None if there is None else centre(there.box) - centre(mover.box))
    if times is None and (there is None or record.tracks):  # a record with frames: not carried along a path then
        return []
    if times is None:  # no frames recorded: the parabola through its recorded places
        path = path_of({k: centre(d.box) for k, d in places.items() if rigid(d, mover)})
        s = samples(path, AT[a.at], AT[b.at], mover)
        times = a.t + (b.t - a.t) * (s - AT[a.at]) / (AT[b.at] - AT[a.at])
        offsets = np.array([path(v) for v in s]) - path(s[0])
    if np.abs(offsets).max(initial=0) * PX_PER_UNIT < 1:
        return []
    boxes = np.array(mover.box)[None, :] + np.hstack([offsets, offsets])  # each step's box: x0, y0, x1, y1
    theirs = np.array([o.box for o in others])
    near = ((boxes[:, None, 0] < theirs[None, :, 2]) & (theirs[None, :, 0] < boxes[:, None, 2]) &
            (boxes[:, None, 1] < theirs[None, :, 3]) & (theirs[None, :, 1] < boxes[:, None, 3]))  # steps x others
    out = []
    for k in np.flatnonzero(near.any(axis=0)):
        i = between(offsets, near[:, k], mover, others[k], record.frame)
        if i is not None:
            out.append((mover, others[k], float(times[i])))
    return out


def check(record: Record) -> list[Finding]:
    findings = []
    for play in plays(record):
        moving = movers(play)
        for a, b in zip(play, play[1:]):
            found = [hit for places in moving.values() if a.at in places for hit in stretch(record, a, b, places)]
            if not found:
                continue
            over = [f"{m.name()} on {o.name()}" for m, o, _ in found if m.kind == o.kind == "text"]
            under = [f"{o.name() if o.kind == 'text' else m.name()} under a {m.label if m.kind != 'text' else o.label}"
                     for m, o, _ in found if m.kind != o.kind]
            parts = ([f"texts drawn over each other: {listed(over)}"] if over else []) + \
                    ([f"texts hidden under shapes drawn after them: {listed(under)}"] if under else [])
            t = min(s for _, _, s in found)
            names = sorted({d.name() for m, o, _ in found for d in (m, o) if d.kind == "text"})
            box = union([to_px(o.box, record.frame) for _, o, _ in found])
            findings.append(Finding("overlap", record.scene, a.beat, round(t, 3),
                                    f"Between the {a.at} and the {b.at} of a play, on a moving thing's path, "
                                    + "; and ".join(parts), names, scene_box(box, record.frame), record.theme))
    return findings
