"""How every number is written, on screen and in narration: one module, one style per purpose.

- `short`: a number as a lecturer writes it on a graph or in printed output: -14, 0.5, 2.959
  (up to four significant digits, no trailing zeros, no negative zero).
- `counter`: a number that changes in place (descent's counters, its captions and narration):
  about three significant digits at a steady width (12.5, 1.29, 0.000831), powers of ten below
  1e-4 and from 1e5 on, so the live counter and the sentence after it show the same digits.
- `scale_tex`: the end of a colour bar: three significant digits, thousands grouped, a value
  within a thousandth of the bar's span of zero written 0.
- `positional`: a number rounded to a few significant digits without an exponent, as the voice
  reads it (`lecture.voice.pronounce`).

Each style has a plain-text form (narration, alt text, printed output) and a LaTeX form (MathTex),
from the same digits. Pure Python: no manim, so the narration can use it without a renderer.
"""
from __future__ import annotations

import math
import re

COUNTER_DIGITS = 3  # significant digits of a counter...
COUNTER_MAX_PLACES = 6  # ...but never more decimal places than this
COUNTER_TINY, COUNTER_HUGE = 1e-4, 1e5  # outside [tiny, huge) a counter switches to powers of ten


def power_of_ten_tex(mantissa: str, exponent: int) -> str:
    r"""'1.2', 5 -> '1.2 \times 10^{5}': the one way a power of ten is typeset."""
    return rf"{mantissa} \times 10^{{{exponent}}}"


def e_to_tex(text: str) -> str:
    r"""'1.2e+05' -> '1.2 \times 10^{5}'; text without an exponent is unchanged."""
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return power_of_ten_tex(mantissa, int(exponent))


# --- short: graphs and printed output ------------------------------------------------------------
def short(value: float, digits: int = 4) -> str:
    """-14, 0, 49, -0.5, 2.959 (`:g` with `digits` significant digits, no negative zero)."""
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.{digits}g}"
    return "0" if float(text) == 0 else text


NON_FINITE_TEX = {"nan": r"\mathrm{NaN}", "inf": r"\infty", "-inf": r"-\infty"}


def short_tex(value: float, digits: int = 4) -> str:
    """`short` as LaTeX: 1.2e+05 becomes 1.2 \\times 10^{5}; NaN and infinities are drawn as such."""
    text = short(value, digits)
    return NON_FINITE_TEX.get(text) or e_to_tex(text)


# --- counter: numbers that change in place --------------------------------------------------------
def in_powers_of_ten(value: float) -> bool:
    """True where a counter writes mantissa x 10^k: very small or very large, never 0."""
    return value != 0 and (abs(value) < COUNTER_TINY or abs(value) >= COUNTER_HUGE)


def counter_places(value: float) -> int:
    """Decimal places that show about three significant digits (at most six): 12.5, 1.29, 0.000831."""
    if value == 0 or not math.isfinite(value):
        return 2
    return int(min(COUNTER_MAX_PLACES, max(0, COUNTER_DIGITS - 1 - math.floor(math.log10(abs(value))))))


def counter_parts(value: float) -> tuple[str, int]:
    """(mantissa, exponent) of a counter in powers of ten: two decimals, '1.23' and -5 for 0.0000123."""
    mantissa, exponent = f"{value:.2e}".split("e")
    return mantissa, int(exponent)


def counter_tex(value: float) -> str:
    """A value as the live counters show it, in LaTeX."""
    if in_powers_of_ten(value):
        return power_of_ten_tex(*counter_parts(value))
    return f"{value:.{counter_places(value)}f}"


def counter(value: float) -> str:
    """The same digits as `counter_tex`, in plain text for narration and alt text (1.23e-5)."""
    if in_powers_of_ten(value):
        mantissa, exponent = counter_parts(value)
        return f"{mantissa}e{exponent}"
    return counter_tex(value)


# --- scale_tex: the ends of a colour bar ------------------------------------------------------------
def scale_tex(value: float, span: float) -> str:
    """A colour-bar number in LaTeX: 3 significant digits, 1{,}234 for thousands, powers of ten as
    10^{k} outside [0.001, 1e6), and values within a thousandth of the span of zero shown as 0."""
    if abs(value) <= 1e-3 * abs(span):
        return "0"
    exponent = int(math.floor(math.log10(abs(value))))
    if -3 <= exponent < 3:
        return f"{value:.3g}"
    if 3 <= exponent < 6:
        return f"{round(value):,}".replace(",", "{,}")
    return power_of_ten_tex(f"{value / 10**exponent:.2g}", exponent)


# --- positional: rounded for the voice --------------------------------------------------------------
def positional(value: float, significant: int) -> str:
    """`value` rounded to `significant` digits, written without an exponent: 0.00083, 1.23, 1234
    (a whole number keeps its digits; '%g' alone would write 8.3e-04 and 1.23e+03)."""
    rounded = f"{value:.{significant}g}"
    if "e" not in rounded:
        return rounded
    places = significant - 1 - math.floor(math.log10(abs(value)))
    return f"{value:.{places}f}" if places > 0 else str(round(value))


# --- formula_text: a typed formula as maths in plain text ---------------------------------------------
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_POWER = re.compile(r"\*\*\s*(-?\d+)(?![\d.eE])")  # a whole-number power: x**2, (a + b)**-1
_NUMBER_TIMES = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*\*\s*(?=[A-Za-z(])")  # 3*y, 2*(x + 1)


def formula_text(expr: str) -> str:
    """A formula as typed ('sin(x**2 + y**2)', 'x**2 + 3*y**2') written as maths in plain text, for captions,
    narration and alt text: 'sin(x² + y²)', 'x² + 3y²'. Whole-number powers become superscripts, a number
    times what follows is written beside it, other products get a centred dot (w·x); any other power keeps
    its '**' (no caret: in a narration '^' is a bookmark). The voice reads it back as typed
    (`lecture.voice.pronounce`: 'x squared')."""
    text = _POWER.sub(lambda m: m.group(1).translate(SUPERSCRIPT), expr)
    text = _NUMBER_TIMES.sub(r"\1", text)
    return re.sub(r"(?<!\*)\*(?!\*)", "·", text)
