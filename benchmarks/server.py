"""The app under uvicorn in its own process, plus the static baseline and a memory probe.

    python -m benchmarks.server          # reads ARXIV_RSS_CONFIG, ARXIV_RSS_DB; prints "port <n>"

The app is `api.index.app` with its real wiring (config file, SQLite store, the
process-wide Service). Routes are added for the benchmark, outside the
app's own namespace:

    PUT /__bench/static    the bytes (and the feed's content type and cache headers) to serve
    GET /__bench/static    those bytes as a plain response: the baseline, a static file
                           served by the same uvicorn and the same FastAPI app
    GET /__bench/static-sync  the same from a plain (non-async) function, which FastAPI
                           runs in its thread pool as it does the feed routes
    GET /__bench/memory    {"peak_mb", "rss_mb"} of this process (with BENCH_WORKERS=N,
                           of whichever worker answers)

`ServerProcess` starts it from the benchmark, waits for the port and stops it.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from fastapi import Request, Response
from fastapi.responses import JSONResponse

ROOT = Path(__file__).resolve().parent.parent
HEADERS = ("content-type", "etag", "cache-control", "last-modified")
START_TIMEOUT = 60.0


def memory_mb() -> dict:
    """This process's peak and current resident set size, in MB (Linux: /proc; else getrusage)."""
    status = Path("/proc/self/status")
    if status.exists():
        fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        return {"peak_mb": int(fields["VmHWM"].split()[0]) / 1024, "rss_mb": int(fields["VmRSS"].split()[0]) / 1024}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024
    return {"peak_mb": peak_mb, "rss_mb": peak_mb}


def bench_app():
    """api.index.app with the benchmark routes added."""
    from api.index import app

    static = {"body": b"", "headers": {}}

    async def put_static(request: Request) -> Response:
        static["body"] = await request.body()
        static["headers"] = {k: v for k, v in request.headers.items() if k.startswith("x-static-")}
        return Response(status_code=204)

    def get_static_response() -> Response:
        headers = {k.removeprefix("x-static-"): v for k, v in static["headers"].items()}
        media_type = headers.pop("content-type", None)
        return Response(static["body"], media_type=media_type, headers=headers)

    async def get_static() -> Response:
        return get_static_response()

    def get_static_sync() -> Response:  # a plain function: FastAPI runs it in its thread pool
        return get_static_response()

    async def memory() -> JSONResponse:
        return JSONResponse(memory_mb())

    app.add_api_route("/__bench/static", put_static, methods=["PUT"], include_in_schema=False)
    app.add_api_route("/__bench/static", get_static, methods=["GET"], include_in_schema=False)
    app.add_api_route("/__bench/static-sync", get_static_sync, methods=["GET"], include_in_schema=False)
    app.add_api_route("/__bench/memory", memory, methods=["GET"], include_in_schema=False)
    return app


def main() -> None:
    import uvicorn

    workers = int(os.environ.get("BENCH_WORKERS", "1"))
    # proto=IPPROTO_TCP, so asyncio sets TCP_NODELAY on accepted connections (it checks the
    # protocol number); with the default 0, each response waits out the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    if workers > 1:  # uvicorn's own worker processes, each importing the app
        sock.close()
        print(f"port {port}", flush=True)
        uvicorn.run(
            "benchmarks.server:bench_app",
            factory=True,
            host="127.0.0.1",
            port=port,
            workers=workers,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        return
    print(f"port {port}", flush=True)
    config = uvicorn.Config(bench_app(), log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


def subprocess_env(config_path: str, db_path: str) -> dict[str, str]:
    """The environment of a benchmark child process: the app on this config and SQLite file,
    no other store, not "on Vercel", and compiled bytecode kept (as a deployment has it) in a
    cache folder under the system's temporary directory, outside the repository."""
    env = {**os.environ, "ARXIV_RSS_CONFIG": config_path, "ARXIV_RSS_DB": db_path, "PYTHONPATH": str(ROOT)}
    for var in ("REDIS_URL", "UPSTASH_REDIS_REST_URL", "KV_REST_API_URL", "VERCEL", "PYTHONDONTWRITEBYTECODE"):
        env.pop(var, None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "arxiv-rss-bench-pycache")
    return env


class ServerProcess:
    """`python -m benchmarks.server` on a store and config; `url` once it listens."""

    def __init__(self, config_path: str, db_path: str, workers: int = 1):
        env = {**subprocess_env(config_path, db_path), "BENCH_WORKERS": str(workers)}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.server"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        line = self._proc.stdout.readline()
        if not line.startswith("port "):
            self.stop()
            raise RuntimeError(f"benchmark server did not start (said {line!r})")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"

    def wait_ready(self, http) -> None:
        """Poll until uvicorn answers (it prints the port before it serves)."""
        import time

        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                http.get(self.url + "/__bench/memory")
                return
            except Exception:
                if time.monotonic() > deadline or self._proc.poll() is not None:
                    raise
                time.sleep(0.05)

    def set_static(self, http, response) -> None:
        """Serve `response`'s body and headers from /__bench/static."""
        headers = {f"x-static-{k}": response.headers[k] for k in HEADERS if k in response.headers}
        http.put(self.url + "/__bench/static", content=response.content, headers=headers).raise_for_status()

    def memory(self, http) -> dict:
        return json.loads(http.get(self.url + "/__bench/memory").content)

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc.stdout:
            self._proc.stdout.close()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":
    main()
