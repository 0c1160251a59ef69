"""A counter that changes in place every frame and switches to powers of ten as `counter_tex` does."""
from __future__ import annotations

from typing import Callable

from manim import DOWN, RIGHT, UP, Integer, MathTex, VGroup

from scenes.kit.formatting import counter_parts, counter_places, in_powers_of_ten
from scenes.kit.numbers import QuickDecimal
from scenes.kit.theme import Theme

SUPERSCRIPT_RAISE = 0.1  # the power's top sits this far above the top of "10", as a superscript does
SUPERSCRIPT_SCALE = 0.7  # the power's size against the number's, as LaTeX sets it, but never under the theme's smallest
# size (at label size it was 19.6 pt: `lecture check` of learning-rates at --lr 1000 found "-38" under 22 pt)

class LiveValue(VGroup):
    """A number that changes in place (a QuickDecimal, digits rebuilt only when the value changes),
    switching to mantissa x 10^k for values `counter_tex` writes that way, so the live counter and the
    final caption always show the same digits.

    Example (rendered by tests/test_widget_examples.py)::

        from manim import Scene, ValueTracker
        from scenes.kit.theme import DARK
        from scenes.widgets.live_value import LiveValue

        class LiveValueExample(Scene):
            def construct(self):
                loss = ValueTracker(0.949)
                shown = LiveValue(loss.get_value, DARK.loss, 96)
                self.add(shown)
                self.play(loss.animate.set_value(0.000201), run_time=2)  # the digits follow the value
    """

    def __init__(self, value: Callable[[], float], color: str, size: float, fixed: int | None = None):
        super().__init__()
        self.value, self.fixed = value, fixed
        self.on_change: Callable[[], None] | None = None  # e.g. re-centre a caption that holds this number
        self.mantissa = QuickDecimal(0, group_with_commas=False, font_size=size, color=color)
        self.times = MathTex(r"\times 10", font_size=size, color=color)
        self.exponent = Integer(0, font_size=max(size * SUPERSCRIPT_SCALE, Theme.small_size), color=color)
        self.add(self.mantissa)
        self.shown: float | None = None
        self.refresh(self)
        self.add_updater(self.refresh)

    def refresh(self, _mob: VGroup) -> None:
        v = float(self.value())
        if v == self.shown:
            return
        self.shown = v
        sci = self.fixed is None and in_powers_of_ten(v)
        if sci:
            mantissa, exponent = counter_parts(v)
            self.mantissa.num_decimal_places = 2
            self.mantissa.set_value(float(mantissa))
            self.exponent.set_value(exponent)
        else:
            self.mantissa.num_decimal_places = self.fixed if self.fixed is not None else counter_places(v)
            self.mantissa.set_value(v)
        self.times.next_to(self.mantissa, RIGHT, buff=0.1).align_to(self.mantissa, DOWN)
        self.exponent.next_to(self.times, RIGHT, buff=0.04).align_to(self.times, UP).shift(UP * SUPERSCRIPT_RAISE)
        if sci:  # the power of ten joins the group only while shown, so it never widens a layout
            self.add(self.times, self.exponent)
        else:
            self.remove(self.times, self.exponent)
        if self.on_change:
            self.on_change()
