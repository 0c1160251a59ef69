"""Pointing and pacing: `[words](name)` parsed, its phrase timed and highlighted in a narrated render (frames
decoded with PyAV against the speech times in the sidecar), the silent render unchanged; caption cues cut at
clauses; the voice's pace; the script file keeping the marks."""
from __future__ import annotations

import colorsys
import json
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from scenes.kit.cues import CAPTION_CHARS, MIN_WORDS, caption_cues
from scenes.kit.narration import NarrationError, Speech, clauses, phrase_end, split_marks, spread_by_characters
from tests.conftest import ROOT
from tests.frames import frame_differences

TEXT = ("Gradient descent takes a step against the gradient, scaled by the learning rate: part one. "
        "Small steps are slow; large steps overshoot — and can diverge. Then 1,000 steps of 0.5 each. Runs.")


# --- narration text ------------------------------------------------------------------------------------------
def test_pointing_is_spoken_as_written_and_is_a_bookmark():
    marked = split_marks("Here is [the loss node](loss), then ^flows and [w](w).")
    assert marked.text == "Here is the loss node, then flows and w."
    assert marked.points == {"loss": (8, 21), "w": (38, 39)}
    assert marked.marks == {"loss": 8, "flows": 28, "w": 38}
    assert split_marks("the interval [0, 1] (closed)").text == "the interval [0, 1] (closed)"  # not a pointing
    for bad, says in (("[a](x) and ^x", "twice"), ("[a ^b c](x)", "holds a ^mark"), ("[a](x) [b](x)", "twice")):
        with pytest.raises(NarrationError, match=says.replace("^", r"\^")):
            split_marks(bad)


def test_clauses_hold_every_word_and_end_at_punctuation():
    spans = clauses(TEXT)
    assert " ".join(TEXT[a:b] for a, b in spans).split() == TEXT.split()
    pieces = [TEXT[a:b] for a, b in spans]
    assert "Then 1,000 steps of 0.5 each." in pieces  # neither the thousands comma nor the decimal point ends one
    assert "large steps overshoot —" in pieces and pieces[-1] == "Runs."


def test_a_phrase_runs_to_the_next_bookmark_or_its_clauses_end():
    marked = split_marks("The ^gradient points uphill, so we ^step the ^other way.")
    assert marked.text[marked.marks["gradient"]:phrase_end(marked, "gradient")] == "gradient points uphill,"
    assert marked.text[marked.marks["step"]:phrase_end(marked, "step")] == "step the "
    assert marked.text[marked.marks["other"]:phrase_end(marked, "other")] == "other way."


def test_speech_places_any_character_between_its_anchors():
    speech = Speech(4.0, {}, (), text="abcdefghij", anchors=((0, 0.0), (4, 1.0), (4, 1.5), (10, 4.0)))
    assert speech.at(0) == 0.0 and speech.at(2) == 0.5 and speech.at(4) == 1.5  # a piece starting at 4: its start
    assert speech.at(7) == pytest.approx(2.75) and speech.at(99) == 4.0
    assert spread_by_characters("abcd", {"c": 2}, 2.0).at(2) == 1.0 == spread_by_characters("abcd", {"c": 2}, 2.0).marks["c"]


def test_word_anchors_share_a_piece_by_spoken_length():
    from lecture.voice.narrator import word_anchors

    anchors = word_anchors("the loss is 49.0, then w", 10, 1.0, 2.0)
    assert anchors[0] == (10, 1.0) and anchors[-1] == (34, 3.0)
    times = [t for _, t in anchors]
    assert times == sorted(times)
    gap = dict(anchors)
    assert gap[28] - gap[22] > gap[22] - gap[19]  # "49.0," is said "forty-nine point zero": longer than "is"


# --- caption cues --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seconds", [6.0, 12.0, 24.0])
def test_caption_cues_break_at_clauses_and_read_well(seconds):
    speech = spread_by_characters(TEXT, {}, seconds)
    cues = caption_cues(speech, offset=2.0)
    assert " ".join(c[2] for c in cues).split() == TEXT.split()
    ends = {TEXT[a:b].split()[-1] for a, b in clauses(TEXT)}
    for (start, end, content), following in zip(cues, cues[1:] + [None]):
        lines = content.split("\n")
        assert len(lines) <= 2 and all(len(line) <= CAPTION_CHARS for line in lines), content
        assert len(content.split()) >= MIN_WORDS, f"a cue of a word or two: {content!r}"
        assert content.split()[-1] in ends, f"{content!r} does not end a clause"
        assert start >= 2.0 and (following is None or end <= following[0] + 1e-9)
        assert end - start >= 1.0 - 1e-9 or following is not None and end == following[0], (content, end - start)
    if seconds >= 12:
        assert all(end - start >= 1.0 - 1e-9 for start, end, _ in cues)


def test_a_short_clause_before_a_long_one_is_not_a_flash():
    """"At the output," fits with neither neighbour: the two clauses are cut again into even cues."""
    text = ("At the output, the mean squared error makes delta two times the prediction minus the target: "
            "0.5 against 1.0, so delta is -1.0.")
    cues = caption_cues(spread_by_characters(text, {}, 6.0), 0.0)
    assert " ".join(c[2] for c in cues).split() == text.split()
    assert all(end - start >= 1.0 and len(content.split()) >= MIN_WORDS for start, end, content in cues[:-1]), cues


def test_a_clause_too_long_for_two_lines_is_cut_evenly():
    text = ("The gradient of the loss with respect to every weight of the network is computed in one backward pass "
            "through the graph that the forward pass recorded.")
    cues = caption_cues(spread_by_characters(text, {}, 10.0), 0.0)
    assert len(cues) == 2 and all(len(c[2].replace("\n", " ")) > 40 for c in cues)
    endless = " ".join(["gradient"] * 120) + "."  # no clause ends: cut evenly, and at once
    assert [len(c[2].split()) for c in caption_cues(spread_by_characters(endless, {}, 60.0), 0.0)] == [8] * 15


# --- the highlight --------------------------------------------------------------------------------------------
def test_a_ring_stops_halfway_to_a_neighbours_letters():
    """A label 0.1 above the target: the ring's top closes in to 0.05 above it instead of RING_BUFF, the other
    sides keep RING_BUFF; the content area's edge still closes it in."""
    from scenes.kit.pointing import RING_BUFF, ring_box

    target = (-1.0, 1.0, 0.0, 0.5)
    label = (-0.5, 0.5, 0.6, 0.9)  # x0, x1, y0, y1: above the target, inside its ring
    far = (3.0, 4.0, 0.0, 0.5)  # level with it, beyond the ring
    assert ring_box(target, None, [label, far]) == pytest.approx((-1 - RING_BUFF, 1 + RING_BUFF, -RING_BUFF, 0.55))
    assert ring_box(target, None, []) == pytest.approx((-1 - RING_BUFF, 1 + RING_BUFF, -RING_BUFF, 0.5 + RING_BUFF))
    assert ring_box(target, (-1.05, 9, -9, 9), [])[0] == pytest.approx(-1.05)
    touching = (-0.5, 0.5, 0.5 + RING_BUFF, 0.9)  # where the ring's line would run, along its bottom: its glow crosses it
    assert ring_box(target, None, [touching])[3] == pytest.approx(0.5 + RING_BUFF / 2)
    beside = (1.08, 1.5, 0.1, 0.4)  # to the right, level with it
    assert ring_box(target, None, [beside])[1] == pytest.approx(1.04)


def test_parts_with_another_texts_letters_between_them_get_a_ring_each():
    from manim import Square, VGroup

    from scenes.kit.pointing import extent, ring, ring_boxes

    upper, lower = Square(0.4).move_to([2, 1, 0]), Square(0.4).move_to([1, 0, 0])  # two results in two rows
    between = extent(Square(0.3).move_to([1.2, 1, 0]))  # the longer row's term, left of the upper result
    assert len(ring_boxes(VGroup(upper, lower), None, [between])) == 2
    assert len(ring_boxes(VGroup(upper, lower), None, [])) == 1
    assert len(ring(VGroup(upper, lower), "#FF8C3A", None, [between])) == 2


def test_the_highlight_fades_in_with_the_words_and_out_after_them():
    from scenes.kit.pointing import FADE_IN, FADE_OUT, LINGER, Window

    window = Window("loss", 2.0, 3.0)
    assert window.level(1.99) == 0.0 and window.level(2.0 + FADE_IN) == 1.0 == window.level(3.0 + LINGER)
    assert 0 < window.level(2.1) < 1 and window.level(window.until) == 0.0 == window.level(window.until + 1)
    assert window.until == pytest.approx(3.0 + LINGER + FADE_OUT)
    levels = [window.level(2.0 + k / 100) for k in range(200)]
    assert max(abs(a - b) for a, b in zip(levels, levels[1:])) < 0.1  # no jump


# --- rendered: the tiny scene in tests/pointing_scene.py --------------------------------------------------------
def render(name: str, out: Path, *flags: str) -> tuple[Path, dict]:
    result = subprocess.run([sys.executable, "-m", "tests.pointing_scene", name, str(out), *flags],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return out / f"{name}.mp4", json.loads((out / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def renders(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """The demo narrated (the project's renderer and stock manim's, one speech cache: the same speech) and
    silent, and its twin without pointing or pacing, silent."""
    out = tmp_path_factory.mktemp("pointing")
    speech = str(out / "speech")
    return {"voiced": render("PointingDemo", out / "voiced", "--voice", speech),
            "plain": render("PointingDemo", out / "plain", "--voice", speech, "--plain"),
            "silent": render("PointingDemo", out / "silent"), "twin": render("PlainDemo", out / "twin"),
            "cached": [render("PointingDemo", out / f"cached{i}", "--voice", speech, "--beats", str(out / "beats"))
                       for i in range(2)]}


def frames(path: Path) -> tuple[list[np.ndarray], float]:
    with av.open(str(path)) as container:
        rate = float(container.streams.video[0].average_rate)
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)], rate


def lit(frame: np.ndarray) -> tuple[int, float]:
    """Pixels of the highlight's hue (the dark theme's #FF8C3A) and where they are across the frame (0: left)."""
    from scenes.kit.theme import DARK

    hue = colorsys.rgb_to_hsv(*(int(DARK.highlight[i:i + 2], 16) / 255 for i in (1, 3, 5)))[0]
    rgb = frame.astype(float) / 255
    top, bottom = rgb.max(axis=2), rgb.min(axis=2)
    mask = (top > 0.3) & ((top - bottom) / np.maximum(top, 1e-6) > 0.5)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    pixel_hue = np.where(top == r, ((g - b) / np.maximum(top - bottom, 1e-6)) % 6, 0) / 6
    mask &= (top == r) & (np.abs(pixel_hue - hue) < 0.04)
    xs = np.nonzero(mask)[1]
    return int(mask.sum()), float(xs.mean() / frame.shape[1]) if len(xs) else -1.0


@pytest.mark.slow
def test_a_pointed_object_lights_up_while_its_words_are_spoken(renders):
    from scenes.kit.pointing import FADE_IN, FADE_OUT, LINGER

    video, sidecar = renders["voiced"]
    pictures, fps = frames(video)
    points = sidecar["sections"][0]["points"]
    assert set(points) == {"loss", "w"}
    for name, side in (("loss", lambda x: x < 0.5), ("w", lambda x: x > 0.5)):
        start, end = points[name]
        strong = [lit(pictures[i]) for i in range(int((start + FADE_IN) * fps) + 1, int((end + LINGER) * fps))]
        assert strong and all(n > 100 and side(x) for n, x in strong), (name, strong)
        before, after = int((start - 0.1) * fps) - 1, int((end + LINGER + FADE_OUT) * fps) + 2
        assert lit(pictures[before])[0] == 0 and lit(pictures[after])[0] == 0, name
    dark = [i for i, p in enumerate(pictures) if lit(p)[0] == 0]
    assert len(dark) > len(pictures) / 2  # nothing else is lit


@pytest.mark.slow
def test_the_words_are_spoken_when_the_sidecar_says(renders):
    video, sidecar = renders["voiced"]
    with av.open(str(video)) as container:
        samples = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
    rate = 48000
    for start, _ in sidecar["sections"][0]["points"].values():
        word = samples[int(start * rate):int((start + 0.25) * rate)]
        silence_before = samples[int((start - 0.06) * rate):int((start - 0.01) * rate)]
        assert np.sqrt(np.mean(word ** 2)) > 4 * np.sqrt(np.mean(silence_before ** 2)) + 1e-4


@pytest.mark.slow
@pytest.mark.parametrize("render_name", ["voiced", "silent"])
def test_the_srt_carries_the_sidecars_cues(renders, render_name):
    from lecture.voice.captions import read_srt

    video, sidecar = renders[render_name]
    cues = [cue for section in sidecar["sections"] for cue in section["cues"]]
    srt = read_srt(video.with_suffix(".srt"))
    assert len(srt) == len(cues) > 3
    for cue, (start, end, text) in zip(srt, cues):
        assert cue.text == text and cue.start == pytest.approx(start, abs=2e-3) and cue.end == pytest.approx(end, abs=2e-3)


@pytest.mark.slow
def test_a_paced_motion_lasts_as_long_as_its_phrase(renders):
    pictures, fps = frames(renders["voiced"][0])
    section = renders["voiced"][1]["sections"][1]
    moving = [i for i, (a, b) in enumerate(zip(pictures, pictures[1:])) if np.abs(a.astype(int) - b).max() > 40
              and i / fps > section["start"]]
    assert moving[0] / fps == pytest.approx(section["marks"]["moves"], abs=1.5 / fps)
    assert (moving[-1] - moving[0] + 1) / fps > 1.6  # the phrase, "moves across ... picture,": longer than its silent 1 s
    silent, silent_fps = frames(renders["silent"][0])
    still = [i for i, (a, b) in enumerate(zip(silent, silent[1:])) if np.abs(a.astype(int) - b).max() > 40
             and i / silent_fps > renders["silent"][1]["sections"][1]["start"]]
    assert (still[-1] - still[0] + 1) / silent_fps == pytest.approx(1.0, abs=1.5 / silent_fps)


@pytest.mark.slow
def test_stock_manim_draws_the_same_highlight(renders):
    """The same frames as stock manim's, highlight and all (one speech cache: the same timing). Counting lit
    pixels in both is no measure while the ring fades: its pixels cross the hue test's threshold together
    (CI: 202 against 128 at one faded frame of the same picture)."""
    ours, stock = renders["voiced"][0], renders["plain"][0]
    assert sum(lit(a)[0] > 200 for a in frames(ours)[0]) > 10  # the highlight is there at all
    assert not (found := frame_differences(ours, stock)), "; ".join(found[:5])


@pytest.mark.slow
def test_the_beat_cache_keeps_the_highlight(renders):
    """The second render with the beat cache draws only the last beat (the first comes from its segment)."""
    ours, _ = frames(renders["voiced"][0])
    for video, _ in renders["cached"]:
        cached, _ = frames(video)
        assert len(cached) == len(ours)
        assert [lit(a)[0] > 100 for a in ours] == [lit(b)[0] > 100 for b in cached]
        assert max(np.abs(a.astype(int) - b).max() for a, b in zip(ours, cached)) < 40  # x264 noise only


@pytest.mark.slow
def test_the_silent_render_is_the_same_as_without_pointing(renders):
    pointing, _ = frames(renders["silent"][0])
    twin, _ = frames(renders["twin"][0])
    assert len(pointing) == len(twin) and all(np.array_equal(a, b) for a, b in zip(pointing, twin))
    assert all(lit(p)[0] == 0 for p in pointing)
    assert [s["end"] for s in renders["silent"][1]["sections"]] == [s["end"] for s in renders["twin"][1]["sections"]]
    assert "points" not in renders["silent"][1]["sections"][0]


# --- the script file ------------------------------------------------------------------------------------------
def test_the_script_shows_marks_and_pointing_as_written(tmp_path):
    from lecture.voice.script import SceneScript, to_markdown

    text = "Here is [the loss node](loss); the gradient ^flows back."
    markdown = to_markdown("T", [SceneScript("title", "Title", {"say": text}, frozenset())], tmp_path)
    assert f"### say (not rendered yet)\n\n{text}\n" in markdown and "> said:" not in markdown


def test_a_script_may_only_point_at_what_the_beat_binds():
    from lecture import UserError
    from lecture.voice.script import SceneScript, check_points

    script = SceneScript("title", "Title", {"say": "Here is [the loss node](loss)."}, frozenset())

    def error(line: int, message: str) -> UserError:
        return UserError(f"line {line}: {message}")
    check_points(split_marks("Now [the loss](loss), reworded.").points, script, "say", [(7, "Now [the loss](loss), reworded.")], error)
    check_points({}, script, "say", [(7, "No pointing at all.")], error)  # dropping a pointing is allowed
    with pytest.raises(UserError, match=r"line 9: beat say points at nothing called 'los'; it can point at loss"):
        check_points(split_marks("Now [the loss](los).").points, script, "say", [(8, "Now"), (9, "[the loss](los).")], error)


def test_a_script_keeps_the_marks_its_beat_is_timed_to():
    from lecture import UserError
    from lecture.voice.script import SceneScript, check_marks

    script = SceneScript("title", "Title", {"say": "The values ^flow forward, then [the loss](loss) ^falls."}, frozenset())

    def error(line: int, message: str) -> UserError:
        return UserError(f"line {line}: {message}")
    check_marks(split_marks("Reworded: they ^flow, and it ^falls."), script, "say", [(7, "...")], error)
    check_marks(split_marks("They ^flow; it ^falls; ^more is harmless."), script, "say", [(7, "...")], error)
    with pytest.raises(UserError, match=r"line 7: beat say's picture is timed to \^falls, which this text does not mark; "
                                        r"put \^falls before the word .* \(this beat marks \^flow, \^falls\)"):
        check_marks(split_marks("They ^flow and [the loss](loss) falls."), script, "say", [(7, "..."), (8, "...")], error)


def test_a_ring_stays_inside_the_content_area():
    from manim import Square

    from scenes.kit.pointing import RING_BUFF, ring

    bounds = (-6.5, 6.5, -3.5, 2.6)
    free = ring(Square(1), "#FF8C3A", bounds)[0]
    assert free.width == pytest.approx(1 + 2 * RING_BUFF) and free.height == pytest.approx(1 + 2 * RING_BUFF)
    near_top = ring(Square(1).move_to([6.0, 2.1, 0]), "#FF8C3A", bounds)  # 0.1 under the band, 0.0 from the margin
    for stroke in near_top:
        assert stroke.get_top()[1] == pytest.approx(2.6) and stroke.get_right()[0] == pytest.approx(6.5)
        assert stroke.get_bottom()[1] == pytest.approx(1.6 - RING_BUFF)  # the free sides keep their room
    in_band = ring(Square(0.5).move_to([0, 3.2, 0]), "#FF8C3A", bounds)[0]  # a title pointed at: its ring as ever
    assert in_band.get_top()[1] == pytest.approx(3.45 + RING_BUFF)
