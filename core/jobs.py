"""The jobs the CLI, the cron endpoint and the GitHub Action run, wired from a Context."""

from __future__ import annotations

from core.context import Context
from core.refresh import run_refresh


def refresh_job(ctx: Context, backfill_days: int = 0) -> dict:
    """Pull arXiv, publish, then summarise within the time budget. Returns the report.
    Raises RefreshRunning, StoreError; arXiv failures are in the report."""
    with ctx.arxiv_client() as client:
        return run_refresh(ctx.config, ctx.store, client, backfill_days=backfill_days)
