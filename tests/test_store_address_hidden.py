"""A store that fails is named by its backend, never by where it lives: no host, port,
URL or file path in any response (503 JSON, page, health, cron) or log line.

Each backend fails for real: a SQLite file behind a file where its folder should be,
and Redis and Upstash on a loopback port nothing listens on.
"""

from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient

from api.deps import Service, get_service
from api.index import app
from core.config import Env
from core.context import Context
from core.store.sqlite import SqliteStore
from tests.support.redis_server import free_port
from tests.support.seed import seed_config, seed_store

CONFIG = seed_config()
SECRET = "c" * 32
ROUTES = ["/feed", "/feed?format=json", "/feed/cs.LG?format=atom", "/feed/keyword/learning", "/", "/api/health"]


def down_env(backend: str, tmp_path) -> tuple[Env, list[str], str]:
    """(environment, the texts that tell where the store lives, the name a message must give)."""
    if backend == "sqlite":
        (tmp_path / "blocked").write_text("a file where the store's folder should be")
        path = str(tmp_path / "blocked" / "store.sqlite3")
        return Env(db_path=path, cron_secret=SECRET), [path, str(tmp_path)], "SQLite"
    port = free_port()
    if backend == "redis":
        url = f"redis://:pw-hunter2@127.0.0.1:{port}/0"
        return Env(redis_url=url, cron_secret=SECRET), ["127.0.0.1", str(port), "hunter2"], "Redis"
    url = f"http://127.0.0.1:{port}"
    env = Env(upstash_url=url, upstash_token="tok-hunter2", cron_secret=SECRET)
    return env, ["127.0.0.1", str(port), "hunter2"], "Upstash"


@pytest.fixture
def serve():
    def make(ctx: Context) -> TestClient:
        service = Service(ctx)
        app.dependency_overrides[get_service] = lambda: service
        return TestClient(app)

    yield make
    app.dependency_overrides.clear()


def shown(response) -> str:
    return response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())


@pytest.mark.parametrize("backend", ["sqlite", "redis", "upstash"])
def test_a_store_that_is_down_is_named_by_backend_never_by_address(backend, tmp_path, logs, serve):
    env, where, name = down_env(backend, tmp_path)
    client = serve(Context(CONFIG, env))
    responses = [client.get(route) for route in ROUTES]
    responses.append(client.get("/api/cron", headers={"Authorization": f"Bearer {SECRET}"}))
    feed, health = responses[0], responses[ROUTES.index("/api/health")]
    assert feed.status_code == 503 and name in feed.json()["error"]["message"]
    assert health.status_code == 503 and name in health.json()["store"]["reason"]
    assert responses[-1].status_code == 503
    text = " ".join(shown(r) for r in responses) + logs.getvalue()
    assert "store" in logs.getvalue()  # the failures were logged ...
    for part in where:
        assert part not in text  # ... and nothing says where the store lives


def test_a_store_lost_after_serving_says_so_without_its_path(tmp_path, logs, serve):
    path = tmp_path / "data" / "store.sqlite3"
    ctx = Context(CONFIG, Env(db_path=str(path)))
    seed_store(ctx.store, CONFIG)
    client = serve(ctx)
    assert client.get("/feed").status_code == 200  # the data is now in memory
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE kv")  # the store now fails every command
    responses = [client.get(route) for route in ROUTES]
    health = responses[ROUTES.index("/api/health")].json()
    assert health["status"] == "degraded" and health["store"]["reason"].startswith("the SQLite store failed")
    assert responses[0].status_code == 200  # still served from memory
    text = " ".join(shown(r) for r in responses) + logs.getvalue()
    assert str(tmp_path) not in text and "store.sqlite3" not in text


def test_an_os_error_opening_sqlite_keeps_its_reason_and_drops_its_path(tmp_path):
    (tmp_path / "blocked").write_text("")
    with pytest.raises(Exception) as err:
        SqliteStore(str(tmp_path / "blocked" / "deeper" / "store.sqlite3"))
    message = str(err.value)
    assert message.startswith("the SQLite store cannot be opened (check ARXIV_RSS_DB): ")
    assert str(tmp_path) not in message and "blocked" not in message
