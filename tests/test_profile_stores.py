"""Profiles and votes on every store backend (SQLite, a real redis-server, Upstash's SDK
over the loopback fake): a profile round-trips, and many parallel votes on one profile
are all counted, none lost and none twice; a vote storm stops at the daily bound."""

from __future__ import annotations

import concurrent.futures
from datetime import UTC, datetime

import pytest

from core.config import Env
from core.embed.embedder import embedder_name
from core.errors import ProfileBusy, ProfileNotFound, VoteRefused
from core.profiles.feed import find_paper
from core.profiles.model import create_profile, delete_profile, digest, feed_id_for_edit, load_profile
from core.profiles.setup import draft_profile, settings_from
from core.profiles.votes import cast_vote, profile_lock
from core.store.layout import profile_lock_key
from core.store.reader import Reader
from tests.test_meaning import CONFIG, IDS, seed
from tests.test_store_contract import fake_upstash, redis_backend, store, upstash_backend  # noqa: F401

NOW = "2026-09-24T12:00:00+00:00"


def papers() -> list[str]:
    return sorted(IDS.values())


@pytest.fixture
def seeded(store):  # noqa: F811
    seed(store, CONFIG)
    draft, _ = draft_profile(store, CONFIG, Env(), interest="robots", settings=settings_from(days=1))
    return store, create_profile(store, draft, datetime(2026, 9, 24, 12, tzinfo=UTC))


def lookup_in(backend):
    reader = Reader(backend)

    def lookup(paper_id: str):
        manifest = reader.manifest()
        days = reader.days(manifest, len(manifest.days))
        return find_paper(days, reader.vectors(manifest, len(manifest.days), embedder_name(CONFIG)), paper_id)

    return lookup


def test_a_profile_round_trips_and_is_deleted_with_its_edit_token(seeded):
    backend, created = seeded
    assert load_profile(backend, created.feed_id) == created.profile
    assert feed_id_for_edit(backend, created.edit_token) == created.feed_id
    delete_profile(backend, created.feed_id)
    for call, token in ((load_profile, created.feed_id), (feed_id_for_edit, created.edit_token)):
        with pytest.raises(ProfileNotFound):
            call(backend, token)


def test_many_parallel_votes_on_one_profile_are_all_counted_once(seeded):
    backend, created = seeded
    lookup = lookup_in(backend)
    # Each of the 9 papers voted by 4 threads at once: 36 requests, 9 distinct votes.
    jobs = [(paper, "up" if i % 2 else "down") for i, paper in enumerate(papers()) for _ in range(4)]
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(lambda job: cast_vote(backend, created.feed_id, *job, lookup, NOW), jobs))
    assert sum(o.counted for o in outcomes) == len(papers())
    profile = load_profile(backend, created.feed_id)
    assert profile.version == 1 + len(papers()) and profile.votes_today == len(papers())
    assert {v.id for v in profile.liked} == set(papers()[1::2]) and {v.id for v in profile.disliked} == set(
        papers()[::2]
    )
    assert backend.get(profile_lock_key(digest(created.feed_id))) is None  # every lock released


def test_a_vote_storm_stops_at_the_daily_bound(seeded, monkeypatch):
    backend, created = seeded
    monkeypatch.setattr("core.profiles.votes.MAX_VOTES_PER_DAY", 5)
    lookup = lookup_in(backend)
    flips = [(papers()[i % 3], ("up", "down", "clear")[(i // 3) % 3]) for i in range(30)]
    refused = 0
    for paper, vote in flips:
        try:
            cast_vote(backend, created.feed_id, paper, vote, lookup, NOW)
        except VoteRefused as exc:
            refused += exc.status == 429
    assert load_profile(backend, created.feed_id).votes_today == 5 and refused > 0
    assert cast_vote(backend, created.feed_id, papers()[0], "up", lookup, "2026-09-25T00:00:01+00:00").counted


def test_a_held_lock_makes_a_vote_wait_then_say_busy(seeded):
    backend, created = seeded
    key = digest(created.feed_id)
    with profile_lock(backend, key), pytest.raises(ProfileBusy), profile_lock(backend, key, wait=0.2):
        pass
