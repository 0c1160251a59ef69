"""Where words filled in from values are said (scenes/kit/pacing.py): the whole number, not a piece of another."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from scenes.kit.pacing import position_of, spoken_at


def beat_saying(text: str) -> SimpleNamespace:
    return SimpleNamespace(narration=text, _beat_name="show_rates", speech=None)


def test_a_number_is_found_whole_and_in_order():
    said = beat_saying("Only the learning rate differs: 0.12, 10.1 and 0.1. With eta 0.1, it converged.")
    first = position_of(said, "0.1")
    assert said.narration[first:first + 5] == "0.1. "
    assert position_of(said, "0.1", first + 1) == said.narration.index("0.1,")
    assert position_of(said, "0.12") == said.narration.index("0.12")


def test_words_the_narration_does_not_say_name_the_beat():
    with pytest.raises(ValueError, match="show_rates.*'0.5'"):
        position_of(beat_saying("rates 0.25 and 0.55"), "0.5")


def test_silent_beats_have_no_times():
    assert spoken_at(beat_saying("anything"), "mark") is None
