"""Narration: the real voice (piper with the bundled model), real audio decoded with PyAV and measured
with ffmpeg's own EBU R128 meter, recordings made here with numpy, scripts edited as a lecturer would."""
from __future__ import annotations

import json
import shutil
import wave
from pathlib import Path

import av
import numpy as np
import pytest

from lecture.voice import audio
from lecture.voice.pronounce import spoken
from scenes.catalog import BY_ID
from scenes.kit.cues import caption_cues
from scenes.kit.narration import NarrationError, split_marks, spread_by_characters
from tests.conftest import run_lecture, warm_text_caches


# --- measuring sound ----------------------------------------------------------------------------------
def ebur128(path: Path) -> dict[str, float]:
    """Integrated loudness (LUFS) and sample peak of a file's sound, by ffmpeg's ebur128 filter."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        graph = av.filter.Graph()
        chain = [graph.add_abuffer(template=stream), graph.add("ebur128", "metadata=1:peak=sample"), graph.add("abuffersink")]
        chain[0].link_to(chain[1])
        chain[1].link_to(chain[2])
        graph.configure()
        last = None

        def drain():
            nonlocal last
            while True:
                try:
                    frame = graph.pull()
                except (av.BlockingIOError, av.EOFError):
                    return
                if "lavfi.r128.I" in frame.metadata:  # the running measurement, up to this frame
                    last = frame
        for frame in container.decode(stream):
            graph.push(frame)
            drain()
        graph.push(None)
        drain()
    return {"lufs": float(last.metadata["lavfi.r128.I"]), "peak": float(last.metadata["lavfi.r128.sample_peak"])}


def decoded(path: Path) -> np.ndarray:
    return audio.decode(path)


def rms_db(samples: np.ndarray, start: float, end: float, window: float = 0.05) -> np.ndarray:
    """RMS level in dBFS of each `window` between start and end (seconds)."""
    piece = samples[int(start * audio.RATE):int(end * audio.RATE)]
    n = int(window * audio.RATE)
    blocks = piece[:len(piece) // n * n].reshape(-1, n)
    return 20 * np.log10(np.sqrt((blocks ** 2).mean(axis=1)) + 1e-10)


def tone(path: Path, seconds: float, rate: int, frequency: float = 440.0, channels: int = 1) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    wave_ = (0.3 * np.sin(2 * np.pi * frequency * t) * 32767).astype(np.int16)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.repeat(wave_, channels).tobytes())
    return path


def dominant_frequency(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / audio.RATE)[spectrum.argmax()])


# --- text ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("written,said", [
    ("dloss/dw = -14.0", "d loss by d w equals minus fourteen"),
    ("the loss is 49", "the loss is forty-nine"),
    ("0.5 and 0.0025", "zero point five and zero point zero zero two five"),
    ("In 1847, Cauchy", "In eighteen forty-seven, Cauchy"),
    ("prediction 0.41997434", "prediction zero point four two"),
    ("f is 0.000831", "f is zero point zero zero zero eight three"),
    ("1234.5678 steps", "one thousand two hundred and thirty-five steps"),
    ("tanh(w*x + b)", "tanch of w times x plus b"),
    ("grad_fn is TanhBackward0", "grad F N is tanch Backward zero"),
    ("sin(x**2 + y**2)", "sine of x squared plus y squared"),
    ("sin(x² + y²)", "sine of x squared plus y squared"),  # a formula as captions write it
    ("w⁽⁰⁾ is the start", "w zero is the start"),  # a step index, not a power
    ("requires_grad=True", "requires grad equals true"),
    ("call .backward(), read w.grad", "call backward, read w dot grad"),
    ("Y = W @ X", "Y equals W matrix times X"),
    ("a rate of 1e-05", "a rate of one times ten to the minus five"),
    ("Augustin-Louis, x-axis", "Augustin-Louis, x-axis"),
    ("(1-x)**2", "one minus x squared"),
])
def test_pronunciation_table(written, said):
    assert spoken(written) == said


def test_marks_are_found_and_removed():
    marked = split_marks("Now the gradient ^flows back to ^w.")
    assert marked.text == "Now the gradient flows back to w."
    assert marked.marks == {"flows": 17, "w": 31}
    assert split_marks("x^2 stays").text == "x^2 stays"  # a caret before a digit is not a mark
    with pytest.raises(NarrationError, match="twice"):
        split_marks("^a and ^a")


def test_caption_cues_are_two_short_lines_and_never_overlap():
    text = ("Gradient descent takes a step against the gradient, scaled by the learning rate. "
            "Small steps are slow. Large steps overshoot and can diverge.")
    speech = spread_by_characters(text, {}, 9.0)
    cues = caption_cues(speech, offset=2.0)
    assert " ".join(c[2].replace("\n", " ") for c in cues) == text
    for (start, end, content), following in zip(cues, cues[1:] + [None]):
        assert all(len(line) <= 42 for line in content.split("\n")) and content.count("\n") <= 1
        assert end - start >= 1.0 - 1e-9 and start >= 2.0
        if following:
            assert end <= following[0] + 1e-9


# --- sound ---------------------------------------------------------------------------------------------
def test_a_track_is_brought_to_minus_16_lufs_with_peaks_under_minus_1_dbfs(tmp_path):
    t = np.arange(audio.RATE) / audio.RATE  # speech-like: a few tones in the voice's band, swelling and fading
    voice = sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate((180, 360, 720, 1500), start=1))
    bursts = [(start, (voice * np.hanning(audio.RATE) * 0.05 * gain).astype(np.float32)) for start, gain in ((0.5, 1), (2.5, 0.5), (4.0, 2))]
    bursts.append((6.0, np.full(200, 0.9, np.float32)))  # a click far above the rest: the limiter's job
    track = audio.normalised(audio.mix(bursts, 8.0))
    target = tmp_path / "track.mp4"
    silent = tmp_path / "picture.mp4"
    with av.open(str(silent), "w") as out:  # 8 s of black picture to carry the sound
        stream = out.add_stream("libx264", rate=5)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(40):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    measured = ebur128(audio.with_audio(silent, track, target))
    assert measured["lufs"] == pytest.approx(-16.0, abs=1.0)
    assert 20 * np.log10(measured["peak"]) < -1.0


@pytest.mark.parametrize("rate,channels", [(44100, 2), (22050, 1), (8000, 1)])
def test_recordings_at_any_rate_are_resampled_to_48k(tmp_path, rate, channels):
    samples = decoded(tone(tmp_path / "t.wav", 2.0, rate, 440.0, channels))
    assert len(samples) == pytest.approx(2.0 * audio.RATE, abs=rate // 100 + 64)
    assert dominant_frequency(samples) == pytest.approx(440.0, abs=2.0)


def test_unreadable_or_empty_recordings_are_refused(tmp_path):
    (tmp_path / "junk.wav").write_bytes(b"RIFF not really a wave file at all")
    with pytest.raises(audio.AudioError):
        decoded(tmp_path / "junk.wav")
    with pytest.raises(audio.AudioError, match="empty or silent"):
        decoded(silent_wav(tmp_path / "quiet.wav"))


def silent_wav(path: Path) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(48000)
        out.writeframes(np.zeros(4800, np.int16).tobytes())
    return path


@pytest.mark.slow
def test_a_broken_cache_entry_is_synthesised_again(tmp_path):
    from lecture.voice.narrator import VoiceNarrator
    from lecture.voice.voices import parse_voice

    narrator = VoiceNarrator(parse_voice("joe"), tmp_path)
    first = narrator.speak("title", "b", "One short sentence.", {})
    (entry,) = tmp_path.glob("*.npy")
    entry.write_bytes(entry.read_bytes()[:100])  # what a killed writer would leave, were writes not atomic
    again = VoiceNarrator(parse_voice("joe"), tmp_path).speak("title", "b", "One short sentence.", {})
    assert again.duration == pytest.approx(first.duration, abs=0.05) and len(np.load(entry)) == len(again.audio)
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.slow
def test_bookmarks_fall_where_their_words_are_spoken(tmp_path):
    from lecture.voice.narrator import VoiceNarrator
    from lecture.voice.voices import parse_voice

    narrator = VoiceNarrator(parse_voice("joe"), tmp_path)
    marked = split_marks("First the values flow forward through the graph. Then the gradient ^flows back.")
    speech = narrator.speak("backprop", "b", marked.text, marked.marks)
    first_sentence_end = speech.sentences[0][2]
    assert first_sentence_end < speech.marks["flows"] < speech.duration - 0.3
    level = rms_db(speech.audio, speech.marks["flows"], speech.marks["flows"] + 0.3)
    assert level.max() > -30, "a word starts at the mark"


# --- the narrated lecture --------------------------------------------------------------------------------
# The scenes `narrated` speaks: every narration path, not the whole lecture again. The title card: plain
# beats, the deck's first slide; backprop: values said from the engine ({...}), bookmarks (^) the picture
# waits for, a loop beat, several sections.
NARRATED = ("title", "backprop")


@pytest.fixture(scope="session")
def narrated(tmp_path_factory, rendered) -> Path:
    """`lecture video` of NARRATED at 192x108: each clip narrated by the bundled voice, joined into
    lecture.mp4 (LaTeX and Pango's SVGs taken from the session's silent render: the narration changes
    none of them)."""
    out = tmp_path_factory.mktemp("video")
    warm_text_caches(rendered, out)
    result = run_lecture("video", *NARRATED, "-q", "t", "--jobs", "2", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "tiny"


def warm_speech(narrated: Path, out: Path) -> None:
    """Give a render into `out` the speech `narrated` made (its cache of the voice's pieces, keyed by voice and
    text): a title card narrated again by joe takes it from there instead of loading piper and speaking."""
    shutil.copytree(narrated.parent / ".cache" / "speech", out / ".cache" / "speech")


def sidecar(folder: Path, scene: str) -> dict:
    return json.loads((folder / f"{scene}.json").read_text())


def test_lecture_mp4_has_sound_chapters_and_subtitles(narrated):
    joined = narrated / "lecture.mp4"
    with av.open(str(joined)) as container:
        kinds = {s.type: s.codec_context.name for s in container.streams if s.codec_context}  # mp4 keeps chapters in a track too
        rate = container.streams.audio[0].codec_context.sample_rate
        chapters = [c["metadata"]["title"] for c in container.chapters()]
        subtitles = [bytes(p)[2:].decode() for p in container.demux(container.streams.subtitles[0]) if p.size > 2]
    assert kinds == {"video": "h264", "audio": "aac", "subtitle": "mov_text"} and rate == 48000
    assert chapters == [BY_ID[s].title for s in NARRATED]
    srt_text = (narrated / "lecture.srt").read_text()
    assert (narrated / "lecture.vtt").read_text().startswith("WEBVTT")
    assert subtitles and all(cue.split("\n")[0] in srt_text for cue in subtitles)
    assert sum(sidecar(narrated / "narrated", s)["sections"][0]["narration"].split()[0] in srt_text for s in NARRATED) == len(NARRATED)


def test_every_beats_speech_lies_inside_its_beat(narrated):
    for scene in NARRATED:
        data = sidecar(narrated / "narrated", scene)
        samples = decoded(narrated / "narrated" / f"{scene}.mp4")
        for section in data["sections"]:
            start, spoken_until = section["speech"]
            # the theme's pause of 1 s follows the speech (less up to a frame: a wait is whole frames)
            assert section["start"] == start and spoken_until <= section["end"] - 0.75, (scene, section["name"])
            speaking = rms_db(samples, start, spoken_until)
            assert (speaking > -40).mean() > 0.6, (scene, section["name"], "speech is heard while the beat says it")
            after = rms_db(samples, spoken_until + 0.1, section["end"] - 0.05, window=0.02)
            assert after.size == 0 or after.max() < -55, (scene, section["name"], "silence after the speech, to the beat's end")


def test_sound_and_picture_last_equally_long(narrated):
    for scene in NARRATED:
        with av.open(str(narrated / "narrated" / f"{scene}.mp4")) as container:
            video, sound = container.streams.video[0], container.streams.audio[0]
            lengths = [float(s.duration * s.time_base) for s in (video, sound)]
            frame = 1 / float(video.average_rate)
        assert abs(lengths[0] - lengths[1]) <= frame + 1e-6, scene
        assert lengths[0] == pytest.approx(sidecar(narrated / "narrated", scene)["duration_s"], abs=frame)


def test_each_clip_is_at_minus_16_lufs(narrated):
    for scene in NARRATED:
        measured = ebur128(narrated / "narrated" / f"{scene}.mp4")
        assert measured["lufs"] == pytest.approx(-16.0, abs=1.0), scene
        assert 20 * np.log10(measured["peak"]) < -1.0, scene


def test_captions_follow_the_speech(narrated):
    from lecture.voice.captions import read_srt

    for scene in NARRATED:
        sections = sidecar(narrated / "narrated", scene)["sections"]
        cues = read_srt(narrated / "narrated" / f"{scene}.srt")
        assert [c.text for c in cues] == [text for s in sections for _, _, text in s["cues"]]  # the sidecar's cues
        for cue in cues:
            (section,) = [s for s in sections if s["start"] - 1e-3 <= cue.start < s["end"]]
            assert cue.end <= max(section["speech"][1] + 1.0, cue.start + 1.0) + 1e-3, (scene, cue)
            assert all(len(line) <= 42 for line in cue.text.split("\n"))


def test_an_unchanged_narrated_lecture_is_not_rendered_or_spoken_again(narrated):
    result = run_lecture("video", *NARRATED, "-q", "t", "--out", str(narrated.parent))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("up to date") == len(NARRATED) and "rendering" not in result.stdout


def test_narrated_decks_carry_speaker_notes_and_speech(narrated):
    from pptx import Presentation
    from playwright.sync_api import sync_playwright

    from tests.test_slides import launch_chromium

    out = str(narrated.parent)
    for to in ("pptx", "html"):
        result = run_lecture("slides", "title", "backprop", "--to", to, "-q", "t", "--voice", "joe", "--out", out)
        assert result.returncode == 0 and "rendering" not in result.stdout, result.stdout + result.stderr
    notes = [s.notes_slide.notes_text_frame.text for s in Presentation(str(narrated.parent / "slides" / "lecture.pptx")).slides]
    expected = [s["narration"] for scene in ("title", "backprop") for s in sidecar(narrated / "narrated", scene)["sections"]]
    assert notes == expected
    html = narrated.parent / "slides" / "lecture.html"
    assert html.read_text().count('<aside class="notes"') == len(expected)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_context(offline=True).new_page()
            page.goto(html.as_uri())
            page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=15000)
            page.wait_for_function("(() => { const v = document.querySelector('.slide-background.present video');"
                                   " return v && v.currentTime > 1.0 && v.webkitAudioDecodedByteCount > 0; })()", timeout=20000)
        finally:
            browser.close()


# --- recordings, voices and scripts ------------------------------------------------------------------------
def title_beats() -> list[str]:
    from lecture.voice.script import scene_script

    return list(scene_script("title").beats)


@pytest.mark.slow
def test_recordings_are_used_and_a_missing_one_is_named(tmp_path, narrated):
    beats = title_beats()
    recordings = tmp_path / "recordings"
    tone(recordings / "title" / f"{beats[0]}.wav", 2.0, 44100, 330.0)
    out = tmp_path / "out"
    warm_speech(narrated, out)  # joe's other beat: the session's speech
    missing = run_lecture("render", "title", "-q", "t", "--voice", str(recordings), "--out", str(out))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1, missing.stderr
    assert f"scene title, beat {beats[1]}" in missing.stderr and ",joe" in missing.stderr
    assert not (out / "tiny").exists()
    done = run_lecture("render", "title", "-q", "t", "--voice", f"{recordings},joe", "--out", str(out))
    assert done.returncode == 0, done.stderr
    data = sidecar(out / "tiny" / "narrated", "title")
    first = data["sections"][0]
    assert first["speech"][1] - first["speech"][0] == pytest.approx(2.0, abs=0.1)
    samples = decoded(out / "tiny" / "narrated" / "title.mp4")
    assert dominant_frequency(samples[int(0.3 * audio.RATE):int(1.7 * audio.RATE)]) == pytest.approx(330.0, abs=3.0)


def test_bad_voices_are_one_line(tmp_path):
    """Refused before anything starts: the CLI in this process (tests/in_process.py)."""
    from tests.in_process import run

    (tmp_path / "fake.onnx").write_bytes(b"not a model")
    (tmp_path / "fake.onnx.json").write_text(json.dumps({"audio": {"sample_rate": 22050}}))
    recordings = tmp_path / "rec" / "title"
    recordings.mkdir(parents=True)
    for beat in title_beats():
        (recordings / f"{beat}.wav").write_bytes(b"RIFF broken")
    for voice, says in (("nobody", "unknown voice"), (str(tmp_path / "fake.onnx"), "not an ONNX voice model"),
                        (str(tmp_path / "none.onnx"), "no such model file"), (str(tmp_path / "rec"), "record it again")):
        code, err = run("render", "title", "-q", "t", "--voice", voice, "--out", str(tmp_path / "out"))
        assert code == 2 and err.count("\n") == 1 and says in err, (voice, err)
    code, err = run("render", "title", "-q", "t", "--voice", "joe", "--format", "gif", "--out", str(tmp_path / "out"))
    assert code == 2 and "--format mp4" in err
    assert not (tmp_path / "out" / "tiny").exists()


@pytest.mark.slow
def test_a_script_file_changes_what_is_said_and_captioned(tmp_path, narrated):
    script = tmp_path / "script.md"
    result = run_lecture("script", "title", "--out", str(script), "--media", str(tmp_path))
    assert result.returncode == 0, result.stderr
    text = script.read_text()
    beats = title_beats()
    assert f"## title:" in text and all(f"### {b}" in text for b in beats)
    new = "Welcome, everyone. Grüße from the café: today is about gradients, naïvely at first."
    lines = text.splitlines()
    at = lines.index(next(l for l in lines if l.startswith(f"### {beats[0]}")))
    lines[at + 2] = new
    script.write_text("\n".join(lines))
    out = tmp_path / "out"
    warm_speech(narrated, out)  # the beat not changed: the session's speech; the changed one is spoken here
    done = run_lecture("render", "title", "-q", "t", "--voice", "joe", "--script", str(script), "--out", str(out))
    assert done.returncode == 0, done.stderr
    data = sidecar(out / "tiny" / "narrated", "title")
    assert data["sections"][0]["narration"] == new
    assert "Welcome, everyone." in (out / "tiny" / "narrated" / "title.srt").read_text()
    spoken_for = data["sections"][0]["speech"][1] - data["sections"][0]["speech"][0]
    assert spoken_for == pytest.approx(len(new.split()) / 2.5, rel=0.5)  # about 150 words a minute


@pytest.mark.parametrize("body,says", [
    ("## nowhere\n### x\ntext\n", "line 1: unknown scene 'nowhere'"),
    ("## title\n\n### no_such_beat\ntext\n", "line 3: scene title has no beat 'no_such_beat'"),
    ("## title\n### {b0}\nThe loss is {not_recorded}.\n", "line 2: {not_recorded} is not a value scene title records"),
    ("## title\n### {b0}\none\n### {b0}\ntwo\n", "line 4: beat {b0} of title is given twice"),
    ("## title\n### {b0}\n" + "word " * 20000 + "\n", "characters; at most 3,000"),
    ("## title\n### {b0}\n^a and ^a\n", "line 2: bookmark ^a is marked twice"),
    ("### {b0}\ntext\n", "line 1: a beat heading"),
    ("## title\n### {b0}\nHere is\n[a thing](nothing).\n", "line 4: beat {b0} points at nothing called 'nothing'"),
])
def test_script_mistakes_are_one_line_with_the_line_number(tmp_path, body, says):
    """Refused before anything starts: the CLI in this process (tests/in_process.py)."""
    from tests.in_process import run

    beat = title_beats()[0]
    script = tmp_path / "script.md"
    script.write_text(body.replace("{b0}", beat))
    code, err = run("render", "title", "-q", "t", "--script", str(script), "--out", str(tmp_path / "out"))
    assert code == 2 and err.count("\n") == 1, err
    assert says.replace("{b0}", beat) in err, err
    assert not (tmp_path / "out" / "tiny").exists()


@pytest.mark.slow
def test_a_narrated_webm_speaks_opus(tmp_path, narrated):
    warm_speech(narrated, tmp_path)  # the title card's speech: the session's
    result = run_lecture("render", "title", "-q", "t", "--voice", "joe", "--format", "webm", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    with av.open(str(tmp_path / "tiny" / "narrated" / "title.webm")) as container:
        sound = container.streams.audio[0]
        assert (sound.codec_context.name, sound.codec_context.sample_rate) == ("opus", 48000)
    assert ebur128(tmp_path / "tiny" / "narrated" / "title.webm")["lufs"] == pytest.approx(-16.0, abs=1.0)


@pytest.mark.slow
def test_doctor_names_the_voices():
    result = run_lecture("doctor")
    assert result.returncode == 0 and "voice joe (--voice joe)" in result.stdout and "CC0" in result.stdout
