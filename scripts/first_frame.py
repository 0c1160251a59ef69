"""`python -m scripts.first_frame CLIP.mp4 [...] [--mbits 2] [--latency-ms 20] [--runs 5]`: how long a
browser takes to show a clip's first frame when it is played from a web server at a classroom's
bandwidth, with the clip's index (`moov`) last, as manim and the tools wrote every mp4 before, and first
(faststart, as they are written now).

Each clip is muxed twice with its packets copied (the same frames): index last, index first. A local
HTTP server (with byte ranges, as any web server or LMS has) sends them through one shared link of
`--mbits` with `--latency-ms` before every answer; Debian's Chromium, headless, opens a page with a
`<video>` of the clip (muted, autoplay) in a fresh context each run and times, from the navigation's start,
the first video frame presented (`requestVideoFrameCallback`). Prints the median and the bytes sent.
"""
from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import av

from lecture.output.faststart import INDEX_FIRST, index_first

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required"]
CHUNK = 16 * 1024
PAGE = """<!doctype html><html><body><video id="v" muted autoplay playsinline src="{src}"></video><script>
const v = document.getElementById('v');
window.firstFrame = null;
v.requestVideoFrameCallback(() => {{ window.firstFrame = performance.now(); }});
</script></body></html>"""


def remuxed(source: Path, target: Path, options: dict[str, str]) -> Path:
    """`source`'s packets copied into `target`, muxed with `options` (none: the index goes last)."""
    with av.open(str(source)) as src, av.open(str(target), "w", options=options) as out:
        copied = [s for s in src.streams if s.type in ("video", "audio")]
        streams = {s.index: out.add_stream_from_template(s) for s in copied}
        for packet in src.demux(copied):
            if packet.dts is None:
                continue
            packet.stream = streams[packet.stream.index]
            out.mux(packet)
    return target


class Link:
    """One shared link of `rate` bytes a second: every connection's chunks queue for it."""

    def __init__(self, rate: float, latency: float) -> None:
        self.rate, self.latency = rate, latency
        self.free_at = 0.0
        self.lock = threading.Lock()
        self.sent = 0

    def send(self, write, data: bytes) -> None:
        with self.lock:
            start = max(time.monotonic(), self.free_at)
            self.free_at = start + len(data) / self.rate
            done = self.free_at
            self.sent += len(data)
        time.sleep(max(0.0, done - time.monotonic()))
        write(data)


class ClipHandler(BaseHTTPRequestHandler):
    """The page and the clips of `folder`, sent through `link` (set per server by `server`)."""
    protocol_version = "HTTP/1.1"
    folder: Path
    link: Link
    ranges: bool

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        time.sleep(self.link.latency)
        name = self.path.split("?")[0].lstrip("/")
        if name.startswith("page/"):
            self.send_page(PAGE.format(src="/" + name[5:] + "?" + self.path.partition("?")[2]).encode())
        elif not name or "/" in name or not (self.folder / name).is_file():  # the favicon, anything else
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_clip(self.folder / name)

    def send_page(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_clip(self, path: Path) -> None:
        size = path.stat().st_size
        wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", "")) if self.ranges else None
        first = int(wanted[1]) if wanted else 0
        last = min(int(wanted[2]), size - 1) if wanted and wanted[2] else size - 1
        self.send_response(206 if wanted else 200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Accept-Ranges", "bytes" if self.ranges else "none")
        self.send_header("Content-Length", str(last - first + 1))
        if wanted:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.end_headers()
        with open(path, "rb") as source:
            source.seek(first)
            left = last - first + 1
            try:
                while left > 0:
                    data = source.read(min(CHUNK, left))
                    self.link.send(self.wfile.write, data)
                    left -= len(data)
            except (BrokenPipeError, ConnectionResetError):  # the browser went elsewhere in the file
                pass


def server(folder: Path, link: Link, ranges: bool = True) -> ThreadingHTTPServer:
    """Serves the page and the clips from `folder` through `link`; without `ranges`, every request gets the
    whole file from its start (a server or proxy that ignores Range)."""
    handler = type("Handler", (ClipHandler,), {"folder": folder, "link": link, "ranges": ranges})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def first_frame_ms(browser, url: str) -> float:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit")
        page.wait_for_function("window.firstFrame !== null", timeout=120_000, polling=20)
        return float(page.evaluate("window.firstFrame"))
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="+", type=Path)
    parser.add_argument("--mbits", type=float, default=2.0, help="the link's bandwidth in Mbit/s")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="added before every answer")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-ranges", action="store_true", help="the server ignores Range: whole files only")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    link = Link(args.mbits * 1e6 / 8, args.latency_ms / 1000)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        folder = Path(tmp)
        httpd = server(folder, link, ranges=not args.no_ranges)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        print(f"link {args.mbits:g} Mbit/s, {args.latency_ms:g} ms before each answer, byte ranges "
              f"{'ignored' if args.no_ranges else 'served'}, {args.runs} runs each, median")
        for clip in args.clips:
            variants = {"index last": remuxed(clip, folder / f"last-{clip.name}", {}),
                        "index first": remuxed(clip, folder / f"first-{clip.name}", INDEX_FIRST)}
            assert not index_first(variants["index last"]) and index_first(variants["index first"])
            size = variants["index last"].stat().st_size
            for label, path in variants.items():
                times, sent = [], []
                for run in range(args.runs):
                    link.sent = 0
                    url = f"http://127.0.0.1:{httpd.server_port}/page/{path.name}?run={run}"
                    times.append(first_frame_ms(browser, url))
                    sent.append(link.sent)
                print(f"{clip.name} ({size / 1e6:.2f} MB), {label}: first frame after {statistics.median(times):.0f} ms "
                      f"(runs: {', '.join(f'{t:.0f}' for t in times)}; about {statistics.median(sent) / 1e6:.2f} MB sent by then)")
        browser.close()
        httpd.shutdown()


if __name__ == "__main__":
    main()
