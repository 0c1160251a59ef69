"""The title card's narration (scenes/kit/title.py): the plan points at each outline row as it names it."""
from __future__ import annotations

from scenes.catalog import current
from scenes.catalog.model import Card
from scenes.kit.narration import split_marks
from scenes.kit.title import plan_text, welcome_text


def test_a_plan_made_from_the_outline_points_at_each_row_and_its_detail():
    card = Card(outline=(("Descent", "steps downhill"), ("Autograd", "")))
    marked = split_marks(plan_text(card))
    assert marked.text == "Here is the plan: first, Descent, steps downhill. Then Autograd."
    assert list(marked.points) == ["row1", "detail1", "row2"]


def test_outline_words_with_brackets_or_a_caret_are_said_unpointed():
    marked = split_marks(plan_text(Card(outline=(("A [draft]", "x^2"), ("B", "")))))
    assert marked.text == "Here is the plan: first, A [draft], x^2. Then B." and list(marked.points) == ["row2"]


def test_both_lectures_cards_point_at_every_row_and_write_the_heading_as_it_is_said():
    for lecture in current().lectures:
        if lecture.id not in ("feedforward", "part-2"):
            continue
        rows = len(lecture.card.outline)
        assert set(split_marks(plan_text(lecture.card)).points) == {f"{k}{i}" for k in ("row", "detail") for i in range(1, rows + 1)}
        assert set(split_marks(welcome_text(lecture)).points) == {"heading", "subtitle"}
