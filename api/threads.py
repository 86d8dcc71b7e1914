"""Worker threads for the request path: blocking store round trips, costly feed builds and
large bodies to compress.

    await in_thread(work, *args)                  # a store round trip (Redis, Upstash)
    await in_thread(build, pool=COSTLY)           # at most COSTLY_AT_ONCE at a time

asyncio's own executors, not anyio's `to_thread` (which starlette's `run_in_threadpool` is):
anyio loads its asyncio backend, about 10 ms here, at a process's first thread hop, and on a
cold instance that hop is part of its first request. A pool's size is its bound: at most
that many calls run at once and the others wait in its queue, from which a call whose
request is cancelled first is dropped. A call runs in a copy of the caller's context.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

WORKERS = 40  # store round trips and the rest at once: anyio's default limit, as before
# Costly feed builds worked on at once per process; the others wait their turn. Two, not more:
# the builds are mostly Python, so more threads add no throughput, only more holders of the GIL
# for the event loop to wait behind (a cached /feed beside a burst of interest queries: p99 about
# 30 ms with two, 80 to 110 with four); and not one, so a build that waits on the store does not
# hold up the next.
COSTLY_AT_ONCE = 2

SHARED = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="worker")
COSTLY = ThreadPoolExecutor(max_workers=COSTLY_AT_ONCE, thread_name_prefix="costly")


async def in_thread[T](fn: Callable[..., T], *args, pool: ThreadPoolExecutor = SHARED, **kwargs) -> T:
    """`fn(*args, **kwargs)` on one of `pool`'s threads, awaited."""
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(pool, call)
