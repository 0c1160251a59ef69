"""The part-2 network as plain data, without torch (the CLI checks options with it before torch loads):
layer sizes, activation, data set, torch seed, and how it is trained. `engine.network` builds it."""
from __future__ import annotations

from dataclasses import dataclass

from .limits import (MAX_TRAINING_STEPS, activation_problem, dataset_problem, layers_problem, learning_rate_problem,
                     seed_problem, steps_problem)


@dataclass(frozen=True)
class NetworkSpec:
    """A network and how it is trained, as options describe it (checked by `problem()`)."""

    layers: tuple[int, ...] = (2, 3, 1)  # input size, hidden sizes..., output size
    activation: str = "tanh"  # of the hidden layers; the output layer is linear
    dataset: str = "xor"
    seed: int = 0  # torch.manual_seed before the weights (and the regression noise) are made
    lr: float = 0.3  # full-batch SGD: at the defaults the XOR loss sits near 0.25, then falls to 0.0002 by step 300
                     # without a bump (0.4 and 0.5 overshoot and bounce; 0.2 is still on the plateau)
    steps: int = 300

    def problems(self) -> dict[str, str]:
        """Field -> what is wrong with it, in one line; empty when the spec is good. The layers are
        checked against the data set only once the data set is known."""
        found = {"dataset": dataset_problem(self.dataset), "activation": activation_problem(self.activation),
                 "seed": seed_problem(self.seed), "lr": learning_rate_problem(self.lr),
                 "steps": steps_problem(self.steps, MAX_TRAINING_STEPS)}
        if not found["dataset"]:
            found["layers"] = layers_problem(tuple(self.layers), self.dataset)
        return {name: problem for name, problem in found.items() if problem}

    def checked(self) -> "NetworkSpec":
        """This spec, or ValueError with its first problem."""
        for name, problem in self.problems().items():
            raise ValueError(f"{name}: {problem}")
        return self

    @property
    def layer_names(self) -> tuple[str, ...]:
        """torch's names of the linear layers: fc1, fc2, ..."""
        return tuple(f"fc{i}" for i in range(1, len(self.layers)))
