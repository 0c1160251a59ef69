"""Lists as a narrator says them."""
from __future__ import annotations

from typing import Sequence


def said_list(items: Sequence[str], comma: str = ", ") -> str:
    """'a', 'a and b', 'a, b and c' (or 'a; b; and c' with comma='; ', for clauses)."""
    items = list(items)
    if len(items) == 1:
        return items[0]
    return comma.join(items[:-1]) + (";" if comma == "; " else "") + " and " + items[-1]
