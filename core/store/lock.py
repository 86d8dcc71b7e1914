"""The refresh lock: one refresh at a time per store, and a dead holder noticed quickly.

The lock's value names its holder, as JSON: a token, the host name, the pid, when the
lock was taken and when it was last renewed. Two ways a dead holder is found:

- on any store, a heartbeat: the holder renews the lock every `ttl / 4` seconds with an
  expiry of `ttl` seconds (REFRESH_LOCK_TTL: a minute), so the lock of a killed
  run is gone within `ttl` seconds, however long a live refresh takes;
- on the machine that holds it, at once: a lock whose pid is no longer running on this
  host is taken over (a pid reused since then only delays that until the expiry).

A refusal says how old the lock is and when it was last renewed. Renewal and release
compare, then write: a holder whose renewals all failed for `ttl` seconds may overwrite
a lock taken after its own expired; both refreshes then publish complete versions.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from core.errors import RefreshRunning
from core.store.base import Store
from core.store.layout import LOCK_KEY

# The refresh lock's expiry in seconds, renewed while the refresh runs: a killed run frees it within a minute.
REFRESH_LOCK_TTL = 60


@dataclass(frozen=True)
class Holder:
    token: str
    host: str
    pid: int
    started: float
    renewed: float

    def encode(self) -> bytes:
        return json.dumps(asdict(self)).encode()


def decode_holder(raw: bytes | None) -> Holder | None:
    """The holder a lock value names; None for a value this code did not write."""
    try:
        fields = json.loads(raw or b"")
        return Holder(
            str(fields["token"]),
            str(fields["host"]),
            int(fields["pid"]),
            float(fields["started"]),
            float(fields["renewed"]),
        )
    except (ValueError, TypeError, KeyError):
        return None


def pid_running(pid: int) -> bool:
    """Whether a process with this pid runs on this machine (a zombie does not count)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, owned by someone else
        return True
    with contextlib.suppress(OSError, IndexError):
        # /proc/<pid>/stat: "pid (name) state ...": a killed child not yet reaped is a zombie.
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    return True


@contextlib.contextmanager
def refresh_lock(
    store: Store,
    ttl: int,
    *,
    clock: Callable[[], float] = time.time,
    running: Callable[[int], bool] = pid_running,
    interval: float | None = None,
) -> Iterator[str]:
    """Hold the refresh lock, renewed every `interval` seconds (default `ttl / 4`) while
    the block runs. Raises RefreshRunning naming the lock's age when a live run holds it."""
    now = clock()
    me = Holder(secrets.token_hex(8), socket.gethostname(), os.getpid(), now, now)
    if not _acquire(store, me, ttl, running):
        raise RefreshRunning(_refusal(decode_holder(store.get(LOCK_KEY)), me, clock()))
    stop = threading.Event()
    beat = threading.Thread(
        target=_heartbeat, args=(store, me, ttl, interval or ttl / 4, stop, clock), daemon=True, name="refresh-lock"
    )
    beat.start()
    try:
        yield me.token
    finally:
        stop.set()
        beat.join()
        with contextlib.suppress(Exception):
            if _held_by(store, me):
                store.delete(LOCK_KEY)


def _acquire(store: Store, me: Holder, ttl: int, running: Callable[[int], bool]) -> bool:
    if store.set_if_absent(LOCK_KEY, me.encode(), ttl=ttl):
        return True
    raw = store.get(LOCK_KEY)
    holder = decode_holder(raw)
    if holder is None or holder.host != me.host or running(holder.pid):
        return False
    # The holder ran on this machine and is gone: take its lock over, unless it changed meanwhile.
    if store.get(LOCK_KEY) == raw:
        store.delete(LOCK_KEY)
    return store.set_if_absent(LOCK_KEY, me.encode(), ttl=ttl)


def _heartbeat(store: Store, me: Holder, ttl: int, interval: float, stop: threading.Event, clock) -> None:
    """Renew the lock until `stop`; a failed renewal is tried again at the next beat."""
    current = me
    while not stop.wait(interval):
        with contextlib.suppress(Exception):
            if _held_by(store, me):
                current = replace(current, renewed=clock())
                store.set(LOCK_KEY, current.encode(), ttl=ttl)


def _held_by(store: Store, me: Holder) -> bool:
    holder = decode_holder(store.get(LOCK_KEY))
    return holder is not None and holder.token == me.token


def _refusal(holder: Holder | None, me: Holder, now: float) -> str:
    if holder is None:
        return "a refresh is running (its lock names no holder this version can read); try again when it has finished"
    where = f"pid {holder.pid} on this machine" if holder.host == me.host else "another machine"
    return (
        f"a refresh is running: its lock was taken {_age(now - holder.started)} ago by {where} and renewed "
        f"{_age(now - holder.renewed)} ago; try again when it has finished"
    )


def _age(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"
