"""The service under load: throughput and latency for mixes of cached and custom feeds.

One uvicorn process (`benchmarks.server`) on the stored workload, and the load client
(`benchmarks.load_client`, raw keep-alive HTTP in its own process) with many connections.
Every phase is bounded in requests and seconds, loopback only:

    client alone        the static route (the feed's bytes, no work): the client's ceiling
    all-default         /feed only, before and after half-and-half (the two runs as one)
    half-and-half       /feed and distinct custom keyword queries, alternating
    all-distinct        distinct custom keyword queries only
    interest            distinct interest= queries only
    interest burst      the latency of cached /feed requests while distinct interest= queries
                        arrive from many connections beside them
    worst query         the most expensive query a client can write, alone, and the latency
                        of cached /feed requests while it runs in a loop beside them
    memory              the server's peak RSS after thousands of distinct queries
    two workers         all-default and half-and-half again with uvicorn's 2 worker processes,
                        and each worker's memory

Targets, as ratios within the run: half-and-half throughput >= 0.5 x all-default and
its p99 <= 3 x all-default's; memory <= 250 MB.
"""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
import threading
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import httpx

from benchmarks.report import Result
from benchmarks.server import ROOT, ServerProcess
from benchmarks.serving import INTERESTS, VOCABULARY, check

CUSTOM_DAYS = 7
MEMORY_TARGET_MB = 250
# The costliest query the limits allow: 5 three-letter prefixes and 15 of the commonest words,
# every announce type, every day, 200 items, by date, a threshold that defeats stored scores.
WORST = {
    "keywords": ",".join(
        ["con*", "pro*", "com*", "int*", "rep*", "learning", "model", "data", "network", "method", "results"]
        + ["performance", "training", "large", "language", "neural", "deep", "approach", "task", "based"]
    ),
    "types": "*",
    "sort": "date",
    "min_score": "0.51",
}


@dataclass(frozen=True)
class LoadSizes:
    requests: int = 3000  # per phase, at most
    seconds: float = 12.0  # per phase, at most
    connections: int = 100
    custom_connections: int = 50
    distinct_queries: int = 5000  # distinct custom queries sent in all (memory check)
    worst_runs: int = 5
    warmup: int = 300  # distinct custom queries before the measured phases


def distinct_custom(count: int, seed: int = 11) -> list[str]:
    """`count` distinct 3-term keyword queries (7 days, Atom), the same every run."""
    rng, seen, out = random.Random(seed), set(), []
    while len(out) < count:
        terms = ",".join(rng.sample(VOCABULARY, 3))
        if terms in seen:
            continue
        seen.add(terms)
        out.append("/feed?" + urlencode({"keywords": terms, "days": CUSTOM_DAYS, "format": "atom"}))
        if len(seen) > 2000:  # C(24, 3) = 2024 sets: vary the day count to stay distinct
            rng, seen = random.Random(seed + len(out)), set()
            out[-1] += f"&limit={40 + len(out) % 150}"
    return out


def distinct_interests(count: int, seed: int = 5) -> list[str]:
    words = [w for text in INTERESTS for w in text.split()]
    rng, out = random.Random(seed), []
    while len(out) < count:
        out.append("/feed?" + urlencode({"interest": " ".join(rng.sample(words, 4)), "days": CUSTOM_DAYS}))
    return out


def load(server: ServerProcess, paths: list[str], connections: int, sizes: LoadSizes, requests: int = 0) -> dict:
    """One bounded phase through the load client (a separate process)."""
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    spec = {
        "host": host,
        "port": port,
        "connections": connections,
        "paths": paths,
        "requests": requests or sizes.requests,
        "seconds": sizes.seconds,
    }
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.load_client"],
        input=json.dumps(spec),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=sizes.seconds * 4 + 60,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the load client failed: {done.stderr[-500:]}")
    result = json.loads(done.stdout)
    if result["errors"]:
        raise RuntimeError(f"{result['errors']} of {result['requests']} load requests did not answer 200")
    return result


def mean_phase(a: dict, b: dict) -> dict:
    """Two runs of one phase as one: requests and seconds summed, latencies averaged."""
    out = {**a, "requests": a["requests"] + b["requests"], "seconds": a["seconds"] + b["seconds"]}
    out["throughput"] = out["requests"] / out["seconds"]
    for key in ("p50", "p90", "p99"):
        out[key] = (a[key] + b[key]) / 2
    return out


def load_results(config_path: str, db_path: str, sizes: LoadSizes = LoadSizes()) -> list[Result]:
    custom = distinct_custom(sizes.distinct_queries)
    with ServerProcess(config_path, db_path) as server, httpx.Client(timeout=120) as http:
        server.wait_ready(http)
        feed = check(http.get(server.url + "/feed"))
        server.set_static(http, feed)
        alone = load(server, ["/__bench/static"], sizes.connections, sizes)
        # Warm-up, not measured: a server that has been up has each day's word index and the
        # postings of the keywords in use (built a bounded amount per request).
        load(server, distinct_custom(sizes.warmup, seed=99), sizes.custom_connections, sizes, requests=sizes.warmup)
        before = load(server, ["/feed"], sizes.connections, sizes)
        half_paths = [p for pair in zip(itertools.repeat("/feed"), custom, strict=False) for p in pair]
        half = load(server, half_paths, sizes.connections, sizes)
        # all-default again right after: the baseline is the two phases around half-and-half,
        # so drift in the machine's speed hits both alike
        default = mean_phase(before, load(server, ["/feed"], sizes.connections, sizes))
        used = half["requests"] // 2
        distinct = load(server, custom[used:] or custom, sizes.custom_connections, sizes)
        used += distinct["requests"]
        interest = load(server, distinct_interests(sizes.requests), sizes.custom_connections, sizes)
        rest = custom[used:]
        if rest:  # every distinct query of the memory check is sent
            load(server, rest, sizes.custom_connections, sizes, requests=len(rest))
        memory = server.memory(http)["peak_mb"]
        burst = cached_beside_burst(server, distinct_interests(sizes.requests, seed=6), sizes)
        worst, beside, cached = worst_query(server, http, sizes)
    with ServerProcess(config_path, db_path, workers=2) as two, httpx.Client(timeout=120) as http:
        two.wait_ready(http)
        check(http.get(two.url + "/feed"))
        load(
            two, distinct_custom(2 * sizes.warmup, seed=98), sizes.custom_connections, sizes, requests=2 * sizes.warmup
        )
        two_default = load(two, ["/feed"], sizes.connections, sizes)
        two_half = load(two, half_paths, sizes.connections, sizes)
        worker_mb = max(two.memory(http)["rss_mb"] for _ in range(8))  # whichever workers answer
    rows = [
        ("load: client alone, static route", alone),
        ("load: all-default /feed", default),
        ("load: half /feed, half distinct custom queries", half),
        ("load: all distinct custom keyword queries", distinct),
        ("load: all distinct interest= queries", interest),
        ("load, 2 workers: all-default /feed", two_default),
        ("load, 2 workers: half /feed, half distinct custom queries", two_half),
    ]
    out = []
    for name, r in rows:
        note = f"{r['requests']} requests in {r['seconds']:.1f} s"
        note += f"; p50 {r['p50'] * 1e3:.0f} ms, p99 {r['p99'] * 1e3:.0f} ms"
        out.append(Result(f"{name}: throughput", r["throughput"], "req/s", note=note))
    out.append(
        Result(
            "load: half-and-half throughput, against all-default",
            default["throughput"],
            "req/s",
            half["throughput"],
            target=2.0,
            note="ratio = all-default / half-and-half (target: half-and-half >= 0.5 x all-default)",
        )
    )
    out.append(Result("load: half-and-half p99, against all-default", half["p99"], "s", default["p99"], target=3.0))
    out.append(
        Result(
            f"load: peak RSS after {sizes.distinct_queries} distinct custom queries",
            memory,
            "MB",
            target=MEMORY_TARGET_MB,
            on="value",
        )
    )
    out.append(Result("load, 2 workers: memory of one worker", worker_mb, "MB", note="RSS after the two phases"))
    out.append(
        Result(
            f"cached /feed p99 while {sizes.custom_connections} connections send distinct interest= queries",
            burst,
            "s",
            cached,
            note="baseline: cached /feed p99 alone, same client",
        )
    )
    out.append(Result("worst query alone (5 prefixes + 15 common words, types=*, 200 items, sort=date)", worst, "s"))
    out.append(
        Result(
            "cached /feed p99 while the worst query runs beside it",
            beside,
            "s",
            cached,
            note="baseline: cached /feed p99 alone, same client",
        )
    )
    return out


PROBE = LoadSizes(requests=400, seconds=5.0, connections=4)  # cached /feed beside other work


def cached_beside_burst(server: ServerProcess, paths: list[str], sizes: LoadSizes) -> float:
    """p99 of cached /feed (PROBE) while a second load client sends `paths` from
    `sizes.custom_connections` connections: whether a burst of costly queries holds the
    cached feeds up (built on the event loop, each would wait for those ahead of it).
    Raises RuntimeError when the burst fails, or ends before the probe does."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        burst = pool.submit(load, server, paths, sizes.custom_connections, sizes, requests=len(paths))
        time.sleep(0.3)  # the burst's connections are open and sending
        beside = load(server, ["/feed"], PROBE.connections, PROBE)["p99"]
        ended_first = burst.done()
        burst.result()  # the burst's own failure, if it failed
    if ended_first:
        raise RuntimeError("the burst ended before the cached /feed probe: send it more requests")
    return beside


def worst_query(server: ServerProcess, http: httpx.Client, sizes: LoadSizes) -> tuple[float, float, float]:
    """(median seconds of the worst query, p99 of cached /feed beside it, p99 alone)."""
    import time

    url = server.url + "/feed?" + urlencode({**WORST, "days": 14})
    times = []
    for n in range(sizes.worst_runs):
        start = time.perf_counter()
        check(http.get(url + f"&limit={200 - n}"))  # a new query each time: nothing cached
        times.append(time.perf_counter() - start)
    times.sort()
    alone = load(server, ["/feed"], PROBE.connections, PROBE)["p99"]
    stop = threading.Event()

    def hammer() -> None:
        with httpx.Client(timeout=120) as other:
            n = 0
            while not stop.is_set():
                n += 1
                other.get(url + f"&limit={100 + n % 100}")

    thread = threading.Thread(target=hammer, daemon=True)
    thread.start()
    try:
        beside = load(server, ["/feed"], PROBE.connections, PROBE)["p99"]
    finally:
        stop.set()
        thread.join(timeout=120)
    return times[len(times) // 2], beside, alone
