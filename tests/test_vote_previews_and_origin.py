"""Profile feeds and vote answers build their links from the configured public origin, or
from exactly the request headers they then vary on; and nothing a machine fetches on its
own votes: a HEAD, a prefetch or a link preview gets a confirmation page whose button (a
same-origin POST) counts the vote, while a person's GET still votes in one click.

The app runs in process over a seeded SQLite store (tests.support.app_client)."""

from __future__ import annotations

import re

import pytest

from core.config import Env
from core.profiles.model import load_profile
from tests.support.app_client import app_clients
from tests.test_meaning import CONFIG, IDS, seed
from tests.test_profiles import NOW, SECRET, make_profile, vote_path

DRONE = "Drone path planning among obstacles"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def make_app(tmp_path, make, **environ):
    env = Env(db_path=str(tmp_path / "db.sqlite3"), secrets={"FEEDBACK_SECRET": SECRET, **environ})
    client, service = make(seed=seed, env=env)
    return client, service, make_profile(service)


@pytest.fixture
def make(tmp_path):
    with app_clients(tmp_path, CONFIG, NOW) as make:
        yield make


def vote_of(service, feed_id: str) -> str:
    return load_profile(service.ctx.store, feed_id).vote_of(IDS[DRONE])


def test_a_hostile_host_is_varied_on_in_the_profile_feed_and_the_vote_answer(tmp_path, make):
    client, _, created = make_app(tmp_path, make)
    feed = client.get(f"/feed/p/{created.feed_id}", headers={"Host": "evil.example"})
    assert "http://evil.example/p/" in feed.text  # links follow Host only without a configured origin...
    assert "Host" in [v.strip() for v in feed.headers["vary"].split(",")]  # ...and the cache keys on it
    assert "X-Forwarded-Host" not in feed.headers["vary"]  # not trusted, so not varied on
    answer = client.get(vote_path(created.feed_id, IDS[DRONE], "up"), headers={"Host": "evil.example"})
    assert answer.status_code == 200 and "Host" in answer.headers["vary"]


def test_a_trusted_forwarded_host_is_varied_on_too(tmp_path, make):
    client, _, created = make_app(tmp_path, make, ARXIV_RSS_TRUST_FORWARDED="1")
    feed = client.get(f"/feed/p/{created.feed_id}", headers={"X-Forwarded-Host": "evil2.example"})
    assert "http://evil2.example/p/" in feed.text
    assert {"Host", "X-Forwarded-Host", "X-Forwarded-Proto"} <= {v.strip() for v in feed.headers["vary"].split(",")}


def test_with_a_configured_origin_headers_change_nothing_and_nothing_is_varied_on(tmp_path, make):
    client, _, created = make_app(tmp_path, make, ARXIV_RSS_PUBLIC_URL="https://feeds.example.org")
    hostile = {"Host": "evil.example", "X-Forwarded-Host": "evil2.example", "X-Forwarded-Proto": "https"}
    feed = client.get(f"/feed/p/{created.feed_id}", headers=hostile)
    assert "https://feeds.example.org/p/" in feed.text and "evil" not in feed.text
    assert "host" not in feed.headers.get("vary", "").lower()
    answer = client.get(vote_path(created.feed_id, IDS[DRONE], "up"), headers=hostile)
    assert "https://feeds.example.org/feed/p/" in answer.text and "evil" not in answer.text
    assert "host" not in answer.headers.get("vary", "").lower()


def test_a_head_request_never_votes(tmp_path, make):
    client, service, created = make_app(tmp_path, make)
    response = client.head(vote_path(created.feed_id, IDS[DRONE], "up"))
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert vote_of(service, created.feed_id) == ""


PREFETCHES = [
    {"Sec-Purpose": "prefetch"},
    {"Sec-Purpose": "prefetch;prerender"},
    {"Purpose": "prefetch"},
    {"X-Moz": "prefetch"},
    {"X-Purpose": "preview"},
    {"User-Agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"},
    {"User-Agent": "Twitterbot/1.0"},
    {"User-Agent": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"},
    {"User-Agent": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)"},
    {"User-Agent": "TelegramBot (like TwitterBot)"},
    {"User-Agent": "WhatsApp/2.23.20.0"},
    {"User-Agent": "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"},
    {"User-Agent": "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5"},
    {"User-Agent": "Iframely/1.3.1 (+https://iframely.com/docs/about)"},
    {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Google-Read-Aloud"},
    {"User-Agent": "W3C-checklink/5.0.0 libwww-perl/6.77"},
    {"User-Agent": "LinkChecker/10.2.1 (+https://linkchecker.github.io/linkchecker/)"},
]


@pytest.mark.parametrize("headers", PREFETCHES, ids=lambda h: next(iter(h.values()))[:24])
def test_prefetches_and_link_previews_get_a_confirmation_page_and_change_nothing(tmp_path, make, headers):
    client, service, created = make_app(tmp_path, make)
    path = vote_path(created.feed_id, IDS[DRONE], "up")
    response = client.get(path, headers=headers)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert vote_of(service, created.feed_id) == ""
    form = re.search(r'<form method="post" action="([^"]+)"><button type="submit">', response.text)
    assert form is not None, response.text
    action = form.group(1).replace("&amp;", "&")
    assert action.startswith(f"/p/{created.feed_id}/vote?")  # same origin: a path, never a host
    assert "form-action 'self'" in response.headers["content-security-policy"]
    # The button counts the vote, once.
    pressed = client.post(action, headers={"User-Agent": BROWSER})
    assert pressed.status_code == 200 and "Thanks" in pressed.text
    assert vote_of(service, created.feed_id) == "up"


def test_a_person_following_the_link_votes_in_one_click(tmp_path, make):
    client, service, created = make_app(tmp_path, make)
    response = client.get(vote_path(created.feed_id, IDS[DRONE], "up"), headers={"User-Agent": BROWSER})
    assert response.status_code == 200 and "<form" not in response.text
    assert vote_of(service, created.feed_id) == "up"


def test_the_button_of_a_forged_link_is_refused_like_the_link(tmp_path, make):
    client, service, created = make_app(tmp_path, make)
    forged = vote_path(created.feed_id, IDS[DRONE], "up", sig="0" * 43)
    assert client.head(forged).status_code == 403
    assert client.get(forged, headers={"Sec-Purpose": "prefetch"}).status_code == 403
    assert client.post(forged).status_code == 403
    assert vote_of(service, created.feed_id) == ""


def test_the_edit_page_varies_on_host_and_follows_a_configured_origin(tmp_path, make):
    client, _, created = make_app(tmp_path, make)
    page = client.get(f"/profile/{created.edit_token}", headers={"Host": "evil.example"})
    assert page.status_code == 200 and "http://evil.example/feed/p/" in page.text
    assert "Host" in [v.strip() for v in page.headers["vary"].split(",")]


def test_the_edit_page_with_a_configured_origin_varies_on_nothing(tmp_path, make):
    client, _, created = make_app(tmp_path, make, ARXIV_RSS_PUBLIC_URL="https://feeds.example.org")
    page = client.get(f"/profile/{created.edit_token}", headers={"Host": "evil.example"})
    assert "https://feeds.example.org/feed/p/" in page.text and "evil" not in page.text
    assert "host" not in page.headers.get("vary", "").lower()
