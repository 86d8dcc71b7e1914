"""The core error tree as JSON errors: `{"error": {"parameter": ..., "message": ...}}`.

    BadQuery            400 (404 for an unserved category), names the parameter
    RefreshRunning      409 "a refresh is running", with how old its lock is
    StoreError          503 with the reason, naming the backend, never its address (and Retry-After)
    UpstreamError       502
    ConfigError         500 naming the bad key (never a value that could be a secret)
    other project error 500 with its one-line message
    unknown route       404; wrong method 405; malformed request 400
    anything else       500 "internal error": no traceback, no detail

Every error response carries `Cache-Control: no-store`, so no CDN keeps one.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from api.headers import NO_STORE
from core import log
from core.errors import (
    ArxivRssError,
    BadQuery,
    ConfigError,
    RefreshRunning,
    StoreError,
    UpstreamError,
)

STORE_RETRY_AFTER = "60"


def retry_after_tomorrow(now: datetime) -> dict[str, str]:
    """A Retry-After header for a daily budget: the seconds until the next UTC midnight,
    when the budget starts again (at least 1)."""
    utc = now.astimezone(UTC)
    tomorrow = datetime.combine(utc.date() + timedelta(days=1), time(), tzinfo=UTC)
    return {"Retry-After": str(max(1, int((tomorrow - utc).total_seconds())))}


def error_response(
    status: int, message: str, parameter: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    """One JSON error, never cached. A lone surrogate echoed from the request (a JSON
    `"\\ud800"` key, say) is sent as "?": it cannot be encoded, and must not make a 500."""
    body = {"error": {"parameter": _encodable(parameter), "message": _encodable(message)}}
    return JSONResponse(body, status_code=status, headers={**NO_STORE, **(headers or {})})


def _encodable(text: str | None) -> str | None:
    return text if text is None else text.encode("utf-8", "replace").decode("utf-8")


async def _bad_query(request: Request, exc: BadQuery) -> JSONResponse:
    return error_response(exc.status, exc.problem, exc.parameter)


async def _refresh_running(request: Request, exc: RefreshRunning) -> JSONResponse:
    return error_response(409, str(exc))  # how old the lock is; never a host name


async def _store_error(request: Request, exc: StoreError) -> JSONResponse:
    log.warning("http.store_unreachable", path=_redacted(request.url.path), reason=exc)
    return error_response(503, f"the data store cannot be reached: {exc}", headers={"Retry-After": STORE_RETRY_AFTER})


async def _upstream_error(request: Request, exc: UpstreamError) -> JSONResponse:
    return error_response(502, f"arXiv could not be read: {exc}")


async def _config_error(request: Request, exc: ConfigError) -> JSONResponse:
    log.warning("http.config_error", key=exc.key)
    return error_response(500, f"the service is misconfigured: {exc.key}: {exc.problem}")


async def _project_error(request: Request, exc: ArxivRssError) -> JSONResponse:
    return error_response(500, str(exc))


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    message = {404: "no such page", 405: "method not allowed"}.get(exc.status_code, str(exc.detail))
    return error_response(exc.status_code, message, headers=dict(exc.headers or {}))


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {}
    where = first.get("loc", ())
    return error_response(400, str(first.get("msg", "invalid request")), str(where[-1]) if where else None)


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    log.warning("http.internal_error", path=_redacted(request.url.path), error=exc.__class__.__name__)
    return error_response(500, "internal error")


def install(app: FastAPI) -> None:
    """Register the handlers on `app` (most specific first, as Starlette looks up by MRO)."""
    app.add_exception_handler(BadQuery, _bad_query)
    app.add_exception_handler(RefreshRunning, _refresh_running)
    app.add_exception_handler(StoreError, _store_error)
    app.add_exception_handler(UpstreamError, _upstream_error)
    app.add_exception_handler(ConfigError, _config_error)
    app.add_exception_handler(ArxivRssError, _project_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _internal_error)


def _redacted(path: str) -> str:
    """The path with any profile token in it hidden (core.profiles.model, imported with the
    first error logged: the feed paths never load the profile code)."""
    from core.profiles.model import redact_path

    return redact_path(path)
