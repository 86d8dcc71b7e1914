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
    from api.deps import COSTLY_AT_ONCE

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
