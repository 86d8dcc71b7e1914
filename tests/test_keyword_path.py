"""A keyword path with no keyword (`/feed/keyword`, `/feed/keyword/`) is a 400 naming
`keyword` and showing a path that works, not a "category not served" error; the command
line's `feed --path` says the same. The real app over a seeded SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import cli.main as cli
from tests.support.app_client import app_clients
from tests.support.seed import seed_config

CONFIG = seed_config()
NEEDED = "a keyword path needs a keyword: /feed/keyword/LLM"


@pytest.fixture
def client(tmp_path):
    with app_clients(tmp_path, CONFIG, datetime(2026, 9, 23, 16, tzinfo=UTC)) as make:
        yield make()[0]


@pytest.mark.parametrize("path", ["/feed/keyword", "/feed/keyword/", "/rss/keyword", "/feed/keyword/%20,"])
def test_an_empty_keyword_path_is_a_400_naming_keyword(client, path):
    response = client.get(path)  # the trailing-slash redirect, if any, is followed
    assert response.status_code == 400, response.text
    assert response.json()["error"] == {"parameter": "keyword", "message": NEEDED}


def test_a_keyword_path_with_a_keyword_still_serves(client):
    assert client.get("/feed/keyword/LLM").status_code == 200


@pytest.mark.parametrize("path", ["/feed/keyword/", "/feed/keyword"])
def test_the_command_line_says_the_same(tmp_path, monkeypatch, capsys, path):
    (tmp_path / "config.json").write_text('{"categories": ["cs.LG"], "keywords": ["LLM"]}')
    monkeypatch.setenv("ARXIV_RSS_DB", str(tmp_path / "db.sqlite3"))
    code = cli.main(["--config", str(tmp_path / "config.json"), "feed", "--path", path])
    err = capsys.readouterr().err
    assert code == 1 and err.strip() == f"error: keyword: {NEEDED}"
