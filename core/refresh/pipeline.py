"""The write path: pull arXiv, dedupe, score, write day segments, swap the manifest.

    fetch (client) -> parse (pure) -> dedupe + score (pure) -> day segment (pure)
                   -> write segments -> publish manifest -> summaries (optional)

Every run ends with an honest status per category: `updated`, `no-announcement`
(arXiv's feed is empty: weekend or holiday), `unchanged` (same batch as the last
refresh: arXiv has not rebuilt yet), `stale` (the announcement lists other categories
but none of its papers: its last papers still served) or `upstream-error` (previous
data still served).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

from core import calendar, log
from core.calendar import is_iso_date, iso_utc
from core.config import Config
from core.errors import UpstreamError
from core.feeds.channel import plural
from core.ingest.dedupe import dedupe
from core.models import Day, DayRef, Manifest, Paper, ParsedFeed
from core.rank.prefilter import stored_words
from core.rank.scoring import compile_profile, profile_matches, score_all
from core.store.layout import content_hash, read_manifest
from core.store.lock import REFRESH_LOCK_TTL, refresh_lock
from core.store.publish import new_version, publish, write_day

STATUS_TEXT = {
    "no-announcement": "no announcement (arXiv's feed is empty on weekends and holidays)",
    "unchanged": "arXiv has not rebuilt today's feed yet (same batch as the last refresh)",
    "upstream-error": "arXiv could not be read; the previous data is still served",
}

Summarize = Callable[[Manifest], tuple[Manifest, dict]]
Embed = Callable[[Manifest, Manifest], tuple[Manifest, dict]]  # (new, previous) -> (with vectors, report)


def run_refresh(
    config: Config,
    store,
    client,
    *,
    clock: Callable[[], datetime] = calendar.now,
    backfill_days: int = 0,
    summarize: Summarize | None = None,
    embed: Embed | None = None,
) -> dict:
    """Refresh once under the store's lock; returns the refresh report (also stored in
    the manifest). Raises RefreshRunning when another refresh holds the lock and
    StoreError when the store fails; arXiv failures are reported, not raised."""
    with refresh_lock(store, REFRESH_LOCK_TTL):
        started = clock()
        manifest = previous = read_manifest(store)
        report = {"started_at": iso_utc(started), "fetched": 0, "skipped": 0}
        manifest = _refresh_latest(config, store, client, manifest, report, started)
        if backfill_days:
            manifest = _backfill(config, store, client, manifest, report, started, backfill_days)
        if embed is not None:
            manifest, report["embeddings"] = embed(manifest, previous)
        report["finished_at"] = iso_utc(clock())
        report.setdefault("status", manifest.status)
        report["categories"] = manifest.categories
        manifest = replace(manifest, report=report, version=new_version(clock()), published_at=report["finished_at"])
        publish(store, manifest)
        log.event("refresh.published", status=manifest.status, version=manifest.version, days=len(manifest.days))
        if summarize is not None:
            manifest, report["summaries"] = summarize(manifest)
            publish(store, replace(manifest, report=report))
        return report


def _refresh_latest(config, store, client, manifest: Manifest, report: dict, now: datetime) -> Manifest:
    try:
        feed = _fetch_latest(config, client, now)
    except UpstreamError as exc:
        log.event("refresh.upstream_error", reason=exc)  # reported to the caller, not a surprise
        report["error"] = str(exc)
        return _with_status(manifest, config, "upstream-error", now, detail=str(exc))
    report["fetched"], report["skipped"] = len(feed.papers), feed.skipped
    report["announced"] = feed.announced
    if not feed.papers:
        return _with_status(manifest, config, "no-announcement", now, announced=feed.announced)
    batch = content_hash([feed.announced, sorted(p.versioned_id for p in feed.papers)])
    if batch == manifest.batch:
        report["status"] = "unchanged"
        if feed.announced >= calendar.latest_announcement(now).isoformat():
            # The data already is the latest announcement: nothing new before the next rebuild.
            report["detail"] = f"already holds the latest announcement ({feed.announced})"
            return manifest
        return _with_status(manifest, config, "unchanged", now, announced=feed.announced)
    manifest = _store_papers(config, store, manifest, list(feed.papers), now, report)
    return replace(manifest, batch=batch)


def _fetch_latest(config: Config, client, now: datetime) -> ParsedFeed:
    from core.ingest.parse import parse_feed

    body = client.fetch_feed(config.categories)
    feed = _placeable(parse_feed(body, config.categories), now)
    log.event("refresh.fetched", papers=len(feed.papers), skipped=feed.skipped, announced=feed.announced)
    return feed


def _placeable(feed: ParsedFeed, now: datetime) -> ParsedFeed:
    """The feed without the entries no announcement day can hold: no readable date, or a
    date after tomorrow (one such entry would become the newest day and push every stored
    day out of the retention window). They count as skipped. Raises UpstreamError when the
    feed had entries and none is usable: that is a broken feed, not an empty announcement."""
    last = (now + timedelta(days=1)).date().isoformat()
    papers = tuple(p for p in feed.papers if is_iso_date(p.announced) and p.announced <= last)
    skipped = feed.skipped + len(feed.papers) - len(papers)
    if skipped and not papers:
        raise UpstreamError(f"arXiv's feed is unusable: none of its {skipped} entries could be read")
    return replace(feed, papers=papers, skipped=skipped)


def _store_papers(
    config: Config, store, manifest: Manifest, papers: list[Paper], now: datetime, report: dict
) -> Manifest:
    """Merge papers into their announcement days, write those days, and mark every
    configured category with what the new papers hold for it."""
    reader_days = _existing_days(store, manifest, {p.announced for p in papers})
    by_date: dict[str, list[Paper]] = defaultdict(list)
    for p in papers:
        by_date[p.announced].append(p)
    refs = {ref.date: ref for ref in manifest.days}
    profile = compile_profile(config.keywords, config.exclude_keywords)
    written = []
    for day_date, fresh in by_date.items():
        old = reader_days.get(day_date)
        merged = dedupe([*(s.paper for s in old.papers), *fresh] if old else fresh)
        day = Day(day_date, tuple(score_all(merged, profile)), rendered_summaries(old.summaries) if old else {})
        refs[day_date] = write_day(store, day, config.retention_days, words=stored_words)
        written.append(day)
    days = _retained(refs.values(), config.retention_days)
    categories = dict(manifest.categories)
    latest = max(written, key=lambda d: d.date)
    for cat in config.categories:
        categories[cat] = _category_record(config, cat, latest, now, categories.get(cat, {}))
    report["papers"] = sum(len(d.papers) for d in written)
    report["matched"] = len(profile_matches(config, latest.papers))
    report["days_written"] = sorted(d.date for d in written)
    updated = any(categories[cat]["status"] == "updated" for cat in config.categories)
    status = "updated" if updated else "stale"
    log.event("refresh.scored", papers=report["papers"], matched=report["matched"], days=len(written))
    return replace(manifest, days=days, categories=categories, status=status)


def rendered_summaries(summaries: dict) -> dict:
    """A day's summary records, each with its HTML as this renderer makes it: a record
    stored before summaries were rendered at refresh gets it when its day is written again."""
    from core.text.safe_html import RENDERER, with_html

    def current(record: object) -> bool:
        return (
            not isinstance(record, dict)
            or not isinstance(record.get("text"), str)
            or (record.get("html_renderer") == RENDERER and isinstance(record.get("html"), str))
        )

    return {pid: r if current(r) else with_html(r) for pid, r in summaries.items()}


def _existing_days(store, manifest: Manifest, dates: set[str]) -> dict[str, Day]:
    from core.store.reader import Reader

    reader = Reader(store)
    wanted = replace(manifest, days=tuple(d for d in manifest.days if d.date in dates))
    return {d.date: d for d in reader.days(wanted, len(wanted.days))}


def _category_record(config: Config, cat: str, day: Day, now: datetime, old: dict) -> dict:
    listed = [s for s in day.papers if cat in s.paper.categories]
    if not listed:
        return _stale_record(cat, day, now, old)
    new = [s for s in listed if s.paper.announce_type == "new" and s.paper.primary_category == cat]
    matched = len(profile_matches(config, tuple(listed)))
    return {
        "status": "updated",
        "detail": f"{plural(len(listed), 'paper')} ({len(new)} new), {matched} matched",
        "announced": day.date,
        "papers": len(listed),
        "new": len(new),
        "matched": matched,
        "checked_at": iso_utc(now),
        "updated_at": iso_utc(now),
    }


def _stale_record(cat: str, day: Day, now: datetime, old: dict) -> dict:
    """A category with no papers in an announcement that lists others. arXiv announces every
    category at once, so its feed for this one is behind (or the category had a quiet day):
    `stale`, keeping its last announcement and counts, whose papers stay served."""
    record = {
        "announced": "",
        "papers": 0,
        "new": 0,
        "matched": 0,
        **old,
        "status": "stale",
        "detail": f"no papers in {cat} in the announcement of {day.date}, which lists other categories",
        "checked_announcement": day.date,
        "checked_at": iso_utc(now),
    }
    record.pop("since", None)
    return record


def _with_status(
    manifest: Manifest, config: Config, status: str, now: datetime, detail: str = "", announced: str = ""
) -> Manifest:
    """Mark every configured category with a status that brought no new papers; keep
    its last counts and, for a run of errors, when the errors began."""
    categories = {}
    for cat in config.categories:
        old = dict(manifest.categories.get(cat, {}))
        record = {**old, "status": status, "detail": detail or STATUS_TEXT[status], "checked_at": iso_utc(now)}
        if announced:
            record["checked_announcement"] = announced
        if status == "upstream-error":
            record["since"] = old.get("since", iso_utc(now)) if old.get("status") == status else iso_utc(now)
        else:
            record.pop("since", None)
        categories[cat] = record
    return replace(manifest, categories=categories, status=status)


def _retained(refs, retention_days: int) -> tuple[DayRef, ...]:
    """Newest first, dropping days more than `retention_days` before the newest one held
    (measured from the data, not the clock, so a long arXiv pause loses nothing)."""
    refs = sorted(refs, key=lambda r: r.date, reverse=True)
    if not refs:
        return ()
    oldest = (date.fromisoformat(refs[0].date) - timedelta(days=retention_days)).isoformat()
    return tuple(r for r in refs if r.date > oldest)


def _backfill(config, store, client, manifest: Manifest, report: dict, now: datetime, count: int) -> Manifest:
    """Fill missing announcement days of the last `count` from the query API."""
    from core.ingest.client import backfill_query
    from core.ingest.parse import parse_feed

    have = {d.date for d in manifest.days}
    recent = calendar.announcement_days(calendar.latest_announcement(now), count)
    wanted = [d for d in recent if d.isoformat() not in have]
    report["backfill"] = {"missing_days": [d.isoformat() for d in wanted], "papers": 0}
    if not wanted:
        return manifest
    since, until = min(wanted) - timedelta(days=5), max(wanted)
    papers: list[Paper] = []
    try:
        for page in client.search_pages(backfill_query(config.categories, since, until)):
            feed = _placeable(parse_feed(page, config.categories), now)
            report["skipped"] = report.get("skipped", 0) + feed.skipped
            papers.extend(p for p in feed.papers if date.fromisoformat(p.announced) in wanted)
    except UpstreamError as exc:
        log.warning("backfill.upstream_error", reason=exc)
        report["backfill"]["error"] = str(exc)
        return manifest
    report["backfill"]["papers"] = len(papers)
    if not papers:
        return manifest
    categories = manifest.categories
    status = manifest.status
    manifest = _store_papers(config, store, manifest, papers, now, {})
    # The latest feed decides today's statuses; backfill only adds older days.
    return replace(
        manifest,
        categories=categories or manifest.categories,
        status=status if status != "never-refreshed" else manifest.status,
    )
