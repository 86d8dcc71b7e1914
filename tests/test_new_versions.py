"""Following a liked paper's new versions: when arXiv announces a replacement of a paper the
profile liked, the profile feed shows it again once, marked "updated to vN" with its new
comments line, and the refresh embeds the new version only if its title or abstract changed."""

from __future__ import annotations

import json
from dataclasses import replace

from core.config import EmbeddingConfig
from core.embed.embedder import WordLlama
from core.refresh.embedding import embed_days
from core.store.layout import read_manifest
from core.store.publish import publish, write_day
from tests.support.app_client import app_clients
from tests.support.papers import paper
from tests.support.seed import scored_day
from tests.test_meaning import CONFIG, IDS, seed
from tests.test_profiles import NOW, env_for, items, links, make_profile

NEXT = "2026-09-25"
LIKED = "Legged robot locomotion over rough terrain"


class CountingEmbedder:
    """The real embedded model, counting the texts it is asked to embed."""

    def __init__(self):
        self.model = WordLlama(EmbeddingConfig())
        self.name = self.model.name
        self.texts: list[str] = []

    def embed(self, texts):
        self.texts += list(texts)
        return self.model.embed(texts)


def announce(store, *papers, embedder) -> dict:
    """Publish a newer day holding `papers` above the days held; the embedding report."""
    old = read_manifest(store)
    ref = write_day(store, scored_day(NEXT, list(papers), CONFIG), CONFIG.retention_days)
    manifest = replace(old, version="v2", days=(ref, *old.days), published_at=f"{NEXT}T05:15:00+00:00")
    manifest, report = embed_days(store, manifest, embedder, CONFIG.retention_days, previous=old)
    publish(store, manifest)
    return report


def test_a_liked_paper_announced_again_comes_back_once_marked_updated_and_is_not_re_embedded(tmp_path):
    with app_clients(tmp_path, CONFIG, NOW) as make:
        client, service = make(seed=seed, env=env_for(tmp_path))
        profile = make_profile(service, days=2)
        shown = items(client, profile.feed_id)
        liked = next(i for i in shown if i["title"] == LIKED)
        assert client.get(links(liked)["More"]).status_code == 200
        assert LIKED not in [i["title"] for i in items(client, profile.feed_id)]

        original = next(
            s.paper
            for d in service.reader.days(service.reader.manifest(), 1)
            for s in d.papers
            if s.paper.title == LIKED
        )
        new_version = replace(
            original, version=2, announce_type="replace", announced=NEXT, comment="Accepted at ICRA 2027"
        )
        fresh = paper(
            "2609.09999",
            title="A new gripper for soft objects",
            abstract="Soft robotic grasping.",
            categories=("cs.RO",),
            announced=NEXT,
        )
        embedder = CountingEmbedder()
        report = announce(service.ctx.store, new_version, fresh, embedder=embedder)

        assert report["embedded"] == 1 and len(embedder.texts) == 1  # the unchanged new version kept its vector
        after = items(client, profile.feed_id)
        first = after[0]
        assert first["title"] == LIKED and first["_arxiv"]["version"] == 2
        assert first["_arxiv"]["why"] == "updated to v2; comments: Accepted at ICRA 2027"
        assert "<strong>Why:</strong> updated to v2; comments: Accepted at ICRA 2027" in first["content_html"]
        assert [i["title"] for i in after].count(LIKED) == 1

        assert client.get(links(first)["More"]).status_code == 200  # liking v2: seen, not shown again
        assert LIKED not in [i["title"] for i in items(client, profile.feed_id)]


def test_a_new_version_whose_abstract_changed_is_embedded_again(tmp_path):
    with app_clients(tmp_path, CONFIG, NOW) as make:
        _, service = make(seed=seed, env=env_for(tmp_path))
        original = next(
            s.paper
            for d in service.reader.days(service.reader.manifest(), 1)
            for s in d.papers
            if s.paper.id == IDS[LIKED]
        )
        changed = replace(
            original, version=2, announce_type="replace", announced=NEXT, abstract="A rewritten abstract."
        )
        embedder = CountingEmbedder()
        report = announce(service.ctx.store, changed, embedder=embedder)
        assert report["embedded"] == 1 and embedder.texts and "A rewritten abstract." in embedder.texts[0]


def test_a_disliked_paper_announced_again_stays_away(tmp_path):
    with app_clients(tmp_path, CONFIG, NOW) as make:
        client, service = make(seed=seed, env=env_for(tmp_path))
        profile = make_profile(service, days=2)
        disliked = next(i for i in items(client, profile.feed_id) if i["title"] == LIKED)
        assert client.get(links(disliked)["Less"]).status_code == 200
        original = next(
            s.paper
            for d in service.reader.days(service.reader.manifest(), 1)
            for s in d.papers
            if s.paper.id == IDS[LIKED]
        )
        announce(
            service.ctx.store,
            replace(original, version=2, announce_type="replace", announced=NEXT),
            embedder=CountingEmbedder(),
        )
        assert LIKED not in [i["title"] for i in items(client, profile.feed_id)]
        assert not any("updated to" in json.dumps(i) for i in items(client, profile.feed_id))
