"""`--scheduler ADDRESS` where something other than a Dask scheduler answers: one line naming the address and
what answered, exit 2, within seconds, on every command that takes it (lecture/cluster/probe.py).

The servers here are loopback sockets of this test (nothing leaves the machine); the real scheduler's
greeting is checked in tests/test_cluster.py, which renders on a LocalCluster.
"""
from __future__ import annotations

import contextlib
import http.server
import socket
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

from lecture.cluster.probe import is_dask_greeting
from tests.in_process import run

HOLD_S = 20  # how long a silent server keeps a connection open: longer than the probe waits


def serve(answer: Callable[[socket.socket], None]) -> tuple[str, Callable[[], None]]:
    """A loopback server that calls `answer` on each connection in a thread of its own; its address and a stop."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stopping = threading.Event()

    def loop() -> None:
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                continue
            threading.Thread(target=answer, args=(conn,), daemon=True).start()
        listener.close()

    threading.Thread(target=loop, daemon=True).start()
    return f"tcp://127.0.0.1:{listener.getsockname()[1]}", stopping.set


def hang_up(conn: socket.socket) -> None:
    conn.close()


def say_nothing(conn: socket.socket) -> None:
    time.sleep(HOLD_S)
    conn.close()


def ssh_banner(conn: socket.socket) -> None:
    conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    time.sleep(1)
    conn.close()


def claim_exabytes(conn: socket.socket) -> None:
    """Dask's framing read naively: a first length of 3 EiB (the allocation that failed before)."""
    conn.sendall((3 << 60).to_bytes(8, "little") + b"\x00" * 16)
    time.sleep(1)
    conn.close()


def trickle(conn: socket.socket) -> None:
    """A slow server: a byte a second, never a greeting."""
    with contextlib.suppress(OSError):
        for _ in range(HOLD_S):
            conn.sendall(b"\x07")
            time.sleep(1)
    conn.close()


SERVERS = {"hangs up": (hang_up, "closed it without a word"), "says nothing": (say_nothing, "said nothing"),
           "an ssh server": (ssh_banner, "'SSH-2.0-OpenSSH"), "claims exabytes": (claim_exabytes, "not a Dask scheduler"),
           "trickles bytes": (trickle, "not a Dask scheduler")}
COMMANDS = [["render", "title"], ["video"], ["slides", "title"]]
# Every kind on `render`; on the other commands (the same code path) the kinds that answer at once.
CASES = [(["render", "title"], kind) for kind in SERVERS] + \
    [(command, kind) for command in COMMANDS[1:] for kind in ("hangs up", "an ssh server", "claims exabytes")]


@pytest.mark.parametrize("command, kind", CASES, ids=[f"{c[0]}: {k}" for c, k in CASES])
def test_something_else_answering_is_one_line_exit_2(tmp_path, command, kind):
    answer, words = SERVERS[kind]
    address, stop = serve(answer)
    try:
        started = time.monotonic()
        code, err = run(*command, "-q", "t", "--out", str(tmp_path), "--scheduler", address)
        took = time.monotonic() - started
    finally:
        stop()
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert address in err and words in err and "not a Dask scheduler" in err, err
    assert took < 15, f"a hang guard, not a speed target: {took:.1f} s"
    assert not any(p.suffix == ".mp4" for p in Path(tmp_path).rglob("*")), "nothing rendered"


def test_a_web_server_is_named_as_what_it_likely_is(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        code, err = run("render", "title", "-q", "t", "--out", str(tmp_path), "--scheduler",
                        f"tcp://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
    assert code == 2 and "said nothing" in err and "web server" in err, err


@pytest.mark.parametrize("address, words", [
    ("tcp://127.0.0.1", "give the scheduler's host and port"),
    ("tcp://127.0.0.1:http", "the port is not a number"),
    ("127.0.0.1:99999", "the port is not a number"),
    ("tcp://no-such-host.invalid:8786", "is not known"),
])
def test_an_address_that_is_not_one_is_one_line(tmp_path, address, words):
    code, err = run("render", "title", "-q", "t", "--out", str(tmp_path), "--scheduler", address)
    assert code == 2 and len(err.strip().splitlines()) == 1 and words in err, err


def test_what_a_dask_greeting_looks_like():
    """The bytes a real scheduler sent on connecting (distributed 2026.8.0), and near misses."""
    real = (bytes.fromhex("3a00000000000000" "0100000000000000" "2a00000000000000")
            + b"\x83\xabcompression\xc0\xa6python\x93\x03\x0b\x07\xafpickle-protocol\x05")
    assert is_dask_greeting(real)
    assert not is_dask_greeting(real[:8])
    assert not is_dask_greeting(b"HTTP/1.0 400 Bad request\r\n")
    assert not is_dask_greeting((3 << 60).to_bytes(8, "little") + real[8:])
