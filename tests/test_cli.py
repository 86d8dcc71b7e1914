"""The command line end to end: real subprocesses, a loopback arXiv, a temporary SQLite store."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, shared_fixture
from tests.support.fake_arxiv import FakeArxiv

COMBINED = "rss_2026-09-24_cs.LG+cs.AI+cs.CL+stat.ML_trimmed_4_items.xml"


@pytest.fixture
def workdir(tmp_path):
    config = {
        "categories": ["cs.LG", "cs.AI"],
        "keywords": ["learning", "anomaly", "outlier"],
        "ai_summary": {"enabled": True, "api_key_env": "TEST_LLM_KEY"},
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    return tmp_path


def run(workdir, arxiv_url, *args, extra_env=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARXIV_", "LLM_", "UPSTASH", "REDIS", "KV_"))}
    env.update(
        {
            "ARXIV_RSS_BASE": arxiv_url,
            "ARXIV_API_BASE": f"{arxiv_url}/api/query",
            "ARXIV_MIN_INTERVAL": "0",
            "ARXIV_MAX_ATTEMPTS": "2",
            "ARXIV_RSS_DB": str(workdir / "db.sqlite3"),
            "PYTHONPATH": str(ROOT),
            **(extra_env or {}),
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "cli", "--config", str(workdir / "config.json"), *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_refresh_then_digest_then_status_on_a_fresh_store(workdir):
    body = shared_fixture(COMBINED)
    with FakeArxiv() as arxiv:
        arxiv.route("/rss/", body)
        refresh = run(workdir, arxiv.url, "refresh")
        digest = run(workdir, arxiv.url, "digest", "--output", str(workdir / "README.md"))
        status = run(workdir, arxiv.url, "status")
    assert refresh.returncode == 0, refresh.stderr
    assert "refresh: updated (announcement of 2026-09-24)" in refresh.stdout
    assert "summaries off" in refresh.stdout and "TEST_LLM_KEY" in refresh.stdout
    assert digest.returncode == 0, digest.stderr
    text = (workdir / "README.md").read_text()
    # Three papers match, but "Outlier Detection for Multi-Network Data" is listed in stat.*
    # only, so /feed leaves it out, and so does the digest.
    assert "## 📊 Statistics" in text and "**Total Papers Found**: 2" in text
    assert "Outlier Detection" not in text
    assert "### 1. [" in text and "https://arxiv.org/abs/" in text
    assert status.returncode == 0 and "cs.LG: updated" in status.stdout


def test_unreachable_arxiv_is_one_line_and_a_nonzero_exit(workdir):
    with FakeArxiv() as arxiv:
        url = arxiv.url
    # The server is gone: connection refused. One attempt, so no retry lines (see test_run_offline.py).
    result = run(workdir, url, "refresh", extra_env={"ARXIV_MAX_ATTEMPTS": "1"})
    assert result.returncode == 3
    assert result.stderr.startswith("error: arXiv could not be reached:")
    assert result.stderr.rstrip().endswith("there is no earlier data to serve")
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.count("error:") == 1


@pytest.mark.parametrize(
    "config,key",
    [
        ('{"categories": ["cs AI"], "keywords": []}', "categories[0]"),
        ('{"categories": ["cs.AI"], "keywords": [], "max_papers": -1}', "max_papers"),
        ("{", "not valid JSON"),
    ],
)
def test_a_bad_config_stops_everything_with_one_line_naming_the_key(workdir, config, key):
    (workdir / "config.json").write_text(config)
    result = run(workdir, "http://127.0.0.1:9", "refresh")
    assert result.returncode == 2
    assert key in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_the_digest_of_an_existing_readme_only_replaces_the_marked_section(workdir):
    readme = workdir / "README.md"
    readme.write_text(
        "# My project\n\nintro\n\n<!-- arxiv-digest:start -->\nold\n<!-- arxiv-digest:end -->\n\nfooter\n"
    )
    with FakeArxiv() as arxiv:
        arxiv.route("/rss/", shared_fixture(COMBINED))
        assert run(workdir, arxiv.url, "refresh").returncode == 0
        assert run(workdir, arxiv.url, "digest", "--output", str(readme)).returncode == 0
    text = readme.read_text()
    assert text.startswith("# My project\n\nintro\n\n<!-- arxiv-digest:start -->\n## 📊 Statistics")
    assert text.endswith("<!-- arxiv-digest:end -->\n\nfooter\n") and "\nold\n" not in text


def test_feed_prints_a_feed_for_a_query_and_refuses_a_bad_one_in_one_line(workdir):
    with FakeArxiv() as arxiv:
        arxiv.route("/rss/", shared_fixture(COMBINED))
        assert run(workdir, arxiv.url, "refresh").returncode == 0
        good = run(workdir, arxiv.url, "feed", "format=json", "keywords=anomaly", "--path", "/feed/cs.LG")
        bad = run(workdir, arxiv.url, "feed", "limit=9999")
        unknown = run(workdir, arxiv.url, "feed", "--path", "/feed/math.AG")
    assert good.returncode == 0, good.stderr
    feed = json.loads(good.stdout)
    assert [item["id"] for item in feed["items"]] == ["https://arxiv.org/abs/2609.26820"]
    assert bad.returncode == 1 and bad.stderr.startswith("error: limit:") and "Traceback" not in bad.stderr
    assert unknown.returncode == 1 and "math.AG" in unknown.stderr and len(unknown.stderr.splitlines()) == 1


def test_python_m_core_is_the_same_command_line(workdir):
    """`python -m core …`, the command older scripts use, runs `python -m cli …`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    old = subprocess.run([sys.executable, "-m", "core", "--help"], cwd=workdir, env=env, capture_output=True, text=True)
    new = subprocess.run([sys.executable, "-m", "cli", "--help"], cwd=workdir, env=env, capture_output=True, text=True)
    assert old.returncode == new.returncode == 0, old.stderr
    assert old.stdout == new.stdout and "refresh" in new.stdout
