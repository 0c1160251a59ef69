"""The PyTorch code the part-2 pass scenes show for a network, line by line, and which line computes
which layer, so a scene highlights the line as the layer it runs appears. Pure: tested alone."""
from __future__ import annotations

from dataclasses import dataclass

from engine.network_spec import NetworkSpec

TORCH_ACTIVATION = {"tanh": "torch.tanh", "sigmoid": "torch.sigmoid", "relu": "torch.relu"}


@dataclass(frozen=True)
class NetworkCode:
    lines: tuple[str, ...]
    layer_lines: tuple[int, ...]  # the line that computes layer k (0: fc1), in forward order
    loss_line: int


def forward_code(spec: NetworkSpec) -> NetworkCode:
    """nn.Linear per layer, a `forward` that applies them (the activation after each but the last),
    and the loss: the network `engine.network.build_mlp` builds, written as a student would."""
    names = spec.layer_names
    lines = [f"{name} = nn.Linear({a}, {b})" for name, a, b in zip(names, spec.layers, spec.layers[1:])]
    lines.append("def forward(x):")
    layer_lines, previous = [], "x"
    for k, name in enumerate(names[:-1], start=1):
        layer_lines.append(len(lines))
        lines.append(f"    h{k} = {TORCH_ACTIVATION[spec.activation]}({name}({previous}))")
        previous = f"h{k}"
    layer_lines.append(len(lines))
    lines.append(f"    return {names[-1]}({previous})")
    lines.append("loss = F.mse_loss(forward(x), y)")
    return NetworkCode(tuple(lines), tuple(layer_lines), len(lines) - 1)


def backward_code(spec: NetworkSpec) -> NetworkCode:
    """`loss.backward()`, then each layer's weight gradient as torch leaves it in `.grad`, last layer first
    (the order the gradient reaches them); `layer_lines[k]` is the line of layer k's gradient."""
    names = spec.layer_names
    lines = ["loss.backward()"] + [f"{name}.weight.grad" for name in reversed(names)]
    return NetworkCode(tuple(lines), tuple(len(names) - k for k in range(len(names))), 0)
