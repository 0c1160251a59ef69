"""Every option of every command, declared once: its flag, help, default, which commands take it and,
for a content option, how lecture.toml writes it, how it is parsed and checked, and which scenes it
changes. The click options, the lecture.toml keys and `LectureParams`' fields are made from this table
(`options_for`, `lecture.options.build_params`); `as_data` gives it as plain data (a form can be built
from it). Adding an option is one row here, plus the scene code that reads it.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import click

from engine.limits import (ACTIVATIONS, DATASETS, MAX_LAYER_SIZE, MAX_LAYERS, MAX_TRAINING_STEPS, activation_problem,
                           dataset_problem, learning_rate_problem, range_problem, seed_problem, steps_problem)
from lecture import UserError
from lecture.output.paths import OUTPUT_FILE, OUTPUT_FOLDER
from scenes.catalog import current
from scenes.kit.params import MAX_DRAWN_STEPS, theme_problem


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
ALL_LECTURES = "all"  # `--lecture all`: every lecture of scenes/catalog.py

# --- the parse-and-check column: a value from the command line (text) or lecture.toml (a TOML value) ----


def split_items(value: Any, where: str) -> list[str]:
    """The items of a list-valued option, alike for all of them: "a,b" on the command line or ["a", "b"]
    in lecture.toml, each stripped; nothing at all is an empty list, an empty item is refused."""
    items = [str(v).strip() for v in value] if isinstance(value, (list, tuple)) else [v.strip() for v in str(value).split(",")]
    if items == [""] and not isinstance(value, (list, tuple)):
        return []
    if "" in items:
        raise UserError(f"{where}: item {items.index('') + 1} of the list is empty (two commas, or one at an end); remove it")
    return items


def parse_pair(value: Any, where: str) -> tuple[float, float]:
    """Two finite numbers: the command line's "-2,2", or lecture.toml's [-2, 2]."""
    parts = list(value) if isinstance(value, (list, tuple)) else split_items(value, where)
    try:
        pair = tuple(math.nan if isinstance(p, bool) else float(p) for p in parts)
    except (TypeError, ValueError):
        raise UserError(f"{where}: expected two numbers like -2,2") from None
    if len(pair) != 2 or not all(math.isfinite(v) for v in pair):
        raise UserError(f"{where}: expected two finite numbers like -2,2")
    return pair  # type: ignore[return-value]


def parse_values(value: Any, where: str) -> dict[str, float]:
    """name=number pairs: the command line's "w=-0.5,b=0.5", or lecture.toml's {w = -0.5, b = 0.5}."""
    if isinstance(value, dict):
        items = [(str(k), v, f"{k} = {v!r}") for k, v in value.items()]
    else:
        items = [(*item.partition("=")[::2], item) for item in split_items(value, where)]
    values: dict[str, float] = {}
    for name, number, shown in items:
        name = name.strip()
        try:
            number = math.nan if isinstance(number, bool) else float(number)
        except (TypeError, ValueError):
            number = math.nan
        if not name.isidentifier() or not math.isfinite(number):
            raise UserError(f"{where}: {shown!r} is not name=number; write e.g. w=-0.5,b=0.5,x=1,y=7")
        if name in values:
            raise UserError(f"{where}: {name} is given twice")
        values[name] = number
    if not values:
        raise UserError(f"{where}: values must name at least one input, e.g. --values w=-0.5,b=0.5,x=1,y=7")
    return values


def parse_number(value: Any, where: str, kind: type = float) -> Any:
    try:
        if isinstance(value, bool):
            raise ValueError
        number = kind(value)
        if kind is int and float(value) != number:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise UserError(f"{where}: expected {'a whole number' if kind is int else 'a number'}") from None
    return number


def checked(problem: str | None, where: str) -> None:
    if problem:
        raise UserError(f"{where}: {problem}")


def _range(value: Any, where: str) -> dict[str, Any]:
    pair = parse_pair(value, where)
    checked(range_problem(*pair), where)
    return {"x_range": pair, "y_range": pair}


def checked_number(field: str, problem: Callable[[Any], str | None], kind: type = float) -> Callable[[Any, str], dict[str, Any]]:
    """The parse-and-check of a one-number option: parsed as `kind`, refused with `problem`'s words."""
    def parse(value: Any, where: str) -> dict[str, Any]:
        number = parse_number(value, where, kind)
        checked(problem(number), where)
        return {field: number}
    return parse


_lr = checked_number("lr", learning_rate_problem)
_steps = checked_number("steps", lambda steps: steps_problem(steps, MAX_DRAWN_STEPS), int)
_seed = checked_number("seed", seed_problem, int)
_train_lr = checked_number("train_lr", learning_rate_problem)
_train_steps = checked_number("train_steps", lambda steps: steps_problem(steps, MAX_TRAINING_STEPS), int)


def _optimizer(value: Any, where: str) -> dict[str, Any]:
    names = tuple(split_items(value, where))
    if not names:
        raise UserError(f"{where}: name at least one optimizer, e.g. sgd or sgd,momentum,adam")
    return {"optimizer": names[0], "optimizers": names}


def _values(value: Any, where: str) -> dict[str, Any]:
    values = parse_values(value, where)
    return {"values": values, "learnable": tuple(values)}  # --learnable's default: all of them


def _learnable(value: Any, where: str) -> dict[str, Any]:
    names = tuple(split_items(value, where))
    bad = [n for n in names if not n.isidentifier()]
    if bad:
        raise UserError(f"{where}: {bad[0]!r} is not a name; write e.g. w,b")
    return {"learnable": names}


def _layers(value: Any, where: str) -> dict[str, Any]:
    """Layer sizes: the command line's "2,3,1" or lecture.toml's [2, 3, 1]; checked against the data set
    with the other network options (`LectureParams.network_problem`)."""
    items = value if isinstance(value, (list, tuple)) else split_items(value, where)
    sizes = tuple(parse_number(item, where, int) for item in items)
    if not 3 <= len(sizes) <= MAX_LAYERS or not all(1 <= n <= MAX_LAYER_SIZE for n in sizes):
        raise UserError(f"{where}: expected the input size, 1 to {MAX_LAYERS - 2} hidden sizes and the output size, "
                        f"each from 1 to {MAX_LAYER_SIZE}, e.g. 2,3,1")
    return {"layers": sizes}


def _activation(value: Any, where: str) -> dict[str, Any]:
    checked(activation_problem(str(value)), where)
    return {"activation": str(value)}


def _dataset(value: Any, where: str) -> dict[str, Any]:
    checked(dataset_problem(str(value)), where)
    return {"dataset": str(value)}


def _theme(value: Any, where: str) -> dict[str, Any]:
    checked(theme_problem(str(value)), where)
    return {"theme": str(value)}


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
                            type=self.type, default=default, show_default=default not in (None, False),
                            metavar=self.metavar, help=self.help)


RENDERING = ("render", "video", "slides", "present")  # commands that render clips
SCENE_LISTS = ("render", "video", "script", "slides", "present")  # commands that take a lecture's scenes
CONTENT = (*RENDERING, "preview", "watch")
TEXT, NUMBERS, NAMES = ("text",), ("numbers", "text"), ("names", "text")

OPTIONS: tuple[Option, ...] = (
    Option("lecture", f"Which lecture SCENES and `all` come from ({', '.join(current().lecture_by_id)}; `{ALL_LECTURES}`: every "
           "lecture, in one run).", SCENE_LISTS, current().default.id, click.Choice([*current().lecture_by_id, ALL_LECTURES]),
           dest="lecture_id"),
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
           "(README: \"Rendering on a cluster\"); without it, on this machine (--jobs).", RENDERING, metavar="ADDRESS"),
    Option("concat", "Also join the clips into one video with a chapter per scene.", ("render",), flag=True),
    Option("force", "Render even when an up-to-date clip exists.", ("render", "video"), flag=True),
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
                           ("descent",))),
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
    # The part-2 network. Its learning rate and steps are rows of their own, not --lr/--steps with other
    # defaults: one lecture.toml may hold both lectures' options, a rate that trains the network (0.3)
    # is one at which descent's bowl already diverges, and descent draws each of at most 200 steps
    # where a training run compresses hundreds; `render gradient-descent training-run` gets each its own.
    Option("layers", f"Layer sizes of the part-2 network: input, 1 to {MAX_LAYERS - 2} hidden, output (each 1 to "
           f"{MAX_LAYER_SIZE}), e.g. 2,3,1.", CONTENT, metavar="N,N,...",
           content=Content(_layers, NUMBERS, "a list of whole numbers", "layers = [2, 3, 1]", ("network",))),
    Option("activation", f"Activation of the network's hidden layers ({'|'.join(ACTIVATIONS)}); the output is linear.", CONTENT,
           type=click.Choice(list(ACTIVATIONS)), content=Content(_activation, TEXT, "a name in quotes", 'activation = "tanh"', ("network",))),
    Option("dataset", f"What the network learns ({'|'.join(DATASETS)}): XOR of its inputs, or sin(1.5 x) with noise.", CONTENT,
           type=click.Choice(list(DATASETS)), content=Content(_dataset, TEXT, "a name in quotes", 'dataset = "xor"', ("network",))),
    Option("seed", "torch seed of the network's first weights (and the regression noise).", CONTENT,
           content=Content(_seed, ("whole",), "a whole number", "seed = 0", ("network",))),
    Option("train-lr", "Learning rate of the network's SGD training (> 0), e.g. 0.3.", CONTENT, dest="train_lr",
           content=Content(_train_lr, ("number",), "a number", "train-lr = 0.3", ("training",))),
    Option("train-steps", f"Training steps of the network (1 to {MAX_TRAINING_STEPS}), shown in seconds.", CONTENT,
           dest="train_steps", content=Content(_train_steps, ("whole",), "a whole number", "train-steps = 300", ("training",))),
    Option("theme", "dark (default) or light (white background, for slide decks).", CONTENT,
           content=Content(_theme, TEXT, "a name in quotes", 'theme = "light"', ())),
    Option("config", "A lecture.toml with these options (default ./lecture.toml); command-line options win.", CONTENT,
           type=click.Path(path_type=Path), dest="config_path"),
)
CONTENT_OPTIONS = {o.name: o for o in OPTIONS if o.content}  # in the order they are applied (--values before --learnable)
COMMAND_LINE_ONLY = {o.name: o.flags for o in OPTIONS if not o.content}


def options_for(command: str) -> Callable:
    """A decorator adding every option the table gives `command`, in the table's order."""
    def add(function: Callable) -> Callable:
        for option in reversed([o for o in OPTIONS if command in o.commands]):
            function = option.click_option(command)(function)
        return function
    return add


def scenes_changed(option: Option) -> list[str]:
    uses = option.content.uses if option.content else None
    return [s for s, info in current().by_id.items() if uses == () or set(uses or ()) & set(info.uses)]


def as_data() -> list[dict[str, Any]]:
    """The table as plain data (JSON-ready): one dict per option."""
    return [{"name": o.name, "flags": o.flags, "help": o.help, "commands": list(o.commands),
             "default": {c: str(o.default_for(c)) if o.default_for(c) is not None else None for c in o.commands},
             "flag": o.flag, "choices": list(o.type.choices) if isinstance(o.type, click.Choice) else None,
             "lecture_toml": o.content is not None, "toml_kinds": list(o.content.kinds) if o.content else [],
             "example": o.content.example if o.content else None, "changes": scenes_changed(o)} for o in OPTIONS]
