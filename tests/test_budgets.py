"""The daily budgets hold exactly under a concurrent burst, on every store backend
(SQLite, a real redis-server, Upstash's SDK over the loopback fake), through the real app
on a real uvicorn server: the profile-creation budget (api.profile_api) and the
interest-embedding budget (core.embed.interest), whose outbound calls are counted at a
loopback OpenAI-compatible endpoint. Only creations that succeed use the budget."""

from __future__ import annotations

import concurrent.futures
import contextlib
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from api.deps import Service, get_service
from api.index import app
from core.config import Env, parse_config
from core.context import Context
from core.embed import embedder as embedders
from core.store.layout import interest_budget_key, profile_budget_key
from tests.support.live_server import live_server
from tests.support.loopback import LoopbackServer
from tests.test_embeddings import _Embeddings
from tests.test_meaning import CONFIG, seed
from tests.test_store_contract import fake_upstash, redis_backend, store, upstash_backend  # noqa: F401

NOW = datetime(2026, 9, 24, 12, tzinfo=UTC)
TODAY = NOW.date().isoformat()
CAP = 500  # api.profile_api.NEW_PROFILES_PER_DAY


@contextlib.contextmanager
def served(store, config, env: Env):  # noqa: F811
    """The app on a live server over `store`; yields its base URL."""
    ctx = Context(config, env)
    ctx.__dict__["store"] = store
    service = Service(ctx, clock=lambda: NOW)
    app.dependency_overrides[get_service] = lambda: service
    try:
        with live_server(app) as base:
            yield base
    finally:
        app.dependency_overrides.clear()


def burst(calls: list) -> list[httpx.Response]:
    with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_a_burst_of_creations_at_the_cap_creates_exactly_what_is_left(store, tmp_path):  # noqa: F811
    seed(store, CONFIG)
    store.incr(profile_budget_key(TODAY), 3600, CAP - 30)
    with served(store, CONFIG, Env(db_path=str(tmp_path / "unused.sqlite3"))) as base, httpx.Client() as client:
        post = [lambda i=i: client.post(f"{base}/api/profiles", json={"interest": f"robots {i}"}) for i in range(60)]
        codes = sorted(r.status_code for r in burst(post))
        late = client.post(f"{base}/api/profiles", json={"interest": "one more"})
    assert codes == [201] * 30 + [429] * 30
    assert store.incr(profile_budget_key(TODAY), 3600, 0) == CAP
    assert late.status_code == 429 and int(late.headers["retry-after"]) == 12 * 3600  # until the next UTC day


def test_failed_creations_use_no_budget(store, tmp_path):  # noqa: F811
    """A 400 found while the profile is built (the liked paper is not held here), a 503 from the
    embedding endpoint, and a 429 past the interest budget leave the counter where it was."""
    seed(store, CONFIG)
    name = _fresh_embedder_name()
    remote = parse_config({**_raw(CONFIG), "embeddings": {"provider": "openai", "model": name}})
    _Embeddings.calls, _Embeddings.status = [], 500
    try:
        with LoopbackServer(_Embeddings, "embeddings") as endpoint:
            env = _remote_env(tmp_path, endpoint.origin)
            with served(store, remote, env) as base, httpx.Client() as client:
                unheld = client.post(f"{base}/api/profiles", json={"like": ["2601.99999"]})
                failing = client.post(f"{base}/api/profiles", json={"interest": "robots"})
                store.incr(interest_budget_key(TODAY), 3600, 500)  # today's interest budget: spent
                spent = client.post(f"{base}/api/profiles", json={"interest": "something new"})
    finally:
        embedders._SHARED.pop(f"openai:{name}:native", None)
    assert (unheld.status_code, unheld.json()["error"]["parameter"]) == (400, "interest")
    assert "a liked paper held here" in unheld.json()["error"]["message"]  # found after the budget was taken
    assert failing.status_code == 503 and {c[2]["input"][0] for c in _Embeddings.calls} == {"robots"}
    assert spent.status_code == 429 and spent.json()["error"]["parameter"] == "interest"
    assert int(spent.headers["retry-after"]) == 12 * 3600
    assert store.incr(profile_budget_key(TODAY), 3600, 0) == 0


def test_a_burst_of_distinct_interests_makes_at_most_the_budget_of_outbound_calls(store, tmp_path):  # noqa: F811
    seed(store, CONFIG)
    name = _fresh_embedder_name()
    remote = parse_config(
        {**_raw(CONFIG), "embeddings": {"provider": "openai", "model": name, "daily_interest_budget": 10}}
    )
    _Embeddings.calls, _Embeddings.status = [], 200
    try:
        with LoopbackServer(_Embeddings, "embeddings") as endpoint:
            env = _remote_env(tmp_path, endpoint.origin)
            with served(store, remote, env) as base, httpx.Client() as client:
                get = [
                    lambda i=i: client.get(f"{base}/feed", params={"interest": f"topic {i}", "format": "json"})
                    for i in range(30)
                ]
                answers = burst(get)
    finally:
        embedders._SHARED.pop(f"openai:{name}:native", None)
    assert [r.status_code for r in answers] == [200] * 30  # never a 503: past the budget, keywords rank
    assert len(_Embeddings.calls) == 10
    assert sum("budget for embedding new interest texts is spent" in r.text for r in answers) == 20
    assert store.incr(interest_budget_key(TODAY), 3600, 0) == 10


def _fresh_embedder_name() -> str:
    """A model name no earlier test used: the process keeps one embedder, and one memo, per name."""
    return f"test-embed-{uuid.uuid4().hex[:8]}"


def _remote_env(tmp_path, origin: str) -> Env:
    return Env.from_environ(
        {
            "ARXIV_RSS_DB": str(tmp_path / "unused.sqlite3"),
            "OPENAI_API_KEY": "sk-test",
            "EMBEDDINGS_BASE_URL": origin + "/v1",
        }
    )


def _raw(config) -> dict:
    return {"categories": list(config.categories), "keywords": [k.text for k in config.keywords], "min_score": 1}


pytest.importorskip("uvicorn")
