"""What the engine can animate, found in a notebook's code by reading it (never running it):
a function of x and y (the gradient-field scene) and a scalar computation on `requires_grad`
tensors (the forward-graph and backprop scenes). Every candidate is checked by the engine's safe
parser, which is the same check the scenes' options get."""
from __future__ import annotations

import ast
import copy
from dataclasses import dataclass

MODULES = {"np", "numpy", "torch", "math", "F", "jnp"}


@dataclass(frozen=True)
class Found:
    """An engine scene the code defines: which scene, its options, and the sentence that says why."""
    scenes: tuple[str, ...]
    options: dict
    why: str


class _Inline(ast.NodeTransformer):
    """`np.sin(u)` -> `sin(u)`; names bound by earlier assignments replaced by their expressions."""

    def __init__(self, bound: dict[str, ast.expr], rename: dict[str, str] | None = None) -> None:
        self.bound, self.rename = bound, rename or {}

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if isinstance(node.value, ast.Name) and node.value.id in MODULES:
            return ast.copy_location(ast.Name(node.attr, ast.Load()), node)
        return self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.bound:
            return copy.deepcopy(self.bound[node.id])
        return ast.copy_location(ast.Name(self.rename.get(node.id, node.id), ast.Load()), node)


def _accepted(expr: str, variables: tuple[str, ...]) -> str | None:
    """None when the engine's parser takes `expr` over `variables`, else its reason."""
    from engine import ExpressionError, parse_function  # torch: only for a notebook with a formula

    try:
        parse_function(expr, variables)
    except ExpressionError as err:
        return str(err)
    return None


def field_function(fn: ast.FunctionDef) -> tuple[str | None, str]:
    """(formula, why) for a function of two variables made of simple assignments and a return; formula
    is None when the engine cannot express it, and `why` says why not."""
    args = [a.arg for a in fn.args.args]
    if len(args) != 2 or fn.args.vararg or fn.args.kwarg:
        return None, "it does not take exactly two inputs"
    bound: dict[str, ast.expr] = {}
    inline = _Inline(bound, dict(zip(args, ("x", "y"))))
    body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    for statement in body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
            bound[statement.targets[0].id] = inline.visit(copy.deepcopy(statement.value))
        elif isinstance(statement, ast.Return) and statement.value is not None:
            if isinstance(statement.value, ast.Tuple):
                return None, "it returns several values (a vector, not one number)"
            expr = ast.unparse(inline.visit(copy.deepcopy(statement.value)))
            problem = _accepted(expr, ("x", "y"))
            expr = expr.replace(" ** ", "**")  # as the lecture writes formulas: sin(x**2 + y**2)
            return (None, f"the engine cannot express {expr}: {problem}") if problem else (expr, "")
        else:
            return None, f"line {statement.lineno} of it is not a simple assignment"
    return None, "it returns nothing"


def tensor_leaf(call: ast.expr) -> tuple[float, bool] | None:
    """(value, requires_grad) of `torch.tensor(2.0, requires_grad=True)` or `torch.tensor([2.0])`."""
    if not (isinstance(call, ast.Call) and ast.unparse(call.func) in ("torch.tensor", "tensor") and call.args):
        return None
    value = call.args[0]
    if isinstance(value, (ast.List, ast.Tuple)) and len(value.elts) == 1:
        value = value.elts[0]
    try:
        number = float(ast.literal_eval(value))
    except (ValueError, TypeError, SyntaxError):
        return None
    grad = any(k.arg == "requires_grad" and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords)
    return number, grad


def graph_computation(tree: ast.Module) -> tuple[str, dict[str, float], tuple[str, ...]] | None:
    """(formula, values, learnable) of the last scalar computation at a cell's top level built from
    tensors made in the cell, at least one of them `requires_grad`; None when there is none."""
    values: dict[str, float] = {}
    learnable: list[str] = []
    bound: dict[str, ast.expr] = {}
    found = None
    for statement in tree.body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name)):
            continue
        name = statement.targets[0].id
        leaf = tensor_leaf(statement.value)
        if leaf:
            values[name] = leaf[0]
            if leaf[1]:
                learnable.append(name)
            continue
        if not learnable:
            continue
        expr = ast.unparse(_Inline(dict(bound)).visit(copy.deepcopy(statement.value)))
        if _accepted(expr, tuple(values)) is None:
            bound[name] = ast.parse(expr, mode="eval").body
            used = {n.id for n in ast.walk(bound[name]) if isinstance(n, ast.Name)}
            if used & set(learnable):
                found = (expr, {k: v for k, v in values.items() if k in used}, tuple(n for n in learnable if n in used))
    return found


def engine_scenes(code: str) -> tuple[list[Found], list[str]]:
    """The engine scenes a cell's code defines, and sentences on candidates that could not be used."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return [], []
    found, skipped = [], []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and [a.arg for a in node.args.args] == ["x", "y"]:
            formula, why = field_function(node)
            if formula:
                found.append(Found(("gradient-field",), {"function": formula},
                                   f"{node.name}(x, y) returns {formula}: the gradient-field scene draws it"))
            else:
                skipped.append(f"{node.name} takes two inputs but is not drawn as a field: {why}")
    graph = graph_computation(tree)
    too_large = graph and graph_too_large(*graph)
    if too_large:
        skipped.append(f"{graph[0]} on requires_grad tensors is not drawn as a graph: {too_large}")
    elif graph:
        expr, values, learnable = graph
        found.append(Found(("forward-graph", "backprop"), {"expr": expr, "values": values, "learnable": list(learnable)},
                           f"{expr} on requires_grad tensors ({', '.join(f'{k}={v:g}' for k, v in values.items())}): "
                           "the forward-graph and backprop scenes trace it"))
    elif "requires_grad" in code:
        skipped.append("requires_grad tensors are used, but not in one scalar formula at the cell's top level "
                       "(inside a class or function, or with operations the engine does not trace)")
    return found, skipped


def graph_too_large(expr: str, values: dict[str, float], learnable: tuple[str, ...]) -> str | None:
    """Why the graph scenes would refuse this computation as `--expr` (engine/limits.py), or None."""
    from engine import trace  # torch: only for a notebook that has such a computation
    from engine.limits import graph_problem

    try:
        return graph_problem(trace(expr, requires_grad=learnable or None, **values))
    except ValueError as err:
        return str(err)
