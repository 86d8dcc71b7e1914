"""Structured logs: one line per event (`level=info event=refresh.fetched papers=1500`).

Values are single-line and never secrets: callers pass counts, keys and reasons only.
"""

from __future__ import annotations

import logging
import sys

logger = logging.getLogger("arxiv_rss")


def setup(level: str = "INFO", stream=None) -> None:
    """Send project logs to `stream` (stderr) once; repeated calls only change the level."""
    if not logger.handlers:
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s level=%(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(level)


def _fmt(value: object) -> str:
    text = " ".join(str(value).split())
    return f'"{text}"' if (" " in text or not text) else text


def event(name: str, level: int = logging.INFO, **fields: object) -> None:
    logger.log(level, "event=%s %s", name, " ".join(f"{k}={_fmt(v)}" for k, v in fields.items()))


def warning(name: str, **fields: object) -> None:
    event(name, logging.WARNING, **fields)
