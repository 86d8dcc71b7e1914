"""The jobs the CLI, the cron endpoint and the GitHub Action run, wired from a Context."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from core.context import Context
from core.refresh.pipeline import run_refresh
from core.store.lock import REFRESH_LOCK_TTL


def refresh_job(
    ctx: Context,
    backfill_days: int = 0,
    on_wait: Callable[[str], None] | None = None,
    *,
    monotonic: Callable[[], float] = time.monotonic,
) -> dict:
    """Pull arXiv, publish, then summarise within the time budget. Returns the report.
    `on_wait` gets a line before each wait between retries to arXiv (see ArxivClient);
    `monotonic` is the clock the summaries' time budget is measured on.
    Raises RefreshRunning, StoreError, ConfigError (unreadable prompt_file); arXiv and
    LLM failures are in the report."""
    from core.summaries.run import off_report, open_summarizer

    with (
        ctx.arxiv_client() as client,
        open_summarizer(ctx.config, ctx.env, ctx.store, client, monotonic=monotonic) as summarizer,
    ):
        client.on_wait = on_wait
        if summarizer is None:
            off = off_report(ctx.config, ctx.env)
            summarizer = lambda manifest: (manifest, off)  # noqa: E731
        return run_refresh(
            ctx.config, ctx.store, client, backfill_days=backfill_days, summarize=summarizer, embed=embedding_step(ctx)
        )


def embedding_step(ctx: Context):
    """The refresh's embedding step for this deployment's embedder; a remote embedder
    without its key is reported, and the refresh goes on without vectors."""
    from core.embed.embedder import open_embedder
    from core.errors import ConfigError
    from core.refresh.embedding import embed_days

    try:
        embedder = open_embedder(ctx.config, ctx.env)
    except ConfigError as exc:
        report = {"error": str(exc)}  # `exc` itself is unbound once the except clause ends
        return lambda manifest, previous: (manifest, report)
    budget = ctx.config.embeddings.time_budget_s
    return lambda manifest, previous: embed_days(
        ctx.store, manifest, embedder, ctx.config.retention_days, previous=previous, time_budget_s=budget
    )


def summarize_job(ctx: Context) -> dict:
    """Finish pending summaries of the published days without fetching the feed, under
    the refresh lock; publishes what it wrote. Returns the summary report.
    Raises RefreshRunning, StoreError, ConfigError (unreadable prompt_file)."""
    from core.store.layout import read_manifest
    from core.store.lock import refresh_lock
    from core.store.publish import publish
    from core.summaries.run import off_report, open_summarizer

    with (
        refresh_lock(ctx.store, REFRESH_LOCK_TTL),
        ctx.arxiv_client() as client,
        open_summarizer(ctx.config, ctx.env, ctx.store, client) as summarizer,
    ):
        if summarizer is None:
            return off_report(ctx.config, ctx.env)
        manifest, report = summarizer(read_manifest(ctx.store))
        if manifest.version:  # never publish over a store that has not been refreshed yet
            publish(ctx.store, replace(manifest, report={**manifest.report, "summaries": report}))
        return report
