"""The learning evaluation's readers through the real app (`make eval`, after benchmarks.learning).

benchmarks.learning scores the learner's functions directly. Here the same simulated readers
use the product itself, as a reader in a feed reader would: the corpus is one announcement
day in a store (vectors from the refresh's embedding step), each reader's profile is made
from its interest text as `profile create --interest` makes it, and each look reads the
profile feed (`/feed/p/{id}?format=json`) and clicks the items' signed "More like this" and
"Less like this" links. The scores are the harness's (normalised P@10 after 0, 5, 10 and 20
votes, new papers after 5 down-votes), so the two tables can be read side by side: a gap
would mean the evaluation does not measure what the feed does.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from benchmarks import learning

SECRET = "learning-evaluation-feedback-secret"
DATE = "2018-08-30"
NOW = datetime(2018, 8, 30, 12, tzinfo=UTC)
_LINK = re.compile(r'<a href="([^"]+)">(More|Less) like this</a>')


def through_the_app(papers: Sequence, readers: Sequence[learning.Reader], down_only: bool = False) -> dict:
    """{votes: mean normalised P@10} and the mean new papers after 5 down-votes (or None) of
    `readers` (whose `relevant` is per paper of `papers`) using the real app over one day."""
    from core.config import Env, parse_config
    from core.profiles.model import create_profile
    from core.profiles.setup import draft_profile, settings_from
    from tests.support.app_client import app_clients

    logging.getLogger("httpx2").setLevel(logging.WARNING)  # the test client logs every request
    categories = sorted({c for p in papers for c in p.categories})
    config = parse_config({"categories": categories, "keywords": [], "retention_days": 3})
    runs, fresh = [], []
    with tempfile.TemporaryDirectory(prefix="eval-app-") as tmp, app_clients(Path(tmp), config, NOW) as make:
        env = Env(db_path=str(Path(tmp) / "db.sqlite3"), secrets={"FEEDBACK_SECRET": SECRET})
        client, service = make(seed=lambda store, cfg: _seed(store, cfg, papers), env=env)
        index = {p.id: i for i, p in enumerate(papers)}
        for reader in readers:
            draft, _ = draft_profile(
                service.ctx.store, config, env, interest=reader.interest, settings=settings_from(days=1, limit=30)
            )
            profile = create_profile(service.ctx.store, draft, NOW)
            scores, new = _read(client, profile.feed_id, index, reader.relevant, down_only)
            runs.append(scores)
            if new is not None:
                fresh.append(new)
    mean = {n: float(np.mean([s[n] for s in runs])) for n in learning.LEARN_AT}
    return {"scores": mean, "fresh": float(np.mean(fresh)) if fresh else None}


def _seed(store, config, papers) -> None:
    from core.config import EmbeddingConfig
    from core.embed.embedder import WordLlama
    from core.models import Manifest
    from core.refresh.embedding import embed_days
    from core.store.publish import publish, write_day
    from tests.support.seed import scored_day

    ref = write_day(store, scored_day(DATE, list(papers), config), config.retention_days)
    manifest = Manifest(version="v1", published_at=f"{DATE}T05:15:00+00:00", days=(ref,), status="updated")
    manifest, _ = embed_days(store, manifest, WordLlama(EmbeddingConfig()), config.retention_days)
    publish(store, manifest)


def _read(client, feed_id: str, index: dict[str, int], relevant: np.ndarray, down_only: bool):
    """One reader (benchmarks.learning.read) whose looks read the profile feed and whose
    votes click the shown items' signed links."""
    items: dict[int, dict] = {}

    def show(up: list[int], down: list[int]) -> list[int]:
        got = json.loads(client.get(f"/feed/p/{feed_id}?format=json").text)["items"][: learning.AT]
        items.clear()
        items.update((index[i["_arxiv"]["id"]], i) for i in got)
        return list(items)

    def vote(paper: int, liked: bool) -> None:
        link = {w: u for u, w in _LINK.findall(items[paper]["content_html"])}["More" if liked else "Less"]
        answer = client.get(link.replace("&amp;", "&").removeprefix("http://testserver"))
        if answer.status_code != 200:
            raise RuntimeError(f"a vote was refused ({answer.status_code}): {answer.text[:200]}")

    return learning.read(show, relevant, down_only, vote)
