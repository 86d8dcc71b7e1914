"""The FastAPI app: every path of the deployment is served by this one function.

    GET /feed                     all configured categories       (alias: /rss)
    GET /feed/{category}          one category                    (alias: /rss/{category})
    GET /feed/keyword/{keyword}   one keyword across the configured categories
    GET /opml                     the per-category feeds as an OPML subscription list
    GET /api/health               store, last refresh per category, counts, summaries configured
    GET /api/cron                 run the refresh (Authorization: Bearer $CRON_SECRET)
    GET /                         the web page; /static/{name} its script, style and icon
    GET /feed/p/{feed_id}         a saved profile's feed (api.profiles)
    GET /p/{feed_id}/vote         a signed "more / less like this" vote (api.profiles); POST from
                                  its confirmation page (what previews and prefetches get)
    GET|POST /profile/{edit_token}  a saved profile's own page, its edit URL (api.profile_page)
    POST /api/profiles            save a profile from the page's builder (api.profile_api)
    GET|PUT /api/profiles/{edit_token}  read / change it for the builder opened by its edit URL

Feed query parameters are documented in core.rank.query. The feed path imports no
arXiv client, LLM client or PDF code: the refresh is imported when /api/cron runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Vercel runs this file as the function entry point; make the project root importable.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

# `import httpx` (the Upstash SDK's, on the first /feed) also imports httpx's own command-line
# tool whenever click, rich and pygments are installed, as they are here for the command
# line: about 0.3 s of a cold start for a tool the function never runs. A None entry in
# sys.modules makes that one import fail at once (the import system's way to block a
# module), and httpx then defines a stub in its place.
sys.modules.setdefault("httpx._main", None)

from core.longlived import pause, settle  # noqa: E402

# What the imports below make lives as long as the process: the collector waits until the
# end of this module, which then moves it all out of its sight (about a dozen full
# collections, some 30 ms of a cold start on Vercel's runtime, found nothing to free).
_COLLECTING = pause()

from fastapi import FastAPI, Request, Response  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402

from api import errors  # noqa: E402
from api.conditional import public_origin, vary_on  # noqa: E402
from api.deps import ServiceDep  # noqa: E402
from api.feeds import feed_response  # noqa: E402
from api.headers import NO_STORE  # noqa: E402
from api.middleware import Compression, CrossSiteGuard, TrailingSlash, compression_enabled  # noqa: E402
from api.openapi import FEED_QUERY  # noqa: E402
from api.ops import cron_refusal, health  # noqa: E402
from api.page import page_response  # noqa: E402
from api.page import router as page_router  # noqa: E402
from api.threads import in_thread  # noqa: E402
from core.feeds.opml import CONTENT_TYPE as OPML_TYPE  # noqa: E402
from core.feeds.opml import render_opml  # noqa: E402

# Trailing slashes are redirected by api.middleware.TrailingSlash, never from the Host header.
app = FastAPI(title="arxiv-rss", docs_url=None, redoc_url=None, redirect_slashes=False)
errors.install(app)
app.add_middleware(TrailingSlash, routes=lambda: app.router.routes)
# Profile changes and the refresh refuse cross-site browser requests (api.middleware).
app.add_middleware(CrossSiteGuard)
# gzip where the app serves directly; on Vercel (VERCEL set) the edge compresses instead.
app.add_middleware(Compression, enabled=compression_enabled(os.environ))


def get(*paths: str, **route):
    """Register a GET route on each path, plus HEAD (kept out of the OpenAPI schema);
    `route` goes to `add_api_route` (e.g. `openapi_extra`)."""

    def register(endpoint):
        for path in paths:
            app.add_api_route(path, endpoint, methods=["GET"], **route)
            app.add_api_route(path, endpoint, methods=["HEAD"], include_in_schema=False)
        return endpoint

    return register


def path_parameters(*names: str, extra: dict | None = None) -> dict:
    """`openapi_extra` documenting the path's own parameters (strings), with `extra`'s. The
    routes read them from `request.path_params` instead of taking them as typed arguments:
    a typed argument makes FastAPI build a validator and import pydantic.v1 at start-up,
    the largest single cost of this module's import."""
    extra = extra or {}
    own = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names]
    return {**extra, "parameters": own + list(extra.get("parameters", []))}


@get("/")
async def root(request: Request, service: ServiceDep) -> Response:
    """The web page: data status, feed builder with live preview, today's papers."""
    response = await service.run(page_response, service, request)
    vary_on(response.headers, public_origin(request, service.env))  # its links follow the origin too
    return response


app.include_router(page_router)


@get("/feed/p/{feed_id}", openapi_extra=path_parameters("feed_id"))
async def feed_profile(request: Request, service: ServiceDep) -> Response:
    """A saved profile's feed (api.profiles); only `format=` is taken."""
    from api.profiles import profile_feed_response

    return await service.run(profile_feed_response, service, request, request.path_params["feed_id"])


@get("/p/{feed_id}/vote", include_in_schema=False)  # a link for browsers, answered in HTML
@app.post("/p/{feed_id}/vote", include_in_schema=False)  # the button of the confirmation page
async def profile_vote(request: Request, service: ServiceDep) -> Response:
    """Count one signed "more / less like this" vote (api.profiles), in a worker thread
    always: a vote may wait for its profile's lock."""
    from api.profiles import vote_response

    return await in_thread(vote_response, service, request, request.path_params["feed_id"])


@app.post("/api/profiles", include_in_schema=False)
async def profile_create(request: Request, service: ServiceDep) -> JSONResponse:
    """Save a profile from the page's builder (api.profile_api): 201 with its two URLs."""
    from api.profile_api import create_from_web

    return await create_from_web(service, request)


@app.get("/api/profiles/{edit_token}", include_in_schema=False)
async def profile_read(request: Request, service: ServiceDep) -> JSONResponse:
    """A saved profile as the builder's fields (api.profile_api), for its edit URL."""
    from api.profile_api import read_for_web

    return await service.run(read_for_web, service, request, request.path_params["edit_token"])


@app.put("/api/profiles/{edit_token}", include_in_schema=False)
async def profile_update(request: Request, service: ServiceDep) -> JSONResponse:
    from api.profile_api import update_from_web

    return await update_from_web(service, request, request.path_params["edit_token"])


@get("/profile/{edit_token}", include_in_schema=False)
async def profile_edit(request: Request, service: ServiceDep) -> Response:
    """A saved profile's own page, opened by its edit URL (api.profile_page)."""
    from api.profile_page import profile_page

    return await service.run(profile_page, service, request, request.path_params["edit_token"])


@app.post("/profile/{edit_token}", include_in_schema=False)
async def profile_edit_form(request: Request, service: ServiceDep) -> Response:
    from api.profile_page import profile_form

    return await profile_form(service, request, request.path_params["edit_token"])


@get("/feed", "/rss", openapi_extra=FEED_QUERY)
async def feed_all(request: Request, service: ServiceDep) -> Response:
    return await service.run_feed(feed_response, request)


@get("/feed/keyword/{keyword}", openapi_extra=path_parameters("keyword", extra=FEED_QUERY))
async def feed_keyword(request: Request, service: ServiceDep) -> Response:
    return await service.run_feed(feed_response, request, keyword=request.path_params["keyword"])


@get("/feed/{category}", "/rss/{category}", openapi_extra=path_parameters("category", extra=FEED_QUERY))
async def feed_category(request: Request, service: ServiceDep) -> Response:
    return await service.run_feed(feed_response, request, category=request.path_params["category"])


@get("/opml")
async def opml(request: Request, service: ServiceDep) -> Response:
    fmt = request.query_params.get("format", "rss")
    fmt = fmt if fmt in ("rss", "atom", "json") else "rss"
    origin = public_origin(request, service.env)
    body = render_opml(origin.base, service.config.categories, service.clock(), fmt)
    headers = vary_on({"Cache-Control": "public, max-age=3600"}, origin)
    return Response(body, media_type=OPML_TYPE, headers=headers)


@get("/api/health")
async def api_health(service: ServiceDep) -> JSONResponse:
    status, body = await service.run(health, service)
    return JSONResponse(body, status_code=status, headers=NO_STORE)


@app.get("/api/cron")
async def api_cron(request: Request, service: ServiceDep) -> JSONResponse:
    """Run the refresh in a worker thread; 409 when another refresh holds the lock."""
    refusal = cron_refusal(service.env, request)
    if refusal is not None:
        return errors.error_response(*refusal)
    from core.refresh.jobs import refresh_job

    report = await in_thread(refresh_job, service.ctx)
    return JSONResponse(report, headers=NO_STORE)


settle(_COLLECTING)  # everything made above, out of the collector's sight (see the top)
