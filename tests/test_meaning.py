"""Ranking by meaning from the query string: interest=, like=, unlike=, rank= and
min_similarity= on the real app over a store whose days carry real vectors, with every
item explaining its rank and every bad value a 400 naming its parameter."""

from __future__ import annotations

import json
import re

import pytest

from core.config import EmbeddingConfig, parse_config
from core.embed.embedder import WordLlama
from core.models import Manifest
from core.refresh.embedding import embed_days
from core.store.publish import publish, write_day
from tests.support.app_client import app_clients
from tests.support.papers import paper
from tests.support.seed import scored_day

CONFIG = parse_config({"categories": ["cs.LG", "cs.CR", "cs.RO"], "keywords": ["LLM", "inference"], "min_score": 1})
TOPICS = {
    "llm": [
        ("Speculative decoding for faster LLM inference", "We draft tokens with a small model and verify them."),
        ("KV cache compression for long-context transformers", "We quantise the key-value cache of language models."),
        ("Batching requests when serving large language models", "A scheduler for LLM serving on GPU clusters."),
    ],
    "crypto": [
        ("A lattice-based signature scheme", "Post-quantum signatures from module lattices with short keys."),
        ("Side-channel attacks on AES in embedded devices", "Power analysis recovers keys from microcontrollers."),
        ("Zero-knowledge proofs for private payments", "Succinct proofs that hide amounts and parties."),
    ],
    "robots": [
        ("Legged robot locomotion over rough terrain", "A controller that keeps a quadruped balanced on rocks."),
        ("Grasping unknown objects with a robot hand", "Tactile feedback guides the fingers of a manipulator."),
        ("Drone path planning among obstacles", "Quadrotors plan collision-free paths in cluttered forests."),
    ],
}
CATEGORY = {"llm": "cs.LG", "crypto": "cs.CR", "robots": "cs.RO"}
DATE = "2026-09-24"
IDS = {}


def seed(store, config):
    papers = []
    for t, (topic, items) in enumerate(TOPICS.items()):
        for i, (title, abstract) in enumerate(items):
            pid = f"2609.{t * 10 + i + 1:05d}"
            IDS[title] = pid
            papers.append(paper(pid, title=title, abstract=abstract, categories=(CATEGORY[topic],), announced=DATE))
    ref = write_day(store, scored_day(DATE, papers, config), config.retention_days)
    manifest = Manifest(version="v1", published_at=f"{DATE}T05:15:00+00:00", days=(ref,), status="updated")
    manifest, _ = embed_days(store, manifest, WordLlama(EmbeddingConfig()), config.retention_days)
    publish(store, manifest)


@pytest.fixture
def client(tmp_path):
    from datetime import UTC, datetime

    with app_clients(tmp_path, CONFIG, datetime(2026, 9, 24, 12, tzinfo=UTC)) as make:
        client, _ = make(seed=seed)
        yield client


def items(client, query: str) -> list[dict]:
    response = client.get(f"/feed?format=json&{query}")
    assert response.status_code == 200, response.text
    return json.loads(response.text)["items"]


def titles(client, query: str) -> list[str]:
    return [i["title"] for i in items(client, query)]


def description(client, query: str) -> str:
    return json.loads(client.get(f"/feed?format=json&{query}").text)["description"]


def test_an_interest_ranks_papers_by_meaning_without_needing_a_keyword(client):
    top = titles(client, "interest=robots that walk and grasp things&limit=3")
    assert set(top) == {t for t, _ in TOPICS["robots"]}
    assert titles(client, "interest=cryptography and digital signatures&limit=1") == [
        "A lattice-based signature scheme"
    ]


def test_every_item_explains_its_similarity(client):
    for item in items(client, "interest=post-quantum cryptography&limit=9"):
        assert re.search(r"<strong>Similarity:</strong> -?[01]\.\d\d", item["content_html"]), item["title"]


def test_like_finds_the_neighbours_of_a_liked_paper_and_names_it(client):
    liked = IDS["Legged robot locomotion over rough terrain"]
    shown = items(client, f"like={liked}&limit=2")
    assert {i["title"] for i in shown} <= {t for t, _ in TOPICS["robots"]}
    assert all("Legged robot" not in i["title"] for i in shown)  # never the liked paper itself
    assert all("Closest liked paper:</strong> Legged robot locomotion" in i["content_html"] for i in shown)


def test_unlike_pushes_the_neighbours_of_a_disliked_paper_down(client):
    base = titles(client, "interest=security of devices and robots&limit=9")
    pushed = titles(
        client, f"interest=security of devices and robots&unlike={IDS['Drone path planning among obstacles']}&limit=9"
    )
    robots = {t for t, _ in TOPICS["robots"]} - {"Drone path planning among obstacles"}
    assert sum(pushed.index(t) for t in robots) > sum(base.index(t) for t in robots)


def test_min_similarity_drops_the_less_similar(client):
    everything = items(client, "interest=speculative decoding for language models&rank=meaning&limit=50")
    kept = items(client, "interest=speculative decoding for language models&rank=meaning&min_similarity=0.5&limit=50")
    assert 0 < len(kept) < len(everything)
    assert all(float(re.search(r"Similarity:</strong> (-?[0-9.]+)", i["content_html"]).group(1)) >= 0.5 for i in kept)


def test_hybrid_lets_keywords_lift_a_paper_that_meaning_alone_ranks_lower(client):
    query = "interest=compressing memory of transformer models&keywords=batching"
    by_meaning = titles(client, query + "&rank=meaning")
    by_hybrid = titles(client, query + "&rank=hybrid")
    batching = "Batching requests when serving large language models"
    assert by_hybrid.index(batching) <= by_meaning.index(batching)
    assert by_meaning[0] == "KV cache compression for long-context transformers"


def test_ids_not_held_are_named_and_nothing_to_rank_falls_back_to_keywords(client):
    known = IDS["Grasping unknown objects with a robot hand"]
    text = description(client, f"like={known},2609.99999")
    assert "2609.99999 not among the papers held" in text
    text = description(client, "like=2609.99999")
    assert "ranked by keywords" in text
    assert all("Similarity" not in i["content_html"] for i in items(client, "like=2609.99999"))


def test_the_plain_feed_is_unchanged_and_explains_no_similarity(client):
    assert all("Similarity" not in i["content_html"] for i in items(client, "limit=50"))


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("interest=" + "x" * 501, "interest"),
        ("like=" + ",".join(f"2609.{i:05d}" for i in range(21)), "like"),
        ("like=not-an-id", "like"),
        ("unlike=2609.1", "unlike"),
        ("interest=robots&min_similarity=1.5", "min_similarity"),
        ("interest=robots&min_similarity=-2", "min_similarity"),
        ("interest=robots&min_similarity=high", "min_similarity"),
        ("rank=meaning", "rank"),
        ("interest=robots&rank=vibes", "rank"),
    ],
)
def test_bad_meaning_parameters_are_a_400_naming_them(client, query, parameter):
    response = client.get(f"/feed?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == parameter


def test_meaning_parameters_work_on_every_route_and_format(client):
    for path in ("/feed", "/feed/cs.RO", "/feed/keyword/robot"):
        for fmt in ("rss", "atom", "json"):
            response = client.get(f"{path}?interest=robots walking&format={fmt}")
            assert response.status_code == 200, (path, fmt, response.text)
            assert "Similarity" in response.text


def test_exclude_words_still_drop_titles_when_ranking_by_meaning(client):
    shown = titles(client, "interest=robots walking and grasping&exclude=robot&limit=9")
    assert shown and all("robot" not in t.lower() for t in shown)


def test_sort_date_keeps_meaning_order_within_a_day(client):
    assert titles(client, "interest=robots walking and grasping&sort=date&limit=3") == titles(
        client, "interest=robots walking and grasping&limit=3"
    )


def test_each_paper_of_a_day_finds_its_vector_row_whatever_order_the_vectors_are_in():
    import numpy as np

    from core.models import Day, Scored
    from core.rank.meaning import _vector_rows
    from core.store.vectors import DayVectors, paper_key
    from tests.support.papers import paper

    papers = [paper(f"2609.0000{n}") for n in range(4)]
    day = Day("2026-09-24", tuple(Scored(p, 1.0) for p in papers))
    matrix = np.eye(4, 8, dtype=np.float32)
    aligned = DayVectors.build("e", [paper_key(p) for p in papers], matrix)
    assert _vector_rows(aligned, day).tolist() == [0, 1, 2, 3]
    shuffled = DayVectors.build("e", [paper_key(papers[n]) for n in (2, 0, 3)], matrix[:3])
    assert _vector_rows(shuffled, day).tolist() == [1, -1, 0, 2]
