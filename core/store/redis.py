"""The store on a Redis server (REDIS_URL: redis:// or rediss://), through redis-py."""

from __future__ import annotations

import contextlib
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from core.errors import StoreError


class RedisStore:
    """Values are stored as raw bytes. Every redis-py error becomes one `StoreError`
    line naming host:port; the password in the URL never appears in a message."""

    name = "redis"
    local = False

    def __init__(self, url: str, timeout: float = 5.0):
        parts = urlsplit(url)
        self._password = parts.password or ""
        self.where = _host_port(parts)
        self.timeout = timeout
        try:
            self._client = redis.Redis.from_url(
                url,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
                decode_responses=False,
                # One immediate retry covers a pooled connection the server closed;
                # redis-py's default (3 retries with backoff) would stretch an outage.
                retry=Retry(NoBackoff(), 1),
            )
        except ValueError as exc:
            raise StoreError(f"Redis URL for {self.where} is not valid: {self._scrub(exc)}") from None

    def get(self, key: str) -> bytes | None:
        return self._call("GET", self._client.get, key)

    def mget(self, keys: list[str]) -> list[bytes | None]:
        if not keys:
            return []
        return self._call("MGET", self._client.mget, keys)

    def set(self, key: str, value: bytes, ttl: int | None = None) -> None:
        self._call("SET", self._client.set, key, value, ex=ttl)

    def set_if_absent(self, key: str, value: bytes, ttl: int | None = None) -> bool:
        return bool(self._call("SET NX", self._client.set, key, value, ex=ttl, nx=True))

    def delete(self, key: str) -> None:
        self._call("DEL", self._client.delete, key)

    def close(self) -> None:
        # closing a pool whose server is gone is not worth reporting
        with contextlib.suppress(redis.RedisError):
            self._client.close()

    def _call(self, command: str, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except redis.TimeoutError:
            raise StoreError(f"Redis at {self.where} did not answer {command} within {self.timeout:g}s") from None
        except redis.AuthenticationError as exc:
            raise StoreError(f"Redis at {self.where} refused the credentials in the URL: {self._scrub(exc)}") from None
        except redis.ConnectionError as exc:
            raise StoreError(f"cannot reach Redis at {self.where}: {self._scrub(exc)}") from None
        except redis.RedisError as exc:
            raise StoreError(f"Redis at {self.where} refused {command}: {self._scrub(exc)}") from None

    def _scrub(self, exc: Exception) -> str:
        text = " ".join(str(exc).split()) or exc.__class__.__name__
        return text.replace(self._password, "***") if self._password else text


def _host_port(parts) -> str:
    try:
        return f"{parts.hostname or 'localhost'}:{parts.port or 6379}"
    except ValueError:  # a port that is not a number
        return parts.hostname or "(no host)"
