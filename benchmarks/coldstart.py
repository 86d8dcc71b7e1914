"""Cold start: `import api.index` in a fresh process, against a minimal FastAPI app.

Each run is a new interpreter that times its own import (`time.perf_counter`
around it; interpreter start-up is the same for both and left out), with
compiled bytecode cached (`server.subprocess_env`), as a deployment has it. The app's
runs then answer one `/feed` through the ASGI interface directly (no HTTP client
library, so nothing extra is imported) and list which heavy modules the feed
path loaded: the LLM client, the PDF reader, the arXiv client, the summaries.
The same process then sends its first custom keyword query and its first interest
query (the row "process start -> first /feed -> first custom query -> first interest
query"); the baseline process answers its first request the same way.
Runs alternate between the app and the baseline.
"""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.report import Result, median
from benchmarks.server import ROOT, subprocess_env

# Whole packages the feed path never loads: a module renamed or added under one is still
# counted. ALLOWED: the one pure module of core.ingest the selection uses.
FORBIDDEN = ("openai", "pypdf", "bibtexparser", "rispy", "core.ingest", "core.summaries", "core.refresh")
ALLOWED = ("core.ingest", "core.ingest.dedupe")


def forbidden_packages() -> tuple[str, ...]:
    """FORBIDDEN, each checked to exist, so a renamed package cannot make the count 0 silently."""
    import importlib.util

    missing = [name for name in FORBIDDEN if importlib.util.find_spec(name) is None]
    if missing:
        raise SystemExit(f"benchmarks.coldstart: FORBIDDEN names no installed package: {', '.join(missing)}")
    return FORBIDDEN


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
# After the first /feed, in the same fresh process: its first custom keyword query, then its
# first interest query (ranked by meaning: loads the embedder and the days' vectors).
STEPS = (
    ("custom", b"keywords=graph*,sparse,diffusion,llm,robust*&days=7&limit=50&format=atom"),
    ("interest", b"interest=graph+neural+networks+for+molecules&days=7&limit=50&format=atom"),
)
steps = {}
for name, query in STEPS:
    at = time.perf_counter()
    steps[name] = (asyncio.run(get("/feed", query)), time.perf_counter() - at)
print(json.dumps({"import_s": seconds, "first_feed_s": first, "status": status, "loaded": loaded, "steps": steps}))
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
import asyncio, json

async def first_request():
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": "/", "raw_path": b"/", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        pass
    await app(scope, receive, send)

first = time.perf_counter()
asyncio.run(first_request())
print(json.dumps({"import_s": seconds, "first_s": time.perf_counter() - first}))
"""


def _run(code: str, env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *forbidden_packages()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
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
    loaded = sorted({m for a in apps for m in a["loaded"] if m not in ALLOWED})
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
        *fresh_process_rows(apps, bases),
        Result(
            "cold start: LLM/PDF/arXiv-client/summaries modules on the feed path",
            len(loaded),
            "modules",
            target=0,
            on="value",
            note=", ".join(loaded) or "none of " + ", ".join(FORBIDDEN),
        ),
    ]


def fresh_process_rows(apps: list[dict], bases: list[dict]) -> list[Result]:
    """The row "process start -> first /feed -> first custom query -> first interest query":
    each step of a fresh process (medians over the runs), with the targets of the cold path
    (a first custom query <= 3x that process's first /feed, a first interest query <= 1.2x
    its first custom query), and each step against the bare app's first request."""
    if any(s[0] != 200 for a in apps for s in a["steps"].values()):
        raise RuntimeError(f"a fresh-process step did not answer 200: {apps[0]['steps']}")
    bare = median([b["first_s"] for b in bases])
    feed = median([a["first_feed_s"] for a in apps])
    custom = median([a["steps"]["custom"][1] for a in apps])
    interest = median([a["steps"]["interest"][1] for a in apps])
    start = median([a["import_s"] + a["first_feed_s"] for a in apps])
    versus = (
        f"vs the bare app's first request ({bare * 1e3:.1f} ms): /feed {feed / bare:.1f}x, "
        f"custom {custom / bare:.1f}x, interest {interest / bare:.1f}x"
    )
    return [
        Result(
            "fresh process: import + first /feed",
            start,
            "s",
            median([b["import_s"] + b["first_s"] for b in bases]),
            note="baseline: a one-route FastAPI app's import and first request",
        ),
        Result(
            "fresh process: first custom query, after its first /feed",
            custom,
            "s",
            feed,
            target=3.0,
            note="baseline: that process's first /feed; " + versus,
        ),
        Result(
            "fresh process: first interest query, after its first custom query",
            interest,
            "s",
            custom,
            target=1.2,
            note="baseline: that process's first custom query (days=7 both)",
        ),
    ]
