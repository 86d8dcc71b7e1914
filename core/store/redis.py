"""The store on a Redis server (REDIS_URL: redis:// or rediss://), through redis-py.

Time bounds. Reads (GET, MGET) go through their own connection pool with a short socket
timeout (`read_timeout`, READ_TIMEOUT = 1 s: the time the server may stay silent, not a
cap on a large value that keeps arriving) and no retry, so a hung server costs a
request at most that. Writes keep `timeout` (5 s) and one immediate retry. After a
timeout or a lost connection the breaker (core.store.breaker) fails every call at once
for a few seconds.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from core.errors import StoreError
from core.store.breaker import Breaker

READ_TIMEOUT = 1.0


class RedisStore:
    """Values are stored as raw bytes. Every redis-py error becomes one `StoreError`
    line naming the backend and REDIS_URL, never where the server lives (host, port)
    nor the password in the URL: the line reaches 503 responses, feeds and logs."""

    name = "redis"
    local = False

    def __init__(
        self, url: str, timeout: float = 5.0, read_timeout: float | None = None, breaker: Breaker | None = None
    ):
        parts = urlsplit(url)
        self._hidden = _hidden_parts(url, parts)
        self.timeout = timeout
        self.read_timeout = min(timeout, READ_TIMEOUT) if read_timeout is None else read_timeout
        self.breaker = breaker or Breaker("Redis")
        try:
            # One immediate retry covers a pooled connection the server closed;
            # redis-py's default (3 retries with backoff) would stretch an outage.
            self._client = _client(url, timeout, retries=1)
            self._reader = _client(url, self.read_timeout, retries=0)  # the read path never retries
        except ValueError as exc:
            raise StoreError(f"REDIS_URL is not a valid Redis URL: {self._scrub(exc)}") from None

    def get(self, key: str) -> bytes | None:
        return self._call("GET", self._reader.get, key, timeout=self.read_timeout)

    def mget(self, keys: list[str]) -> list[bytes | None]:
        if not keys:
            return []
        return self._call("MGET", self._reader.mget, keys, timeout=self.read_timeout)

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
        for client in (self._client, self._reader):
            with contextlib.suppress(redis.RedisError):
                client.close()

    def _call(self, command: str, method, *args, timeout: float | None = None, **kwargs):
        """Run one command through the breaker; every redis-py error becomes a StoreError,
        and one that says the server is unreachable opens the breaker."""
        self.breaker.check()
        try:
            result = method(*args, **kwargs)
        except redis.TimeoutError:
            raise self._unreachable(f"Redis did not answer {command} within {timeout or self.timeout:g}s") from None
        except redis.AuthenticationError as exc:
            raise StoreError(f"Redis refused the credentials in REDIS_URL: {self._scrub(exc)}") from None
        except redis.ConnectionError as exc:
            raise self._unreachable(f"cannot reach Redis (check REDIS_URL): {self._scrub(exc)}") from None
        except redis.RedisError as exc:
            raise StoreError(f"Redis refused {command}: {self._scrub(exc)}") from None
        self.breaker.succeeded()
        return result

    def _unreachable(self, line: str) -> StoreError:
        self.breaker.failed(line)
        return StoreError(line)

    def _scrub(self, exc: Exception) -> str:
        """The error's text on one line, without the URL, host, port or password."""
        text = " ".join(str(exc).split()) or exc.__class__.__name__
        for part in self._hidden:
            text = text.replace(part, "***")
        return _ADDRESS.sub("***", text)


def _client(url: str, timeout: float, retries: int) -> redis.Redis:
    """A redis-py client whose socket waits at most `timeout` for the server (connect and
    each read), retrying a failed command `retries` times at once."""
    return redis.Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        decode_responses=False,
        retry=Retry(NoBackoff(), retries),
    )


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
