"""Saved profiles on the real app: the profile feed ranks by the profile and explains it,
every item ends with signed vote links, and votes are idempotent, reversible, bounded,
unforgeable and visible at once (a new ETag, the answer page's top papers). Hostile
tokens and forged signatures change nothing and never reach the store."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from core.config import Env
from core.errors import ProfileNotFound
from core.profiles.model import MAX_VOTES_PER_DAY, create_profile, digest, load_profile, new_token, profile_bytes
from core.profiles.setup import draft_profile, settings_from
from core.profiles.votes import signature
from core.store.layout import decode, encode, profile_key
from tests.support.app_client import app_clients
from tests.support.flaky_store import FlakyStore
from tests.test_meaning import CONFIG, IDS, TOPICS, seed

NOW = datetime(2026, 9, 24, 12, tzinfo=UTC)
SECRET = "feedback-secret-for-tests-0123456789"
ROBOTS = {t for t, _ in TOPICS["robots"]}
CRYPTO = {t for t, _ in TOPICS["crypto"]}


def env_for(tmp_path, secret: str = SECRET) -> Env:
    return Env(db_path=str(tmp_path / "db.sqlite3"), secrets={"FEEDBACK_SECRET": secret} if secret else {})


def make_profile(service, interest: str = "robots that walk and grasp things", **settings):
    draft, _ = draft_profile(
        service.ctx.store, CONFIG, service.env, interest=interest, settings=settings_from(**{"days": 1, **settings})
    )
    return create_profile(service.ctx.store, draft, NOW)


@pytest.fixture
def app(tmp_path):
    with app_clients(tmp_path, CONFIG, NOW) as make:
        client, service = make(seed=seed, env=env_for(tmp_path))
        yield client, service, make_profile(service)


def feed(client, feed_id: str, **headers):
    return client.get(f"/feed/p/{feed_id}?format=json", headers=headers)


def items(client, feed_id: str) -> list[dict]:
    response = feed(client, feed_id)
    assert response.status_code == 200, response.text
    return json.loads(response.text)["items"]


def links(item: dict) -> dict[str, str]:
    found = re.findall(r'<a href="([^"]+)">(More|Less) like this</a>', item["content_html"])
    return {word: url.replace("&amp;", "&").removeprefix("http://testserver") for url, word in found}


def vote_path(feed_id: str, paper: str, v: str, secret: str = SECRET, sig: str | None = None) -> str:
    return (
        f"/p/{feed_id}/vote?paper={paper}&v={v}&sig={sig if sig is not None else signature(secret, feed_id, paper, v)}"
    )


def test_a_profile_feed_ranks_by_its_interest_and_explains_each_item(app):
    client, _, created = app
    shown = items(client, created.feed_id)
    assert {i["title"] for i in shown[:3]} == ROBOTS
    assert all(re.search(r"<strong>Similarity:</strong> -?[01]\.\d\d", i["content_html"]) for i in shown)
    assert json.loads(feed(client, created.feed_id).text)["title"].startswith("arXiv: my feed")


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_every_item_ends_with_a_more_and_a_less_like_this_link(app, fmt):
    client, _, created = app
    import feedparser

    body = client.get(f"/feed/p/{created.feed_id}?format={fmt}").text
    if fmt == "json":
        bodies = [i["content_html"] for i in json.loads(body)["items"]]
    else:
        bodies = [e.content[0].value for e in feedparser.parse(body).entries]
    assert len(bodies) == 9  # every paper of the day is in the feed
    for html in bodies:
        assert re.search(r">More like this</a> · <a [^>]+>Less like this</a></p>$", html), html[-300:]


def test_the_vote_links_are_signed_for_the_profile_the_paper_and_the_vote(app):
    client, _, created = app
    first = items(client, created.feed_id)[0]
    for word, v in (("More", "up"), ("Less", "down")):
        query = parse_qs(urlsplit(links(first)[word]).query)
        assert query["v"] == [v] and query["paper"] == [first["_arxiv"]["id"]]
        assert query["sig"] == [signature(SECRET, created.feed_id, first["_arxiv"]["id"], v)]


def test_without_feedback_secret_feeds_carry_no_vote_links_and_health_says_voting_is_off(tmp_path):
    with app_clients(tmp_path, CONFIG, NOW) as make:
        client, service = make(seed=seed, env=env_for(tmp_path, secret=""))
        created = make_profile(service)
        assert "like this" not in feed(client, created.feed_id).text
        voting = client.get("/api/health").json()["voting"]
        assert voting["enabled"] is False and "FEEDBACK_SECRET" in voting["reason"]
        response = client.get(vote_path(created.feed_id, IDS["Drone path planning among obstacles"], "up"))
        assert response.status_code == 404 and "Voting is off" in response.text


def test_health_says_voting_is_on_with_the_secret(app):
    client, _, _ = app
    assert client.get("/api/health").json()["voting"]["enabled"] is True


def test_an_up_vote_moves_similar_papers_up_changes_the_etag_and_shows_the_new_top(app):
    client, service, created = app
    crypto_interest = make_profile(service, interest="security of embedded devices")
    before = feed(client, crypto_interest.feed_id)
    liked = IDS["Legged robot locomotion over rough terrain"]
    answer = client.get(vote_path(crypto_interest.feed_id, liked, "up"))
    assert answer.status_code == 200 and "More like this: counted." in answer.text
    after = feed(client, crypto_interest.feed_id)
    assert after.headers["etag"] != before.headers["etag"]
    assert feed(client, crypto_interest.feed_id, **{"If-None-Match": before.headers["etag"]}).status_code == 200
    titles = [i["title"] for i in json.loads(after.text)["items"]]
    assert "Legged robot locomotion over rough terrain" not in titles  # a voted paper is not shown again
    assert "Closest liked paper:</strong> Legged robot" in after.text
    shown_top = re.findall(r'<li><a href="https://arxiv.org/abs/[^"]+">([^<]+)</a>', answer.text)
    assert shown_top == titles[: len(shown_top)] and shown_top


def test_the_feed_answers_304_until_a_vote_and_is_cached_briefly(app):
    client, _, created = app
    first = feed(client, created.feed_id)
    assert feed(client, created.feed_id, **{"If-None-Match": first.headers["etag"]}).status_code == 304
    assert "s-maxage=60" in first.headers["cache-control"]


def test_the_same_vote_twice_counts_once(app):
    client, service, created = app
    paper = IDS["Drone path planning among obstacles"]
    assert "counted" in client.get(vote_path(created.feed_id, paper, "up")).text
    version = load_profile(service.ctx.store, created.feed_id).version
    again = client.get(vote_path(created.feed_id, paper, "up"))
    assert again.status_code == 200 and "already counted; nothing changed" in again.text
    profile = load_profile(service.ctx.store, created.feed_id)
    assert profile.version == version and [v.id for v in profile.liked] == [paper] and profile.votes_today == 1


def test_a_down_vote_replaces_an_up_vote_and_undo_restores_the_vote_before(app):
    client, service, created = app
    paper = IDS["Drone path planning among obstacles"]
    client.get(vote_path(created.feed_id, paper, "up"))
    answer = client.get(vote_path(created.feed_id, paper, "down"))
    profile = load_profile(service.ctx.store, created.feed_id)
    assert profile.vote_of(paper) == "down" and not profile.liked
    undo = re.search(r'<a href="([^"]+)">Undo</a>', answer.text).group(1).replace("&amp;", "&")
    assert "v=up" in undo
    client.get(undo.removeprefix("http://testserver"))
    assert load_profile(service.ctx.store, created.feed_id).vote_of(paper) == "up"
    client.get(vote_path(created.feed_id, paper, "clear"))
    assert load_profile(service.ctx.store, created.feed_id).vote_of(paper) == ""


@pytest.mark.parametrize(
    "tamper",
    [
        lambda f, p, v, s: (f, p, v, s[:-1]),  # truncated
        lambda f, p, v, s: (f, p, v, s[:-1] + ("A" if s[-1] != "A" else "B")),  # one character off
        lambda f, p, v, s: (f, p, "down", s),  # another vote
        lambda f, p, v, s: (f, "2609.00011", v, s),  # another paper
        lambda f, p, v, s: (f, p, v, ""),  # none
        lambda f, p, v, s: (f, p, v, signature("another-secret-of-enough-length", f, p, v)),
        lambda f, p, v, s: (f, p, v, s + "=="),
    ],
    ids=["truncated", "altered", "other-vote", "other-paper", "missing", "other-secret", "padded"],
)
def test_a_forged_or_truncated_signature_changes_nothing_and_touches_no_store(app, tamper):
    client, service, created = app
    paper = IDS["Drone path planning among obstacles"]
    f, p, v, s = tamper(created.feed_id, paper, "up", signature(SECRET, created.feed_id, paper, "up"))
    before = service.ctx.store.get(profile_key(digest(created.feed_id)))
    response = client.get(vote_path(f, p, v, sig=s))
    assert response.status_code in (400, 403) and "nothing changed" in response.text
    assert service.ctx.store.get(profile_key(digest(created.feed_id))) == before


def test_a_vote_signed_for_another_profile_does_not_count_on_this_one(app):
    client, service, created = app
    other = make_profile(service, interest="cryptography")
    paper = IDS["Drone path planning among obstacles"]
    sig = signature(SECRET, other.feed_id, paper, "up")
    assert client.get(vote_path(created.feed_id, paper, "up", sig=sig)).status_code == 403
    assert load_profile(service.ctx.store, created.feed_id).vote_of(paper) == ""


@pytest.mark.parametrize(
    "token",
    ["x", "A" * 23, "A" * 25, "../../etc/passwd", "%00" * 8, "é" * 24, "A" * 5000, "<script>alert(1)</script>"],
)
def test_hostile_tokens_are_a_404_that_never_repeats_them(app, token):
    client, _, _ = app
    response = client.get(f"/feed/p/{token}")
    assert response.status_code in (404, 400)
    assert "script" not in response.text and "passwd" not in response.text


def test_a_profile_feed_is_never_served_for_the_edit_token_its_prefix_or_an_unknown_id(app):
    client, _, created = app
    for token in (created.edit_token, created.feed_id[:-1] + "x", created.edit_token[:12] + "A" * 12, new_token()):
        if token == created.feed_id:
            continue
        response = feed(client, token)
        assert response.status_code == 404, token
        assert token not in response.text


def test_an_unknown_profile_or_paper_changes_nothing_and_says_so(app):
    client, service, created = app
    stranger = new_token()
    response = client.get(vote_path(stranger, IDS["Drone path planning among obstacles"], "up"))
    assert response.status_code == 404 and "nothing changed" in response.text and stranger not in response.text
    response = client.get(vote_path(created.feed_id, "2609.99999", "up"))
    assert response.status_code == 404 and "not among the papers held" in response.text
    assert load_profile(service.ctx.store, created.feed_id).version == 1


def test_votes_per_profile_per_day_are_bounded(app, monkeypatch):
    client, service, created = app
    monkeypatch.setattr("core.profiles.votes.MAX_VOTES_PER_DAY", 3)
    papers = [IDS[t] for t, _ in TOPICS["crypto"]] + [IDS["Drone path planning among obstacles"]]
    codes = [client.get(vote_path(created.feed_id, p, "down")).status_code for p in papers]
    assert codes == [200, 200, 200, 429]
    assert load_profile(service.ctx.store, created.feed_id).votes_today == 3
    assert MAX_VOTES_PER_DAY >= 50


def test_the_answer_page_keeps_the_strict_csp_and_escapes_profile_text(app):
    client, service, _ = app
    hostile = make_profile(service, interest="<script>alert(1)</script> robots")
    answer = client.get(vote_path(hostile.feed_id, IDS["Drone path planning among obstacles"], "up"))
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script" not in answer.text and "<style" not in answer.text and " style=" not in answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = feed(client, hostile.feed_id).text
    assert "<script>" not in json.loads(body)["title"] or "&lt;script" in client.get(f"/feed/p/{hostile.feed_id}").text


def test_the_store_down_during_a_vote_is_a_clear_error_and_leaves_the_profile_whole(tmp_path):
    with app_clients(tmp_path, CONFIG, NOW) as make:
        client, service = make(seed=seed, env=env_for(tmp_path), wrap=FlakyStore)
        created = make_profile(service)
        before = service.ctx.store.inner.get(profile_key(digest(created.feed_id)))
        service.ctx.store.down = True
        response = client.get(vote_path(created.feed_id, IDS["Drone path planning among obstacles"], "up"))
        assert response.status_code == 503 and "nothing changed" in response.text
        assert service.ctx.store.inner.get(profile_key(digest(created.feed_id))) == before


def test_tokens_never_appear_in_logs_when_the_store_is_down(tmp_path, caplog):
    with app_clients(tmp_path, CONFIG, NOW) as make:
        client, service = make(seed=seed, env=env_for(tmp_path), wrap=FlakyStore)
        created = make_profile(service)
        service.ctx.store.down = True
        with caplog.at_level(logging.DEBUG, logger="arxiv_rss"):
            assert feed(client, created.feed_id).status_code == 503
            client.get(vote_path(created.feed_id, IDS["Drone path planning among obstacles"], "up"))
        logged = " ".join(r.getMessage() for r in caplog.records)
        assert created.feed_id not in logged and created.edit_token not in logged


def test_a_deleted_profile_is_gone(app):
    from core.profiles.model import delete_profile, feed_id_for_edit

    client, service, created = app
    assert feed_id_for_edit(service.ctx.store, created.edit_token) == created.feed_id
    delete_profile(service.ctx.store, created.feed_id)
    assert feed(client, created.feed_id).status_code == 404
    with pytest.raises(ProfileNotFound):
        feed_id_for_edit(service.ctx.store, created.edit_token)


def test_a_profile_feed_takes_only_format(app):
    client, _, created = app
    response = client.get(f"/feed/p/{created.feed_id}?keywords=LLM")
    assert response.status_code == 400 and response.json()["error"]["parameter"] == "keywords"
    assert client.get(f"/feed/p/{created.feed_id}?format=xml").status_code == 400
    assert client.get(f"/feed/p/{created.feed_id}?utm_source=x").status_code == 200


# The edit URL ---------------------------------------------------------------------------


def test_the_edit_url_shows_the_feed_urls_the_interest_and_the_votes_under_the_csp(app):
    client, _, created = app
    paper = IDS["Drone path planning among obstacles"]
    client.get(vote_path(created.feed_id, paper, "up"))
    page = client.get(f"/profile/{created.edit_token}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    assert f"/feed/p/{created.feed_id}?format=atom" in page.text
    assert "robots that walk and grasp things</textarea>" in page.text and "Drone path planning" in page.text
    assert "<script" not in page.text and " style=" not in page.text


def test_the_edit_url_is_never_opened_by_the_feed_id_or_a_prefix(app):
    client, _, created = app
    for token in (created.feed_id, created.edit_token[:-1] + "A", "x" * 30, new_token()):
        if token == created.edit_token:
            continue
        response = client.get(f"/profile/{token}")
        assert response.status_code == 404 and token not in response.text


def test_saving_the_form_changes_the_interest_and_the_feed_version(app):
    client, service, created = app
    before = feed(client, created.feed_id).headers["etag"]
    form = {"interest": "cryptography and <b>signatures</b>", "rank": "meaning", "days": "1", "limit": "5"}
    page = client.post(f"/profile/{created.edit_token}", data=form)
    assert page.status_code == 200 and "Saved" in page.text
    assert "&lt;b&gt;signatures&lt;/b&gt;" in page.text  # profile text escaped
    after = feed(client, created.feed_id)
    assert after.headers["etag"] != before
    shown = json.loads(after.text)["items"]
    assert len(shown) == 5 and shown[0]["title"] in CRYPTO
    profile = load_profile(service.ctx.store, created.feed_id)
    assert profile.settings.rank == "meaning" and profile.version == 2


@pytest.mark.parametrize(
    "form, problem",
    [
        ({"interest": "x" * 501}, "at most 500"),
        ({"interest": "robots", "days": "999"}, "days"),
        ({"interest": "robots", "rank": "keywords"}, "rank"),
        ({"interest": "robots", "days": "many"}, "whole numbers"),
        ({"interest": ""}, "needs an interest"),
    ],
)
def test_a_bad_form_saves_nothing_and_says_why(app, form, problem):
    client, service, created = app
    page = client.post(f"/profile/{created.edit_token}", data=form)
    assert page.status_code == 400 and problem in page.text
    assert load_profile(service.ctx.store, created.feed_id).version == 1


def test_a_huge_form_is_refused(app):
    client, _, created = app
    response = client.post(f"/profile/{created.edit_token}", content=b"interest=" + b"x" * 20000)
    assert response.status_code == 413


def test_forget_a_vote_and_delete_the_feed_from_the_edit_url(app):
    client, service, created = app
    paper = IDS["Drone path planning among obstacles"]
    client.get(vote_path(created.feed_id, paper, "down"))
    assert "Vote forgotten" in client.post(f"/profile/{created.edit_token}", data={"forget": paper}).text
    assert load_profile(service.ctx.store, created.feed_id).vote_of(paper) == ""
    assert "deleted" in client.post(f"/profile/{created.edit_token}", data={"delete": "yes"}).text
    assert feed(client, created.feed_id).status_code == 404
    assert client.get(f"/profile/{created.edit_token}").status_code == 404


# Saving from the page ---------------------------------------------------------------------


def test_saving_from_the_page_returns_the_feed_and_edit_urls_and_the_feed_serves(app):
    client, _, _ = app
    liked, disliked = IDS["Legged robot locomotion over rough terrain"], IDS["A lattice-based signature scheme"]
    response = client.post(
        "/api/profiles", json={"interest": "robots", "like": [liked], "unlike": [disliked, "2601.99999"], "days": 1}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["cache-control"] == "no-store"
    assert "unlike: 2601.99999 not among the papers held, left out." in body["notes"]
    feed_id = body["feed_url"].rsplit("/", 1)[1]
    shown = items(client, feed_id)
    assert shown[0]["title"] in ROBOTS and "Closest liked paper" in shown[0]["content_html"]
    assert client.get(body["edit_url"].removeprefix("http://testserver")).status_code == 200


@pytest.mark.parametrize(
    "body, status, parameter",
    [
        ({"interest": "x" * 501}, 400, "interest"),
        ({"interest": "robots", "days": "3"}, 400, "days"),
        ({"interest": "robots", "like": "2609.00001"}, 400, "like"),
        ({"interest": "robots", "like": ["nope"]}, 400, "like"),
        ({"interest": "robots", "colour": "red"}, 400, "colour"),
        ({"like": ["2601.99999"]}, 400, "interest"),
        ({"interest": "robots", "rank": "keywords"}, 400, "rank"),
    ],
)
def test_a_bad_profile_from_the_page_is_a_json_error_naming_the_field(app, body, status, parameter):
    client, _, _ = app
    response = client.post("/api/profiles", json=body)
    assert response.status_code == status and response.json()["error"]["parameter"] == parameter


def test_saving_from_the_page_is_bounded(app, monkeypatch):
    client, _, _ = app
    monkeypatch.setattr("api.profile_api.MAX_IMPORT_BODY_BYTES", 20000)
    assert client.post("/api/profiles", content=b"{" + b" " * 20000 + b"}").status_code == 413
    assert client.post("/api/profiles", content=b"not json").status_code == 400
    monkeypatch.setattr("api.profile_api.NEW_PROFILES_PER_DAY", 2)
    codes = [client.post("/api/profiles", json={"interest": f"robots {i}"}).status_code for i in range(3)]
    assert codes == [201, 201, 429]


def test_the_builder_reads_and_changes_a_profile_with_its_edit_token_only(app):
    client, service, created = app
    liked = IDS["Legged robot locomotion over rough terrain"]
    client.get(vote_path(created.feed_id, liked, "up"))
    read = client.get(f"/api/profiles/{created.edit_token}")
    assert read.status_code == 200 and read.headers["cache-control"] == "no-store"
    assert read.json()["like"] == [liked] and read.json()["interest"] == "robots that walk and grasp things"
    assert client.get(f"/api/profiles/{created.feed_id}").status_code == 404
    disliked = IDS["A lattice-based signature scheme"]
    body = {"interest": "robots", "like": [liked, IDS["Drone path planning among obstacles"]], "unlike": [disliked]}
    changed = client.put(f"/api/profiles/{created.edit_token}", json={**body, "days": 1})
    assert changed.status_code == 200, changed.text
    profile = load_profile(service.ctx.store, created.feed_id)
    assert [v.id for v in profile.liked] == body["like"] and [v.id for v in profile.disliked] == [disliked]
    assert profile.interest == "robots" and profile.version == 3
    assert client.put(f"/api/profiles/{created.feed_id}", json=body).status_code == 404
    assert client.put(f"/api/profiles/{created.edit_token}", json={"days": 99}).json()["error"]["parameter"] == "days"


def test_the_edit_page_links_to_the_builder_with_the_token_in_the_fragment(app):
    client, _, created = app
    assert f'href="/#profile={created.edit_token}"' in client.get(f"/profile/{created.edit_token}").text


def test_saving_from_the_page_can_start_from_an_imported_library(app):
    client, service, _ = app
    text = "@article{a, title={Lattice-based post-quantum signatures}, abstract={Signatures from lattices.}}\n"
    response = client.post("/api/profiles", json={"library": {"name": "My Library.bib", "text": text}, "days": 1})
    assert response.status_code == 201, response.text
    feed_id = response.json()["feed_url"].rsplit("/", 1)[1]
    assert items(client, feed_id)[0]["title"] in CRYPTO
    assert load_profile(service.ctx.store, feed_id).library_entries == 1


@pytest.mark.parametrize(
    "library, problem",
    [
        ({"name": "x.bib", "text": '[{"title": "json"}]'}, "no BibTeX entries"),
        ({"name": "x.json", "text": "{oops"}, "not valid JSON"),
        ("just text", "must be"),
        ({"text": "2609.00001", "extra": 1}, "must be"),
    ],
)
def test_a_library_that_is_not_what_it_claims_is_a_400_naming_the_library(app, library, problem):
    client, _, _ = app
    response = client.post("/api/profiles", json={"interest": "robots", "library": library})
    assert response.status_code == 400 and response.json()["error"]["parameter"] == "library"
    assert problem in response.json()["error"]["message"]


def test_an_import_cannot_change_an_existing_feed(app):
    client, _, created = app
    response = client.put(f"/api/profiles/{created.edit_token}", json={"library": {"text": "2609.00001"}})
    assert response.status_code == 400 and response.json()["error"]["parameter"] == "library"


def test_turning_down_what_a_wrong_interest_shows_makes_the_feed_explore_and_say_so(app):
    client, service, _ = app
    wrong = make_profile(service, interest="security of embedded devices")
    first = items(client, wrong.feed_id)
    assert "exploring" not in json.dumps(first)
    for item in first[:2]:
        assert client.get(links(item)["Less"]).status_code == 200
    after = items(client, wrong.feed_id)
    why = [i["_arxiv"].get("why", "") for i in after]
    assert "exploring: unlike what you turned down" in why
    assert any("<strong>Why:</strong> exploring: unlike what you turned down" in i["content_html"] for i in after)
    assert {i["id"] for i in first[:2]}.isdisjoint({i["id"] for i in after})


def test_a_like_after_a_wrong_start_brings_the_liked_field_up(app):
    client, service, _ = app
    wrong = make_profile(service, interest="security of embedded devices")
    robots = [i for i in items(client, wrong.feed_id) if i["title"] in ROBOTS]
    assert client.get(links(robots[0])["More"]).status_code == 200
    shown = items(client, wrong.feed_id)
    assert {i["title"] for i in shown[:2]} <= ROBOTS - {robots[0]["title"]}
    assert not any("exploring" in i["_arxiv"].get("why", "") for i in shown)  # liked something: no longer exploring


def test_a_liked_category_says_why_its_papers_rise_and_the_vote_records_it(app):
    client, service, _ = app
    wrong = make_profile(service, interest="security of embedded devices")
    robots = [i for i in items(client, wrong.feed_id) if i["title"] in ROBOTS]
    assert client.get(links(robots[0])["More"]).status_code == 200
    assert load_profile(service.ctx.store, wrong.feed_id).liked[0].categories == ("cs.RO",)
    shown = items(client, wrong.feed_id)
    why = {i["title"]: i["_arxiv"].get("why", "") for i in shown}
    assert {why[t] for t in ROBOTS - {robots[0]["title"]}} == {"in cs.RO, like 1 paper you liked"}
    assert not any(why[t] for t in CRYPTO)
    assert any("<strong>Why:</strong> in cs.RO, like 1 paper you liked" in i["content_html"] for i in shown)


def test_a_vote_cast_before_categories_were_recorded_takes_them_from_the_papers_held(app):
    client, service, created = app
    store = service.ctx.store
    robot = IDS["Legged robot locomotion over rough terrain"]
    assert client.get(vote_path(created.feed_id, robot, "up")).status_code == 200
    profile = load_profile(store, created.feed_id)
    old = replace(profile, liked=tuple(replace(v, categories=()) for v in profile.liked))
    raw = decode(profile_bytes(old), "profile")
    assert raw["liked"][0]["categories"] == []
    for v in raw["liked"]:
        del v["categories"]  # as profiles saved before votes recorded categories
    del raw["library_categories"], raw["library_categorised"]
    store.set(profile_key(profile.feed_digest), encode(raw))
    assert load_profile(store, created.feed_id).liked[0].categories == ()
    shown = items(client, created.feed_id)
    assert any(i["_arxiv"].get("why") == "in cs.RO, like 1 paper you liked" for i in shown)


def test_a_library_entry_s_primary_class_counts_as_a_liked_category(app):
    client, service, _ = app
    text = (
        "@article{a, title={Walking machines}, primaryClass={cs.RO}, archivePrefix={arXiv}}\n"
        "@article{b, title={Legged machines on rocks}, primaryClass={cs.RO}}\n"
        "@article{c, title={Not a category}, primaryClass={<b>x</b>}}\n"
    )
    response = client.post("/api/profiles", json={"library": {"name": "My Library.bib", "text": text}, "days": 1})
    assert response.status_code == 201, response.text
    feed_id = response.json()["feed_url"].rsplit("/", 1)[1]
    profile = load_profile(service.ctx.store, feed_id)
    assert (profile.library_categories, profile.library_categorised) == ((("cs.RO", 2),), 2)
    shown = items(client, feed_id)
    assert {i["title"] for i in shown[:3]} == ROBOTS
    assert {i["_arxiv"].get("why") for i in shown[:3]} == {"in cs.RO, like 2 in your library"}
