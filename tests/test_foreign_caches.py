"""Caches that are code: an entry this user's key did not seal is never unpickled (lecture/sealed.py).

A hostile pickle planted where the text cache keeps its parses (as a media folder copied from someone
else would hold it) must not run: its payload would create a file. It is parsed again instead, and the
entry replaced with one of this user's. The speech cache holds only data (numpy's format without pickles).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from manim import Text

from lecture import sealed
from lecture.voice.narrator import SpeechCache
from tests.test_svgcache import caches  # noqa: F401 (a fixture: a render's text caches, parses kept)


class Payload:
    """Unpickling this creates `marker`: the proof that a cache entry's code ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.fixture
def own_key(tmp_path, monkeypatch):
    """This test's user: a config folder of its own (so the real one is never touched), key made anew."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    sealed.key.cache_clear()
    yield tmp_path / "config" / "lecture" / "cache.key"
    sealed.key.cache_clear()


def sealed_with(key: bytes, payload: bytes) -> bytes:
    return sealed.MAGIC + hmac.new(key, payload, hashlib.sha256).digest() + payload


def test_a_sealed_payload_opens_only_with_its_key(own_key):
    payload = b"some bytes"
    assert sealed.unseal(sealed.seal(payload)) == payload
    assert sealed.unseal(sealed_with(os.urandom(32), payload)) is None, "another user's key"
    assert sealed.unseal(payload) is None, "no seal at all (an entry of the format before)"
    tampered = bytearray(sealed.seal(payload))
    tampered[-1] ^= 1
    assert sealed.unseal(bytes(tampered)) is None, "a changed payload"
    assert sealed.unseal(sealed.MAGIC + b"short") is None


def test_the_key_is_private_and_kept(own_key):
    first = sealed.key()
    assert own_key.read_bytes() == first and len(first) == 32
    assert own_key.stat().st_mode & 0o077 == 0, "readable by this user only"
    sealed.key.cache_clear()
    assert sealed.key() == first, "read back, not made again"


@pytest.mark.slow
def test_processes_starting_together_agree_on_one_key(own_key):
    """Renders started at once each make a key if none exists: they must end with the same one."""
    code = "from lecture import sealed; print(sealed.key().hex())"
    runs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=os.environ.copy())
            for _ in range(4)]
    keys = {run.communicate(timeout=60)[0].strip() for run in runs}
    assert keys == {own_key.read_bytes().hex()}


@pytest.mark.parametrize("seal_it", [lambda data: data, lambda data: sealed_with(os.urandom(32), data)],
                         ids=["a bare pickle", "a pickle sealed by someone else"])
def test_a_foreign_text_parse_is_never_loaded(own_key, caches, seal_it):
    original = Text("w.grad", font_size=30)
    (entry,) = (caches / "texts").rglob("*.parsed")
    marker = caches / "the-payload-ran"
    entry.write_bytes(seal_it(pickle.dumps(Payload(marker))))
    again = Text("w.grad", font_size=30)
    assert not marker.exists(), "the planted pickle was loaded"
    assert [m.points.tolist() for m in again.family_members_with_points()] == \
        [m.points.tolist() for m in original.family_members_with_points()]
    assert sealed.unseal(entry.read_bytes()) is not None, "replaced by this user's own entry"


def test_an_entry_sealed_by_a_former_key_is_parsed_again(caches, own_key):
    """A key file replaced (a new machine, a wiped config folder) makes every old entry foreign."""
    Text("w.grad", font_size=30)
    own_key.write_bytes(os.urandom(32))
    sealed.key.cache_clear()
    (entry,) = (caches / "texts").rglob("*.parsed")
    before = entry.read_bytes()
    Text("w.grad", font_size=30)
    assert entry.read_bytes() != before and sealed.unseal(entry.read_bytes()) is not None


def test_the_speech_cache_holds_data_only(tmp_path):
    """A .npy with an object array inside (a pickle) is treated as absent: synthesised again, not loaded."""
    marker = tmp_path / "the-payload-ran"
    hostile = np.array([Payload(marker)], dtype=object)
    np.save(tmp_path / "abc.npy", hostile, allow_pickle=True)
    assert SpeechCache(tmp_path).get("abc") is None
    assert not marker.exists()
    SpeechCache(tmp_path).put("abc", np.zeros(4, np.float32))
    assert SpeechCache(tmp_path).get("abc").tolist() == [0.0] * 4
