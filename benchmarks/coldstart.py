"""Cold start: `import api.index` in a fresh process, against a minimal FastAPI app.

Each run is a new interpreter that times its own import (`time.perf_counter`
around it; interpreter start-up is the same for both and left out), with
compiled bytecode cached (`server.subprocess_env`), as a deployment has it. The app's
runs then answer one `/feed` through the ASGI interface directly (no HTTP client
library, so nothing extra is imported) and list which heavy modules the feed
path loaded: the LLM client, the PDF reader, the arXiv client, the summaries.
Runs alternate between the app and the baseline.
"""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.report import Result, median
from benchmarks.server import ROOT, subprocess_env

FORBIDDEN = ("openai", "pypdf", "core.ingest.client", "core.summaries")

APP = """
import time
start = time.perf_counter()
import api.index
seconds = time.perf_counter() - start

import asyncio, json, sys

async def get(path, query=b""):
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query, "root_path": "",
             "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    sent = []
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        sent.append(message)
    await api.index.app(scope, receive, send)
    return sent[0]["status"]

first = time.perf_counter()
status = asyncio.run(get("/feed"))
first = time.perf_counter() - first
forbidden = sys.argv[1:]
loaded = sorted(m for m in sys.modules if any(m == f or m.startswith(f + ".") for f in forbidden))
print(json.dumps({"import_s": seconds, "first_feed_s": first, "status": status, "loaded": loaded}))
"""

BASELINE = """
import time
start = time.perf_counter()
from fastapi import FastAPI
app = FastAPI()

@app.get("/")
def root():
    return {"ok": True}

seconds = time.perf_counter() - start
import json
print(json.dumps({"import_s": seconds}))
"""


def _run(code: str, env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *FORBIDDEN], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"cold-start run failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def coldstart_results(config_path: str, db_path: str, runs: int = 7, warmup: bool = True) -> list[Result]:
    """Median import times over `runs` fresh processes each; `warmup` first runs each once
    unmeasured, so compiled bytecode and the OS file cache are in place, as on a deployment."""
    env = subprocess_env(config_path, db_path)
    if warmup:
        _run(APP, env), _run(BASELINE, env)
    apps, bases = [], []
    for _ in range(runs):
        apps.append(_run(APP, env))
        bases.append(_run(BASELINE, env))
    if any(a["status"] != 200 for a in apps):
        raise RuntimeError(f"the cold-start /feed did not answer 200: {apps[0]}")
    loaded = sorted({m for a in apps for m in a["loaded"]})
    return [
        Result(
            "cold start: import api.index",
            median([a["import_s"] for a in apps]),
            "s",
            median([b["import_s"] for b in bases]),
            target=1.5,
            note="baseline: import FastAPI and build a one-route app",
        ),
        Result("cold start: first /feed after import", median([a["first_feed_s"] for a in apps]), "s"),
        Result(
            "cold start: LLM/PDF/arXiv-client/summaries modules on the feed path",
            len(loaded),
            "modules",
            target=0,
            on="value",
            note=", ".join(loaded) or "none of " + ", ".join(FORBIDDEN),
        ),
    ]
