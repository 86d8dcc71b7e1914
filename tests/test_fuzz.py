"""Bad input never reaches a 500: property-based tests (hypothesis) over every feed query
parameter and path segment, and a schemathesis run against the app's OpenAPI schema.

Every rejection must be a 4xx JSON error `{"error": {"parameter": ..., "message": ...}}`
naming a parameter the request carried (or the path segment), never cached; every 200
must be a feed that parses in the format asked for. Runs are deterministic (derandomized,
no example database) and bounded; every generated request is counted in the suite's tally.

The app serves a SQLite store seeded with three synthetic days (tests/support/seed.py).
"""

from __future__ import annotations

import json
import string
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.deps import Service, get_service
from api.index import app
from core.config import Env
from core.context import Context
from core.errors import BadQuery
from core.models import ANNOUNCE_TYPES
from core.rank.query import LIST_PARAMETERS, PARAMETERS, SINGLE_PARAMETERS, parse_query
from tests.support import tally
from tests.support.seed import seed_config, seed_store

CONFIG = seed_config()
SETTINGS = dict(derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
PATH_PARAMETERS = ("category", "keyword")


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    ctx = Context(CONFIG, Env(db_path=str(tmp_path_factory.mktemp("fuzz") / "store.sqlite3")))
    seed_store(ctx.store, CONFIG, days=3, per_day=30)
    yield Service(ctx)
    ctx.store.close()


@pytest.fixture(scope="module")
def client(service):
    app.dependency_overrides[get_service] = lambda: service
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    app.dependency_overrides.pop(get_service, None)


def check_response(response, asked: set[str]) -> None:
    """No 5xx; a 4xx is a never-cached JSON error naming one of `asked`; a 200 parses."""
    tally.fuzz_case(response.status_code)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/json", response.text
        assert response.headers["cache-control"] == "no-store"
        error = response.json()["error"]
        assert error["message"] and error["parameter"] in asked, (error, asked)
    elif response.status_code == 200 and response.content:
        kind = response.headers["content-type"]
        if kind.startswith("application/feed+json"):
            assert isinstance(json.loads(response.content)["items"], list)
        elif kind.startswith(("application/rss+xml", "application/atom+xml")):
            ET.fromstring(response.content)


# Values: the valid ones of each parameter, near misses, and anything at all ------------------

VALID = {
    "format": ["rss", "atom", "json", "JSON"],
    "keywords": ["LLM", "quantiz*", "*", "speculative decoding,kv cache", "LLM,RL"],
    "exclude": ["survey", "*", "survey,review"],
    "authors": ["lovelace", "Ada,Grace Hopper"],
    "categories": ["cs.AI", "cs.ai,cs.LG", "cs.CL"],
    "types": ["new", "new,cross", "*", "replace-cross", *ANNOUNCE_TYPES],
    "min_score": ["0", "2.5", "1000", "0.000001"],
    "days": ["1", "3", "14"],
    "limit": ["1", "50", "200"],
    "sort": ["score", "date", "DATE"],
    "summary": ["full", "none"],
    "interest": ["sparse attention for LLM inference"],
    "like": ["2609.02000", "2609.02000v1,2609.01001"],
    "unlike": ["2609.02001"],
    "rank": ["keywords", "meaning", "hybrid"],
    "min_similarity": ["0", "0.5", "-1"],
}
NEAR_MISSES = [
    "",
    " ",
    "0",
    "-1",
    "201",
    "15",
    "1e3",
    "nan",
    "inf",
    "1.",
    ".5",
    "９",
    "*,*",
    ",",
    ",,,",
    "x" * 101,
    ",".join(f"k{i}" for i in range(21)),
    "cs.XX",
    "math.CO",
    "../etc",
    "%00",
    "\x00",
    "\u202e",
    "😀",
    "<script>",
    "a" * 5000,
    "NEW,OLD",
    "score;drop",
    "1" * 7,
]
# A fixed alphabet keeps generation cheap (about 3 ms an example) while reaching every class of
# character that matters here: separators, wildcards, controls, non-ASCII, bidi and BOM.
ALPHABET = string.ascii_letters + string.digits + string.punctuation + " \t\n\x00\x1b\x7f\x85é中😀\u202e\ufeff"
TEXT = st.text(ALPHABET, max_size=40)
MISS = st.sampled_from(NEAR_MISSES)
PAIR = st.one_of(
    *[st.tuples(st.just(name), st.one_of(st.sampled_from(VALID[name]), MISS, TEXT)) for name in sorted(PARAMETERS)],
    st.tuples(st.sampled_from(["utm_source", "fbclid", "FORMAT", "keyword", ""]), TEXT),  # tracking tags, typos
)
PAIRS = st.lists(PAIR, max_size=6)
SEGMENT = st.one_of(
    st.sampled_from(["cs.AI", "CS.ai", "cs.LG", "math.CO", "cs..AI", "LLM", "quantiz*", "*"]), MISS, TEXT.filter(bool)
)
# A `/` (even as %2F) or a dot segment makes another path, not another value: a JSON 404 "no such page".
ONE_SEGMENT = SEGMENT.filter(lambda s: "/" not in s and s.strip(".") != "")
ROUTES = ["/feed", "/rss", "/feed/{}", "/rss/{}", "/feed/keyword/{}"]


@settings(max_examples=300, **SETTINGS)
@given(route=st.sampled_from(ROUTES), segment=ONE_SEGMENT, pairs=PAIRS)
def test_any_feed_request_is_a_feed_or_a_json_error_naming_the_parameter(client, route, segment, pairs):
    path = route.format(quote(segment, safe=""))
    response = client.get(path, params=pairs)
    asked = {name for name, _ in pairs} | {"category", "keyword"}  # an unknown name is refused by name
    check_response(response, asked)


@settings(max_examples=400, **SETTINGS)
@given(pairs=PAIRS, category=st.one_of(st.just(""), SEGMENT), keyword=st.one_of(st.just(""), SEGMENT))
def test_parse_query_returns_a_query_or_raises_bad_query_naming_the_parameter(pairs, category, keyword):
    tally.fuzz_case(200)
    try:
        query = parse_query(pairs, CONFIG, category=category, keyword=keyword)
    except BadQuery as exc:
        assert exc.parameter in {name for name, _ in pairs} | {"category", "keyword", "keywords"}
        assert exc.status in (400, 404) and "\n" not in str(exc)
        return
    assert query.format in ("rss", "atom", "json") and 1 <= query.limit <= 200
    assert 1 <= query.days <= CONFIG.retention_days and len(query.keywords) <= 20
    assert (
        parse_query(query.url_params, CONFIG, category=query.category, keyword=query.keyword).canonical
        == query.canonical
    )  # the feed's own URL asks for the same feed


@pytest.mark.parametrize("name", SINGLE_PARAMETERS)
def test_a_single_valued_parameter_given_twice_differently_is_named(client, name):
    first, second = (VALID[name] + ["x"])[:2]
    response = client.get("/feed", params=[(name, first), (name, second + "0")])
    check_response(response, {name})
    assert response.status_code == 400 and response.json()["error"]["parameter"] == name


@pytest.mark.parametrize("name", LIST_PARAMETERS)
def test_a_list_parameter_with_too_many_items_is_named(client, name):
    response = client.get("/feed", params={name: ",".join(f"term{i}" for i in range(21))})
    check_response(response, {name})
    assert response.status_code == 400 and response.json()["error"]["parameter"] == name


# schemathesis ----------------------------------------------------------------------------------

schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def _serve_the_seeded_store(service):
    """schemathesis calls the ASGI app directly: route it to the seeded store as well."""
    app.dependency_overrides[get_service] = lambda: service
    yield
    app.dependency_overrides.pop(get_service, None)


@schema.parametrize()
@settings(max_examples=15, **SETTINGS)
def test_the_openapi_schema_under_schemathesis_yields_no_500_and_json_errors(case):
    response = case.call()
    named = {p.name for p in case.operation.iter_parameters()} | set(case.query or {}) | set(PATH_PARAMETERS)
    tally.fuzz_case(response.status_code)
    assert response.status_code < 500, (case.as_curl_command(), response.text[:300])
    if response.status_code >= 400:
        assert response.headers["content-type"][0] == "application/json"
        assert response.headers["cache-control"][0] == "no-store"
        error = json.loads(response.content)["error"]
        if response.status_code in (400, 404) and case.path.startswith(("/feed", "/rss")):
            assert error["parameter"] in named, (case.as_curl_command(), error)
