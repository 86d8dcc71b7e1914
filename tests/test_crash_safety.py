"""Crash safety: refreshes killed with SIGKILL at random points always leave one complete
published version, and the next refresh (once the dead run's lock has expired) completes.

Each seed runs the `refresh` command in a loop in its own process, on its own store,
against a loopback arXiv that hands out a new 2,100-paper announcement per run (two segment
parts per day) and a loopback LLM that answers slowly, so a run spends its time fetching,
parsing, writing segments, publishing, summarising, writing again and publishing again.
The processes are forked, side by side, from one that has imported everything a run
needs; each is killed after a delay drawn from its seed.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from core.config import parse_config
from core.ingest.client import ArxivClient
from core.refresh.pipeline import run_refresh
from core.store.layout import LOCK_KEY, MANIFEST_KEY, parse_manifest
from core.store.lock import REFRESH_LOCK_TTL
from core.store.redis import RedisStore
from core.store.sqlite import SqliteStore
from tests.conftest import ROOT
from tests.support import tally
from tests.support.fake_arxiv import FakeArxiv
from tests.support.fake_llm import FakeLLM, Reply
from tests.support.papers import paper
from tests.support.published import complete_version, served_ids
from tests.support.redis_server import redis_server
from tests.support.rss import rss_feed
from tests.support.tls import one_ca_bundle  # noqa: F401  (autouse: no CA bundle to load)

SEEDS = range(4)
REDIS_SEEDS = range(100, 102)  # Redis databases 1 and 2
RUNS = 6  # announcements queued per subprocess: more than a run can get through before its kill
PAPERS = 2100  # two segment parts per day
KILL_WINDOW = (0.5, 3.0)  # seconds after the fork: from fetching the first announcement on
CONFIG_RAW = {
    "categories": ["cs.LG", "cs.AI"],
    "keywords": ["attention", "kernel"],
    "ai_summary": {
        "source": "abstract",
        "language": "en",
        "max_papers_to_summarize": 6,
        "max_workers": 2,
        "timeout_s": 5,
        "max_retries": 0,
    },
}
CONFIG = parse_config(CONFIG_RAW)
# One process imports everything a run needs, then forks a child per seed that refreshes in a
# loop (its stdout discarded): the import cost is paid once, and a kill lands in a run's work.
DRIVER = """
import json, os, sys
import cli.main as cli
from core.ingest import client as arxiv_client
from core.ingest import parse as arxiv_parse
from core.refresh import jobs
from core.refresh import pipeline as refresh
from core.store import redis, sqlite
from core.summaries import llm, run
import openai
children = []
for env in json.loads(sys.argv[1]):
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        os.environ.update(env)
        while True:
            cli.main(["--config", env["TEST_CONFIG"], "refresh"])
    children.append(pid)
print(json.dumps(children), flush=True)
for pid in children:
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""


def announcement(day: str, n: int) -> bytes:
    papers = [
        paper(
            f"2611.{n:01d}{i:04d}",
            title=f"Attention kernel {i} of day {day}" if i % 50 == 0 else f"Paper {i}",
            abstract=f"Abstract {i} of {day}. " * 8,
            categories=(CONFIG.categories[i % 2],),
            announced=day,
        )
        for i in range(PAPERS)
    ]
    return rss_feed(papers, day, CONFIG.categories)


@pytest.fixture(scope="module")
def feeds() -> list[bytes]:
    """RUNS announcements on consecutive weekdays before today, oldest first."""
    days, day = [], date.today() - timedelta(days=1)
    while len(days) < RUNS:
        if day.weekday() < 5:
            days.append(day.isoformat())
        day -= timedelta(days=1)
    return [announcement(d, n) for n, d in enumerate(reversed(days))]


@pytest.fixture(scope="module")
def servers(feeds):
    with FakeArxiv() as arxiv, FakeLLM(Reply(delay=0.3)) as llm:
        yield arxiv, llm


def child_env(workdir, arxiv, seed: int, feeds: list[bytes], store_env: dict) -> dict:
    """The environment of one seed's refresh loop, with its own queue of announcements."""
    prefix = f"/seed{seed}"
    for body in feeds:
        arxiv.enqueue(f"{prefix}/rss/", body)
    arxiv.route(f"{prefix}/rss/", feeds[-1])
    (workdir / "config.json").write_text(json.dumps(CONFIG_RAW))
    return {"ARXIV_RSS_BASE": arxiv.url + prefix, "TEST_CONFIG": str(workdir / "config.json"), **store_env}


def kill_at_random(llm, children: dict[int, dict]) -> dict[int, float]:
    """Start every seed's refresh loop, SIGKILL each after its seed's delay; returns the delays."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ARXIV_", "REDIS", "UPSTASH", "KV_", "LLM_"))}
    env = {
        **clean,
        "PYTHONPATH": str(ROOT),
        "ARXIV_MIN_INTERVAL": "0",
        "ARXIV_MAX_ATTEMPTS": "1",
        "LLM_BASE_URL": llm.base_url,
        "DASHSCOPE_API_KEY": "sk-crash",
    }
    seeds = list(children)
    zygote = subprocess.Popen(
        [sys.executable, "-c", DRIVER, json.dumps([children[s] for s in seeds])],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    pids: dict[int, int] = {}
    try:
        pids = dict(zip(seeds, json.loads(zygote.stdout.readline()), strict=True))
        started = time.monotonic()
        delays = {seed: random.Random(seed).uniform(*KILL_WINDOW) for seed in seeds}
        for seed, delay in sorted(delays.items(), key=lambda kv: kv[1]):
            time.sleep(max(0.0, started + delay - time.monotonic()))
            os.kill(pids[seed], signal.SIGKILL)
        codes = [int(line) for line in zygote.stdout.read().split()]
        assert codes == [-signal.SIGKILL] * len(seeds), "a refresh loop ended before its kill"
        assert zygote.wait(timeout=10) == 0
    finally:
        if zygote.poll() is None:
            for pid in pids.values():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            zygote.kill()
            zygote.wait()
        zygote.stdout.close()
    return delays


def where(store) -> str:
    """Where the kill landed, as far as the store shows it (for the fault's name)."""
    raw = store.get(MANIFEST_KEY)
    days = parse_manifest(raw).days if raw is not None else ()
    done = f"{len(days)} day(s) and {sum(d.summaries for d in days)} summaries published"
    return done + (", mid-run" if store.get(LOCK_KEY) is not None else ", between runs")


def recover(store, arxiv) -> dict:
    """The next refresh (a small announcement of today), once the killed run's lock has expired."""
    today = date.today().isoformat()
    arxiv.route("/recover/rss/", rss_feed([paper("2611.99999", announced=today)], today, CONFIG.categories))
    with ArxivClient(arxiv.env(arxiv_rss_base=f"{arxiv.url}/recover"), max_attempts=1) as client:
        return run_refresh(CONFIG, store, client, clock=lambda: datetime.now(UTC))


def test_a_refresh_killed_at_random_points_leaves_a_complete_version(tmp_path, servers, feeds):
    arxiv, llm = servers
    children = {}
    for seed in SEEDS:
        (tmp_path / f"s{seed}").mkdir()
        children[seed] = child_env(
            tmp_path / f"s{seed}", arxiv, seed, feeds, {"ARXIV_RSS_DB": str(tmp_path / f"s{seed}" / "store.sqlite3")}
        )
    delays = kill_at_random(llm, children)
    interrupted = []
    for seed in SEEDS:
        path = str(tmp_path / f"s{seed}" / "store.sqlite3")
        store = SqliteStore(path)
        interrupted.append(store.get(LOCK_KEY) is not None)
        with tally.fault(f"crash: SQLite refresh killed {delays[seed]:.2f} s in, {where(store)} (seed {seed})"):
            published = complete_version(store)
            assert len(served_ids(store, CONFIG)) == min(200, sum(d.count for d in published.days))
            # a store clock past the dead run's lock expiry
            later = SqliteStore(path, clock=lambda: time.time() + REFRESH_LOCK_TTL + 1)
            assert recover(later, arxiv)["status"] == "updated"
            complete_version(store)
            store.close()
            later.close()
    assert any(interrupted), "no kill landed inside a run (all between runs): the test proved nothing"


@pytest.mark.redis
def test_a_refresh_killed_at_random_points_leaves_a_complete_version_on_redis(tmp_path, servers, feeds):
    arxiv, llm = servers
    with redis_server() as server:
        children = {}
        for seed in REDIS_SEEDS:
            (tmp_path / f"r{seed}").mkdir()
            url = f"redis://{server.host}:{server.port}/{seed - 99}"
            children[seed] = child_env(tmp_path / f"r{seed}", arxiv, seed, feeds, {"REDIS_URL": url})
        delays = kill_at_random(llm, children)
        for seed in REDIS_SEEDS:
            store = RedisStore(f"redis://{server.host}:{server.port}/{seed - 99}")
            with tally.fault(f"crash: Redis refresh killed {delays[seed]:.2f} s in, {where(store)} (seed {seed})"):
                published = complete_version(store)
                assert len(served_ids(store, CONFIG)) == min(200, sum(d.count for d in published.days))
                store.close()
