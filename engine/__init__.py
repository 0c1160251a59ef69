"""The lecture's numbers, computed with torch: formulas, gradient fields, descent, autograd graphs.

Never imports manim: scenes, the CLI and notebooks all build on this one layer.
"""
from . import neuron
from .descent import MAX_STEPS, OPTIMIZERS, Trajectory, descend
from .expression import ExpressionError, ScalarField, parse_function
from .field import Field, evaluate_at, gradient_at, gradient_field, sample_surface
from .graph import Edge, Graph, Node, trace

__all__ = [
    "Edge", "ExpressionError", "Field", "Graph", "MAX_STEPS", "Node", "OPTIMIZERS", "ScalarField",
    "Trajectory", "descend", "evaluate_at", "gradient_at", "gradient_field", "neuron", "parse_function", "sample_surface", "trace",
]
