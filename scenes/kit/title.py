"""Every lecture's title card, drawn from its lecture.toml: the kicker, the title (and its subtitle) over a
rule, then the outline, each beat narrated by the file's `welcome` and `plan` (docs/lecture-folders.md).

A lecture folder's title module is one line, `TitleScene = title_card(__name__)`: the class is made for
the lecture whose folder holds that module, so two lectures each have their own TitleScene.
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, FadeIn, FadeOut, LaggedStart, Line, VGroup, Write, config

from scenes.catalog import Card, Lecture, current
from scenes.kit.base import LectureScene, beat

HEADING_SIZE = 52  # the title's large line, between the theme's title size and a display size
SUBTITLE_SIZE = 40


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
    """The outline beat's narration: the file's `plan`, or one sentence per outline row."""
    if card.plan or not card.outline:
        return card.plan
    heads = [f"{head}, {detail}" if detail else head for head, detail in card.outline]
    return "Here is the plan: ^first, " + ". Then ".join(heads) + "."


class TitleCard(LectureScene):
    """The card of `self.lecture`; a lecture's TitleScene (made by `title_card`) gives the beats their words."""

    def construct(self) -> None:
        self.show_title()
        self.show_outline()

    def show_title(self) -> None:
        head, sub = card_lines(self.lecture)
        kicker = [self.text(self.lecture.card.kicker, size=self.theme.label_size, color=self.theme.muted)] if self.lecture.card.kicker else []
        name = self.fitted(self.text(head, size=HEADING_SIZE))
        subs = [self.fitted(self.text(sub, size=SUBTITLE_SIZE, color=self.theme.muted))] if sub else []
        rule = Line(LEFT * 3, RIGHT * 3, color=self.theme.gradient, stroke_width=3)
        self.card = VGroup(*kicker, name, rule, *subs).arrange(DOWN, buff=0.35)
        self.play(*(FadeIn(k, shift=DOWN * 0.2) for k in kicker), Write(name), run_time=1.5)
        self.play(FadeIn(rule), *(FadeIn(s, shift=UP * 0.2) for s in subs))

    def fitted(self, mobject):
        """No wider than the frame inside its margins (a lecturer's long title shrinks rather than overflows)."""
        width = config.frame_width - 2 * self.theme.margin
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
        if self.speech is not None and "first" in self.speech.marks:
            self.wait_until("first")
        self.play(LaggedStart(*(FadeIn(r, shift=RIGHT * 0.3) for r in rows), lag_ratio=0.35), run_time=2.5)


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
