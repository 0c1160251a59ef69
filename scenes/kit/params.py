"""What a lecture shows, in one object whose defaults are the notebook's where it has an example (descent's
bowl, start, rate and steps are this lecture's choice): the CLI swaps them, scenes read them.

Scenes never take options from anywhere else, so a lecturer's `--function` or `lecture.toml`
reaches every scene the same way. The object travels to render processes as JSON in an
environment variable; plain `manim scenes/feedforward/descent.py GradientDescentScene` gets the defaults.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.limits import (arrow_grid, check_range, grid_count, learning_rate_problem, memory_problem, optimizer_problem,
                           start_problem, steps_problem)
from engine.network_spec import NetworkSpec
from engine.notebook import NOTEBOOK_ARROW_STEP, NOTEBOOK_FUNCTION, NOTEBOOK_LEARNABLE, NOTEBOOK_NEURON, NOTEBOOK_PLOT_RANGE

from scenes.kit.theme import THEMES

ENV_VAR = "LECTURE_PARAMS"
MAX_DRAWN_STEPS = 200  # steps a descent scene draws one by one; more would be minutes of video
# The field scene's arrows: 40 x 40 (a range 20 wide at the notebook's step 0.5). Each costs about 0.1 s of
# rendering and 35 kB of memory even at the test quality (measured: 121 arrows 28 s, 1521 arrows 174 s).
MAX_ARROWS = 1_600
ARROW_BYTES = 35_000


@dataclass(frozen=True)
class LectureParams:
    function: str = NOTEBOOK_FUNCTION  # gradient-field, chain-rule
    x_range: tuple[float, float] = NOTEBOOK_PLOT_RANGE
    y_range: tuple[float, float] = NOTEBOOK_PLOT_RANGE
    arrow_step: float = NOTEBOOK_ARROW_STEP
    descent_function: str = "x**2 + 3*y**2"  # gradient-descent, learning-rates, optimizers: a bowl shows rates plainly
    start: tuple[float, float] = (-2.5, 2.0)
    lr: float = 0.1
    steps: int = 20
    learning_rates: tuple[float, ...] = (0.02, 0.1, 0.36)  # too small, good, too large for the default bowl
    optimizer: str = "sgd"
    optimizers: tuple[str, ...] = ("sgd", "momentum", "adam")
    expr: str | None = None  # None: the notebook's SimpleGraph code; else a formula over `values`
    values: dict[str, float] = field(default_factory=lambda: dict(NOTEBOOK_NEURON))
    learnable: tuple[str, ...] = NOTEBOOK_LEARNABLE
    theme: str = "dark"
    # The part-2 network (mlp-forward ... training-run): its own learning rate and steps, not descent's
    layers: tuple[int, ...] = NetworkSpec.layers
    activation: str = NetworkSpec.activation
    dataset: str = NetworkSpec.dataset
    seed: int = NetworkSpec.seed
    train_lr: float = NetworkSpec.lr
    train_steps: int = NetworkSpec.steps
    # A lecture's own options (its lecture.toml's [options.NAME] rows without a `check`), by name
    lecture_options: dict[str, Any] = field(default_factory=dict)
    # Where each option's value came from (`--lr '0'`, a file and line), for messages; not a parameter:
    # not compared and not sent to the render process
    sources: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def option(self, name: str) -> Any:
        """A lecture's own option by its name (KeyError naming the known ones)."""
        try:
            return self.lecture_options[name]
        except KeyError:
            raise KeyError(f"no option {name!r} in this lecture; its options: {', '.join(self.lecture_options) or 'none'}") from None

    def network_spec(self) -> NetworkSpec:
        """The part-2 network these options describe (checked by `validate`)."""
        return NetworkSpec(tuple(self.layers), self.activation, self.dataset, self.seed, self.train_lr, self.train_steps)

    def validate(self) -> "LectureParams":
        """Raise ValueError (ExpressionError for formulas) with a one-line reason for the first bad option.
        Each value has one check, in the lowest layer that needs it; the CLI calls the same ones."""
        from engine import parse_function  # the parser: only when options are checked, not to read them

        parse_function(self.function)
        parse_function(self.descent_function)
        check_range(*self.x_range)
        check_range(*self.y_range)
        def got(problem: str | None, value: object) -> str | None:
            return problem and f"{problem}, got {value}"

        problems = [start_problem(self.start),
                    *(got(learning_rate_problem(lr), f"{lr:g}") for lr in (self.lr, *self.learning_rates)),
                    got(steps_problem(self.steps, MAX_DRAWN_STEPS), self.steps),
                    *(optimizer_problem(name) for name in (self.optimizer, *self.optimizers)),
                    theme_problem(self.theme), values_problem(self.values, self.expr),
                    learnable_problem(self.learnable, self.values), self.network_problem()]
        problem = next((p for p in problems if p), None)
        if problem:
            raise ValueError(problem)
        if self.expr is not None:
            parse_function(self.expr, tuple(self.values))
        return self

    def network_problem(self) -> str | None:
        """The first problem of the network options, naming the option as the command line spells it."""
        spec = self.network_spec()
        shown = {"layers": ("layers", ",".join(map(str, spec.layers))), "activation": ("activation", spec.activation),
                 "dataset": ("dataset", spec.dataset), "seed": ("seed", spec.seed), "lr": ("train-lr", spec.lr),
                 "steps": ("train-steps", spec.steps)}
        for name, problem in spec.problems().items():
            flag, value = shown[name]
            return f"--{flag} {value}: {problem}"
        return None

    def check_descent_start(self) -> None:
        """Descent needs a start where the function and its gradient are finite (only the descent scenes ask)."""
        from engine import gradient_at, parse_function  # torch: only when options are checked

        if not all(math.isfinite(v) for v in gradient_at(parse_function(self.descent_function), *self.start)):
            raise ValueError(f"the function is undefined at the start point {tuple(self.start)} (or it or its "
                             "gradient is not finite there); choose another --start")

    def check_arrow_grid(self) -> None:
        """The field scene draws an arrow every `arrow_step` over the range: at least 2 x 2 of them, and no
        more than it can draw in the time and memory a render has (MAX_ARROWS)."""
        step = self.arrow_step
        inset = arrow_grid(self.x_range, self.y_range, step)  # the grid the field scene draws
        counts = [grid_count(lo, hi, step) if lo < hi else 1 for lo, hi in inset]
        if min(counts) < 2:
            raise ValueError(f"--range {self.x_range[0]:g},{self.x_range[1]:g}: the gradient-field scene draws arrows "
                             f"{step:g} apart and needs a range at least {2 * step:g} wide")
        arrows = counts[0] * counts[1]
        where = f"--range {self.x_range[0]:g},{self.x_range[1]:g}"
        if arrows > MAX_ARROWS:
            shown = f"{arrows:,.0f}" if arrows < 1e12 else f"{arrows:.3g}" if math.isfinite(arrows) else "over 1e308"
            raise ValueError(f"{where}: the gradient-field scene would draw {shown} arrows ({step:g} apart; about 0.1 s "
                             f"and 35 kB each); it draws at most {MAX_ARROWS:,} (a range at most "
                             f"{(int(MAX_ARROWS ** 0.5) + 1) * step:g} wide)")
        problem = memory_problem(f"the gradient-field scene's {arrows:,.0f} arrows", arrows * ARROW_BYTES)
        if problem:
            raise ValueError(f"{where}: {problem}")

    def check_finite_somewhere(self, scene_uses: set[str]) -> None:
        """A function that is undefined or overflows at every point of the range leaves nothing to draw."""
        if not scene_uses & {"function", "descent"}:
            return  # no scene asked draws it (a title card): torch is not loaded for nothing
        from engine import evaluate_at, parse_function  # torch: only when options are checked

        xs, ys = (np.linspace(lo, hi, 21) for lo, hi in (self.x_range, self.y_range))
        grid = np.meshgrid(xs, ys)
        for use, option, formula in (("function", "--function", self.function), ("descent", "--function", self.descent_function)):
            if use in scene_uses and not evaluate_at(parse_function(formula), *grid).mask.__invert__().any():
                raise ValueError(f"{option} {formula!r} is undefined or not finite everywhere on --range "
                                 f"{self.x_range[0]:g},{self.x_range[1]:g}; nothing would be drawn")

    def check_graph(self) -> None:
        """The graph scenes trace the expression (or the notebook's neuron) at the values and show every
        node's value and gradient: the trace must succeed and all of them be finite numbers."""
        from engine import trace  # torch: only when options are checked
        from engine.limits import graph_problem
        from engine.neuron import neuron_loss

        graph = trace(neuron_loss if self.expr is None else self.expr, requires_grad=self.learnable, **self.values)
        if self.expr is not None and graph_problem(graph):
            raise ValueError(f"--expr {self.expr!r}: {graph_problem(graph)}")
        bad = [n for n in graph.nodes if not math.isfinite(n.value) or (n.grad is not None and not math.isfinite(n.grad))]
        if bad:
            shown = ",".join(f"{n}={v:g}" for n, v in self.values.items())
            node = bad[0]
            raise ValueError(f"--values {shown}: {self.expr or 'the neuron'} is not finite there ({node.name} = "
                             f"{node.value:g}, gradient {node.grad if node.grad is None else format(node.grad, 'g')}); "
                             "choose smaller values")

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        del data["sources"]
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict) -> "LectureParams":
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown option(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(names))}")
        tuples = {f.name for f in dataclasses.fields(cls) if str(f.type).startswith("tuple")}
        return cls(**{k: tuple(v) if k in tuples else v for k, v in data.items()})


def theme_problem(theme: str) -> str | None:
    return None if theme in THEMES else f"unknown theme '{theme}'; choose one of {', '.join(THEMES)}"


def values_problem(values: dict[str, float], expr: str | None) -> str | None:
    """What is wrong with the graph scenes' input values (for `expr`, or the notebook's neuron when None)."""
    if not values:
        return "values must name at least one input, e.g. --values w=-0.5,b=0.5,x=1,y=7"
    bad = next((f"{n}={v}" for n, v in values.items() if not n.isidentifier() or not math.isfinite(v)), None)
    if bad:
        return f"value {bad} must be a name and a finite number"
    if expr is None and set(values) != set(NOTEBOOK_NEURON):
        return f"the notebook neuron takes values {', '.join(NOTEBOOK_NEURON)}; give --expr for other inputs"
    return None


def names_problem(names: tuple[str, ...]) -> str | None:
    """The one check that --learnable's items are names (the option's parse and `learnable_problem` call it)."""
    bad = [n for n in names if not n.isidentifier()]
    return f"{bad[0]!r} is not a name; write e.g. w,b" if bad else None


def learnable_problem(learnable: tuple[str, ...], values: dict[str, float]) -> str | None:
    if names_problem(learnable):
        return names_problem(learnable)
    missing = [n for n in learnable if n not in values]
    if missing:
        return f"learnable {', '.join(missing)} not among the values ({', '.join(values)})"
    return None


def load_params() -> LectureParams:
    """The parameters of this render: from the environment when the CLI set them, else the notebook's."""
    raw = os.environ.get(ENV_VAR)
    return LectureParams.from_dict(json.loads(raw)) if raw else LectureParams()
