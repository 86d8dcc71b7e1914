"""Long-lived read-path data kept out of the cyclic garbage collector's full passes.

    settle()   # after decoding days or building a day's word index

A server holds hundreds of thousands of objects that live as long as the data: decoded
papers, their tuples and strings, each day's word index. The collector's full pass,
which the allocations of ordinary requests trigger every so often, walks all of them,
and on 14 days x 1,500 papers that costs about a millisecond a request on average.
`settle()` collects young cyclic garbage, then moves every object alive into the
permanent generation (`gc.freeze`), which no collection walks. Frozen objects are still
freed by reference counting when the data they belong to is dropped (days and indexes
hold no reference cycles); only a cycle frozen while alive would stay.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Move the objects alive now out of the collector's way (see the module docstring)."""
    gc.collect(1)
    gc.freeze()
