"""A tool a suite needs is missing: skip on a laptop, fail in CI.

    missing("redis-server not installed: apt-get install redis-server", "REQUIRE_REDIS")

CI exports REQUIRE_REDIS=1, REQUIRE_BROWSER=1, REQUIRE_VERCEL=1 and REQUIRE_READERS=1
(.ci/run), so a suite it depends on can never pass there by being skipped.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing(reason: str, flag: str) -> NoReturn:
    if os.environ.get(flag) == "1":
        pytest.fail(f"{reason}; {flag}=1 demands it")
    pytest.skip(reason)
