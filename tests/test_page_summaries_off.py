"""The page advertises AI summaries only when they run: without the API key (or with them
disabled) it says nothing of an LLM summarising papers, and it offers the summary
Include / Leave out control only when summaries run or some are held to include."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.config import Env
from tests.support.app_client import app_clients
from tests.support.seed import SUMMARY_MODEL, seed_config, seed_store

CONFIG = seed_config()
NOON = datetime(2026, 9, 23, 16, 0, tzinfo=UTC)
KEY = {"DASHSCOPE_API_KEY": "sk-test-not-a-real-key"}
CONTROL = 'name="summary"'


def page(tmp_path, secrets: dict, summaries: int) -> str:
    with app_clients(tmp_path, CONFIG, NOON) as make:
        env = Env(db_path=str(tmp_path / "db.sqlite3"), secrets=secrets)
        client, _ = make(env=env, seed=lambda store, config: seed_store(store, config, summaries=summaries))
        response = client.get("/")
        assert response.status_code == 200
        return response.text


def test_without_the_key_and_no_summary_held_the_page_says_nothing_of_summaries(tmp_path):
    text = page(tmp_path, {}, summaries=0)
    assert "summarise" not in text and SUMMARY_MODEL not in text
    assert CONTROL not in text
    assert "0 AI summaries" in text  # the honest count stays


def test_without_the_key_summaries_held_can_still_be_left_out_but_are_not_promised(tmp_path):
    text = page(tmp_path, {}, summaries=5)
    assert "summarise" not in text
    assert CONTROL in text


@pytest.mark.parametrize("summaries", [0, 5])
def test_with_the_key_the_page_says_which_model_summarises_and_offers_the_control(tmp_path, summaries):
    text = page(tmp_path, KEY, summaries=summaries)
    assert f"has an LLM ({SUMMARY_MODEL}) summarise the best ones" in text
    assert CONTROL in text
    assert KEY["DASHSCOPE_API_KEY"] not in text
