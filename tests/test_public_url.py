"""Client headers do not shape cached links: the public origin comes from configuration
(ARXIV_RSS_PUBLIC_URL) or the platform (Vercel's production or deployment URL); only
without either does the request's Host name it, and the response then says `Vary`.
Forwarded headers count only with ARXIV_RSS_TRUST_FORWARDED=1. Trailing-slash
redirects carry a relative Location and a Cache-Control.

The app runs in process over a seeded SQLite store, with its environment given to the
Service (tests.support.app_client), never patched."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import feedparser
import pytest
from starlette.routing import Match

from api.middleware import TrailingSlash
from api.origin import OriginConfig, origin_config
from core.config import Env
from core.errors import ConfigError
from tests.support.app_client import app_clients
from tests.support.seed import seed_config

CONFIG = seed_config()
NOON = datetime(2026, 9, 23, 16, 0, tzinfo=UTC)
HOSTILE = {"Host": "evil.example", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil2.example"}
VERCEL = {
    "VERCEL": "1",
    "VERCEL_PROJECT_PRODUCTION_URL": "arxiv-rss.vercel.app",
    "VERCEL_URL": "arxiv-rss-git-abc123.vercel.app",
}


@pytest.fixture
def make(tmp_path):
    with app_clients(tmp_path, CONFIG, NOON) as make_client:

        def make(environ=None, on_vercel=False):
            env = Env(db_path=str(tmp_path / "db.sqlite3"), on_vercel=on_vercel, secrets=dict(environ or {}))
            return make_client(env=env)[0]

        yield make


def self_link(response) -> str:
    return feedparser.parse(response.content).feed.links[0].href


@pytest.mark.parametrize(
    "environ, origin",
    [
        ({}, OriginConfig()),
        ({"ARXIV_RSS_PUBLIC_URL": "https://Feeds.Example.org/"}, OriginConfig("https://feeds.example.org")),
        ({"ARXIV_RSS_PUBLIC_URL": "http://127.0.0.1:8000"}, OriginConfig("http://127.0.0.1:8000")),
        (VERCEL, OriginConfig("https://arxiv-rss.vercel.app")),
        ({**VERCEL, "VERCEL_ENV": "preview"}, OriginConfig("https://arxiv-rss-git-abc123.vercel.app")),
        ({"VERCEL": "1", "VERCEL_URL": "one-deploy.vercel.app"}, OriginConfig("https://one-deploy.vercel.app")),
        ({**VERCEL, "ARXIV_RSS_PUBLIC_URL": "https://papers.example"}, OriginConfig("https://papers.example")),
        ({"ARXIV_RSS_TRUST_FORWARDED": "1"}, OriginConfig("", True)),
    ],
)
def test_the_public_origin_comes_from_configuration_then_the_platform(environ, origin):
    assert origin_config(environ) == origin


@pytest.mark.parametrize(
    "environ, var",
    [
        ({"ARXIV_RSS_PUBLIC_URL": "feeds.example.org"}, "ARXIV_RSS_PUBLIC_URL"),
        ({"ARXIV_RSS_PUBLIC_URL": "ftp://feeds.example.org"}, "ARXIV_RSS_PUBLIC_URL"),
        ({"ARXIV_RSS_PUBLIC_URL": "https://feeds.example.org/arxiv"}, "ARXIV_RSS_PUBLIC_URL"),
        ({"ARXIV_RSS_PUBLIC_URL": "https://user@feeds.example.org"}, "ARXIV_RSS_PUBLIC_URL"),
        ({"VERCEL": "1", "VERCEL_URL": "bad host/x"}, "VERCEL_URL"),
        ({"ARXIV_RSS_TRUST_FORWARDED": "maybe"}, "ARXIV_RSS_TRUST_FORWARDED"),
    ],
)
def test_a_bad_origin_setting_names_its_variable(environ, var):
    with pytest.raises(ConfigError) as caught:
        origin_config(environ)
    assert caught.value.key == var


def test_a_bad_origin_setting_is_a_500_naming_it_not_a_traceback(make):
    response = make({"ARXIV_RSS_PUBLIC_URL": "feeds.example.org"}).get("/feed")
    assert response.status_code == 500 and "ARXIV_RSS_PUBLIC_URL" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "environ, on_vercel, base",
    [
        ({"ARXIV_RSS_PUBLIC_URL": "https://feeds.example.org"}, False, "https://feeds.example.org"),
        (VERCEL, True, "https://arxiv-rss.vercel.app"),
    ],
)
def test_a_configured_origin_makes_every_link_whatever_the_client_sends(make, environ, on_vercel, base):
    client = make(environ, on_vercel)
    feed = client.get("/feed/cs.AI", params={"format": "atom"}, headers=HOSTILE)
    assert self_link(feed).startswith(base + "/feed/cs.AI?format=atom")
    assert "Host" not in feed.headers.get("vary", "")
    plain = client.get("/feed/cs.AI", params={"format": "atom"})
    assert plain.headers["etag"] == feed.headers["etag"]  # one representation for every Host
    opml = client.get("/opml", headers=HOSTILE)
    urls = [o.get("xmlUrl") for o in ET.fromstring(opml.content).findall("body/outline")]
    assert urls and all(u.startswith(base + "/feed") for u in urls)
    assert "Host" not in opml.headers.get("vary", "")


def test_without_configuration_the_host_names_the_links_and_responses_vary_on_it(make):
    client = make()
    feed = client.get("/feed", params={"format": "atom"}, headers=HOSTILE)
    assert self_link(feed).startswith("http://evil.example/feed")  # X-Forwarded-* are not trusted
    for response in (feed, client.get("/opml", headers=HOSTILE), client.get("/", headers=HOSTILE)):
        vary = [v.strip() for v in response.headers["vary"].split(",")]
        assert "Host" in vary and "X-Forwarded-Proto" in vary, response.request.url


def test_forwarded_headers_name_the_links_only_when_trusted(make):
    client = make({"ARXIV_RSS_TRUST_FORWARDED": "1"})
    feed = client.get("/feed", params={"format": "atom"}, headers=HOSTILE)
    assert self_link(feed).startswith("https://evil2.example/feed")
    assert {"Host", "X-Forwarded-Proto", "X-Forwarded-Host"} <= {v.strip() for v in feed.headers["vary"].split(",")}


def test_a_host_that_is_not_a_host_falls_back_to_the_server_address(make):
    feed = make().get("/feed", params={"format": "atom"}, headers={"Host": "evil.example/<x>"})
    assert self_link(feed).startswith("http://testserver")


@pytest.mark.parametrize(
    "path, location",
    [
        ("/feed/?format=atom", "/feed?format=atom"),
        ("/feed/cs.AI/", "/feed/cs.AI"),
        ("/feed//", "/feed"),
        ("/opml/", "/opml"),
    ],
)
def test_a_trailing_slash_redirects_relatively_and_cacheably(make, path, location):
    response = make().get(path, headers=HOSTILE, follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == location
    assert response.headers["cache-control"] == "public, max-age=86400"


def test_a_trailing_slash_on_no_route_is_a_404_not_a_redirect(make):
    response = make().get("/nothing-here/", follow_redirects=False)
    assert response.status_code == 404 and "location" not in response.headers


def test_a_redirect_never_points_off_the_site():
    """Even when some route would take `//evil.example`, the Location keeps one leading slash."""

    class AnyRoute:
        def matches(self, scope):
            return Match.FULL, {}

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "//evil.example/", "raw_path": b"//evil.example/"}
    asyncio.run(TrailingSlash(None, routes=lambda: [AnyRoute()])(scope, None, send))
    assert sent[0]["status"] == 307 and dict(sent[0]["headers"])[b"location"] == b"/evil.example"
