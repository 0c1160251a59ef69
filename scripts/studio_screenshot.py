"""`python -m scripts.studio_screenshot URL TARGET.png`: the studio's page at 1280x800, as the README
shows it (docs/studio.png comes from a 480p studio; tests/test_studio.py makes one of its tiny one).

Debian's Chromium, headless, offline except for the studio's own address.
"""
from __future__ import annotations

import sys
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required"]


def shoot(page, target: Path, at: float = 12.0) -> Path:
    """The page once its storyboard is drawn, the player at `at` seconds (a beat of the timeline marked)."""
    page.wait_for_function("document.querySelectorAll('#storyboard img').length > 0 && "
                           "[...document.querySelectorAll('#storyboard img')].every(i => i.complete)", timeout=30000)
    page.evaluate(f"(() => {{ const v = document.querySelector('#player'); v.currentTime = Math.min({at}, v.duration - 0.1); }})()")
    page.wait_for_function("document.querySelector('#player').readyState >= 2 && !document.querySelector('#player').seeking")
    page.wait_for_timeout(300)
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target))
    return target


def main(url: str, target: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.goto(url)
            print(shoot(page, Path(target)))
        finally:
            browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
