"""Every shared option of every command, declared once: its flag, help, default, which commands take it
and, for a content option, how lecture.toml writes it, how it is parsed and checked (lecture.options.checks),
and which scenes it changes. A lecture's own options are rows of its lecture.toml (docs/lecture-folders.md):
those with a `flag` join this table as command-line flags (`lecture_flags`), the rest are set with
`--set NAME=VALUE`. The click options, the --config keys and the values of `LectureParams`' fields (the
fields and their defaults are declared in scenes/kit/params.py) are made from this table (`options_for`,
`lecture.options.resolve.build_params`); `as_data` gives it as plain data, the form the studio shows.
Adding a shared option is one row here, plus the `LectureParams` field it sets when that is a new one,
plus the scene code that reads it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import click

from lecture import UserError
from lecture.options.checks import (CHECKS, NAMES, NUMBERS, TEXT, _learnable, _lr, _optimizer, _range, _steps, _theme,
                                    _values, parse_pair, parse_row, row_kinds)
from lecture.output.paths import OUTPUT_FILE, OUTPUT_FOLDER
from scenes.catalog import Lecture, OptionRow, add_folders, current
from scenes.catalog.folder import Located, toml_value
from scenes.kit.params import MAX_DRAWN_STEPS


@dataclass(frozen=True)
class Quality:
    flag: str
    width: int
    height: int
    fps: int
    folder: str


QUALITIES = {
    "l": Quality("l", 854, 480, 15, "480p15"),
    "m": Quality("m", 1280, 720, 30, "720p30"),
    "h": Quality("h", 1920, 1080, 60, "1080p60"),
    "k": Quality("k", 3840, 2160, 60, "2160p60"),
    "t": Quality("t", 192, 108, 5, "tiny"),  # for tests and smoke checks
}
FORMATS = ("mp4", "webm", "gif", "mov", "png")
DECK_FORMATS = ("html", "pptx", "pdf")
DEFAULT_OUT = Path("media")
ALL_LECTURES = "all"  # `--lecture all`: every lecture found (scenes/catalog)

@dataclass(frozen=True)
class Content:
    """What makes an option a content option: lecture.toml may give it, and it sets LectureParams fields."""
    parse: Callable[[Any, str], dict[str, Any]]  # value, where it came from -> LectureParams fields; UserError if bad
    kinds: tuple[str, ...]  # what lecture.toml may give: "text" (read as on the command line), "number",
                            # "whole", "numbers" (an array), "names" (an array), "table" (of numbers)
    wanted: str  # the type wanted, in words
    example: str  # as lecture.toml writes it
    uses: tuple[str, ...]  # the scenes it changes, by what they use (SceneInfo.uses); () for every scene


@dataclass(frozen=True)
class Option:
    name: str  # --NAME, and NAME in lecture.toml (where only content options are allowed)
    help: str
    commands: tuple[str, ...]
    default: Any = None
    type: Any = None  # a click type; None: text
    flag: bool = False
    short: str = ""  # e.g. "-q"
    dest: str = ""  # the command function's parameter, when not NAME
    metavar: str | None = None
    defaults: dict[str, Any] = field(default_factory=dict)  # commands whose default is not `default`
    content: Content | None = None
    multiple: bool = False  # may be given again (`--set a=1 --set b=2`)
    callback: Callable | None = None  # acts as the command line is read (`--lectures`), before any other option
    lecture_row: bool = False  # a flag declared by lectures' own option rows (`lecture_flags`), not by this table

    @property
    def param(self) -> str:
        return self.dest or self.name

    @property
    def flags(self) -> str:
        return "/".join(f for f in (self.short, f"--{self.name}") if f)

    def default_for(self, command: str) -> Any:
        value = self.defaults.get(command, self.default)
        return False if self.flag and value is None else value  # a flag is False, not None: it is in cache keys

    def click_option(self, command: str) -> Callable:
        default = self.default_for(command)
        return click.option(*(f for f in (self.short, f"--{self.name}") if f), self.param, is_flag=self.flag,
                            type=self.type, default=default, show_default=default not in (None, False) and not self.multiple,
                            metavar=self.metavar, help=self.help, multiple=self.multiple, callback=self.callback,
                            is_eager=self.callback is not None, expose_value=self.callback is None)


RENDERING = ("render", "video", "slides", "present", "check")  # commands that render clips
SCENE_LISTS = ("render", "video", "script", "slides", "present", "check")  # commands that take a lecture's scenes
CONTENT = (*RENDERING, "preview", "watch")
EVERY_COMMAND = (*CONTENT, "script", "doctor", "studio", "list", "new")  # check is in CONTENT


def look_in(ctx: click.Context, param: click.Parameter, folders: tuple[Path, ...]) -> None:
    """`--lectures DIR`: read before the other options, so the lectures there are known when they are."""
    if folders:
        add_folders(list(folders))


SHARED_OPTIONS: tuple[Option, ...] = (
    Option("lectures", "Also look for lectures in DIR: a lecture folder, or a folder of them (again for more; also "
           "./lectures/ and LECTURE_PATH; docs/lecture-folders.md).", EVERY_COMMAND, metavar="DIR", multiple=True,
           type=click.Path(exists=True, file_okay=False, path_type=Path), callback=look_in),
    Option("lecture", f"Which lecture SCENES and `all` come from (`lecture list` shows them; default: the first, "
           f"{current().default.id}; `{ALL_LECTURES}`: every lecture, in one run).", SCENE_LISTS, metavar="ID",
           dest="lecture_id"),
    Option("set", "A lecture's own option (`lecture list` shows them): NAME=VALUE for the lecture rendered, "
           "LECTURE.NAME=VALUE to name it; again for more.", CONTENT, metavar="NAME=VALUE", multiple=True, dest="sets"),
    Option("to", "html: reveal.js deck that works offline; pptx: one slide per pause with its video; pdf: one still per pause.",
           ("slides",), "html", click.Choice(list(DECK_FORMATS))),
    Option("quality", "l=480p15, m=720p30, h=1080p60, k=2160p60 (t=192x108 at 5 fps, for tests).", RENDERING, "l",
           click.Choice(list(QUALITIES)), short="-q", defaults={"present": "h"}),
    Option("format", "mp4 (H.264, plays in PowerPoint/Keynote), webm, gif, mov, or png (a frame sequence).", ("render",),
           "mp4", click.Choice(FORMATS), dest="fmt"),
    Option("transparent", "Transparent background (mov with alpha, or webm/png).", ("render",), flag=True),
    Option("section", "Show the end of this section (a beat name from `lecture list`) instead of the last frame.",
           ("preview", "watch")),
    Option("storyboard", "One PNG grid of every section's end frame.", ("preview",), flag=True),
    Option("out", "Output folder (clips go to OUT/<quality>/, decks to OUT/slides/, stills to OUT/preview/).",
           (*CONTENT, "doctor", "studio"), DEFAULT_OUT, OUTPUT_FOLDER),
    Option("out", "Write the Markdown here instead of printing it.", ("script",), type=OUTPUT_FILE,
           dest="target"),
    Option("media", "Where the rendered clips are (for each beat's duration and its text with the numbers filled in).",
           ("script",), DEFAULT_OUT, click.Path(path_type=Path)),
    Option("jobs", "Scenes rendered in parallel processes.", RENDERING, os.cpu_count() or 1, click.IntRange(1, 64), short="-j"),
    Option("scheduler", "Render on a Dask cluster: its scheduler's address, e.g. tcp://HOST:8786, a task per scene "
           "(docs/cluster.md); without it, on this machine (--jobs).", RENDERING, metavar="ADDRESS"),
    Option("concat", "Also join the clips into one video with a chapter per scene.", ("render",), flag=True),
    Option("force", "Render even when an up-to-date clip exists.", ("render", "video", "check"), flag=True),
    Option("force", "Write into an existing lecture folder: the files you have not changed since `lecture new` "
           "wrote them (the others are kept).", ("new",), flag=True),
    Option("from", "Draft the lecture from this Jupyter notebook (.ipynb): its prose narrated, its formulas and code "
           "as beats, none of its code run (docs/notebooks.md).", ("new",), None,
           click.Path(path_type=Path, dir_okay=False), dest="notebook", metavar="NOTEBOOK"),
    Option("dir", "Where the new lecture's folder goes (./lectures: found without --lectures).", ("new",), Path("lectures"),
           OUTPUT_FOLDER, dest="folder"),
    Option("json", "Also write every rule applied and every finding (scene, beat, time, rule, objects, message) as JSON here.",
           ("check",), type=OUTPUT_FILE, dest="json_path"),
    Option("sheet", "Also write a PNG contact sheet here: the frames with findings, each finding boxed and labelled.",
           ("check",), type=OUTPUT_FILE, dest="sheet_path"),
    Option("plain", "Render with stock manim (no faster renderer, text cache or encoder changes), to check the frames or on another manim version.", ("render",), flag=True),
    Option("interval", "Seconds between checks for changes.", ("watch",), 0.5, float),
    Option("fullscreen", "Start full screen.", ("present",), flag=True),
    Option("port", "Port of the studio's page on 127.0.0.1 (0: any free port).", ("studio",), 8731, click.IntRange(0, 65535)),
    Option("no-open", "Do not open the page in a browser; only print its address.", ("studio",), flag=True, dest="no_open"),
    Option("voice", "none, joe (the bundled neural voice), a piper model .onnx, or a folder of recordings "
           "DIR/<scene>/<beat>.wav (DIR,joe: joe speaks the beats not recorded).", RENDERING, "none",
           defaults={"video": "joe"}),
    Option("script", "A narration script (from `lecture script`) whose texts replace the beats' own.", RENDERING,
           type=click.Path(path_type=Path), dest="script_path"),
    Option("function", 'Formula in x, y for the field and descent scenes, e.g. "x**2 + 3*y**2".', CONTENT,
           content=Content(lambda v, _: {"function": str(v), "descent_function": str(v)}, TEXT, "a formula in quotes",
                           'function = "x**2 + 3*y**2"', ("function", "descent"))),
    Option("range", "Axis range for x and y, e.g. -2,2 (default -3,3).", CONTENT, metavar="MIN,MAX", dest="range_",
           content=Content(_range, NUMBERS, "two numbers", "range = [-2, 2]", ("function", "descent"))),
    Option("start", "Start point of descent, e.g. -2.5,2.", CONTENT, metavar="X,Y",
           content=Content(lambda v, where: {"start": parse_pair(v, where)}, NUMBERS, "two numbers", "start = [-2.5, 2]",
                           ("descent", "start"))),  # "start": a scene that reads only the point (chain-rule checks its gradient there)
    Option("lr", "Learning rate of descent (> 0), e.g. 0.1.", CONTENT,
           content=Content(_lr, ("number",), "a number", "lr = 0.1", ("descent",))),
    Option("steps", f"Descent steps to draw (1 to {MAX_DRAWN_STEPS}).", CONTENT,
           content=Content(_steps, ("whole",), "a whole number", "steps = 20", ("descent",))),
    Option("optimizer", "sgd|momentum|nesterov|adagrad|rmsprop|adam; several, comma-separated, race in `optimizers`.", CONTENT,
           content=Content(_optimizer, ("text", "names"), "a name or a list of names", 'optimizer = ["sgd", "adam"]',
                           ("descent",))),
    Option("expr", 'Formula whose autograd graph the graph scenes show, e.g. "(y - tanh(w*x + b))**2".', CONTENT,
           content=Content(lambda v, _: {"expr": str(v)}, TEXT, "a formula in quotes", 'expr = "(a*b + sin(a))**2"', ("graph",))),
    Option("values", "Inputs of --expr, e.g. w=-0.5,b=0.5,x=1,y=7.", CONTENT,
           content=Content(_values, ("table", "text"), "a table of numbers", "values = {w = -0.5, b = 0.5, x = 1, y = 7}",
                           ("graph",))),
    Option("learnable", "Inputs with requires_grad, e.g. w,b (default: all of --values).", CONTENT,
           content=Content(_learnable, NAMES, "a list of names", 'learnable = ["w", "b"]', ("graph",))),
    Option("theme", "dark (default) or light (white background, for slide decks).", CONTENT,
           content=Content(_theme, TEXT, "a name in quotes", 'theme = "light"', ())),
    Option("config", "A lecture.toml with these options (default ./lecture.toml); command-line options win.", CONTENT,
           type=click.Path(path_type=Path), dest="config_path"),
)


def row_option(lecture: Lecture, row: OptionRow) -> Option:
    """A lecture's own option row as an Option: parsed by its `check` (setting LectureParams fields) or by
    its kind (into `lecture_options`); named by its flag on the command line, by its name in its lecture."""
    kinds, wanted = row_kinds(row)
    if row.check:
        parse = CHECKS[row.check].parse
    else:
        def parse(value: Any, where: str, row: OptionRow = row) -> dict[str, Any]:
            return {"lecture_options": {row.name: parse_row(row, value, where)}}
    example = row.example or f"{row.flag or row.name} = {toml_example(row)}"
    return Option(row.flag or row.name, row.help, CONTENT, type=click.Choice(list(row.choices)) if row.choices else None,
                  dest=(row.flag or row.name).replace("-", "_"), lecture_row=True,
                  content=Content(parse, kinds, wanted, example, row.uses))


def toml_example(row: OptionRow) -> str:
    return toml_value(row.default) if row.default is not None else {"number": "1.0", "whole": "1"}.get(row.kind, '"..."')


def row_problem(lecture: Lecture, row: OptionRow) -> str | None:
    """What is wrong with a lecture's option row for the tool (its file can say nothing of these)."""
    if row.check and row.check not in CHECKS:
        problem = f"option {row.name}: unknown check {row.check!r}; known checks: {', '.join(CHECKS)} (or none, by kind)"
    elif row.flag and row.flag in SHARED_NAMES:
        problem = (f"option {row.name}: flag {row.flag!r} is a shared option's; choose another flag, or none "
                   f"(then `--set {row.name}=VALUE`)")
    else:
        return None
    if lecture.folder is None:
        return f"lecture {lecture.id}: {problem}"
    path = lecture.folder / "lecture.toml"
    line = Located(path, path.read_text()).line(None, f"options.{row.name}")
    return f"{path}" + (f" line {line}" if line else "") + f": {problem}"


def lecture_flags() -> tuple[Option, ...]:
    """The flags lectures' own option rows declare (`flag = "..."`), once each, for the lectures found as
    the command starts. Two lectures may declare one flag: each reads it by its own row."""
    flags: dict[str, Option] = {}
    for lecture in current().lectures:
        for row in lecture.own_options:
            if row.flag and row.flag not in flags and row_problem(lecture, row) is None:
                flags[row.flag] = row_option(lecture, row)
    return tuple(flags.values())


SHARED_NAMES = {o.name for o in SHARED_OPTIONS}
OPTIONS: tuple[Option, ...] = (*SHARED_OPTIONS[:-1], *lecture_flags(), SHARED_OPTIONS[-1])  # --config last, as it was
CONTENT_OPTIONS = {o.name: o for o in OPTIONS if o.content}  # in the order they are applied (--values before --learnable)
SHARED_CONTENT = {name: o for name, o in CONTENT_OPTIONS.items() if not o.lecture_row}
COMMAND_LINE_ONLY = {o.name: o.flags for o in OPTIONS if not o.content}


def own_options(lecture: Lecture) -> dict[str, Option]:
    """The lecture's own option rows as Options, by their names in the lecture; UserError for a bad row."""
    options = {}
    for row in lecture.own_options:
        problem = row_problem(lecture, row)
        if problem:
            raise UserError(problem)
        options[row.name] = row_option(lecture, row)
    return options


def options_for(command: str) -> Callable:
    """A decorator adding every option the table gives `command`, in the table's order."""
    def add(function: Callable) -> Callable:
        for option in reversed([o for o in OPTIONS if command in o.commands]):
            function = option.click_option(command)(function)
        return function
    return add


def scenes_changed(option: Option, lecture: Lecture | None = None) -> list[str]:
    """The scenes an option changes: a shared one's in every lecture, a lecture's own in that lecture."""
    uses = option.content.uses if option.content else None
    infos = [*lecture.scenes, *lecture.extras] if lecture is not None else current().scenes
    return [s.id for s in infos if uses == () or set(uses or ()) & set(s.uses)]


def as_data(lecture: Lecture | None = None) -> list[dict[str, Any]]:
    """The table as plain data (JSON-ready): one dict per option; with `lecture`, the shared options and
    that lecture's own (those without a flag named LECTURE.NAME, as `--set` names them)."""
    rows = [(o, None) for o in OPTIONS if lecture is None or not o.lecture_row]
    if lecture is not None:
        rows += [(o, None if o.name == row.flag else f"{lecture.id}.{row.name}")
                 for row, o in zip(lecture.own_options, own_options(lecture).values())]
    return [{"name": key or o.name, "flags": o.flags if key is None else f"--set {key}=VALUE", "help": o.help,
             "commands": list(o.commands),
             "default": {c: str(o.default_for(c)) if o.default_for(c) is not None else None for c in o.commands},
             "flag": o.flag, "choices": list(o.type.choices) if isinstance(o.type, click.Choice) else None,
             "lecture_toml": o.content is not None, "toml_kinds": list(o.content.kinds) if o.content else [],
             "example": o.content.example if o.content else None, "changes": scenes_changed(o, lecture),
             "lecture": lecture.id if lecture is not None and o.lecture_row else None} for o, key in rows]
