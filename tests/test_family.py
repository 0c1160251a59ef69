"""lecture/manim_compat/family.py gives manim's results: a family in manim's order, a copy as deep.
The functions are called directly (installing them would change manim's classes for the whole test
process); the renders that use them are compared with stock manim's frames by tests/test_plain.py."""
from __future__ import annotations

import copy
import random

import numpy as np
from manim import Arrow, Circle, Dot, Mobject, Square, Text, VGroup
from manim.utils.color import ManimColor

from lecture.manim_compat.family import copy_color, copy_mobject, get_family


def nested(rng: random.Random, depth: int = 0) -> VGroup:
    parts = [rng.choice([Circle, Square, Dot])() for _ in range(rng.randint(1, 3))]
    if depth < 3:
        parts += [nested(rng, depth + 1) for _ in range(rng.randint(0, 2))]
    return VGroup(*parts)


def test_the_family_is_manims_in_order_with_shared_members_kept_at_their_last_place():
    rng = random.Random(4)
    for _ in range(30):
        group = nested(rng)
        members = Mobject.get_family(group)
        for _ in range(3):  # a member added twice (a scene's label also in a group of labels)
            group.submobjects.insert(rng.randrange(len(group.submobjects) + 1), rng.choice(members[1:]))
        assert get_family(group) == Mobject.get_family(group)
    empty = VGroup()
    assert get_family(empty) == Mobject.get_family(empty) == [empty]


def same_state(a: object, b: object, seen: set[int], layout: bool = True) -> None:
    """a and b equal in every attribute, recursively, and b shares no mutable part with a (with `layout`,
    their arrays in the same memory order too)."""
    if id(a) in seen:
        return
    seen.add(id(a))
    assert type(a) is type(b)
    if isinstance(a, np.ndarray):
        assert a is not b and np.array_equal(a, b)
        assert not layout or a.flags.c_contiguous == b.flags.c_contiguous
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same_state(x, y, seen, layout)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            same_state(a[key], b[key], seen, layout)
    elif isinstance(a, (Mobject, ManimColor)):
        assert a is not b
        for key, value in vars(a).items():
            if key != "original_id":
                same_state(value, getattr(b, key), seen, layout)
    else:
        assert a == b or a is b


def test_a_copy_is_as_deep_as_manims():
    shared = np.array([1.0, 2.0, 3.0])
    group = VGroup(Circle(color="#ff8800"), Arrow(), Text("w", color="#3355ff"), nested(random.Random(1)))
    group[0].shared_a, group[0].shared_b = shared, shared  # one array in two places stays one array
    group[1].points = group[1].points[::2]  # a strided view keeps its memory order as ndarray.__deepcopy__ does
    stock, fast = copy.deepcopy(group), copy_mobject(group, {})
    same_state(stock, fast, set())
    same_state(group, fast, set(), layout=False)  # a copy of a strided view is compact, in both
    assert fast[0].shared_a is fast[0].shared_b and fast[0].shared_a is not shared
    assert fast.original_id == str(id(group))
    fast[0].set_color("#00ff00")
    assert group[0].get_color() == ManimColor("#ff8800")  # the copy's colour is its own


def test_a_colour_copy_has_its_own_value():
    colour = ManimColor("#336699", alpha=0.5)
    twin = copy_color(colour, {})
    assert twin == colour and twin is not colour
    assert twin._internal_value is not colour._internal_value  # manim private: the value array
