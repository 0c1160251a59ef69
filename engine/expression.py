"""Safe parsing of user-written formulas such as ``"sin(x**2 + y**2)"``.

Formulas arrive as user text (lecture scripts, config files, command lines), so
they are treated as hostile.  The text is never given to ``eval``/``exec`` or
compiled to bytecode: it is parsed with :func:`ast.parse`, every node is checked
against a small whitelist, constant subexpressions are folded with :mod:`math`
(so absurd constants like ``9**9**9**9`` fail at once instead of hanging), and
the checked tree becomes a tree of small closures applying torch operations.
The same checked tree is printed as LaTeX for the video.
"""
from __future__ import annotations

import ast
import keyword
import math
import operator
import re
import warnings
from typing import TYPE_CHECKING, Callable, NoReturn, Sequence, Union

from engine.typeset import latex_glyphs

if TYPE_CHECKING:
    import torch  # for the annotations only: `_torch` imports it when a formula is first evaluated

__all__ = ["CONSTANTS", "ExpressionError", "FUNCTIONS", "MAX_DEPTH",
           "MAX_EXPRESSION_LENGTH", "ScalarField", "parse_function"]

MAX_EXPRESSION_LENGTH = 1000
MAX_DEPTH = 100          # bracket nesting and syntax-tree depth
_MAX_INT_BITS = 1000     # integer literals above ~301 digits are refused
_MAX_POW_DIGITS = 300    # a constant power may have at most ~300 digits
_SMALL_INT = 2 ** 53     # folded ints beyond this become floats


def _torch():
    """torch, imported when a formula is first evaluated, not when it is parsed: the CLI checks every formula
    before a render, and a title card's render needs no torch at all (its import is 2-3 s of CPU)."""
    import torch  # heavy (2-3 s): imported when a formula is first evaluated, see above

    return torch


def _torch_function(name: str) -> Callable[["torch.Tensor"], "torch.Tensor"]:
    """torch's function `name`, looked up when it is applied."""
    def apply(tensor: "torch.Tensor") -> "torch.Tensor":
        return getattr(_torch(), name)(tensor)

    apply.__name__ = name
    return apply


FUNCTIONS: dict[str, Callable[["torch.Tensor"], "torch.Tensor"]] = {
    name: _torch_function(name) for name in ("sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu")
}
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}


class ExpressionError(ValueError):
    """Bad user formula. `position` is the 0-based column of the offending character in the text, or None."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.position = position


def _sigmoid(v: float) -> float:
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    z = math.exp(v)
    return z / (1.0 + z)


_MATH = {"sin": math.sin, "cos": math.cos, "tan": math.tan, "exp": math.exp,
         "log": math.log, "sqrt": math.sqrt, "abs": abs, "tanh": math.tanh,
         "sigmoid": _sigmoid, "relu": lambda v: v if v > 0 else type(v)(0)}


def _power(a: float, b: float) -> float:
    """a**b for constants, refused (OverflowError) before computing if the result would exceed ~1e300."""
    if a != 0 and b * math.log10(abs(a)) > _MAX_POW_DIGITS:
        raise OverflowError
    if isinstance(a, int) and isinstance(b, int) and b >= 0:
        return a ** b
    return math.pow(a, b)    # ValueError instead of a complex result for (-8)**(1/3)


_BIN_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
            ast.Div: operator.truediv, ast.Pow: operator.pow}
_UNARY_OPS = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_BAD_OPS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
            ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&",
            ast.Invert: "~", ast.Not: "not"}
_DESCRIPTIONS = {
    ast.Subscript: "indexing with [...]", ast.Slice: "a slice", ast.Lambda: "lambda",
    ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension", ast.GeneratorExp: "a generator expression",
    ast.NamedExpr: "assignment with ':='", ast.Compare: "a comparison",
    ast.BoolOp: "'and'/'or'", ast.IfExp: "a conditional 'a if c else b'",
    ast.JoinedStr: "an f-string", ast.FormattedValue: "an f-string",
    ast.List: "a list", ast.Tuple: "a tuple", ast.Set: "a set", ast.Dict: "a dict",
    ast.Starred: "'*' unpacking", ast.Await: "await", ast.Yield: "yield",
    ast.YieldFrom: "yield",
}
_ASCII_WS = " \t\n\r\f\v"
_FLATTEN = str.maketrans("\t\n\r\f\v", "     ")   # column-preserving: one line for ast
_BAD_CHAR = re.compile(r"[^\x20-\x7e\t\n\r\f\v]|#")   # '#' would start a comment

_Compiled = Union[int, float, Callable[[tuple], "torch.Tensor"]]  # number = folded constant


class _Builder:
    """Checks the AST against the whitelist and turns it into folded constants and closures."""

    def __init__(self, text: str, variables: tuple[str, ...], lead: int):
        self.text, self.variables, self.lead = text, variables, lead
        self.index = {name: i for i, name in enumerate(variables)}

    def error(self, message: str, col: int, hint: str = "") -> NoReturn:
        pos = self.lead + col
        raise ExpressionError(f"{message} at column {pos}{hint}", pos)

    def build(self, node: ast.AST) -> _Compiled:
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.UnaryOp):
            op = _UNARY_OPS.get(type(node.op))
            if op is None:
                self.error(f"operator '{_BAD_OPS.get(type(node.op), '?')}' is not allowed", node.col_offset)
            inner = self.build(node.operand)
            if callable(inner):
                return lambda env: op(inner(env))
            return self.fold(node, lambda: op(inner))
        if isinstance(node, ast.BinOp):
            op = _BIN_OPS.get(type(node.op))
            if op is None:
                symbol = _BAD_OPS.get(type(node.op), "?")
                hint = "; use ** for powers" if symbol == "^" else ""
                self.error(f"operator '{symbol}' is not allowed", self.operator_column(node), hint)
            left, right = self.build(node.left), self.build(node.right)
            if callable(left) and callable(right):
                return lambda env: op(left(env), right(env))
            if callable(left):
                return lambda env: op(left(env), right)
            if callable(right):
                return lambda env: op(left, right(env))
            folder = _power if isinstance(node.op, ast.Pow) else op
            return self.fold(node, lambda: folder(left, right))
        what = _DESCRIPTIONS.get(type(node), f"'{type(node).__name__}'")
        self.error(f"{what} is not allowed", getattr(node, "col_offset", 0))

    def fold(self, node: ast.expr, compute: Callable[[], float]) -> int | float:
        """Compute a constant now; refuse division by zero, domain errors and non-finite results."""
        source = self.text[node.col_offset:node.end_col_offset]
        shown = source if len(source) <= 40 else source[:37] + "..."
        try:
            value = compute()
            if isinstance(value, int) and abs(value) > _SMALL_INT:
                value = float(value)
        except ZeroDivisionError:
            self.error(f"division by zero in the constant '{shown}'", node.col_offset)
        except OverflowError:
            self.error(f"the constant '{shown}' overflows", node.col_offset)
        except (ValueError, RuntimeError):
            self.error(f"the constant '{shown}' is undefined (math domain error)", node.col_offset)
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            self.error(f"the constant '{shown}' overflows", node.col_offset)
        return value

    def number(self, node: ast.Constant) -> int | float:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            what = {str: "a string", bytes: "bytes", complex: "a complex number"}.get(type(value), repr(value))
            self.error(f"{what} is not allowed", node.col_offset)
        if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
            self.error("integer literal is too long (more than 300 digits)", node.col_offset)
        return self.fold(node, lambda: value)

    def name(self, node: ast.Name) -> _Compiled:
        if node.id in self.index:
            return operator.itemgetter(self.index[node.id])
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            self.error(f"function '{node.id}' must be called like {node.id}(x)", node.col_offset)
        known = [*self.variables, *(c for c in CONSTANTS if c not in self.index)]
        self.error(f"unknown name '{node.id}'", node.col_offset,
                   f"; use {', '.join(known)} or one of {', '.join(FUNCTIONS)}")

    def call(self, node: ast.Call) -> _Compiled:
        func = node.func
        if isinstance(func, ast.Attribute):
            return self.attribute(func)
        if not isinstance(func, ast.Name):
            self.error(f"only calls of {', '.join(FUNCTIONS)} are allowed", func.col_offset)
        if func.id not in FUNCTIONS:
            if func.id in self.index or func.id in CONSTANTS:
                self.error(f"'{func.id}' is not a function", func.col_offset)
            self.error(f"unknown function '{func.id}'", func.col_offset, f"; use one of {', '.join(FUNCTIONS)}")
        if node.keywords:
            self.error(f"keyword arguments are not allowed in {func.id}(...)", node.keywords[0].col_offset)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.error("'*' unpacking is not allowed", arg.col_offset)
        if len(node.args) != 1:
            self.error(f"{func.id}() takes exactly one argument ({len(node.args)} given)", node.col_offset)
        fn, inner = FUNCTIONS[func.id], self.build(node.args[0])
        if callable(inner):
            return lambda env: fn(inner(env))
        math_fn = _MATH.get(func.id) or (lambda v: fn(_torch().tensor(float(v), dtype=_torch().float64)).item())
        return self.fold(node, lambda: math_fn(inner))

    def attribute(self, node: ast.Attribute) -> NoReturn:
        dot = self.text.find(".", node.value.end_col_offset)
        self.error(f"attribute access '.{node.attr}' is not allowed", dot if dot >= 0 else node.col_offset)

    def operator_column(self, node: ast.BinOp) -> int:
        col = node.left.end_col_offset
        while col < node.right.col_offset and self.text[col] in " )":
            col += 1
        return col


_GREEK = set("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho "
             "sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon "
             "Phi Psi Omega".split())
_FUNCTION_LATEX = {"sqrt": ("\\sqrt{", "}"), "abs": ("\\left|", "\\right|"),
                   "sigmoid": ("\\sigma\\left(", "\\right)"),
                   "relu": ("\\operatorname{ReLU}\\left(", "\\right)")}
_ADD, _MUL, _UNARY, _POW, _ATOM = 1, 2, 3, 4, 5   # LaTeX precedence levels


def _latex_word(word: str) -> str:
    if word in _GREEK:
        return "\\" + word
    if len(word) == 1 or word.isdigit():
        return word
    return "\\mathrm{" + word.replace("_", "\\_") + "}"


def _latex_name(name: str) -> str:
    """`x` -> x, `eta` -> \\eta, `x1`/`x_1` -> x_{1}, `w_out` -> w_{\\mathrm{out}}, `lr` -> \\mathrm{lr}."""
    match = re.fullmatch(r"([A-Za-z]+)(\d+)", name) or re.fullmatch(r"([A-Za-z]+)_([A-Za-z0-9]+)", name)
    if match:
        return f"{_latex_word(match[1])}_{{{_latex_word(match[2])}}}"
    return _latex_word(name)


def _latex_number(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        value = int(value)
    text = repr(value)
    if isinstance(value, float) and "e" in text:
        mantissa, exponent = text.split("e")
        power = f"10^{{{int(exponent)}}}"
        return power if mantissa == "1" else f"{mantissa} \\times {power}"
    return text


def _latex(node: ast.expr) -> tuple[str, int]:
    """LaTeX for a checked AST node, with its precedence level."""
    if isinstance(node, ast.Constant):
        text = _latex_number(node.value)
        return text, _MUL if "\\times" in text else _POW if "^" in text else _ATOM
    if isinstance(node, ast.Name):
        return _latex_name(node.id), _ATOM
    if isinstance(node, ast.Call):
        name = node.func.id
        start, end = _FUNCTION_LATEX.get(name, (f"\\{name}\\left(", "\\right)"))
        if name not in _MATH:    # a function added to FUNCTIONS by the caller
            start = f"\\operatorname{{{name}}}\\left("
        return start + _latex(node.args[0])[0] + end, _ATOM
    if isinstance(node, ast.UnaryOp):
        sign = "-" if isinstance(node.op, ast.USub) else "+"
        return sign + _wrap(node.operand, lambda p: p in (_ADD, _UNARY)), _UNARY
    op, left, right = node.op, node.left, node.right
    if isinstance(op, (ast.Add, ast.Sub)):
        symbol = " + " if isinstance(op, ast.Add) else " - "
        limit = (_ADD, _UNARY) if isinstance(op, ast.Sub) else (_UNARY,)
        return _latex(left)[0] + symbol + _wrap(right, lambda p: p in limit), _ADD
    if isinstance(op, ast.Mult):
        left_text = _wrap(left, lambda p: p == _ADD)
        right_text = _wrap(right, lambda p: p in (_ADD, _UNARY))
        juxtapose = (isinstance(left, ast.Constant) and _latex(left)[1] == _ATOM and (
            isinstance(right, (ast.Name, ast.Call)) or (isinstance(right, ast.BinOp)
            and isinstance(right.op, ast.Pow) and not isinstance(right.left, ast.Constant))))
        return left_text + ("" if juxtapose else " \\cdot ") + right_text, _MUL
    if isinstance(op, ast.Div):
        return f"\\frac{{{_latex(left)[0]}}}{{{_latex(right)[0]}}}", _MUL
    return f"{_wrap(left, lambda p: p < _ATOM)}^{{{_latex(right)[0]}}}", _POW


def _wrap(node: ast.expr, needs_parens: Callable[[int], bool]) -> str:
    text, precedence = _latex(node)
    return f"\\left({text}\\right)" if needs_parens(precedence) else text


class ScalarField:
    """A parsed formula: callable on torch tensors, carrying its text and LaTeX."""

    def __init__(self, expr: str, latex: str, variables: tuple[str, ...], compiled: _Compiled):
        self.expr, self.latex, self.variables = expr, latex, variables
        self._compiled = compiled

    @property
    def shown_width(self) -> float:
        """How wide the formula is typeset, in characters (`latex_glyphs`): the scenes show it beside a map."""
        return latex_glyphs(self.latex)

    def __call__(self, *args, **kwargs) -> torch.Tensor:
        """Evaluate with tensors given positionally in `variables` order, or by keyword name."""
        names = ", ".join(self.variables)
        if args and kwargs:
            raise TypeError(f"formula {self.expr!r}: pass the variables ({names}) either all "
                            "positionally or all by keyword, not mixed")
        if kwargs:
            unknown = [k for k in kwargs if k not in self.variables]
            if unknown:
                raise TypeError(f"formula {self.expr!r}: unknown variable {unknown[0]!r}; variables are ({names})")
            missing = [v for v in self.variables if v not in kwargs]
            if missing:
                raise TypeError(f"formula {self.expr!r}: missing value for variable {missing[0]!r}")
            args = tuple(kwargs[v] for v in self.variables)
        elif len(args) != len(self.variables):
            raise TypeError(f"formula {self.expr!r} takes {len(self.variables)} argument(s) "
                            f"({names}), got {len(args)}")
        torch = _torch()
        env = tuple(a if isinstance(a, torch.Tensor) else torch.as_tensor(a) for a in args)
        if callable(self._compiled):
            return self._compiled(env)
        value = self._compiled
        if not env:
            return torch.tensor(float(value), dtype=torch.get_default_dtype())
        return torch.full_like(env[0], value, dtype=torch.result_type(env[0], value))

    def __repr__(self) -> str:
        return f"ScalarField({self.expr!r}, variables={self.variables!r})"


def _check_variables(variables: Sequence[str]) -> tuple[str, ...]:
    if isinstance(variables, (str, bytes)):
        raise TypeError(f"variables must be a sequence of names such as ('x', 'y'), not {variables!r}")
    names = tuple(variables)
    for name in names:
        if (not isinstance(name, str) or not name.isascii() or not name.isidentifier()
                or keyword.iskeyword(name) or name in FUNCTIONS):
            raise ValueError(f"invalid variable name {name!r}: use an ASCII identifier that is "
                             f"not a keyword or one of {', '.join(FUNCTIONS)}")
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate variable names in {names!r}")
    return names


def _validated_text(expr: object) -> tuple[str, int]:
    """Return the stripped text and the column where it starts in `expr`."""
    if not isinstance(expr, str):
        raise ExpressionError(f"formula must be a string, not {type(expr).__name__}")
    text = expr.strip(_ASCII_WS)
    lead = len(expr) - len(expr.lstrip(_ASCII_WS))
    if not text:
        raise ExpressionError("empty formula")
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"formula is too long ({len(text)} characters; the limit is {MAX_EXPRESSION_LENGTH})")
    bad = _BAD_CHAR.search(text)
    if bad:
        char, pos = bad.group(), lead + bad.start()
        if char == "\0" or char == "#":
            what = "NUL byte" if char == "\0" else "comment character '#'"
            raise ExpressionError(f"{what} at column {pos} is not allowed", pos)
        kind = "control" if ord(char) < 128 else "non-ASCII"
        raise ExpressionError(f"{kind} character {char!r} (U+{ord(char):04X}) at column {pos} "
                              "is not allowed; formulas are plain ASCII", pos)
    depth = 0
    for col, char in enumerate(text):
        depth += (char in "([{") - (char in ")]}")
        if depth > MAX_DEPTH:
            raise ExpressionError(f"formula nested too deeply at column {lead + col}", lead + col)
    return text, lead


def _parse(text: str, lead: int) -> ast.Expression:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # e.g. invalid escapes in (refused) strings
            tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        col = exc.offset - 1 if exc.offset else len(text)    # no offset: trouble at the end
        pos = lead + max(0, min(col, len(text)))
        raise ExpressionError(f"syntax error at column {pos}: {exc.msg}", pos) from None
    except (RecursionError, MemoryError):
        raise ExpressionError("formula is too complex to parse") from None
    except (ValueError, OverflowError) as exc:
        raise ExpressionError(f"cannot parse formula: {exc}") from None
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            pos = lead + getattr(node, "col_offset", 0)
            raise ExpressionError(f"formula nested too deeply at column {pos}", pos)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return tree


def parse_function(expr: str, variables: Sequence[str] = ("x", "y")) -> ScalarField:
    """Parse a user formula over `variables` into a ScalarField; raise ExpressionError if it is bad."""
    names = _check_variables(variables)
    text, lead = _validated_text(expr)
    flat = text.translate(_FLATTEN)
    tree = _parse(flat, lead)
    compiled = _Builder(flat, names, lead).build(tree.body)
    return ScalarField(text, _latex(tree.body)[0], names, compiled)
