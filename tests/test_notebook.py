"""Drafting a lecture from a notebook (lecture/notebook/): the first lecture's own notebook, a notebook
with every cell kind, and the bad inputs of issue 28. Drafting is pure and fast; rendering a drafted
lecture with the voice is marked slow."""
from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from lecture import UserError
from lecture.notebook import draft_notebook
from lecture.notebook.new import new_from_notebook
from lecture.voice.pronounce import spoken

ROOT = Path(__file__).resolve().parents[1]
FEEDFORWARD = ROOT / "tests" / "data" / "feedforward.ipynb"


def beats(draft):
    return [b for s in draft.scenes for b in s.beats]


def narration(draft) -> str:
    """What the captions show: the beats' texts without pointing marks, values filled in."""
    from scenes.kit.narration import fill, split_marks

    return " ".join(split_marks(fill(b.narration, {})).text for b in beats(draft))


def code_beats(draft):
    return [b for b in beats(draft) if b.show["kind"] == "code"]


@pytest.fixture(scope="module")
def feedforward():
    return draft_notebook(FEEDFORWARD, prefix="ff")


# --- the first lecture's notebook -----------------------------------------------------------------

def test_the_narration_holds_the_notebooks_sentences(feedforward):
    said = narration(feedforward)
    for sentence in ("The gradient descent algorithm, along with its variations such as stochastic gradient descent, "
                     "is one of the most powerful and popular optimization methods used for deep learning.",
                     "It is important to note that gradient vectors only see their local values, not the whole landscape!",
                     "It is important to appreciate the fact that PyTorch can follow our operations as we arbitrarily "
                     "go through classes and functions.",
                     "Here is where all the magic lies."):
        assert sentence in said
    assert "minimizing the risk (also known as the cost or loss) function" in said  # bold stripped
    assert "**negative" not in said and "`" not in said and "\\(" not in said and "$" not in said


def test_inline_latex_is_written_for_captions_and_said_as_words(feedforward):
    beat = next(b for b in beats(feedforward) if "for any given" in b.narration)
    assert "for any given x_0 and y_0" in beat.narration  # the caption, as written
    said = spoken(beat.narration)
    assert "for any given x zero and y zero" in said and "d z by d x" in said
    update = next(b for b in beats(feedforward) if b.narration.startswith("where η > 0"))
    assert "eta greater than zero" in spoken(update.narration) and "the gradient of f" in spoken(update.narration)


def test_code_panels_hold_the_code_and_what_it_printed(feedforward):
    panels = code_beats(feedforward)
    lines = [line for b in panels for line in b.show["lines"]]
    printed = [line for b in panels for line in b.show["printed"]]
    assert "  z = np.sin(x**2 + y**2)" in lines
    assert "    self.w = torch.tensor([w], requires_grad=True)" in lines
    assert "c = a + b" in lines
    assert "for x=1 and y=7, prediction=0.0, and L2 Loss = 49.0" in printed
    assert "Gradient function = <AddBackward0 object at 0x7f2bb9910610>" in printed
    assert printed.count("tensor([True])") == 2
    # the paragraph before the SimpleGraph cell names requires_grad: the line is marked as it is said
    graph = next(b for b in panels if b.show["cell"] == 17 and b.show["part"][0] == 1)
    assert "[requires_grad](line)" in graph.narration
    assert "requires_grad" in graph.show["lines"][graph.show["mark"]]
    assert all(len(b.show["lines"]) <= 14 for b in panels)  # long cells over several beats
    assert [b.show["part"] for b in panels if b.show["cell"] == 17] == [[1, 3], [2, 3], [3, 3]]


def test_hidden_and_display_cells_are_left_out_and_noted(feedforward):
    lines = [line for b in code_beats(feedforward) for line in b.show["lines"]]
    assert not any("YouTubeVideo" in line or "@title" in line or "IPyDisplay" in line for line in lines)
    notes = "\n".join(feedforward.notes)
    assert notes.count("hidden (a #@title form)") == 2 and "setup (imports only)" in notes


def test_the_engine_animates_the_notebooks_function_and_graph(feedforward):
    engine = {s.engine: s for s in feedforward.scenes if s.engine}
    assert engine["gradient-field"].options == {"function": "sin(x**2 + y**2)"}
    assert engine["forward-graph"].options == {"expr": "a + b", "values": {"a": 1.0, "b": -1.0}, "learnable": ["a", "b"]}
    assert "backprop" in engine
    notes = "\n".join(feedforward.notes)
    assert "fun_z(x, y) returns sin(x**2 + y**2)" in notes
    assert "fun_dz" in notes and "several values" in notes  # said where it was not done, and why


def test_equations_in_rows_and_transforming(feedforward):
    equations = [b for b in beats(feedforward) if b.show["kind"] == "equation"]
    align = next(b for b in equations if b.narration.startswith("Using the chain rule"))
    assert len(align.show["rows"]) == 2 and all("&" not in r["tex"] for r in align.show["rows"])
    assert align.show["rows"][0]["terms"][1] == "="
    assert any(b.show["transform"] for b in equations)  # F'(x) = ... then dF/dx = ...: one becomes the other
    assert "[the following function](formula)" in equations[0].narration
    matrix = next(b for b in equations if "bmatrix" in b.show["rows"][0]["tex"])
    assert len(matrix.show["rows"]) == 1  # a matrix's rows are not the formula's


def test_scenes_start_at_level_one_and_two_headings(feedforward):
    titles = [s.title for s in feedforward.scenes if not s.engine]
    assert titles == ["Introduction", "Gradient Descent Algorithm", "PyTorch AutoGrad", "References and more"]
    assert feedforward.title == "Lecture 3: Feedforward Neural Networks and Backpropagation Part 1"
    assert all(s.id.startswith("ff-") for s in feedforward.scenes)


def test_the_word_seed_is_nowhere(feedforward):
    assert "seed" not in json.dumps(feedforward.to_json()).lower()


# --- a notebook with every cell kind ---------------------------------------------------------------

def tiny_png() -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 40, 40)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def every_kind() -> nbformat.NotebookNode:
    long_cell = "\n".join(f"value_{i} = {i} * 2" for i in range(40))
    plot = new_code_cell("import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()")
    plot.outputs = [new_output("display_data", data={"image/png": tiny_png(), "text/plain": "<Figure>"})]
    hidden = new_code_cell("secret = 42\nprint(secret)", metadata={"tags": ["hide"]})
    widget = new_code_cell("display(HTML('<b>hi</b>'))")
    widget.outputs = [new_output("display_data", data={"text/html": "<b>hi</b>"})]
    failing = new_code_cell("1 / 0")
    failing.outputs = [new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])]
    result = new_code_cell("def h(x, y):\n    u = np.cos(x) * y\n    return u\n\nh(1.0, 2.0)")
    result.outputs = [new_output("execute_result", data={"text/plain": "1.0806046117362795"}, execution_count=3)]
    return new_notebook(cells=[
        new_markdown_cell("# Über Gradienten — ein Überblick 🚀"),
        new_markdown_cell("## Formeln\n\nThe *update* rule, see [the docs](https://example.org):\n\n"
                          "$$w \\leftarrow w - \\eta \\nabla f(w)$$\n\n$$\\frac{a}{b$$\n\n"
                          "\\[ y = \\sigma(z) \\]\n\n"
                          "\\begin{align} a &= b + c \\\\ d &= e \\end{align}\n\n"
                          "![a contour plot of the loss](plot.png)\n\n"
                          "- first point\n- second point with `code`\n\n### Détails\n\nCafé prices rise; naïve résumé."),
        new_raw_cell("raw text for nbconvert"),
        new_markdown_cell("## Code only"),
        hidden, widget, plot, failing, result,
        new_code_cell("#@title Setup form\nx = 1"),
        new_code_cell(long_cell),
    ])


@pytest.fixture(scope="module")
def every(tmp_path_factory):
    path = tmp_path_factory.mktemp("nb with spaces") / "every kind of cell.ipynb"
    nbformat.write(every_kind(), path)
    return path, draft_notebook(path, prefix="every")


def test_every_cell_kind_drafts(every):
    _, draft = every
    said = narration(draft)
    assert draft.title == "Über Gradienten — ein Überblick 🚀"
    assert "The update rule, see the docs:" in said  # emphasis and link stripped
    assert "First point. Second point with code." in said
    assert "Détails. Café prices rise; naïve résumé." in said
    equations = [b for b in beats(draft) if b.show["kind"] == "equation"]
    rows = [r for b in equations for r in b.show["rows"]]
    assert [r["ok"] for r in rows].count(False) == 1  # \frac{a}{b: shown as text, reported
    assert any(r["tex"] == "a = b + c" for r in rows) and any(r["tex"] == "d = e" for r in rows)
    notes = "\n".join(draft.notes)
    assert "LaTeX would refuse it" in notes
    assert "its alt text: a contour plot of the loss" in notes
    assert "hidden (tagged so)" in notes and "hidden (a #@title form)" in notes and "display-only" in notes
    panels = code_beats(draft)
    printed = [line for b in panels for line in b.show["printed"]]
    assert "ZeroDivisionError: division by zero" in printed and "1.0806046117362795" in printed
    images = [b.show["image"] for b in panels if b.show["image"]]
    assert images and images[0] in draft.images and draft.images[images[0]].startswith(b"\x89PNG")
    assert sum(1 for b in panels if b.show["cell"] == 11) == 3  # 40 lines over three beats
    field = next(s for s in draft.scenes if s.engine == "gradient-field")
    assert field.options == {"function": "cos(x) * y"}
    assert all(s.id.isascii() for s in draft.scenes)


def test_a_heading_with_only_code_is_a_scene_of_code(every):
    _, draft = every
    scene = next(s for s in draft.scenes if s.title == "Code only")
    assert scene.beats and all(b.show["kind"] == "code" for b in scene.beats)
    assert all(b.narration for b in scene.beats)  # something is said over code with no prose


def test_the_draft_is_a_lecture_folder_the_catalog_reads(every, tmp_path):
    from scenes.catalog import read_lecture

    path, _ = every
    result = new_from_notebook("every-kind", path, tmp_path, force=False)
    lecture = read_lecture(result.folder)
    assert lecture.id == "every-kind" and lecture.scenes[0].cls == "TitleScene"
    assert lecture.options["function"] == "cos(x) * y"
    assert (result.folder / "images").is_dir() and (result.folder / "NOTES.md").is_file()
    script = (result.folder / "script.md").read_text()
    assert "## every-kind-formeln: Formeln" in script


# --- bad input -------------------------------------------------------------------------------------

def write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


@pytest.mark.parametrize("content, message", [
    ("this is not json {", "not JSON"),
    ("[1, 2, 3]", "not a Jupyter notebook"),
    ('{"cells": [], "metadata": {}}', "not a Jupyter notebook"),
    ('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "no cells"),
    ('{"cells": [{"cell_type": "markdown"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "not a valid notebook"),
    ('{"cells": [], "metadata": {}, "nbformat": 9, "nbformat_minor": 0}', "format 9"),
    (b"\xff\xfe not utf-8", "not UTF-8"),
])
def test_bad_notebooks_are_one_line_and_write_nothing(tmp_path, content, message):
    path = write(tmp_path / "bad.ipynb", content)
    with pytest.raises(UserError, match=message) as caught:
        new_from_notebook("bad", path, tmp_path / "out", force=False)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_a_missing_file_and_a_bad_id(tmp_path):
    with pytest.raises(UserError, match="no such notebook"):
        new_from_notebook("x", tmp_path / "missing.ipynb", tmp_path, force=False)
    with pytest.raises(UserError, match="lower-case"):
        new_from_notebook("Bad Id", FEEDFORWARD, tmp_path, force=False)
    assert list(tmp_path.iterdir()) == []


def test_unknown_cell_types_are_left_out_with_a_note(tmp_path):
    notebook = json.loads(nbformat.writes(new_notebook(cells=[new_markdown_cell("## A\n\nSome words here.")])))
    notebook["cells"].append({"cell_type": "sql", "source": "select 1", "metadata": {}})
    draft = draft_notebook(write(tmp_path / "n.ipynb", json.dumps(notebook)))
    assert "Some words here." in narration(draft)
    assert any("'sql' is not one Jupyter knows" in n for n in draft.notes)


def test_a_50_mb_output_is_left_out_with_a_note(tmp_path):
    cell = new_code_cell("print('x' * 50_000_000)")
    cell.outputs = [new_output("stream", name="stdout", text="x" * 50_000_000)]
    path = tmp_path / "big.ipynb"
    path.write_text(json.dumps(new_notebook(cells=[new_markdown_cell("## Big"), cell])))  # json: nbformat.write is slower
    assert path.stat().st_size > 50_000_000
    draft = draft_notebook(path)
    assert code_beats(draft)[0].show["printed"] == []
    assert any("47.7 MB is left out" in n for n in draft.notes)


def test_a_version_3_notebook_is_converted(tmp_path):
    from nbformat.v3 import new_code_cell as code3, new_notebook as notebook3, new_text_cell, new_worksheet

    old = notebook3(worksheets=[new_worksheet(cells=[new_text_cell("markdown", "## Old\n\nAn old notebook speaks."),
                                                      code3(input="print(1)")])])
    path = write(tmp_path / "old.ipynb", nbformat.writes(old, version=3))
    draft = draft_notebook(path)
    assert "An old notebook speaks." in narration(draft)
    assert code_beats(draft)[0].show["lines"] == ["print(1)"]


def test_drafting_again_refuses_without_force_and_keeps_the_lecturers_files(every, tmp_path):
    path, _ = every
    first = new_from_notebook("again", path, tmp_path, force=False)
    with pytest.raises(UserError, match="--force"):
        new_from_notebook("again", path, tmp_path, force=False)
    (first.folder / "my_scene.py").write_text("# mine\n")
    (first.folder / "script.md").write_text("# my own words\n")
    untouched = (first.folder / "draft.json").read_bytes()
    second = new_from_notebook("again", path, tmp_path, force=True)
    assert (first.folder / "my_scene.py").read_text() == "# mine\n"
    assert (first.folder / "script.md").read_text() == "# my own words\n"
    assert second.kept == ["script.md"] and (first.folder / "script.md.new").is_file()
    assert (first.folder / "draft.json").read_bytes() == untouched
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".draft-")]  # no staging left behind


# --- rendered: the drafted lecture speaks, and a clip shows inside a notebook ------------------------

def run_with(lectures: Path, *args: str, timeout: float = 1500) -> subprocess.CompletedProcess:
    env = {**os.environ, "LECTURE_PATH": str(lectures)}
    return subprocess.run([sys.executable, "-m", "lecture", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=env)


# The cells of the first lecture's autograd section the rendered draft keeps: its heading, a code cell whose
# words are pointed at as they are said (requires_grad), the section's "Here is where all the magic lies" with
# its code and printed output, and a formula (LaTeX for captions and the picture). Half the section's speech
# (1,600 of 3,800 characters): the rest says more of the same kinds of beat.
AUTOGRAD_CELLS = ("## PyTorch AutoGrad", "#### Buiding a Computational Graph", "class SimpleGraph:",
                  "### Backward Propagation", "a = torch.tensor([1.0]", "Now let's kick off")


AUTOGRAD_SENTENCES = ("`True`.", "lies.", "`.backward()` on the tensor we wish to initiate the backpropagation from.")


def keep_until(paragraph: str, ends: tuple[str, ...]) -> str:
    """The paragraph up to the first of `ends` in it, or whole (headings and formulas have none)."""
    cut = min((paragraph.index(end) + len(end) for end in ends if end in paragraph), default=len(paragraph))
    return paragraph[:cut]


def autograd_notebook(path: Path) -> Path:
    notebook = nbformat.read(FEEDFORWARD, as_version=4)
    notebook.cells = [c for c in notebook.cells if c.source.startswith(AUTOGRAD_CELLS)]
    assert len(notebook.cells) == len(AUTOGRAD_CELLS)
    notebook.cells[0].source = "## PyTorch AutoGrad"  # the heading alone: its paragraph is one more prose beat
    for cell in notebook.cells:  # each paragraph up to the sentence a check reads (a minute less of narrated clip)
        if cell.cell_type == "markdown":
            cell.source = "\n\n".join(keep_until(p, AUTOGRAD_SENTENCES) for p in cell.source.split("\n\n"))
    nbformat.write(notebook, str(path))
    return path


@pytest.mark.slow
def test_a_drafted_scene_renders_and_narrates(tmp_path):
    """The first lecture's autograd section (AUTOGRAD_CELLS), drafted, rendered at 192x108 with the voice: its
    sections say the notebook's sentences, its code panel and printed outputs are on screen (the sidecar's
    narration and the clip's audio are checked; the picture is looked at in the 480p storyboard, see
    docs/notebooks.md)."""
    import av

    new_from_notebook("ff", autograd_notebook(tmp_path / "autograd.ipynb"), tmp_path / "lectures", force=False)
    out = tmp_path / "out"
    done = run_with(tmp_path / "lectures", "render", "ff-pytorch-autograd", "--lecture", "ff", "-q", "t",
                    "--voice", "joe", "--out", str(out), "-j", "1")
    assert done.returncode == 0, done.stderr[-2000:]
    sidecar = json.loads((out / "tiny" / "narrated" / "ff-pytorch-autograd.json").read_text())
    said = " ".join(sidecar["narration"])
    assert "Here is where all the magic lies." in said
    assert "we can set the optional argument requires_grad to True." in said
    assert all("speech" in s for s in sidecar["sections"])
    pointed = next(s for s in sidecar["sections"] if "requires_grad to True" in s["narration"])
    assert "line" in pointed["points"]  # the marked code line is ringed as "requires_grad" is said
    assert any(b.show["kind"] == "equation" for b in beats(draft_notebook(tmp_path / "autograd.ipynb")))
    assert sidecar["values"]["latex_failed"] == []  # a formula's LaTeX was made
    with av.open(str(out / "tiny" / "narrated" / "ff-pytorch-autograd.mp4")) as clip:
        audio = clip.streams.audio[0]
        assert float(audio.duration * audio.time_base) > 0.9 * sidecar["duration_s"] - 2


@pytest.mark.slow
def test_show_displays_a_clip_inline_in_a_headless_notebook(tmp_path, rendered):
    """`lecture.show` in a notebook run by nbclient: the output cell holds the video, embedded. The clip is
    the session's, copied where show looks (a render of the title card is the CLI's tests')."""
    from tests.conftest import copy_session_clip

    nbclient = pytest.importorskip("nbclient", reason="pip install -e .[jupyter]")
    out = tmp_path / "media"
    copy_session_clip(rendered, "title", out)
    notebook = new_notebook(cells=[new_code_cell(f"import lecture\nlecture.show('title', quality='t', out={str(out)!r})")])
    nbclient.NotebookClient(notebook, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    data = notebook.cells[0].outputs[0]["data"]
    assert "data:video/mp4;base64," in data["text/html"]
    assert (out / "tiny" / "title.mp4").is_file()


# --- the command -----------------------------------------------------------------------------------

def test_lecture_new_from_a_notebook_on_the_command_line(every, tmp_path):
    from tests.in_process import run

    path, _ = every  # its folder and name have spaces
    code, err = run("new", "every-kind", "--from", str(path), "--dir", str(tmp_path))
    assert code == 0, err
    assert (tmp_path / "every_kind" / "draft.json").is_file()
    code, err = run("new", "every-kind", "--from", str(path), "--dir", str(tmp_path))
    assert code == 2 and "--force" in err and err.count("\n") == 1
    code, err = run("new", "every-kind", "--from", str(path), "--dir", str(tmp_path), "--force")
    assert code == 0, err


@pytest.mark.parametrize("content", ["not json", '{"nbformat": 4}', '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'])
def test_lecture_new_from_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, content):
    from tests.in_process import run

    path = write(tmp_path / "a notebook.ipynb", content)
    code, err = run("new", "bad", "--from", str(path), "--dir", str(tmp_path / "out"))
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()
