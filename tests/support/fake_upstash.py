"""A loopback server speaking Upstash's REST protocol, backed by a real redis-server.

    with FakeUpstash(redis_server, token="t") as upstash:
        Redis(url=upstash.url, token="t")          # the real SDK, unchanged

What it answers, as Upstash does (https://upstash.com/docs/redis/features/restapi):

    POST /             ["SET", "k", "v"]            -> {"result": "OK"}
    POST /pipeline     [["SET", ...], ["GET", ...]] -> [{"result": ...}, {"error": ...}]
    POST /multi-exec   same body, run in MULTI/EXEC -> [{"result": ...}, ...]

- `Authorization: Bearer <token>` is required; otherwise 401 {"error": "Unauthorized"}.
- A command Redis refuses: 400 {"error": "ERR ..."} (inside a pipeline: that entry only).
- `Upstash-Encoding: base64` base64-encodes every string in a result except the
  status reply "OK", which the SDK expects unencoded. (redis-py cannot tell a status
  reply from a bulk string, so any "OK" reply stays unencoded; the SDK decodes both
  the same way.) Without it, strings are sent as UTF-8 text.

Test controls: `commands` counts the Redis commands received, `delay` holds every
request back that many seconds before it runs, `down()` closes the listening socket
(clients get "connection refused") and `up()` listens again on the same port;
`wait_idle()` waits for requests still being answered (say, after a client timed out).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.support.redis_server import RedisServer


class FakeUpstash:
    def __init__(self, backend: RedisServer, token: str = "test-token"):
        self.token = token
        self.commands = 0
        self.delay = 0.0
        self._lock = threading.Lock()
        self._in_flight = 0
        self._idle = threading.Condition(self._lock)
        self._redis = redis.Redis(host=backend.host, port=backend.port, socket_timeout=5, retry=Retry(NoBackoff(), 0))
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FakeUpstash:
        self.up()
        return self

    def __exit__(self, *exc) -> None:
        self.down()
        self._redis.close()

    def up(self) -> None:
        """Listen (again, on the same port once it has one) and answer in a thread."""
        if self._httpd is not None:
            return
        httpd = _Server(("127.0.0.1", self.port), _Handler)
        httpd.fake = self
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def down(self) -> None:
        """Stop listening: new connections are refused until `up()`."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
        self._httpd = self._thread = None

    def reset(self) -> None:
        """Back to a listening, prompt server with a zero command count."""
        self.delay = 0.0
        self.up()
        self.wait_idle()
        with self._lock:
            self.commands = 0

    def wait_idle(self, timeout: float = 5.0) -> None:
        with self._idle:
            if not self._idle.wait_for(lambda: self._in_flight == 0, timeout):
                raise RuntimeError(f"fake Upstash still answering {self._in_flight} request(s) after {timeout}s")

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1

    def _leave(self) -> None:
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()

    def run(self, commands: list[list], transaction: bool = False) -> list[dict]:
        """Run commands on the backing Redis; one {"result"} or {"error"} per command."""
        with self._lock:
            self.commands += len(commands)
        pool = self._redis.connection_pool
        conn = pool.get_connection()
        try:
            if transaction:
                return _transaction(conn, commands)
            return [_one(conn, command) for command in commands]
        finally:
            pool.release(conn)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a burst of concurrent clients connects as it would to Upstash, not reset
    fake: FakeUpstash

    def handle_error(self, request, client_address) -> None:
        pass  # a client that timed out and hung up is expected here, not a failure


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        self.server.fake._enter()
        try:
            self._answer(self.server.fake)
        finally:
            self.server.fake._leave()

    def _answer(self, fake: FakeUpstash) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if fake.delay:
            time.sleep(fake.delay)
        if self.headers.get("Authorization") != f"Bearer {fake.token}":
            return self._send(401, {"error": "Unauthorized"})
        try:
            payload = json.loads(body)
        except ValueError:
            return self._send(400, {"error": "ERR failed to parse command"})
        encode = self.headers.get("Upstash-Encoding") == "base64"
        if self.path.rstrip("/") == "":
            if not _is_command(payload):
                return self._send(400, {"error": "ERR failed to parse command"})
            [reply] = fake.run([payload])
            return self._send(400 if "error" in reply else 200, _encoded(reply, encode))
        if self.path in ("/pipeline", "/multi-exec"):
            if not isinstance(payload, list) or not all(_is_command(c) for c in payload):
                return self._send(400, {"error": "ERR failed to parse pipeline request"})
            replies = fake.run(payload, transaction=self.path == "/multi-exec")
            return self._send(200, [_encoded(r, encode) for r in replies])
        self._send(404, {"error": "ERR unknown path"})

    def _send(self, status: int, document) -> None:
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args) -> None:
        pass


def _is_command(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(a, (str, int, float)) for a in value)


def _one(conn, command: list) -> dict:
    try:
        conn.send_command(*command)
        return {"result": conn.read_response()}
    except redis.ResponseError as exc:
        return {"error": _error_text(exc)}


def _transaction(conn, commands: list[list]) -> list[dict]:
    conn.send_command("MULTI")
    conn.read_response()
    queued = [_one(conn, command) for command in commands]
    if any("error" in q for q in queued):
        conn.send_command("DISCARD")
        conn.read_response()
        return [q if "error" in q else {"error": "EXECABORT Transaction discarded"} for q in queued]
    conn.send_command("EXEC")
    results = conn.read_response()
    return [{"error": _error_text(r)} if isinstance(r, Exception) else {"result": r} for r in results]


def _error_text(exc: Exception) -> str:
    # redis-py strips the "ERR " prefix Redis (and so Upstash) sends.
    text = str(exc)
    return text if text.split(" ", 1)[0].isupper() else f"ERR {text}"


def _encoded(reply: dict, base64_strings: bool) -> dict:
    if "result" not in reply:
        return reply
    return {"result": _encode(reply["result"], base64_strings)}


def _encode(value, base64_strings: bool):
    if isinstance(value, list):
        return [_encode(v, base64_strings) for v in value]
    if not isinstance(value, bytes):
        return value
    if not base64_strings:
        return value.decode("utf-8", errors="replace")
    return "OK" if value == b"OK" else base64.b64encode(value).decode("ascii")
