"""Test clients for the real app over a seeded SQLite store (no network, no patching:
the app's Service is swapped through FastAPI's dependency overrides)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from fastapi.testclient import TestClient

from api.deps import Service, get_service
from api.index import app
from core.config import Env
from core.context import Context
from tests.support.seed import seed_store


@contextlib.contextmanager
def app_clients(tmp_path, config, clock) -> Iterator:
    """Yields make(config, env, seed, clock, wrap, **TestClient kwargs) -> (client, service).
    `seed` is True (the standard seed), False, or a function of (store, config) that
    publishes its own data; `wrap` wraps the store (e.g. FlakyStore)."""
    contexts: list[Context] = []
    defaults = (config, clock)

    def make(config=None, env=None, seed=True, clock=None, wrap=None, **client_kwargs):
        config = config or defaults[0]
        at = clock or defaults[1]
        ctx = Context(config, env or Env(db_path=str(tmp_path / f"db{len(contexts)}.sqlite3")))
        contexts.append(ctx)
        if seed is True:
            seed_store(ctx.store, config)
        elif seed:
            seed(ctx.store, config)
        if wrap is not None:
            ctx.store = wrap(ctx.store)
        service = Service(ctx, clock=lambda: at)
        app.dependency_overrides[get_service] = lambda: service
        return TestClient(app, **client_kwargs), service

    try:
        yield make
    finally:
        app.dependency_overrides.clear()
        for ctx in contexts:
            getattr(ctx.store, "inner", ctx.store).close()
