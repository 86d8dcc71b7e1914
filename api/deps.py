"""What every request needs, built once per process, as FastAPI dependencies.

`Service` holds the context (config, environment, store), one `Reader` with its
in-memory day segments, the cache of rendered feed bodies and the clock. Routes
take it as `ServiceDep`; tests replace it with
`app.dependency_overrides[get_service] = lambda: Service(Context(config, env))`.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cached_property, lru_cache
from operator import attrgetter
from typing import Annotated

from fastapi import Depends

from api.threads import COSTLY, in_thread
from core import calendar
from core.context import Context, load_context
from core.errors import StoreError
from core.memo import LRU, deep_size
from core.models import Manifest
from core.rank.query import PARAMETERS, FeedQuery, parse_query
from core.store.layout import content_hash
from core.store.reader import Reader

BODY_CACHE_ENTRIES = 256
BODY_CACHE_BYTES = 8 * 1024 * 1024  # bodies and their keys (a key holds the canonical query): 30 or more feeds
QUERY_CACHE_ENTRIES = 1024
QUERY_CACHE_BYTES = 4 * 1024 * 1024  # parsed queries (FeedQuery.size) and their 16-byte keys
CHEAP_PARAMETERS = frozenset({"format"})


def is_costly(request) -> bool:
    """Whether a feed request may need real work: a custom query string or a keyword path."""
    if "/keyword/" in request.url.path:
        return True
    return any(name not in CHEAP_PARAMETERS for name in request.query_params)


class Deferred:
    """Work a feed request left for a worker thread: `build()` makes its response."""

    def __init__(self, build: Callable):
        self.build = build


class Service:
    """One per process: context, reader, rendered-body cache, parsed-query cache, clock."""

    def __init__(self, ctx: Context, clock: Callable[[], datetime] = calendar.now):
        self.ctx = ctx
        self.clock = clock
        self.bodies = LRU(BODY_CACHE_ENTRIES, BODY_CACHE_BYTES, key_size=deep_size)
        self.queries = LRU(QUERY_CACHE_ENTRIES, QUERY_CACHE_BYTES, size=attrgetter("size"), key_size=sys.getsizeof)
        self._tag: tuple[Manifest | None, str] = (None, "")

    @property
    def config(self):
        return self.ctx.config

    @property
    def env(self):
        return self.ctx.env

    @cached_property
    def reader(self) -> Reader:
        """The process's reader; opening the store may raise StoreError (retried next time)."""
        return Reader(self.ctx.store)

    def query(self, params: Iterable[tuple[str, str]], category: str = "", keyword: str = "") -> FeedQuery:
        """`parse_query` against this deployment's config, memoised. Raises BadQuery.
        The memo is keyed by a digest of the request's known parameters, never by their
        text: a query string may run to tens of kilobytes, its parsed query to a few."""
        known = tuple((name, value) for name, value in params if name in PARAMETERS)  # junk never fills the memo
        key = hashlib.blake2b(repr((known, category, keyword)).encode("utf-8", "replace"), digest_size=16).digest()
        found = self.queries.get(key)
        if found is None:
            found = parse_query(known, self.config, category=category, keyword=keyword)
            self.queries.put(key, found)
        return found

    async def run_feed(self, work: Callable, request, *args, **kwargs):
        """Run a feed request: like `run`, except that for a request that may need real work
        (any query parameter but `format`, or a keyword path) `work` is asked to defer the
        building of a body it does not hold: a 304 or a cached body is answered as any feed
        is, and the building goes to a worker thread, at most api.threads.COSTLY_AT_ONCE at a time. So a
        costly query never holds the event loop, and cached feeds are answered while it runs.
        `work` may still build a body whose cost it knows to be small at once (a custom
        query answered from kept postings: api.feeds.quick_to_build)."""
        if not is_costly(request):
            return await self.run(work, self, request, *args, **kwargs)
        answer = await self.run(work, self, request, *args, defer=True, **kwargs)
        if isinstance(answer, Deferred):
            answer = await in_thread(answer.build, pool=COSTLY)
        return answer

    async def run(self, work: Callable, *args, **kwargs):
        """Run read-path work inline when the store is in-process (SQLite answers in
        microseconds), else in a worker thread so a network round trip to Redis or
        Upstash never blocks the event loop. A thread hop costs about a millisecond
        over loopback, which is most of a cached feed request."""
        try:
            local = getattr(self.ctx.store, "local", False) is True
        except StoreError:
            local = True  # the work will raise the same StoreError at once
        if local:
            return work(*args, **kwargs)
        return await in_thread(work, *args, **kwargs)

    def data_tag(self, manifest: Manifest) -> str:
        """A short fingerprint of the published data: the manifest's version and content
        (so a re-publish that keeps the version but adds summaries still changes it)."""
        seen, tag = self._tag
        if manifest is not seen:
            tag = f"{manifest.version}:{content_hash(manifest.to_dict())}"
            self._tag = (manifest, tag)
        return tag


_SERVICE_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _service() -> Service:
    return Service(load_context())


async def get_service() -> Service:
    """The process-wide Service, from config.json (or ARXIV_RSS_CONFIG) and the environment,
    built once even when the first requests arrive together. Raises ConfigError naming
    the bad key (and tries again on the next request). A coroutine so FastAPI runs it on
    the event loop: a plain function would cost every request a thread-pool round trip."""
    with _SERVICE_LOCK:
        return _service()


def reset_service() -> None:
    """Forget the process-wide Service (tests that exercise the real wiring)."""
    _service.cache_clear()


ServiceDep = Annotated[Service, Depends(get_service)]
