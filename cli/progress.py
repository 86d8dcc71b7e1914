"""A spinner beside a line of text while a long command step runs, on a terminal only.

    with Progress("Refreshing from arXiv"):
        ...

Written to stderr (or `stream`) from a background thread, a frame every tenth of a second,
and the line cleared when the step ends. On anything but a terminal it writes nothing: log
lines tell the story there. The standard library only: the package the command line used
for this before also made every `import httpx` load httpx's own command-line tool (and the
function's cold start pay for it), as httpx imports that tool whenever its extras are
installed.
"""

from __future__ import annotations

import itertools
import sys
import threading

FRAMES = "|/-\\"
INTERVAL_S = 0.1


class Progress:
    def __init__(self, text: str, stream=None):
        self.text = text
        self.stream = stream if stream is not None else sys.stderr
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Progress:
        if self.stream.isatty():
            self._thread = threading.Thread(target=self._spin, name="progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> bool:
        if self._thread is not None:
            self._done.set()
            self._thread.join()
        return False

    def _spin(self) -> None:
        for frame in itertools.cycle(FRAMES):
            self._write(f"\r{frame} {self.text}")
            if self._done.wait(INTERVAL_S):
                break
        self._write("\r\x1b[2K")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away (closed, or a broken pipe)
            self._done.set()
