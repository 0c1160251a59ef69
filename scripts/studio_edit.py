"""`python -m scripts.studio_edit [--scene backprop] [--beat derive_by_hand] [--q l] [--reps 2]`: how long a
narration edit takes in the studio, measured in the page (issue 29: from the save's click to the new clip
playing, under 1.5 s for backprop at 480p is the goal).

Starts `lecture studio` over an empty media folder, opens the scene narrated (the first render is not
counted), then saves a new text for one beat `--reps` times, each a different sentence, and prints the
page's own measure of each (`window.studioEdits`). The lecture's script file gets those texts: it is put
back as it was (or removed, if there was none) when the script ends. Debian's Chromium, headless, offline.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from scripts.studio_screenshot import ARGS, CHROMIUM

ROOT = Path(__file__).resolve().parent.parent
# Each edit says two more words before the beat's own text (its marks kept), a pair no earlier run said: a text
# said before has its speech and its beat's segment kept (a --media folder's, or the lecture's), and renders nothing.
WORDS = ("Good", "Right", "Next", "Now", "So", "Well", "Then", "Look", "See", "Here", "Yes", "Fine")
OPENINGS = tuple(f"{a}, {b.lower()}." for a in WORDS for b in WORDS if a != b)


def start_studio(media: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([str(ROOT / ".venv/bin/lecture"), "studio", "--no-open", "--port", "0", "--out", str(media)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    found = re.search(r"http://127\.0\.0\.1:\d+/", process.stdout.readline())
    if not found:
        os.killpg(process.pid, signal.SIGKILL)
        sys.exit("lecture studio did not start")
    return process, found[0]


def render_log(media: Path, scene: str) -> str:
    """The CPU seconds the last render of `scene` (and its draft) reported in their logs."""
    said = []
    for name in ("render.log", "draft.log"):
        log = media / ".cache" / scene / name
        found = re.findall(r"^cpu: ([0-9.]+) s", log.read_text(errors="replace"), re.M) if log.exists() else []
        if found:
            said.append(f"{name.split('.')[0]} cpu {float(found[-1]):.1f} s")
        if found and os.environ.get("STUDIO_EDIT_LOG"):  # the render's own account of where its time went
            said.append("\n  " + "\n  ".join(line for line in log.read_text(errors="replace").splitlines()
                                               if re.match(r"(beat |drawn in|spliced|clip published|slides in|draft)", line)))
    return ", ".join(said) or "no cpu reported"


def measure(url: str, media: Path, args: argparse.Namespace) -> list[dict]:
    from playwright.sync_api import sync_playwright

    from lecture.voice.script import scene_script

    own = scene_script(args.scene).beats[args.beat]
    openings = random.sample(OPENINGS, args.reps)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.goto(f"{url}?lecture={args.lecture}&scene={args.scene}&q={args.q}&voice=joe")
            page.wait_for_function("document.querySelectorAll('.beat').length > 0 && "
                                   "document.querySelector('#player').readyState >= 2", timeout=1_800_000)
            for rep in range(args.reps):
                page.locator(f".beat:text-is('{args.beat.replace('_', ' ')}')").click()
                page.wait_for_function(f"document.querySelector('#narration-field').dataset.beat === '{args.beat}'")
                page.locator("#narration-field").fill(f"{openings[rep]} {own}")
                page.locator("#save-narration").click()
                page.wait_for_function(f"window.studioEdits.length === {rep + 1}", timeout=1_800_000)
                done = page.evaluate(f"window.studioEdits[{rep}]")
                draft = (f", the draft playing {done['draft'] / 1000:.1f} s (its process {done['draftProcess'] / 1000:.1f} s)"
                         if done.get("draft") is not None else f", no draft ({done.get('noDraft') or 'the clip came first'})")
                print(f"edit {rep + 1}: {done['ms'] / 1000:.1f} s from the save to the new clip playing{draft} (saved "
                      f"{done['saved'] / 1000:.2f} s, rendered {(done.get('rendered') or 0) / 1000:.1f} s); "
                      f"{render_log(media, args.scene)}; load {os.getloadavg()[0]:.1f}", flush=True)
            return page.evaluate("window.studioEdits")
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lecture", default="feedforward")
    parser.add_argument("--scene", default="backprop")
    parser.add_argument("--beat", default="derive_by_hand")
    parser.add_argument("--q", default="l", help="the studio's quality: t (tiny), l (480p), m, h")
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--media", type=Path, help="a media folder kept between runs (its first render then counts "
                        "nothing new); default: a new empty one")
    args = parser.parse_args()
    from scenes.catalog import current

    script = current().lecture_by_id[args.lecture].script_file
    kept = script.read_bytes() if script.exists() else None
    with tempfile.TemporaryDirectory(prefix="studio-edit-") as temporary:
        media = args.media or Path(temporary)
        process, url = start_studio(Path(media))
        try:
            measure(url, Path(media), args)
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
            if kept is None:
                script.unlink(missing_ok=True)
            else:
                script.write_bytes(kept)


if __name__ == "__main__":
    main()
