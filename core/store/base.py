"""The store contract every backend honours.

Values are bytes; keys are str (core.store.layout names every key family). TTLs are
whole seconds (None = no expiry). Every method raises `StoreError` (never a backend's
own exception) when the store cannot be reached or refuses the command; none raises
anything else for a key or value of the right type. Backends: core.store.sqlite,
core.store.redis, core.store.upstash, chosen by core.store.factory.
"""

from __future__ import annotations

from typing import Protocol


class Store(Protocol):
    name: str
    # True when commands run in this process in well under a millisecond (SQLite), so a
    # request handler may call them on the event loop instead of a worker thread.
    local: bool

    def get(self, key: str) -> bytes | None:
        """The value under `key`, or None when it is absent or expired.

        Called by core.store.layout (the manifest), core.store.lock, core.profiles
        (a profile, an edit token's feed id), core.embed.interest (a cached vector)
        and core.summaries.run (the day's token count). Raises StoreError."""
        ...

    def mget(self, keys: list[str]) -> list[bytes | None]:
        """One value (or None) per key, in the order of `keys`; [] for no keys, without
        a round trip.

        Called by core.store.reader (day segments and vectors), core.refresh.embedding
        and core.summaries.run (cached summaries and their state). Raises StoreError."""
        ...

    def set(self, key: str, value: bytes, ttl: int | None = None) -> None:
        """Write `value` under `key`, replacing any value and its expiry (a set without a
        TTL makes the key permanent again).

        Called by core.store.publish (segments, the manifest), core.store.lock (renewal),
        core.profiles.model, core.embed.interest (cached vectors) and core.summaries.run.
        Raises StoreError."""
        ...

    def set_if_absent(self, key: str, value: bytes, ttl: int | None = None) -> bool:
        """Set only when the key is absent (an expired key counts as absent); True when
        this call set it. Atomic: of concurrent callers exactly one gets True.

        Called by core.store.lock (the refresh lock) and core.profiles.votes (a
        profile's change lock). Raises StoreError."""
        ...

    def incr(self, key: str, ttl: int | None, amount: int = 1) -> int:
        """Add `amount` (may be negative) to the integer under `key` and return the new
        value; an absent or expired key counts as 0. The key then expires `ttl` seconds
        after this call (None: never). Atomic: of N concurrent calls of +1 on a key at
        c, each sees a distinct value from c+1 to c+N, so a cap checked on the returned
        value holds exactly across processes.

        A counter's key is written and read only through `incr` (`incr(key, ttl, 0)`
        reads it): backends store the number in their own form (Upstash values set by
        `set` are base64, which INCRBY refuses). Called by api.profile_api (the daily
        profile-creation budget) and core.embed.interest (the daily interest-embedding
        budget). Raises StoreError, also when the key holds something other than an
        integer."""
        ...

    def delete(self, key: str) -> None:
        """Remove `key`; a missing key is fine.

        Called by core.store.lock (release), core.profiles.model (a deleted profile),
        core.profiles.votes (its change lock) and core.summaries.run (a failure record
        once a summary is written). Raises StoreError."""
        ...

    def close(self) -> None:
        """Release connections; the store is not used afterwards. Called by the CLI and
        tests when they are done with a store they opened. Never raises for a server
        that is already gone."""
        ...
