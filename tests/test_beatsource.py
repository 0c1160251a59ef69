"""Which beat an editor's save changed, read from the scene module's source (lecture/manim_compat/beatsource.py):
the studio drafts that beat; every other part of the module is what all the beats' keys share."""
from pathlib import Path

from lecture.manim_compat.beatsource import beat_sources, module_without_beat_bodies

MODULE = '''from scenes.kit.base import LectureScene, beat


class Demo(LectureScene):
    def construct(self) -> None:
        self.first()
        self.second()

    @beat("The first beat ^says this.")
    def first(self) -> None:
        self.wait(1.0)

    @beat("And the second "
          "says that.")
    def second(self) -> None:
        self.wait(2.0)
'''


def edited(tmp_path: Path, old: str, new: str) -> tuple[dict[str, str], str]:
    path = tmp_path / "demo.py"
    path.write_text(MODULE.replace(old, new))
    return beat_sources(path), module_without_beat_bodies(path)


def test_an_edit_inside_one_beat_changes_that_beats_digest_only(tmp_path):
    sources, rest = edited(tmp_path, "", "")
    assert list(sources) == ["first", "second"]
    for old, new, beat in (("self.wait(2.0)", "self.wait(2.5)", "second"),  # its body
                           ("^says this.", "^says this, now.", "first"),  # its narration
                           ("says that.", "says it.", "second")):  # the narration's second line
        now, now_rest = edited(tmp_path, old, new)
        assert [name for name in sources if sources[name] != now[name]] == [beat], (old, new)
        assert now_rest == rest  # what every key shares is the same: the other beats' kept states still hold


def test_an_edit_outside_every_beat_changes_what_they_share_and_no_digest(tmp_path):
    sources, rest = edited(tmp_path, "", "")
    now, now_rest = edited(tmp_path, "self.second()\n", "self.second()\n        self.wait(0.5)\n")
    assert now == sources and now_rest != rest


def test_a_file_that_does_not_parse_names_no_beat(tmp_path):
    path = tmp_path / "half.py"
    path.write_text(MODULE[:MODULE.index("def second")])  # a save caught half-written
    assert beat_sources(path) == {}
