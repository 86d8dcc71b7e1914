"""The HTTP server under the loopback stand-ins (arXiv, the LLM provider): a real
HTTP/1.1 server on 127.0.0.1 and a free port, in a background thread."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler sleeping through a scripted delay must not hold up shutdown
    fake: object

    def handle_error(self, request, client_address) -> None:
        pass  # a client that timed out and hung up is part of the script, not a failure


class LoopbackServer:
    """Serve `handler` (whose `self.server.fake` is this object) while in a `with` block."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], name: str) -> None:
        self._server = _Server(("127.0.0.1", 0), handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name=name, daemon=True
        )
        host, port = self._server.server_address[:2]
        self.origin = f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
