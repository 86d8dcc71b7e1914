"""Saving a profile from the web page: `POST /api/profiles` with a JSON body.

    {"interest": "...", "like": ["2609.26811"], "unlike": [], "keywords": "LLM, RL",
     "categories": ["cs.LG"], "authors": "", "rank": "hybrid", "days": 3, "limit": 30}
    -> 201 {"feed_url": ".../feed/p/<id>", "edit_url": ".../profile/<edit token>", "notes": [...]}

Every field is optional, but a profile needs an interest or a liked paper held here.
Bounded for anonymous callers: a body of at most MAX_BODY_BYTES, the profile bounds of
core.profiles, the interest embedded under the interest budget (core.interest), and at
most NEW_PROFILES_PER_DAY profiles created this way per deployment per day (then 429).
Library import is on the command line only. Errors are the JSON errors of api.errors,
naming the field.
"""

from __future__ import annotations

import json

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api import errors
from api.deps import Service
from api.feeds import public_base
from core.errors import BadQuery, EmbeddingError, ProfileInvalid
from core.layout import profile_budget_key

MAX_BODY_BYTES = 16 * 1024
NEW_PROFILES_PER_DAY = 500
FIELDS = {"interest", "like", "unlike", "keywords", "categories", "authors", "rank", "days", "limit"}


async def create_from_web(service: Service, request: Request) -> JSONResponse:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return errors.error_response(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        doc = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return errors.error_response(400, "the body is not JSON")
    if not isinstance(doc, dict):
        return errors.error_response(400, "the body is not a JSON object")
    unknown = sorted(set(doc) - FIELDS)
    if unknown:
        return errors.error_response(400, f"unknown field; the fields are {', '.join(sorted(FIELDS))}", unknown[0][:40])
    return await run_in_threadpool(_create, service, request, doc)


def _create(service: Service, request: Request, doc: dict) -> JSONResponse:
    from core.profile_setup import draft_profile, parse_ids, settings_from
    from core.profiles import create_profile

    store, now = service.ctx.store, service.clock()
    try:
        values = _values(doc)
        settings = settings_from(
            values["keywords"], ",".join(values["categories"]), values["authors"], values["rank"],
            values["days"], values["limit"],
        )  # fmt: skip
        like, unlike = parse_ids(",".join(values["like"])), parse_ids(",".join(values["unlike"]))
        if not _spend(store, now.date().isoformat()):
            return errors.error_response(429, "today's budget for new feeds is spent; try again tomorrow")
        draft, notes = draft_profile(
            store, service.config, service.env, interest=values["interest"], like=like, unlike=unlike,
            settings=settings, today=now.date().isoformat(),
        )  # fmt: skip
    except ProfileInvalid as exc:
        return errors.error_response(400, exc.problem, exc.field)
    except BadQuery as exc:
        return errors.error_response(400, exc.problem, exc.parameter)
    except EmbeddingError as exc:
        return errors.error_response(503, f"the interest could not be embedded: {exc}")
    created = create_profile(store, draft, now)
    base = public_base(request)
    body = {
        "feed_url": f"{base}/feed/p/{created.feed_id}",
        "edit_url": f"{base}/profile/{created.edit_token}",
        "notes": notes,
    }
    return JSONResponse(body, status_code=201, headers={"Cache-Control": "no-store"})


def _values(doc: dict) -> dict:
    """The fields with their defaults, each of the type it must be. Raises ProfileInvalid."""
    out = {"interest": "", "like": [], "unlike": [], "keywords": "", "categories": [], "authors": "",
           "rank": "hybrid", "days": 3, "limit": 30}  # fmt: skip
    for name, default in list(out.items()):
        value = doc.get(name, default)
        if isinstance(default, list):
            ok = isinstance(value, list) and len(value) <= 200 and all(isinstance(v, str) for v in value)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, str)
        if not ok:
            kind = {list: "a list of strings", int: "a whole number", str: "a string"}[type(default)]
            raise ProfileInvalid(name, f"must be {kind}")
        out[name] = value
    return out


def _spend(store, today: str) -> bool:
    """Count one new profile against today's budget; False when it is spent."""
    key = profile_budget_key(today)
    used = int((store.get(key) or b"0").decode() or 0)
    if used >= NEW_PROFILES_PER_DAY:
        return False
    store.set(key, str(used + 1).encode(), ttl=2 * 86400)
    return True
