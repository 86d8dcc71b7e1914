"""Two ASGI middlewares at the edge of the app: gzip where the app serves directly, and
trailing-slash redirects that depend on nothing the client sends but the path.

Compression. A 200 of a text type (feeds, OPML, the page, JSON, script, style, SVG) of
at least MIN_COMPRESS_BYTES is sent gzip-encoded to a client whose Accept-Encoding takes
gzip. The gzip variant is another representation, so its ETag gets GZIP_ETAG_SUFFIX
(`"abc"` -> `"abc-gzip"`) and every response of those types says `Vary: Accept-Encoding`.
An If-None-Match naming the gzip variant is read as naming the resource (the routes
compare identity ETags), and the 304 answers with the variant's ETag again (for `*`,
when this process last sent that resource gzip-encoded). Compressed
bodies are kept (bounded by bytes) under their ETag, length and checksum, so the same
feed is compressed once. gzip is written by ISA-L (`isal`), level 1: a 240 KB feed in
0.11 ms and 31 KB, where zlib's level 1, as nginx compresses by default, takes 0.84 ms for
32 KB (and its level 6 about 4 ms for 24 KB). A body of THREAD_COMPRESS_BYTES or more that
is not kept is compressed in a worker thread (ISA-L lets go of the GIL), not on the event
loop, so a very large feed being compressed does not hold up the cached ones; below that,
a thread's round trip (about 0.7 ms under load) would cost more than it saves. On Vercel
(`VERCEL` set) the edge compresses, so the app does not.

Cross-site requests. A request that changes a profile (POST, PUT, DELETE, PATCH under
/api/profiles and /profile/: the builder's saves and the edit page's forms) or runs the
refresh (/api/cron, any method) is refused with a 403 when a browser says it comes from
another site: `Sec-Fetch-Site` other than `same-origin` or `none` (typed or bookmarked),
or, without that header, an `Origin` whose host is not the request's Host (nor its
X-Forwarded-Host). A request with neither header (curl, the CLI, Vercel's cron) passes;
no page can forge either header. Vote links (GET /p/.../vote, opened from a feed reader)
are not guarded: they must work from anywhere, and their signature is their check.

Trailing slashes. `/feed/` answers 307 to `/feed` (query kept) with a relative Location
(never built from Host) and a Cache-Control of a day; Starlette's own redirect, which
builds an absolute URL from the Host header, is turned off.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Awaitable, Callable, Container, Iterable, Mapping
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.threads import in_thread
from core.memo import LRU

MIN_COMPRESS_BYTES = 1024
GZIP_LEVEL = 1
THREAD_COMPRESS_BYTES = 2 * 1024 * 1024  # about 1 ms of compressing
GZIP_ETAG_SUFFIX = "-gzip"
COMPRESSED_CACHE_ENTRIES = 256
COMPRESSED_CACHE_BYTES = 16 * 1024 * 1024
GZIPPED_ETAGS = 4096
COMPRESSIBLE = (
    "text/",
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/xml",
    "application/javascript",
    "image/svg+xml",
)
REDIRECT_CACHE_CONTROL = "public, max-age=86400"
STATE_CHANGING = frozenset({"POST", "PUT", "DELETE", "PATCH"})
PROFILE_PATHS = ("/api/profiles", "/profile/")
CRON_PATH = "/api/cron"
SAME_SITE_FETCHES = frozenset({"same-origin", "none"})


def compression_enabled(environ: Mapping[str, str]) -> bool:
    """Whether the app compresses itself: not on Vercel, whose edge compresses responses."""
    return not environ.get("VERCEL")


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding value takes gzip (`gzip`, `x-gzip` or `*`, with q > 0;
    an explicit `gzip;q=0` refuses it)."""
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        weights[coding.strip().lower()] = q
    for name in ("gzip", "x-gzip"):
        if name in weights:
            return weights[name] > 0
    return weights.get("*", 0.0) > 0


def gzip_etag(etag: str) -> str:
    """The ETag of the gzip variant: `"abc"` -> `"abc-gzip"`, `W/"abc"` -> `W/"abc-gzip"`."""
    return etag[:-1] + GZIP_ETAG_SUFFIX + '"' if etag.endswith('"') else etag


def _identity_tags(if_none_match: str) -> tuple[str, set[str]]:
    """(If-None-Match with gzip-variant tags read as the identity tags, the identity tags
    that were named by their gzip variant)."""
    tags, from_gzip = [], set()
    for raw in if_none_match.split(","):
        tag = raw.strip()
        if tag.endswith(GZIP_ETAG_SUFFIX + '"'):
            tag = tag[: -len(GZIP_ETAG_SUFFIX) - 1] + '"'
            from_gzip.add(tag.removeprefix("W/"))
        tags.append(tag)
    return ", ".join(tags), from_gzip


def _compressible(headers: Headers) -> bool:
    return headers.get("content-type", "").lower().startswith(COMPRESSIBLE) and "content-encoding" not in headers


def _add_vary(headers: MutableHeaders, name: str) -> None:
    present = [v.strip().lower() for v in headers.get("vary", "").split(",") if v.strip()]
    if name.lower() not in present and "*" not in present:
        headers["vary"] = ", ".join([*(v.strip() for v in headers.get("vary", "").split(",") if v.strip()), name])


class _Gzipped:
    """`etag in` this: whether the process last sent that ETag's resource gzip-encoded."""

    def __init__(self, known: LRU) -> None:
        self._known = known

    def __contains__(self, etag: object) -> bool:
        return self._known.get(etag) is not None


class Compression:
    """gzip for the responses described in the module docstring."""

    def __init__(self, app: ASGIApp, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled
        self._compressed = LRU(COMPRESSED_CACHE_ENTRIES, COMPRESSED_CACHE_BYTES)
        self._gzipped = LRU(GZIPPED_ETAGS)  # identity ETag -> True: last sent gzip-encoded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled:
            await self.app(scope, receive, send)
            return
        wants = accepts_gzip(Headers(scope=scope).get("accept-encoding", ""))
        from_gzip: Container[str] = set()
        if wants and "if-none-match" in Headers(scope=scope):
            scope = dict(scope)
            headers = MutableHeaders(scope=scope)
            headers["if-none-match"], from_gzip = _identity_tags(headers["if-none-match"])
            if headers["if-none-match"].strip() == "*":
                from_gzip = _Gzipped(self._gzipped)
        await self.app(scope, receive, _Responder(send, wants, from_gzip, self._compress).send)

    async def _compress(self, body: bytes, etag: str) -> bytes:
        if etag:
            self._gzipped.put(etag.removeprefix("W/"), True)
        key = (etag, len(body), zlib.crc32(body)) if etag else None
        found = self._compressed.get(key) if key else None
        if found is None:
            if len(body) >= THREAD_COMPRESS_BYTES:
                found = await in_thread(_gzip, body)
            else:
                found = _gzip(body)
            if key:
                self._compressed.put(key, found)
        return found


def _gzip(body: bytes) -> bytes:
    from isal import igzip  # imported when first needed: a function on Vercel never compresses

    return igzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


class _Responder:
    """The `send` of one response: holds a compressible 200 until its body is complete."""

    def __init__(
        self, send: Send, wants: bool, from_gzip: Container[str], compress: Callable[[bytes, str], Awaitable[bytes]]
    ):
        self._send, self._wants, self._from_gzip, self._compress = send, wants, from_gzip, compress
        self._start: Message | None = None
        self._chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            await self._on_start(message)
        elif message["type"] == "http.response.body" and self._start is not None:
            self._chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await self._finish()
        else:
            await self._send(message)

    async def _on_start(self, message: Message) -> None:
        headers = MutableHeaders(scope=message)
        if message["status"] == 304:
            _add_vary(headers, "Accept-Encoding")
            etag = headers.get("etag", "")
            if etag and etag.removeprefix("W/") in self._from_gzip:
                headers["etag"] = gzip_etag(etag)
            await self._send(message)
        elif message["status"] == 200 and _compressible(Headers(raw=message["headers"])):
            _add_vary(headers, "Accept-Encoding")
            if self._wants:
                self._start = message  # held until the body is complete
                return
            await self._send(message)
        else:
            await self._send(message)

    async def _finish(self) -> None:
        start, body = self._start, b"".join(self._chunks)
        headers = MutableHeaders(scope=start)
        if len(body) >= MIN_COMPRESS_BYTES:
            body = await self._compress(body, headers.get("etag", ""))
            headers["content-encoding"] = "gzip"
            headers["content-length"] = str(len(body))
            if "etag" in headers:
                headers["etag"] = gzip_etag(headers["etag"])
        await self._send(start)
        await self._send({"type": "http.response.body", "body": body})


class TrailingSlash:
    """`/path/` -> 307 to `/path` when that is a route (see the module docstring)."""

    def __init__(self, app: ASGIApp, routes: Callable[[], Iterable]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path != "/" and path.endswith("/"):
            target = path.rstrip("/") or "/"
            if any(route.matches({**scope, "path": target})[0] != Match.NONE for route in self.routes()):
                await self._redirect(scope, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    async def _redirect(scope: Scope, send: Send) -> None:
        raw = scope.get("raw_path") or scope["path"].encode()
        location = b"/" + raw.strip(b"/")  # one leading slash: "//host" would leave this site
        if scope.get("query_string"):
            location += b"?" + scope["query_string"]
        headers = [
            (b"location", location),
            (b"cache-control", REDIRECT_CACHE_CONTROL.encode()),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 307, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


def guarded(method: str, path: str) -> bool:
    """Whether a request must come from this site: a change to a profile, or the refresh."""
    if path == CRON_PATH:
        return True
    return method in STATE_CHANGING and path.startswith(PROFILE_PATHS)


def cross_site(headers: Headers) -> str:
    """Why a browser's request comes from another site ("" when it does not, or when no
    browser header says: see the module docstring)."""
    site = headers.get("sec-fetch-site", "").strip().lower()
    if site:
        return "" if site in SAME_SITE_FETCHES else f"Sec-Fetch-Site is {site[:20]}"
    origin = headers.get("origin")
    if origin is None:
        return ""
    try:
        host = urlsplit(origin.strip()).netloc.lower()
    except ValueError:
        host = ""
    own = {h.strip().lower() for h in (headers.get("host", ""), headers.get("x-forwarded-host", "").split(",")[0])}
    return "" if host and host in own - {""} else "Origin is another site"


class CrossSiteGuard:
    """403 for the cross-site requests the module docstring describes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and guarded(scope.get("method", ""), scope.get("path", "")):
            why = cross_site(Headers(scope=scope))
            if why:
                await _refuse_cross_site(send, why)
                return
        await self.app(scope, receive, send)


async def _refuse_cross_site(send: Send, why: str) -> None:
    message = f"a request from another site cannot do this ({why}); use this site's own page"
    body = json.dumps({"error": {"parameter": "Origin", "message": message}}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"cache-control", b"no-store"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": body})
