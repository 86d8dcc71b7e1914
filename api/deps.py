"""What every request needs, built once per process, as FastAPI dependencies.

`Service` holds the context (config, environment, store), one `Reader` with its
in-memory day segments, the cache of rendered feed bodies and the clock. Routes
take it as `ServiceDep`; tests replace it with
`app.dependency_overrides[get_service] = lambda: Service(Context(config, env))`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Annotated

from fastapi import Depends
from starlette.concurrency import run_in_threadpool

from core import calendar
from core.context import Context, load_context
from core.errors import StoreError
from core.layout import Manifest, content_hash
from core.memo import LRU
from core.query import PARAMETERS, FeedQuery, parse_query
from core.reader import Reader

BODY_CACHE_ENTRIES = 256
BODY_CACHE_BYTES = 64 * 1024 * 1024
QUERY_CACHE_ENTRIES = 1024


class Service:
    """One per process: context, reader, rendered-body cache, parsed-query cache, clock."""

    def __init__(self, ctx: Context, clock: Callable[[], datetime] = calendar.now):
        self.ctx = ctx
        self.clock = clock
        self.bodies = LRU(BODY_CACHE_ENTRIES, BODY_CACHE_BYTES)
        self._queries = LRU(QUERY_CACHE_ENTRIES)
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
        """`parse_query` against this deployment's config, memoised. Raises BadQuery."""
        known = tuple((name, value) for name, value in params if name in PARAMETERS)  # junk never fills the memo
        key = (known, category, keyword)
        found = self._queries.get(key)
        if found is None:
            found = parse_query(key[0], self.config, category=category, keyword=keyword)
            self._queries.put(key, found)
        return found

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
        return await run_in_threadpool(work, *args, **kwargs)

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
