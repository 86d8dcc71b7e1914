"""Conditional GET (api.conditional) as the feed, the profile feed and the page answer it,
and the public origin taken from the Service's environment on every route that builds
links, never from the process's own."""

from __future__ import annotations

import os

import pytest

from core.config import Env
from tests.support.app_client import app_clients
from tests.test_meaning import CONFIG, seed
from tests.test_profiles import NOW, SECRET, make_profile

ORIGIN = "https://feeds.example.org"


@pytest.fixture
def make(tmp_path):
    with app_clients(tmp_path, CONFIG, NOW) as make:
        yield make


def env_for(tmp_path, **variables: str) -> Env:
    return Env.from_environ({"ARXIV_RSS_DB": str(tmp_path / "db.sqlite3"), "FEEDBACK_SECRET": SECRET, **variables})


@pytest.mark.parametrize("path", ["/feed?format=json", "/feed/p/{feed_id}?format=json"])
def test_feeds_answer_304_to_if_modified_since_at_or_after_last_modified(make, tmp_path, path):
    client, service = make(seed=seed, env=env_for(tmp_path))
    url = path.format(feed_id=make_profile(service).feed_id)
    first = client.get(url)
    stamp = first.headers["last-modified"]
    assert first.status_code == 200 and stamp
    again = client.get(url, headers={"If-Modified-Since": stamp})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["last-modified"] == stamp
    assert client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
    # If-None-Match decides when both are sent
    assert client.get(url, headers={"If-Modified-Since": stamp, "If-None-Match": '"other"'}).status_code == 200


def test_the_profile_feeds_last_modified_is_the_later_of_the_profile_and_the_data(make, tmp_path):
    client, service = make(seed=seed, env=env_for(tmp_path))
    created = make_profile(service)
    first = client.get(f"/feed/p/{created.feed_id}")
    assert first.headers["last-modified"] == "Thu, 24 Sep 2026 12:00:00 GMT"  # the profile, saved at NOW


def test_the_page_ignores_if_modified_since_as_its_age_text_changes_without_new_data(make, tmp_path):
    client, _ = make(seed=seed, env=env_for(tmp_path))
    first = client.get("/")
    assert first.headers["last-modified"]
    assert client.get("/", headers={"If-Modified-Since": first.headers["last-modified"]}).status_code == 200
    assert client.get("/", headers={"If-None-Match": first.headers["etag"]}).status_code == 304


def test_every_link_building_route_takes_the_origin_from_the_services_environment(make, tmp_path):
    assert "ARXIV_RSS_PUBLIC_URL" not in os.environ
    client, service = make(seed=seed, env=env_for(tmp_path, ARXIV_RSS_PUBLIC_URL=ORIGIN))
    created = client.post("/api/profiles", json={"interest": "robots that walk"})
    assert created.status_code == 201, created.text
    urls = created.json()
    assert urls["feed_url"].startswith(f"{ORIGIN}/feed/p/") and urls["edit_url"].startswith(f"{ORIGIN}/profile/")
    token = urls["edit_url"].rsplit("/", 1)[1]
    assert client.get(f"/api/profiles/{token}").json()["feed_url"] == urls["feed_url"]
    assert urls["feed_url"] in client.get(f"/profile/{token}").text
    page = client.get("/")
    assert f"{ORIGIN}/feed" in page.text and "http://testserver/feed" not in page.text
    for url in ("/feed?format=json", urls["feed_url"].removeprefix(ORIGIN) + "?format=json"):
        answer = client.get(url)
        assert f'"home_page_url": "{ORIGIN}/' in answer.text.replace('":"', '": "'), url
        assert "Host" not in answer.headers.get("vary", "")
