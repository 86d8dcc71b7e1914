"""An ASGI app served by a real uvicorn server on 127.0.0.1 and a random port, in a thread.

with live_server(app) as base:        # "http://127.0.0.1:54321"
    httpx.get(base + "/feed")

wait_until_serving(base, process)     # a `cli serve` subprocess answers /api/health
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import uvicorn

START_TIMEOUT_S = 10


@contextlib.contextmanager
def live_server(app) -> Iterator[str]:
    """Serve `app` until the block ends; yields the base URL. Raises RuntimeError when
    the server has not started within START_TIMEOUT_S."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # so asyncio sets TCP_NODELAY
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        if not server.started:
            raise RuntimeError("uvicorn did not start")
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def wait_until_serving(base: str, process, seconds: float = 30) -> None:
    """Return once `base` answers /api/health; fails when `process` (the server's Popen)
    has exited or `seconds` have passed first."""
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/api/health", timeout=1).status_code < 600:
                return
        assert process.poll() is None and time.monotonic() < deadline, "python -m cli serve did not start"
        time.sleep(0.1)
