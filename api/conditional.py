"""What every cacheable response shares: conditional GET over the rendered-body cache,
and the public origin its links point at.

    return cached_response(service, request, key, headers, media_type, build,
                           modified=(manifest.published_at,), defer=True)

`key` is everything the body depends on (data tag, query, base URL, degraded, the "days
ago" texts...). From it: the ETag (a hash of the key); `Last-Modified` from the latest of
`modified` (ISO times); 304 when If-None-Match matches (weak comparison, `*` too) or,
when the request sends none and `if_modified_since` is set, when If-Modified-Since is at
or after that latest time; else the body cache's copy; else `build()`, which is put in
the cache. Callers: api.feeds (feeds), api.profiles (profile feeds) and api.page (the page).

The origin: `public_origin(request, env)` with the Service's env, never the process's own
environment, so a test's dependency override reaches every link (api.origin explains the
order: configured origin, Vercel's, else the request's Host, then varied on).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import Request, Response

from api.deps import Deferred, Service
from api.origin import Origin, origin_config, request_origin
from core.config import Env


def cached_response(
    service: Service,
    request: Request,
    key: tuple,
    headers: dict[str, str],
    media_type: str,
    build: Callable[[], bytes | Response],
    *,
    modified: Iterable[str] = (),
    if_modified_since: bool = True,
    defer: bool | Callable[[], bool] = False,
) -> Response | Deferred:
    """304, the cached body, or the built one, each with `headers` plus ETag and
    Last-Modified (see the module docstring). `build` returns the body, or a whole Response
    (an error page, say), which is answered as it is and not cached. With `defer`, a body
    that must be built comes back as a `Deferred` (for a worker thread); a 304 or a
    cached body is answered at once. `defer` may be a function, asked only then."""
    etag = etag_for(key)
    latest = latest_iso(modified)
    headers = {**headers, "ETag": etag}
    if last_modified := http_date(latest):
        headers["Last-Modified"] = last_modified
    if not_modified(request, etag, latest if if_modified_since else ""):
        return Response(status_code=304, headers=headers)
    body = service.bodies.get(key)
    if body is not None:
        return Response(body, media_type=media_type, headers=headers)

    def built() -> Response:
        made = build()
        if isinstance(made, Response):
            return made
        service.bodies.put(key, made)
        return Response(made, media_type=media_type, headers=headers)

    return Deferred(built) if (defer() if callable(defer) else defer) else built()


def etag_for(key: tuple) -> str:
    """A strong ETag naming `key`: 24 hex digits of sha256 over its parts."""
    return '"' + hashlib.sha256("\n".join(map(str, key)).encode()).hexdigest()[:24] + '"'


def not_modified(request: Request, etag: str, modified: str) -> bool:
    """If-None-Match (weak comparison, `*` too) decides; else If-Modified-Since against
    `modified` (an ISO time; "" never matches)."""
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = request.headers.get("if-modified-since")
    if not ims or not modified:
        return False
    try:
        return datetime.fromisoformat(modified).replace(microsecond=0) <= parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False


def latest_iso(times: Iterable[str]) -> str:
    """The latest of some ISO 8601 times with a zone; "" and unreadable ones ignored ("" if none)."""
    known = []
    for iso in times:
        try:
            known.append((datetime.fromisoformat(iso).astimezone(UTC), iso))
        except (TypeError, ValueError):
            continue
    return max(known)[1] if known else ""


def http_date(iso: str) -> str:
    """An ISO 8601 UTC time as an HTTP date (`Thu, 24 Sep 2026 05:15:00 GMT`); "" if unreadable."""
    try:
        return format_datetime(datetime.fromisoformat(iso).astimezone(UTC), usegmt=True)
    except (TypeError, ValueError):
        return ""


def public_origin(request: Request, env: Env) -> Origin:
    """The deployment's public origin for this response's links, and the request headers
    it depends on (api.origin): configured (ARXIV_RSS_PUBLIC_URL, Vercel's URLs) or the
    request's own Host. `env` is the Service's (`service.env`). Raises ConfigError."""
    return request_origin(request, origin_config(env.secrets, env.on_vercel))


def public_base(request: Request, env: Env) -> str:
    """`https://host`, the base URL of the links a response carries (see `public_origin`)."""
    return public_origin(request, env).base


def vary_on(headers, origin: Origin):
    """`headers` (a dict or a response's headers) with `Vary` also naming the request
    headers the origin was taken from."""
    present = [v.strip() for v in headers.get("Vary", "").split(",") if v.strip()]
    names = present + [h for h in origin.vary if h.lower() not in {p.lower() for p in present}]
    if names:
        headers["Vary"] = ", ".join(names)
    return headers
