"""Shared test setup: where the real arXiv fixtures live, and a clean environment."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_FIXTURES = Path(os.environ.get("ARXIV_FIXTURES", ROOT.parent / "shared" / "fixtures" / "arxiv"))
LOCAL_FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_fixture(name: str) -> bytes:
    """Bytes of one real arXiv response from ../shared/fixtures/arxiv (never copied here);
    the test is skipped, with the reason shown, when that folder is absent."""
    path = SHARED_FIXTURES / name
    if not path.exists():
        pytest.skip(f"real arXiv fixtures not found at {SHARED_FIXTURES}")
    return path.read_bytes()


def local_fixture(name: str) -> bytes:
    return (LOCAL_FIXTURES / name).read_bytes()


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch):
    """No test reaches the internet or a developer's real settings."""
    for var in (
        "ARXIV_RSS_BASE",
        "ARXIV_API_BASE",
        "ARXIV_WEB_BASE",
        "LLM_BASE_URL",
        "LLM_MODEL",
        "REDIS_URL",
        "UPSTASH_REDIS_REST_URL",
        "UPSTASH_REDIS_REST_TOKEN",
        "KV_REST_API_URL",
        "KV_REST_API_TOKEN",
        "CRON_SECRET",
        "VERCEL",
        "DASHSCOPE_API_KEY",
        "ARXIV_RSS_CONFIG",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ARXIV_MIN_INTERVAL", "0")


def pytest_terminal_summary(terminalreporter):
    """The fault and fuzz suite's one line (tests/support/tally.py), when any of it ran."""
    from tests.support import tally

    line = tally.summary_line()
    if line:
        terminalreporter.write_line(line)


@pytest.fixture
def arxiv():
    """A loopback stand-in for arXiv (tests/support/fake_arxiv.py); modules that need a
    standing reply override this fixture and ask for it by the same name."""
    from tests.support.fake_arxiv import FakeArxiv

    with FakeArxiv() as server:
        yield server


@pytest.fixture
def store(tmp_path):
    """An embedded SQLite store in the test's temporary folder."""
    from core.store.sqlite import SqliteStore

    s = SqliteStore(str(tmp_path / "store.sqlite3"))
    yield s
    s.close()


@pytest.fixture
def logs():
    """Every line the project logs during the test, at every level."""
    from core import log

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    level = log.logger.level
    log.logger.addHandler(handler)
    log.logger.setLevel(logging.DEBUG)
    yield stream
    log.logger.removeHandler(handler)
    log.logger.setLevel(level)
