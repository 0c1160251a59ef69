"""Bounds the engine holds its inputs to, in a module without torch: the CLI checks options against
them before torch is loaded."""
from __future__ import annotations

import math
import os

MAX_STEPS = 10_000  # descent steps
MAX_LEARNING_RATE = 1e3
MAX_GRID_POINTS = 4_000_000  # 2000 x 2000: larger grids are refused, not allocated
GRID_BYTES_PER_POINT = 160  # a gradient field's arrays and autograd's buffers (120 measured at 2000 x 2000)
# A range's points (a heatmap of hundreds of samples, tick marks) must be distinct floats: a range
# narrower than this share of its largest end has too few numbers in it (1e15 to 1e15+1 holds 8).
MIN_RELATIVE_WIDTH = 1e-9
# manim's axes count their ticks with an absolute tolerance of 1e-6: a range 1e-90 wide asked numpy
# for 1e85 ticks ("Maximum allowed size exceeded").
MIN_WIDTH = 1e-5


def range_problem(lo: float, hi: float) -> str | None:
    """What is wrong with (lo, hi) as an axis range for the engine and the plots, or None."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
        return f"range ({lo:g}, {hi:g}) needs min < max, both finite"
    width = hi - lo
    if not math.isfinite(width):
        return f"range ({lo:g}, {hi:g}) is wider than a float can hold (its width overflows); keep it under {1.7e308:g}"
    if width < MIN_WIDTH or width < MIN_RELATIVE_WIDTH * max(abs(lo), abs(hi)):
        return (f"range ({lo:.15g}, {hi:.15g}) is too narrow to plot: its points would not be distinct numbers; "
                f"make it at least {max(MIN_WIDTH, MIN_RELATIVE_WIDTH * max(abs(lo), abs(hi))):g} wide")
    return None


def check_range(lo: float, hi: float) -> tuple[float, float]:
    """The range as floats, or a ValueError that says what is wrong with it."""
    lo, hi = float(lo), float(hi)
    problem = range_problem(lo, hi)
    if problem:
        raise ValueError(problem)
    return lo, hi


# engine.descent's optimizers by name (each a torch.optim class there): the names here, so the CLI checks them without torch
OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


def optimizer_problem(name: str) -> str | None:
    """What is wrong with `name` as an optimizer, or None."""
    return None if name in OPTIMIZER_NAMES else f"unknown optimizer '{name}'; choose from {', '.join(OPTIMIZER_NAMES)}"


def learning_rate_problem(lr: float) -> str | None:
    """What is wrong with `lr` as a learning rate, or None: the one check of it (the CLI's and the engine's)."""
    if not (math.isfinite(lr) and 0 < lr <= MAX_LEARNING_RATE):
        return f"learning rate must be > 0 and at most {MAX_LEARNING_RATE:g}"
    return None


def steps_problem(steps: object, most: int = MAX_STEPS) -> str | None:
    """What is wrong with `steps` as a count of descent steps (at most `most`), or None."""
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= min(most, MAX_STEPS):
        return f"steps must be a whole number from 1 to {min(most, MAX_STEPS)}"
    return None


def start_problem(start: tuple[float, ...]) -> str | None:
    """What is wrong with `start` as a point to descend from, or None."""
    if len(start) != 2 or not all(math.isfinite(float(s)) for s in start):
        return "start must be two finite numbers, e.g. --start -2.5,2"
    return None


def grid_count(lo: float, hi: float, step: float) -> float:
    """Points from lo to hi `step` apart, as a float (it may be too large for an int)."""
    count = (hi - lo) / step
    return float(round(count)) + 1 if math.isfinite(count) else math.inf


def arrow_grid(x_range: tuple[float, float], y_range: tuple[float, float],
               step: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """The notebook's quiver grid: the plot ranges inset by one step, or by half a step where a full one would
    leave fewer than two points, so no arrow sits on the plot's edge (the field scene draws it; the options
    check how many arrows it would be)."""
    return tuple((lo + step, hi - step) if hi - lo >= 3 * step else (lo + step / 2, hi - step / 2)
                 for lo, hi in (x_range, y_range))


def memory_available() -> int:
    """Bytes of memory this machine can still give (MemAvailable), or its total where that is not known."""
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return 1 << 62


def memory_problem(what: str, needed: float) -> str | None:
    """A sentence if `needed` bytes are more than the machine has free, else None."""
    free = memory_available()
    if needed > free:
        return f"{what} would need about {needed / 1e9:,.3g} GB of memory; this machine has {free / 1e9:,.3g} GB free"
    return None

# --- tensors and the part-2 network --------------------------------------------------------------
MAX_TENSOR_ELEMENTS = 10_000  # numbers a traced computation may hold in all (every node's value)
MAX_SHOWN_ELEMENTS = (8, 8)  # a tensor up to this shape is drawn with its numbers; larger ones by shape and colour
ACTIVATIONS = ("tanh", "sigmoid", "relu")
DATASETS = ("xor", "regression")
MAX_LAYER_SIZE = 6  # neurons in one layer: more would not fit the network diagram as circles with numbers
MAX_LAYERS = 5  # sizes given to --layers: the input, at most three hidden layers, the output
MAX_TRAINING_STEPS = 2_000  # a training run is compressed into seconds; more steps add nothing visible
MAX_SEED = 2**31 - 1


def layers_problem(layers: tuple[int, ...], dataset: str) -> str | None:
    """What is wrong with `layers` (input size, hidden sizes..., output size) for `dataset`, or None."""
    if not 3 <= len(layers) <= MAX_LAYERS:
        return f"layers are the input size, 1 to {MAX_LAYERS - 2} hidden sizes and the output size, e.g. 2,3,1"
    if any(isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_LAYER_SIZE for n in layers):
        return f"each layer size must be a whole number from 1 to {MAX_LAYER_SIZE}"
    if dataset == "xor" and layers[0] < 2:
        return "the xor data set needs at least 2 inputs (each output is the XOR of two inputs), e.g. 2,3,1"
    return None


def dataset_problem(dataset: str) -> str | None:
    return None if dataset in DATASETS else f"unknown data set {dataset!r}; choose one of {', '.join(DATASETS)}"


def activation_problem(activation: str) -> str | None:
    return None if activation in ACTIVATIONS else f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}"


def seed_problem(seed: object) -> str | None:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        return f"the torch seed must be a whole number from 0 to {MAX_SEED}"
    return None


MAX_GRAPH_NODES = 10  # nodes (inputs, constants, operations) the graph scenes draw readably: `lecture check` found
# 11-node graphs' numbers at 19.5 pt (under the theme's 22) and none of 10 nodes under it (docs/limits-and-errors.md)
MAX_GRAPH_INPUTS = 6  # inputs: one line of code each above the graph, which takes its height


def graph_problem(graph: "Graph") -> str | None:
    """Why the graph scenes cannot draw `graph` (too many nodes, or inputs for the code above it), or None."""
    inputs = [n for n in graph.nodes if n.kind == "input"]
    unused = [n.name for n in inputs if not any(e.source == n.name for e in graph.edges) and n.name != graph.output_name]
    if unused:  # drawn unconnected, with no gradient for backprop to show (it failed on None)
        return (f"the formula does not use {', '.join(unused)}; the graph scenes draw every input given in --values "
                "with its gradient: give only the formula's inputs")
    if len(inputs) > MAX_GRAPH_INPUTS:
        return f"it has {len(inputs)} inputs; the graph scenes show at most {MAX_GRAPH_INPUTS} (a line of code each)"
    if len(graph.nodes) > MAX_GRAPH_NODES:
        return (f"its graph has {len(graph.nodes)} nodes; the graph scenes draw at most {MAX_GRAPH_NODES} "
                "(inputs, constants and operations) with numbers large enough to read: a shorter formula")
    return None


MAX_SHOWN_FORMULA = 32.0  # characters (engine.expression.latex_glyphs) a --function may be typeset wide: the field
# scene shows "= <formula>" in a 5.1-unit column beside its map, 6.5 units at 28 pt shrunk to the theme's smallest 22,
# at most 0.19 units a character; descent's column is 6.5 units for "f(x, y) = <formula>". `lecture check` of a
# 995-character formula found it at 0.9 pt (79 findings); sin(x**2+y**2)*exp(-(x**2+y**2)/8)+0.1*x*y (31.2) none.


def shown_formula_problem(width: float) -> str | None:
    """Why a formula typeset `width` characters wide cannot be shown beside the maps readably, or None."""
    if width > MAX_SHOWN_FORMULA:
        return (f"the scenes show the formula beside a map, readable up to about {MAX_SHOWN_FORMULA:g} characters "
                f"typeset; this one is about {width:.0f}: a shorter formula")
    return None
