"""The store on Upstash Redis over its REST API, through the official `upstash_redis` SDK.

Binary values: the REST API carries commands as a JSON array of strings, so a value
cannot travel as raw bytes, and the SDK's `rest_encoding="base64"` decodes every
reply to `str` as UTF-8, which breaks on arbitrary bytes. Values are therefore
stored base64-encoded (ASCII text) and replies are requested without the REST
encoding: an ASCII reply survives JSON as it is, so each value crosses the wire
once at 4/3 of its size, and decodes back to exactly the bytes written.

Time bound: the SDK builds its `httpx.Client` with `timeout=None` and retries a
failed request after 3 s. Retries are turned off and the client's connect, write,
read and pool timeouts are all set to `timeout` (5 s) for writes, and to `read_timeout`
(READ_TIMEOUT = 1 s) for GET and MGET, which have their own client (the writes' client is
made by the first write: a feed request never needs it): a hung or
unreachable Upstash costs a read at most that. After a timeout or a failed connection
the breaker (core.store.breaker) fails every call at once for a few seconds.
"""

from __future__ import annotations

import base64
import binascii
import threading
from urllib.parse import urlsplit

import httpx
import upstash_redis
from upstash_redis import Redis
from upstash_redis.errors import UpstashError

from core.errors import StoreError
from core.store.breaker import Breaker

READ_TIMEOUT = 1.0


class _HttpStatus(Exception):
    """An answer that is not a command result (auth refused, server error)."""

    def __init__(self, status: int):
        self.status = status
        super().__init__(f"HTTP {status}")


class UpstashStore:
    """Every failure becomes one `StoreError` line naming the backend and the variable
    to check, never the database's URL or host (the line reaches 503 responses, feeds
    and logs) nor the token. `commands` counts the Redis commands sent (one per call,
    two for `incr`; none for an empty `mget`)."""

    name = "upstash"
    local = False

    def __init__(
        self,
        url: str,
        token: str,
        url_var: str,
        token_var: str,
        timeout: float = 5.0,
        read_timeout: float | None = None,
        breaker: Breaker | None = None,
    ):
        self.url = url.rstrip("/")
        self.url_var = url_var
        self.token_var = token_var
        self.timeout = timeout
        self.read_timeout = min(timeout, READ_TIMEOUT) if read_timeout is None else read_timeout
        self.breaker = breaker or Breaker("Upstash")
        self.commands = 0
        parts = urlsplit(self.url)
        self.host = parts.netloc.rpartition("@")[2] or self.url
        self._token = token
        self._reader = self._bounded_client(self.read_timeout)
        self._writer: Redis | None = None
        self._writer_lock = threading.Lock()

    @property
    def _redis(self) -> Redis:
        """The client for writes, made by the first write: a feed request only reads, and
        each client builds its own SSL context (about 20 ms of a cold start)."""
        if self._writer is None:
            with self._writer_lock:
                if self._writer is None:
                    self._writer = self._bounded_client(self.timeout)
        return self._writer

    def _bounded_client(self, timeout: float) -> Redis:
        """The SDK's client with its HTTP client bounded to `timeout` and no retry."""
        sdk = Redis(url=self.url, token=self._token, rest_encoding=None, rest_retries=0, allow_telemetry=False)
        client = getattr(getattr(sdk, "_http", None), "_client", None)
        if not isinstance(client, httpx.Client):
            raise StoreError(
                f"upstash-redis {upstash_redis.__version__} no longer exposes its HTTP client; "
                "the Upstash store cannot bound its request time"
            )
        client.timeout = httpx.Timeout(timeout)
        client.event_hooks = {"request": [], "response": [_check_status]}
        return sdk

    def get(self, key: str) -> bytes | None:
        return self._decode(self._call("GET", self._reader.get, key, timeout=self.read_timeout))

    def mget(self, keys: list[str]) -> list[bytes | None]:
        if not keys:
            return []
        return [self._decode(v) for v in self._call("MGET", self._reader.mget, *keys, timeout=self.read_timeout)]

    def set(self, key: str, value: bytes, ttl: int | None = None) -> None:
        self._call("SET", self._redis.set, key, _encode(value), ex=ttl)

    def set_if_absent(self, key: str, value: bytes, ttl: int | None = None) -> bool:
        return bool(self._call("SET NX", self._redis.set, key, _encode(value), nx=True, ex=ttl))

    def incr(self, key: str, ttl: int | None, amount: int = 1) -> int:
        return self._call("INCRBY", self._incr, key, ttl, amount, commands=2)

    def _incr(self, key: str, ttl: int | None, amount: int) -> int:
        """INCRBY and EXPIRE (or PERSIST) in one request to /multi-exec, run as MULTI/EXEC."""
        tx = self._redis.multi()
        tx.incrby(key, amount)
        if ttl is None:
            tx.persist(key)
        else:
            tx.expire(key, ttl)
        return int(tx.exec()[0])

    def delete(self, key: str) -> None:
        self._call("DEL", self._redis.delete, key)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader.close()

    def _call(self, command: str, method, *args, commands: int = 1, timeout: float | None = None, **kwargs):
        """Run one request through the breaker; every failure becomes a StoreError, and
        one that says Upstash is unreachable (a timeout, no connection) opens the breaker."""
        self.breaker.check()
        self.commands += commands
        try:
            result = method(*args, **kwargs)
        except _HttpStatus as exc:
            if exc.status in (401, 403):
                raise StoreError(f"Upstash refused the token (HTTP {exc.status}): check {self.token_var}") from None
            hint = f": check {self.url_var}" if exc.status == 404 else ""
            raise StoreError(f"Upstash answered {command} with HTTP {exc.status}{hint}") from None
        except httpx.TimeoutException:
            raise self._unreachable(f"Upstash did not answer {command} within {timeout or self.timeout:g}s") from None
        except httpx.HTTPError as exc:
            raise self._unreachable(f"cannot reach Upstash ({self._scrub(exc)}): check {self.url_var}") from None
        except UpstashError as exc:
            raise StoreError(f"Upstash refused {command}: {self._scrub(exc)}") from None
        except ValueError:  # a body that is not JSON: a proxy or an error page, not Upstash
            raise StoreError(f"Upstash answered {command} with something other than JSON") from None
        self.breaker.succeeded()
        return result

    def _unreachable(self, line: str) -> StoreError:
        self.breaker.failed(line)
        return StoreError(line)

    def _scrub(self, exc: Exception) -> str:
        """The error's text on one line, without the URL, host or token."""
        text = " ".join(str(exc).split()) or exc.__class__.__name__
        for part in sorted(filter(None, {self.url, self.host, self._token}), key=len, reverse=True):
            text = text.replace(part, "***")
        return text

    def _decode(self, raw: str | None) -> bytes | None:
        if raw is None:
            return None
        try:
            return base64.b64decode(raw, validate=True)
        except (binascii.Error, TypeError):
            raise StoreError("Upstash holds a value this store did not write (not base64)") from None


def _encode(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _check_status(response: httpx.Response) -> None:
    # Upstash answers command errors with 400 and a JSON {"error": ...}, which the
    # SDK reports itself; anything else that is not 2xx has no usable body.
    if response.status_code >= 300 and response.status_code != 400:
        raise _HttpStatus(response.status_code)
