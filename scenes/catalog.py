"""Every scene of the lecture, by id, without importing manim: `lecture list` and the renderer read this."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SceneInfo:
    id: str
    module: str  # under scenes/
    cls: str
    title: str
    uses: tuple[str, ...]  # which options change it: function, descent, graph
    cost: float = 20.0  # seconds to render at 480p15 here, roughly: the renderer starts the longest first


SCENES: tuple[SceneInfo, ...] = (
    SceneInfo("title", "intro", "TitleScene", "Feedforward Neural Networks and Backpropagation, Part 1", (), 3),
    SceneInfo("gradient-field", "gradients", "GradientFieldScene", "Gradient vectors point towards steepest ascent", ("function",), 17),
    SceneInfo("chain-rule", "gradients", "ChainRuleScene", "The chain rule gives the gradient", ("function",), 11),
    SceneInfo("gradient-descent", "descent", "GradientDescentScene", "Gradient descent", ("descent",), 15),
    SceneInfo("learning-rates", "descent", "LearningRatesScene", "Choosing the learning rate", ("descent",), 12),
    SceneInfo("optimizers", "descent", "OptimizersScene", "Optimizers race on one map", ("descent",), 14),
    SceneInfo("forward-graph", "autograd", "ForwardGraphScene", "Building the computational graph", ("graph",), 10),
    SceneInfo("grad-fn", "autograd", "GradFnScene", "grad_fn remembers the operation", ("graph",), 12),
    SceneInfo("backprop", "autograd", "BackpropScene", "Backward propagation with .backward()", ("graph",), 22),
    SceneInfo("autograd-notes", "autograd", "AutogradNotesScene", "Autograd: contagion, detach, accumulation", (), 13),
)

LECTURE = tuple(s.id for s in SCENES if s.id != "optimizers")  # `all`: the notebook's nine clips
BY_ID = {s.id: s for s in SCENES}
