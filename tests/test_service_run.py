"""Read-path work runs on the event loop for the in-process store and in a worker thread
for network stores, so a slow Redis or Upstash never blocks other requests."""

import asyncio
import threading

from api.deps import Service
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
