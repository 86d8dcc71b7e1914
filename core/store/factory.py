"""Choose the store backend from the environment: the only place that knows."""

from __future__ import annotations

from core.config import Env
from core.errors import ConfigError
from core.longlived import long_lived
from core.store.base import Store


def backend_name(env: Env) -> str:
    """The backend the environment asks for, without opening it."""
    if env.upstash_url or env.upstash_token:
        return "upstash"
    return "redis" if env.redis_url else "sqlite"


def open_store(env: Env) -> Store:
    """Upstash when its REST credentials are set, Redis when REDIS_URL is set,
    else the embedded SQLite file. Backends are imported only when chosen.

    Raises ConfigError naming the variable when only half of the Upstash pair is
    set or a URL has the wrong scheme; StoreError when the SQLite file cannot be opened."""
    backend = backend_name(env)
    if backend == "upstash":
        return _upstash(env)
    if backend == "redis":
        if not env.redis_url.startswith(("redis://", "rediss://")):
            raise ConfigError("REDIS_URL", "must start with redis:// or rediss://")
        from core.store.redis import RedisStore

        return RedisStore(env.redis_url)
    from core.store.sqlite import SqliteStore

    return SqliteStore(env.db_path)


def _upstash(env: Env) -> Store:
    if not env.upstash_url:
        raise ConfigError(env.upstash_url_var, f"is not set, but {env.upstash_token_var} is: set both or neither")
    if not env.upstash_token:
        raise ConfigError(env.upstash_token_var, f"is not set, but {env.upstash_url_var} is: set both or neither")
    if not env.upstash_url.startswith(("https://", "http://")):
        raise ConfigError(env.upstash_url_var, "must be the REST URL, starting with https://")
    with long_lived():  # the SDK, httpx and their client: a cold instance's first request makes them
        from core.store.upstash import UpstashStore

        return UpstashStore(env.upstash_url, env.upstash_token, env.upstash_url_var, env.upstash_token_var)
