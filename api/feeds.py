"""The feed response: cache headers, and conditional GET with rendered-body reuse (api.conditional).

    query (memoised) -> manifest (1 store command) -> ETag -> 304?
        -> body cache (data tag, query, base URL, degraded) -> else days -> select -> render

`Cache-Control: max-age=0, s-maxage=S, stale-while-revalidate=86400`: browsers and
feed readers revalidate (cheap 304s), the CDN keeps a copy for S seconds = the time
until arXiv's next feed rebuild (midnight US Eastern on weekdays), clamped to
60..3600; 60 while the data is degraded or absent so a fix shows quickly.

The feed's own links use the configured public origin (api.origin); only when none is
configured do they follow the request's Host, and the response then says `Vary: Host`.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import Request, Response

from api.conditional import cached_response, public_origin, vary_on
from api.deps import Deferred, Service
from api.ops import storage_notice
from core.calendar import next_rebuild
from core.feeds.channel import old_data_note
from core.feeds.render import CONTENT_TYPES, render_feed
from core.models import Manifest
from core.rank.query import FeedQuery, check_names
from core.rank.selection import KeptPostings, from_kept_postings

QUICK_LIMIT = 50  # the default limit
S_MAXAGE_MIN = 60
S_MAXAGE_MAX = 3600
STALE_WHILE_REVALIDATE = 86400


def feed_response(
    service: Service, request: Request, category: str = "", keyword: str = "", *, defer: bool = False
) -> Response | Deferred:
    """The feed for this request, or 304. Raises BadQuery, StoreError. With `defer`, a body
    that must be built is returned as a `Deferred` that builds it (for a worker thread),
    while a 304 or a cached body is answered at once."""
    params = request.query_params.multi_items()
    check_names(name for name, _ in params)  # a typo is a 400, not the default feed
    query = service.query(params, category, keyword)
    reader = service.reader
    manifest = reader.manifest()
    degraded = bool(reader.degraded)
    origin = public_origin(request, service.env)
    base = origin.base
    now = service.clock()
    # "This data is old: ... 69 days ago" changes by the day, so it is part of the key.
    key = (service.data_tag(manifest), query.canonical, base, degraded, old_data_note(manifest, now))
    headers = vary_on({"Cache-Control": cache_control(now, manifest, degraded)}, origin)
    kept: list[KeptPostings | None] = []  # what deciding to defer found, for the build on the spot

    def quick() -> bool:
        kept.append(quick_to_build(service, manifest, query))
        return kept[0] is not None

    return cached_response(
        service, request, key, headers, CONTENT_TYPES[query.format],
        lambda: build_body(service, manifest, query, base, degraded, now, kept[0] if kept else None),
        modified=(manifest.published_at,),
        defer=lambda: defer and not quick(),
    )  # fmt: skip


def quick_to_build(service: Service, manifest: Manifest, query: FeedQuery) -> KeptPostings | None:
    """What the body is built from on the spot even where costly work is deferred, or None:
    for a query ranked by keywords, of at most QUICK_LIMIT items, over days held in memory,
    the kept keyword postings its selection sums (core.rank.selection.from_kept_postings).
    Its cost is bounded by the pool's size and QUICK_LIMIT items rendered (a few
    milliseconds), less than a worker thread's round trip costs under load."""
    if query.rank != "keywords" or query.limit > QUICK_LIMIT:
        return None
    days = service.reader.held_days(manifest, query.days)
    return from_kept_postings(days, query) if days else None


def build_body(
    service: Service,
    manifest: Manifest,
    query: FeedQuery,
    base: str,
    degraded: bool,
    now: datetime,
    kept: KeptPostings | None = None,
) -> bytes:
    """Read the days the query needs (memory, else one mget), then select and render; from
    `kept` (what `quick_to_build` found) when given."""
    notices = [storage_notice(service.env, service.ctx.store.name)]
    if kept is not None:
        days, ranked = kept.days, kept.select(query)
    else:
        days, ranked = (service.reader.days(manifest, query.days) if manifest.days else []), None
    if query.rank != "keywords" and days:
        ranked, notes = meaning_selection(service, manifest, days, query)
        notices += notes
    notice = " ".join(n for n in notices if n)
    return render_feed(
        manifest, days, query, service.config, base, degraded=degraded, notice=notice, now=now, ranked=ranked
    )


def meaning_selection(service: Service, manifest: Manifest, days, query: FeedQuery):
    """(papers ranked by meaning or None to rank by keywords, notes for the description).
    Imports numpy and the embedder: only queries with interest= or like= come here."""
    from core.embed.embedder import embedder_name, shared_embedder
    from core.embed.interest import interest_vector
    from core.errors import ConfigError
    from core.rank.meaning import rank_by_meaning

    config = service.config
    vectors = service.reader.vectors(manifest, query.days, embedder_name(config))
    interest, notes = None, []
    if query.interest:
        try:
            embedder = shared_embedder(config, service.env)
        except ConfigError as exc:
            return None, [f"Ranking by meaning is unavailable ({exc.problem}): ranked by keywords."]
        budget = config.embeddings.daily_interest_budget
        interest, note = interest_vector(
            service.ctx.store, embedder, query.interest, budget, service.clock().date().isoformat()
        )
        notes.append(note)
    ranking = rank_by_meaning(days, vectors, query, interest, config)
    return (ranking.papers if ranking.by_meaning else None), [*notes, *ranking.notes]


def cache_control(now: datetime, manifest: Manifest, degraded: bool) -> str:
    """CDN lifetime until the next expected rebuild, clamped; short when degraded or empty."""
    if degraded or not manifest.version:
        seconds = S_MAXAGE_MIN
    else:
        until = int((next_rebuild(now) - now).total_seconds())
        seconds = max(S_MAXAGE_MIN, min(S_MAXAGE_MAX, until))
    return f"max-age=0, s-maxage={seconds}, stale-while-revalidate={STALE_WHILE_REVALIDATE}"
