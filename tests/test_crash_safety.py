"""Crash safety: refreshes killed with SIGKILL at random points always leave one complete
published version, and the next refresh (once the dead run's lock has expired) completes.

Each seed runs `python -m core refresh` in a loop in its own subprocess, on its own store,
against a loopback arXiv that hands out a new 2,100-paper announcement per run (two segment
parts per day) and a loopback LLM that answers slowly, so a run spends its time fetching,
parsing, writing segments, publishing, summarising, writing again and publishing again.
Once the subprocess has imported everything, it is killed after a delay drawn from the
seed. The subprocesses run side by side to keep the test short.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from core.arxiv_client import ArxivClient
from core.config import parse_config
from core.layout import LOCK_KEY
from core.refresh import LOCK_TTL, run_refresh
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

SEEDS = range(4)
REDIS_SEEDS = range(100, 102)  # Redis databases 1 and 2
RUNS = 6  # announcements queued per subprocess: more than a run can get through before its kill
PAPERS = 2100  # two segment parts per day
KILL_WINDOW = 2.0  # seconds after start-up
CONFIG_RAW = {
    "categories": ["cs.LG", "cs.AI"],
    "keywords": ["attention", "kernel"],
    "ai_summary": {"source": "abstract", "language": "en", "max_papers_to_summarize": 6, "max_workers": 2,
                   "timeout_s": 5, "max_retries": 0},
}
CONFIG = parse_config(CONFIG_RAW)
DRIVER = """
import sys
from core import cli, jobs, refresh, arxiv_parse, arxiv_client  # everything a run imports, before "ready"
from core.summaries import run, llm
from core.store import sqlite, redis
import openai
print("ready", flush=True)
while True:
    cli.main(sys.argv[1:])
"""


def announcement(day: str, n: int) -> bytes:
    papers = [paper(f"2611.{n:01d}{i:04d}", title=f"Attention kernel {i} of day {day}" if i % 50 == 0 else f"Paper {i}",
                    abstract=f"Abstract {i} of {day}. " * 8, categories=(CONFIG.categories[i % 2],), announced=day)
              for i in range(PAPERS)]
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
    with FakeArxiv() as arxiv, FakeLLM(Reply(delay=0.05)) as llm:
        yield arxiv, llm


def start(workdir, arxiv, llm, seed: int, feeds: list[bytes], store_env: dict) -> subprocess.Popen:
    """A subprocess refreshing in a loop from its own queue of announcements."""
    prefix = f"/seed{seed}"
    for body in feeds:
        arxiv.enqueue(f"{prefix}/rss/", body)
    arxiv.route(f"{prefix}/rss/", feeds[-1])
    (workdir / "config.json").write_text(json.dumps(CONFIG_RAW))
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ARXIV_", "REDIS", "UPSTASH", "KV_", "LLM_"))}
    env = {**clean, "PYTHONPATH": str(ROOT), "ARXIV_RSS_BASE": arxiv.url + prefix, "ARXIV_MIN_INTERVAL": "0",
           "ARXIV_MAX_ATTEMPTS": "1", "LLM_BASE_URL": llm.base_url, "DASHSCOPE_API_KEY": "sk-crash", **store_env}
    return subprocess.Popen([sys.executable, "-c", DRIVER, "--config", str(workdir / "config.json"), "refresh"],
                            cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def kill_at_random(procs: dict[int, subprocess.Popen]) -> dict[int, float]:
    """Wait until each subprocess is ready, then SIGKILL it after its seed's delay."""
    for proc in procs.values():
        assert proc.stdout.readline().strip() == "ready"
    started = time.monotonic()
    delays = {seed: random.Random(seed).uniform(0, KILL_WINDOW) for seed in procs}
    for seed, delay in sorted(delays.items(), key=lambda kv: kv[1]):
        time.sleep(max(0.0, started + delay - time.monotonic()))
        assert procs[seed].poll() is None, "the refresh loop ended before its kill"
        procs[seed].send_signal(signal.SIGKILL)
    for proc in procs.values():
        proc.wait(timeout=10)
        proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL
    return delays


def recover(store, arxiv) -> dict:
    """The next refresh (a small announcement of today), once the killed run's lock has expired."""
    today = date.today().isoformat()
    arxiv.route("/recover/rss/", rss_feed([paper("2611.99999", announced=today)], today, CONFIG.categories))
    with ArxivClient(arxiv.env(arxiv_rss_base=f"{arxiv.url}/recover"), max_attempts=1) as client:
        return run_refresh(CONFIG, store, client, clock=lambda: datetime.now(UTC))


def test_a_refresh_killed_at_random_points_leaves_a_complete_version(tmp_path, servers, feeds):
    arxiv, llm = servers
    procs = {}
    for seed in SEEDS:
        (tmp_path / f"s{seed}").mkdir()
        procs[seed] = start(tmp_path / f"s{seed}", arxiv, llm, seed, feeds,
                            {"ARXIV_RSS_DB": str(tmp_path / f"s{seed}" / "store.sqlite3")})
    delays = kill_at_random(procs)
    interrupted = []
    for seed in SEEDS:
        with tally.fault(f"crash: SQLite refresh killed {delays[seed]:.2f} s in (seed {seed})"):
            path = str(tmp_path / f"s{seed}" / "store.sqlite3")
            store = SqliteStore(path)
            interrupted.append(store.get(LOCK_KEY) is not None)
            published = complete_version(store)
            assert len(served_ids(store, CONFIG)) == min(200, sum(d.count for d in published.days))
            later = SqliteStore(path, clock=lambda: time.time() + LOCK_TTL + 1)  # the dead run's lock has expired
            assert recover(later, arxiv)["status"] == "updated"
            complete_version(store)
            store.close()
            later.close()
    assert any(interrupted), "no kill landed inside a run (all between runs): the test proved nothing"


@pytest.mark.redis
def test_a_refresh_killed_at_random_points_leaves_a_complete_version_on_redis(tmp_path, servers, feeds):
    arxiv, llm = servers
    with redis_server() as server:
        procs = {}
        for seed in REDIS_SEEDS:
            (tmp_path / f"r{seed}").mkdir()
            url = f"redis://{server.host}:{server.port}/{seed - 99}"
            procs[seed] = start(tmp_path / f"r{seed}", arxiv, llm, seed, feeds, {"REDIS_URL": url})
        delays = kill_at_random(procs)
        for seed in REDIS_SEEDS:
            with tally.fault(f"crash: Redis refresh killed {delays[seed]:.2f} s in (seed {seed})"):
                store = RedisStore(f"redis://{server.host}:{server.port}/{seed - 99}")
                published = complete_version(store)
                assert len(served_ids(store, CONFIG)) == min(200, sum(d.count for d in published.days))
                store.close()
