"""Is a Dask scheduler at `--scheduler ADDRESS`? Asked on a plain socket before Dask connects.

Dask's client reads the first bytes a server sends as its message framing: a web server's reply, or
any other protocol's greeting, became a frame length of exabytes (a 40-line traceback, an attempt to
allocate 3 EiB). A Dask scheduler speaks first, at once, with a handshake: an 8-byte little-endian
length, then msgpack naming its `compression`, `python` and `pickle-protocol`. So: connect, read what
comes within a few seconds, and say in one line what answered when it is not that.
"""
from __future__ import annotations

import socket
import struct
import time
from urllib.parse import urlsplit

from lecture import UserError

GREETING_KEYS = (b"pickle-protocol", b"compression")  # in every Dask handshake (distributed.comm.core)
LONGEST_GREETING = 4096  # a handshake is about 60 bytes; a longer first message is not one


def address_parts(address: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a TCP address (`tcp://host:port` or `host:port`); None for another
    protocol (tls, ucx, inproc), which Dask itself is left to answer."""
    text = address if "://" in address else f"tcp://{address}"
    parts = urlsplit(text)
    if parts.scheme != "tcp":
        return None
    try:
        port = parts.port
    except ValueError:
        raise UserError(f"--scheduler {address}: the port is not a number from 0 to 65535; "
                        "give an address such as tcp://HOST:8786") from None
    if not parts.hostname or port is None:
        raise UserError(f"--scheduler {address}: give the scheduler's host and port, e.g. tcp://HOST:8786")
    return parts.scheme, parts.hostname, port


def first_bytes(host: str, port: int, seconds: float) -> bytes:
    """What the server at host:port says within `seconds` of accepting (b"" if it hung up at once);
    socket.timeout if it says nothing at all."""
    with socket.create_connection((host, port), timeout=seconds) as conn:
        deadline = time.monotonic() + seconds
        data = b""
        while len(data) < LONGEST_GREETING and not greeting_complete(data):
            conn.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = conn.recv(LONGEST_GREETING - len(data))
            except socket.timeout:
                if data:
                    return data  # slow: judged on what came
                raise
            if not chunk:
                return data
            data += chunk
        return data


def greeting_length(data: bytes) -> int | None:
    """The length Dask's framing puts first (8 bytes, little-endian), once that much has come."""
    return struct.unpack("<Q", data[:8])[0] if len(data) >= 8 else None


def greeting_complete(data: bytes) -> bool:
    """A whole first message in Dask's framing (its length, then that many bytes)."""
    length = greeting_length(data)
    return length is not None and (len(data) >= 8 + length or length > LONGEST_GREETING)


def is_dask_greeting(data: bytes) -> bool:
    length = greeting_length(data)
    return length is not None and length <= LONGEST_GREETING and all(key in data[8:8 + length] for key in GREETING_KEYS)


def said(data: bytes) -> str:
    """The start of what a server sent, as a person would read it."""
    first_line = data[:60].split(b"\n")[0].decode("ascii", errors="replace")
    shown = "".join(c if c.isprintable() else "." for c in first_line)
    return f"'{shown}'" if any(c.isalnum() for c in shown) else f"{len(data)} bytes that are not Dask's handshake"


def check_scheduler(address: str, seconds: float) -> None:
    """Nothing if a Dask scheduler greets at `address` within `seconds`; else a UserError saying what answered."""
    parts = address_parts(address)
    if parts is None:
        return
    _, host, port = parts
    where = f"--scheduler {address}"
    hint = "start one with `dask scheduler` and give its address, e.g. tcp://HOST:8786"
    try:
        data = first_bytes(host, port, seconds)
    except socket.timeout:
        raise UserError(f"{where}: something accepted the connection but said nothing in {seconds:g} s (a Dask "
                        f"scheduler greets at once; a web server waits for a request): not a Dask scheduler; {hint}") from None
    except socket.gaierror as err:
        raise UserError(f"{where}: the host {host} is not known ({err.strerror}); {hint}") from None
    except OSError as err:
        raise UserError(f"{where}: no Dask scheduler answers there ({err.strerror or err}); {hint}") from None
    if not data:
        raise UserError(f"{where}: something accepted the connection and closed it without a word: not a Dask "
                        f"scheduler; {hint}")
    if not is_dask_greeting(data):
        raise UserError(f"{where}: what answered there is not a Dask scheduler (it began with {said(data)}); {hint}")
