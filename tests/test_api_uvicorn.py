"""The app once through a real uvicorn server on 127.0.0.1 (random port), over real HTTP:
a feed, its 304, and the local-only cron rule, where the peer address is the real one."""

from __future__ import annotations

import socket
import threading
import time

import feedparser
import httpx
import pytest
import uvicorn

from api.deps import Service, get_service
from api.index import app
from api.ops import allow_local_cron
from core.context import Context
from tests.conftest import shared_fixture
from tests.support.fake_arxiv import FakeArxiv
from tests.support.seed import seed_config, seed_store

CONFIG = seed_config(categories=["cs.LG", "cs.AI", "cs.CL", "stat.ML"])
RSS_FIXTURE = "rss_2026-09-24_cs.LG+cs.AI+cs.CL+stat.ML_trimmed_4_items.xml"


@pytest.fixture
def server(tmp_path):
    """(base URL, FakeArxiv) for the app served by uvicorn with a seeded SQLite store, no CRON_SECRET,
    opted in to the local cron exemption as `python -m cli serve` does."""
    allow_local_cron(app)
    with FakeArxiv() as arxiv:
        arxiv.route("/rss/", body=shared_fixture(RSS_FIXTURE))
        ctx = Context(CONFIG, arxiv.env(db_path=str(tmp_path / "db.sqlite3")))
        seed_store(ctx.store, CONFIG, days=2, per_day=20)
        service = Service(ctx)
        app.dependency_overrides[get_service] = lambda: service
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        uv = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
        thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not uv.started and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}", arxiv
        finally:
            uv.should_exit = True
            thread.join(timeout=10)
            sock.close()
            app.dependency_overrides.clear()
            del app.state.local_cron
            ctx.store.close()


def test_a_real_server_serves_a_feed_its_304_and_a_local_cron(server):
    base, arxiv = server
    with httpx.Client(base_url=base, timeout=10) as http:
        response = http.get("/feed/cs.LG", params={"format": "atom", "utm_source": "reader"})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
        feed = feedparser.parse(response.content)
        assert not feed.bozo and feed.entries
        assert feed.feed.links[0].href.startswith(base + "/feed/cs.LG?format=atom")
        assert all("cs.LG" in [t.term for t in e.tags] for e in feed.entries)

        again = http.get("/feed/cs.LG?format=atom", headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304 and again.content == b""

        cron = http.get("/api/cron")  # no CRON_SECRET: allowed for a loopback peer of the opted-in server
        assert cron.status_code == 200 and cron.json()["fetched"] == 4
        assert arxiv.paths() == ["/rss/cs.LG+cs.AI+cs.CL+stat.ML"]

        proxied = http.get("/api/cron", headers={"X-Forwarded-For": "203.0.113.7"})
        assert proxied.status_code == 403
