"""A mobject's family listed, and a mobject copied, without manim's per-level overhead.

Profiled on `backprop` at 480p (2026-12-07, cProfile in the render process): after the drawing itself,
the largest costs in the profile were listing families (manim's `Mobject.get_family` builds and
de-duplicates a list at every level of the hierarchy: 850,000 calls for 600 frames) and copying
(`Mobject.copy` is `copy.deepcopy`, dispatching on every attribute and rebuilding every ManimColor
through `__reduce_ex__`). cProfile overstates such call-heavy code: measured without it, the render
process's CPU fell about 7% (docs/speed.md). Both are replaced here with the same results: the family
in the same order (each member kept at its last occurrence, as `remove_list_redundancies` keeps it), the
copy as deep (a colour's value array is copied, not shared). tests/test_family.py compares both with
manim's on nested groups of shapes, arrows and texts; every frame of backprop was equal with and without.
"""
from __future__ import annotations

import copy
import enum
from typing import Any

import numpy as np

from lecture.manim_compat import require_written_for

require_written_for()

from manim import Mobject  # noqa: E402 - after the version check
from manim.utils.color import ManimColor  # noqa: E402

def get_family(self: Mobject, recurse: bool = True) -> list[Mobject]:
    """manim's `get_family`: the mobject, then each submobject's family in order, each member once at
    its last place; walked once, de-duplicated once."""
    listed: list[Mobject] = []
    stack = [self]
    while stack:
        mob = stack.pop()
        listed.append(mob)
        if mob.submobjects:
            stack.extend(reversed(mob.submobjects))
    if len(listed) == len(set(listed)):
        return listed
    # A member met twice keeps its last place: the same rule as manim's, applied once to the whole walk.
    return list(dict.fromkeys(reversed(listed)))[::-1]


def copy_color(self: ManimColor, memo: dict[int, Any]) -> ManimColor:
    """A deep copy of a colour without pickling's round trip: a new ManimColor, its attributes (the value
    array) deep-copied as `copy.deepcopy` would."""
    result = object.__new__(type(self))
    memo[id(self)] = result
    result.__dict__.update({key: copy.deepcopy(value, memo) for key, value in self.__dict__.items()})
    return result


_SHARED = (int, float, bool, str, bytes, complex, type(None))  # what copy.deepcopy returns as it is


def copy_mobject(self: Mobject, memo: dict[int, Any]) -> Mobject:
    """manim's `Mobject.__deepcopy__` (each attribute deep-copied, `original_id` set), with the
    attributes most mobjects hold copied here instead of through `copy.deepcopy`'s dispatch: numbers,
    strings and enums as they are, number arrays copied as `ndarray.__deepcopy__` copies them (same
    memory order, one copy per array however many attributes hold it)."""
    cls = self.__class__
    result = cls.__new__(cls)
    memo[id(self)] = result
    for key, value in self.__dict__.items():
        kind = type(value)
        if kind in _SHARED or isinstance(value, enum.Enum):
            new = value
        elif kind is np.ndarray and value.dtype != object:
            new = memo.get(id(value))
            if new is None:
                new = memo[id(value)] = value.copy(order="K")
                memo.setdefault(id(memo), []).append(value)  # kept alive as copy.deepcopy keeps it: ids stay unique
        else:
            new = copy.deepcopy(value, memo)
        setattr(result, key, new)
    result.original_id = str(id(self))
    return result


def install() -> None:
    """From now on, in this process, families are listed and colours copied the fast way."""
    Mobject.get_family = get_family  # manim public method, same contract
    ManimColor.__deepcopy__ = copy_color  # ManimColor defines none: copy.deepcopy used its __reduce_ex__
    Mobject.__deepcopy__ = copy_mobject  # manim's, with its common attributes copied without dispatch
