"""A real `redis-server` on a free loopback port, for the Redis and Upstash store tests.

    with redis_server() as server:      # skips (or fails under REQUIRE_REDIS=1) without redis-server
        RedisStore(server.url)
        os.kill(server.pid, signal.SIGSTOP)   # a hung server (SIGCONT it before the block ends)

Nothing is persisted (`--save '' --appendonly no`); the working directory is a
temporary one removed on exit.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.support.required import missing

START_TIMEOUT = 5.0


@dataclass(frozen=True)
class RedisServer:
    host: str
    port: int
    pid: int = 0  # the redis-server process (a test may SIGSTOP it to hang the store)

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def client(self) -> redis.Redis:
        """A plain redis-py client (bytes replies); the caller closes it."""
        return redis.Redis(
            host=self.host, port=self.port, socket_timeout=2, socket_connect_timeout=2, retry=Retry(NoBackoff(), 0)
        )

    def flush(self) -> None:
        with contextlib.closing(self.client()) as client:
            client.flushdb()


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server_binary() -> str:
    """The path of `redis-server`; skips the test without it, or fails it when
    REQUIRE_REDIS=1 (CI), so a missing server never passes silently there."""
    path = shutil.which("redis-server")
    if path is None:
        missing("redis-server not installed: apt-get install redis-server (or brew install redis)", "REQUIRE_REDIS")
    return path


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    """Start redis-server, wait until it answers PING, stop it on exit."""
    binary = redis_server_binary()
    with tempfile.TemporaryDirectory(prefix="redis-test-") as workdir:
        for _ in range(3):  # another process may grab the free port before redis binds it
            server = RedisServer("127.0.0.1", free_port())
            proc = _start(binary, server, workdir)
            try:
                if _wait_for_ping(server, proc):
                    yield RedisServer(server.host, server.port, proc.pid)
                    return
            finally:
                _stop(proc)
        log = Path(workdir, "redis.log")
        tail = log.read_text(encoding="utf-8", errors="replace")[-500:] if log.exists() else ""
        raise RuntimeError(f"redis-server did not start; last log lines:\n{tail}")


def _start(binary: str, server: RedisServer, workdir: str) -> subprocess.Popen:
    args = [
        binary,
        "--port",
        str(server.port),
        "--bind",
        server.host,
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        workdir,
        "--logfile",
        os.path.join(workdir, "redis.log"),
    ]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for_ping(server: RedisServer, proc: subprocess.Popen) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    with contextlib.closing(server.client()) as client:
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if client.ping():
                    return True
            except redis.ConnectionError:
                time.sleep(0.02)
    return False


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
