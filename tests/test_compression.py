"""gzip where the app serves directly (api.middleware.Compression): negotiated by
Accept-Encoding, a distinct ETag per encoding, `Vary: Accept-Encoding`, 304s for either
variant, and nothing compressed on Vercel, whose edge compresses.

The app runs over a seeded SQLite store, in process (TestClient) and under uvicorn on
loopback as `python -m cli serve` runs it (tests.support.live_server)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from api.index import app
from api.middleware import MIN_COMPRESS_BYTES, Compression, accepts_gzip, compression_enabled, gzip_etag
from tests.support.app_client import app_clients
from tests.support.live_server import live_server
from tests.support.seed import seed_config

CONFIG = seed_config()
NOON = datetime(2026, 9, 23, 16, 0, tzinfo=UTC)
GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}
BIG_FEED = "/feed?keywords=*&types=*&days=3&limit=200"


@pytest.fixture
def client(tmp_path):
    with app_clients(tmp_path, CONFIG, NOON) as make:
        yield make()[0]


@pytest.mark.parametrize(
    "header, takes",
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("deflate, gzip;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("gzip;q=0", False),
        ("*, gzip;q=0", False),
        ("identity", False),
        ("br", False),
        ("", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_is_read_with_its_weights(header, takes):
    assert accepts_gzip(header) is takes


def test_a_feed_is_gzip_encoded_with_its_own_etag_for_a_client_that_takes_gzip(client):
    zipped, plain = client.get(BIG_FEED, headers=GZIP), client.get(BIG_FEED, headers=IDENTITY)
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert zipped.content == plain.content  # the same feed, decoded
    assert zipped.headers["etag"] == gzip_etag(plain.headers["etag"]) != plain.headers["etag"]
    for response in (zipped, plain):
        assert "Accept-Encoding" in response.headers["vary"]


@pytest.mark.parametrize("variant", [GZIP, IDENTITY])
def test_each_variant_revalidates_to_a_304_with_its_own_etag(client, variant):
    first = client.get(BIG_FEED, headers=variant)
    again = client.get(BIG_FEED, headers={**variant, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]
    assert "Accept-Encoding" in again.headers["vary"]


def test_a_gzip_etag_does_not_validate_the_identity_variant(client):
    zipped = client.get(BIG_FEED, headers=GZIP)
    plain = client.get(BIG_FEED, headers={**IDENTITY, "If-None-Match": zipped.headers["etag"]})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers


def test_errors_and_small_bodies_are_left_alone(client):
    error = client.get("/feed?limit=0", headers=GZIP)
    assert error.status_code == 400 and "content-encoding" not in error.headers
    assert '"-gzip' not in error.headers.get("etag", "")


def test_under_uvicorn_a_large_feed_travels_at_a_fraction_of_its_size(tmp_path):
    with app_clients(tmp_path, CONFIG, NOON) as make:
        make()
        with live_server(app) as base, httpx.Client(base_url=base) as http:
            with http.stream("GET", BIG_FEED, headers=GZIP) as response:
                raw = b"".join(response.iter_raw())
            plain = http.get(BIG_FEED, headers=IDENTITY).content
    assert response.headers["content-encoding"] == "gzip" and int(response.headers["content-length"]) == len(raw)
    assert gzip.decompress(raw) == plain and len(plain) > 100_000 and len(raw) < len(plain) / 4


def test_on_vercel_the_app_compresses_nothing():
    assert compression_enabled({"VERCEL": "1"}) is False and compression_enabled({}) is True
    body = b"<rss>" + b"x" * (MIN_COMPRESS_BYTES * 4) + b"</rss>"

    async def feed(request):
        return Response(body, media_type="application/rss+xml", headers={"ETag": '"abc"'})

    inner = Starlette(routes=[Route("/feed", feed)])
    on_vercel = TestClient(Compression(inner, enabled=compression_enabled({"VERCEL": "1"})))
    served = TestClient(Compression(inner, enabled=compression_enabled({})))
    untouched, zipped = on_vercel.get("/feed", headers=GZIP), served.get("/feed", headers=GZIP)
    assert "content-encoding" not in untouched.headers and untouched.headers["etag"] == '"abc"'
    assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["etag"] == '"abc-gzip"'


def test_the_app_decides_from_the_environment_it_was_imported_in():
    (compression,) = [m for m in app.user_middleware if m.cls is Compression]
    assert compression.kwargs["enabled"] is True  # tests run with VERCEL unset (tests/conftest.py)


def test_a_large_body_not_compressed_before_is_compressed_off_the_event_loop_a_small_one_on_it(monkeypatch):
    import threading

    from api import middleware

    big = b"<rss>" + b"<item>paper</item>" * (middleware.THREAD_COMPRESS_BYTES // 16) + b"</rss>"
    small = b"<rss>" + b"x" * (MIN_COMPRESS_BYTES * 2) + b"</rss>"
    loops, where, real = [], [], middleware._gzip

    def recording(body):
        where.append((len(body), threading.current_thread() is loops[-1]))
        return real(body)

    monkeypatch.setattr(middleware, "_gzip", recording)

    async def feed(request):
        loops.append(threading.current_thread())
        body = big if request.query_params.get("size") == "big" else small
        return Response(body, media_type="application/rss+xml", headers={"ETag": f'"{len(body)}"'})

    client = TestClient(Compression(Starlette(routes=[Route("/feed", feed)])))
    answers = [client.get("/feed", params={"size": size}, headers=GZIP) for size in ("big", "big", "small")]
    assert [(a.headers["content-encoding"], a.content) for a in answers] == [
        ("gzip", big),
        ("gzip", big),
        ("gzip", small),
    ]
    # The big body was compressed once, in a worker thread; the repeat came from the kept copy.
    assert where == [(len(big), False), (len(small), True)]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=70_000) | st.text(max_size=20_000).map(str.encode))
def test_what_the_app_compresses_is_a_gzip_member_any_decoder_gives_back_whole(body):
    """The app's gzip (ISA-L) is read by the standard library's decoder, as by any client's:
    one member, the body back byte for byte, no timestamp in its header (a body compresses
    to the same bytes every time)."""
    from api import middleware

    compressed = middleware._gzip(body)
    assert gzip.decompress(compressed) == body
    assert compressed[:4] == b"\x1f\x8b\x08\x00" and compressed[4:8] == b"\0\0\0\0"  # gzip, deflate, mtime 0
    assert middleware._gzip(body) == compressed
