"""A vote-link secret for a local run, so profile feeds carry vote links with nothing set.

When FEEDBACK_SECRET is not set, the store is the embedded SQLite file and the process is
not on Vercel, `local_secret` returns the secret kept beside that file
(`<its folder>/feedback_secret`, `.data/feedback_secret` by default), making it on first use:
32 random bytes (`secrets.token_urlsafe`), written with mode 0600 and never logged or
printed. Links signed with it keep working across restarts, as the file stays. A deployment
with Redis or Upstash, or on Vercel, sets FEEDBACK_SECRET itself (its links must survive
any one machine's files).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import replace
from pathlib import Path

from core.config import Env
from core.errors import ConfigError
from core.profiles.votes import MIN_SECRET, SECRET_VAR
from core.store.factory import backend_name

SECRET_FILE = "feedback_secret"


def secret_path(env: Env) -> Path:
    """Where the local secret of `env`'s SQLite store is kept: beside the database file."""
    return Path(env.db_path).parent / SECRET_FILE


def local_secret(env: Env) -> str:
    """The local vote-link secret ("" when FEEDBACK_SECRET is set, on Vercel, or with a
    Redis or Upstash store), made on first use. Raises ConfigError naming the file when it
    cannot be read or written, or holds less than MIN_SECRET characters."""
    if env.secret(SECRET_VAR) or env.on_vercel or backend_name(env) != "sqlite":
        return ""
    path = secret_path(env)
    try:
        return _read(path) if path.exists() else _make(path)
    except OSError as exc:
        raise ConfigError(str(path), f"the local {SECRET_VAR} file cannot be used ({exc.strerror})") from None


def with_local_secret(env: Env) -> Env:
    """`env` with the local secret as FEEDBACK_SECRET when `local_secret` gives one."""
    found = local_secret(env)
    return replace(env, secrets={**env.secrets, SECRET_VAR: found}) if found else env


def _make(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return _read(path)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value


def _read(path: Path) -> str:
    if path.stat().st_mode & 0o077:  # readable by others: make it the owner's alone
        path.chmod(0o600)
    value = path.read_text(encoding="ascii", errors="replace").strip()
    if len(value) < MIN_SECRET:
        raise ConfigError(str(path), f"holds fewer than {MIN_SECRET} characters: delete it to make a new one")
    return value
