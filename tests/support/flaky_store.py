"""A real store that goes down on cue: after `fail_after` commands, or when `down` is set.

    store = FlakyStore(SqliteStore(path), fail_after=7)   # commands 1..7 run, the 8th and later raise
    store.down = True                                     # every command raises from now on

A failing command raises `StoreError`, as a backend does when its server goes away;
the inner store is untouched, so a test can then inspect what was left behind.
"""

from __future__ import annotations

import threading

from core.errors import StoreError

COMMANDS = ("get", "mget", "set", "set_if_absent", "incr", "delete")


class FlakyStore:
    def __init__(self, inner, fail_after: int | None = None):
        self.inner = inner
        self.name = inner.name
        self.fail_after = fail_after
        self.down = False
        self.commands = 0
        self._lock = threading.Lock()

    def __getattr__(self, method):
        target = getattr(self.inner, method)
        if method not in COMMANDS:
            return target

        def command(*args, **kwargs):
            with self._lock:
                self.commands += 1
                failing = self.down or (self.fail_after is not None and self.commands > self.fail_after)
            if failing:
                raise StoreError(f"connection lost (the test took the store down at command {self.commands})")
            return target(*args, **kwargs)

        return command
