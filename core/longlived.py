"""Making objects that last: the cyclic garbage collector paused while they are made, then
told to leave them alone. Pure, no I/O.

    with long_lived():            # a decoded day, a store client and the modules it imports
        ...
    was = pause(); ...; settle(was)   # the same across a module's top level (api.index)

The collector rescans every object it tracks at each full collection, and runs them as a
program makes objects: making a few hundred thousand that stay (a day's records, FastAPI and
its models) triggers a dozen or more full collections that find nothing to free.
`gc.freeze()` moves everything made so far out of its sight for good, so later collections
scan only what is newer. Reference counting, which frees acyclic objects, is not affected:
a day's records are still freed once the day is dropped. Used by api.index, core.store.reader
and core.store.factory.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def pause() -> bool:
    """Stop the collector; returns whether it was running (for `settle`)."""
    was = gc.isenabled()
    gc.disable()
    return was


def settle(was: bool) -> None:
    """Freeze what exists now out of the collector's sight, and run it again if it was."""
    gc.freeze()
    if was:
        gc.enable()


@contextmanager
def long_lived() -> Iterator[None]:
    """`pause()` for the block, then `settle()`, even when it raises."""
    was = pause()
    try:
        yield
    finally:
        settle(was)
