"""`make bench`: measure the service against baselines taken in the same run.

    python -m benchmarks.run [--quick] [--cold-start] [--output benchmarks/results.json]

Builds the workload (14 announcement days x 1,500 papers from real arXiv texts,
summaries on each day's top 15) into a SQLite file and an Upstash stand-in, then
measures, each figure a median of repeated runs and a ratio to its baseline:

    1. the default feed through uvicorn and a keep-alive client vs the same bytes served static
    2. a custom query's first request, and the same query repeated, vs static
    3. store commands per feed request on Upstash, warm and cold
    4. the refresh's CPU cost for 1,500 papers vs feedparser.parse, and 500/1,500/6,000 papers
    5. cold start: import api.index vs a minimal FastAPI app; heavy modules on the feed path;
       a fresh process's steps: start -> first /feed -> first custom query -> first interest query
    6. cold start of the function the Vercel CLI builds, on a stand-in for Vercel's runtime,
       vs a one-route FastAPI app built the same way
    7. peak RSS of the server holding 14 days

Prints a table (and machine facts) and writes the results as a JSON list of
{metric, value, unit, baseline, ratio, target, on, pass, note}. `--quick` uses fewer
repetitions on the same data sizes. Exit status 0 even when a target is missed
(the table says which), but 1 when a measurement was skipped for a missing tool,
unless `--allow-skips` is given.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.coldstart import coldstart_results
from benchmarks.commands import command_results
from benchmarks.load import LoadSizes, load_results
from benchmarks.refresh import RefreshSizes, refresh_results
from benchmarks.report import Result, machine, table, write_json
from benchmarks.serving import ServingSizes, serving_results
from benchmarks.vercel_coldstart import vercel_coldstart_results
from benchmarks.workload import ROOT, build_days, source_texts, write_store
from core.config import load_config

DEFAULT_OUTPUT = ROOT / "benchmarks" / "results.json"
CONFIG = ROOT / "config.json"


@dataclass(frozen=True)
class Sizes:
    days: int = 14
    per_day: int = 1500
    serving: ServingSizes = field(default_factory=ServingSizes)
    refresh: RefreshSizes = field(default_factory=RefreshSizes)
    coldstart_runs: int = 7
    coldstart_warmup: bool = True
    vercel_runs: int = 11
    warm_requests: int = 20
    load: LoadSizes | None = field(default_factory=LoadSizes)


FULL = Sizes()
QUICK = Sizes(
    serving=ServingSizes(rounds=5, batch=40, first_queries=5),
    refresh=RefreshSizes(repeats=3),
    coldstart_runs=3,
    vercel_runs=3,
    warm_requests=10,
    load=LoadSizes(requests=1500, seconds=6.0, distinct_queries=3000, worst_runs=3),
)


def embedding_results(store, config, manifest) -> list[Result]:
    """Embed every stored day as the refresh does (vectors written, manifest republished)."""
    from core.embed.embedder import WordLlama
    from core.refresh.embedding import embed_days
    from core.store.publish import publish

    embedder = WordLlama(config.embeddings)
    embedder.embed(["load the model first"])
    start = time.perf_counter()
    manifest, report = embed_days(store, manifest, embedder, config.retention_days, time_budget_s=3600)
    seconds = time.perf_counter() - start
    publish(store, manifest)
    again = time.perf_counter()
    _, second = embed_days(store, manifest, embedder, config.retention_days, previous=manifest)
    again = time.perf_counter() - again
    papers = max(report["embedded"], 1)
    return [
        Result(
            "refresh: embedding per paper (wordllama, title + abstract)",
            seconds / papers * 1e6,
            "µs",
            note=f"{report['embedded']} papers, {report['days']} days; int8 vectors, 258 bytes a paper",
        ),
        Result(
            "refresh: a second refresh re-embeds",
            second["embedded"],
            "papers",
            target=0,
            on="value",
            note=f"every paper version is embedded once ({again * 1e3:.0f} ms to check {report['days']} days)",
        ),
    ]


def run_all(sizes: Sizes = FULL, config_path: Path = CONFIG, say=print, cold_only: bool = False) -> list[Result]:
    """Build the workload and run every measurement (`cold_only`: the cold-start parts, 5
    and 6, alone); returns the results in table order."""
    config = load_config(config_path)
    clock = time.perf_counter()

    def step(name: str) -> None:
        say(f"[{time.perf_counter() - clock:6.1f} s] {name}")

    step("workload: reading fixture texts, building days")
    texts = source_texts()
    days = build_days(config, texts, days=sizes.days, per_day=sizes.per_day)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        db = str(Path(tmp) / "bench.sqlite3")
        from core.store.sqlite import SqliteStore

        store = SqliteStore(db)
        manifest = write_store(store, config, days)
        step("refresh: embedding every stored paper")
        results += embedding_results(store, config, manifest)
        store.close()
        if not cold_only:
            step(f"serving: {sizes.days} days x {sizes.per_day} papers through uvicorn")
            results += serving_results(str(config_path), db, sizes.serving)
            if sizes.load:
                step("load: mixes of cached and custom feeds, many connections")
                results += load_results(str(config_path), db, sizes.load)
            step("store commands on the Upstash stand-in")
            results += command_results(config, days, sizes.warm_requests)
            step("refresh CPU")
            results += refresh_results(config, texts, sizes.refresh)
        step("cold start")
        results += coldstart_results(str(config_path), db, sizes.coldstart_runs, sizes.coldstart_warmup)
        if sizes.vercel_runs:
            step("cold start of the function built by the Vercel CLI")
            results += vercel_coldstart_results(sizes.vercel_runs)
    step("done")
    return results


def main(argv: list[str] | None = None, sizes: Sizes | None = None) -> int:
    """The command line; `sizes` overrides the --quick choice (the smoke test's tiny run)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (same data sizes)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the JSON results")
    parser.add_argument(
        "--allow-skips", action="store_true", help="a measurement skipped for a missing tool does not fail the run"
    )
    parser.add_argument(
        "--cold-start", action="store_true", help="only the cold-start parts (5 and 6), on the same workload"
    )
    args = parser.parse_args(argv)
    facts = machine()
    print(f"machine: {facts['cores']} cores, Python {facts['python']} ({facts['implementation']}), {facts['platform']}")
    results = run_all(sizes or (QUICK if args.quick else FULL), cold_only=args.cold_start)
    print()
    print(table(results))
    for r in results:
        if r.note:
            print(f"  {r.metric}: {r.note}")
    targeted = [r for r in results if r.target is not None and not r.skipped]
    missed = [r.metric for r in targeted if not r.passed]
    skips = [r.metric for r in results if r.skipped]
    print(
        f"\n{len(targeted) - len(missed)} of {len(targeted)} targets met"
        + (f"; missed: {'; '.join(missed)}" if missed else "")
        + (f"; skipped: {'; '.join(skips)}" if skips else "")
    )
    write_json(args.output, results)
    print(f"results written to {args.output}")
    if skips and not args.allow_skips:
        print("a measurement was skipped (see its note); pass --allow-skips to accept that")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
