"""Code run in a fresh interpreter over a seeded store, to see what a cold process imports.

out = run_seeded(tmp_path, "import api.index; ...")    # its stdout; fails the test on an error
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from core.config import Env
from core.context import Context
from tests.support.seed import seed_config, seed_config_raw, seed_store

ROOT = Path(__file__).resolve().parents[2]


def run_seeded(tmp_path: Path, code: str) -> str:
    """Run `code` with the app configured on the seed config and one seeded day (SQLite)."""
    ctx = Context(seed_config(), Env(db_path=str(tmp_path / "db.sqlite3")))
    seed_store(ctx.store, ctx.config, days=1, per_day=10)
    ctx.store.close()
    (tmp_path / "config.json").write_text(json.dumps(seed_config_raw()))
    env = {**os.environ, "ARXIV_RSS_CONFIG": str(tmp_path / "config.json"), "ARXIV_RSS_DB": ctx.env.db_path}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout
