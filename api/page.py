"""The web page at `/` and its static files at `/static/{name}`.

The page is rendered by core.web.page (Jinja2 templates in core/text/templates/page/, loaded on the
first page request) from the manifest and the latest announcement day (one store command,
plus one mget when that day is not in memory yet), reused from the body cache while the
data, the public base URL, the "3 hours ago" text, the static files and the templates stay
the same, and served with an ETag and the feeds' cache lifetimes. When the store
cannot be reached at all the page still renders, says so, and is never cached.

Static files are read once per process. The page names them with `?v=<content hash>`:
that URL is cached for a year (`immutable`); any other URL of the file for 5 minutes.
Both carry the hash as ETag, so a revalidation is a 304.

Every response of this module carries a Content-Security-Policy that allows scripts,
styles, images and fetches from this origin only, no inline script or style.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request, Response

from api import errors
from api.conditional import cached_response, not_modified, public_base
from api.deps import Service
from api.feeds import cache_control
from api.ops import storage_notice
from core.config import Config, Env, effective_summary
from core.errors import StoreError
from core.feeds.channel import old_data_note
from core.models import Day, Manifest
from core.text.templating import templates_fingerprint

STATIC_DIR = Path(__file__).resolve().parent / "_public" / "static"
STATIC_TYPES = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=300"
HTML_TYPE = "text/html; charset=utf-8"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
STORE_DOWN = "The data store cannot be reached right now ({reason}); no papers can be shown. The feeds say the same."
DEGRADED = "The data store cannot be reached right now: this is the copy held in memory and may be out of date."

router = APIRouter()


def page_response(service: Service, request: Request) -> Response:
    """The page for this request, or 304."""
    from core.web.page import PageInput, refresh_age

    base = public_base(request, service.env)
    try:
        manifest = service.reader.manifest()
    except StoreError as exc:
        return _store_down_page(service, base, str(exc))
    degraded = bool(service.reader.degraded)
    now = service.clock()
    alerts = tuple(a for a in (DEGRADED if degraded else "", storage_notice(service.env, _backend(service))) if a)
    # "Last refresh 3 hours ago" and "This data is old: ... 69 days ago" are part of the
    # text, so they are part of the key.
    age = (refresh_age(manifest, now), old_data_note(manifest, now))
    key = ("page", service.data_tag(manifest), base, alerts, age, asset_urls_key(), templates_fingerprint())
    headers = {**SECURITY_HEADERS, "Cache-Control": cache_control(now, manifest, degraded)}

    def build() -> bytes | Response:
        try:
            day = _latest_day(service, manifest)
        except StoreError as exc:
            return _store_down_page(service, base, str(exc))
        config = page_config(service.config, service.env)
        return render_page(
            PageInput(manifest, day, config, base, now, asset_urls(), alerts, service.env.repository)
        ).encode("utf-8")

    # If-Modified-Since is not enough: "3 hours ago" changes while the data does not.
    return cached_response(
        service, request, key, headers, HTML_TYPE, build, modified=(manifest.published_at,), if_modified_since=False
    )


def render_page(page) -> str:
    """core.web.page's page, imported with the first page asked for: the feed paths never load it."""
    from core.web import page as web

    return web.render_page(page)


def page_config(config: Config, env: Env) -> Config:
    """The config as the page describes it: the summary settings in effect (LLM_MODEL and
    LLM_BASE_URL applied), with `enabled` false when summaries do not run here (disabled, no
    papers to summarise, or no API key), so the page neither says an LLM summarises papers
    nor offers the summary control then. The same test as core.summaries.run.off_reason,
    which the read path does not import (it loads the LLM client)."""
    s = effective_summary(config, env)
    runs = s.enabled and s.max_papers_to_summarize != 0 and bool(env.secret(s.api_key_env))
    return replace(config, ai_summary=replace(s, enabled=runs))


def _latest_day(service: Service, manifest: Manifest) -> Day | None:
    """The newest announcement day, or None (no data yet, or its segment has expired)."""
    if not manifest.days:
        return None
    days = service.reader.days(manifest, 1)
    return days[0] if days else None


def _store_down_page(service: Service, base: str, reason: str) -> Response:
    from core.web.page import PageInput

    alert = STORE_DOWN.format(reason=reason)
    page = PageInput(
        Manifest(),
        None,
        page_config(service.config, service.env),
        base,
        service.clock(),
        asset_urls(),
        (alert,),
        service.env.repository,
    )
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-store", "Retry-After": errors.STORE_RETRY_AFTER}
    return Response(render_page(page).encode("utf-8"), status_code=503, media_type=HTML_TYPE, headers=headers)


def _backend(service: Service) -> str:
    try:
        return service.ctx.store.name
    except StoreError:
        return ""


# Static files ----------------------------------------------------------------------------------


@lru_cache(maxsize=len(STATIC_TYPES))
def static_file(name: str) -> tuple[bytes, str]:
    """(bytes, content hash) of one static file, read once per process."""
    body = (STATIC_DIR / name).read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:16]


def asset_urls() -> dict[str, str]:
    """Each static file's versioned URL, e.g. `/static/app.js?v=3f2a...`."""
    return {name: f"/static/{name}?v={static_file(name)[1]}" for name in STATIC_TYPES}


def asset_urls_key() -> str:
    return ",".join(static_file(name)[1] for name in STATIC_TYPES)


def static_asset(name: str, request: Request) -> Response:
    """One static file: a year of caching at its versioned URL, 5 minutes elsewhere; 304 on
    a matching If-None-Match; the JSON 404 for any name not served."""
    if name not in STATIC_TYPES:
        return errors.error_response(404, "no such page")
    body, digest = static_file(name)
    etag = f'"{digest}"'
    cache = IMMUTABLE if request.query_params.get("v") == digest else REVALIDATE
    headers = {**SECURITY_HEADERS, "ETag": etag, "Cache-Control": cache}
    if not_modified(request, etag, ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=STATIC_TYPES[name], headers=headers)


def _static_route(request: Request) -> Response:
    """`/static/{name}`: the name read from the path, so FastAPI builds no validator for it
    (a typed argument would import pydantic.v1 at start-up: see api.index.path_parameters)."""
    return static_asset(request.path_params["name"], request)


router.add_api_route("/static/{name}", _static_route, methods=["GET", "HEAD"], include_in_schema=False)


def favicon(request: Request) -> Response:
    """`/favicon.ico`, which browsers ask for on pages naming no icon: the page's own icon
    (static/icon.svg, as SVG), cached as the unversioned static files are."""
    return static_asset("icon.svg", request)


router.add_api_route("/favicon.ico", favicon, methods=["GET", "HEAD"], include_in_schema=False)
