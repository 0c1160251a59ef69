"""Cache entries that are code (pickles) sealed with this user's own key, so a foreign one is never loaded.

The text cache keeps parsed SVGs as pickles in the media folder (and on cluster workers in their cache),
and `pickle.loads` runs whatever an entry holds. A media folder copied from someone else (a shared course
repository, a zip of renders, a colleague's cluster cache) must not run their code here. Each entry is
written as MAGIC + HMAC-SHA256(key, payload) + payload, the key being 32 random bytes kept in this user's
config folder (`$XDG_CONFIG_HOME/lecture/cache.key`, or `~/.config/lecture/`, mode 0600, made on first
use); an entry whose seal does not verify is ignored, and the caller makes it again. When the config
folder cannot be written, the key lives only as long as the process: entries are still sealed, and only
this process trusts them.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

MAGIC = b"LECTURE-SEALED-1\n"
DIGEST = hashlib.sha256().digest_size
KEY_BYTES = 32


def key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "lecture" / "cache.key"


@functools.cache
def key() -> bytes:
    """This user's key: read, or made once (atomically: two renders starting together agree on one)."""
    path = key_file()
    try:
        found = path.read_bytes()
        if len(found) == KEY_BYTES:
            return found
    except OSError:
        pass
    fresh = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache.key.")
        try:
            os.write(fd, fresh)
            os.close(fd)
            os.link(tmp, path)  # fails if another process made it first: theirs is the key
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        found = path.read_bytes()
        return found if len(found) == KEY_BYTES else fresh
    except OSError:
        return fresh  # no writable config folder: trusted by this process only


def seal(payload: bytes) -> bytes:
    return MAGIC + hmac.new(key(), payload, hashlib.sha256).digest() + payload


def unseal(blob: bytes) -> bytes | None:
    """The payload if this user's key sealed it, else None (foreign, damaged, or of an older format)."""
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + DIGEST:
        return None
    tag, payload = blob[len(MAGIC):len(MAGIC) + DIGEST], blob[len(MAGIC) + DIGEST:]
    return payload if hmac.compare_digest(tag, hmac.new(key(), payload, hashlib.sha256).digest()) else None
