"""A scriptable OpenAI-compatible provider: a real HTTP/1.1 server on 127.0.0.1 and a random port.

    with FakeLLM() as llm:
        llm.enqueue(Reply(status=429), Reply(text="## 1. ..."))   # one-shot replies, in order
        llm.default = Reply(text="...", delay=0.5)                  # then this, for every call
        ... OpenAI(base_url=llm.base_url, api_key="k") ...
        llm.calls, llm.requests[0].json["messages"], llm.requests[0].headers["authorization"]

It speaks the chat completions protocol: `POST /v1/chat/completions` with a JSON body,
answered with a `chat.completion` object carrying `usage`, or an `{"error": {...}}` body
for a non-200 status. Any other path gets 404. Recorded header names are lower case.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import NamedTuple

from tests.support.loopback import LoopbackServer

DEFAULT_TEXT = """## 1. Main contributions and novelty
A faster attention kernel.

## 2. Experimental method and setup
Eight GPUs, three baselines.

## 3. Main results and performance
2.1x throughput.

## 4. Conclusions and findings
Works; limited to NVIDIA hardware."""


@dataclass(frozen=True)
class Reply:
    """One scripted answer. `text=None` sends a completion whose content is null; `body`
    replaces the whole response body; `delay` is slept before answering."""

    text: str | None = DEFAULT_TEXT
    status: int = 200
    delay: float = 0.0
    prompt_tokens: int = 1000
    completion_tokens: int = 200
    finish_reason: str = "stop"
    error: str = ""
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


class Request(NamedTuple):
    path: str
    headers: dict[str, str]
    json: dict
    at: float


class FakeLLM(LoopbackServer):
    def __init__(self, default: Reply | None = None) -> None:
        super().__init__(_Handler, "fake-llm")
        self.base_url = f"{self.origin}/v1"
        self.default = default or Reply()
        self.requests: list[Request] = []
        self.max_active = 0  # the most requests being answered at once
        self._active = 0
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()

    @property
    def calls(self) -> int:
        """Chat completion requests received (retries included)."""
        with self._lock:
            return sum(1 for r in self.requests if r.path.endswith("/chat/completions"))

    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def _reply_for(self, path: str, headers: dict[str, str], body: bytes) -> Reply | None:
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = {"unparsed": body.decode("utf-8", "replace")}
        with self._lock:
            self.requests.append(Request(path, headers, data, time.monotonic()))
            if path.rstrip("/") != "/v1/chat/completions":
                return None
            return self._queue.popleft() if self._queue else self.default

    def _track(self, delta: int) -> None:
        with self._lock:
            self._active += delta
            self.max_active = max(self.max_active, self._active)


def completion_body(reply: Reply, model: str) -> bytes:
    """A `chat.completion` object as the OpenAI API sends it."""
    if reply.body is not None:
        return reply.body
    if reply.status != 200:
        message = reply.error or f"scripted failure {reply.status}"
        return json.dumps({"error": {"message": message, "type": "scripted", "code": str(reply.status)}}).encode()
    return json.dumps(
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": reply.finish_reason,
                    "message": {"role": "assistant", "content": reply.text},
                }
            ],
            "usage": {
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": reply.completion_tokens,
                "total_tokens": reply.prompt_tokens + reply.completion_tokens,
            },
        }
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.fake._reply_for(self.path, headers, body)
        if reply is None:
            self._send(404, b'{"error": {"message": "no such route", "type": "not_found"}}', {})
            return
        self.server.fake._track(+1)
        try:
            if reply.delay:
                time.sleep(reply.delay)
        finally:
            self.server.fake._track(-1)
        try:
            model = json.loads(body).get("model", "")
        except ValueError:
            model = ""
        self._send(reply.status, completion_body(reply, model), reply.headers)

    def do_GET(self) -> None:
        self.server.fake._reply_for(self.path, {k.lower(): v for k, v in self.headers.items()}, b"")
        self._send(404, b'{"error": {"message": "no such route", "type": "not_found"}}', {})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:
        pass
