"""The benchmark (`make bench`) at tiny sizes, so it cannot rot.

One run of `benchmarks.run.main` with every measurement at its smallest, then
checks of what it printed and wrote: every metric present, numbers positive,
ratios computed, store command counts exact (they are deterministic), no LLM,
PDF or arXiv-client module on the feed path. Timings are never held to their
targets here: on a shared test machine they are noise.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks.refresh import RefreshSizes
from benchmarks.report import Result, table
from benchmarks.run import CONFIG, Sizes, main
from benchmarks.serving import ServingSizes, keyword_sets
from benchmarks.workload import LAST_DAY, build_days, make_papers, rss_feed, source_texts
from core.config import load_config
from core.ingest.parse import parse_feed

TINY = Sizes(
    days=2,
    per_day=60,
    serving=ServingSizes(rounds=2, batch=3, first_queries=2, days=2),
    refresh=RefreshSizes(main=40, scale=(20, 40, 80), repeats=1),
    coldstart_runs=1,
    coldstart_warmup=False,
    vercel_runs=0,  # the deploy test builds and runs the function; a build here would double it
    load=None,  # tests/test_bench_smoke.py::test_the_load_client... runs one tiny phase instead
    warm_requests=3,
)
TIMED = (
    "default feed /feed, warm (per request)",
    "custom query, first request (per request)",
    "custom query, repeated (per request)",
    "refresh CPU, 40 papers",
    "cold start: import api.index",
    "fresh process: first custom query, after its first /feed",
    "fresh process: first interest query, after its first custom query",
)
EXPECTED_COMMANDS = {
    "Upstash commands, /feed warm": 1,
    "Upstash commands, /feed cold": 2,
    "Upstash commands, /feed 304 (If-None-Match)": 1,
    "Upstash commands, custom days=7 warm": 1,
    "Upstash commands, custom days=7 cold": 2,
}


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> tuple[str, dict]:
    """(what the benchmark printed, its JSON results by metric) for one tiny run."""
    output = tmp_path_factory.mktemp("bench") / "results.json"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["--output", str(output), "--allow-skips"], sizes=TINY) == 0
    results = json.loads(output.read_text(encoding="utf-8"))
    return printed.getvalue(), {r["metric"]: r for r in results}


def test_the_workload_is_the_same_for_the_same_seed_and_survives_the_real_parser():
    config = load_config(CONFIG)
    texts = source_texts()
    first, again = (build_days(config, texts, days=2, per_day=30) for _ in range(2))
    assert first == again
    assert [d.date for d in first] == sorted(d.date for d in first) and first[-1].date == LAST_DAY
    assert all(0 < len(d.summaries) <= 15 for d in first)
    papers = make_papers(texts, config, LAST_DAY, 25, random.Random(1))
    parsed = parse_feed(rss_feed(papers, LAST_DAY, config.categories), config.categories)
    assert list(parsed.papers) == [replace(p, comment="") for p in papers]  # arXiv's RSS carries no comment


def test_custom_queries_rotate_distinct_keyword_sets():
    sets = keyword_sets(9)
    assert len(set(sets)) == 9 and all(len(s.split(",")) == 5 for s in sets)


def test_every_result_has_the_json_fields_and_timings_are_positive_ratios(bench):
    _, results = bench
    for r in results.values():
        assert {"metric", "value", "baseline", "ratio", "target", "pass"} <= set(r)
    for metric in TIMED:
        r = results[metric]
        assert r["value"] > 0 and r["baseline"] > 0
        assert r["ratio"] == pytest.approx(r["value"] / r["baseline"])
        assert isinstance(r["pass"], bool) and r["target"] > 0


def test_the_table_and_machine_facts_are_printed(bench):
    printed, results = bench
    assert "cores" in printed and "Python" in printed
    for metric in results:
        assert metric in printed
    assert "results written to" in printed


def test_memory_and_refresh_scaling_are_reported(bench):
    _, results = bench
    assert 10 < results["memory: peak RSS serving 2 days"]["value"] < 2000
    for n in (20, 40, 80):
        assert results[f"refresh CPU per paper, {n} papers"]["value"] > 0
    assert results["refresh linearity: per paper at 80 / at 20"]["ratio"] > 0


def test_the_feed_path_imports_no_llm_pdf_or_arxiv_client(bench):
    _, results = bench
    r = results["cold start: LLM/PDF/arXiv-client/summaries modules on the feed path"]
    assert r["value"] == 0 and r["pass"], r["note"]


@pytest.mark.redis
def test_store_commands_per_feed_request_on_upstash_are_exact(bench):
    if shutil.which("redis-server") is None:
        from tests.support.redis_server import redis_server_binary

        redis_server_binary()  # skips, or fails under REQUIRE_REDIS=1
    _, results = bench
    assert {m: results[m]["value"] for m in EXPECTED_COMMANDS} == EXPECTED_COMMANDS
    assert all(results[m]["pass"] for m in EXPECTED_COMMANDS)


def test_results_json_is_ignored_by_git():
    ignore = (Path(__file__).resolve().parent.parent / ".gitignore").read_text(encoding="utf-8")
    assert "benchmarks/results.json" in ignore.splitlines()


def test_a_skipped_measurement_says_so_and_never_passes():
    skipped = Result.skip("Upstash commands per request", "commands", "redis-server is not installed")
    assert not skipped.passed and skipped.ratio is None
    assert "skipped" in table([skipped]).splitlines()[-1]
    assert skipped.note == "skipped: redis-server is not installed"


def test_the_load_client_sends_every_request_and_times_it():
    """One tiny load phase against a loopback server: every request answered and counted."""
    import asyncio
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from benchmarks.load_client import run

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            body = b"x" * (70_000 if self.path == "/big" else 10)
            self.send_response(200 if self.path != "/missing" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        spec = {"host": "127.0.0.1", "port": server.server_address[1], "connections": 4, "seconds": 30}
        result = asyncio.run(run({**spec, "paths": ["/small", "/big"], "requests": 40}))
        missing = asyncio.run(run({**spec, "paths": ["/missing"], "requests": 4}))
    finally:
        server.shutdown()
        server.server_close()
    assert result["requests"] == 40 and result["errors"] == 0
    assert 0 < result["p50"] <= result["p99"] and result["throughput"] > 0
    assert missing["errors"] == 4
