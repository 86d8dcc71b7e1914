"""Hostile input to profiles never reaches a 500 and never changes a profile: property-based
tests (hypothesis, derandomized, bounded) over profile feed and vote URLs, edit forms and
import files. Generated requests are counted in the suite's fuzz tally."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.config import Env
from core.errors import LibraryImportError
from core.profiles.library import parse_library
from core.profiles.model import create_profile, digest
from core.profiles.setup import draft_profile, settings_from
from core.store.layout import profile_key
from tests.support import tally
from tests.support.app_client import app_clients
from tests.test_meaning import CONFIG, seed

SETTINGS = dict(derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
SECRET = "fuzz-feedback-secret-0123456789"
NOW = datetime(2026, 9, 24, 12, tzinfo=UTC)
TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=60)
TOKENISH = st.one_of(
    TEXT, st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", min_size=20, max_size=26)
)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("profile-fuzz")
    with app_clients(tmp, CONFIG, NOW) as make:
        env = Env(db_path=str(tmp / "db.sqlite3"), secrets={"FEEDBACK_SECRET": SECRET})
        client, service = make(seed=seed, env=env, raise_server_exceptions=False)
        draft, _ = draft_profile(service.ctx.store, CONFIG, env, interest="robots", settings=settings_from(days=1))
        yield client, service, create_profile(service.ctx.store, draft, NOW)


def stored(service, created) -> bytes:
    return service.ctx.store.get(profile_key(digest(created.feed_id)))


@settings(max_examples=150, **SETTINGS)
@given(token=TOKENISH, fmt=TEXT)
def test_profile_feed_urls_with_hostile_tokens_never_fail(app, token, fmt):
    client, _, _ = app
    response = client.get(f"/feed/p/{quote(token, safe='')}?format={quote(fmt, safe='')}")
    tally.fuzz_case(response.status_code)
    assert response.status_code in (200, 400, 404), response.text
    if response.status_code >= 400:
        assert response.headers["cache-control"] == "no-store"


@settings(max_examples=200, **SETTINGS)
@given(paper=TEXT, vote=st.one_of(st.sampled_from(["up", "down", "clear"]), TEXT), sig=TOKENISH, mine=st.booleans())
def test_vote_links_with_forged_parts_never_fail_and_change_nothing(app, paper, vote, sig, mine):
    client, service, created = app
    feed_id = created.feed_id if mine else "A" * 24
    before = stored(service, created)
    query = f"paper={quote(paper, safe='')}&v={quote(vote, safe='')}&sig={quote(sig, safe='')}"
    response = client.get(f"/p/{feed_id}/vote?{query}")
    tally.fuzz_case(response.status_code)
    assert response.status_code in (400, 403), response.text
    assert "nothing changed" in response.text and stored(service, created) == before


@settings(max_examples=100, **SETTINGS)
@given(body=st.binary(max_size=400))
def test_edit_forms_of_random_bytes_never_fail(app, body):
    client, _, created = app
    response = client.post(f"/profile/{created.edit_token}", content=body)
    tally.fuzz_case(response.status_code)
    assert response.status_code in (200, 400), response.text


@settings(max_examples=300, **SETTINGS)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        TEXT.map(str.encode),
        st.builds(lambda t: ("@article{k, title={" + t + "}}").encode(), TEXT),
        st.builds(lambda t: ("TY  - JOUR\nTI  - " + t + "\nER  - \n").encode(), TEXT),
        st.builds(lambda t: ('[{"title": ' + t + "}]").encode(), TEXT),
    ),
    name=st.sampled_from(["x.bib", "x.ris", "x.json", "x.txt", "x"]),
)
def test_import_files_either_parse_or_fail_with_a_named_problem(data, name):
    try:
        entries = parse_library(data, name)
    except LibraryImportError as exc:
        assert str(exc)
    else:
        assert entries and all(e.title or e.arxiv_id for e in entries)


SURROGATE = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
HOSTILE_TEXT = st.text(st.one_of(st.characters(codec="utf-8"), SURROGATE), max_size=30)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE_TEXT, inner, max_size=4),
    max_leaves=20,
)
FIELDS = ["interest", "like", "unlike", "keywords", "categories", "authors", "rank", "days", "limit", "library"]


def nested(opening: str, closing: str, depth: int) -> bytes:
    return (opening * depth + closing * depth).encode()


@settings(max_examples=120, **SETTINGS)
@given(
    body=st.one_of(
        st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=4).map(json.dumps),  # lone surrogates as \\udxxx
        st.integers(1, 6000).map(lambda d: nested("[", "]", d).decode()),
        st.integers(1, 4000).map(lambda d: nested('{"a":', "}", d).decode()),
        st.integers(1, 40_000).map(lambda n: '{"like": [' + "{}," * n + "{}]}"),
    ),
    put=st.booleans(),
)
def test_profile_bodies_of_any_shape_depth_or_size_never_fail(app, body, put):
    """Deep nesting, lone surrogates and huge bodies: a 201/200, or a 4xx naming the field."""
    client, _, created = app
    path = f"/api/profiles/{created.edit_token}" if put else "/api/profiles"
    response = client.request("PUT" if put else "POST", path, content=body.encode("utf-8", "surrogatepass"))
    tally.fuzz_case(response.status_code)
    assert response.status_code in (200, 201, 400, 413, 429), response.text
    if response.status_code in (400, 413):
        assert response.json()["error"]["message"]


@settings(max_examples=150, **SETTINGS)
@given(doc=JSON_VALUES, cuts=st.lists(st.integers(0, 400), max_size=6))
def test_the_body_scan_counts_the_same_however_the_body_is_cut(doc, cuts):
    """JsonShape over any chunking agrees with one pass, and with the bytes outside the
    strings json.dumps wrote."""
    from api.profile_api import JsonShape

    body = json.dumps(doc).encode()
    whole, pieces = JsonShape(10**9, 10**6), JsonShape(10**9, 10**6)
    assert whole.feed(body) == ""
    at = 0
    for cut in sorted({min(c, len(body)) for c in cuts}) + [len(body)]:
        assert pieces.feed(body[at:cut]) == ""
        at = cut
    strings = sum(len(json.dumps(s).encode()) for s in _strings(doc))
    assert (pieces.outside, pieces.depth, pieces.in_string) == (whole.outside, 0, False)
    assert whole.outside == len(body) - strings


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)


DATE_PART = st.one_of(st.integers(), st.text(max_size=8), st.text("0123456789²³¹٣۳߃", min_size=1, max_size=6000))


@settings(max_examples=150, **SETTINGS)
@given(
    data=st.one_of(
        st.integers(1, 8000).map(lambda n: b"[" * n),
        st.integers(1, 4000).map(lambda n: b'{"a":' * n),
        st.lists(DATE_PART, max_size=3).map(
            lambda parts: json.dumps([{"title": "t", "issued": {"date-parts": [parts]}}]).encode()
        ),
        st.tuples(st.sampled_from([b"\n", b" ", b"\r\n", b"\t", b"@", b"{", b"TY  - "]), st.integers(1, 50_000)).map(
            lambda unit_count: unit_count[0] * unit_count[1]
        ),
    ),
    name=st.sampled_from(["x.bib", "x.ris", "x.json", "x.txt", "x"]),
)
def test_deep_wide_or_odd_import_files_fail_only_with_a_named_problem(data, name):
    """Nesting thousands deep, date parts that only look like numbers, long runs of one
    character: a LibraryImportError or entries, never another exception."""
    try:
        entries = parse_library(data, name)
    except LibraryImportError as exc:
        assert str(exc)
    else:
        assert all(e.title or e.arxiv_id for e in entries)
