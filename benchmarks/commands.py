"""Store commands per feed request on Upstash, counted by the loopback Upstash REST server.

The workload is written to a real redis-server behind `tests.support.fake_upstash`
(Upstash's REST protocol), and the app, wired to it through the environment as a
deployment is, answers feed requests in process (Starlette's test client: the
count does not depend on the HTTP stack). Command counts are exact, not timed.

    cold   a new instance (empty memory): manifest + one mget of the days the query needs
    warm   the days are in memory: the manifest only
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Sequence

from benchmarks.report import Result
from benchmarks.serving import custom_params, keyword_sets
from benchmarks.workload import write_store
from core.config import Config, Env
from core.models import Day

TOKEN = "bench-token"
WARM_REQUESTS = 20


def command_results(config: Config, days: Sequence[Day], warm_requests: int = WARM_REQUESTS) -> list[Result]:
    """Commands per request, cold and warm, for the default feed, a custom query and a 304.
    Without redis-server the result says it was skipped rather than vanish."""
    if shutil.which("redis-server") is None:
        return [Result.skip("Upstash commands per request", "commands", "redis-server is not installed")]
    from core.store.upstash import UpstashStore
    from tests.support.fake_upstash import FakeUpstash
    from tests.support.redis_server import redis_server

    with redis_server() as backend, FakeUpstash(backend, token=TOKEN) as fake:
        store = UpstashStore(fake.url, TOKEN, "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN")
        try:
            write_store(store, config, days)
        finally:
            store.close()
        env = Env(upstash_url=fake.url, upstash_token=TOKEN)
        return _count(config, env, fake, warm_requests)


@contextlib.contextmanager
def _client(config: Config, env: Env):
    """A test client for the app with a fresh Service (a new instance: nothing in memory)."""
    from fastapi.testclient import TestClient

    from api.deps import Service, get_service
    from api.index import app
    from core.context import Context

    ctx = Context(config, env)
    service = Service(ctx)
    app.dependency_overrides[get_service] = lambda: service
    try:
        with TestClient(app) as client:
            yield client
    finally:
        app.dependency_overrides.pop(get_service, None)
        ctx.store.close()


def _count(config: Config, env: Env, fake, warm_requests: int) -> list[Result]:
    def per_request(client, count: int, path: str, params=None, headers=None) -> float:
        fake.reset()
        for _ in range(count):
            response = client.get(path, params=params, headers=headers)
            if response.status_code not in (200, 304):
                raise RuntimeError(f"{path} answered {response.status_code}: {response.text[:200]}")
        return fake.commands / count

    custom = custom_params(keyword_sets(1, seed=11)[0])
    with _client(config, env) as client:
        cold = per_request(client, 1, "/feed")
        warm = per_request(client, warm_requests, "/feed")
        etag = client.get("/feed").headers["etag"]
        not_modified = per_request(client, warm_requests, "/feed", headers={"If-None-Match": etag})
        client.get("/feed", params=custom)  # its days are in memory from now on
        warm_custom = per_request(client, warm_requests, "/feed", params=custom)
    with _client(config, env) as client:
        cold_custom = per_request(client, 1, "/feed", params=custom)
    return [
        Result("Upstash commands, /feed warm", warm, "commands", target=1, on="value"),
        Result("Upstash commands, /feed cold", cold, "commands", target=2, on="value"),
        Result("Upstash commands, /feed 304 (If-None-Match)", not_modified, "commands", target=1, on="value"),
        Result(f"Upstash commands, custom days={custom['days']} warm", warm_custom, "commands", target=1, on="value"),
        Result(f"Upstash commands, custom days={custom['days']} cold", cold_custom, "commands", target=2, on="value"),
    ]
