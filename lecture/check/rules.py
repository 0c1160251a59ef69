"""Every rule's name and threshold in one place, and what a finding is."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# --- thresholds (lengths in pixels of a 480p frame: 60 px a scene unit; times in seconds) ---------------
PX_PER_UNIT = 480 / 8.0  # the rules measure at 480p whatever the clip's quality: geometry has no pixels
OVERLAP_MIN_PX = 6  # glyph ink of two texts sharing at least this many 480p pixels is an overlap
HIDDEN_MIN_SHARE = 0.15  # a text is hidden when a shape drawn after it covers this share of its ink, or of one glyph's
HIDDEN_MIN_OPACITY = 0.6  # ... a shape at least this opaque (a light tint over a text is a highlight)
SWEEP_STEP = 0.5  # a moving thing is checked along its path at steps of at most this share of its size ...
SWEEP_MAX_SAMPLES = 40  # ... and at most this many per stretch between two snapshots of its play
SWEEP_RIGID = 0.1  # a thing whose size changes by less than this share between snapshots moves rigidly
FAINT_OPACITY = 0.35  # a text fainter than this is fading in or out: not read, not checked for overlap
EDGE_TOLERANCE = 0.03  # scene units a part may reach past the margin (anti-aliasing, stroke rounding)
TITLE_BAND = 0.9  # units below the top margin that belong to the title (LectureScene.content_area)
SIZE_TOLERANCE = 0.5  # points below the theme's smallest size that still pass (rounding of scaled text)
CONTRAST_MIN = 4.5  # WCAG 2 AA for normal text
EMPTY_GRID = (8, 5)  # cells across and down the content area for the empty-canvas measure
EMPTY_MAX_SHARE = 0.25  # a beat-end frame whose largest empty rectangle is more than this share of the area
EMPTY_CROWDED = 0.30  # ... while the used cells are at least this full (not a sparse card) leaves the canvas unbalanced
STILL_MAX_S = 4.0  # a picture unchanged longer than this while the voice speaks
STILL_SHARE_MAX = 0.40  # the share of a clip's speech over a still picture above which the clip is reported
CHANGE_LEVEL = 12  # grey levels (of 255) a pixel must move by, on a 192x108 copy, for a frame to change
MOVING_WITHIN_S = 0.5  # a picture that changes by CHANGE_LEVEL within this long is moving: a slow fade or a traced
                      # path moves less than CHANGE_LEVEL from one frame to the next (at 15 fps and more so at 60),
                      # so frames are compared with the last change, not the frame before, and shorter still runs
                      # count as motion: the measure is the same at any frame rate
WINDOW = 0.05  # seconds per RMS window of the sound
SPEECH_DB = 35.0  # a window is speech when within this many dB of the loudest window
GAP = 0.35  # seconds of quiet inside speech that still count as speaking
CUE_MIN_S = 1.0  # a caption cue shorter than this cannot be read
CUE_MAX_LINE = 42  # characters on one caption line
CUE_SLACK_S = 0.05  # a cue may start or end this much outside its speech

RULES: dict[str, str] = {
    "overlap": "two texts drawn over each other, or a text under a shape drawn after it (glyph outlines, "
               "at every animation's start, middle and end and at each beat's end)",
    "off-frame": "a part outside the frame or inside its margin; anything but the title in the title band",
    "text-size": "text smaller than the theme's smallest readable size",
    "contrast": f"text below {CONTRAST_MIN}:1 contrast (WCAG AA) against what is drawn behind it",
    "empty-canvas": "a beat-end frame leaving a large part of the area below the title empty while the rest is crowded",
    "stillness": f"a picture unchanged for more than {STILL_MAX_S:g} s while the voice speaks (narrated clips)",
    "captions": f"a caption cue under {CUE_MIN_S:g} s or of one word, a line over {CUE_MAX_LINE} characters, "
                "or a cue outside its speech",
    "numbers": "a number the narration says that is not on screen or not the engine's",
}
GEOMETRIC = ("overlap", "off-frame", "text-size", "contrast", "empty-canvas")  # read the recorded geometry


@dataclass
class Finding:
    rule: str
    scene: str
    beat: str
    time: float  # seconds into the clip
    message: str
    objects: list[str] = field(default_factory=list)  # what is involved, as a viewer reads it
    box: list[float] | None = None  # x0, y0, x1, y1 in scene units (the sheet draws it), if it has a place
    theme: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def unique(findings: list[Finding]) -> list[Finding]:
    """The first of findings alike (same rule, beat and objects): a label overlapping through a whole
    motion is one finding, at the time it is first seen."""
    seen: set[tuple] = set()
    kept = []
    for f in sorted(findings, key=lambda f: f.time):
        key = (f.rule, f.beat, tuple(f.objects), f.message if not f.objects else "")
        if key not in seen:
            seen.add(key)
            kept.append(f)
    return kept
