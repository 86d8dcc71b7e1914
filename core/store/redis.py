"""The store on a Redis server (REDIS_URL: redis:// or rediss://), through redis-py."""

from __future__ import annotations

import contextlib
import re
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from core.errors import StoreError


class RedisStore:
    """Values are stored as raw bytes. Every redis-py error becomes one `StoreError`
    line naming the backend and REDIS_URL, never where the server lives (host, port)
    nor the password in the URL: the line reaches 503 responses, feeds and logs."""

    name = "redis"
    local = False

    def __init__(self, url: str, timeout: float = 5.0):
        parts = urlsplit(url)
        self._hidden = _hidden_parts(url, parts)
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
            raise StoreError(f"REDIS_URL is not a valid Redis URL: {self._scrub(exc)}") from None

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

    def incr(self, key: str, ttl: int | None, amount: int = 1) -> int:
        return self._call("INCRBY", self._incr, key, ttl, amount)

    def _incr(self, key: str, ttl: int | None, amount: int) -> int:
        """INCRBY and EXPIRE (or PERSIST) in one MULTI/EXEC: no other client runs between them."""
        pipe = self._client.pipeline(transaction=True)
        pipe.incrby(key, amount)
        if ttl is None:
            pipe.persist(key)
        else:
            pipe.expire(key, ttl)
        return int(pipe.execute()[0])

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
            raise StoreError(f"Redis did not answer {command} within {self.timeout:g}s") from None
        except redis.AuthenticationError as exc:
            raise StoreError(f"Redis refused the credentials in REDIS_URL: {self._scrub(exc)}") from None
        except redis.ConnectionError as exc:
            raise StoreError(f"cannot reach Redis (check REDIS_URL): {self._scrub(exc)}") from None
        except redis.RedisError as exc:
            raise StoreError(f"Redis refused {command}: {self._scrub(exc)}") from None

    def _scrub(self, exc: Exception) -> str:
        """The error's text on one line, without the URL, host, port or password."""
        text = " ".join(str(exc).split()) or exc.__class__.__name__
        for part in self._hidden:
            text = text.replace(part, "***")
        return _ADDRESS.sub("***", text)


# host:port as redis-py writes it ("Error 111 connecting to 10.0.0.5:6379."), IPv6 included.
_ADDRESS = re.compile(r"\[?[\w.:-]*[\w\]]:\d{1,5}\b")


def _hidden_parts(url: str, parts) -> tuple[str, ...]:
    """The pieces of the URL no message may show, longest first (so a part never hides
    only half of a longer one)."""
    try:
        port = str(parts.port or "")
    except ValueError:  # a port that is not a number
        port = ""
    pieces = {url, parts.netloc, parts.password or "", parts.hostname or "", port and f"{parts.hostname}:{port}"}
    return tuple(sorted(filter(None, pieces), key=len, reverse=True))
