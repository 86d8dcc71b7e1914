"""Seeded stores for tests: synthetic papers (not arXiv data) over several announcement days.

    config = seed_config()
    manifest = seed_store(store, config, days=3, per_day=40, summaries=5, start="2026-09-21")

Papers cycle through four kinds of title: one matching several keywords, one
matching one keyword, one matching none, and a survey (excluded by the title word
"survey"). Announce types cycle new, new, cross, replace; from the second day on,
each day also re-announces the previous day's first paper as a `replace` (version 2),
so the same id sits in two days. The first `summaries` matching papers of each day
carry an AI summary whose Markdown holds hostile markup (`SUMMARY_MARKDOWN`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from core.config import Config, parse_config
from core.models import Day, Manifest, Paper
from core.rank.prefilter import stored_words
from core.rank.scoring import compile_profile, score_all, select
from core.store.publish import publish, write_day
from tests.support.papers import paper

SUMMARY_MARKDOWN = (
    "## Main contributions\n\n"
    "A **sparse attention** kernel for LLM inference.\n\n"
    "<script>alert(1)</script>\n\n"
    "- [x](javascript:alert(1))\n"
    "- [the code](https://example.org/code)\n"
)
SUMMARY_MODEL = "qwen-long"
TITLES = (
    "Sparse Attention for LLM Inference, part {n}",
    "RL with human feedback, take {n}",
    "Graph colouring in the wild, volume {n}",
    "A survey of LLM agents, edition {n}",
)
TYPES = ("new", "new", "cross", "replace")


def seed_config_raw(**overrides) -> dict:
    """The config.json document of `seed_config` (write it to a file for a subprocess)."""
    raw = {
        "categories": ["cs.AI", "cs.CL", "cs.LG"],
        "keywords": ["LLM", "RL", "Inference", "Sparse", "Attention"],
        "exclude_keywords": ["survey"],
        "min_score": 0,
        "retention_days": 14,
        "ai_summary": {"enabled": True, "model": SUMMARY_MODEL, "api_key_env": "DASHSCOPE_API_KEY"},
    }
    return {**raw, **overrides}


def seed_config(**overrides) -> Config:
    """A small deployment config: three categories, five keywords, `survey` excluded, min_score 0."""
    return parse_config(seed_config_raw(**overrides))


def announcement_dates(start: str, count: int) -> list[str]:
    """`count` weekday dates from `start` on, oldest first."""
    out, day = [], date.fromisoformat(start)
    while len(out) < count:
        if day.weekday() < 5:
            out.append(day.isoformat())
        day += timedelta(days=1)
    return out


def synthetic_papers(day: str, count: int, config: Config, first: int) -> list[Paper]:
    """`count` papers announced on `day` with ids 2609.<first>, 2609.<first+1>, ..."""
    cats = config.categories
    out = []
    for i in range(count):
        primary = cats[i % len(cats)]
        extra = (cats[(i + 1) % len(cats)],) if i % 5 == 0 and len(cats) > 1 else ()
        authors = ("Ada Lovelace", f"Author {first + i}") + (("Grace Hopper",) if i % 3 == 0 else ())
        out.append(
            paper(
                f"2609.{first + i:05d}",
                title=TITLES[i % 4].format(n=first + i),
                abstract=f"We study problem {first + i}.\n\nIt matters for LLM inference."
                if i % 2
                else f"Abstract of paper {first + i}, on colouring graphs.",
                authors=authors,
                categories=(primary, *extra),
                announce_type=TYPES[i % 4],
                announced=day,
            )
        )
    return out


def scored_day(day: str, papers: Sequence[Paper], config: Config, summaries: dict | None = None) -> Day:
    """A Day of `papers` scored under the config's profile, with the given summaries."""
    profile = compile_profile(config.keywords, config.exclude_keywords)
    return Day(day, tuple(score_all(papers, profile)), dict(summaries or {}))


def summary_record(text: str = SUMMARY_MARKDOWN, model: str = SUMMARY_MODEL) -> dict:
    """A summary record as the refresh stores it (its HTML rendered there)."""
    from core.text.safe_html import with_html

    return with_html({"text": text, "model": model, "language": "en", "source": "fulltext"})


def seed_store(
    store, config: Config, days: int = 3, per_day: int = 40, summaries: int = 5, start: str = "2026-09-21"
) -> Manifest:
    """Write `days` announcement days of `per_day` synthetic papers and publish a manifest
    naming them (newest first), every category `updated`. Returns the manifest."""
    built: list[Day] = []
    previous: list[Paper] = []
    for n, day in enumerate(announcement_dates(start, days)):
        papers = synthetic_papers(day, per_day, config, first=n * 1000)
        if previous:
            papers.append(replace(previous[0], version=2, announce_type="replace", announced=day))
        profile = compile_profile(config.keywords, config.exclude_keywords)
        matched = select(score_all(papers, profile), min_score=0.0)[:summaries]
        built.append(scored_day(day, papers, config, {s.paper.id: summary_record() for s in matched}))
        previous = papers
    return publish_days(store, config, built)


def publish_days(
    store, config: Config, days: Sequence[Day], status: str = "updated", version: str = "", detail: str = "updated"
) -> Manifest:
    """Write `days` and publish a manifest naming them, each configured category marked
    `status` for the newest day. Returns the manifest."""
    ordered = sorted(days, key=lambda d: d.date, reverse=True)
    refs = tuple(write_day(store, d, config.retention_days, words=stored_words) for d in ordered)
    newest = ordered[0] if ordered else None
    latest = newest.date if newest else ""
    at = f"{latest or '2026-09-21'}T05:15:00Z"
    manifest = Manifest(
        version=version or f"seed-{latest}-{sum(len(d.papers) for d in days)}",
        published_at=at,
        days=refs,
        categories={cat: _record(cat, newest, status, detail, at) for cat in config.categories},
        status=status,
        batch="seed",
        report={"started_at": at, "finished_at": at, "fetched": sum(len(d.papers) for d in days)},
    )
    publish(store, manifest)
    return manifest


def _record(cat: str, day: Day | None, status: str, detail: str, at: str) -> dict:
    listed = [s for s in day.papers if cat in s.paper.categories] if day else []
    record = {
        "status": status,
        "detail": detail,
        "announced": day.date if day else "",
        "papers": len(listed),
        "new": sum(1 for s in listed if s.paper.announce_type == "new"),
        "matched": 0,
        "checked_at": at,
    }
    if status == "updated":
        record["updated_at"] = at
    if status == "upstream-error":
        record["since"] = at
    return record
