"""A store that forwards to a real backend and counts the commands it is sent."""

from collections import Counter


class CountingStore:
    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.local = getattr(inner, "local", False)
        self.calls: Counter = Counter()

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def __getattr__(self, method):
        target = getattr(self.inner, method)

        def counted(*args, **kwargs):
            self.calls[method] += 1
            return target(*args, **kwargs)

        return counted
