"""`make run` with arXiv down: the data an earlier run left is served and said to be the
last good data; with none, one error line and a non-zero exit. The backoff is never silent.

Real subprocesses of `python -m cli` (as the Makefile runs them), a loopback FakeArxiv
that is stopped to take arXiv down, a SQLite store in the test's folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time

import httpx
import pytest

from core.errors import UpstreamError
from core.ingest.client import ArxivClient
from tests.conftest import ROOT, shared_fixture
from tests.support.fake_arxiv import FakeArxiv
from tests.support.live_server import wait_until_serving
from tests.support.redis_server import free_port
from tests.test_cli import COMBINED, run

DOWN = "http://127.0.0.1:9"  # nothing listens on the discard port: connection refused at once


@pytest.fixture
def workdir(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"categories": ["cs.LG", "cs.AI"], "keywords": ["learning"]}))
    return tmp_path


def run_target(name: str) -> list[str]:
    """The recipe lines of one Makefile target."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = lines.index(next(line for line in lines if line.startswith(f"{name}:"))) + 1
    recipe = []
    for line in lines[start:]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def test_make_run_refreshes_allowing_stale_data_then_writes_the_digest_then_serves():
    assert run_target("run") == [
        "$(BIN)/python -m cli refresh --allow-stale",
        "$(BIN)/python -m cli digest",
        "$(BIN)/python -m cli serve",
    ]


def test_with_arxiv_down_and_data_held_the_refresh_says_it_is_the_last_good_data(workdir):
    with FakeArxiv() as arxiv:
        arxiv.route("/rss/", shared_fixture(COMBINED))
        assert run(workdir, arxiv.url, "refresh").returncode == 0
    once = {"ARXIV_MAX_ATTEMPTS": "1"}
    stale = run(workdir, DOWN, "refresh", "--allow-stale", extra_env=once)
    strict = run(workdir, DOWN, "refresh", extra_env=once)
    assert stale.returncode == 0, stale.stderr
    [line] = stale.stdout.splitlines()
    assert line.startswith("refresh: arXiv could not be reached: ")
    assert re.search(r"the last good data is served: the announcement of 2026-09-24, refreshed \d{4}-\d\d-\d\dT", line)
    assert stale.stderr == ""
    # Without the flag (the daily Action, cron) the failure is still an upstream failure.
    assert strict.returncode == 3 and "the last good data is served" in strict.stderr
    digest = run(workdir, DOWN, "digest", "--output", str(workdir / "digest.md"))
    assert digest.returncode == 0 and "### 1. [" in (workdir / "digest.md").read_text()


# The default number of attempts (5), as `make run` has it: a refused connection is not retried.
DEFAULT_ATTEMPTS = {"ARXIV_MAX_ATTEMPTS": "5"}
FEW_SECONDS = 20.0  # a Python start, imports and one refused connection: 3 s idle; retrying it took 38 s


def timed_run(workdir, *args, extra_env=None):
    started = time.monotonic()
    result = run(workdir, DOWN, *args, extra_env={**DEFAULT_ATTEMPTS, **(extra_env or {})})
    return result, time.monotonic() - started


def test_with_arxiv_down_on_a_fresh_machine_there_is_one_error_line_within_seconds(workdir):
    result, took = timed_run(workdir, "refresh", "--allow-stale")
    assert result.returncode == 3 and result.stdout == ""
    [error] = result.stderr.splitlines()
    assert error.startswith("error: arXiv could not be reached: ") and "cannot connect" in error
    assert error.endswith("; there is no earlier data to serve")
    assert "trying again" not in result.stderr and "Traceback" not in result.stderr
    assert took < FEW_SECONDS


def test_with_arxiv_down_and_data_held_make_run_says_one_line_within_seconds(workdir):
    with FakeArxiv() as arxiv:
        arxiv.route("/rss/", shared_fixture(COMBINED))
        assert run(workdir, arxiv.url, "refresh").returncode == 0
    result, took = timed_run(workdir, "refresh", "--allow-stale")
    assert result.returncode == 0 and result.stderr == ""
    [line] = result.stdout.splitlines()
    assert line.startswith("refresh: arXiv could not be reached: ") and "cannot connect" in line
    assert took < FEW_SECONDS


def test_a_line_is_given_before_each_wait_for_a_retry_never_after_the_last_attempt():
    events: list[tuple[str, object]] = []
    clock = [0.0]

    def sleep(seconds: float) -> None:
        events.append(("sleep", seconds))
        clock[0] += seconds

    with FakeArxiv() as arxiv:
        arxiv.route("/rss/", status=503)  # arXiv busy: worth waiting for
        client = ArxivClient(
            arxiv.env(),
            sleep=sleep,
            monotonic=lambda: clock[0],
            max_attempts=3,
            on_wait=lambda line: events.append(("line", line)),
        )
        with client, pytest.raises(UpstreamError, match="HTTP 503 after 3 attempts"):
            client.fetch_feed(["cs.LG"])
    assert [kind for kind, _ in events] == ["line", "sleep", "line", "sleep"]
    assert "attempt 2 of 3" in events[0][1] and "attempt 3 of 3" in events[2][1]


def test_serve_answers_with_the_held_data_and_runs_the_local_cron(workdir):
    with FakeArxiv() as arxiv:
        arxiv.route("/rss/", shared_fixture(COMBINED))
        assert run(workdir, arxiv.url, "refresh").returncode == 0
    port = free_port()
    with serving(workdir, port) as base:
        feed = httpx.get(f"{base}/feed?keywords=*&types=*", timeout=5)
        assert feed.status_code == 200 and feed.text.count("<item>") == 3
        cron = httpx.get(f"{base}/api/cron", timeout=30)  # loopback, no secret: the serve command opted in
        assert cron.status_code == 200 and cron.json()["status"] == "upstream-error"
        proxied = httpx.get(f"{base}/api/cron", headers={"X-Forwarded-For": "203.0.113.7"}, timeout=5)
        assert proxied.status_code == 403


@contextlib.contextmanager
def serving(folder, port: int):
    """`python -m cli serve` on `port`, arXiv down; stopped (this process only) afterwards."""
    env_args = {"ARXIV_MAX_ATTEMPTS": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "--config", str(folder / "config.json"), "serve", "--port", str(port)],
        cwd=folder,
        env=_env(folder, env_args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, process, 20)
        yield base
    finally:
        process.terminate()
        process.communicate(timeout=10)  # waits, and closes the pipes


def _env(folder, extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARXIV_", "LLM_", "UPSTASH", "REDIS", "KV_"))}
    env.update(
        {
            "ARXIV_RSS_BASE": DOWN,
            "ARXIV_API_BASE": f"{DOWN}/api/query",
            "ARXIV_MIN_INTERVAL": "0",
            "ARXIV_RSS_DB": str(folder / "db.sqlite3"),
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    return env
