"""The studio's HTTP server: the standard library's ThreadingHTTPServer, a thread per request, so the
page and its media are answered while renders run (they run in `Studio`'s pool, in processes of their
own, never in a request's thread). Progress reaches the page as server-sent events.

Every request passes `lecture.studio.safety` first: Host, then (for a POST) Origin and body size.
"""
from __future__ import annotations

import errno
import json
import mimetypes
import queue
import threading
import webbrowser
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import av
import numpy as np

from lecture import UserError
from lecture.output.frames import frames_at
from lecture.output.publish import save_image_atomic
from lecture.render.jobs import ROOT
from lecture.render.pool import start_render_server
from lecture.studio import safety
from lecture.studio.state import FieldError, Studio, View
from lecture.studio.watch import Watcher
from scenes.catalog import current
from scenes.kit.theme import THEMES

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "studio"
BOUND = "127.0.0.1"
HEARTBEAT_S = 10.0  # an event stream sends a comment this often, so a closed tab is noticed
PEAKS = 800  # points of a narration's waveform


class StudioServer(ThreadingHTTPServer):
    daemon_threads = True  # a page's open event stream does not hold up Ctrl-C
    allow_reuse_address = True

    def __init__(self, studio: Studio, port: int):
        self.studio = studio
        super().__init__((BOUND, port), Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{BOUND}:{self.port}/"


class Handler(BaseHTTPRequestHandler):
    server: StudioServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # the terminal shows the studio's address and renders, not every request

    @property
    def studio(self) -> Studio:
        return self.server.studio

    # --- answers ------------------------------------------------------------------------------
    def send_body(self, status: int, body: bytes, kind: str, cache: str | None = None, close: bool = False) -> None:
        """One whole answer: status, type, length (and caching, closing when asked), then the body."""
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if cache:
            self.send_header("Cache-Control", cache)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, data: Any, status: int = 200) -> None:
        self.send_body(status, json.dumps(data).encode(), "application/json", cache="no-store")

    def send_text(self, text: str, kind: str) -> None:
        self.send_body(200, text.encode(), kind)

    def refuse(self, status: int, why: str) -> None:
        self.send_body(status, f"{why}\n".encode(), "text/plain; charset=utf-8", close=True)

    def send_file(self, path: Path | None) -> None:
        if path is None:
            return self.refuse(404, "not found")
        size = path.stat().st_size
        wanted = safety.byte_range(self.headers.get("Range"), size)
        first, last = wanted or (0, size - 1)
        self.send_response(206 if wanted else 200)
        self.send_header("Content-Type", mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(last - first + 1))
        if wanted:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command == "HEAD":
            return
        with open(path, "rb") as source:
            source.seek(first)
            left = last - first + 1
            while left > 0:
                chunk = source.read(min(left, 1 << 16))
                if not chunk:
                    break
                self.wfile.write(chunk)
                left -= len(chunk)

    # --- requests -------------------------------------------------------------------------------
    def allowed(self) -> bool:
        if not safety.host_allowed(self.headers.get("Host"), BOUND, self.server.port):
            self.refuse(421, "this server answers only to its own address")
            return False
        return True

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self.allowed():
            return
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query))
        path = url.path
        try:
            if path == "/":
                return self.send_file(ASSETS / "index.html")
            if path == "/theme.css":
                return self.send_text(theme_css(query.get("name", "dark")), "text/css; charset=utf-8")
            if path.startswith("/assets/"):
                return self.send_file(safety.file_inside(ASSETS, path[len("/assets/"):]))
            if path.startswith("/media/"):
                return self.send_file(safety.file_inside(self.studio.out, path[len("/media/"):]))
            if path == "/api/state":
                return self.send_json(self.studio.state(View.from_query(query), query.get("scene", "")))
            if path == "/api/storyboard":
                return self.send_json(self.storyboard(View.from_query(query), query.get("scene", "")))
            if path == "/api/waveform":
                return self.send_json(self.waveform(View.from_query(query), query.get("scene", "")))
            if path == "/api/findings":
                return self.send_json(self.findings(View.from_query(query), query.get("scene", "")))
            if path == "/api/narration":
                return self.send_json(self.studio.narration(View.from_query(query), query.get("scene", "")))
            if path == "/api/events":
                return self.events()
        except FieldError as err:
            return self.send_json({"error": str(err), "field": err.field}, 400)
        self.refuse(404, "not found")

    def do_POST(self) -> None:
        if not self.allowed():
            return
        if not safety.origin_allowed(self.headers.get("Origin"), BOUND, self.server.port):
            return self.refuse(403, "a change must come from the studio's own page")
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return self.refuse(411, "a request body needs its length")
        if length < 0 or length > safety.MAX_BODY:
            return self.refuse(413, f"a request body is at most {safety.MAX_BODY} bytes")
        if (self.headers.get("Content-Type") or "").split(";")[0].strip() != "application/json":
            return self.refuse(415, "send JSON")
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(body, dict) or not all(isinstance(v, (str, int, float)) for v in body.values()):
                raise ValueError
        except ValueError:
            return self.refuse(400, "the body must be a JSON object of texts")
        body = {k: str(v) for k, v in body.items()}
        path = urlsplit(self.path).path
        try:
            view, scene = View.from_query(body), body.get("scene", "")
            if path == "/api/check":
                found = self.studio.problems(view, scene)
                return self.send_json({"ok": not found, "errors": found}, 400 if found else 200)
            if path == "/api/render":
                task = self.studio.render(view, scene)
                return self.send_json({"ok": True, "task": self.studio.task_data(task)})
            if path == "/api/narration":  # save a beat's text into the script file, then render the scene again
                found = self.studio.problems(view, scene)
                if found:
                    raise FieldError(found[0]["error"], found[0]["field"], found)
                beat = body.get("beat", "")
                written = self.studio.save_narration(view, scene, beat, body.get("text", ""))
                # A draft of the beat alone, small, beside the clip's render (started first): it plays first when it comes sooner.
                draft = self.studio.draft(view, scene, beat)
                task = self.studio.render(view, scene, checked=True)  # checked above; the new text read back in the save
                return self.send_json({"ok": True, "file": str(written), "task": self.studio.task_data(task),
                                       "draft": self.studio.task_data(draft) if draft is not None else None})
        except FieldError as err:
            return self.send_json({"error": str(err), "field": err.field, "errors": err.every}, 400)
        self.refuse(404, "not found")

    def do_PUT(self) -> None:
        self.refuse(405, "not allowed")

    do_DELETE = do_PATCH = do_PUT

    # --- event stream, storyboard, waveform ---------------------------------------------------------
    def events(self) -> None:
        """Server-sent events: every render's progress and end, and every change of a source file."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        events = self.studio.subscribe()
        try:
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while not self.studio.closing.is_set():
                try:
                    event = events.get(timeout=HEARTBEAT_S)
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                except queue.Empty:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            self.studio.unsubscribe(events)

    def storyboard(self, view: View, scene: str) -> dict[str, Any]:
        """Each beat's last frame as a PNG beside the clip (made once per clip)."""
        if scene not in current().by_id:
            raise FieldError(f"unknown scene {scene!r}", None)
        folder = self.studio.out_dir(view, scene)
        clip, sidecar = folder / f"{scene}.mp4", folder / f"{scene}.json"
        try:
            sections = json.loads(sidecar.read_text())["sections"]
        except (OSError, ValueError, KeyError):
            return {"frames": []}
        stills = [folder / f"{scene}.beats" / f"{i + 1}.png" for i in range(len(sections))]
        made = clip.stat().st_mtime_ns
        if not all(s.exists() and s.stat().st_mtime_ns >= made for s in stills):
            for image, still in zip(frames_at(clip, [s["end"] - 1e-3 for s in sections]), stills):
                save_image_atomic(image.convert("RGB"), still)
        return {"frames": [{"name": s["name"], "start": s["start"], "url": self.studio.media_url(p)}
                           for s, p in zip(sections, stills)]}

    def findings(self, view: View, scene: str) -> dict[str, Any]:
        """`lecture check`'s findings on the open clip, each with its beat: the rules that need no record
        (captions, numbers, stillness), and the geometric ones where a geometry record lies beside the
        clip (`lecture check` with the same options writes it)."""
        from lecture.check.run import check_clip  # the checker: only when a clip's findings are asked for
        from lecture.render.jobs import GEOMETRY

        if scene not in current().by_id:
            raise FieldError(f"unknown scene {scene!r}", None)
        folder = self.studio.out_dir(view, scene)
        sidecar = folder / f"{scene}.json"
        if not sidecar.exists():
            return {"findings": [], "rules": []}
        found, applied, _ = check_clip(sidecar, folder / f"{scene}{GEOMETRY}", folder / f"{scene}.mp4")
        return {"findings": [f.as_json() for f in found], "rules": applied}

    def waveform(self, view: View, scene: str) -> dict[str, Any]:
        """The narration's loudness along the clip (PEAKS maxima of |sample|), or none for a silent clip."""
        if scene not in current().by_id:
            raise FieldError(f"unknown scene {scene!r}", None)
        clip = self.studio.out_dir(view, scene) / f"{scene}.mp4"
        if not clip.exists():
            return {"peaks": None}
        with av.open(str(clip)) as container:
            if not container.streams.audio:
                return {"peaks": None}
            samples = np.concatenate([np.abs(f.to_ndarray()).max(axis=0) for f in container.decode(audio=0)])
        buckets = np.array_split(samples, PEAKS)
        peaks = np.array([b.max() if len(b) else 0.0 for b in buckets])
        return {"peaks": [round(float(p), 3) for p in peaks / max(float(peaks.max()), 1e-9)]}


def theme_css(name: str) -> str:
    """The clips' theme (scenes/kit/theme.py) as CSS variables: the page's colours are its roles."""
    theme = THEMES.get(name, THEMES["dark"])
    roles = {k: v for k, v in asdict(theme).items() if isinstance(v, str) and v.startswith("#")}
    lines = [f"  --{k}: {v};" for k, v in roles.items()]
    lines.append(f"  --muted-faint: color-mix(in srgb, {theme.muted} 45%, transparent);")
    return ":root {\n" + "\n".join(lines) + f"\n  color-scheme: {'dark' if name != 'light' else 'light'};\n}}\n"


def serve(studio: Studio, port: int) -> StudioServer:
    """The server, bound to the loopback address only (port 0: any free port)."""
    return StudioServer(studio, port)


def run(out: Path, port: int, open_browser: bool, echo=print) -> None:
    """`lecture studio`: serve until Ctrl-C. The renders are stopped by the CLI's signal handler
    (`lecture.render.pool.stop_renders`): they publish nothing more, so no clip is left half-written."""
    studio = Studio(out)
    try:
        server = serve(studio, port)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            raise UserError(f"--port {port}: another program listens there; choose another port, or 0 for any free one") from None
        raise UserError(f"--port {port}: cannot listen there ({err.strerror})") from None
    start_render_server(narrated=True)  # manim, torch and the voice load in the fork server while the page opens
    threading.Thread(target=studio.warm, name="studio-warm", daemon=True).start()
    watcher = Watcher(ROOT, studio.reload, on_script=studio.script_changed)
    watcher.start()
    echo(f"lecture studio: {server.url}  (media: {studio.out}; Ctrl-C stops)")
    if open_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        echo("studio stopped")
    finally:
        watcher.stopped.set()
        studio.close()
        server.server_close()
