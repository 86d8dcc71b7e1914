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

import contextlib
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from fastapi import Request
from fastapi.responses import JSONResponse

from api import errors
from api.conditional import public_base
from api.deps import Service
from api.headers import NO_STORE_NO_REFERRER
from api.threads import in_thread
from core.errors import (
    BadQuery,
    EmbeddingError,
    LibraryImportError,
    ProfileBusy,
    ProfileInvalid,
    ProfileNotFound,
    StoreError,
)
from core.store.layout import profile_budget_key

MAX_BODY_BYTES = 16 * 1024
NEW_PROFILES_PER_DAY = 500
MAX_IMPORT_BODY_BYTES = 2 * 5 * 1024 * 1024 + MAX_BODY_BYTES  # a 5 MB export, JSON-escaped
MAX_JSON_DEPTH = 8  # a profile body nests 3 deep ({"library": {"text": ...}})
FIELDS = {"name", "interest", "like", "unlike", "keywords", "categories", "authors", "rank", "days", "limit", "library"}


async def create_from_web(service: Service, request: Request) -> JSONResponse:
    doc = await _document(request, MAX_IMPORT_BODY_BYTES)
    if isinstance(doc, JSONResponse):
        return doc
    return await in_thread(_create_within_budget, service, request, doc)


async def update_from_web(service: Service, request: Request, edit_token: str) -> JSONResponse:
    doc = await _document(request)
    if isinstance(doc, JSONResponse):
        return doc
    return await in_thread(_update, service, request, edit_token, doc)


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
        **_urls(service, request, feed_id, edit_token),
    }  # fmt: skip
    return JSONResponse(body, headers=NO_STORE_NO_REFERRER)


async def _document(request: Request, limit: int = MAX_BODY_BYTES) -> dict | JSONResponse:
    """The request's JSON object, or the JSON error saying why it is not one.

    Bounded before anything is parsed: a Content-Length above `limit` is refused unread
    (413); so is a streamed (chunked) body as soon as it passes `limit`, or as soon as its
    bytes outside JSON strings pass MAX_BODY_BYTES (everything but the strings, which only
    a library's text may make large: so no body builds more than a few thousand values);
    nesting deeper than MAX_JSON_DEPTH is a 400 before json.loads recurses."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return errors.error_response(413, f"the body is larger than {limit} bytes", "body")
    chunks, size, shape = [], 0, JsonShape(MAX_BODY_BYTES, MAX_JSON_DEPTH)
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return errors.error_response(413, f"the body is larger than {limit} bytes", "body")
        problem = shape.feed(chunk)
        if problem:
            return errors.error_response(413 if shape.outside > MAX_BODY_BYTES else 400, problem, "body")
        chunks.append(chunk)
    body = b"".join(chunks)
    try:
        doc = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return errors.error_response(400, "the body is not JSON")
    if not isinstance(doc, dict):
        return errors.error_response(400, "the body is not a JSON object")
    unknown = sorted(set(doc) - FIELDS)
    if unknown:
        return errors.error_response(400, f"unknown field; the fields are {', '.join(sorted(FIELDS))}", unknown[0][:40])
    return doc


class JsonShape:
    """A linear scan of a JSON body as it streams in, chunk by chunk, before any parse:
    counts the bytes outside strings and the nesting of `[`/`{` there. `feed(chunk)` is
    the first problem found ("" while there is none); `outside` the bytes counted so far.
    Strings are skipped by one regex match each (escapes included, even split across
    chunks); `"` and `\\` never occur inside a UTF-8 multi-byte sequence, so bytes do."""

    _STRING_REST = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)
    _NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")

    def __init__(self, max_outside: int, max_depth: int) -> None:
        self.max_outside, self.max_depth = max_outside, max_depth
        self.outside, self.depth = 0, 0
        self.in_string = self.escaped = False

    def feed(self, chunk: bytes) -> str:
        i, n = 0, len(chunk)
        while i < n:
            if not self.in_string:
                quote = chunk.find(b'"', i)
                end = n if quote < 0 else quote
                problem = self._outside(chunk[i:end])
                if problem or quote < 0:
                    return problem
                self.in_string, i = True, quote + 1
            elif self.escaped:
                self.escaped, i = False, i + 1
            else:
                i = self._STRING_REST.match(chunk, i).end()
                if i < n:  # a closing quote, or a backslash ending the chunk
                    self.escaped, self.in_string = chunk[i] == 0x5C, chunk[i] == 0x5C
                    i += 1
        return ""

    def _outside(self, segment: bytes) -> str:
        self.outside += len(segment)
        if self.outside > self.max_outside:
            return f"the body holds more than {self.max_outside} bytes outside its strings; no profile needs that"
        for byte in segment.translate(None, self._NOT_BRACKETS):
            self.depth += 1 if byte in b"[{" else -1
            if self.depth > self.max_depth:
                return f"the body is nested deeper than {self.max_depth} levels"
        return ""


def _urls(service: Service, request: Request, feed_id: str, edit_token: str) -> dict:
    base = public_base(request, service.env)
    return {"feed_url": f"{base}/feed/p/{feed_id}", "edit_url": f"{base}/profile/{edit_token}"}


def _update(service: Service, request: Request, edit_token: str, doc: dict) -> JSONResponse:
    from core.profiles.model import feed_id_for_edit
    from core.profiles.setup import parse_ids, settings_from, update_profile

    try:
        feed_id = feed_id_for_edit(service.ctx.store, edit_token)
        if "library" in doc:
            raise ProfileInvalid("library", "an import starts a new feed (Save as my feed); it cannot change one")
        v = _values(doc)
        categories = ",".join(served_categories(v["categories"], service.config))
        settings = settings_from(v["keywords"], categories, v["authors"], v["rank"], v["days"], v["limit"])
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
    return JSONResponse({**_urls(service, request, feed_id, edit_token), "notes": notes}, headers=NO_STORE_NO_REFERRER)


def _create_within_budget(service: Service, request: Request, doc: dict) -> JSONResponse:
    """`_create`, giving its unit of today's budget back unless it answers 201: only
    profiles actually created count (see `_Budget`)."""
    budget = _Budget(service.ctx.store, service.clock())
    try:
        response = _create(service, request, doc, budget)
    except BaseException:
        budget.give_back()
        raise
    if response.status_code != 201:
        budget.give_back()
    return response


def _create(service: Service, request: Request, doc: dict, budget: _Budget) -> JSONResponse:
    from core.profiles.model import check_name, create_profile
    from core.profiles.setup import draft_profile, parse_ids, settings_from

    store, now = service.ctx.store, service.clock()
    try:
        values = _values(doc)
        categories = ",".join(served_categories(values["categories"], service.config))
        settings = settings_from(
            values["keywords"], categories, values["authors"], values["rank"],
            values["days"], values["limit"],
        )  # fmt: skip
        like, unlike = parse_ids(",".join(values["like"])), parse_ids(",".join(values["unlike"]))
        library = _library(doc.get("library"))
        if not budget.reserve():
            return errors.error_response(
                429, "today's budget for new feeds is spent; try again tomorrow", headers=budget.retry_after()
            )
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
        return _not_embedded(exc, budget)
    created = create_profile(store, draft, now)
    body = {**_urls(service, request, created.feed_id, created.edit_token), "notes": notes}
    return JSONResponse(body, status_code=201, headers=NO_STORE_NO_REFERRER)


def _not_embedded(exc: EmbeddingError, budget: _Budget) -> JSONResponse:
    """503 when the embedding endpoint failed; 429 with Retry-After when today's interest
    budget is spent (core.embed.interest), which no retry before tomorrow can change."""
    from core.embed.interest import BUDGET_SPENT

    if str(exc) == BUDGET_SPENT:
        message = "today's budget for embedding new interests is spent; try again tomorrow, or start from liked papers"
        return errors.error_response(429, message, "interest", headers=budget.retry_after())
    return errors.error_response(503, f"the interest could not be embedded: {exc}")


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
        if not all(map(_is_text, value if isinstance(value, list) else [value])):
            raise ProfileInvalid(name, "holds a lone surrogate (\\ud800-\\udfff), which is not text")
        out[name] = value
    return out


def _is_text(value: object) -> bool:
    """Whether a JSON value is not a string, or a string that is Unicode text: JSON lets a
    `\\ud800` escape stand alone, which no tokenizer, store or feed can take."""
    try:
        if isinstance(value, str):
            value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def served_categories(categories: list[str], config) -> list[str]:
    """The categories in their configured spelling. Raises ProfileInvalid naming
    `categories` for one not served here (its feed would stay empty), listing the served
    ones, as /feed?categories= does."""
    served = {c.casefold(): c for c in config.categories}
    for name in categories:
        if name.strip() and name.strip().casefold() not in served:
            raise ProfileInvalid(
                "categories", f"{name.strip()[:40]!r} is not served here; served: {', '.join(config.categories)}"
            )
    return [served[name.strip().casefold()] for name in categories if name.strip()]


class _Budget:
    """One request's claim on today's NEW_PROFILES_PER_DAY, kept exact under concurrency.

    `reserve` takes a unit with one atomic `Store.incr` before the profile is built and
    hands it straight back when the count passes the cap; `give_back` returns it when the
    creation then fails. At every instant the counter is profiles created plus creations
    in flight, so no burst, on any backend or across processes, creates more than the cap.
    (Counting after success instead would let a burst all pass the check before any of
    them counted; counting without giving back would charge failed creations.) A burst
    in which some creations fail may refuse a few that a later retry would be granted:
    the error is on the side of the cap."""

    TTL = 2 * 86400  # the key names its UTC day; two days outlive any clock skew

    def __init__(self, store, now):
        self.store, self.now = store, now
        self.key = profile_budget_key(now.date().isoformat())
        self.reserved = False

    def reserve(self) -> bool:
        """Take one unit; False (nothing taken) when today's budget is spent. Raises StoreError."""
        if self.store.incr(self.key, self.TTL) <= NEW_PROFILES_PER_DAY:
            self.reserved = True
            return True
        self.store.incr(self.key, self.TTL, -1)
        return False

    def give_back(self) -> None:
        """Return the unit `reserve` took, if any. A store that fails now loses the unit
        (the cap still holds); the request's own answer or error stands."""
        if not self.reserved:
            return
        self.reserved = False
        with contextlib.suppress(StoreError):
            self.store.incr(self.key, self.TTL, -1)

    def retry_after(self) -> dict[str, str]:
        """Retry-After: the seconds until the next UTC day, when the budget starts again."""
        tomorrow = datetime.combine(self.now.date() + timedelta(days=1), time(), tzinfo=UTC)
        return {"Retry-After": str(max(1, int((tomorrow - self.now.astimezone(UTC)).total_seconds())))}
