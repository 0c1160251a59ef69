"""The README and docs/ name only what exists: every relative link (and its #heading), every path of the
repository and every dotted name (`lecture.render.jobs.code_fingerprint`) they write in backticks, every
file name written bare (`worker.py`: the end of a repository file's path), every test named (`test_...`: a test
function of tests/), and every `lecture COMMAND --option` they show (a command of the CLI that takes
that option). architecture.md's map names every module of the tool and the scenes, seam.md's table every
module of the seam. The code's docstrings and comments name only paths that exist. Read from the files,
and from the click commands (`lecture.cli` imports neither manim nor torch), so it runs in the fast tier;
each check has a test that finds a fault planted in tmp_path."""
from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FOLDERS = ("lecture", "scenes", "engine", "tests", "scripts", "docs")
PATH = re.compile(rf"(?<![\w./<-])((?:{'|'.join(FOLDERS)})/[\w./-]*\w/?)")
DOTTED = re.compile(r"(?<![\w./\"])((?:lecture|scenes|engine)(?:\.\w+)+)")  # in quotes: a string (a logger's name), not a name
LINK = re.compile(r"\]\(([^)\s]+)\)")
FILE_ENDINGS = {"md", "py", "toml", "json", "srt", "vtt", "mp4", "mov", "webm", "gif", "png", "pdf", "pptx", "html", "onnx", "wav"}


def code_spans(text: str) -> list[str]:
    """The inline code of `text` (its code blocks left out), a span wrapped over two lines joined: read line by
    line, a wrapped span would pair every later backtick of its paragraph wrongly."""
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    return [re.sub(r"\s*\n\s*", " ", span) for span in re.findall(r"`([^`]+)`", text) if "\n\n" not in span]


@cache
def names_in(module: Path) -> frozenset[str]:
    """What a module defines at its top level (functions, classes, assignments, imports) and its classes' members."""
    tree = ast.parse(module.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for target in targets for t in ast.walk(target) if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        if isinstance(node, ast.Dict):  # names a package loads when first used (`engine`'s _HOME)
            names.update(k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str))
    return frozenset(names)


def resolves(dotted: str) -> bool:
    """`a.b.c.name`: the longest module prefix is a file or package of the repo, and what follows is
    defined there (one attribute deep, or a class's member)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:cut])
        module = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
        if module.exists():
            rest = parts[cut:]
            return all(name in names_in(module) for name in rest[:2]) if rest else True
    return False


@cache
def repository_files() -> tuple[str, ...]:
    return tuple(path.relative_to(ROOT).as_posix() for folder in FOLDERS
                 for path in (ROOT / folder).rglob("*.py"))


@cache
def defined_tests() -> frozenset[str]:
    return frozenset(node.name for path in (ROOT / "tests").glob("*.py") for node in ast.walk(ast.parse(path.read_text()))
                     if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"))


@cache
def cli_options() -> dict[str, frozenset[str]]:
    """Each `lecture` command's name -> the options it takes (long and short, `--help` too)."""
    from lecture.cli import cli  # the click commands: no manim, no torch

    return {name: frozenset(o for param in command.params for o in param.opts + param.secondary_opts) | {"--help", "-h"}
            for name, command in cli.commands.items()}


BARE_FILE = re.compile(rf"(?<![\w./<-])(?!(?:{'|'.join(FOLDERS)})/)([\w][\w/-]*\.py)\b")
TEST_NAME = re.compile(r"^(test_\w+)$")
# A command line: `lecture` at its start (or after .venv/bin/, `python -m `, a shell separator), its command
# word, then what follows up to a comment or the next command.
COMMAND = re.compile(r"(?:^|\.venv/bin/|-m\s+|[;&]\s*)lecture\s+([a-z][\w-]*)([^#;&]*)")
OPTION = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")


def command_lines(text: str) -> list[str]:
    """Code spans, and each line of a code block, stripped: where a command is shown."""
    blocks = re.findall(r"```.*?```", text, flags=re.DOTALL)
    lines = [line.strip() for block in blocks for line in block.splitlines()[1:-1]]
    return lines + [span.strip() for span in code_spans(text)]


def anchors(text: str) -> set[str]:
    """The anchors of a page's headings as GitHub makes them: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", re.sub(r"```.*?```", "", text, flags=re.DOTALL), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def faults_in(page: Path) -> list[str]:
    """What `page` names that does not exist, one item each."""
    text = page.read_text()
    missing = []
    prose = re.sub(r"`[^`]+`", "", re.sub(r"```.*?```", "", text, flags=re.DOTALL))  # a link in code is an example
    for target in LINK.findall(prose):
        if not re.match(r"[a-z]+:", target) and not target.startswith("#"):
            file, _, anchor = target.partition("#")
            if not (page.parent / file).exists():
                missing.append(f"link {target}")
            elif anchor and anchor not in anchors((page.parent / file).read_text()):
                missing.append(f"anchor {target}")
    for span in code_spans(text):
        for path in PATH.findall(span):
            file, _, attribute = path.rpartition(".")  # scenes/feedforward/probe.arrow_grid: a name in a file
            found = (ROOT / path.rstrip("/")).exists() or resolves(file.replace("/", ".") + "." + attribute)
            if not found:
                missing.append(f"path {path}")
        for dotted in DOTTED.findall(span):
            if dotted.rsplit(".", 1)[-1] not in FILE_ENDINGS and not resolves(dotted):
                missing.append(f"name {dotted}")
        for name in BARE_FILE.findall(span):
            if not any(f == name or f.endswith("/" + name) for f in repository_files()):
                missing.append(f"file {name}")
        for name in TEST_NAME.findall(span.strip()):
            if name not in defined_tests():
                missing.append(f"test {name}")
    for line in command_lines(text):
        unquoted = re.sub(r"\"[^\"]*\"|'[^']*'", "", line)  # a formula's minus signs are not options
        for command, rest in COMMAND.findall(unquoted):
            options = cli_options().get(command)
            if options is None:
                missing.append(f"command lecture {command}")
                continue
            missing += [f"option lecture {command} {option}" for option in OPTION.findall(rest) if option not in options]
    return missing


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_link_path_and_name_in_the_docs_exists(page):
    assert faults_in(page) == [], page.name


def test_a_planted_false_path_name_file_test_command_and_option_are_each_found(tmp_path):
    true = tmp_path / "true.md"
    true.write_text("`lecture/render/pool.py`, `lecture.render.pool.needs_torch`, `worker.py`, `test_a_planted_false_"
                    "path_name_file_test_command_and_option_are_each_found`, `lecture render all -q l --lr 0.1`,\n"
                    "```bash\n.venv/bin/lecture preview backprop --storyboard  # --not-an-option in a comment\n```\n"
                    "`lecture render gradient-descent --function \"(1-x)**2 - y\"`, [a link](true.md)\n"
                    "## A heading: with punctuation\n[to it](true.md#a-heading-with-punctuation)\n")
    assert faults_in(true) == []
    false = tmp_path / "false.md"
    false.write_text("`lecture/render/nowhere.py`, `lecture.render.pool.no_such_name`, `nowhere_at_all.py`, "
                     "`test_never_written`, `lecture frobnicate all`,\n"
                     "```bash\n.venv/bin/lecture render all --no-such-option\n```\n[a link](missing.md), and after a span\n"
                     "wrapped `over(two,\n lines)` from `lecture/render/after_a_wrap.py`, [a section](false.md#no-such-heading)\n")
    assert sorted(faults_in(false)) == sorted([
        "path lecture/render/nowhere.py", "name lecture.render.pool.no_such_name", "file nowhere_at_all.py",
        "test test_never_written", "command lecture frobnicate", "option lecture render --no-such-option",
        "link missing.md", "path lecture/render/after_a_wrap.py", "anchor false.md#no-such-heading"])


def undocumented(folder: Path, page_text: str, row: str, skip: tuple[str, ...] = ("__main__.py",)) -> list[str]:
    """The modules and packages in `folder` (but `skip`) whose name `page_text` does not write in the
    form `row` gives (`{}` for the name: `| {} |` a table row, `{}` anywhere)."""
    names = [p.name + "/" for p in folder.iterdir() if (p / "__init__.py").exists()]
    names += [p.name for p in folder.glob("*.py") if p.name not in skip]
    return sorted(name for name in names if row.format(name) not in page_text)


def test_every_module_of_the_seam_has_a_row_in_seam_md_and_a_name_in_architecture_md():
    seam = ROOT / "lecture" / "manim_compat"
    assert undocumented(seam, (ROOT / "docs" / "seam.md").read_text(), "| `{}` |") == []
    modules = undocumented(seam, "", "{}", skip=("__init__.py",))
    architecture = (ROOT / "docs" / "architecture.md").read_text()
    assert [name for name in modules if f"`{name}`" not in architecture] == []


def test_architecture_md_names_every_package_and_module_of_the_tool_and_the_scenes():
    diagram = re.search(r"```\n(.*?)```", (ROOT / "docs" / "architecture.md").read_text(), flags=re.DOTALL).group(1)
    for folder in ("lecture", "scenes"):
        assert undocumented(ROOT / folder, diagram, "{}", skip=("__main__.py", "__init__.py")) == [], folder


def test_a_module_left_out_of_the_docs_is_found(tmp_path):
    (tmp_path / "named.py").write_text("")
    (tmp_path / "forgotten.py").write_text("")
    (tmp_path / "package").mkdir()
    (tmp_path / "package" / "__init__.py").write_text("")
    assert undocumented(tmp_path, "| `named.py` | what it does |", "| `{}` |") == ["forgotten.py", "package/"]
    assert undocumented(tmp_path, "named.py, package/ and forgotten.py", "{}") == []


HEADER = re.compile(r"^( {0,3})([\w.]+/|\w+\.py) ")  # a folder's or module's line in architecture.md's map


def map_blocks(diagram: str) -> dict[str, str]:
    """architecture.md's map: "lecture/render" -> the text of its lines (its own and the `|` lines under it)."""
    blocks: dict[str, str] = {}
    top = current = ""
    for line in diagram.splitlines():
        header = HEADER.match(line)
        if header:
            name = header.group(2).rstrip("/")
            top = name if not header.group(1) else top
            current = name if not header.group(1) else f"{top}/{name}"
        if current:
            blocks[current] = blocks.get(current, "") + line + "\n"
    return blocks


def unmapped(root: Path, blocks: dict[str, str], tops: tuple[str, ...], skip: tuple[str, ...] = ()) -> list[str]:
    """Each module of a package under `tops` (but `skip`) whose name its package's block in the map does not write."""
    missing = []
    for top in tops:
        for package in sorted(p for p in (root / top).iterdir() if (p / "__init__.py").exists()):
            key = package.relative_to(root).as_posix()
            if key in skip:
                continue
            for module in sorted(package.glob("*.py")):
                if module.stem not in ("__init__", "__main__") and not re.search(rf"\b{module.stem}\b", blocks.get(key, "")):
                    missing.append(f"{key}/{module.name}")
    return missing


def test_architecture_md_names_every_module_in_its_package_s_lines():
    diagram = re.search(r"```\n(.*?)```", (ROOT / "docs" / "architecture.md").read_text(), flags=re.DOTALL).group(1)
    # The seam's modules are listed under the map and in docs/seam.md (the test above)
    assert unmapped(ROOT, map_blocks(diagram), ("lecture", "scenes"), skip=("lecture/manim_compat",)) == []


def test_a_module_its_package_s_lines_leave_out_is_found(tmp_path):
    (tmp_path / "tool" / "render").mkdir(parents=True)
    for name in ("__init__.py", "pool.py", "forgotten.py"):
        (tmp_path / "tool" / "render" / name).write_text("")
    diagram = "tool/         the tool:\n   render/     the pools (pool)\n   voice/      forgotten is here, not in render\n"
    assert unmapped(tmp_path, map_blocks(diagram), ("tool",)) == ["tool/render/forgotten.py"]


COMMENT = re.compile(r"(?:^|\s)#\s(.*)$")


def code_text(path: Path) -> list[tuple[int, str]]:
    """The docstrings and comments of a Python file, with their first line: where the code describes itself."""
    source = path.read_text()
    # "#" then a space is taken for a comment: tokenize would be exact, but this test then took 6.0 s, not 2.6 s
    found = [(n, comment) for n, line in enumerate(source.splitlines(), 1) for comment in COMMENT.findall(line)]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and ast.get_docstring(node):
            found.append((node.body[0].lineno, ast.get_docstring(node)))
    return found


def stale_paths(path: Path) -> list[tuple[int, str]]:
    """(line, path) for each repository path (`lecture/render/worker.py`, `scenes/catalog/`) a file's docstrings
    and comments name that does not exist."""
    def exists(name: str) -> bool:
        file, _, attribute = name.rpartition(".")  # scenes/feedforward/probe.arrow_grid: a name in a file
        return (ROOT / name.rstrip("/")).exists() or resolves(file.replace("/", ".") + "." + attribute)

    return [(line, name) for line, text in code_text(path) for name in PATH.findall(text) if not exists(name)]


def test_every_path_the_code_s_docstrings_and_comments_name_exists():
    files = [path for folder in ("lecture", "scenes", "engine", "scripts", "tests") for path in sorted((ROOT / folder).rglob("*.py"))]
    assert [f"{path.relative_to(ROOT)}:{line}: {name}" for path in files for line, name in stale_paths(path)] == []


def test_a_stale_path_in_a_docstring_or_comment_is_found(tmp_path):
    module = tmp_path / "module.py"
    module.write_text('"""Renders through lecture/render/worker.py and lecture/gone_away.py."""\n'
                      'x = "lecture/not_a_docstring.py"  ' + chr(35) + ' see lecture/render_host.py\n')  # chr(35): "#"
    assert sorted(stale_paths(module)) == [(1, "lecture/gone_away.py"), (2, "lecture/render_host.py")]
