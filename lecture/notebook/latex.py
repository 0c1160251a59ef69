"""LaTeX from a notebook's markdown: inline formulas as words the captions show and the pronunciation
table (lecture/voice/pronounce.py) says well; display formulas split into rows and terms.

The text form is the project's way of writing maths in narration: `dz/dx` (said "d z by d x"),
`x_0` ("x zero"), `x**2` ("x squared"), `η`, `∇f` ("the gradient of f"). No caret is produced: in a
narration `^word` is a bookmark.
"""
from __future__ import annotations

import re

from engine.typeset import latex_group

SYMBOLS = {
    "eta": "η", "nabla": "∇", "times": "×", "cdot": "×", "approx": "≈", "rightarrow": " to ", "to": " to ",
    "mapsto": " to ", "leq": " <= ", "le": " <= ", "geq": " >= ", "ge": " >= ", "neq": " is not ", "in": " in ",
    "equiv": " = ", "circ": " composed with ", "infty": "infinity", "partial": "d", "sum": "sum of ",
    "prod": "product of ", "dots": "...", "ldots": "...", "cdots": "...", "top": "T", "prime": "'",
    "sin": "sin", "cos": "cos", "tan": "tan", "tanh": "tanh", "log": "log", "exp": "exp", "ln": "ln",
    "max": "max", "min": "min", "lim": "lim", "mid": " | ", "cup": " union ", "cap": " intersect ",
}
SPACES = ("left", "right", "big", "Big", "bigg", "Bigg", "quad", "qquad", "displaystyle", "limits", "nolimits")
WRAPPERS = ("mathbf", "mathrm", "mathit", "mathbb", "mathcal", "boldsymbol", "bm", "text", "textbf", "textit",
            "operatorname", "mathsf", "hat", "bar", "tilde", "vec", "overline")
ENVIRONMENTS = ("equation", "equation*", "align", "align*", "aligned", "gather", "gather*", "eqnarray", "eqnarray*",
                "multline", "multline*", "split")


def words(latex: str) -> str:
    """Inline LaTeX as text for narration: '\\frac{\\partial z}{\\partial x}' -> 'dz/dx'."""
    out, i = [], 0
    while i < len(latex):
        ch = latex[i]
        if ch == "\\":
            match = re.match(r"\\([A-Za-z]+|.)", latex[i:])
            said, i = command(match.group(1), latex, i + match.end())
        elif ch in "^_":
            inner, i = latex_group(latex, i + 1)
            said = script(ch, words(inner).strip())
        else:
            said, i = (" " if ch == "~" else "" if ch in "{}" else ch), i + 1
        out.append(said)
    text = re.sub(r"(?<=[\w)])(?=[∇η])|(?<=[∇])\s+", lambda m: " " if m.group(0) == "" else "", "".join(out))
    return re.sub(r"\s+", " ", text).strip()


def command(name: str, latex: str, i: int) -> tuple[str, int]:
    """`\\NAME` (and its arguments from `i`) said; returns the text and where reading goes on."""
    if name in ("frac", "dfrac", "tfrac"):
        top, i = latex_group(latex, i)
        bottom, i = latex_group(latex, i)
        a, b = words(top).replace(" ", ""), words(bottom).replace(" ", "")
        simple = re.fullmatch(r"[\w.'()]+", a + b) and not re.search(r"[+\-]", a + b)
        return (f"{a}/{b}" if simple else f"({words(top)})/({words(bottom)})"), i
    if name == "sqrt":
        inner, i = latex_group(latex, i)
        return f"sqrt({words(inner)})", i
    if name in WRAPPERS:
        inner, i = latex_group(latex, i)
        return words(inner), i
    if name in ("begin", "end"):
        return " ", latex_group(latex, i)[1]
    if name in SYMBOLS:
        return SYMBOLS[name], i
    if name in SPACES or name in (",", ";", ":", "!", " ", "\\"):
        return " ", i
    return name, i  # a Greek letter (alpha), an escaped character, or any other command: said by its name


def script(mark: str, said: str) -> str:
    """A subscript (`_`) or superscript (`^`) already said as SAID, as the narration writes it."""
    if mark == "_":
        return f"_{said}" if re.fullmatch(r"\w+", said) else f" at {said}"
    if said == "T":
        return " transposed"
    if (said.startswith("(") and said.endswith(")")) or said in ("'", "''"):
        return said  # w^{(t)}: the step, written beside; a prime
    return f"**{said}" if re.fullmatch(r"\w+", said) else f"**({said})"


def problem(latex: str) -> str | None:
    """Why LaTeX would refuse this formula, as far as can be told without running it (unbalanced
    braces or environments, text-mode only commands), or None."""
    depth = 0
    for ch in re.sub(r"\\[{}]", "", latex):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return "a '}' closes no '{'"
    if depth:
        return f"{depth} '{{' never closed"
    opened = []
    for kind, env in re.findall(r"\\(begin|end)\{([^}]*)\}", latex):
        if kind == "begin":
            opened.append(env)
        elif not opened or opened.pop() != env:
            return f"\\end{{{env}}} closes no \\begin{{{env}}}"
    if opened:
        return f"\\begin{{{opened[-1]}}} never ended"
    if "$" in latex.replace(r"\$", ""):
        return "a '$' inside a display formula"
    return None


def strip_environment(latex: str) -> tuple[str, bool]:
    """The body of an equation/align environment, and whether it is an align (rows to split)."""
    match = re.fullmatch(r"\s*\\begin\{([a-z]+\*?)\}(.*)\\end\{\1\}\s*", latex, re.S)
    if match and match.group(1) in ENVIRONMENTS:
        body, env = match.group(2), match.group(1)
        inner = re.fullmatch(r"\s*\\begin\{(aligned|split)\}(.*)\\end\{\1\}\s*", body, re.S)
        return (inner.group(2) if inner else body).strip(), env.rstrip("*") in ("align", "eqnarray", "gather", "multline") or bool(inner)
    return latex.strip(), False


def rows(latex: str) -> list[str]:
    """A display formula as the rows it is written in: an align's rows (at its own `\\\\`, not a matrix's),
    alignment marks removed; an equation is one row."""
    body, split = strip_environment(latex)
    if not split:
        return [body.replace("&", "")] if body else []
    pieces, depth, start, i = [], 0, 0, 0
    while i < len(body):
        if body.startswith("\\begin", i):
            depth += 1
        elif body.startswith("\\end", i):
            depth -= 1
        elif body.startswith("\\\\", i) and depth == 0:
            pieces.append(body[start:i])
            start = i + 2
            i += 2
            continue
        i += 1
    pieces.append(body[start:])
    return [re.sub(r"(?<!\\)&", "", p).strip() for p in pieces if p.strip()]


def terms(row: str) -> list[str]:
    """A row cut at its top-level relations (=, <, >, \\approx...), the relation a term of its own, so
    that two rows transform term by term: an unchanged side stays, a new one grows."""
    parts, depth, start, i = [], 0, 0, 0
    relation = re.compile(r"=|<|>|\\approx\b|\\leq?\b|\\geq?\b|\\equiv\b")
    while i < len(row):
        ch = row[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif row.startswith("\\left", i) or row.startswith("\\begin", i):
            depth += 1
        elif row.startswith("\\right", i) or row.startswith("\\end", i):
            depth -= 1
        if depth == 0 and (m := relation.match(row, i)) and not (ch == "\\" and row.startswith(("\\left", "\\right"), i)):
            parts.extend([row[start:i], m.group(0)])
            start = i = m.end()
            continue
        i += 1
    parts.append(row[start:])
    return [p.strip() for p in parts if p.strip()]
