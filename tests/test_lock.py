"""The refresh lock: a holder killed with SIGKILL no longer blocks refreshes for the lock's
expiry. On this machine its pid is seen dead at once; on a shared store the lock lapses
within its short expiry, since only a live holder renews it. Refusals say how old it is.

Holders are real processes on a real SQLite file; "another machine" is a lock value
written with another host name.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from core.errors import RefreshRunning
from core.store.layout import LOCK_KEY
from core.store.lock import REFRESH_LOCK_TTL, Holder, decode_holder, pid_running, refresh_lock
from core.store.sqlite import SqliteStore
from tests.conftest import ROOT, shared_fixture
from tests.support.fake_arxiv import FakeArxiv
from tests.support.flaky_store import FlakyStore
from tests.test_cli import COMBINED, run

HOLD = textwrap.dedent(
    """
    import sys, time
    from core.store.lock import refresh_lock
    from core.store.sqlite import SqliteStore
    with refresh_lock(SqliteStore(sys.argv[1]), int(sys.argv[2])):
        print("locked", flush=True)
        time.sleep(60)
    """
)


def holder_process(path: str, ttl: int = REFRESH_LOCK_TTL) -> subprocess.Popen:
    """A process that takes the lock on the store at `path` and holds it for a minute."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, path, str(ttl)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "locked"
    return process


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "store.sqlite3")


def test_a_live_holder_in_another_process_is_refused_with_its_pid_and_the_locks_age(path):
    process = holder_process(path)
    try:
        with pytest.raises(RefreshRunning) as err, refresh_lock(SqliteStore(path), REFRESH_LOCK_TTL):
            pass
    finally:
        process.kill()
        process.communicate()
    message = str(err.value)
    assert message.startswith("a refresh is running: its lock was taken ")
    assert f"by pid {process.pid} on this machine" in message and " s ago" in message
    assert socket.gethostname() not in message


@pytest.mark.parametrize("reaped", [True, False], ids=["reaped", "zombie"])
def test_the_lock_of_a_holder_killed_with_sigkill_is_taken_over_at_once(path, reaped):
    process = holder_process(path)
    process.kill()
    if reaped:
        process.wait()
    else:
        time.sleep(0.2)  # dead but not waited for: still in the process table
    store = SqliteStore(path)
    try:
        assert decode_holder(store.get(LOCK_KEY)).pid == process.pid  # the dead run's lock is still there
        started = time.monotonic()
        with refresh_lock(store, REFRESH_LOCK_TTL) as token:
            assert decode_holder(store.get(LOCK_KEY)).token == token
        assert time.monotonic() - started < 1 and store.get(LOCK_KEY) is None
    finally:
        process.wait()
        process.stdout.close()


def other_machine_lock(store: SqliteStore, age: float, ttl: int) -> None:
    now = time.time()
    holder = Holder("t0ken", "another-host.example", 4242, now - age, now - 5)
    assert store.set_if_absent(LOCK_KEY, holder.encode(), ttl=ttl)


def test_a_lock_from_another_machine_is_respected_until_its_short_expiry(path):
    now = [time.time()]
    store = SqliteStore(path, clock=lambda: now[0])
    other_machine_lock(store, age=600, ttl=REFRESH_LOCK_TTL)
    refused = pytest.raises(RefreshRunning, match=r"taken 10 min ago by another machine and renewed 5 s ago")
    with refused as err, refresh_lock(store, REFRESH_LOCK_TTL):
        pass
    assert "another-host" not in str(err.value)  # the host name is never shown
    now[0] += REFRESH_LOCK_TTL + 1  # no heartbeat renewed it: its holder is gone
    with refresh_lock(store, REFRESH_LOCK_TTL):
        pass


def test_a_refresh_lock_its_holder_can_no_longer_renew_is_free_within_a_minute(path):
    """A holder cut off from the store right after taking the lock (as a killed run, or one
    whose pid this machine cannot check): no renewal and no release reach the store, and
    the lock it took with the refresh's expiry is gone a minute later, not before."""
    now = [time.time()]
    store = SqliteStore(path, clock=lambda: now[0])
    cut_off = FlakyStore(store)
    with refresh_lock(cut_off, REFRESH_LOCK_TTL, clock=lambda: now[0], interval=0.005):
        cut_off.down = True
    assert decode_holder(store.get(LOCK_KEY)) is not None  # left behind
    now[0] += 59
    with pytest.raises(RefreshRunning), refresh_lock(store, REFRESH_LOCK_TTL, clock=lambda: now[0]):
        pass
    now[0] += 1.5
    with refresh_lock(store, REFRESH_LOCK_TTL, clock=lambda: now[0]):
        pass


def test_a_live_holder_renews_its_lock_past_the_expiry(path):
    """The store and the lock share a clock the test moves: 0.4 s at a time, waiting for
    the heartbeat after each step, four steps carry the holder past its 1 s expiry."""
    now = [time.time()]
    store = SqliteStore(path, clock=lambda: now[0])
    with refresh_lock(store, 1, clock=lambda: now[0], interval=0.005):
        first = decode_holder(store.get(LOCK_KEY))
        for _ in range(4):
            now[0] += 0.4
            renewed_at = now[0]
            assert _eventually(lambda at=renewed_at: getattr(decode_holder(store.get(LOCK_KEY)), "renewed", 0) >= at)
        later = decode_holder(store.get(LOCK_KEY))
        assert later.token == first.token and later.renewed - first.started >= 1.6
        with pytest.raises(RefreshRunning), refresh_lock(SqliteStore(path, clock=lambda: now[0]), 1):
            pass
    assert store.get(LOCK_KEY) is None


def _eventually(condition, within: float = 5.0) -> bool:
    """Whether `condition()` becomes true within `within` seconds (polled; for a thread's work)."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


def test_a_lock_value_written_by_an_older_version_is_respected_until_it_expires(path):
    store = SqliteStore(path)
    assert store.set_if_absent(LOCK_KEY, b"another run", ttl=60)
    with pytest.raises(RefreshRunning, match="names no holder"), refresh_lock(store, REFRESH_LOCK_TTL):
        pass


@pytest.mark.parametrize(
    "raw",
    [b"", b"{}", b"[1]", json.dumps({"token": "t", "host": "h", "pid": "x", "started": 0, "renewed": 0}).encode()],
)
def test_an_unreadable_lock_value_names_no_holder(raw):
    assert decode_holder(raw) is None


def test_pid_running_tells_this_process_from_a_finished_one():
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    assert pid_running(os.getpid())
    assert not pid_running(int(finished.stdout))  # pids are not reused this quickly
    assert not pid_running(0) and not pid_running(-1)


def test_the_command_line_says_how_old_a_live_lock_is_and_runs_once_its_holder_is_killed(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"categories": ["cs.LG"], "keywords": ["learning"]}))
    process = holder_process(str(tmp_path / "db.sqlite3"))  # where `run` points the command line
    with FakeArxiv() as arxiv:
        arxiv.route("/rss/", shared_fixture(COMBINED))
        try:
            refused = run(tmp_path, arxiv.url, "refresh")
            assert arxiv.requests == []  # the lock is checked before arXiv is asked
        finally:
            process.kill()
            process.communicate()
        after = run(tmp_path, arxiv.url, "refresh")
    assert refused.returncode == 1
    [line] = refused.stderr.splitlines()
    assert line.startswith("error: a refresh is running: its lock was taken ") and f"pid {process.pid}" in line
    assert after.returncode == 0, after.stderr  # at once, not after the lock's expiry
