"""How the voice says what the captions write: numbers as words, code and symbols as a teacher says them.

The one pronunciation table of the project. Captions keep the written text ("dloss/dw = -14.0");
the voice is given `spoken(text)` ("d loss by d w equals minus fourteen"). Changing the table changes
`VERSION`, which is part of every cached speech's key, so old speech is not reused.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from scenes.kit.formatting import positional

# (pattern, what is said), applied in order, before numbers are read.
TABLE: tuple[tuple[str, str], ...] = (
    (r"\be\.g\.", "for example"),
    (r"\bi\.e\.", "that is"),
    (r"\brequires_grad\s*=\s*True\b", "requires grad equals true"),
    (r"\brequires_grad\s*=\s*False\b", "requires grad equals false"),
    (r"\brequires_grad\b", "requires grad"),
    (r"\bgrad_fn\b", "grad F N"),
    (r"\bnext_functions\b", "next functions"),
    (r"\.?\bzero_grad\(\)", " zero grad"),
    (r"\.zero_\(\)", " dot zero"),
    (r"\.backward\(\)", " backward"),
    (r"\.detach\(\)", " detach"),
    (r"\.numpy\(\)", " numpy"),
    (r"\.item\(\)", " item"),
    (r"\.grad\b", " dot grad"),
    (r"\ballclose\b", "all close"),
    (r"\.parameters\(\)", " dot parameters"),
    (r"\.step\(\)", " step"),
    (r"\bfc(\d+)\.(weight|bias)\b", r"F C \1 \2"),
    (r"\bfc(\d+)\b", r"F C \1"),
    (r"\b([Wb])(\d)\b", r"\1 \2"),
    (r"\bnn\.Linear\b", "N N linear"),
    (r"\btorch\.", "torch "),
    (r"\bd(\w+)\s*/\s*d(\w+)\b", r"d \1 by d \2"),
    (r"\b([A-Z][a-z]+)Backward(\d+)\b", r"\1 Backward \2"),
    (r"\b(sin|cos|tan|tanh|exp|log|sqrt|abs|relu|sigmoid)\s*\(", r"\1 of ("),
    (r"(?i)\btanh\b", "tanch"),
    (r"\bsin\b", "sine"),
    (r"\bcos\b", "cosine"),
    (r"\btan\b", "tangent"),
    (r"\bexp\b", "exp"),
    (r"\bsqrt\b", "square root"),
    (r"\babs\b", "absolute value"),
    (r"\brelu\b", "ray-loo"),
    (r"\bReLU\b", "ray-loo"),
    (r"\bsgd\b", "S G D"),
    (r"\bSGD\b", "S G D"),
    (r"\badam\b", "Adam"),
    (r"\bautograd\b", "auto-grad"),
    (r"\bAutoGrad\b", "auto-grad"),
    (r"\bPyTorch's\b", "Pie-torch's"),
    (r"\bPyTorch\b", "Pie-torch"),
    (r"\bdtype\b", "D type"),
    (r"\blr\b", "learning rate"),
    (r"(?<=\d),(?=\d{3}\b)", ""),
    (r"(?<=[\d)])-(?=[\w(])|(?<=\b[a-z])-(?=[a-z\d(]\b)", " minus "),
    (r"\*\*\s*2\b", " squared "),
    (r"\*\*\s*3\b", " cubed "),
    (r"\*\*", " to the power "),
    (r"(?<=\w)\s*@\s*(?=\w)", " matrix times "),
    (r"(?<=[\w)])\s*\*\s*(?=[\w(])", " times "),
    (r"(?<=[\w)])\s+/\s+(?=[\w(])", " over "),
    (r"\s\+\s", " plus "),
    (r"\s=\s", " equals "),
    (r"\s<=\s", " at most "),
    (r"\s>=\s", " at least "),
    (r"\s<\s", " less than "),
    (r"\s>\s", " greater than "),
    (r"η", "eta"),
    (r"∇", "the gradient of "),
    (r"≈", " about "),
    (r"×", " times "),
    (r"[−–](?=\s*\d)", "-"),
    (r"\s[−–-]\s", " minus "),
    (r"[_`]", " "),
)
_COMPILED = tuple((re.compile(pattern), said) for pattern, said in TABLE)
NUMBER = re.compile(r"(?<![\w.])(-?)(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w])")
VERSION = hashlib.sha256(repr((TABLE, "numbers-2")).encode()).hexdigest()[:12]

ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen").split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))


def integer_words(n: int) -> str:
    """0 <= n: 'forty-nine', 'three hundred and two', 'two million five thousand'."""
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else "-" + ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return ONES[n // 100] + " hundred" + ("" if rest == 0 else " and " + integer_words(rest))
    for size, name in SCALES:
        if n >= size:
            rest = n % size
            return integer_words(n // size) + f" {name}" + ("" if rest == 0 else (" and " if rest < 100 else " ") + integer_words(rest))
    raise AssertionError(n)


def year_words(n: int) -> str:
    """1847 -> 'eighteen forty-seven', 1900 -> 'nineteen hundred'."""
    high, low = divmod(n, 100)
    return integer_words(high) + (" hundred" if low == 0 else (" oh " + ONES[low] if low < 10 else " " + integer_words(low)))


def rounded_for_speech(text: str) -> str:
    """Digits a listener can hold: three significant digits, two below 0.01 ('0.41997' -> '0.42',
    '0.000831' -> '0.00083'); whole numbers keep theirs."""
    if "." not in text or "e" in text.lower():
        return text
    value = float(text)
    keep = 2 if 0 < abs(value) < 0.01 else 3
    whole, decimals = text.split(".")
    if len((whole.lstrip("0") + decimals).lstrip("0").rstrip("0")) <= keep:
        return text
    rounded = positional(value, keep)
    return rounded if "." in rounded or abs(value) >= 1 else text


def number_words(sign: str, digits: str) -> str:
    """'-14.0' -> 'minus fourteen', '0.5' -> 'zero point five', '1e-05' -> 'one times ten to the minus five'."""
    prefix = "minus " if sign else ""
    if "e" in digits.lower():
        mantissa, exponent = re.split("[eE]", digits)
        power = int(exponent)
        return (prefix + number_words("", mantissa) + " times ten to the " +
                ("minus " if power < 0 else "") + integer_words(abs(power)))
    written_whole = "." not in digits  # only a number written whole can be a year
    digits = rounded_for_speech(digits)
    if "." in digits:
        whole, decimals = digits.split(".")
        decimals = decimals.rstrip("0")
        head = integer_words(int(whole))
        if not decimals:
            return prefix + head
        return prefix + head + " point " + " ".join(ONES[int(d)] for d in decimals)
    n = int(digits)
    if written_whole and not sign and 1100 <= n <= 1999:
        return year_words(n)
    return prefix + integer_words(n)


SUPERSCRIPTS = re.compile("(?<![⁽⁰¹²³⁴⁵⁶⁷⁸⁹⁻])[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+(?!⁾)")  # not a step index: w⁽⁰⁾ stays "w zero"


def written_powers(text: str) -> str:
    """x² -> x**2, y⁻¹ -> y**-1, w·x -> w * x: maths as captions write it (scenes.kit.formatting.formula_text)
    back to the typed form the table says ("x squared"), before NFKC would turn x² into x2."""
    text = SUPERSCRIPTS.sub(lambda m: "**" + m.group(0).translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")), text)
    return text.replace("·", " * ")


def spoken(text: str) -> str:
    """The text as the voice should say it."""
    said = unicodedata.normalize("NFKC", written_powers(text))
    for pattern, replacement in _COMPILED:
        said = pattern.sub(replacement, said)
    said = NUMBER.sub(lambda m: number_words(m.group(1), m.group(2)), said)
    said = re.sub(r"[()\[\]{}]", " ", said)
    return re.sub(r"\s+([,.;:!?])", r"\1", re.sub(r"\s+", " ", said)).strip()
