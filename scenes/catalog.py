"""Every lecture and its scenes, as data, without importing manim: the CLI, the renderer, decks,
captions and `lecture list` read this, and nothing else names a lecture or a scene's title.

Adding a lecture is one `Lecture` entry in `LECTURES` (and its scene files under scenes/).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class SceneInfo:
    id: str
    module: str  # under scenes/
    cls: str
    title: str | None  # None: the lecture's title card, which is titled as the lecture is
    uses: tuple[str, ...]  # which options change it: function, descent, graph
    cost: float = 20.0  # seconds to render at 480p15 here, roughly: the renderer starts the longest first


@dataclass(frozen=True)
class Lecture:
    """One lecture: `scenes` in order are `all` (the clips joined into one video, one deck, one script);
    `extras` are listed and render by id, but are not part of `all`."""
    id: str  # `--lecture ID`
    title: str
    scenes: tuple[SceneInfo, ...]
    extras: tuple[SceneInfo, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)  # defaults of content options, as lecture.toml writes them
    file: str = ""  # stem of the joined video, deck and captions (OUT/<quality>/<file>.mp4); default: the id

    def __post_init__(self) -> None:
        titled = tuple(replace(s, title=self.title) if s.title is None else s for s in (*self.scenes, *self.extras))
        object.__setattr__(self, "scenes", titled[:len(self.scenes)])
        object.__setattr__(self, "extras", titled[len(self.scenes):])

    @property
    def stem(self) -> str:
        return self.file or self.id

    @property
    def ids(self) -> tuple[str, ...]:
        """The scene ids of `all`, in order."""
        return tuple(s.id for s in self.scenes)


LECTURES: tuple[Lecture, ...] = (
    Lecture(
        "feedforward", "Feedforward Neural Networks and Backpropagation, Part 1",
        scenes=(
            SceneInfo("title", "feedforward.intro", "TitleScene", None, (), 3),
            SceneInfo("gradient-field", "feedforward.gradients", "GradientFieldScene", "Gradient vectors point towards steepest ascent", ("function",), 17),
            SceneInfo("chain-rule", "feedforward.chain_rule", "ChainRuleScene", "The chain rule gives the gradient", ("function",), 11),
            SceneInfo("gradient-descent", "feedforward.descent", "GradientDescentScene", "Gradient descent", ("descent",), 15),
            SceneInfo("learning-rates", "feedforward.descent", "LearningRatesScene", "Choosing the learning rate", ("descent",), 12),
            SceneInfo("forward-graph", "feedforward.autograd", "ForwardGraphScene", "Building the computational graph", ("graph",), 10),
            SceneInfo("grad-fn", "feedforward.autograd", "GradFnScene", "grad_fn remembers the operation", ("graph",), 12),
            SceneInfo("backprop", "feedforward.autograd", "BackpropScene", "Backward propagation with .backward()", ("graph",), 22),
            SceneInfo("autograd-notes", "feedforward.autograd_notes", "AutogradNotesScene", "Autograd: contagion, detach, accumulation", (), 13),
        ),
        extras=(SceneInfo("optimizers", "feedforward.optimizers", "OptimizersScene", "Optimizers race on one map", ("descent",), 14),),
        file="lecture",  # media/<quality>/lecture.mp4, media/slides/lecture.html: the paths it always had
    ),
    Lecture(
        "part-2", "Feedforward Networks and Backpropagation, Part 2: layers, matrices and a training step",
        scenes=(
            SceneInfo("mlp-forward", "part2.network_pass", "MlpForwardScene", "A small network, as neurons and as matrices", ("network",), 20),
            SceneInfo("mlp-backward", "part2.network_pass", "MlpBackwardScene", "The gradient flows back layer by layer", ("network",), 25),
            SceneInfo("mlp-check", "part2.network_check", "MlpCheckScene", "The hand formulas agree with .grad", ("network",), 15),
            SceneInfo("training-step", "part2.network_training", "TrainingStepScene", "One training step", ("network", "training"), 15),
            SceneInfo("training-run", "part2.network_training", "TrainingRunScene", "A training run", ("network", "training"), 20),
        ),
        file="part-2",
    ),
)

LECTURE_BY_ID = {lecture.id: lecture for lecture in LECTURES}
DEFAULT_LECTURE = LECTURES[0]
SCENES: tuple[SceneInfo, ...] = tuple(s for lecture in LECTURES for s in (*lecture.scenes, *lecture.extras))
BY_ID = {s.id: s for s in SCENES}
LECTURE_OF = {s.id: lecture for lecture in LECTURES for s in (*lecture.scenes, *lecture.extras)}
BY_CLASS = {s.cls: s for s in SCENES}
if len(BY_ID) != len(SCENES) or len(BY_CLASS) != len(SCENES) or len(LECTURE_BY_ID) != len(LECTURES):
    raise ImportError("scenes/catalog.py: a scene id, scene class or lecture id is given twice; each must be unique")


def scene_for_class(name: str) -> SceneInfo:
    """The catalog entry of a scene class (by class name): where a scene finds its own id and title."""
    try:
        return BY_CLASS[name]
    except KeyError:
        raise LookupError(f"scene class {name} is in no lecture; add a SceneInfo for it to scenes/catalog.py") from None
LECTURE = DEFAULT_LECTURE.ids  # the first lecture's `all`, under the name scripts and tests have long used
