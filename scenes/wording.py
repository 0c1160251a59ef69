"""Lists as a narrator says them."""
from __future__ import annotations

from typing import Sequence

from scenes.formatting import short


def said_list(items: Sequence[str], comma: str = ", ") -> str:
    """'a', 'a and b', 'a, b and c' (or 'a; b; and c' with comma='; ', for clauses)."""
    items = list(items)
    if len(items) == 1:
        return items[0]
    return comma.join(items[:-1]) + (";" if comma == "; " else "") + " and " + items[-1]


def said_numbers(values: Sequence[float], digits: int = 3) -> str:
    """Numbers as the narration says a vector: "0.5", "0.5 and 1", "1, 0 and -0.25" (`short` digits)."""
    return said_list([short(float(v), digits) for v in values])
