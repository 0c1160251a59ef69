"""The PyTorch code the check and training scenes show, line by line, and what each line stands for, so a
scene highlights a line as the number it computes appears. Pure: tested alone (tests/test_training_code.py).

The check is code a student can run after `loss.backward()` on one sample (vectors, as `LayerPass`
holds them): each delta by the hand formula, then `torch.allclose` of each hand gradient with `.grad`.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.network_spec import NetworkSpec

SLOPE_CODE = {"tanh": "(1 - {h}**2)", "sigmoid": "{h} * (1 - {h})", "relu": "({z} > 0)"}  # f'(z) from h = f(z)
ACTIVATION_TEX = {"tanh": r"\tanh", "sigmoid": r"\sigma", "relu": r"\mathrm{ReLU}"}  # f in the formulas
SLOPE_SAID = {"tanh": "one minus h squared", "sigmoid": "h times one minus h", "relu": "one where z is positive"}


@dataclass(frozen=True)
class CheckLine:
    text: str
    layer: int  # 0-based index of the layer it is about (0: fc1)
    parameter: str | None  # "fc2.weight" for a comparison line, None for a delta line


@dataclass(frozen=True)
class CheckCode:
    lines: tuple[CheckLine, ...]

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]

    def delta_line(self, layer: int) -> int:
        return next(i for i, line in enumerate(self.lines) if line.layer == layer and line.parameter is None)

    def check_lines(self) -> list[int]:
        return [i for i, line in enumerate(self.lines) if line.parameter]


def value_name(spec: NetworkSpec, k: int) -> str:
    """The variable holding layer k's input (k = 0 ... n): x, h1, h2, ..., and y_hat for the output."""
    if k == 0:
        return "x"
    return "y_hat" if k == len(spec.layers) - 1 else f"h{k}"


def check_code(spec: NetworkSpec) -> CheckCode:
    """Deltas from the output back, each followed by the two comparisons of its layer:
    d2 = 2 * (y_hat - y); torch.allclose(torch.outer(d2, h1), fc2.weight.grad); ...; d1 = (fc2.weight.T @ d2) * (1 - h1**2)."""
    names = spec.layer_names
    last = len(names)
    outputs = spec.layers[-1]
    lines = [CheckLine(f"d{last} = 2 * (y_hat - y)" + (f" / {outputs}" if outputs > 1 else ""), last - 1, None)]
    for k in range(last, 0, -1):  # layer fc{k}: its delta d{k}, its input value_name(k - 1)
        name, given = names[k - 1], value_name(spec, k - 1)
        lines.append(CheckLine(f"torch.allclose(torch.outer(d{k}, {given}), {name}.weight.grad)", k - 1, f"{name}.weight"))
        lines.append(CheckLine(f"torch.allclose(d{k}, {name}.bias.grad)", k - 1, f"{name}.bias"))
        if k > 1:
            slope = SLOPE_CODE[spec.activation].format(h=given, z=f"z{k - 1}")
            lines.append(CheckLine(f"d{k - 1} = ({name}.weight.T @ d{k}) * {slope}", k - 2, None))
    return CheckCode(tuple(lines))


@dataclass(frozen=True)
class StepCode:
    lines: tuple[str, ...]
    optimizer: int
    loss: int
    zero_grad: int
    backward: int
    step: int


def step_code(spec: NetworkSpec) -> StepCode:
    """One training step as the lecture writes it, on the whole data set X, Y."""
    lines = (f"optimizer = torch.optim.SGD(model.parameters(), lr={spec.lr:g})",
             "optimizer.zero_grad()",
             "loss = F.mse_loss(model(X), Y)",
             "loss.backward()",
             "optimizer.step()")
    return StepCode(lines, optimizer=0, zero_grad=1, loss=2, backward=3, step=4)


def parameter_tex(name: str) -> str:
    """fc2.weight -> W_{2}, fc2.bias -> b_{2}: the lecture's names of torch's parameters."""
    layer, kind = name.split(".")
    return f"{'W' if kind == 'weight' else 'b'}_{{{layer.removeprefix('fc')}}}"
