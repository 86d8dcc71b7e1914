"""Run a built Vercel Python function the way the platform's runtime runs it.

    result = invoke(bundle, python, env, paths)     # in a sandbox: no network but loopback
    result["responses"][0]["status"]

What the platform does, read from the handler module the builder writes into the function
(`vc__handler__python.py`, which imports `vercel_runtime.vc_init` from the bundle's
`_vendor`): the runtime starts the interpreter in the function's folder (/var/task) with the
function's environment, `VERCEL_IPC_PATH` naming a Unix socket it listens on; importing the
handler module imports the app and starts an HTTP server on a loopback port, then sends
`{"type": "server-started", "payload": {"httpPort": ...}}` (JSON, NUL-terminated) over that
socket. Each request is then proxied to that port with `x-vercel-internal-invocation-id` and
`x-vercel-internal-request-id` headers; the function answers `handler-started` and `end`
messages around it, and its log lines travel over the same socket.

`invoke` plays that runtime inside new network and mount namespaces (`unshare -n -m`,
with `-r` when not root): only loopback exists, the bundle is bind-mounted read-only,
/tmp stays writable. A real redis-server behind the Upstash REST stand-in holds seeded
days and their vectors, as Vercel's Upstash integration would. The sandboxed half is this module's `main`.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
BODY_LIMIT = 200_000
UPSTASH_TOKEN = "vercel-runtime-test-token"


def sandbox_prefix() -> list[str] | None:
    """The `unshare` command that gives a new network and mount namespace here, or None."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    prefix = [unshare, "-n", "-m"] if os.geteuid() == 0 else [unshare, "-r", "-n", "-m"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=30)
    return prefix if probe.returncode == 0 else None


def invoke(bundle: Path, python: str, env: dict[str, str], paths: list[dict], seed_days: int = 3) -> dict:
    """Start the function in the sandbox, send each of `paths` ({"path", "headers"}) in turn,
    and return {"ready_s", "responses": [...], "messages": [...], "stderr"}. Raises
    RuntimeError with the function's own output when it does not start."""
    prefix = sandbox_prefix()
    if prefix is None:
        raise RuntimeError("unshare cannot make a network and mount namespace here")
    spec = {"bundle": str(bundle), "python": python, "env": env, "paths": paths, "seed_days": seed_days}
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "tests.support.vercel_runtime"],
        input=json.dumps(spec),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the sandboxed runtime failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout)


# The sandboxed half ---------------------------------------------------------------------------


def _read_only(path: Path) -> None:
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
    subprocess.run(["mount", "-o", "remount,ro,bind", str(path)], check=True)


class _Ipc:
    """The runtime's end of VERCEL_IPC_PATH: collects the function's messages."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.messages: list[dict] = []
        self.started = threading.Event()
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(path))
        self._server.listen(1)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        conn, _ = self._server.accept()
        buffer = b""
        while chunk := conn.recv(65536):
            buffer += chunk
            *complete, buffer = buffer.split(b"\0")
            for raw in complete:
                message = json.loads(raw)
                self.messages.append(message)
                if message.get("type") in ("server-started", "unrecoverable-error"):
                    self.started.set()

    def first(self, kind: str) -> dict | None:
        return next((m for m in self.messages if m.get("type") == kind), None)


def _request(port: int, number: int, item: dict) -> dict:
    headers = {
        "host": "arxiv-rss.vercel.app",
        "x-forwarded-host": "arxiv-rss.vercel.app",
        "x-forwarded-proto": "https",
        "x-vercel-internal-invocation-id": f"inv-{number}",
        "x-vercel-internal-request-id": str(number),
        **item.get("headers", {}),
    }
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(item.get("method", "GET"), item["path"], headers=headers)
        res = conn.getresponse()
        body = res.read()
    finally:
        conn.close()
    return {
        "path": item["path"],
        "status": res.status,
        "headers": {k.lower(): v for k, v in res.getheaders()},
        "body": body[:BODY_LIMIT].decode("utf-8", "replace"),
        "seconds": time.perf_counter() - start,
    }


def _seeded_upstash(stack, bundle: Path, days: int) -> str:
    """A real redis-server behind the Upstash REST stand-in, holding `days` seeded days."""
    from core.config import load_config
    from core.store.upstash import UpstashStore
    from tests.support.fake_upstash import FakeUpstash
    from tests.support.redis_server import redis_server
    from tests.support.seed import seed_store

    server = stack.enter_context(redis_server())
    upstash = stack.enter_context(FakeUpstash(server, token=UPSTASH_TOKEN))
    store = UpstashStore(upstash.url, UPSTASH_TOKEN, "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN")
    if days:
        from core.embed.embedder import WordLlama
        from core.refresh.embedding import embed_days
        from core.store.publish import publish

        config = load_config(str(bundle / "config.json"))
        manifest = seed_store(store, config, days=days, per_day=40)
        manifest, _ = embed_days(store, manifest, WordLlama(config.embeddings), config.retention_days)
        publish(store, manifest)
    return upstash.url


def main() -> None:
    import contextlib
    import tempfile

    spec = json.loads(sys.stdin.read())
    bundle = Path(spec["bundle"])
    with contextlib.ExitStack() as stack:
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        upstash_url = _seeded_upstash(stack, bundle, spec["seed_days"])
        _read_only(bundle)
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vc-runtime-")))
        ipc = _Ipc(work / "ipc.sock")
        config = json.loads((bundle / ".vc-config.json").read_text()) if (bundle / ".vc-config.json").exists() else {}
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": "/tmp",
            "TMPDIR": "/tmp",
            "LANG": "C.UTF-8",
            "VERCEL": "1",
            "VERCEL_ENV": "production",
            "VERCEL_URL": "arxiv-rss.vercel.app",
            "UPSTASH_REDIS_REST_URL": upstash_url,
            "UPSTASH_REDIS_REST_TOKEN": UPSTASH_TOKEN,
            **config.get("environment", {}),
            **spec["env"],
            "VERCEL_IPC_PATH": str(ipc.path),
        }
        handler_module = config.get("handler", "vc__handler__python.vc_handler").rsplit(".", 1)[0]
        spawned = time.perf_counter()
        proc = subprocess.Popen(
            [spec["python"], "-s", "-c", f"import {handler_module}"],
            cwd=bundle,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        stack.callback(proc.kill)
        ipc.started.wait(START_TIMEOUT)
        started = ipc.first("server-started")
        if started is None:
            proc.kill()
            out, err = proc.communicate(timeout=10)
            failure = ipc.first("unrecoverable-error")
            sys.exit(f"the function did not start: {failure}\n{err.decode(errors='replace')[-3000:]}")
        ready = time.perf_counter() - spawned
        port = started["payload"]["httpPort"]
        responses = [_request(port, n, item) for n, item in enumerate(spec["paths"], 1)]
        proc.terminate()
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        result = {
            "ready_s": ready,
            "first_s": ready + (responses[0]["seconds"] if responses else 0.0),
            "responses": responses,
            "messages": ipc.messages,
            "stderr": err.decode(errors="replace"),
            "upstash_url": upstash_url,
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
