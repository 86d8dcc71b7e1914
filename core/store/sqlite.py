"""The embedded default store: one SQLite file, safe for several processes."""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import threading
import time
from pathlib import Path

from core.errors import StoreError


class SqliteStore:
    """Every failure becomes one `StoreError` line naming the backend and ARXIV_RSS_DB,
    never the file's path (the line reaches 503 responses, feeds and logs)."""

    name = "sqlite"
    local = True

    def __init__(self, path: str, clock=time.time):
        self.path = path
        self._clock = clock
        self._local = threading.local()
        try:
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            with self._conn() as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL)")
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"the SQLite store cannot be opened (check ARXIV_RSS_DB): {self._reason(exc)}") from None

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            self._local.conn = conn
        return conn

    def _run(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        try:
            return self._conn().execute(sql, args)
        except sqlite3.Error as exc:
            raise StoreError(f"the SQLite store failed: {self._reason(exc)}") from None

    def get(self, key: str) -> bytes | None:
        row = self._run(
            "SELECT value FROM kv WHERE key = ? AND (expires IS NULL OR expires > ?)", (key, self._clock())
        ).fetchone()
        return bytes(row[0]) if row else None

    def mget(self, keys: list[str]) -> list[bytes | None]:
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = self._run(
            f"SELECT key, value FROM kv WHERE key IN ({marks}) AND (expires IS NULL OR expires > ?)",
            (*keys, self._clock()),
        ).fetchall()
        found = {k: bytes(v) for k, v in rows}
        return [found.get(k) for k in keys]

    def set(self, key: str, value: bytes, ttl: int | None = None) -> None:
        self._run("INSERT OR REPLACE INTO kv (key, value, expires) VALUES (?, ?, ?)", (key, value, self._expiry(ttl)))

    def set_if_absent(self, key: str, value: bytes, ttl: int | None = None) -> bool:
        now = self._clock()
        with self._transaction() as conn:
            conn.execute("DELETE FROM kv WHERE key = ? AND expires IS NOT NULL AND expires <= ?", (key, now))
            cur = conn.execute(
                "INSERT OR IGNORE INTO kv (key, value, expires) VALUES (?, ?, ?)", (key, value, self._expiry(ttl))
            )
        return cur.rowcount == 1

    def incr(self, key: str, ttl: int | None, amount: int = 1) -> int:
        now = self._clock()
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT value FROM kv WHERE key = ? AND (expires IS NULL OR expires > ?)", (key, now)
            ).fetchone()
            count = _counter(row[0] if row else None) + amount
            conn.execute(
                "INSERT OR REPLACE INTO kv (key, value, expires) VALUES (?, ?, ?)",
                (key, str(count).encode(), self._expiry(ttl)),
            )
        return count

    @contextlib.contextmanager
    def _transaction(self):
        """One write transaction (BEGIN IMMEDIATE … COMMIT, rolled back on any error).
        Raises StoreError naming what failed."""
        try:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
        except sqlite3.Error as exc:
            raise StoreError(f"the SQLite store failed: {self._reason(exc)}") from None

    def delete(self, key: str) -> None:
        self._run("DELETE FROM kv WHERE key = ?", (key,))

    def purge_expired(self) -> int:
        return self._run("DELETE FROM kv WHERE expires IS NOT NULL AND expires <= ?", (self._clock(),)).rowcount

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _reason(self, exc: Exception) -> str:
        """What went wrong, without the path (an OSError's text names its file); a full
        disk (SQLITE_FULL, ENOSPC) says "disk full" first."""
        text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        text = " ".join(text.split()) or exc.__class__.__name__
        if _disk_full(exc):
            text = f"disk full ({text})"
        folder = str(Path(self.path).parent)
        for part in sorted({self.path, str(Path(self.path).resolve()), folder} - {"", "."}, key=len, reverse=True):
            text = text.replace(part, "***")
        return text

    def _expiry(self, ttl: int | None) -> float | None:
        return None if ttl is None else self._clock() + ttl


def _counter(raw: bytes | None) -> int:
    """The integer a counter key holds (0 when absent); StoreError for any other value, as Redis refuses."""
    if raw is None:
        return 0
    try:
        return int(bytes(raw).decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise StoreError("the SQLite store refused INCR: the value is not an integer") from None


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back the open transaction, if SQLite has not already: on SQLITE_FULL (and a
    few other errors) it rolls back itself, and a second ROLLBACK would raise "cannot
    rollback - no transaction is active" in place of the error that matters."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _disk_full(exc: Exception) -> bool:
    """Whether an error is the disk (or the database's page limit) being full."""
    if isinstance(exc, OSError):
        return exc.errno == errno.ENOSPC
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "database or disk is full" in str(exc)
