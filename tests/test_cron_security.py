"""Who can make the service do expensive work: only a caller with the cron secret, and no one
through the feeds.

/api/cron is tried with missing, wrong and timing-attack-shaped credentials (same length,
a prefix, extra bytes, non-ASCII, very long, a second header): every refusal is a 401 JSON
error that is never cached, and neither the answer (body or headers) nor any log line
holds the secret or a traceback. A storm of anonymous requests to every other route makes
no request to arXiv or the LLM (both loopback fakes that count what they receive) and
writes nothing to the store. Without a secret, only the local server's explicit opt-in
(`python -m cli serve`) lets a loopback caller through; no header or variable can.
"""

from __future__ import annotations

import io
import logging
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from api.deps import Service, get_service
from api.index import app
from api.ops import allow_local_cron
from core import log
from core.config import parse_config
from core.context import Context
from core.store.sqlite import SqliteStore
from tests.support.counting import CountingStore
from tests.support.fake_llm import FakeLLM
from tests.support.papers import paper
from tests.support.rss import rss_feed
from tests.support.seed import seed_config, seed_store
from tests.support.tls import one_ca_bundle  # noqa: F401  (autouse: no CA bundle to load)

SECRET = "k3Jd9-vQ2xL7pZr4-Tm8Wc1Yb6Nh0Fs5"
CONFIG = parse_config(
    {"categories": ["cs.LG"], "keywords": ["attention"], "ai_summary": {"source": "abstract", "language": "en"}}
)


@pytest.fixture
def arxiv(arxiv):
    arxiv.route(
        "/rss/",
        rss_feed([paper("2609.80001", title="Attention", announced="2026-09-24")], "2026-09-24", CONFIG.categories),
    )
    return arxiv


@pytest.fixture
def llm():
    with FakeLLM() as server:
        yield server


@pytest.fixture
def logs():
    """Every log line of the process while the test runs, the project's and the libraries',
    except the test client's own (it logs the URL it was asked to send)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    handler.addFilter(lambda record: not record.name.startswith("httpx"))
    loggers = [log.logger, logging.getLogger()]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    yield stream
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


@pytest.fixture
def make_client(tmp_path, arxiv, llm):
    """make(secret, wrap) -> (TestClient, Service) with the LLM key set and arXiv on loopback."""
    stores = []

    def make(secret: str = SECRET, wrap=None, config=CONFIG):
        env = arxiv.env(
            cron_secret=secret,
            llm_base_url=llm.base_url,
            secrets={"DASHSCOPE_API_KEY": "sk-x"},
            db_path=str(tmp_path / "store.sqlite3"),
        )
        ctx = Context(config, env)
        ctx.store = SqliteStore(env.db_path)
        stores.append(ctx.store)
        if wrap is not None:
            ctx.store = wrap(ctx.store)
        service = Service(ctx)
        app.dependency_overrides[get_service] = lambda: service
        return TestClient(app, client=("203.0.113.9", 50000), raise_server_exceptions=False), service

    yield make
    app.dependency_overrides.pop(get_service, None)
    for store in stores:
        store.close()


def assert_nothing_leaked(response, logs, secret: str = SECRET) -> None:
    assert response.headers["cache-control"] == "no-store"
    raw_headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    for text in (response.text, raw_headers, logs.getvalue()):
        assert secret not in text and secret[:12] not in text
        assert "Traceback" not in text and 'File "' not in text


REFUSED = {
    "no header": [],
    "empty bearer": [(b"authorization", b"Bearer ")],
    "wrong secret": [(b"authorization", b"Bearer wrong")],
    "same length, other content": [(b"authorization", b"Bearer " + b"x" * len(SECRET))],
    "same length, last byte differs": [(b"authorization", b"Bearer " + SECRET[:-1].encode() + b"6")],
    "a prefix of the secret": [(b"authorization", b"Bearer " + SECRET[:-1].encode())],
    "the secret with extra bytes": [(b"authorization", b"Bearer " + SECRET.encode() + b"x")],
    "the secret without the scheme": [(b"authorization", SECRET.encode())],
    "another scheme": [(b"authorization", b"Basic " + SECRET.encode())],
    "non-ASCII bytes": [(b"authorization", "Bearer ключ-é".encode())],
    "invalid UTF-8": [(b"authorization", b"Bearer \xff\xfe" + SECRET.encode()[2:])],
    "very long": [(b"authorization", b"Bearer " + b"A" * 200_000)],
    "the secret in a query string": "?secret=" + SECRET,
    "the secret as a second header": [
        (b"authorization", b"Bearer wrong"),
        (b"authorization", b"Bearer " + SECRET.encode()),
    ],
}


@pytest.mark.parametrize("kind", list(REFUSED))
def test_cron_refuses_wrong_credentials_without_work_cache_or_leaks(make_client, arxiv, llm, logs, kind):
    client, _ = make_client()
    shape = REFUSED[kind]
    path = "/api/cron" + (shape if isinstance(shape, str) else "")
    headers = shape if isinstance(shape, list) else []
    response = client.get(path, headers=headers)
    assert response.status_code == 401 and response.headers["content-type"] == "application/json"
    assert response.json()["error"]["message"].startswith("missing or wrong credentials")
    assert_nothing_leaked(response, logs)
    assert arxiv.requests == [] and llm.calls == 0


@pytest.mark.parametrize("secret", [SECRET, "pässwört-ключ-密码-" + SECRET[:12]], ids=["ascii", "non-ascii"])
def test_cron_with_the_secret_runs_the_refresh_and_is_not_cached(make_client, arxiv, llm, logs, secret):
    client, _ = make_client(secret=secret)
    response = client.get("/api/cron", headers=[(b"authorization", b"Bearer " + secret.encode("utf-8"))])
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "updated" and len(arxiv.requests) == 1 and llm.calls == 1
    assert_nothing_leaked(response, logs, secret)


def test_a_refresh_that_fails_unexpectedly_is_a_bare_500(make_client, arxiv, logs):
    class Exploding(CountingStore):
        def set_if_absent(self, *args, **kwargs):
            raise RuntimeError(f"driver detail: /srv/app with {SECRET}")

    client, _ = make_client(wrap=Exploding)
    response = client.get("/api/cron", headers={"Authorization": f"Bearer {SECRET}"})
    assert response.status_code == 500
    assert response.json() == {"error": {"parameter": None, "message": "internal error"}}
    assert "/srv/app" not in response.text and "/srv/app" not in logs.getvalue()
    assert_nothing_leaked(response, logs)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "HEAD"])
def test_other_methods_on_cron_are_refused_and_not_cached(make_client, arxiv, logs, method):
    client, _ = make_client()
    response = client.request(method, "/api/cron", headers={"Authorization": f"Bearer {SECRET}"})
    assert response.status_code == 405 and response.headers["cache-control"] == "no-store"
    assert arxiv.requests == []


# Anonymous clients -----------------------------------------------------------------------------

STORM = [
    "/",
    "/feed",
    "/rss",
    "/feed/cs.AI",
    "/rss/cs.LG?format=atom",
    "/feed/keyword/sparse?format=json",
    "/feed?keywords=*&types=*&days=3&limit=200",
    "/feed?keywords=brand,new,words&days=2",
    "/feed?authors=lovelace&sort=date&summary=none",
    "/feed/math.CO",
    "/feed?format=xml",
    "/opml",
    "/api/health",
    "/api/cron",
    "/api/cron?refresh=1",
    "/nowhere",
    "/openapi.json",
]


@pytest.mark.parametrize("seeded", [True, False], ids=["with-data", "never-refreshed"])
def test_a_storm_of_anonymous_requests_calls_no_upstream_and_writes_nothing(make_client, arxiv, llm, seeded):
    config = seed_config()
    client, service = make_client(config=config, wrap=CountingStore)
    if seeded:
        seed_store(service.ctx.store.inner, config)
    for n in range(10):
        for path in STORM:
            url = path + ("&" if "?" in path else "?") + f"utm_source=storm{n}"
            response = client.request("HEAD" if n % 5 == 4 else "GET", url)
            assert response.status_code < 500
            assert response.status_code not in (200, 202) or not url.startswith("/api/cron")
    assert arxiv.requests == [] and llm.calls == 0
    writes = {m: service.ctx.store.calls[m] for m in ("set", "set_if_absent", "delete")}
    assert writes == {"set": 0, "set_if_absent": 0, "delete": 0}


# Without CRON_SECRET: only the local server's explicit opt-in ---------------------------------

LOOPBACK = ("127.0.0.1", 50000)
PROXY_HEADERS = [
    "Forwarded",
    "X-Forwarded-For",
    "X-Forwarded-Host",
    "X-Real-IP",
    "True-Client-IP",
    "X-Vercel-Forwarded-For",
    "CF-Connecting-IP",
]


@pytest.fixture
def local_server():
    """The app as `python -m cli serve` runs it: opted in to the local cron exemption."""
    allow_local_cron(app)
    yield
    del app.state.local_cron


def loopback_client(make_client, peer=LOOPBACK, **kwargs):
    _, service = make_client(secret="", **kwargs)
    return TestClient(app, client=peer, raise_server_exceptions=False), service


def test_without_a_secret_a_loopback_caller_is_refused_unless_the_server_opted_in(make_client, arxiv):
    # What a default nginx `proxy_pass` in front of the app looks like: a loopback peer, no headers.
    client, _ = loopback_client(make_client)
    response = client.get("/api/cron")
    assert response.status_code == 403 and "CRON_SECRET is not set" in response.json()["error"]["message"]
    assert arxiv.requests == []


def test_the_opt_in_cannot_come_from_the_request_or_the_environment(make_client, arxiv, monkeypatch):
    monkeypatch.setenv("ARXIV_RSS_LOCAL_CRON", "1")
    monkeypatch.setenv("LOCAL_CRON", "1")
    client, _ = loopback_client(make_client)
    for headers in ({"X-Local-Cron": "1"}, {"Host": "localhost"}, {"Host": "127.0.0.1:8000"}):
        assert client.get("/api/cron?local_cron=1", headers=headers).status_code == 403
    assert arxiv.requests == []


def test_the_local_server_runs_the_refresh_for_a_loopback_caller(make_client, arxiv, llm, local_server):
    for peer in (LOOPBACK, ("::1", 50000)):
        client, _ = loopback_client(make_client, peer=peer)
        response = client.get("/api/cron")
        assert response.status_code == 200, response.text
    assert len(arxiv.requests) == 2


@pytest.mark.parametrize("header", PROXY_HEADERS)
def test_the_local_server_refuses_a_proxied_request_whatever_the_header(make_client, arxiv, local_server, header):
    client, _ = loopback_client(make_client)
    assert client.get("/api/cron", headers={header: "203.0.113.7"}).status_code == 403
    assert arxiv.requests == []


def test_the_local_server_refuses_a_remote_peer_and_any_caller_on_vercel(make_client, arxiv, local_server):
    remote, _ = loopback_client(make_client, peer=("203.0.113.9", 50000))
    assert remote.get("/api/cron").status_code == 403
    _, service = make_client(secret="")
    service.ctx.env = replace(service.ctx.env, on_vercel=True)
    vercel = TestClient(app, client=LOOPBACK, raise_server_exceptions=False)
    assert vercel.get("/api/cron").status_code == 403
    assert arxiv.requests == []


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {"Origin": "https://evil.example"}],
)
def test_the_local_server_refuses_a_cross_site_request_from_a_web_page(make_client, arxiv, local_server, headers):
    # A page on another site can make the browser GET loopback's /api/cron; the browser says so.
    client, _ = loopback_client(make_client)
    response = client.get("/api/cron", headers=headers)
    assert response.status_code == 403 and response.json()["error"]["parameter"] == "Origin"
    assert arxiv.requests == []


def test_the_local_server_runs_the_refresh_typed_into_the_address_bar(make_client, arxiv, llm, local_server):
    client, _ = loopback_client(make_client)
    assert client.get("/api/cron", headers={"Sec-Fetch-Site": "none"}).status_code == 200
    assert len(arxiv.requests) == 1
