"""`lecture studio`: the real server (a subprocess of the CLI) over a copy of the session's tiny clips,
driven in Debian's headless Chromium with every address but the studio's refused, and attacked with
raw hostile requests. One server for the file; the last test stops it with Ctrl-C mid-render."""
from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from lecture.check.rules import GEOMETRIC
from lecture.check.run import check_clip
from scenes.catalog import DEFAULT_LECTURE
from scenes.kit.params import LectureParams
from tests.conftest import LECTURE as LECTURE_CLI, ROOT, run_lecture
from tests.test_slides import launch_chromium

SCENE = "gradient-field"  # takes --function (to check it), five beats (chain-rule reads only --start)
FIELD = "learning-rates"  # draws the function it is given (its maps), and is not the scene the Ctrl-C test renders


@pytest.fixture(scope="module")
def studio(rendered, tmp_path_factory):
    """The studio serving a copy of the session's tiny clips (nothing rendered for it), on any free port."""
    media = tmp_path_factory.mktemp("studio")
    shutil.copytree(rendered, media / "tiny", ignore=shutil.ignore_patterns("*.slides.json", "lecture.*"))
    process = subprocess.Popen([*LECTURE_CLI, "studio", "--no-open", "--port", "0", "--out", str(media)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    line = process.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert found, line + process.stderr.read()
    yield {"url": found[0], "port": int(found[1]), "media": media, "process": process}
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()


def open_page(browser, studio, query: str, elsewhere: list[str]):
    """A 1280x800 page of the studio; a request to any other address is refused and noted in `elsewhere`."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})

    def only_the_studio(route):
        if route.request.url.startswith(studio["url"]):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_studio)
    page = context.new_page()
    page.goto(studio["url"] + query)
    page.wait_for_function("document.querySelectorAll('#scenes li').length > 0 && document.querySelectorAll('.beat').length > 0",
                           timeout=20000)
    return page


def sidecar(studio, scene: str, folder: str = "tiny") -> dict:
    return json.loads((studio["media"] / folder / f"{scene}.json").read_text())


def frame_of(page) -> bytes:
    page.wait_for_function("(() => { const v = document.querySelector('#player'); return v.readyState >= 2 && !v.seeking; })()")
    page.wait_for_timeout(200)
    return page.locator("#player").screenshot()


def test_the_page_lists_every_scene_and_a_click_on_a_beat_seeks_there(browser, studio):
    elsewhere: list[str] = []
    page = open_page(browser, studio, f"?q=t&scene={SCENE}", elsewhere)
    titles = page.locator("#scenes .title").all_inner_texts()
    infos = [*DEFAULT_LECTURE.scenes, *DEFAULT_LECTURE.extras]
    assert len(titles) == len(infos) and all(info.title in t for info, t in zip(infos, titles))
    assert page.locator("#scenes img").count() == len(infos)  # every poster (all were rendered)
    sections = sidecar(studio, SCENE)["sections"]
    assert page.locator(".beat").count() == len(sections)
    assert sections[1]["narration"] in page.locator(".beat").nth(1).get_attribute("title")
    page.locator(".beat").nth(2).click()
    page.wait_for_function(f"Math.abs(document.querySelector('#player').currentTime - {sections[2]['start']}) < 1e-3")
    page.wait_for_function("document.querySelector('.beat.current') && document.querySelector('.beat.current').dataset.index === '2'")
    page.locator("body").press("ArrowRight")  # the keyboard steps a beat
    page.wait_for_function(f"Math.abs(document.querySelector('#player').currentTime - {sections[3]['start']}) < 1e-3")
    page.wait_for_function(f"document.querySelectorAll('#storyboard img').length === {len(sections)}")
    page.locator("#storyboard button").nth(0).click()
    page.wait_for_function("document.querySelector('#player').currentTime === 0")
    assert all(page.locator(f"label[for='{i}']").count() == 1
               for i in page.locator("#fields input, #fields select").evaluate_all("l => l.map(e => e.id)"))
    assert page.locator("#field-function").input_value() == LectureParams().function  # the current value
    assert not elsewhere, elsewhere


def test_a_bad_function_shows_the_clis_message_beside_it_and_renders_nothing(browser, studio, tmp_path):
    page = open_page(browser, studio, f"?q=t&scene={SCENE}", [])
    page.locator("#field-function").fill("x**")
    page.locator("#render").click()
    page.wait_for_function("document.querySelector('#error-function').textContent.length > 0")
    cli = run_lecture("preview", SCENE, "--function", "x**", "--out", str(tmp_path))
    assert cli.returncode == 2
    assert page.locator("#error-function").inner_text() == cli.stderr.strip().removeprefix("lecture: error: ")
    assert page.locator("#field-function").get_attribute("aria-invalid") == "true"
    page.wait_for_timeout(500)
    assert not (studio["media"] / "studio").exists() and "function" not in page.url


def test_a_good_change_renders_in_two_tabs_and_swaps_the_player(browser, studio):
    # learning-rates draws the function it is given (chain-rule always derives the notebook's function)
    first, second = (open_page(browser, studio, f"?q=t&scene={FIELD}", []) for _ in range(2))
    at = sidecar(studio, FIELD)["sections"][-1]["end"] - 0.1  # the maps of the function are on screen by then
    first.evaluate(f"document.querySelector('#player').currentTime = {at}")
    old = frame_of(first)
    old_src = first.locator("#player").get_attribute("src")
    for page, function in ((first, "x**2 + y**2"), (second, "sin(x) * y")):  # two tabs render at once
        page.locator("#field-function").fill(function)
        page.locator("#render").click()
    state = json.loads(first.evaluate("fetch('/api/state?q=t&scene=title').then(r => r.text())"))  # answered meanwhile
    assert state["scenes"][0]["clip"]
    news = []
    for page in (first, second):
        page.wait_for_function(f"document.querySelector('#player').getAttribute('src') !== {json.dumps(old_src)}", timeout=120000)
        assert "/media/studio/" in page.locator("#player").get_attribute("src") and "function=" in page.url
        assert "progress" in page.evaluate("window.studioEvents")  # frames done were streamed
        page.evaluate(f"document.querySelector('#player').currentTime = {at}")
        news.append(frame_of(page))
    assert old != news[0] and old != news[1] and news[0] != news[1]
    clips = sorted((studio["media"] / "studio").glob(f"*/tiny/{FIELD}.mp4"))
    assert len(clips) == 2 and all(json.loads(c.with_suffix(".json").read_text())["files"] for c in clips)
    from scripts.studio_screenshot import shoot

    assert shoot(first, studio["media"] / "studio.png").stat().st_size > 10_000


def test_touching_a_scene_file_reloads_the_pages_clip(browser, studio):
    page = open_page(browser, studio, "?q=t&scene=title", [])
    before = page.locator("#player").get_attribute("src")
    os.utime(ROOT / "scenes" / "feedforward" / "intro.py")  # a save without a change: the title card renders again
    page.wait_for_function(f"document.querySelector('#player').getAttribute('src') !== {json.dumps(before)}", timeout=60000)
    assert "changed" in page.evaluate("window.studioEvents")
    assert "scenes/feedforward/intro.py changed" in page.locator("#status").inner_text()


def request(studio, method: str, path: str, headers: dict | None = None, body: bytes | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", studio["port"], timeout=10)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    headers = {"Host": f"127.0.0.1:{studio['port']}", **(headers or {})}
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders(body)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def test_the_studio_shows_a_scenes_findings_on_their_beats(studio, browser):
    """The studio over the session's clips (with their geometry records): /api/findings gives what the
    check finds, and the page marks each beat that has some (a scene with findings, if the tiny clips have one)."""
    tiny = studio["media"] / "tiny"
    checked = ((s, check_clip(tiny / f"{s}.json", tiny / f"{s}.geometry.json.gz")[0]) for s in DEFAULT_LECTURE.ids)
    scene, findings = next(((s, found) for s, found in checked if found), ("backprop", []))  # checks up to the first found
    connection = http.client.HTTPConnection("127.0.0.1", studio["port"], timeout=60)
    connection.request("GET", f"/api/findings?scene={scene}&q=t")
    data = json.loads(connection.getresponse().read())
    assert set(GEOMETRIC) <= set(data["rules"])
    assert [f["message"] for f in data["findings"]] == [f.message for f in findings]
    page = open_page(browser, studio, f"?scene={scene}&q=t", [])
    marked = {f.beat for f in findings}
    page.wait_for_function(f"document.querySelectorAll('.beat.has-findings').length === {len(marked)}", timeout=20000)


def test_hostile_requests_get_nothing_outside_the_media_folder(studio, tmp_path):
    secret = studio["media"].parent / "secret.txt"
    secret.write_text("SECRET")
    (studio["media"] / "tiny" / "out.txt").symlink_to(secret)
    (studio["media"] / "tiny" / "up").symlink_to(studio["media"].parent, target_is_directory=True)
    port = studio["port"]
    own = {"Origin": f"http://127.0.0.1:{port}", "Content-Type": "application/json"}
    marker = tmp_path / "evaluated"
    refused = [
        ("GET", "/media/../secret.txt", {}, None, 404),
        ("GET", "/media/%2e%2e/secret.txt", {}, None, 404),
        ("GET", "/media/%2E%2E%2Fsecret.txt", {}, None, 404),
        ("GET", "/media/tiny/%2e%2e/%2e%2e/secret.txt", {}, None, 404),
        ("GET", "/media/tiny/..%2f..%2fsecret.txt", {}, None, 404),
        ("GET", "/media//etc/passwd", {}, None, 404),
        ("GET", "/media/%2fetc%2fpasswd", {}, None, 404),
        ("GET", f"/media/{secret}", {}, None, 404),
        ("GET", "/media/tiny/out.txt", {}, None, 404),
        ("GET", "/media/tiny/up/secret.txt", {}, None, 404),
        ("GET", "/media/tiny", {}, None, 404),
        ("GET", "/media/.cache", {}, None, 404),
        ("GET", "/assets/../studio/server.py", {}, None, 404),
        ("GET", "/assets/%2e%2e/%2e%2e/cli.py", {}, None, 404),
        ("GET", "/media/tiny/title.png%00.txt", {}, None, 404),
        ("GET", "/media/tiny\\..\\..\\secret.txt", {}, None, 404),
        ("GET", "/media/tiny/title.png", {"Host": "evil.example"}, None, 421),
        ("GET", "/media/tiny/title.png", {"Host": f"evil.example:{port}"}, None, 421),
        ("GET", "/", {"Host": f"localhost.evil.example:{port}"}, None, 421),
        ("POST", "/api/render", {"Content-Type": "application/json", "Content-Length": "2"}, b"{}", 403),
        ("POST", "/api/render", {**own, "Origin": "http://evil.example", "Content-Length": "2"}, b"{}", 403),
        ("POST", "/api/render", {**own, "Origin": "null", "Content-Length": "2"}, b"{}", 403),
        ("POST", "/api/render", {**own, "Content-Type": "text/plain", "Content-Length": "2"}, b"{}", 415),
        ("POST", "/api/render", {**own, "Content-Length": str(10 ** 8)}, b"", 413),
        ("POST", "/api/render", {**own}, None, 411),
        ("POST", "/api/render", {**own, "Content-Length": "5"}, b"[1,2]", 400),
        ("DELETE", "/media/tiny/title.png", {}, None, 405),
        ("PUT", "/media/tiny/x.mp4", {"Content-Length": "1"}, b"x", 405),
    ]
    for method, path, headers, body, status in refused:
        got, data = request(studio, method, path, headers, body)
        assert got == status and b"SECRET" not in data, (method, path, headers, got, data[:200])
    evil = json.dumps({"q": "t", "scene": SCENE, "function": f"__import__('os').system('touch {marker}')"}).encode()
    got, data = request(studio, "POST", "/api/render", {**own, "Content-Length": str(len(evil))}, evil)
    assert got == 400 and json.loads(data)["field"] == "function" and not marker.exists()
    got, data = request(studio, "GET", "/media/tiny/title.png")
    assert got == 200 and data.startswith(b"\x89PNG")
    got, data = request(studio, "GET", "/media/tiny/title.mp4", {"Range": "bytes=0-99"})
    assert got == 206 and len(data) == 100


def test_ctrl_c_stops_the_studio_mid_render_leaving_no_half_written_clip(studio):
    body = json.dumps({"q": "t", "scene": "gradient-field", "function": "x**2 - y**2"}).encode()
    own = {"Origin": f"http://127.0.0.1:{studio['port']}", "Content-Type": "application/json", "Content-Length": str(len(body))}
    assert request(studio, "POST", "/api/render", own, body)[0] == 200
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((studio["media"] / ".cache" / "gradient-field").glob("render.log")):
        time.sleep(0.2)
    time.sleep(2)  # drawing frames by now
    process = studio["process"]
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert "studio stopped" in out and "Traceback" not in err, out + err
    assert not list(studio["media"].rglob("*.part"))
    assert not list((studio["media"] / "studio").rglob("gradient-field.*"))  # its render stopped: nothing published




def test_the_forms_defaults_come_from_the_option_table_for_every_scene():
    """Each field's default is the scene's current value written as the command line writes it: parsed
    back by the table's own parser it gives the value the scene reads. Part 2's --layers and --seed
    showed "none" when the defaults were a second, hand-written table."""
    from lecture.options.resolve import build_params
    from lecture.options.table import CONTENT_OPTIONS
    from lecture.studio.state import FORM_OPTIONS, default_text, fields_set_by
    from scenes.catalog import LECTURES

    for lecture in LECTURES:
        params = build_params({}, {}, lecture)
        for info in (*lecture.scenes, *lecture.extras):
            for name in FORM_OPTIONS:
                text = default_text(name, params, info)
                if name == "voice":
                    assert text == "none"
                    continue
                option = CONTENT_OPTIONS[name]
                if name == "expr" and params.expr is None:
                    assert text == ""  # the notebook's graph: the field's placeholder says so
                    continue
                parsed = option.content.parse(text, f"--{name}")
                read = [f for f in fields_set_by(name) if parsed[f] == getattr(params, f)]
                assert read, (lecture.id, info.id, name, text)
    part2 = next(lecture for lecture in LECTURES if lecture.id == "part-2")
    params = build_params({}, {}, part2)
    shown = {name: default_text(name, params, part2.scenes[0]) for name in ("layers", "seed", "activation", "train-lr")}
    assert shown == {"layers": "2,3,1", "seed": "0", "activation": "tanh", "train-lr": "0.3"}
    descent = next(i for i in LECTURES[0].scenes if i.id == "gradient-descent")
    assert default_text("function", build_params({}, {}, LECTURES[0]), descent) == "x**2 + 3*y**2"


# --- the narration written in the page: one server over a lecture folder `lecture new` made -------------
TALK = "talk-example"  # `lecture new talk`'s example scene: two beats, one pointing at [the loss](loss), one ^marked


@pytest.fixture(scope="module")
def narrating(tmp_path_factory):
    """A studio over a fresh lecture folder (its script file is written there, never in the tool's own
    scenes/), rendering into an empty media folder."""
    base = tmp_path_factory.mktemp("narrating")
    made = run_lecture("new", "talk", "--dir", str(base / "lectures"))
    assert made.returncode == 0, made.stdout + made.stderr
    media = base / "media"
    env = {**os.environ, "LECTURE_PATH": str(base / "lectures")}
    process = subprocess.Popen([*LECTURE_CLI, "studio", "--no-open", "--port", "0", "--out", str(media)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    line = process.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert found, line + process.stderr.read()
    yield {"url": found[0], "port": int(found[1]), "media": media, "script": base / "lectures" / "talk" / "script.md", "env": env}
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


def open_talk(browser, narrating):
    """The example scene, narrated (rendered on the first visit), its first beat's text in the field."""
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(narrating["url"] + f"?lecture=talk&scene={TALK}&q=t&voice=joe")
    page.wait_for_function("document.querySelectorAll('.beat').length === 2 && "
                           "document.querySelector('#narration-field').value.includes('](loss)')", timeout=300000)
    return page


@pytest.mark.slow
def test_a_text_the_script_reader_refuses_shows_its_line_and_writes_nothing(browser, narrating):
    page = open_talk(browser, narrating)
    page.locator("#narration-field").fill("Each operation is a node, and [the loss](nowhere) is on the right.")
    page.locator("#save-narration").click()
    page.wait_for_function("document.querySelector('#narration-error').textContent.length > 0")
    message = page.locator("#narration-error").inner_text()
    assert "line" in message and "points at nothing called 'nowhere'" in message and "\n" not in message
    assert str(narrating["script"]) in message  # the file's name, not the temporary file's that was read back
    assert page.locator("#narration-field").get_attribute("aria-invalid") == "true"
    page.locator("#narration-field").fill("Each operation is a node, its width {width}.")
    page.locator("#save-narration").click()
    page.wait_for_function("document.querySelector('#narration-error').textContent.includes('{width} is not a value')")
    assert not narrating["script"].exists() and not list(narrating["script"].parent.glob(".*.part"))


@pytest.mark.slow
def test_hostile_narration_posts_write_nothing(narrating):
    port = narrating["port"]
    good = {"lecture": "talk", "scene": TALK, "q": "t", "beat": "show_graph", "text": "Each operation is a node."}
    own = {"Origin": f"http://127.0.0.1:{port}", "Content-Type": "application/json"}

    def send(body: dict | bytes, headers: dict) -> int:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return request(narrating, "POST", "/api/narration", {**headers, "Content-Length": str(len(data))}, data)[0]

    assert send(good, {**own, "Origin": "http://evil.example"}) == 403
    assert send(good, {"Content-Type": "application/json"}) == 403  # no Origin at all
    assert send(json.dumps({**good, "text": "x " * 40000}).encode(), own) == 413
    for scene in ("../../../tmp/evil", "/tmp/evil", "talk/../../evil", "..%2f..%2fevil"):
        assert send({**good, "scene": scene}, own) == 400
    assert send({**good, "lecture": "../talk"}, own) == 400
    assert send({**good, "beat": "../../script"}, own) == 400
    assert send({**good, "text": ""}, own) == 400  # the reader's "has no text"
    assert not narrating["script"].exists() and not list(narrating["script"].parent.glob(".*.part"))
    assert not list(Path("/tmp").glob("evil*"))


@pytest.mark.slow
def test_saving_a_beats_text_writes_the_script_file_and_plays_the_beat_spoken_anew(browser, narrating, monkeypatch):
    page = open_talk(browser, narrating)
    (sidecar_path,) = narrating["media"].glob(f"studio/*/tiny/narrated/{TALK}.json")  # the view with voice=joe
    before = json.loads(sidecar_path.read_text())["sections"]
    new = "Every operation of the code becomes a node: the inputs on the left, and [the loss](loss) on the right."
    page.locator("#narration-field").fill(new)
    page.locator("#save-narration").click()
    page.wait_for_function("window.studioEdits.length === 1", timeout=300000)
    script = narrating["script"].read_text()
    assert new in script and "the values flow ^forward" in script and "{loss}" in script  # the other beat as it was
    assert script.startswith("# Talk") and f"## {TALK}: " in script  # the whole lecture, as `lecture script` writes it
    after = json.loads(sidecar_path.read_text())["sections"]
    assert after[0]["narration"].startswith("Every operation of the code becomes a node")
    assert after[1]["narration"] == before[1]["narration"]  # the second beat says what it said
    assert "Every operation" in (sidecar_path.parent / f"{TALK}.srt").read_text()
    assert page.evaluate("document.querySelector('#player').paused") is False and "voice=joe" in page.url
    # The clip plays on from where the draft had got to, which under load can be the next beat's start: at the
    # saved beat (the first), the field holds the saved text.
    page.evaluate("(() => { const player = document.querySelector('#player'); player.pause(); player.currentTime = 0; })()")
    page.wait_for_function("(text) => document.querySelector('#narration-field').value === text", arg=new, timeout=20000)
    # The file reads back through --script's reader: the new text, and the other beat's as the scene has it.
    monkeypatch.setenv("LECTURE_PATH", narrating["env"]["LECTURE_PATH"])
    from lecture.voice.script import read_script

    assert read_script(narrating["script"])["talk-example"]["show_graph"] == new
    print(f"saved to playing: {page.evaluate('window.studioEdits[0].ms'):.0f} ms")


def test_the_script_writer_changes_only_the_saved_beats_text_lines():
    from lecture.voice.script import with_beat_text

    script = "\n".join(["# A lecture", "", "## s: S", "", "### one (1.0 s)", "", "Old [words](w) here,", "on two lines.",
                        "", "> said: Old words here, on two lines.", "", "> a note of mine", "", "<!-- ### one -->", "",
                        "### three", "", "Third ^mark.", "", "## t: T", "", "### a", "", "{x} stays.", ""])
    new = with_beat_text(script, "s", "S", "one", "  New [words](w)\n here. ", ["one", "two", "three"])
    assert new.split("\n") == ["# A lecture", "", "## s: S", "", "### one (1.0 s)", "", "New [words](w) here.", "",
                               "> a note of mine", "<!-- ### one -->", "", "### three", "", "Third ^mark.", "", "## t: T",
                               "", "### a", "", "{x} stays.", ""]
    two = with_beat_text(new, "s", "S", "two", "Second.", ["one", "two", "three"])
    assert "Third ^mark." in two and two.index("### two") < two.index("### three") and "### two\n\nSecond.\n\n### three" in two
    last = with_beat_text(two, "t", "T", "b", "After a.", ["a", "b"])
    assert last.endswith("### a\n\n{x} stays.\n\n### b\n\nAfter a.\n")
    added = with_beat_text(last, "u", "U", "z", "Zed.", ["z"])
    assert added.startswith(last) and added.endswith("\n## u: U\n\n### z\n\nZed.\n")


@pytest.mark.slow
def test_a_script_file_saved_in_an_editor_renders_the_changed_scene_again(browser, narrating):
    """After the page's save (the test above): the lecturer edits the other beat in the file itself."""
    page = open_talk(browser, narrating)
    before = page.locator("#player").get_attribute("src")
    script = narrating["script"].read_text()
    edited = script.replace("With w at {w}, the values flow ^forward", "With w set to {w}, the values flow ^forward")
    assert edited != script
    narrating["script"].write_text(edited)
    page.wait_for_function(f"document.querySelector('#player').getAttribute('src') !== {json.dumps(before)}", timeout=300000)
    (sidecar_path,) = narrating["media"].glob(f"studio/*/tiny/narrated/{TALK}.json")
    assert json.loads(sidecar_path.read_text())["sections"][1]["narration"].startswith("With w set to ")
    assert "script.md changed" in page.locator("#status").inner_text()


@pytest.mark.slow
def test_a_saved_beat_plays_first_as_a_draft_then_in_its_clip(browser, narrating):
    """After the page's save above: the saved beat alone, small, with its new speech, plays labelled "draft"
    while the clip renders (the page's requests for the new clip are held until the draft plays, so the test
    does not race the render); then the clip from where the draft was. The draft lives only in drafts/."""
    page = open_talk(browser, narrating)
    held = []
    page.route("**/api/state*", lambda route: held.append(route))
    new = "Each operation of the code is a node: the inputs on the left, and [the loss](loss) on the right."
    page.locator("#narration-field").fill(new)
    page.locator("#save-narration").click()
    page.wait_for_function("document.querySelector('#player').dataset.draft === 'show_graph' && "
                           "!document.querySelector('#draft-label').hidden && !document.querySelector('#player').paused",
                           timeout=300000)
    assert page.locator("#draft-label").inner_text() == "draft"
    assert "/media/drafts/" in page.locator("#player").get_attribute("src")
    assert page.locator(".beat.current").inner_text() == "show graph"  # the timeline shows where the draft is
    page.unroute("**/api/state*")
    for route in held:
        route.continue_()
    page.wait_for_function("window.studioEdits.length === 1", timeout=300000)
    edit = page.evaluate("window.studioEdits[0]")
    assert edit["draft"] is not None and edit["draft"] < edit["ms"]
    assert page.locator("#draft-label").is_hidden() and "/media/drafts/" not in page.locator("#player").get_attribute("src")
    media = narrating["media"]
    drafts = [p.relative_to(media).as_posix() for p in media.rglob(f"{TALK}.show_graph.*")]
    assert drafts and all(p.startswith("drafts/studio/") for p in drafts), drafts
    (sidecar_path,) = media.glob(f"studio/*/tiny/narrated/{TALK}.json")
    assert not [p for p in sidecar_path.parent.iterdir() if "show_graph" in p.name]  # nothing of it beside the clip
    assert all("draft" not in name for name in json.loads(sidecar_path.read_text())["files"])
    import av

    with av.open(str(next(media.glob(f"drafts/**/{TALK}.show_graph.mp4")))) as container:
        assert container.streams.audio and container.streams.video  # its new speech with its picture
    print(f"saved to the draft playing: {edit['draft']:.0f} ms, to the clip playing: {edit['ms']:.0f} ms")
    # The second beat starts from the state the first one kept (a lecture folder outside the tool keeps them too).
    page.locator(".beat").nth(1).click()
    page.wait_for_function("document.querySelector('#narration-field').dataset.beat === 'show_loss'")
    page.locator("#narration-field").fill("Now with w at {w}, the values flow ^forward, and the loss comes out as {loss}.")
    page.locator("#save-narration").click()
    page.wait_for_function("window.studioEdits.length === 2", timeout=300000)
    edit = page.evaluate("window.studioEdits[1]")
    assert edit["draft"] is not None and edit["draft"] < edit["ms"], edit
    assert "draft show_loss" in (media / ".cache" / TALK / "draft.log").read_text()
    assert [p.relative_to(media).parts[0] for p in media.rglob(f"{TALK}.show_loss.*")] == ["drafts", "drafts"]


@pytest.mark.slow
def test_a_beat_edited_in_its_scene_file_plays_first_as_a_draft(browser, narrating):
    """An editor's save of the scene module that changes one beat (a run time in its body): the page hears which
    beat, its draft plays from the state the beat before kept, then the clip from that beat."""
    page = open_talk(browser, narrating)
    (module,) = [p for p in narrating["script"].parent.glob("*.py") if "def show_loss" in p.read_text()]
    text = module.read_text()
    edited = text.replace("forward_into(node.name, run_time=1.0)", "forward_into(node.name, run_time=0.8)")
    assert edited != text
    module.write_text(edited)
    page.wait_for_function("window.studioEdits.length === 1", timeout=300000)
    edit = page.evaluate("window.studioEdits[0]")
    assert edit["beat"] == "show_loss" and edit["draft"] is not None and edit["draft"] < edit["ms"], edit
    assert "edited" in page.evaluate("window.studioEvents")
