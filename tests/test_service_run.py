"""Read-path work runs on the event loop for the in-process store and in a worker thread
for network stores, so a slow Redis or Upstash never blocks other requests."""

import asyncio
import threading

from api.deps import Deferred, Service
from core.config import Env, parse_config
from core.context import Context


class NetworkStore:
    name = "redis"
    local = False


def runs_on_the_loop(ctx: Context) -> bool:
    service = Service(ctx)

    async def main():
        return await service.run(threading.current_thread), threading.current_thread()

    ran_in, loop_thread = asyncio.run(main())
    return ran_in is loop_thread


def test_sqlite_reads_run_inline_and_network_reads_in_a_worker(tmp_path):
    config = parse_config({"categories": ["cs.AI"], "keywords": []})
    sqlite_ctx = Context(config, Env(db_path=str(tmp_path / "db.sqlite3")))
    assert runs_on_the_loop(sqlite_ctx) is True
    network_ctx = Context(config, Env())
    network_ctx.__dict__["store"] = NetworkStore()  # what the factory would open for REDIS_URL
    assert runs_on_the_loop(network_ctx) is False


def _request(path: str, query: str = ""):
    from starlette.requests import Request

    return Request({"type": "http", "method": "GET", "path": path, "query_string": query.encode(), "headers": []})


def test_costly_feed_requests_never_run_on_the_event_loop_even_on_sqlite(tmp_path):
    config = parse_config({"categories": ["cs.AI"], "keywords": []})
    service = Service(Context(config, Env(db_path=str(tmp_path / "db.sqlite3"))))

    def work(service, request, defer=False):
        here = threading.current_thread()
        return Deferred(threading.current_thread) if defer else here

    async def where(path: str, query: str = "") -> bool:
        return await service.run_feed(work, _request(path, query)) is threading.current_thread()

    async def main():
        return [
            await where("/feed"),
            await where("/feed/cs.AI", "format=atom"),
            await where("/feed", "keywords=graph*"),
            await where("/feed", "interest=robots"),
            await where("/feed/keyword/LLM"),
        ]

    assert asyncio.run(main()) == [True, True, False, False, False]


def test_at_most_a_few_costly_feed_requests_are_worked_on_at_once(tmp_path):
    from api.threads import COSTLY_AT_ONCE

    config = parse_config({"categories": ["cs.AI"], "keywords": []})
    service = Service(Context(config, Env(db_path=str(tmp_path / "db.sqlite3"))))
    running, peak, lock = [0], [0], threading.Lock()

    def work(service, request, defer=False):
        return Deferred(building) if defer else building()

    def building():
        import time

        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1

    async def main():
        await asyncio.gather(*(service.run_feed(work, _request("/feed", f"keywords=k{n}")) for n in range(12)))

    asyncio.run(main())
    assert peak[0] == COSTLY_AT_ONCE


def test_a_costly_request_whose_body_is_cached_is_answered_on_the_loop(tmp_path):
    config = parse_config({"categories": ["cs.AI"], "keywords": []})
    service = Service(Context(config, Env(db_path=str(tmp_path / "db.sqlite3"))))

    def work(service, request, defer=False):
        return threading.current_thread()  # a cached body: nothing deferred

    async def main():
        return await service.run_feed(work, _request("/feed", "keywords=graph*")) is threading.current_thread()

    assert asyncio.run(main()) is True


def test_only_a_query_answered_from_kept_postings_is_built_on_the_spot(tmp_path):
    """A new custom keyword query is built in a worker thread until its pool and keyword
    hits are kept; then a new combination of those keywords (at most the default limit,
    ranked by keywords) is built at once, with the body the deferred build gives."""
    from api.feeds import QUICK_LIMIT, feed_response
    from tests.support.seed import seed_config, seed_store

    config = seed_config()
    ctx = Context(config, Env(db_path=str(tmp_path / "db.sqlite3")))
    seed_store(ctx.store, config, days=3, per_day=40)

    service = Service(ctx)

    def answer(query: str):
        return feed_response(service, _request("/feed", query), defer=True)

    def deferred(query: str) -> bool:
        return isinstance(answer(query), Deferred)

    first = answer("keywords=graphs,inference&days=3")
    assert isinstance(first, Deferred)  # nothing kept yet
    first.build()  # keeps the pool and both keywords' hits
    assert deferred("keywords=inference,graphs&days=3") is False
    assert deferred("keywords=graphs,inference&days=3&sort=date") is False
    assert deferred("keywords=graphs,problem&days=3") is True  # "problem" has no kept hits
    assert deferred("keywords=graphs,inference&days=2") is True  # another pool
    assert deferred(f"keywords=graphs,inference&days=3&limit={QUICK_LIMIT + 1}") is True
    assert deferred("keywords=graphs,inference&days=3&interest=graph+colouring") is True
    on_the_spot = answer("keywords=inference,graphs&days=3&format=atom")
    fresh = Service(ctx)
    later = feed_response(fresh, _request("/feed", "keywords=inference,graphs&days=3&format=atom"))
    assert on_the_spot.body == later.body and b"<entry>" in on_the_spot.body
