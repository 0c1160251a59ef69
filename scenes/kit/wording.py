"""Lists as a narrator says them."""
from __future__ import annotations

from typing import Sequence

from scenes.kit.formatting import short


def said_list(items: Sequence[str], comma: str = ", ") -> str:
    """'a', 'a and b', 'a, b and c' (or 'a; b; and c' with comma='; ', for clauses)."""
    items = list(items)
    if len(items) == 1:
        return items[0]
    return comma.join(items[:-1]) + (";" if comma == "; " else "") + " and " + items[-1]


def said_numbers(values: Sequence[float], digits: int = 3) -> str:
    """Numbers as the narration says a vector: "0.5", "0.5 and 1", "1, 0 and -0.25" (`short` digits)."""
    return said_list([short(float(v), digits) for v in values])


def layers_said(sizes: Sequence[int]) -> str:
    """A network's layer sizes as the narration says them: "2 inputs, 3 hidden neurons and 1 output"."""
    inputs, *hidden, outputs = sizes
    parts = [f"{inputs} input{'s' * (inputs > 1)}", *(f"{n} hidden neuron{'s' * (n > 1)}" for n in hidden),
             f"{outputs} output{'s' * (outputs > 1)}"]
    return said_list(parts)


# What a hidden layer's activation does to each z, as the forward scene says it.
ACTIVATION_SAID = {"tanh": "tanh squashes each z into h, between minus one and one",
                   "sigmoid": "the sigmoid squashes each z into h, between zero and one",
                   "relu": "ReLU keeps each positive z as it is and turns the negative ones into zero"}
