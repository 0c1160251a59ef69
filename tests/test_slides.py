"""Decks and standalone clips: the HTML deck in a real headless Chromium with no network, the PPTX
opened with python-pptx, the PDF's pages, a transparent clip's alpha channel."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from scenes.catalog import LECTURE
from tests.conftest import LECTURE as LECTURE_CLI, run_lecture

CHROMIUM = "/usr/bin/chromium"


def launch_chromium(playwright):
    """Debian's Chromium, headless, without the background connections a closed network refuses, and
    allowed to play sound without a click."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required"])


def deck(rendered: Path, to: str) -> Path:
    result = run_lecture("slides", "all", "--to", to, "-q", "t", "--out", str(rendered.parent))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "done in" not in result.stdout, result.stdout  # the clips `render` made are reused, not made again
    path = rendered.parent / "slides" / f"lecture.{to}"
    assert f"wrote {path}" in result.stdout
    return path


def slide_count(rendered: Path) -> int:
    return sum(len(json.loads((rendered / f"{s}.slides.json").read_text())["slides"]) for s in LECTURE)


def test_slides_follow_sections(rendered):
    for scene_id in LECTURE:
        sections = json.loads((rendered / f"{scene_id}.json").read_text())["sections"]
        slides = json.loads((rendered / f"{scene_id}.slides.json").read_text())["slides"]
        assert len(slides) == len(sections), scene_id
        assert [s["loop"] for s in slides] == [s["loop"] for s in sections], scene_id


def loop_slides(rendered: Path) -> list[int]:
    """Deck indices of the slides that loop until the lecturer moves on."""
    flags = [s["loop"] for scene in LECTURE for s in json.loads((rendered / f"{scene}.slides.json").read_text())["slides"]]
    return [i for i, loops in enumerate(flags) if loops]


def test_the_lecture_has_loops_to_talk_over(rendered):
    looping = {s["name"] for scene in LECTURE for s in json.loads((rendered / f"{scene}.json").read_text())["sections"]
               if s["loop"]}
    assert {"circle_the_ring", "repeat_every_step"} <= looping


def test_html_deck_plays_offline_and_advances(rendered):
    from playwright.sync_api import sync_playwright

    html = deck(rendered, "html")
    text = html.read_text()
    assert "cdn.jsdelivr" not in text and "lecture_assets/reveal.js/dist/reveal.js" in text
    requests: list[str] = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_context(offline=True).new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.goto(html.as_uri())
            page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=15000)
            page.wait_for_function("(() => { const v = document.querySelector('.slide-background.present video');"
                                   " return v && v.readyState >= 2 && v.currentTime > 0.2 && !v.error; })()", timeout=15000)
            assert page.evaluate("Reveal.getTotalSlides()") == slide_count(rendered)
            assert page.evaluate("Reveal.getIndices().h") == 0
            page.keyboard.press("ArrowRight")
            page.wait_for_function("Reveal.getIndices().h === 1", timeout=5000)
            looping = loop_slides(rendered)
            page.evaluate(f"Reveal.slide({looping[0]})")
            page.wait_for_function("(() => { const v = document.querySelector('.slide-background.present video');"
                                   " return v && v.readyState >= 2; })()", timeout=15000)
            assert page.evaluate("document.querySelector('.slide-background.present video').loop")
            assert not page.evaluate(f"Reveal.getSlides()[{looping[0] - 1}].hasAttribute('data-background-video-loop')")
        finally:
            browser.close()
    assert requests and all(url.startswith("file://") for url in requests), [u for u in requests if not u.startswith("file://")]


def test_pptx_has_a_slide_and_a_video_per_pause(rendered):
    pptx = Presentation(str(deck(rendered, "pptx")))
    slides = list(pptx.slides)
    videos = [s for slide in slides for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.MEDIA]
    assert len(slides) == len(videos) == slide_count(rendered)


def test_pdf_has_a_page_per_pause(rendered):
    data = deck(rendered, "pdf").read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == slide_count(rendered)


@pytest.mark.slow
def test_transparent_clip_has_real_alpha(tmp_path):
    result = run_lecture("render", "title", "-q", "t", "--transparent", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    clip = tmp_path / "tiny" / "title.mov"
    with av.open(str(clip)) as container:
        frames = [f.to_ndarray(format="rgba") for f in container.decode(video=0)]
    alpha = frames[-1][..., 3]
    assert (alpha == 0).mean() > 0.5, "the background is see-through"
    assert alpha.max() > 128, "the text is drawn (thin glyphs at 192x108 are anti-aliased, never fully opaque)"


@pytest.mark.slow
@pytest.mark.parametrize("fmt,suffix", [("webm", ".webm"), ("gif", ".gif")])
def test_other_formats(tmp_path, fmt, suffix):
    result = run_lecture("render", "title", "-q", "t", "--format", fmt, "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    with av.open(str(tmp_path / "tiny" / f"title{suffix}")) as container:
        assert sum(1 for _ in container.decode(video=0)) > 10


@pytest.mark.slow
def test_png_sequence(tmp_path):
    result = run_lecture("render", "title", "-q", "t", "--format", "png", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    frames = sorted((tmp_path / "tiny" / "title_frames").glob("*.png"))
    assert len(frames) > 10


def test_presenter_window_runs(rendered):
    """`lecture present` opens manim-slides' Qt presenter on the rendered clips (offscreen: no screen here)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([*LECTURE_CLI, "present", "title", "backprop", "-q", "t", "--out", str(rendered.parent)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)  # the CLI and the presenter it started
        out, err = process.communicate(timeout=10)
        assert "Traceback" not in err and "up to date" in out, out + err
    else:
        pytest.fail(f"the presenter quit by itself ({process.returncode}): {process.stderr.read()}")


def test_presenter_without_a_screen_says_what_to_do(rendered):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([*LECTURE_CLI, "present", "title", "-q", "t", "--out", str(rendered.parent)], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "lecture slides --to html" in result.stderr
