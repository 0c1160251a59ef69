"""Title of the lecture and what it covers."""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, FadeIn, FadeOut, LaggedStart, Line, VGroup, Write

from scenes.kit.base import LectureScene, beat

OUTLINE = (
    ("Gradient vectors", "point towards steepest ascent"),
    ("Gradient descent", "step against the gradient"),
    ("PyTorch autograd: forward", "the graph builds as the code runs"),
    ("PyTorch autograd: backward", ".backward() applies the chain rule"),
)


class TitleScene(LectureScene):
    alt_text = "Title card of the lecture, then its outline: gradient vectors, gradient descent, and PyTorch autograd forward and backward."

    def construct(self) -> None:
        self.show_title()
        self.show_outline()

    @beat("Welcome to lecture three: feedforward neural networks and backpropagation, part one. "
          "Learning means making a loss smaller, and gradients tell us how.")
    def show_title(self) -> None:
        kicker = self.text("Lecture 3", size=self.theme.label_size, color=self.theme.muted)
        head, joined, tail = self.lecture.title.partition(" and ")  # "A and B": A large over "and B"
        name = self.text(head, size=52)
        subs = [self.text(f"and {tail}", size=40, color=self.theme.muted)] if joined else []
        rule = Line(LEFT * 3, RIGHT * 3, color=self.theme.gradient, stroke_width=3)
        self.card = VGroup(kicker, name, rule, *subs).arrange(DOWN, buff=0.35)
        self.play(FadeIn(kicker, shift=DOWN * 0.2), Write(name), run_time=1.5)
        self.play(FadeIn(rule), *(FadeIn(sub, shift=UP * 0.2) for sub in subs))

    @beat("Here is the plan: ^first, gradient vectors, which point towards steepest ascent. Then gradient descent, "
          "which steps against them. Then PyTorch's autograd: how it builds the graph as the code runs, "
          "and how .backward() applies the chain rule.")
    def show_outline(self) -> None:
        roles = (self.theme.gradient, self.theme.learnable, self.theme.forward, self.theme.gradient)
        rows = VGroup()
        for i, ((head, detail), color) in enumerate(zip(OUTLINE, roles), start=1):
            number = self.text(f"{i}", size=self.theme.body_size, color=color)
            text = VGroup(self.text(head, size=self.theme.body_size),
                          self.text(detail, size=self.theme.label_size, color=self.theme.muted)).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
            rows.add(VGroup(number, text).arrange(RIGHT, buff=0.4, aligned_edge=UP))
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.45).move_to(DOWN * 0.4)
        for row in rows[1:]:  # one column for the text, whatever the width of each number
            row[1].align_to(rows[0][1], LEFT)
        heading = self.heading("Outline")
        self.play(FadeOut(self.card, shift=UP * 0.5), FadeIn(heading))
        self.wait_until("first")
        self.play(LaggedStart(*(FadeIn(r, shift=RIGHT * 0.3) for r in rows), lag_ratio=0.35), run_time=2.5)
