"""Profile feeds and votes over HTTP.

    GET /feed/p/{feed_id}?format=rss|atom|json   the profile's feed (short CDN lifetime)
    GET /p/{feed_id}/vote?paper=&v=up|down|clear&sig=   count a vote; a small HTML answer
    POST the same URL                                   count it (the confirmation page's button)
    HEAD, or a prefetch or link preview of the GET      a confirmation page; nothing changes

A profile feed is revalidated like every feed (ETag: the profile's digest and version,
the data tag, format, base URL), but the CDN keeps it only PROFILE_S_MAXAGE seconds, so a
vote shows in the reader's next refresh. A token that is not a well-formed token, or
names no profile, is a 404 that never repeats it. The vote answer is HTML under the
page's Content-Security-Policy, never cached; a bad signature is refused before any
store command, so forged links cost one HMAC.

A vote stays one click for a person: a plain GET counts it. Nothing a machine fetches
on its own counts (see `unattended`): a HEAD, a request marked as a prefetch
(`Sec-Purpose`/`Purpose`/`X-Purpose`/`X-Moz`) and a known link-preview or link-checking
agent get the confirmation page instead, whose button POSTs to the same URL.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from fastapi import Request, Response

from api import errors
from api.conditional import cached_response, public_origin, vary_on
from api.deps import Service
from api.headers import NO_STORE_NO_REFERRER
from api.ops import storage_notice
from api.page import HTML_TYPE, SECURITY_HEADERS, asset_urls
from core.errors import BadQuery, ProfileBusy, ProfileNotFound, StoreError, VoteRefused
from core.feeds.channel import old_data_note
from core.feeds.render import CONTENT_TYPES
from core.profiles.model import load_profile, valid_token
from core.rank.query import ARXIV_ID, FORMATS, TRACKING_PARAMETERS, TRACKING_PREFIXES

PROFILE_S_MAXAGE = 60
PROFILE_CACHE_CONTROL = f"max-age=0, s-maxage={PROFILE_S_MAXAGE}, stale-while-revalidate=30"
ANSWER_TOP = 5
PREFETCH_HEADERS = ("sec-purpose", "purpose", "x-purpose", "x-moz")
# User-Agent words of link previews (chat apps, social sites), crawlers and link checkers:
# they fetch a link without a person asking for what it does.
PREVIEW_AGENTS = re.compile(
    r"slackbot|slack-imgproxy|twitterbot|facebookexternalhit|facebookcatalog|meta-externalagent|discordbot"
    r"|telegrambot|whatsapp|linkedinbot|skypeuripreview|iframely|embedly|google-read-aloud|googlebot"
    r"|bingbot|applebot|redditbot|pinterestbot|mastodon|bitlybot|vkshare|w3c-checklink|w3c_validator"
    r"|linkchecker|link-checker|linkcheck|validator\.nu|lychee|muffet|preview",
    re.IGNORECASE,
)
VOTE_WORDS = {"up": "more like this", "down": "less like this", "clear": "no vote (undo)"}


def profile_feed_response(service: Service, request: Request, feed_id: str) -> Response:
    """The profile's feed, or 304. Raises BadQuery, StoreError; 404 for no such profile."""
    fmt = _format(request)
    try:
        profile = load_profile(service.ctx.store, feed_id)
    except ProfileNotFound:
        return errors.error_response(404, "no such profile feed", "feed_id")
    reader = service.reader
    manifest = reader.manifest()
    degraded = bool(reader.degraded)
    origin = public_origin(request, service.env)
    base = origin.base
    now = service.clock()
    secret = _secret(service)
    key = ("profile", profile.feed_digest, profile.version, service.data_tag(manifest), fmt, base, degraded)
    key += (old_data_note(manifest, now), bool(secret))
    headers = vary_on({"Cache-Control": PROFILE_CACHE_CONTROL}, origin)
    return cached_response(
        service, request, key, headers, CONTENT_TYPES[fmt],
        lambda: _feed_body(service, manifest, profile, feed_id, fmt, base, degraded, now, secret),
        modified=(profile.updated, manifest.published_at),
    )  # fmt: skip


def _format(request: Request) -> str:
    for name, value in request.query_params.multi_items():
        if name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES):
            continue
        if name != "format":
            raise BadQuery(name[:40], "a profile feed takes only format= (its settings live in the profile)")
        if value.lower() not in FORMATS:
            raise BadQuery("format", f"{value[:40]!r} is not one of {', '.join(FORMATS)}")
    return request.query_params.get("format", "rss").lower()


def _secret(service: Service) -> str:
    from core.profiles.votes import voting_secret

    return voting_secret(service.env)[0]


def _feed_body(service, manifest, profile, feed_id, fmt, base, degraded, now, secret) -> bytes:
    from core.profiles.feed import profile_query, render_profile_feed, vote_links
    from core.profiles.votes import vote_url

    query = profile_query(profile, service.config, fmt)
    days, ranking = _ranked(service, manifest, profile, query)
    links = None
    if secret:

        def links(paper_id: str) -> str:
            return vote_links(*(vote_url(base, secret, feed_id, paper_id, v) for v in ("up", "down")))

    suffix = "" if fmt == "rss" else f"?format={fmt}"
    return render_profile_feed(
        manifest,
        days,
        query,
        service.config,
        f"{base}/feed/p/{feed_id}{suffix}",
        base + "/",
        ranking,
        profile,
        links,
        notice=storage_notice(service.env, service.ctx.store.name),
        degraded=degraded,
        now=now,
    )


def _ranked(service, manifest, profile, query):
    """(days, Ranking) of the profile over the days its query asks for."""
    from core.embed.embedder import embedder_name
    from core.profiles.feed import rank_profile
    from core.rank.meaning import Ranking

    days = service.reader.days(manifest, query.days) if manifest.days else []
    if not days:
        return days, Ranking([], ())
    name = embedder_name(service.config)
    if profile.embedder != name:
        note = "This profile was made with another embedding model than this deployment's: make a new one."
        return days, Ranking([], (note,))
    vectors = service.reader.vectors(manifest, query.days, name)
    return days, rank_profile(days, vectors, query, profile, service.config)


# Votes -----------------------------------------------------------------------------------


def vote_response(service: Service, request: Request, feed_id: str) -> Response:
    """Count one signed vote and answer with a small page: what happened, an undo link and
    the papers the profile now ranks first."""
    from core.profiles.votes import VOTES, signature_ok, voting_secret

    params = request.query_params
    paper, vote, sig = params.get("paper", ""), params.get("v", ""), params.get("sig", "")
    secret, off = voting_secret(service.env)
    if not secret:
        return _answer(404, "Voting is off", f"Voting is off on this deployment ({off}).")
    match = ARXIV_ID.fullmatch(paper)
    if not valid_token(feed_id) or vote not in VOTES or match is None:
        return _answer(400, "Not a vote link", "This is not a well-formed vote link; nothing changed.")
    paper = match.group(1)  # links name the versionless id; a version given is not what was signed
    if not signature_ok(secret, feed_id, paper, vote, sig):
        return _answer(403, "Not a valid vote link", "This link's signature does not match; nothing changed.")
    if request.method != "POST" and unattended(request.method, request.headers):
        return _confirmation(request, feed_id, paper, vote, sig)
    try:
        return _counted(service, request, feed_id, paper, vote, secret)
    except ProfileNotFound:
        return _answer(404, "No such feed", "No feed has this address (it may have been deleted); nothing changed.")
    except VoteRefused as exc:
        response = _answer(exc.status, "Vote not counted", exc.problem)
        if exc.status == 429:  # the daily vote limit: it starts again at the next UTC day
            response.headers.update(errors.retry_after_tomorrow(service.clock()))
        return response
    except ProfileBusy:
        return _answer(503, "Try again", "Another vote on this feed is being counted; try again in a moment.")
    except StoreError as exc:
        return _answer(503, "Try again later", f"The data store cannot be reached ({exc}); nothing changed.")


def unattended(method: str, headers) -> str:
    """Why this request is not a person asking to vote ("" when it is): a HEAD, a
    prefetch or prerender (`Sec-Purpose: prefetch`, `Purpose: prefetch`, `X-Moz: prefetch`,
    `X-Purpose: preview`), or a User-Agent of a link preview, crawler or link checker."""
    if method == "HEAD":
        return "HEAD"
    for name in PREFETCH_HEADERS:
        value = headers.get(name, "").lower()
        if "prefetch" in value or "prerender" in value or "preview" in value:
            return name
    return "user-agent" if PREVIEW_AGENTS.search(headers.get("user-agent", "")) else ""


def _confirmation(request, feed_id: str, paper: str, vote: str, sig: str) -> Response:
    """The page a prefetch, preview or HEAD gets: nothing counted, a button that POSTs
    the same vote to this origin."""
    action = f"/p/{feed_id}/vote?" + urlencode({"paper": paper, "v": vote, "sig": sig})
    message = (
        f"Count a \u201c{VOTE_WORDS[vote]}\u201d vote for arXiv:{paper}? Nothing has changed yet: "
        "link previews and prefetches never vote."
    )
    return _answer(200, "Count this vote?", message, ok=True, paper=paper, confirm=action)


def _counted(service, request, feed_id, paper, vote, secret) -> Response:
    from core.profiles.feed import find_paper, profile_query
    from core.profiles.votes import cast_vote, vote_url

    reader = service.reader
    manifest = reader.manifest()

    def lookup(paper_id: str):
        from core.embed.embedder import embedder_name

        days = reader.days(manifest, len(manifest.days)) if manifest.days else []
        return find_paper(days, reader.vectors(manifest, len(manifest.days), embedder_name(service.config)), paper_id)

    now = service.clock().isoformat(timespec="seconds")
    outcome = cast_vote(service.ctx.store, feed_id, paper, vote, lookup, now)
    origin = public_origin(request, service.env)
    base = origin.base
    undo = vote_url(base, secret, feed_id, paper, outcome.before or "clear") if outcome.counted else ""
    query = profile_query(outcome.profile, service.config, "rss", limit=ANSWER_TOP)
    _, ranking = _ranked(service, manifest, outcome.profile, query)
    top = [{"title": s.paper.title, "url": s.paper.abs_url, "similarity": s.similarity} for s in ranking.papers]
    heading = "Thanks" if outcome.counted else "Nothing changed"
    answer = _answer(
        200, heading, outcome.message, ok=True, paper=paper, title=outcome.title, undo=undo, top=top,
        feed_url=f"{base}/feed/p/{feed_id}",
    )  # fmt: skip
    vary_on(answer.headers, origin)  # its links follow the origin
    return answer


def _answer(status: int, heading: str, message: str, ok: bool = False, **values) -> Response:
    from core.text.templating import render_html

    fields = {"paper": "", "title": "", "undo": "", "top": [], "feed_url": "", "confirm": "", **values}
    css = asset_urls()["app.css"]
    body = render_html("vote.html", heading=heading, message=message, ok=ok, stylesheet=css, **fields)
    headers = {**SECURITY_HEADERS, **NO_STORE_NO_REFERRER}
    return Response(body.encode("utf-8"), status_code=status, media_type=HTML_TYPE, headers=headers)
