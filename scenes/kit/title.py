"""Every lecture's title card, drawn from its lecture.toml: the kicker, the title (and its subtitle) over a
rule, then the outline, each beat narrated by the file's `welcome` and `plan` (docs/lecture-folders.md).

Narrated, the card follows the words where they point: the welcome may point at `[...](heading)` (the
large line is written as it is said) and `[...](subtitle)` (the rule and the line under it come in then);
the plan at `[...](row1)`, `[...](detail1)`, `[...](row2)`, ... (each outline row comes in, marked, as the
plan names it, its detail line as the plan says it). A plan without them uses `^first`: every row comes
in from there, one after another. Silent, the card plays as it always did.

A lecture folder's title module is one line, `TitleScene = title_card(__name__)`: the class is made for
the lecture whose folder holds that module, so two lectures each have their own TitleScene.
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, FadeIn, FadeOut, LaggedStart, Line, VGroup, Write, config

from scenes.catalog import Card, Lecture, current
from scenes.kit.base import LectureScene, beat
from scenes.kit.pointing import RING_BUFF

RING_ROOM = 2 * RING_BUFF  # kept free beside a title that fills the width: the ring around it as it is named


def card_lines(lecture: Lecture) -> tuple[str, str]:
    """The large line and the line under the rule: the card's heading (else the title) over the subtitle,
    or, with no subtitle, the title split at its first " and " ("A and B": A large over "and B")."""
    if lecture.subtitle:
        return lecture.card.heading or lecture.title, lecture.subtitle
    head, joined, tail = (lecture.card.heading or lecture.title).partition(" and ")
    return head, f"and {tail}" if joined else ""


def welcome_text(lecture: Lecture) -> str:
    return lecture.card.welcome or f"Welcome to {lecture.title}."


def plan_text(card: Card) -> str:
    """The outline beat's narration: the file's `plan`, or one sentence per outline row, pointing at each
    row (and its detail line) as it names it."""
    if card.plan or not card.outline:
        return card.plan
    def pointed(words: str, name: str) -> str:  # words with brackets or a caret are said as they are, unpointed
        return words if set(words) & set("[]^") else f"[{words}]({name})"

    heads = [f"{pointed(head, f'row{i}')}, {pointed(detail, f'detail{i}')}" if detail else pointed(head, f"row{i}")
             for i, (head, detail) in enumerate(card.outline, start=1)]
    return "Here is the plan: first, " + ". Then ".join(heads) + "."


class TitleCard(LectureScene):
    """The card of `self.lecture`; a lecture's TitleScene (made by `title_card`) gives the beats their words."""

    def construct(self) -> None:
        self.show_title()
        self.show_outline()

    def show_title(self) -> None:
        head, sub = card_lines(self.lecture)
        kicker = [self.text(self.lecture.card.kicker, size=self.theme.label_size, color=self.theme.muted)] if self.lecture.card.kicker else []
        name = self.fitted(self.text(head, size=self.theme.display_size))
        subs = [self.fitted(self.text(sub, size=self.theme.large_size, color=self.theme.muted))] if sub else []
        rule = Line(LEFT * 3, RIGHT * 3, color=self.theme.gradient, stroke_width=3)
        self.card = VGroup(*kicker, name, rule, *subs).arrange(DOWN, buff=0.35)
        self.bind(heading=name, subtitle=subs[0] if subs else rule)  # the ring round the words said, not the rule
        marks = self.speech.marks if self.speech is not None else {}
        if "heading" not in marks:  # silent, or a welcome that does not point: as it always played
            self.play(*(FadeIn(k, shift=DOWN * 0.2) for k in kicker), Write(name), run_time=1.5)
            self.play(FadeIn(rule), *(FadeIn(s, shift=UP * 0.2) for s in subs))
            return
        if kicker:  # "Welcome to lecture three": the kicker as the welcome starts
            self.play(FadeIn(kicker[0], shift=DOWN * 0.2), run_time=min(1.0, max(marks["heading"], 0.5)))
        self.play_along("heading", Write(name), run_time=1.5)  # written as it is said
        if "subtitle" in marks:
            self.play_along("subtitle", FadeIn(rule), *(FadeIn(s, shift=UP * 0.2) for s in subs))
        else:
            self.play(FadeIn(rule), *(FadeIn(s, shift=UP * 0.2) for s in subs))

    def bind(self, **targets) -> None:
        """Point at those of `targets` the beat's narration points at (a lecture's file may point at none)."""
        self.point_at(**{name: target for name, target in targets.items() if name in self._can_point})

    def fitted(self, mobject):
        """No wider than the frame inside its margins and room for the ring (a lecturer's long title shrinks rather than overflows)."""
        width = config.frame_width - 2 * (self.theme.margin + RING_ROOM)
        return mobject.scale_to_fit_width(width) if mobject.width > width else mobject

    def show_outline(self) -> None:
        heading = self.heading("Outline")
        outline = self.lecture.card.outline
        if not outline:
            self.play(FadeOut(self.card, shift=UP * 0.5), FadeIn(heading))
            return
        roles = (self.theme.gradient, self.theme.learnable, self.theme.forward)
        rows = VGroup()
        for i, (head, detail) in enumerate(outline, start=1):
            color = roles[(i - 1) % len(roles)]
            number = self.text(f"{i}", size=self.theme.body_size, color=color)
            lines = [self.text(head, size=self.theme.body_size)]
            lines += [self.text(detail, size=self.theme.label_size, color=self.theme.muted)] if detail else []
            text = VGroup(*lines).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
            rows.add(VGroup(number, text).arrange(RIGHT, buff=0.4, aligned_edge=UP))
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.45).move_to(DOWN * 0.4)
        for row in rows[1:]:  # one column for the text, whatever the width of each number
            row[1].align_to(rows[0][1], LEFT)
        top, bottom = self.content_area()
        if rows.height > top - bottom:
            rows.scale_to_fit_height(top - bottom).move_to(DOWN * 0.4)
        self.play(FadeOut(self.card, shift=UP * 0.5), FadeIn(heading))
        self.bind(**{f"row{i}": VGroup(row[0], row[1][0]) for i, row in enumerate(rows, 1)},
                  **{f"detail{i}": row for i, row in enumerate(rows, 1) if len(row[1]) > 1})  # the ring holds both lines
        marks = self.speech.marks if self.speech is not None else {}
        if not any(f"row{i}" in marks for i in range(1, len(rows) + 1)):
            if "first" in marks:
                self.wait_until("first")
            self.play(LaggedStart(*(FadeIn(r, shift=RIGHT * 0.3) for r in rows), lag_ratio=0.35), run_time=2.5)
            return
        # Each row as the plan names it, its detail line as the plan says it; a row it does not name with the next one.
        waiting: list = []
        for i, row in enumerate(rows, start=1):
            number, text = row[0], row[1]
            waiting += [VGroup(number, text[0])]
            if f"detail{i}" not in marks and len(text) > 1:
                waiting += [text[1]]
            if f"row{i}" in marks:
                self.play_along(f"row{i}", LaggedStart(*(FadeIn(w, shift=RIGHT * 0.3) for w in waiting), lag_ratio=0.3),
                                run_time=1.0)
                waiting = []
            if f"detail{i}" in marks and len(text) > 1:  # (with its row, if the plan did not name that)
                self.play_along(f"detail{i}", *(FadeIn(w, shift=RIGHT * 0.3) for w in waiting),
                                FadeIn(text[1], shift=RIGHT * 0.2), run_time=0.8)
                waiting = []
        if waiting:
            self.play(LaggedStart(*(FadeIn(w, shift=RIGHT * 0.3) for w in waiting), lag_ratio=0.3), run_time=1.0)


def title_card(module: str) -> type[TitleCard]:
    """The TitleScene of the lecture whose folder holds `module` (pass `__name__`), its beats narrated by the
    lecture's file and its alt text made from the outline."""
    lecture = current().lecture_for_package(module.rpartition(".")[0])
    rows = ", ".join(head for head, _ in lecture.card.outline)
    namespace = {
        "__module__": module, "__qualname__": "TitleScene",
        "alt_text": f"Title card of the lecture {lecture.title}" + (f", then its outline: {rows}." if rows else "."),
        "show_title": beat(welcome_text(lecture))(TitleCard.show_title),
        "show_outline": beat(plan_text(lecture.card) or "Here is what this lecture covers.")(TitleCard.show_outline),
    }
    return type("TitleScene", (TitleCard,), namespace)
