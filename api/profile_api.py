"""Saving a profile from the web page: `POST /api/profiles` with a JSON body; with the
edit token, `GET /api/profiles/{edit token}` reads it back for the builder and `PUT`
(the same body) changes it.

    {"name": "My feed", "interest": "...", "like": ["2609.26811"], "unlike": [], "keywords": "LLM, RL",
     "categories": ["cs.LG"], "authors": "", "rank": "hybrid", "days": 3, "limit": 30}
    -> 201 {"feed_url": ".../feed/p/<id>", "edit_url": ".../profile/<edit token>", "notes": [...]}

Every field is optional (`name`, the feed's title, defaults to one made from the
interest), but a profile needs an interest or a liked paper held here.
Bounded for anonymous callers: a body of at most MAX_BODY_BYTES, the profile bounds of
core.profiles.model, the interest embedded under the interest budget (core.embed.interest), and at
most NEW_PROFILES_PER_DAY profiles created this way per deployment per day (then 429).
A `library` field ({"name": "My Library.bib", "text": "..."}) starts the profile from an
export as `profile create --import` does (core.profiles.library, its 5 MB and 2,000-entry
limits; the body may then be up to MAX_IMPORT_BODY_BYTES); with a remote embedder only
the entries the store holds count, so an anonymous upload never buys thousands of
embeddings. Errors are the JSON errors of api.errors, naming the field.
"""

from __future__ import annotations

import json
from dataclasses import replace

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api import errors
from api.deps import Service
from api.feeds import public_base
from core.errors import BadQuery, EmbeddingError, LibraryImportError, ProfileBusy, ProfileInvalid, ProfileNotFound
from core.store.layout import profile_budget_key

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
MAX_BODY_BYTES = 16 * 1024
NEW_PROFILES_PER_DAY = 500
MAX_IMPORT_BODY_BYTES = 2 * 5 * 1024 * 1024 + MAX_BODY_BYTES  # a 5 MB export, JSON-escaped
FIELDS = {"name", "interest", "like", "unlike", "keywords", "categories", "authors", "rank", "days", "limit", "library"}


async def create_from_web(service: Service, request: Request) -> JSONResponse:
    doc = await _document(request, MAX_IMPORT_BODY_BYTES)
    if isinstance(doc, JSONResponse):
        return doc
    return await run_in_threadpool(_create, service, request, doc)


async def update_from_web(service: Service, request: Request, edit_token: str) -> JSONResponse:
    doc = await _document(request)
    if isinstance(doc, JSONResponse):
        return doc
    return await run_in_threadpool(_update, service, request, edit_token, doc)


def read_for_web(service: Service, request: Request, edit_token: str) -> JSONResponse:
    """The profile an edit token opens, as the builder's fields and its two URLs."""
    from core.profiles.model import feed_id_for_edit, load_profile

    try:
        feed_id = feed_id_for_edit(service.ctx.store, edit_token)
    except ProfileNotFound:
        return errors.error_response(404, "no such profile", "edit_token")
    p = load_profile(service.ctx.store, feed_id)
    s = p.settings
    body = {
        "name": p.name, "interest": p.interest, "like": [v.id for v in p.liked], "unlike": [v.id for v in p.disliked],
        "keywords": ", ".join(s.keywords), "categories": list(s.categories), "authors": ", ".join(s.authors),
        "rank": s.rank, "days": s.days, "limit": s.limit, "library_entries": p.library_entries,
        **_urls(request, feed_id, edit_token),
    }  # fmt: skip
    return JSONResponse(body, headers=NO_STORE)


async def _document(request: Request, limit: int = MAX_BODY_BYTES) -> dict | JSONResponse:
    """The request's JSON object, or the JSON error saying why it is not one."""
    chunks, size = [], 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return errors.error_response(413, f"the body is larger than {limit} bytes")
    body = b"".join(chunks)
    try:
        doc = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return errors.error_response(400, "the body is not JSON")
    if not isinstance(doc, dict):
        return errors.error_response(400, "the body is not a JSON object")
    unknown = sorted(set(doc) - FIELDS)
    if unknown:
        return errors.error_response(400, f"unknown field; the fields are {', '.join(sorted(FIELDS))}", unknown[0][:40])
    return doc


def _urls(request: Request, feed_id: str, edit_token: str) -> dict:
    base = public_base(request)
    return {"feed_url": f"{base}/feed/p/{feed_id}", "edit_url": f"{base}/profile/{edit_token}"}


def _update(service: Service, request: Request, edit_token: str, doc: dict) -> JSONResponse:
    from core.profiles.model import feed_id_for_edit
    from core.profiles.setup import parse_ids, settings_from, update_profile

    try:
        feed_id = feed_id_for_edit(service.ctx.store, edit_token)
        if "library" in doc:
            raise ProfileInvalid("library", "an import starts a new feed (Save as my feed); it cannot change one")
        v = _values(doc)
        settings = settings_from(
            v["keywords"], ",".join(v["categories"]), v["authors"], v["rank"], v["days"], v["limit"]
        )
        votes = (parse_ids(",".join(v["like"])), parse_ids(",".join(v["unlike"])))
        now = service.clock().isoformat(timespec="seconds")
        _, notes = update_profile(
            service.ctx.store, service.config, service.env, feed_id, interest=v["interest"], settings=settings,
            votes=votes, now=now, name=v["name"],
        )  # fmt: skip
    except ProfileNotFound:
        return errors.error_response(404, "no such profile", "edit_token")
    except ProfileInvalid as exc:
        return errors.error_response(400, exc.problem, exc.field)
    except BadQuery as exc:
        return errors.error_response(400, exc.problem, exc.parameter)
    except ProfileBusy as exc:
        return errors.error_response(503, str(exc))
    except EmbeddingError as exc:
        return errors.error_response(503, f"the interest could not be embedded: {exc}")
    return JSONResponse({**_urls(request, feed_id, edit_token), "notes": notes}, headers=NO_STORE)


def _create(service: Service, request: Request, doc: dict) -> JSONResponse:
    from core.profiles.model import check_name, create_profile
    from core.profiles.setup import draft_profile, parse_ids, settings_from

    store, now = service.ctx.store, service.clock()
    try:
        values = _values(doc)
        settings = settings_from(
            values["keywords"], ",".join(values["categories"]), values["authors"], values["rank"],
            values["days"], values["limit"],
        )  # fmt: skip
        like, unlike = parse_ids(",".join(values["like"])), parse_ids(",".join(values["unlike"]))
        library = _library(doc.get("library"))
        if not _spend(store, now.date().isoformat()):
            return errors.error_response(429, "today's budget for new feeds is spent; try again tomorrow")
        draft, notes = draft_profile(
            store, service.config, service.env, interest=values["interest"], like=like, unlike=unlike,
            settings=settings, today=now.date().isoformat(), library=library, embed_library=_local(service),
        )  # fmt: skip
        draft = replace(draft, name=check_name(values["name"]))
    except LibraryImportError as exc:
        return errors.error_response(400, str(exc), "library")
    except ProfileInvalid as exc:
        return errors.error_response(400, exc.problem, exc.field)
    except BadQuery as exc:
        return errors.error_response(400, exc.problem, exc.parameter)
    except EmbeddingError as exc:
        return errors.error_response(503, f"the interest could not be embedded: {exc}")
    created = create_profile(store, draft, now)
    body = {**_urls(request, created.feed_id, created.edit_token), "notes": notes}
    return JSONResponse(body, status_code=201, headers=NO_STORE)


def _library(value) -> tuple[bytes, str, str] | None:
    """(bytes, file name, "") of the `library` field, or None. Raises ProfileInvalid."""
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("text"), str) or set(value) - {"name", "text"}:
        raise ProfileInvalid("library", 'must be {"name": "My Library.bib", "text": "..."}')
    name = value.get("name", "")
    return value["text"].encode("utf-8", "replace"), (name if isinstance(name, str) else "")[:200], ""


def _local(service: Service) -> bool:
    """Whether the deployment embeds in process (library entries may then be embedded)."""
    return service.config.embeddings.provider == "wordllama"


def _values(doc: dict) -> dict:
    """The fields with their defaults, each of the type it must be. Raises ProfileInvalid."""
    out = {"name": "", "interest": "", "like": [], "unlike": [], "keywords": "", "categories": [], "authors": "",
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
