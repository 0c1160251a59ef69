"""Every option that names something to write is checked before any work starts: one line, exit 2, nothing
written (lecture/output/paths.py). Run in this process through the CLI's own entry (no render starts)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from lecture.output.paths import file_problem, folder_problem
from tests.in_process import run


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture
def place(tmp_path):
    """A working folder holding one ordinary file, `a-file`."""
    (tmp_path / "a-file").write_text("the lecturer's notes")
    return tmp_path


# (what is wrong, the folder given relative to the working folder or absolute, words the message has)
BAD_FOLDERS = [
    ("a file", "a-file", "is a file, not a folder"),
    ("below a file", "a-file/clips", "runs through"),
    ("deep below a file", "a-file/x/y/z", "runs through"),
    ("a device", "/dev/null", "is a device, not a folder"),
    ("below a device", "/dev/null/clips", "runs through /dev/null, which is a device"),
    ("in the kernel's /proc", "/proc/lecture-clips", "where the system makes its own files"),
    ("in /sys", "/sys/clips/here", "where the system makes its own files"),
    ("a name too long", "x" * 300, "longer than the system allows"),
]
FOLDER_COMMANDS = [["render", "title"], ["video"], ["preview", "title"], ["watch", "title"], ["slides", "title"],
                   ["doctor"], ["studio", "--no-open"]]


@pytest.mark.parametrize("command", FOLDER_COMMANDS, ids=[c[0] for c in FOLDER_COMMANDS])
@pytest.mark.parametrize("case, given, words", BAD_FOLDERS, ids=[c[0] for c in BAD_FOLDERS])
def test_an_out_folder_that_cannot_be_one_is_refused_first(place, monkeypatch, command, case, given, words):
    monkeypatch.chdir(place)
    before = tree(place)
    code, err = run(*command, "--out", given)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and err.startswith("lecture: error:") and words in err, err
    assert "choose a folder" in err
    assert tree(place) == before, "nothing written"


BAD_FILES = [
    ("a folder", ".", "is a folder; name a file in it"),
    ("a device", "/dev/null", "is a device, not a file"),
    ("below a file", "a-file/script.md", "its folder"),
    ("below a device", "/dev/null/script.md", "its folder /dev/null is a device"),
    ("in /proc", "/proc/script.md", "where the system makes its own files"),
]


@pytest.mark.parametrize("case, given, words", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_file_to_write_that_cannot_be_one_is_refused_first(place, monkeypatch, case, given, words):
    monkeypatch.chdir(place)
    before = tree(place)
    code, err = run("script", "title", "--out", given)
    assert code == 2 and len(err.strip().splitlines()) == 1 and words in err, err
    assert tree(place) == before
    assert Path("/dev/null").is_char_device(), "the device is still a device"


def test_good_paths_pass_and_nothing_is_made_to_check_them(tmp_path):
    for folder in (tmp_path, tmp_path / "new" / "deeper", Path("/dev/shm") / "lecture-test-never-made"):
        assert folder_problem(folder, will_create_inside=True) is None, folder
    assert file_problem(tmp_path / "new" / "script.md") is None
    assert not (tmp_path / "new").exists() and not (Path("/dev/shm") / "lecture-test-never-made").exists()


def test_an_existing_file_is_an_output_file_and_a_link_to_a_device_is_not(tmp_path):
    (tmp_path / "old.md").write_text("replace me")
    assert file_problem(tmp_path / "old.md") is None
    os.symlink("/dev/null", tmp_path / "sneaky.md")
    assert "device" in file_problem(tmp_path / "sneaky.md")
    os.symlink(tmp_path / "old.md", tmp_path / "folder-link")
    assert "is a file" in folder_problem(tmp_path / "folder-link")
