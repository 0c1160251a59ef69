"""The lecture's numbers, computed with torch: formulas, gradient fields, descent, autograd graphs.

Never imports manim: scenes, the CLI and notebooks all build on this one layer. The names below load
their module (and torch) when first used, so `import engine` alone is cheap: the CLI answers
`--help` and finds up-to-date clips without loading torch.
"""
from importlib import import_module
from typing import Any

_HOME = {
    "neuron": "neuron",
    "MAX_STEPS": "limits", "OPTIMIZERS": "descent", "Trajectory": "descent", "descend": "descent",
    "ExpressionError": "expression", "ScalarField": "expression", "parse_function": "expression",
    "Field": "field", "evaluate_at": "field", "gradient_at": "field", "gradient_field": "field", "sample_surface": "field",
    "Edge": "graph", "Graph": "graph", "Node": "graph", "ShapeError": "graph", "trace": "graph",
    "NetworkSpec": "network_spec", "build_mlp": "network", "forward_backward": "network", "train": "network",
}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    module = import_module(f".{_HOME[name]}", __name__)
    return module if _HOME[name] == name else getattr(module, name)
