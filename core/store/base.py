"""The store contract every backend honours.

Values are bytes; keys are str. TTLs are whole seconds (None = no expiry).
Every method raises `StoreError` (never a backend's own exception) when the
store cannot be reached or refuses the command.
"""

from __future__ import annotations

from typing import Protocol


class Store(Protocol):
    name: str
    # True when commands run in this process in well under a millisecond (SQLite), so a
    # request handler may call them on the event loop instead of a worker thread.
    local: bool

    def get(self, key: str) -> bytes | None: ...

    def mget(self, keys: list[str]) -> list[bytes | None]: ...

    def set(self, key: str, value: bytes, ttl: int | None = None) -> None: ...

    def set_if_absent(self, key: str, value: bytes, ttl: int | None = None) -> bool:
        """Set only when the key is absent; True when this call set it."""
        ...

    def delete(self, key: str) -> None: ...

    def close(self) -> None: ...
