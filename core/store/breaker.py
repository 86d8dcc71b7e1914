"""A circuit breaker for a network store (Redis, Upstash): after the store fails to
answer, later calls fail at once for `cooldown` seconds instead of each waiting out a
timeout again.

    closed   every call goes to the store
    open     for `cooldown` seconds after a store that did not answer or could not be
             reached: every call raises StoreError at once ("store unreachable ...")
    then     the next call is let through: success closes the breaker, failure opens it
             again for another `cooldown`

Only unreachability opens it (a timeout, a refused or dropped connection); a command
the store refused, or refused credentials, is an answer and leaves it closed. Readers
that hold data in memory then serve it at once (core.store.reader), the rest answer 503
at once, and /api/health says "store unreachable".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from core.errors import StoreError

COOLDOWN = 5.0
UNREACHABLE = "store unreachable"


class Breaker:
    """Thread-safe. `clock` (monotonic seconds) is injectable for tests."""

    def __init__(self, name: str, cooldown: float = COOLDOWN, clock: Callable[[], float] = time.monotonic):
        self.name = name
        self.cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._reason = ""

    def check(self) -> None:
        """Raise StoreError at once while the breaker is open; return when a call may go."""
        with self._lock:
            left = self._open_until - self._clock()
            reason = self._reason
        if left > 0:
            raise StoreError(
                f"{UNREACHABLE}: {self.name} was not asked (it failed {self.cooldown:g} s ago or less: {reason})"
            )

    def failed(self, reason: str) -> None:
        """The store did not answer: open the breaker for `cooldown` seconds."""
        with self._lock:
            self._open_until = self._clock() + self.cooldown
            self._reason = reason

    def succeeded(self) -> None:
        """The store answered: close the breaker."""
        with self._lock:
            self._open_until = 0.0
            self._reason = ""

    @property
    def open(self) -> bool:
        with self._lock:
            return self._open_until > self._clock()
