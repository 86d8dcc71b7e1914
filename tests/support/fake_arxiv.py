"""A scriptable stand-in for arXiv: a real HTTP/1.1 server on 127.0.0.1 and a random port.

    with FakeArxiv() as arxiv:
        arxiv.route("/rss/", body=rss_bytes)                 # standing reply
        arxiv.enqueue("/api/query", status=503)              # one-shot, used first
        client = ArxivClient(arxiv.env())
        ...
        method, path, headers, at = arxiv.requests[0]

Replies are chosen by the longest path prefix (the path includes the query string)
that has a queued or standing reply; one-shot replies are used in the order queued,
then the standing one. Unknown paths get 404. Recorded header names are lower case. Faults: `delay` before answering,
`drop=True` closes the connection without a reply, `truncate=n` announces the whole
body but sends only its first n bytes before closing, `drip=s` sends the body one byte
every s seconds, `size=n` announces and streams n bytes (the body repeated, in 64 KiB
writes, never held whole) until done or the client hangs up.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler
from typing import NamedTuple

from core.config import Env
from tests.support.loopback import LoopbackServer


@dataclass(frozen=True)
class Reply:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    truncate: int | None = None
    drip: float = 0.0
    size: int | None = None


class Recorded(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    at: float


NOT_FOUND = Reply(b"not found", 404, {"Content-Type": "text/plain"})


class FakeArxiv(LoopbackServer):
    def __init__(self) -> None:
        super().__init__(_Handler, "fake-arxiv")
        self.url = self.origin
        self.requests: list[Recorded] = []
        self._standing: dict[str, Reply] = {}
        self._queued: dict[str, deque[Reply]] = {}
        self._lock = threading.Lock()

    def env(self, **overrides) -> Env:
        """An Env whose feed, API and web bases all point here; no rate limit unless overridden."""
        env = Env(
            arxiv_rss_base=self.url,
            arxiv_api_base=f"{self.url}/api/query",
            arxiv_web_base=self.url,
            arxiv_min_interval=0.0,
        )
        return replace(env, **overrides)

    def route(self, path_prefix: str, body: bytes = b"", **options) -> None:
        """Answer every request under `path_prefix` this way (after any queued replies).
        `options` are Reply's: status, headers, delay, drop, truncate."""
        with self._lock:
            self._standing[path_prefix] = _reply(body, options)

    def enqueue(self, path_prefix: str, body: bytes = b"", **options) -> None:
        """Answer the next request under `path_prefix` this way, once (options as `route`)."""
        with self._lock:
            self._queued.setdefault(path_prefix, deque()).append(_reply(body, options))

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def _reply_for(self, method: str, path: str, headers: dict[str, str]) -> Reply:
        with self._lock:
            self.requests.append(Recorded(method, path, headers, time.monotonic()))
            live = [p for p in set(self._standing) | {p for p, q in self._queued.items() if q} if path.startswith(p)]
            if not live:
                return NOT_FOUND
            prefix = max(live, key=len)
            queue = self._queued.get(prefix)
            return queue.popleft() if queue else self._standing[prefix]


def _reply(body: bytes, options: dict) -> Reply:
    return Reply(body, **{**options, "headers": options.get("headers") or {}})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()

    def _answer(self) -> None:
        reply = self.server.fake._reply_for(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body) if reply.size is None else reply.size))
        if reply.drip or reply.size is not None:
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            with contextlib.suppress(OSError):  # the client hanging up ends the stream
                self._stream(reply)
            return
        if reply.truncate is not None:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(reply.body if reply.truncate is None else reply.body[: reply.truncate])
        if reply.truncate is not None:
            self.close_connection = True

    def _stream(self, reply: Reply) -> None:
        if reply.drip:
            for i in range(len(reply.body)):
                self.wfile.write(reply.body[i : i + 1])
                self.wfile.flush()
                time.sleep(reply.drip)
            return
        chunk = (reply.body or b"x") * max(1, 65536 // max(1, len(reply.body)))
        left = reply.size or 0
        while left > 0:
            self.wfile.write(chunk[:left])
            left -= min(left, len(chunk))

    def log_message(self, format, *args) -> None:
        pass
