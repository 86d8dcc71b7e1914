"""Feed requests through the real HTTP stack, against the same server sending the same bytes.

One uvicorn process (`benchmarks.server`) serves the app on a stored workload; one
keep-alive httpx client in this process asks it. Each comparison alternates the
feed and the static baseline (the feed's own bytes and headers, sent by an async
route of the same app), so drift in the machine's speed hits both alike.

    default feed    /feed (latest day, 50 items, RSS), warm: the rendered body is reused
    custom, first   /feed?keywords=<5 terms>&days=7&limit=50&format=atom, a different
                    set of terms each time, so each is the first request for its query,
                    each followed by a static request of a body of the same kind;
                    identity-encoded as on Vercel, and gzip-encoded by the app as `core serve`
                    sends it to a reader that asks for gzip
    custom, again   the same custom query repeated
    interest, first /feed?interest=<text>&days=7&limit=50&format=atom, a different text each
                    time (ranked by meaning over the stored vectors), against the first
                    custom keyword query
    interest, again the same interest query repeated
    memory          peak RSS of the server after /feed?days=14 has loaded every day,
                    and again after all of the above
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import httpx

from benchmarks.report import Result, median
from benchmarks.server import ServerProcess

# Terms a reader might follow: single words, phrases, prefixes; rotated into 5-term sets.
VOCABULARY = (
    "diffusion",
    "transformer",
    "graph neural network",
    "reinforcement learning",
    "quantiz*",
    "language model",
    "benchmark",
    "robust*",
    "federated",
    "agent",
    "vision",
    "retrieval",
    "privacy",
    "causal",
    "kernel",
    "speculative decoding",
    "kv cache",
    "mixture of experts",
    "fine-tuning",
    "contrastive",
    "uncertainty",
    "theorem",
    "optimization",
    "reasoning",
)
CUSTOM_DAYS = 7
MEMORY_TARGET_MB = 250


@dataclass(frozen=True)
class ServingSizes:
    rounds: int = 15  # alternating feed/static rounds (the median is over these)
    batch: int = 100  # requests per round
    first_queries: int = 15  # distinct custom queries, one first request each (per encoding)
    days: int = 14  # /feed?days=<days> loads every stored day


def keyword_sets(count: int, seed: int = 7) -> list[str]:
    """`count` distinct comma lists of 5 terms from VOCABULARY, the same every run."""
    rng, out = random.Random(seed), []
    while len(out) < count:
        terms = ",".join(rng.sample(VOCABULARY, 5))
        if terms not in out:
            out.append(terms)
    return out


def custom_params(keywords: str) -> dict:
    return {"keywords": keywords, "days": str(CUSTOM_DAYS), "limit": "50", "format": "atom"}


def serving_results(config_path: str, db_path: str, sizes: ServingSizes = ServingSizes()) -> list[Result]:
    """Start the server on the stored workload and measure; the server is stopped after."""
    # Identity, as the function on Vercel sends every body (Vercel's edge compresses);
    # the first custom request is measured gzip-encoded by the app too, as `core serve` sends it.
    client = httpx.Client(timeout=120, headers={"Accept-Encoding": "identity"})
    with ServerProcess(config_path, db_path) as server, client as http:
        server.wait_ready(http)
        base = server.url
        check(http.get(base + "/feed", params={"days": str(sizes.days)}))
        loaded = server.memory(http)["peak_mb"]
        results = default_feed(server, http, sizes)
        results.extend(custom_query(server, http, sizes))
        check(http.get(base + "/feed", params={"days": "1", "interest": "load the model"}))
        with_model = server.memory(http)["peak_mb"]
        check(http.get(base + "/feed", params={"days": str(sizes.days), "interest": "vectors of every day"}))
        with_vectors = server.memory(http)["peak_mb"]
        results.extend(interest_query(server, http, sizes, results))
        final = server.memory(http)["peak_mb"]
    note = f"read after /feed?days={sizes.days} loaded every day"
    results.append(
        Result(
            f"memory: peak RSS serving {sizes.days} days", loaded, "MB", target=MEMORY_TARGET_MB, on="value", note=note
        )
    )
    results.append(
        Result(
            "memory: the embedding model and numpy, loaded by the first interest query",
            with_model - loaded,
            "MB",
            note="peak RSS after an interest query over the latest day, minus before it",
        )
    )
    results.append(
        Result(
            f"memory: extra for {sizes.days} days of vectors",
            with_vectors - with_model,
            "MB",
            target=30,
            on="value",
            note=f"peak RSS after an interest query over all {sizes.days} days, minus after one over the latest",
        )
    )
    results.append(Result("memory: peak RSS after all serving runs", final, "MB"))
    return results


INTERESTS = (
    "efficient inference of large language models",
    "graph neural networks for molecules",
    "privacy attacks on federated learning",
    "diffusion models for video generation",
    "robot manipulation from demonstrations",
    "theorem proving with language models",
    "uncertainty estimation in deep networks",
    "retrieval augmented generation",
    "quantization of transformer weights",
    "causal discovery from observational data",
    "speech recognition in noisy rooms",
    "reinforcement learning from human feedback",
)


def interest_params(text: str) -> dict:
    return {"interest": text, "days": str(CUSTOM_DAYS), "limit": "50", "format": "atom"}


def interest_query(
    server: ServerProcess, http: httpx.Client, sizes: ServingSizes, earlier: list[Result]
) -> list[Result]:
    """A first interest= request against the first custom keyword query measured before it."""
    url, static_url = server.url + "/feed", server.url + "/__bench/static"
    firsts, last = [], None
    for text in INTERESTS[: max(sizes.first_queries, 3)]:
        start = time.perf_counter()
        last = check(http.get(url, params=interest_params(text)))
        firsts.append(time.perf_counter() - start)
    keyword_first = next(r for r in earlier if r.metric == "custom query, first request (per request)")
    first = Result(
        "interest query, first request (per request)",
        median(firsts),
        "s",
        keyword_first.value,
        target=1.2,
        note=f"baseline: a first custom keyword query; {len(firsts)} distinct texts, days={CUSTOM_DAYS}, atom",
    )
    server.set_static(http, last)
    app, static = alternate(http, [str(last.request.url), static_url], sizes)
    again = Result("interest query, repeated (per request)", app, "s", static, target=1.3)
    return [first, again]


def check(response: httpx.Response) -> httpx.Response:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.url} answered {response.status_code}: {response.text[:200]}")
    return response


def default_feed(server: ServerProcess, http: httpx.Client, sizes: ServingSizes) -> list[Result]:
    feed = check(http.get(server.url + "/feed"))
    server.set_static(http, feed)
    static_url, sync_url = server.url + "/__bench/static", server.url + "/__bench/static-sync"
    if check(http.get(static_url)).content != feed.content:
        raise RuntimeError("the static baseline does not send the feed's bytes")
    app, static, sync = alternate(http, [server.url + "/feed", static_url, sync_url], sizes)
    size = f"{len(feed.content) / 1024:.0f} KiB RSS body"
    return [
        Result("default feed /feed, warm (per request)", app, "s", static, target=1.3, note=size),
        Result(
            "default feed vs static from a thread-pool route",
            app,
            "s",
            sync,
            note="the baseline pays the thread-pool round trip the feed routes pay",
        ),
    ]


def custom_query(server: ServerProcess, http: httpx.Client, sizes: ServingSizes) -> list[Result]:
    url, static_url = server.url + "/feed", server.url + "/__bench/static"
    start = time.perf_counter()
    check(http.get(url, params=custom_params("warm up,index building")))
    server_first = time.perf_counter() - start
    # Other queries first, as a server that has been up has seen: each day's word index is
    # decoded and the postings of the vocabulary's keywords exist (a bounded amount a request).
    for terms in keyword_sets(24, seed=3):
        last = check(http.get(url, params=custom_params(terms + ",warm")))
    # The static baseline sends a body of the same kind (a warm-up query's), each static
    # request right after a first request, so drift in the machine's speed hits both alike.
    server.set_static(http, last)
    queries = keyword_sets(2 * sizes.first_queries)
    firsts, statics, bodies = first_requests(http, url, static_url, queries[: sizes.first_queries])
    first = Result(
        "custom query, first request (per request)",
        median(firsts),
        "s",
        median(statics),
        target=3,
        note=f"{len(firsts)} new 5-term queries (their words seen in others), days={CUSTOM_DAYS}, atom, identity",
    )
    gzip = {"Accept-Encoding": "gzip"}
    zipped, zipped_statics, _ = first_requests(http, url, static_url, queries[sizes.first_queries :], gzip)
    first_gzip = Result(
        "custom query, first request, gzip-encoded by the app (per request)",
        median(zipped),
        "s",
        median(zipped_statics),
        target=3,
        note="as core serve answers a reader asking gzip: the body is compressed afresh (level 1), "
        "the static route's copy once",
    )
    server.set_static(http, bodies[-1])
    repeated_url = str(bodies[-1].request.url)
    app, static = alternate(http, [repeated_url, static_url], sizes)
    again = Result("custom query, repeated (per request)", app, "s", static, target=1.3)
    cold = Result(
        "custom query, the server's very first (reads each day's stored word index)",
        server_first,
        "s",
        note=f"days={CUSTOM_DAYS}; the word indexes come with the day segments (built at refresh)",
    )
    return [cold, first, first_gzip, again]


def first_requests(http: httpx.Client, url: str, static_url: str, queries: list[str], headers: dict | None = None):
    """(seconds of each query's first request, of a static request sent right after each,
    the responses)."""
    times, statics, responses = [], [], []
    for terms in queries:
        start = time.perf_counter()
        responses.append(check(http.get(url, params=custom_params(terms), headers=headers)))
        times.append(time.perf_counter() - start)
        statics.append(one(http, static_url, headers))
    return times, statics, responses


def one(http: httpx.Client, url: str, headers: dict | None = None) -> float:
    start = time.perf_counter()
    check(http.get(url, headers=headers))
    return time.perf_counter() - start


def batch(http: httpx.Client, url: str, count: int) -> float:
    """Seconds per request over `count` sequential requests on the kept-alive connection."""
    start = time.perf_counter()
    for _ in range(count):
        response = http.get(url)
        if response.status_code != 200:
            check(response)
    return (time.perf_counter() - start) / count


def alternate(http: httpx.Client, urls: list[str], sizes: ServingSizes) -> list[float]:
    """Median seconds per request of each URL, over rounds that rotate their order."""
    for url in urls:  # warm every path (connection, caches, allocator)
        batch(http, url, sizes.batch)
    times: list[list[float]] = [[] for _ in urls]
    for n in range(sizes.rounds):
        for i in list(range(len(urls)))[n % len(urls) :] + list(range(len(urls)))[: n % len(urls)]:
            times[i].append(batch(http, urls[i], sizes.batch))
    return [median(t) for t in times]
