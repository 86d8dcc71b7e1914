"""Store faults: down before a refresh starts, gone in the middle of one, a lock left by a
crashed run, two runs at once. The published data is always one complete version.

Stores are real: a SQLite file, and a real redis-server on loopback (`-m redis`). Outages
come from tests/support/flaky_store.py, which forwards to the real store until command N
and raises StoreError from then on, as a backend does when its server goes away. The
refresh is the production job (`refresh_job`): FakeArxiv on loopback for the feed and
FakeLLM for summaries, so a run writes segments, publishes, summarises and publishes again.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from api.deps import Service, get_service
from api.index import app
from core.config import Env, parse_config
from core.context import Context
from core.errors import RefreshRunning, StoreError
from core.profiles.model import TOKEN_LENGTH
from core.refresh.jobs import refresh_job
from core.store.breaker import COOLDOWN as BREAKER_COOLDOWN
from core.store.breaker import Breaker
from core.store.layout import LOCK_KEY
from core.store.lock import REFRESH_LOCK_TTL
from core.store.redis import RedisStore
from core.store.sqlite import SqliteStore
from core.store.upstash import UpstashStore
from tests.conftest import ROOT
from tests.support import tally
from tests.support.app_client import app_clients
from tests.support.fake_llm import FakeLLM
from tests.support.fake_upstash import FakeUpstash
from tests.support.flaky_store import FlakyStore
from tests.support.papers import paper
from tests.support.published import complete_version, served_ids
from tests.support.redis_server import free_port, redis_server
from tests.support.rss import rss_feed
from tests.support.seed import publish_days, scored_day, seed_config
from tests.support.tls import one_ca_bundle  # noqa: F401  (autouse: no CA bundle to load)

KEY_ENV = "DASHSCOPE_API_KEY"
CONFIG = parse_config(
    {
        "categories": ["cs.LG"],
        "keywords": ["attention"],
        "ai_summary": {"source": "abstract", "language": "en", "timeout_s": 2, "max_retries": 0, "max_workers": 1},
    }
)
OLD = [paper(f"2609.7000{i}", title=f"Attention, old {i}", announced="2026-09-23") for i in range(2)]
NEW = [paper(f"2609.7100{i}", title=f"Attention, new {i}", announced="2026-09-24") for i in range(2)]
NOON = datetime(2026, 9, 23, 16, 0, tzinfo=UTC)
OLD_IDS, NEW_IDS = {p.id for p in OLD}, {p.id for p in OLD + NEW}


@pytest.fixture
def arxiv(arxiv):
    arxiv.route("/rss/", rss_feed(NEW, "2026-09-24", CONFIG.categories))
    return arxiv


@pytest.fixture
def llm():
    with FakeLLM() as server:
        yield server


@pytest.fixture(scope="module")
def redis_backend():
    with redis_server() as server:
        yield server


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def open_store(request, tmp_path):
    """open_store() -> a fresh, empty store of each backend (closed afterwards)."""
    opened = []

    def make():
        if request.param == "sqlite":
            store = SqliteStore(str(tmp_path / f"store{len(opened)}.sqlite3"))
        else:
            server = request.getfixturevalue("redis_backend")
            server.flush()
            store = RedisStore(server.url)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


def context(store, arxiv, llm, **env) -> Context:
    ctx = Context(CONFIG, arxiv.env(llm_base_url=llm.base_url, secrets={KEY_ENV: "sk-store-faults"}, **env))
    ctx.store = store
    return ctx


def with_old_day(store, arxiv, llm) -> None:
    """Publish the older day through a real refresh (and its summaries)."""
    arxiv.enqueue("/rss/", rss_feed(OLD, "2026-09-23", CONFIG.categories))
    assert refresh_job(context(store, arxiv, llm))["status"] == "updated"
    assert served_ids(store, CONFIG) == OLD_IDS


# Down at the start -----------------------------------------------------------------------------


def test_a_store_down_before_the_refresh_stops_it_before_arxiv_is_asked(open_store, arxiv, llm):
    with tally.fault("store: down at the start of a refresh"):
        store = open_store()
        with_old_day(store, arxiv, llm)
        requests = len(arxiv.requests)
        flaky = FlakyStore(store)
        flaky.down = True
        with pytest.raises(StoreError, match="connection lost"):
            refresh_job(context(flaky, arxiv, llm))
        assert len(arxiv.requests) == requests and llm.calls == len(OLD)  # no expensive work begun
        complete_version(store)
        assert served_ids(store, CONFIG) == OLD_IDS


def run_cli(*args, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ARXIV_", "REDIS", "UPSTASH", "KV_"))}
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
    )


def test_an_unreachable_redis_is_one_clear_line_from_the_command_line(arxiv):
    with tally.fault("store: Redis unreachable for the command line"):
        env = {
            "ARXIV_RSS_BASE": arxiv.url,
            "ARXIV_MIN_INTERVAL": "0",
            "REDIS_URL": f"redis://:hunter2@127.0.0.1:{free_port()}/0",
        }
        result = run_cli("refresh", env=env)
        assert result.returncode == 1 and result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.startswith("error: cannot reach Redis (check REDIS_URL): ")
        assert "hunter2" not in line and "Traceback" not in result.stderr
        assert "127.0.0.1" not in line and env["REDIS_URL"].rpartition(":")[2] not in line  # nor where it lives
        assert arxiv.requests == []


def test_a_sqlite_file_that_cannot_be_opened_stops_the_refresh_naming_the_variable_not_the_path(tmp_path, arxiv, llm):
    with tally.fault("store: SQLite file cannot be opened"):
        (tmp_path / "file").write_text("not a directory")
        path = tmp_path / "file" / "store.sqlite3"
        with pytest.raises(StoreError, match=r"the SQLite store cannot be opened \(check ARXIV_RSS_DB\)") as err:
            refresh_job(Context(CONFIG, arxiv.env(db_path=str(path))))
        assert str(tmp_path) not in str(err.value)
        assert arxiv.requests == []


def test_an_unreachable_store_makes_the_cron_route_a_503_that_starts_nothing(tmp_path, arxiv, llm):
    with tally.fault("store: down when the cron route is called"):
        ctx = context(FlakyStore(SqliteStore(str(tmp_path / "s.sqlite3"))), arxiv, llm, cron_secret="c" * 32)
        ctx.store.down = True
        app.dependency_overrides[get_service] = lambda: Service(ctx)
        try:
            response = TestClient(app).get("/api/cron", headers={"Authorization": "Bearer " + "c" * 32})
        finally:
            app.dependency_overrides.pop(get_service, None)
        assert response.status_code == 503 and response.headers["cache-control"] == "no-store"
        assert "connection lost" in response.json()["error"]["message"]
        assert arxiv.requests == [] and llm.calls == 0


# Gone in the middle ----------------------------------------------------------------------------


def old_day_published(store) -> None:
    publish_days(store, CONFIG, [scored_day("2026-09-23", OLD, CONFIG)])


def test_a_store_lost_after_any_command_of_a_refresh_leaves_one_complete_version(open_store, arxiv, llm):
    """Cut the store off after command 1, 2, ... of a full refresh (lock, manifest, segments,
    manifest; then summaries, segments again, manifest again; then the lock's release):
    whatever the cut, the store holds the old version or a new complete one, and the app
    serves the old papers or all of them."""
    counted = FlakyStore(open_store())
    old_day_published(counted.inner)
    assert refresh_job(context(counted, arxiv, llm))["summaries"]["done"] == len(OLD + NEW)
    total = counted.commands
    served_after = set()
    # Every cut on SQLite; every other one on Redis (the same code path, over the network).
    step = 1 if counted.name == "sqlite" else 2
    for cut in range(1, total, step):
        with tally.fault(f"store: lost after command {cut} of {total} of a refresh"):
            store = open_store()
            old_day_published(store)
            with contextlib.suppress(StoreError):  # the lock's release is best effort: no error there
                refresh_job(context(FlakyStore(store, fail_after=cut), arxiv, llm))
            complete_version(store)
            ids = served_ids(store, CONFIG)
            assert ids in (OLD_IDS, NEW_IDS)
            served_after.add(len(ids))
    assert served_after == {len(OLD_IDS), len(NEW_IDS)}  # cuts fell both before and after the first publish


# The lock --------------------------------------------------------------------------------------


def test_a_lock_left_by_a_crashed_refresh_expires(tmp_path, arxiv, llm):
    with tally.fault("store: lock of a crashed refresh (SQLite)"):
        now = [time.time()]
        store = SqliteStore(str(tmp_path / "s.sqlite3"), clock=lambda: now[0])
        assert store.set_if_absent(LOCK_KEY, b"crashed run", ttl=REFRESH_LOCK_TTL)  # what a killed run leaves
        with pytest.raises(RefreshRunning):
            refresh_job(context(store, arxiv, llm))
        assert arxiv.requests == []
        now[0] += REFRESH_LOCK_TTL + 1
        assert refresh_job(context(store, arxiv, llm))["status"] == "updated"
        assert store.get(LOCK_KEY) is None  # released by the run that finished
        store.close()


@pytest.mark.redis
def test_a_running_refresh_holds_an_expiring_lock_on_redis(redis_backend, arxiv, llm):
    with tally.fault("store: lock of a crashed refresh (Redis)"):
        redis_backend.flush()
        store = RedisStore(redis_backend.url)
        arxiv.route("/rss/", rss_feed(NEW, "2026-09-24", CONFIG.categories), delay=0.3)
        worker = threading.Thread(target=refresh_job, args=(context(store, arxiv, llm),))
        worker.start()
        with contextlib.closing(redis_backend.client()) as client:
            deadline = time.monotonic() + 5
            while not client.exists(LOCK_KEY) and time.monotonic() < deadline:
                time.sleep(0.01)
            assert 0 < client.ttl(LOCK_KEY) <= REFRESH_LOCK_TTL  # were the run killed now, the lock would expire
            worker.join()
            assert not client.exists(LOCK_KEY)
            assert store.set_if_absent(LOCK_KEY, b"crashed run", ttl=REFRESH_LOCK_TTL)  # what a killed run leaves
            with pytest.raises(RefreshRunning):
                refresh_job(context(store, arxiv, llm))
            client.pexpire(LOCK_KEY, 50)  # as if its REFRESH_LOCK_TTL had run out
            time.sleep(0.1)
            assert refresh_job(context(store, arxiv, llm))["status"] == "unchanged"
        store.close()


def test_two_refreshes_at_once_one_runs_and_the_other_is_refused(open_store, arxiv, llm):
    with tally.fault("store: two refreshes at once"):
        store = open_store()
        arxiv.route("/rss/", rss_feed(NEW, "2026-09-24", CONFIG.categories), delay=0.5)
        results: list = []

        def run():
            try:
                results.append(refresh_job(context(store, arxiv, llm)))
            except RefreshRunning as exc:
                results.append(exc)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(type(r).__name__ for r in results) == ["RefreshRunning", "dict"]
        assert len(arxiv.requests) == 1 and llm.calls == len(NEW)
        assert served_ids(store, CONFIG) == {p.id for p in NEW}


def test_two_cron_calls_at_once_are_a_200_and_a_409(tmp_path, arxiv, llm):
    with tally.fault("store: two cron calls at once"):
        arxiv.route("/rss/", rss_feed(NEW, "2026-09-24", CONFIG.categories), delay=0.5)
        ctx = context(SqliteStore(str(tmp_path / "s.sqlite3")), arxiv, llm, cron_secret="s" * 32)
        app.dependency_overrides[get_service] = lambda: Service(ctx)
        statuses: list[int] = []

        def call():
            with TestClient(app) as client:
                statuses.append(client.get("/api/cron", headers={"Authorization": "Bearer " + "s" * 32}).status_code)

        try:
            threads = [threading.Thread(target=call) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            app.dependency_overrides.pop(get_service, None)
        assert sorted(statuses) == [200, 409]
        assert len(arxiv.requests) == 1
        ctx.store.close()


# A hung store -----------------------------------------------------------------------------------


@contextlib.contextmanager
def hung(server):
    """redis-server stopped (SIGSTOP): connections are accepted, nothing is answered."""
    os.kill(server.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(server.pid, signal.SIGCONT)


def timed(client, path: str):
    started = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - started


@pytest.mark.redis
def test_a_hung_redis_costs_one_short_timeout_then_requests_answer_at_once(tmp_path):
    """The old store waited 5 s and retried: 10 s for every request. Now a read waits at
    most READ_TIMEOUT (1 s) once; the breaker then fails store calls at once, so `/feed`
    is served from memory, the page and health answer, all well under 2 s each."""
    config = seed_config()
    now = [0.0]
    with redis_server() as server, app_clients(tmp_path, config, NOON) as make:
        client, service = make(env=Env(redis_url=server.url))
        service.ctx.store.breaker = Breaker("Redis", clock=lambda: now[0])
        for path in ("/feed", "/"):  # the days are now held in memory, the page's templates loaded
            assert client.get(path).status_code == 200
        with tally.fault("store: redis-server hung (SIGSTOP)"), hung(server):
            first, first_took = timed(client, "/feed")
            assert first.status_code == 200 and first_took < 2.0  # one read timeout, no retry
            for path in ("/feed", "/feed", "/", "/api/health", f"/feed/p/{'a' * TOKEN_LENGTH}"):
                response, took = timed(client, path)
                assert took < 0.5, (path, took)  # the breaker is open: the store is not asked
                if path == "/feed":
                    assert response.status_code == 200 and b"Sparse Attention" in response.content
            health = client.get("/api/health")
            assert health.status_code == 503 and health.json()["status"] == "degraded"
            assert health.json()["store"]["message"].startswith("store unreachable")
            assert "did not answer GET within 1s" in health.json()["store"]["reason"]
        now[0] += BREAKER_COOLDOWN + 0.1  # the breaker lets the next call through
        health = client.get("/api/health")
        assert health.status_code == 200 and health.json()["store"]["reachable"] is True


@pytest.mark.redis
def test_a_hung_upstash_costs_one_short_timeout_then_fails_at_once_until_the_cooldown(redis_backend):
    now = [0.0]
    with FakeUpstash(redis_backend, token="t") as fake:
        store = UpstashStore(fake.url, "t", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN")
        store.breaker = Breaker("Upstash", clock=lambda: now[0])
        store.set("k", b"v")
        fake.delay = 1.5  # Upstash accepts the request and does not answer
        started = time.monotonic()
        with pytest.raises(StoreError, match=r"^Upstash did not answer GET within 1s$"):
            store.get("k")
        assert time.monotonic() - started < 2.0  # the read timeout, no retry: not 5 s, not 5 s twice
        started = time.monotonic()
        with pytest.raises(StoreError, match=r"^store unreachable: Upstash was not asked"):
            store.mget(["k"])
        assert time.monotonic() - started < 0.1
        sent = fake.commands
        fake.delay = 0.0
        now[0] += BREAKER_COOLDOWN + 0.1
        assert store.get("k") == b"v" and fake.commands == sent + 1  # asked again, and closed
        fake.wait_idle()
        store.close()


def test_the_breaker_opens_on_a_failure_and_lets_one_call_through_after_the_cooldown():
    now = [100.0]
    breaker = Breaker("Redis", cooldown=5.0, clock=lambda: now[0])
    breaker.check()  # closed: no error
    breaker.failed("Redis did not answer GET within 1s")
    assert breaker.open
    with pytest.raises(StoreError, match=r"store unreachable: Redis was not asked .*did not answer GET within 1s"):
        breaker.check()
    now[0] += 4.9
    with pytest.raises(StoreError):
        breaker.check()
    now[0] += 0.2
    breaker.check()  # the cooldown is over: this call goes to the store
    breaker.failed("cannot reach Redis")  # and fails: open again for a full cooldown
    now[0] += 4.9
    assert breaker.open
    breaker.succeeded()
    assert not breaker.open
    breaker.check()
