"""The store contract (core/store/base.py), run against every backend.

sqlite: a temporary file. redis: a real redis-server on loopback. upstash: the real
`upstash_redis` SDK talking to tests/support/fake_upstash.py, which forwards to that
same redis-server. Redis is flushed before each test.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from upstash_redis import Redis as UpstashClient

from core.config import Env
from core.errors import ConfigError, StoreError
from core.store.factory import open_store
from core.store.redis import RedisStore
from core.store.sqlite import SqliteStore
from core.store.upstash import UpstashStore
from tests.support.fake_upstash import FakeUpstash
from tests.support.redis_server import free_port, redis_server

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "contract-test-token-0123456789"
URL_VAR, TOKEN_VAR = "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"
# redis and upstash need redis-server: marked so `-m "not redis"` leaves them out.
BACKENDS = ["sqlite", pytest.param("redis", marks=pytest.mark.redis), pytest.param("upstash", marks=pytest.mark.redis)]


@pytest.fixture(scope="session")
def redis_backend():
    with redis_server() as server:
        yield server


@pytest.fixture(scope="session")
def upstash_backend(redis_backend):
    with FakeUpstash(redis_backend, token=TOKEN) as fake:
        yield fake


@pytest.fixture
def fake_upstash(redis_backend, upstash_backend):
    """The fake, listening and prompt, over an empty Redis; restored afterwards."""
    upstash_backend.reset()
    redis_backend.flush()
    yield upstash_backend
    upstash_backend.reset()


def _open(name: str, request, tmp_path: Path):
    if name == "sqlite":
        return SqliteStore(str(tmp_path / "store.sqlite3"))
    if name == "redis":
        server = request.getfixturevalue("redis_backend")
        server.flush()
        return RedisStore(server.url)
    fake = request.getfixturevalue("fake_upstash")
    return UpstashStore(fake.url, TOKEN, URL_VAR, TOKEN_VAR)


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    opened = _open(request.param, request, tmp_path)
    yield opened
    opened.close()


# --- the contract ---------------------------------------------------------------------


def test_get_of_a_missing_key_returns_none(store):
    assert store.get("never-set") is None


VALUES = {
    "every byte value": bytes(range(256)) * 2,
    "zlib-compressed text": zlib.compress(b"Attention is all you need. " * 200),
    "empty": b"",
    "a NUL": b"\x00",
    "the status word OK": b"OK",
    "UTF-8 text": "Schrödinger, 薛定谔, 🐈".encode(),
    "invalid UTF-8": b"\xff\xfe\xc3\x28\xa0\xa1",
}


@pytest.mark.parametrize("value", VALUES.values(), ids=VALUES.keys())
def test_bytes_round_trip_exactly(store, value):
    store.set("value", value)
    assert store.get("value") == value


def test_zlib_data_decompresses_after_a_round_trip(store):
    text = "".join(f"paper {i}: a title, some authors, an abstract\n" for i in range(2000)).encode()
    store.set("day", zlib.compress(text, 9))
    assert zlib.decompress(store.get("day")) == text


@pytest.mark.parametrize("key", ["päper:ü", "论文:今日", "feed 🚀 cs.AI", "with\nnewline", "x" * 500])
def test_unicode_and_unusual_key_names_work(store, key):
    store.set(key, b"v")
    assert store.get(key) == b"v"
    assert store.mget([key, "other"]) == [b"v", None]


def test_a_5_mb_value_round_trips(store):
    value = os.urandom(5 * 1024 * 1024)
    store.set("big", value)
    assert store.get("big") == value


def test_mget_keeps_the_order_of_keys_with_none_for_missing_ones(store):
    store.set("a", b"1")
    store.set("c", b"3")
    assert store.mget(["c", "missing", "a", "c"]) == [b"3", None, b"1", b"3"]


def test_mget_of_no_keys_is_an_empty_list(store):
    assert store.mget([]) == []


def test_set_overwrites_and_delete_removes(store):
    store.set("k", b"first")
    store.set("k", b"second")
    assert store.get("k") == b"second"
    store.delete("k")
    assert store.get("k") is None
    store.delete("k")  # deleting a missing key is fine


def test_set_if_absent_sets_once_and_again_after_delete(store):
    assert store.set_if_absent("lock", b"first") is True
    assert store.set_if_absent("lock", b"second") is False
    assert store.get("lock") == b"first"
    store.delete("lock")
    assert store.set_if_absent("lock", b"third") is True
    assert store.get("lock") == b"third"


@pytest.fixture(params=BACKENDS)
def clocked(request, tmp_path):
    """(store, advance): `advance(seconds)` moves the store's time on. SQLite takes a
    clock; on Redis (and Upstash, over the same server) the keys due to expire within
    `seconds`, by the server's own TTLs, are made to expire now (PEXPIRE 1 ms, then
    waited for), which is what that much time would do to them."""
    if request.param == "sqlite":
        now = [1_000_000.0]
        store = SqliteStore(str(tmp_path / "store.sqlite3"), clock=lambda: now[0])
        yield store, lambda seconds: now.__setitem__(0, now[0] + seconds)
    else:
        store = _open(request.param, request, tmp_path)
        server = request.getfixturevalue("redis_backend")
        with contextlib.closing(server.client()) as admin:
            yield store, lambda seconds: _expire_due(admin, seconds)
    store.close()


def _expire_due(admin, seconds: float) -> None:
    due = [k for k in admin.keys("*") if 0 <= admin.pttl(k) <= seconds * 1000]
    for key in due:
        admin.pexpire(key, 1)
    deadline = time.monotonic() + 2
    while any(admin.exists(k) for k in due) and time.monotonic() < deadline:
        time.sleep(0.002)


def test_values_expire_after_their_ttl(clocked):
    store, advance = clocked
    store.set("short", b"x", ttl=1)
    store.set("kept", b"y", ttl=1)
    store.set("kept", b"y")  # a set without a TTL makes the value permanent again
    store.set("long", b"z", ttl=60)
    assert store.set_if_absent("lock", b"a", ttl=1) is True
    assert store.set_if_absent("lock", b"b", ttl=1) is False
    assert store.incr("count", 1) == 1
    assert store.incr("count", 1) == 2  # each increment moves the expiry on
    store.incr("forever", 1)
    store.incr("forever", None)  # no TTL: permanent again
    assert store.get("short") == b"x"
    advance(1.1)
    assert store.get("short") is None
    assert store.mget(["short", "kept", "long"]) == [None, b"y", b"z"]
    assert store.set_if_absent("lock", b"c", ttl=1) is True
    assert store.get("lock") == b"c"
    assert store.incr("count", 60) == 1  # an expired counter starts again from zero
    assert store.incr("forever", None, 0) == 2
    advance(58)
    assert store.get("long") == b"z" and store.incr("count", 60, 0) == 1


def test_incr_counts_from_zero_by_any_amount_and_returns_the_new_value(store):
    assert store.incr("n", 60) == 1
    assert store.incr("n", 60) == 2
    assert store.incr("n", 60, 10) == 12
    assert store.incr("n", 60, -1) == 11
    assert store.incr("n", 60, 0) == 11  # a read
    assert store.incr("other", None, -3) == -3


def test_incr_of_a_value_that_is_not_a_number_is_a_store_error(store):
    store.set("text", b"not a number")
    with pytest.raises(StoreError, match="INCR"):
        store.incr("text", 60)


def test_a_burst_of_concurrent_incr_ends_at_exactly_the_count(store):
    """16 threads each add 1 twenty times: every call sees its own value and none is lost."""
    from concurrent.futures import ThreadPoolExecutor

    store.incr("burst", 60, 5)
    with ThreadPoolExecutor(16) as pool:
        seen = list(pool.map(lambda _: store.incr("burst", 60), range(320)))
    assert sorted(seen) == list(range(6, 326))
    assert store.incr("burst", 60, 0) == 325


# --- failures: one clear line, no traceback, no secret -------------------------------------


@contextlib.contextmanager
def _unreachable(name: str, request, tmp_path: Path):
    """(store opener, where it lives: never named, secret it must not show) for a store that is down."""
    if name == "sqlite":
        blocker = tmp_path / "not-a-dir"
        blocker.write_text("a file where the store's folder should be")
        yield (lambda: SqliteStore(str(blocker / "store.sqlite3"))), str(blocker), None
    elif name == "redis":
        port = free_port()
        yield (lambda: RedisStore(f"redis://:pw-hunter2@127.0.0.1:{port}/0", timeout=1)), f"127.0.0.1:{port}", "hunter2"
    else:
        fake = request.getfixturevalue("fake_upstash")
        fake.down()
        yield (lambda: UpstashStore(fake.url, TOKEN, URL_VAR, TOKEN_VAR, timeout=1)), f"127.0.0.1:{fake.port}", TOKEN


@pytest.mark.parametrize("name", BACKENDS)
def test_a_store_that_is_down_raises_one_clear_store_error(name, request, tmp_path):
    with _unreachable(name, request, tmp_path) as (opener, where, secret), pytest.raises(StoreError) as err:
        down = opener()
        try:
            down.set("k", b"v")
        finally:
            down.close()
    message = str(err.value)
    assert {"sqlite": "SQLite", "redis": "Redis", "upstash": "Upstash"}[name] in message  # which store failed
    assert where not in message and where.rpartition(":")[2] not in message  # never where it lives
    assert "\n" not in message and "Traceback" not in message
    assert err.value.__suppress_context__  # raised `from None`: the backend's exception is not shown
    if secret:
        assert secret not in message


@pytest.mark.redis
def test_redis_refusing_the_password_does_not_show_it(redis_backend):
    with contextlib.closing(redis_backend.client()) as admin:
        admin.execute_command("ACL", "SETUSER", "feeds", "on", ">right-password", "~*", "+@all")
        try:
            store = RedisStore(f"redis://feeds:wrong-pw-hunter2@{redis_backend.host}:{redis_backend.port}/0")
            with pytest.raises(StoreError, match="refused the credentials") as err:
                store.get("k")
            store.close()
        finally:
            admin.execute_command("ACL", "DELUSER", "feeds")
    assert "hunter2" not in str(err.value)
    assert "127.0.0.1" not in str(err.value) and str(redis_backend.port) not in str(err.value)


@pytest.mark.redis
def test_upstash_with_a_wrong_token_names_the_token_variable(fake_upstash):
    store = UpstashStore(fake_upstash.url, "wrong-token-hunter2", URL_VAR, TOKEN_VAR)
    with pytest.raises(StoreError, match="Upstash refused the token.*check UPSTASH_REDIS_REST_TOKEN") as err:
        store.get("k")
    store.close()
    assert "hunter2" not in str(err.value) and TOKEN not in str(err.value)


@pytest.mark.redis
def test_upstash_calls_are_bounded_by_the_timeout(fake_upstash):
    fake_upstash.delay = 0.6
    store = UpstashStore(fake_upstash.url, TOKEN, URL_VAR, TOKEN_VAR, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(StoreError, match=r"did not answer GET within 0.2s"):
        store.get("k")
    assert time.monotonic() - started < 0.5  # no retry, no 3 s retry interval
    store.close()


@pytest.mark.redis
def test_upstash_counts_one_command_per_call(fake_upstash):
    store = UpstashStore(fake_upstash.url, TOKEN, URL_VAR, TOKEN_VAR)
    store.set("a", b"1", ttl=60)
    store.get("a")
    store.mget(["a", "b", "c"])
    store.mget([])
    store.set_if_absent("a", b"2")
    store.delete("a")
    store.incr("n", 60)  # INCRBY and EXPIRE in one MULTI/EXEC request
    store.close()
    assert store.commands == fake_upstash.commands == 7


@pytest.mark.redis
def test_upstash_reads_make_no_write_client_and_a_first_write_is_bounded_too(fake_upstash):
    # A feed request only reads: the writes' HTTP client (and its SSL context) is made by
    # the first write, with the writes' timeout.
    store = UpstashStore(fake_upstash.url, TOKEN, URL_VAR, TOKEN_VAR, timeout=0.3)
    assert store.get("a") is None and store.mget(["a", "b"]) == [None, None]
    assert store._writer is None
    fake_upstash.delay = 0.6
    with pytest.raises(StoreError, match=r"did not answer SET within 0.3s"):
        store.set("a", b"1")
    store.close()


@pytest.mark.redis
def test_upstash_keeps_values_as_base64_text(fake_upstash, redis_backend):
    store = UpstashStore(fake_upstash.url + "/", TOKEN, URL_VAR, TOKEN_VAR)
    store.set("k", b"\xff\x00")
    store.close()
    assert store.url == fake_upstash.url
    with contextlib.closing(redis_backend.client()) as client:
        assert client.get("k") == b"/wA="


@pytest.mark.redis
def test_fake_upstash_answers_the_sdk_in_its_default_base64_encoding(fake_upstash):
    with UpstashClient(url=fake_upstash.url, token=TOKEN, rest_retries=0, allow_telemetry=False) as sdk:
        assert sdk.set("k", "Schrödinger") is True
        assert sdk.mget("k", "missing") == ["Schrödinger", None]
        pipe = sdk.pipeline()
        pipe.incr("n")
        pipe.get("k")
        assert pipe.exec() == [1, "Schrödinger"]
        tx = sdk.multi()
        tx.incr("n")
        tx.delete("k")
        assert tx.exec() == [2, 1]
    assert fake_upstash.commands == 6


# --- choosing the backend -------------------------------------------------------------


def _env(tmp_path: Path, **variables: str) -> Env:
    return Env.from_environ({"ARXIV_RSS_DB": str(tmp_path / "store.sqlite3"), **variables})


CHOICES = {
    "nothing set: sqlite": ({}, "sqlite"),
    "REDIS_URL: redis": ({"REDIS_URL": "redis://127.0.0.1:1/0"}, "redis"),
    "rediss URL: redis": ({"REDIS_URL": "rediss://default:pw@example.com:6380"}, "redis"),
    "Upstash pair wins over REDIS_URL": (
        {
            "UPSTASH_REDIS_REST_URL": "https://eu1.upstash.io",
            "UPSTASH_REDIS_REST_TOKEN": "t",
            "REDIS_URL": "redis://127.0.0.1:1/0",
        },
        "upstash",
    ),
    "Vercel KV pair: upstash": ({"KV_REST_API_URL": "https://eu1.upstash.io/", "KV_REST_API_TOKEN": "t"}, "upstash"),
}


@pytest.mark.parametrize(("variables", "backend"), CHOICES.values(), ids=CHOICES.keys())
def test_open_store_picks_the_backend_from_the_environment(tmp_path, variables, backend):
    store = open_store(_env(tmp_path, **variables))
    store.close()
    assert store.name == backend
    if backend == "upstash":
        assert store.url == "https://eu1.upstash.io"


MISCONFIGURED = {
    "URL without token": ({"UPSTASH_REDIS_REST_URL": "https://eu1.upstash.io"}, "UPSTASH_REDIS_REST_TOKEN"),
    "token without URL": ({"UPSTASH_REDIS_REST_TOKEN": "t-hunter2"}, "UPSTASH_REDIS_REST_URL"),
    "KV URL without token": ({"KV_REST_API_URL": "https://eu1.upstash.io"}, "KV_REST_API_TOKEN"),
    "Upstash URL without scheme": (
        {"UPSTASH_REDIS_REST_URL": "eu1.upstash.io", "UPSTASH_REDIS_REST_TOKEN": "t-hunter2"},
        "UPSTASH_REDIS_REST_URL",
    ),
    "REDIS_URL without scheme": ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
}


@pytest.mark.parametrize(("variables", "key"), MISCONFIGURED.values(), ids=MISCONFIGURED.keys())
def test_open_store_names_the_variable_that_is_missing_or_wrong(tmp_path, variables, key):
    with pytest.raises(ConfigError) as err:
        open_store(_env(tmp_path, **variables))
    assert err.value.key == key
    assert "hunter2" not in str(err.value)


@pytest.mark.redis
def test_vercel_kv_variables_reach_upstash_and_are_named_when_the_token_is_wrong(fake_upstash):
    good = open_store(Env.from_environ({"KV_REST_API_URL": fake_upstash.url + "/", "KV_REST_API_TOKEN": TOKEN}))
    good.set("k", b"\x00\xff")
    assert good.get("k") == b"\x00\xff"
    good.close()
    bad = open_store(Env.from_environ({"KV_REST_API_URL": fake_upstash.url, "KV_REST_API_TOKEN": "nope"}))
    with pytest.raises(StoreError, match="check KV_REST_API_TOKEN"):
        bad.get("k")
    bad.close()


@pytest.mark.redis
def test_redis_url_from_the_environment_reaches_the_server(tmp_path, redis_backend):
    redis_backend.flush()
    store = open_store(_env(tmp_path, REDIS_URL=redis_backend.url))
    store.set("k", b"v", ttl=60)
    assert store.get("k") == b"v"
    store.close()


def test_opening_the_sqlite_store_imports_no_network_backend():
    code = (
        "import sys; from core.config import Env; from core.store.factory import open_store; "
        "open_store(Env(db_path=':memory:')).close(); "
        "print(sorted(m for m in ('redis', 'upstash_redis', 'httpx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_paper_vectors_travel_through_the_store_unchanged(store):
    """A day's vector blob, as a refresh writes it and a meaning query reads it back."""
    from core.config import EmbeddingConfig
    from core.embed.embedder import WordLlama
    from core.refresh.embedding import embed_days
    from core.store.publish import publish
    from core.store.reader import Reader
    from tests.support.seed import seed_config, seed_store

    config = seed_config()
    manifest = seed_store(store, config, days=2, per_day=8)
    manifest, report = embed_days(store, manifest, WordLlama(EmbeddingConfig()), config.retention_days)
    publish(store, manifest)
    vectors = Reader(store).vectors(manifest, 2, "wordllama:l2_supercat_256")
    assert report["days"] == 2 and set(vectors) == {d.date for d in manifest.days}
    assert all(v.q.shape == (len(v.keys), 256) for v in vectors.values())
