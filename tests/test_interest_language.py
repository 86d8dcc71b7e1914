"""An interest the embedder cannot read is named in the feed: wordllama reads English only
(benchmarks.models: a Chinese interest often finds none of its field), so a mostly non-Latin
`interest=` text gets a plain note in the feed's description, on every request."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from core.config import EmbeddingConfig, Env, parse_config
from core.embed.embedder import OpenAIEmbeddings, WordLlama, mostly_latin
from core.embed.interest import language_note
from core.models import Manifest
from core.profiles.model import create_profile
from core.profiles.setup import draft_profile, settings_from
from core.refresh.embedding import embed_days
from core.store.publish import publish, write_day
from tests.support.app_client import app_clients
from tests.support.papers import paper
from tests.support.seed import scored_day

CONFIG = parse_config({"categories": ["hep-th", "cs.RO"], "keywords": ["string"], "min_score": 1})
DATE = "2026-09-24"
PAPERS = [
    ("2609.00001", "Compactifications of string theory on Calabi-Yau manifolds", "We count flux vacua.", "hep-th"),
    ("2609.00002", "Legged robot locomotion over rough terrain", "A quadruped keeps its balance on rocks.", "cs.RO"),
]
NOTE = "reads English only"


def seed(store, config):
    papers = [paper(i, title=t, abstract=a, categories=(c,), announced=DATE) for i, t, a, c in PAPERS]
    ref = write_day(store, scored_day(DATE, papers, config), config.retention_days)
    manifest = Manifest(version="v1", published_at=f"{DATE}T05:15:00+00:00", days=(ref,), status="updated")
    manifest, _ = embed_days(store, manifest, WordLlama(EmbeddingConfig()), config.retention_days)
    publish(store, manifest)


NOW = datetime(2026, 9, 24, 12, tzinfo=UTC)


@pytest.fixture
def client(tmp_path):
    with app_clients(tmp_path, CONFIG, NOW) as make:
        client, _ = make(seed=seed)
        yield client


@pytest.fixture
def profile_feed(tmp_path):
    """interest -> the description of a new profile's JSON feed with that interest."""
    with app_clients(tmp_path, CONFIG, NOW) as make:
        env = Env(db_path=str(tmp_path / "db.sqlite3"))
        client, service = make(seed=seed, env=env)

        def description(interest: str) -> str:
            draft, _ = draft_profile(service.ctx.store, CONFIG, env, interest=interest, settings=settings_from(days=1))
            created = create_profile(service.ctx.store, draft, NOW)
            response = client.get(f"/feed/p/{created.feed_id}?format=json")
            assert response.status_code == 200, response.text
            return json.loads(response.text)["description"]

        yield description


def description(client, interest: str) -> str:
    response = client.get(f"/feed?format=json&interest={quote(interest)}")
    assert response.status_code == 200, response.text
    doc = json.loads(response.text)
    assert doc["items"], "the feed still ranks the day's papers"
    return doc["description"]


@pytest.mark.parametrize(
    "text, latin",
    [
        ("string theory", True),
        ("Café, résumé et théorie des cordes", True),
        ("liangzi jisuan", True),
        ("", True),
        ("123 + 456 !", True),
        ("弦理论", False),
        ("量子计算 and 图像", False),  # 7 Han letters, 3 Latin
        ("LLM 推理加速与量化", False),
        ("Квантовые вычисления", False),
        ("deep learning 深度", True),  # mostly English
    ],
)
def test_mostly_latin_counts_letters_by_script(text, latin):
    assert mostly_latin(text) is latin


def test_a_chinese_interest_with_the_default_embedder_is_named_in_the_feed(client):
    first = description(client, "弦理论")
    assert NOTE in first and "wordllama" in first and "remote multilingual embedder" in first
    # The second request meets the memoised vector and must say it again.
    assert NOTE in description(client, "弦理论")


def test_an_english_interest_gets_no_language_note(client):
    assert NOTE not in description(client, "string theory")
    assert NOTE not in description(client, "théorie des cordes")


def test_a_multilingual_embedder_takes_a_chinese_interest_without_a_note():
    remote = OpenAIEmbeddings(EmbeddingConfig(provider="openai", model="m"), "http://127.0.0.1:9", "k")
    try:
        assert remote.multilingual and language_note(remote, "弦理论") == ""
    finally:
        remote.close()
    english_only = WordLlama(EmbeddingConfig())
    assert not english_only.multilingual
    assert NOTE in language_note(english_only, "弦理论")


def test_a_profile_with_a_chinese_interest_says_so_in_its_feed(profile_feed):
    assert NOTE in profile_feed("弦理论")
    assert NOTE not in profile_feed("string theory")
