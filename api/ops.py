"""The operator's routes: who may run the refresh (/api/cron), and /api/health.

Cron rule. With `CRON_SECRET` set, the request must carry `Authorization: Bearer
<CRON_SECRET>` (what Vercel Cron sends), compared in constant time. Without it the
route fails closed, except for a local run, which needs an explicit opt-in: the app
was started by `python -m cli serve` (which calls `allow_local_cron`; nothing a
request sends can set it), is not on Vercel (`VERCEL` unset), the TCP peer is a
loopback address and the request carries no forwarding header. Headers only ever
refuse: a reverse proxy that adds none (nginx's default `proxy_pass`) is why the
opt-in, not the headers, decides. Behind a proxy, set CRON_SECRET.
"""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import Request

from api.deps import Service
from core.config import Env, effective_summary
from core.errors import StoreError
from core.feeds.channel import OLD_DATA_DAYS, category_detail, data_age, old_data_note
from core.models import Manifest
from core.store.factory import backend_name

FORWARDING_HEADERS = (
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-real-ip",
    "true-client-ip",
    "x-vercel-forwarded-for",
    "cf-connecting-ip",
    "x-client-ip",
    "x-cluster-client-ip",
    "fastly-client-ip",
)
LOCAL_CRON = "local_cron"  # the app.state flag `python -m cli serve` sets
CATEGORY_KEYS = ("status", "detail", "announced", "papers", "new", "matched", "checked_at", "updated_at", "since")
REPORT_KEYS = (
    "started_at",
    "finished_at",
    "status",
    "announced",
    "fetched",
    "skipped",
    "papers",
    "matched",
    "days_written",
    "error",
    "backfill",
    "summaries",
)
VERCEL_SQLITE_WARNING = (
    "This deployment runs on Vercel with the embedded SQLite store, which lives on the function's "
    "temporary disk: data will not persist between invocations. Add Upstash Redis from the Vercel "
    "Marketplace (Storage -> Upstash -> Redis), connect it to this project and redeploy; its "
    "UPSTASH_REDIS_REST_URL/_TOKEN (or KV_REST_API_URL/_TOKEN) variables select it."
)


# A store that does not answer is asked again only after a few seconds (core.store.breaker).
STORE_UNREACHABLE_HELD = "store unreachable: the feeds serve the copy held in memory, which may be out of date"
STORE_UNREACHABLE_EMPTY = "store unreachable: this process holds no copy of the data to serve"

FEED_STORAGE_NOTICE = (
    "Note for the operator: this deployment keeps its data in a temporary file on Vercel, so it will "
    "not persist; add Upstash Redis from the Vercel Marketplace (details at /api/health)."
)


def storage_notice(env: Env, backend: str) -> str:
    """The warning feeds carry when data cannot persist (Vercel with SQLite), else ""."""
    return FEED_STORAGE_NOTICE if env.on_vercel and backend == "sqlite" else ""


def cron_refusal(env: Env, request: Request) -> tuple[int, str] | None:
    """None when this request may run the refresh, else (HTTP status, reason)."""
    if env.cron_secret:
        # Header values arrive decoded as Latin-1: encoding them back gives the bytes sent,
        # to compare with the UTF-8 bytes of the secret (a non-ASCII secret then matches).
        supplied = request.headers.get("authorization", "").encode("latin-1")
        if hmac.compare_digest(supplied, f"Bearer {env.cron_secret}".encode()):
            return None
        return 401, "missing or wrong credentials: send Authorization: Bearer <CRON_SECRET>"
    if is_local_request(env, request):
        return None
    return 403, (
        "CRON_SECRET is not set, so the refresh only runs for requests from this machine to "
        "`python -m cli serve` (loopback, not proxied); set CRON_SECRET and send Authorization: Bearer <CRON_SECRET>"
    )


def allow_local_cron(app) -> None:
    """The explicit opt-in of the local server: without CRON_SECRET, /api/cron then runs
    for loopback callers of this process (see the module docstring)."""
    setattr(app.state, LOCAL_CRON, True)


def is_local_request(env: Env, request: Request) -> bool:
    """The app opted in (`allow_local_cron`), not on Vercel, a loopback peer, and no
    forwarding header."""
    app = request.scope.get("app")
    if app is None or getattr(app.state, LOCAL_CRON, False) is not True:
        return False
    if env.on_vercel or any(h in request.headers for h in FORWARDING_HEADERS):
        return False
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def health(service: Service) -> tuple[int, dict]:
    """(HTTP status, body): 200 when the store answers, 503 when it does not. The body
    names the store backend, the last refresh per category, paper counts, how old the
    newest announcement is (`freshness`; status `old-data` past OLD_DATA_DAYS) and
    whether summaries are configured; it never holds a secret."""
    body: dict = {"status": "ok", "store": _store_info(service)}
    manifest = None
    try:
        manifest = service.reader.manifest()
        if service.reader.degraded:
            body["status"] = "degraded"
            body["store"].update(reachable=False, reason=service.reader.degraded, message=STORE_UNREACHABLE_HELD)
    except StoreError as exc:
        body["status"] = "store-unreachable"
        body["store"].update(reachable=False, reason=str(exc), message=STORE_UNREACHABLE_EMPTY)
    if manifest is not None:
        body.update(_data(manifest))
        body["freshness"] = _freshness(manifest, service.clock())
        if not manifest.version and body["status"] == "ok":
            body["status"] = "never-refreshed"
        elif body["freshness"]["old"] and body["status"] == "ok":
            body["status"] = "old-data"
    body["summaries"] = _summaries(service)
    body["cron"] = {"secret_configured": bool(service.env.cron_secret)}
    body["voting"] = _voting(service)
    return (503 if body["status"] in ("degraded", "store-unreachable") else 200), body


def _voting(service: Service) -> dict:
    """Whether profile feeds carry signed vote links (FEEDBACK_SECRET, core.profiles.votes)."""
    from core.profiles.votes import SECRET_VAR, voting_secret

    secret, reason = voting_secret(service.env)
    return {"enabled": bool(secret), "secret_env": SECRET_VAR, **({"reason": reason} if reason else {})}


def _freshness(manifest: Manifest, now) -> dict:
    """How old the newest announcement held is, and whether past OLD_DATA_DAYS (core.feeds.render)."""
    age = data_age(manifest, now)
    return {
        "newest_announcement": age.newest,
        "age_days": age.days,
        "old_after_days": OLD_DATA_DAYS,
        "old": age.old,
        "last_refresh": age.last_refresh,
        "message": old_data_note(manifest, now),
    }


def _store_info(service: Service) -> dict:
    try:
        backend = service.ctx.store.name
    except StoreError:
        backend = backend_name(service.env)
    info: dict = {"backend": backend, "reachable": True}
    if service.env.on_vercel and backend == "sqlite":
        info["persistent"] = False
        info["warning"] = VERCEL_SQLITE_WARNING
    return info


def _data(manifest: Manifest) -> dict:
    days = [{"date": d.date, "papers": d.count, "summaries": d.summaries} for d in manifest.days]
    categories = {
        cat: {k: category_detail(rec) if k == "detail" else rec[k] for k in CATEGORY_KEYS if k in rec}
        for cat, rec in manifest.categories.items()
        if isinstance(rec, dict)
    }
    return {
        "data": {
            "version": manifest.version,
            "published_at": manifest.published_at,
            "status": manifest.status,
            "papers": sum(d.count for d in manifest.days),
            "days": days,
        },
        "categories": categories,
        "last_refresh": {k: manifest.report[k] for k in REPORT_KEYS if k in manifest.report},
    }


def _summaries(service: Service) -> dict:
    s = effective_summary(service.config, service.env)
    key_set = bool(service.env.secret(s.api_key_env))
    return {
        "enabled": s.enabled,
        "configured": s.enabled and key_set,
        "model": s.model,
        "api_key_env": s.api_key_env,
        "api_key_set": key_set,
    }
