"""`lecture check`'s rules, each on a small frame that breaks it and one that passes, and the command's
contract (exit codes, one-line errors). The frames are geometry records as the recorder writes them
(lecture/manim_compat/record.py); tests/test_check_render.py records real renders."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from lecture.check import canvas, captions, contrast, frame, numbers, overlap, textsize
from lecture.check.geometry import hidden_share, load
from lecture.check.rules import CUE_MAX_LINE, RULES
from tests.in_process import run


def rect(x0: float, y0: float, x1: float, y1: float) -> list[float]:
    return [x0, y0, x1, y0, x1, y1, x0, y1, x0, y0]


def glyphs(label: str, x: float, y: float, uid: int, size: float = 34, colour=(0.93, 0.93, 0.93, 1.0),
           width: float = 1.0, height: float = 0.4) -> list[dict]:
    """A text as the recorder stores it: a glyph per character, each a filled box (a letter's ink)."""
    step = width / max(len(label), 1)
    return [{"uid": uid * 100 + i, "kind": "text", "type": "VMobjectFromSVGPath", "text": uid, "label": label,
             "text_type": "Text", "font_size": size, "fill": list(colour), "stroke": [0, 0, 0, 0], "stroke_width": 0,
             "paths": [rect(x + i * step + 0.02, y, x + (i + 1) * step - 0.02, y + height)]} for i in range(len(label))]


def shape(x0, y0, x1, y1, uid: int, fill=(0.12, 0.13, 0.17, 1.0), label="Rectangle") -> dict:
    return {"uid": uid, "kind": "shape", "type": label, "label": label, "fill": list(fill), "stroke": [0, 0, 0, 0],
            "stroke_width": 0, "paths": [rect(x0, y0, x1, y1)]}


def title(theme: str = "dark") -> list[dict]:
    colour = (0.93, 0.93, 0.93, 1.0) if theme == "dark" else (0.106, 0.106, 0.122, 1.0)
    return glyphs("Title", -1.5, 3.1, 99, size=44, width=3.0, colour=colour)


def record_of(tmp_path: Path, *frames: list[dict], theme: str = "dark", at: str = "beat-end", groups: dict | None = None):
    """A geometry record with one snapshot per frame (each a list of shapes in draw order); `groups`: a
    group's uid -> its type, as the recorder names the groups its parts list."""
    shapes, snapshots = [], []
    for t, parts in enumerate(frames):
        items = []
        for part in parts:
            items.append([len(shapes), ""])
            shapes.append(part)
        snapshots.append({"t": float(t), "beat": "b", "at": at, "items": items})
    data = {"format": 2, "scene": "demo", "title": "Title", "theme": theme,
            "background": "#111319" if theme == "dark" else "#FFFFFF", "frame": [128 / 9, 8.0], "pixels": [854, 480],
            "shapes": shapes, "groups": {str(k): v for k, v in (groups or {}).items()}, "snapshots": snapshots}
    path = tmp_path / "demo.geometry.json.gz"
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    return load(path)


def test_overlap_two_texts_on_each_other_and_apart(tmp_path):
    over = record_of(tmp_path, title() + glyphs("x1", 0, 0, 1) + glyphs("7", 0.3, 0.1, 2))
    (finding,) = overlap.check(over)
    assert finding.rule == "overlap" and finding.objects == ['"7"', '"x1"'] and finding.box
    assert finding.message.startswith("At the beat's end, texts drawn over each other")
    apart = record_of(tmp_path, title() + glyphs("x1", -2, 0, 1) + glyphs("7", 2, 0, 2))
    assert overlap.check(apart) == []


def test_overlap_is_glyphs_not_boxes(tmp_path):
    """Two texts whose boxes overlap but whose letters do not (an L beside a 7 tucked into its corner)."""
    ell = glyphs("L", 0, 0, 1, width=0.3)[0]
    ell["paths"] = [[0, 0, 0.3, 0, 0.3, 0.06, 0.06, 0.06, 0.06, 0.4, 0, 0.4, 0, 0]]
    seven = glyphs("7", 0.15, 0.15, 2, width=0.25, height=0.25)
    assert overlap.check(record_of(tmp_path, title() + [ell] + seven)) == []


def test_overlap_text_hidden_under_a_shape_drawn_after_it(tmp_path):
    hidden = record_of(tmp_path, title() + glyphs("w", 0, 0, 1) + [shape(-0.2, -0.2, 1.2, 0.6, 5)])
    (finding,) = overlap.check(hidden)
    assert "texts hidden under shapes drawn after them" in finding.message and "under a Rectangle" in finding.message
    on_top = record_of(tmp_path, title() + [shape(-0.2, -0.2, 1.2, 0.6, 5)] + glyphs("w", 0, 0, 1))
    assert overlap.check(on_top) == []


def test_overlap_one_measure_of_a_text_hidden_under_a_shape(tmp_path):
    """A dot over one digit of a long number hides less than 15% of the number's ink but most of that digit's: the
    number is misread, at a beat's end as on a moving dot's path (both take `geometry.hidden_share`); a dot over a
    corner of a digit is clean."""
    number = glyphs("0.2500000", -1.5, -0.15, 1, width=3.0, height=0.3)  # nine glyphs, each 0.29 wide

    def dot(x0: float, y0: float, side: float) -> dict:
        return shape(x0, y0, x0 + side, y0 + side, 7, fill=(0.9, 0.5, 0.1, 1.0), label="Circle")
    first, second = np.zeros((10, 20), bool), np.zeros((10, 20), bool)
    first[:, 1:9], second[:, 11:19] = True, True  # two glyphs of a text, their ink in 480p pixels
    cover = np.zeros((10, 20), bool)
    cover[:, :5] = True  # half of the first glyph: a quarter of the text's ink
    assert hidden_share(first | second, [first, second], cover) == 0.5
    assert hidden_share(first | second, [first, second], np.zeros_like(cover)) == 0.0
    (finding,) = overlap.check(record_of(tmp_path, title() + number + [dot(-1.45, -0.12, 0.24)]))
    assert "texts hidden under shapes drawn after them" in finding.message and '"0.2500000"' in finding.objects
    assert overlap.check(record_of(tmp_path, title() + number + [dot(-1.6, 0.08, 0.1)])) == []
    (swept,) = overlap.check(travelling(tmp_path, (-1.5, 0.0)))  # the sweep's dot over "0.25"'s digits: the same measure
    assert "under a Circle" in swept.message
    turning = record_of(tmp_path, title() + number + [dot(-1.45, -0.12, 0.24)], at="mid")
    turning.snapshots[0].drawn[-1].moving = "Transform"  # a glyph mid-transform, recorded as a shape: its end judges it
    assert overlap.check(turning) == []


def test_overlap_cross_fade_mid_motion_is_not_an_overlap(tmp_path):
    rec = record_of(tmp_path, title() + glyphs("old", 0, 0, 1) + glyphs("new", 0, 0, 2), at="mid")
    for d in rec.snapshots[0].drawn[1:]:
        d.moving = "FadeOut" if d.label == "old" else "FadeIn"
    assert overlap.check(rec) == []


def travelling(tmp_path, text_at: tuple[float, float], kind: str = "dot"):
    """A dot (or a number) travelling from x = -3 to 3 in one play, recorded at its start, middle and end, past
    a number standing at `text_at`."""
    def mover(x: float) -> list[dict]:
        if kind == "dot":
            return [shape(x - 0.06, -0.06, x + 0.06, 0.06, 7, fill=(0.9, 0.5, 0.1, 1.0), label="Circle")]
        return glyphs("14", x - 0.2, -0.15, 7, width=0.4, height=0.3)
    still = glyphs("0.25", text_at[0] - 0.3, text_at[1] - 0.15, 1, width=0.6, height=0.3)
    rec = record_of(tmp_path, *(title() + still + mover(x) for x in (-3.0, 0.0, 3.0)))
    for snap, at in zip(rec.snapshots, ("start", "mid", "end")):
        snap.at = at
        for d in snap.drawn:
            d.moving = "MoveAlongPath" if d.uid == 7 and at != "end" else ""
    return rec


@pytest.mark.parametrize("kind", ["dot", "number"])
def test_overlap_on_a_moving_things_path_between_the_sampled_instants(tmp_path, kind):
    """A dot (or a number) sliding over a number between its play's start and middle: the snapshots there do
    not see it, its swept path does; one passing above it, or leaving from on it (its source), is clean."""
    (finding,) = overlap.check(travelling(tmp_path, (-1.5, 0.0), kind))
    assert '"0.25"' in finding.objects and finding.message.startswith("Between the start and the mid of a play")
    assert 0.3 < finding.time < 0.7  # seconds: the record's start is 0, its middle 1
    assert overlap.check(travelling(tmp_path, (-1.5, 0.6), kind)) == []
    assert overlap.check(travelling(tmp_path, (-3.0, 0.0), kind)) == []


def test_overlap_follows_the_recorded_frames_of_a_path(tmp_path):
    """Where the recorder kept the mover's centre at every frame, the rule follows those frames, not the parabola
    through its three places: a dot going round under the number is clean; one whose frames cross it is not."""
    rec = travelling(tmp_path, (-1.5, 0.0))
    around = [(-3.0, 0.0), (-2.5, -1.0), (-1.5, -1.0), (-0.5, -1.0)]
    rec.tracks = [(t, {7: xy}) for t, xy in zip((0.0, 0.25, 0.5, 0.75), around)]
    assert overlap.check(rec) == []
    rec.tracks = [(t, {7: (x, 0.0)}) for t, x in zip((0.0, 0.25, 0.5, 0.75), (-3.0, -2.25, -1.5, -0.75))]
    (finding,) = overlap.check(rec)
    assert 0.25 < finding.time <= 0.5 and '"0.25"' in finding.objects  # between two recorded frames


def test_off_frame_margin_and_title_band(tmp_path):
    out = record_of(tmp_path, title() + [shape(5.0, 0, 7.5, 1, 1)])
    assert [f.message for f in frame.check(out)] == ["Rectangle reaches outside the frame (beat-end)"]
    margin = record_of(tmp_path, title() + [shape(5.0, 0, 6.9, 1, 1)])
    assert "inside the margin" in frame.check(margin)[0].message
    band = record_of(tmp_path, title() + glyphs("note", 3, 2.9, 2))
    assert [f.objects for f in frame.check(band)] == [['"note"']]
    inside = record_of(tmp_path, title() + [shape(-6.5, -3.4, 6.5, 2.5, 1)])
    assert frame.check(inside) == []


def test_text_size_below_the_theme_smallest(tmp_path):
    small = record_of(tmp_path, title() + glyphs("w", 0, 0, 1, size=12))
    (finding,) = textsize.check(small)
    assert "12.0 pt" in finding.message and "smallest 22" in finding.message
    assert textsize.check(record_of(tmp_path, title() + glyphs("w", 0, 0, 1, size=22))) == []


@pytest.mark.parametrize("theme,colour,ok", [
    ("dark", (0.93, 0.93, 0.93, 1.0), True),
    ("dark", (0.2, 0.2, 0.25, 1.0), False),  # dark grey on the dark background
    ("light", (0.659, 0.42, 0.0, 1.0), False),  # the light theme's former gradient colour #A86B00 on white: 4.4:1
    ("light", (0.106, 0.106, 0.122, 1.0), True),
])
def test_contrast_against_the_background(tmp_path, theme, colour, ok):
    rec = record_of(tmp_path, title(theme) + glyphs("w", 0, 0, 1, colour=colour), theme=theme)
    assert (contrast.check(rec) == []) == ok


def test_contrast_against_a_panel_drawn_behind(tmp_path):
    """Dark text is fine on white, not on a dark panel drawn under it."""
    rec = record_of(tmp_path, title("light") + [shape(-1, -1, 2, 1, 5, fill=(0.1, 0.1, 0.1, 1.0))] +
                    glyphs("w", 0, 0, 1, colour=(0.106, 0.106, 0.122, 1.0)), theme="light")
    (finding,) = contrast.check(rec)
    assert "#1A1A1A" in finding.message


def test_empty_canvas_packed_left_and_balanced(tmp_path):
    """Content packed into the left third, the rest dark; and the same pieces spread over the canvas."""
    packed = [shape(-6.5, y, -2.5, y + 0.9, i) for i, y in enumerate((1.5, 0.3, -0.9, -2.1, -3.3))]
    (finding,) = canvas.check(record_of(tmp_path, title() + packed))
    assert finding.rule == "empty-canvas" and finding.box[0] > -3
    spread = [shape(-6.5 + 4.5 * (i % 3), 1.5 - 1.6 * (i // 3), -3 + 4.5 * (i % 3), 2.3 - 1.6 * (i // 3), i) for i in range(12)]
    assert canvas.check(record_of(tmp_path, title() + spread)) == []


def test_empty_canvas_a_chart_across_the_frame_is_its_picture(tmp_path):
    """training-run at --layers 3,6,6,6,1 (no plane to draw): the loss chart spans the width, empty until the
    run draws its curve. As one Axes its inside is used however large; the same lines and labels in a plain
    group larger than GROUP_MAX_SHARE are only their own thin boxes, and the frame is reported."""
    parts = [shape(-5.6, -3.0, 6.3, -2.96, 1, label="Line"), shape(-5.62, -3.0, -5.58, 2.0, 2, label="Line"),
             *glyphs("L", -6.5, -0.6, 3, width=0.6, height=0.8), *glyphs("0", -6.5, -3.2, 4, width=0.6, height=0.8),
             *glyphs("2.83", -6.5, 1.0, 6, width=0.8, height=0.8)]
    for part in parts:
        part["groups"] = [50]
    readout = glyphs("step 0 of 300", -4.8, 1.9, 7, width=4.6, height=0.6) + glyphs("L = 0.386", 0.5, 1.9, 8, width=3.0, height=0.6)
    assert canvas.check(record_of(tmp_path, title() + parts + readout, groups={50: "Axes"})) == []
    (finding,) = canvas.check(record_of(tmp_path, title() + parts + readout, groups={50: "VGroup"}))
    assert finding.rule == "empty-canvas" and finding.box[0] > -5.5


def sidecar(cues, speech=(0.0, 10.0), narration="", values=None) -> dict:
    return {"scene": "demo", "theme": "dark", "values": values or {},
            "sections": [{"name": "b", "start": 0.0, "end": 10.0, "narration": narration, "speech": list(speech),
                          "cues": [list(c) for c in cues]}]}


def test_captions_short_one_word_long_line_outside_speech():
    long_line = "x" * (CUE_MAX_LINE + 1)
    messages = [f.message for f in captions.check(sidecar([(0.0, 0.5, "one."), (0.5, 3.0, long_line + " and"),
                                                           (3.0, 11.0, "after the speech ends")]))]
    assert any("0.50 s" in m for m in messages) and any("single word" in m for m in messages)
    assert any(f"{CUE_MAX_LINE + 5} characters (over {CUE_MAX_LINE})" in m for m in messages) and any("outside its speech" in m for m in messages)
    assert captions.check(sidecar([(0.0, 2.0, "A cue that reads well,"), (2.0, 10.0, "and another one.")])) == []


def test_numbers_said_shown_and_the_engines(tmp_path):
    rec = record_of(tmp_path, title() + glyphs("3.3920", 0, 0, 1))
    good = sidecar([], narration="The slope is 3.39 here, after 20 steps.", values={"dx": 3.3919692, "steps": 20})
    assert numbers.check(rec, good) == []  # a count (20 steps) is the engine's, not on screen
    wrong = sidecar([], narration="The slope is 4.5 here, over 2 inputs and 12 steps.", values={"dx": 3.3919692, "steps": 20})
    assert [f.message for f in numbers.check(rec, wrong)] == [
        "the narration says 4.5, which no text on screen shows by the end of this beat",
        "the narration says 4.5, which is none of the values the scene recorded",
        "the narration says 12, which is none of the values the scene recorded"]


def test_every_rule_has_a_test_and_a_doc():
    doc = (Path(__file__).parents[1] / "docs" / "checking.md").read_text()
    for rule in RULES:
        assert f"`{rule}`" in doc, rule


@pytest.mark.parametrize("args,message", [
    (["check", "nope"], "unknown scene nope"),
    (["check", "title", "--theme", "neon"], "unknown theme"),
    (["check", "title", "-q", "z"], "--quality"),
    (["check", "title", "--json", "/proc/x/y.json"], "--json"),
    (["check", "title", "--sheet", "/proc/x/sheet.png"], "--sheet"),
])
def test_check_bad_input_is_one_line_exit_2(tmp_path, args, message):
    code, err = run(*args, "--out", str(tmp_path / "out"))
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("lecture: error:") and message in lines[0], err
    assert not (tmp_path / "out").exists() or not any(p.is_file() for p in (tmp_path / "out").rglob("*"))


def narrated_clip(path: Path, moving_until: float, seconds: float = 6.0, fps: int = 10, fade: bool = False) -> Path:
    """A 192x108 clip with a tone throughout (the voice) whose picture changes every frame until
    `moving_until`, then stands still; with `fade`, a square brightens from black to white over the clip
    instead, a few grey levels a frame (less than the change level from one frame to the next)."""
    import av
    import numpy as np

    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = 192, 108, "yuv420p"
        audio = container.add_stream("aac", rate=16000, layout="mono")
        for i in range(int(seconds * fps)):
            picture = np.zeros((108, 192, 3), dtype=np.uint8)
            if fade:
                picture[30:80, 60:130] = int(255 * i / (seconds * fps))
            else:
                x = min(i, int(moving_until * fps)) * 2 % 180
                picture[40:60, x:x + 12] = 255
            container.mux(video.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")))
        tone = (0.3 * np.sin(2 * np.pi * 220 * np.arange(int(seconds * 16000)) / 16000)).astype(np.float32)
        for start in range(0, len(tone), 1024):
            frame = av.AudioFrame.from_ndarray(tone[None, start:start + 1024], format="flt", layout="mono")
            frame.sample_rate = 16000
            container.mux(audio.encode(frame))
        container.mux(video.encode())
        container.mux(audio.encode())
    return path


def test_stillness_a_still_picture_while_the_voice_speaks(tmp_path):
    from lecture.check import stillness

    side = {"scene": "demo", "theme": "dark", "sections": [{"name": "b", "start": 0.0, "end": 6.0, "speech": [0, 6]}]}
    still = stillness.check(narrated_clip(tmp_path / "still.mp4", moving_until=1.0), side)
    assert {f.beat for f in still} == {"b", ""} and "stands still for 4.9 s" in still[0].message
    assert stillness.check(narrated_clip(tmp_path / "moving.mp4", moving_until=6.0), side) == []


@pytest.mark.parametrize("fps", [10, 30])
def test_stillness_a_slow_fade_is_motion_at_any_frame_rate(tmp_path, fps):
    """A fade of 4 (at 10 fps) or 1.4 (at 30 fps) grey levels a frame, under the change level from one frame
    to the next, is a picture that changes: measured against the last change, it is never a still."""
    from lecture.check import stillness

    whole, _ = stillness.measures(narrated_clip(tmp_path / "fade.mp4", 0.0, fps=fps, fade=True), [])
    assert whole.speech_s > 5 and whole.share < 0.1 and whole.longest_s < 0.5


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_every_colour_role_a_text_can_take_reads_on_its_background(theme):
    """Labels take the role colours (a gradient's number, the highlighted line): each at least 4.5:1 (WCAG AA)
    on the theme's background and on its panel, so the contrast rule holds for any text a scene colours."""
    from scenes.kit.theme import THEMES

    t = THEMES[theme]
    for role in ("text", "muted", "learnable", "constant", "forward", "gradient", "loss", "highlight"):
        for ground in (t.background, t.panel):
            assert float(contrast.ratio(contrast.hex_rgb(getattr(t, role)), contrast.hex_rgb(ground))) >= 4.5, (role, ground)
