"""The one base class of every lecture clip: beats that are sections, slides and captions at once.

A scene's `construct` lists its beats; each beat method is decorated with `@beat("narration")`.
A beat starts a manim section and a manim-slides slide under the method's name (its narration is
the slide's speaker notes), runs, holds a short pause for the lecturer, and adds its narration as
subcaptions (so every clip gets an .srt). With a narrator (set by the render process for a voiced
render), the beat's speech starts with the beat and the beat holds until it has been said; marked
words (`^word`) let the beat start an animation as the word is spoken (`wait_until`, `play_along`),
and pointed phrases (`[words](name)`) light up what the beat binds (`point_at`; `scenes.kit.pointing`). After
rendering, a JSON sidecar beside the video lists the sections, when their speech is heard, every
number shown, and the narration, for slides, tests and accessibility.
"""
from __future__ import annotations

import functools
import inspect
import json
from pathlib import Path
from typing import Any, Callable, ClassVar

from manim import UP, ManimColor, MathTex, Paragraph, Scene, Tex, Text, VGroup, config
from manim_slides import Slide

from scenes.catalog import Lecture, SceneInfo, current
from scenes.kit.cues import balanced_lines, caption_cues
from scenes.kit.narration import NarrationError, Narrator, Speech, fill, split_marks, spread_by_characters
from scenes.kit.params import LectureParams, load_params
from scenes.kit.pointing import PointingScene
from scenes.kit.theme import Theme, get_theme


def beat(narration: str, *, loop: bool | Callable[["LectureScene"], bool] = False) -> Callable:
    """Mark a method as one beat. `narration` may name values recorded before the beat starts
    ("the loss is {loss:.1f}") and mark words the beat waits for ("the gradient ^flows back").

    A `loop` beat replays in the presenter until the lecturer moves on, so it must end as it began;
    when only the parameters decide that (a ring the function is defined all round), pass a predicate.
    """

    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def run(self: "LectureScene", *args: Any, **kwargs: Any) -> Any:
            self.start_beat(method.__name__, narration, loop=bool(loop(self) if callable(loop) else loop))
            # An incremental render may put back the state this body left in an earlier render instead.
            result = None if self.restore_beat(method.__name__) else method(self, *args, **kwargs)
            self.end_beat()
            return result

        run.narration = narration  # the default text, for `lecture script` and script files
        return run

    return decorate


def beat_narrations(scene_class: type) -> dict[str, str]:
    """Beat name -> default narration template of a scene class, in the order `construct` runs them."""
    beats = {name: member.narration for name, member in inspect.getmembers(scene_class)
             if callable(member) and hasattr(member, "narration")}
    source = inspect.getsource(scene_class.construct)
    return dict(sorted(beats.items(), key=lambda item: source.find(f"self.{item[0]}(")))


class LectureScene(PointingScene, Slide):
    """Theme, parameters, beats (pointing and pacing: `scenes.kit.pointing`) and the sidecar; subclasses hold only lecture content."""

    alt_text: ClassVar[str] = ""
    skip_reversing = True  # reversed clips are only for stepping back in the presenter; half the encode time
    # Set by the render process: who speaks (None: silent), and the lecturer's own texts by beat name.
    narrator: ClassVar[Narrator | None] = None
    script: ClassVar[dict[str, str]] = {}

    # The id and title are its lecture.toml's (scenes/catalog/), found by the class, so each is written once.
    @property
    def info(self) -> SceneInfo:
        return current().scene_for_class(type(self))

    @property
    def scene_id(self) -> str:
        return self.info.id

    @property
    def title(self) -> str:
        return self.info.title or ""

    @property
    def lecture(self) -> Lecture:
        return current().lecture_of[self.info.id]

    def setup(self) -> None:
        self.params: LectureParams = load_params()
        self.theme: Theme = get_theme(self.params.theme)
        if not config.transparent:
            self.camera.background_color = ManimColor(self.theme.background)
        self.values: dict[str, Any] = {}
        self.sections: list[dict[str, Any]] = []
        self._beat_name, self._beat_start = "", 0.0
        self.speech: Speech | None = None
        self.spoken: list[tuple[float, Speech]] = []  # (start in the clip, speech): the narration track

    # --- beats -------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return float(self.renderer.time)

    def start_beat(self, name: str, template: str, loop: bool = False) -> None:
        """Fill in the beat's text (the script's, if it has one) and have it spoken from now."""
        try:
            marked = split_marks(fill(self.script.get(name, template), self.values))
        except NarrationError as err:
            raise NarrationError(f"the narration of beat {name}: {err}") from None
        self.narration = marked.text
        self.speech = self.narrator.speak(self.scene_id, name, marked.text, marked.marks) if self.narrator else None
        self.next_slide(name=name, loop=loop, notes=marked.text)
        self._beat_name, self._beat_start, self._beat_loops = name, self.now, loop
        self.begin_pointing(template, marked, self.speech)
        if self.speech:
            self.spoken.append((self.now, self.speech))

    def restore_beat(self, name: str) -> bool:
        """Whether beat `name`'s state was put back instead of running its body: never here; the beat cache
        of an incremental render (lecture/manim_compat/beats.py) answers for the beats it kept."""
        return False

    def wait_until(self, mark: str) -> None:
        """Hold until the marked word `^mark` (or pointed phrase `[..](mark)`) of this beat's narration is
        spoken (at once when silent)."""
        if self.speech is None:
            return
        if mark not in self.speech.marks:
            raise ValueError(f"beat {self._beat_name} waits for ^{mark}, but its narration marks "
                             f"{', '.join(self.speech.marks) or 'no word'}")
        remaining = self._beat_start + self.speech.marks[mark] - self.now
        if remaining > 1e-3:
            self.wait(remaining)

    def end_beat(self) -> None:
        """Hold the picture until the speech is over, then the theme's pause; a silent loop runs on without
        a hitch. A narrated beat always ends with the pause, also when its motion, paced to the words,
        ran past the last one (the next sentence never starts on the heels of this one)."""
        spoken_until = self._beat_start + (self.speech.duration if self.speech else 0.0)
        hold = max(spoken_until - self.now, 0.0)
        if not self._beat_loops or self.now == self._beat_start or hold > 0 or self.speech is not None:
            self.wait(hold + self.theme.pause)
        self.end_pointing()
        start, end = self._beat_start, self.now
        speech = self.speech or spread_by_characters(self.narration, {}, end - start)
        cues = [(a, min(b, end), text) for a, b, text in caption_cues(speech, start)]
        for cue_start, cue_end, text in cues:
            self.add_subcaption(text, duration=cue_end - cue_start, offset=cue_start - self.now)
        section = {"name": self._beat_name, "start": round(start, 3), "end": round(end, 3),
                   "loop": self._beat_loops, "narration": self.narration,
                   "cues": [[round(a, 3), round(b, 3), text] for a, b, text in cues]}
        if self.speech:
            section["speech"] = [round(start, 3), round(spoken_until, 3)]
            section["marks"] = {name: round(start + t, 3) for name, t in self.speech.marks.items()}
            section["points"] = {name: [round(start + self.speech.at(a), 3), round(start + self.speech.at(b), 3)]
                                 for name, (a, b) in self._marked.points.items()}
        self.sections.append(section)

    def record(self, **values: Any) -> None:
        """Remember numbers this clip shows, for the sidecar and narration."""
        self.values.update(values)

    # --- text in the theme --------------------------------------------------------------------
    def text_style(self, size: float | None = None, color: str | None = None) -> dict[str, Any]:
        """Font, size and colour of body text in the theme, for Text and its relatives."""
        return {"font": self.theme.font, "font_size": size or self.theme.body_size, "color": color or self.theme.text}

    def text(self, content: str, size: float | None = None, color: str | None = None, **kwargs: Any) -> Text:
        return Text(content, **self.text_style(size, color), **kwargs)

    def wrapped(self, words: str, width: float, size: float | None = None, color: str | None = None,
                align: str = "center") -> VGroup:
        """`words` in as few lines as fit `width`, the lines as even as they can be (a long line over a
        one-word line reads badly on a slide), `align`ed "left" or "center". How many characters fit
        is estimated from one measurement of the whole text: Text is slow. The lines are one Pango
        layout, so their baselines are evenly spaced whatever letters hang below them."""
        whole, parts = self.text(words, size=size, color=color), words.split()
        if whole.width <= width or len(parts) < 2:
            return VGroup(whole)
        lines = balanced_lines(parts, max_chars=0.95 * width * len(words) / whole.width)
        # Paragraph finds each line's glyphs by counting characters, which a ligature ("fi") upsets.
        return Paragraph(*lines, alignment=align, **self.text_style(size, color), disable_ligatures=True)

    def math(self, *tex: str, size: float | None = None, color: str | None = None, **kwargs: Any) -> MathTex:
        return MathTex(*tex, font_size=size or self.theme.body_size, color=color or self.theme.text, **kwargs)

    def tex(self, *tex: str, size: float | None = None, color: str | None = None, **kwargs: Any) -> Tex:
        return Tex(*tex, font_size=size or self.theme.body_size, color=color or self.theme.text, **kwargs)

    def heading(self, content: str) -> Text:
        """The title band: top of the frame, nothing else goes there."""
        return self.text(content, size=self.theme.title_size).to_edge(UP, buff=self.theme.margin)

    def content_area(self) -> tuple[float, float]:
        """(top, bottom) y of the area below the title band, inside the margin."""
        top = config.frame_height / 2 - self.theme.margin - 0.9
        return top, -config.frame_height / 2 + self.theme.margin

    def render(self, *args: Any, **kwargs: Any) -> None:
        """Stills (`-s`, previews), GIFs and PNG sequences skip manim-slides' slide export, which
        needs video partial files."""
        if config.write_to_movie and not config.save_last_frame and (config.format or "mp4") in ("mp4", "mov", "webm"):
            super().render(*args, **kwargs)
        else:
            Scene.render(self, *args, **kwargs)

    # --- sidecar ------------------------------------------------------------------------------
    def sidecar(self) -> dict[str, Any]:
        return {
            "scene": self.scene_id,
            "title": self.title,
            "duration_s": round(self.now, 3),
            "theme": self.theme.name,
            "sections": self.sections,
            "values": self.values,
            "alt_text": self.alt_text.format(**self.values),
            "narration": [s["narration"] for s in self.sections],
        }

    def tear_down(self) -> None:
        super().tear_down()
        movie = getattr(self.renderer.file_writer, "movie_file_path", None)
        if movie:
            Path(movie).with_suffix(".json").write_text(json.dumps(self.sidecar(), indent=2, default=float))
