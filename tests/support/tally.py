"""The figures of the fault and fuzz suite, printed as one line at the end of a run:

    faults survived: 41/41, fuzz cases: 1200, 500s: 0, partial publishes: 0

Tests report into this module directly (no fixture, no conftest state):

    with tally.fault("arXiv: connection refused"):   # counted as run; as survived if the block passes
        ...
    tally.fuzz_case(status)                          # one generated request and its HTTP status
    tally.partial_publish()                          # called by the integrity check when it finds one

`tests/conftest.py` prints `summary_line()` from its `pytest_terminal_summary` hook;
nothing is printed when no test of the suite ran.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

faults_run: list[str] = []
faults_survived: list[str] = []
fuzz_cases = 0
server_errors = 0
partial_publishes = 0


@contextlib.contextmanager
def fault(name: str) -> Iterator[None]:
    """Count one fault scenario; it survived when the block finishes without an exception."""
    faults_run.append(name)
    yield
    faults_survived.append(name)


def fuzz_case(status: int) -> None:
    """Count one generated request; a 5xx status is also counted as a server error."""
    global fuzz_cases, server_errors
    fuzz_cases += 1
    if status >= 500:
        server_errors += 1


def server_error() -> None:
    """Count a 5xx seen outside `fuzz_case` (e.g. by a schemathesis check)."""
    global server_errors
    server_errors += 1


def partial_publish() -> None:
    global partial_publishes
    partial_publishes += 1


def summary_line() -> str | None:
    """The one-line summary, or None when no fault or fuzz test ran."""
    if not faults_run and not fuzz_cases:
        return None
    return (
        f"faults survived: {len(faults_survived)}/{len(faults_run)}, fuzz cases: {fuzz_cases}, "
        f"500s: {server_errors}, partial publishes: {partial_publishes}"
    )
