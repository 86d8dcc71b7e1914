"""The one HTTP client for arXiv: announcement feeds, the query API and paper web pages.

Every request goes through one rate limit and one retry policy, shared by all
methods and all threads, so the service never asks arXiv faster than
`Env.arxiv_min_interval` allows:

- at least `arxiv_min_interval` seconds between the starts of consecutive requests;
- 429, 500, 502, 503, 504, timeouts and connections closed mid-response are retried
  with exponential backoff and jitter, honouring `Retry-After` (capped at MAX_WAIT);
  a connection that cannot be made at all (refused, no route, no DNS: the machine is
  offline or arXiv's address is wrong) is not, and fails at once: waiting seconds
  does not bring a network back, and `make run` offline should say so in one line;
- one request spends at most `request_budget` seconds on attempts and waits (a
  serverless run has 300 s in all): a wait that would pass it ends the request;
- before each wait between attempts, `on_wait` (when set) receives one line saying
  what failed and how long the client waits, so a command line is never silent
  through the backoff;
- each attempt, headers and body, must end within `deadline` seconds (ARXIV_DEADLINE,
  default 60) and its body, decompressed, may hold at most `max_body_bytes`
  (ARXIV_MAX_BODY_MB, default 50 MB; a real combined day is a few MB). The body is
  read in chunks, so a larger one stops at the cap in memory too; a server that
  drips bytes fails at the deadline, however slowly it sends. Either is an
  `UpstreamError` at once, not retried: one more try would cost as much again;
- after `max_attempts` tries, or on any other failure status, `UpstreamError`
  with one line naming what failed; a 400 from the API that carries an arXiv
  error entry raises `ArxivApiError` with arXiv's own message.

Bodies come back as bytes; parsing lives in `core.ingest.parse`.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

import httpx

from core.config import Env
from core.errors import ArxivApiError, ConfigError, UpstreamError

PRODUCT = "arxiv-rss/0.1"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_WAIT = 120.0
REQUEST_BUDGET = 150.0
BACKOFF_BASE = 2.0
API_PAGE_LIMIT = 2000
DEADLINE = 60.0
DEADLINE_VAR = "ARXIV_DEADLINE"
MAX_BODY_MB = 50
MAX_BODY_VAR = "ARXIV_MAX_BODY_MB"
MB = 1024 * 1024


class BodyOverrun(Exception):
    """An answer that broke a bound (time or size): `reason` says which, in one line."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def body_bounds(env: Env) -> tuple[float, int]:
    """(deadline in seconds, body cap in bytes) from ARXIV_DEADLINE and ARXIV_MAX_BODY_MB in
    `env`'s environment, else the defaults. Raises ConfigError naming the variable."""
    deadline = _positive(env.secret(DEADLINE_VAR), DEADLINE, DEADLINE_VAR, "a number of seconds above 0")
    size = _positive(env.secret(MAX_BODY_VAR), MAX_BODY_MB, MAX_BODY_VAR, "a number of megabytes above 0")
    return deadline, int(size * MB)


def _positive(text: str, default: float, var: str, what: str) -> float:
    if not text.strip():
        return float(default)
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 1e9:
        raise ConfigError(var, f"{text[:40]!r} is not {what}")
    return value


def read_bounded(
    response: httpx.Response, seconds: float, started: float, max_bytes: int, clock=time.monotonic
) -> bytes:
    """The decompressed body of a streamed `response`, read in chunks. Raises BodyOverrun
    once it passes `max_bytes`, or once `clock` passes `started + seconds` (each read
    itself waits no longer than the client's read timeout, which `_send` keeps within
    the deadline)."""
    chunks, size = [], 0
    for chunk in response.iter_bytes():  # each chunk as it arrives (a chunk_size would buffer)
        size += len(chunk)
        if size > max_bytes:
            raise BodyOverrun(f"arXiv's response is larger than {max_bytes / MB:g} MB ({MAX_BODY_VAR})")
        chunks.append(chunk)
        _check_deadline(seconds, started, clock)
    _check_deadline(seconds, started, clock)
    return b"".join(chunks)


def _check_deadline(seconds: float, started: float, clock) -> None:
    if clock() - started > seconds:
        raise BodyOverrun(f"arXiv's response took longer than {seconds:g} s ({DEADLINE_VAR})")


def user_agent(contact: str = "", repository: str = "") -> str:
    """`arxiv-rss/0.1 (+<repository>; mailto:<contact>)`, leaving out the empty parts."""
    parts = [f"+{repository}" if repository else "", f"mailto:{contact}" if contact else ""]
    details = "; ".join(p for p in parts if p)
    return f"{PRODUCT} ({details})" if details else PRODUCT


def backfill_query(categories: Sequence[str], since: date, until: date) -> str:
    """An API search for papers in any of `categories` submitted from `since` to `until`, inclusive."""
    cats = " OR ".join(f"cat:{c}" for c in categories)
    return f"({cats}) AND submittedDate:[{since:%Y%m%d}0000 TO {until:%Y%m%d}2359]"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds asked for by a `Retry-After` header (delta-seconds or HTTP-date), capped at
    MAX_WAIT; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_WAIT)


class ArxivClient:
    """A polite client for everything arXiv. Use as a context manager, or call `close()`.

    `sleep` and `monotonic` are injectable so tests can run the rate limit on a fake clock.
    `requests_made` counts every attempt sent, retries included. `on_wait(line)` is called
    before each wait for a retry (the command line prints it; None says nothing).
    """

    def __init__(
        self,
        env: Env,
        contact: str = "",
        *,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        timeout: float = 30.0,
        max_attempts: int = 5,
        repository: str = "",
        request_budget: float = REQUEST_BUDGET,
        on_wait: Callable[[str], None] | None = None,
        deadline: float | None = None,
        max_body_bytes: int | None = None,
    ):
        self.env = env
        self.timeout = timeout
        default_deadline, default_cap = body_bounds(env)
        self.deadline = default_deadline if deadline is None else deadline
        self.max_body_bytes = default_cap if max_body_bytes is None else max_body_bytes
        self.max_attempts = max(1, max_attempts)
        self.request_budget = request_budget
        self.requests_made = 0
        self.on_wait = on_wait
        self._sleep = sleep
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._last_start: float | None = None
        self._not_before = 0.0
        self._random = random.Random()
        self._http = httpx.Client(
            headers={"User-Agent": user_agent(contact, repository)},
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=30.0),
            follow_redirects=True,
        )

    def __enter__(self) -> ArxivClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- the three kinds of arXiv resource -------------------------------------------

    def fetch_feed(self, categories: Sequence[str], fmt: str = "rss") -> bytes:
        """The announcement feed (`rss` or `atom`) for all `categories` in one request.
        Raises UpstreamError."""
        if not categories:
            raise ValueError("fetch_feed needs at least one category")
        url = f"{self.env.arxiv_rss_base}/{fmt}/{'+'.join(categories)}"
        what = f"arXiv feed {url}"
        response = self._get(url, what)
        if response.status_code != 200:
            raise UpstreamError(f"{what}: HTTP {response.status_code}")
        return response.content

    def query(
        self,
        search_query: str | None = None,
        id_list: Sequence[str] = (),
        start: int = 0,
        max_results: int = 100,
        sort_by: str = "submittedDate",
        sort_order: str = "descending",
    ) -> bytes:
        """One page of the query API as Atom bytes. Empty `sort_by` leaves ordering to arXiv.
        Raises ArxivApiError when arXiv answers with an error entry, UpstreamError otherwise."""
        params: dict[str, str | int] = {}
        if search_query:
            params["search_query"] = search_query
        if id_list:
            params["id_list"] = ",".join(id_list)
        params.update(start=start, max_results=max_results)
        if sort_by:
            params.update(sortBy=sort_by, sortOrder=sort_order)
        url = self.env.arxiv_api_base
        what = f"arXiv API {_describe(search_query, id_list, start)}"
        response = self._get(url, what, params)
        if response.status_code == 200:
            return response.content
        if response.status_code == 400:
            from core.ingest.parse import api_error_message

            message = api_error_message(response.content)
            if message:
                raise ArxivApiError(f"{what}: {message}")
        raise UpstreamError(f"{what}: HTTP {response.status_code}")

    def search_pages(
        self, search_query: str, page_size: int = API_PAGE_LIMIT, max_results: int = 10000
    ) -> Iterator[bytes]:
        """Every page of one API search, up to `max_results` entries. Stops after a short
        page or once arXiv's `totalResults` is reached. Raises as `query` does."""
        from core.ingest.parse import parse_feed

        page_size = max(1, min(page_size, API_PAGE_LIMIT))
        start = 0
        while start < max_results:
            size = min(page_size, max_results - start)
            body = self.query(search_query, start=start, max_results=size)
            yield body
            parsed = parse_feed(body)
            start += size
            total = parsed.total_results
            if len(parsed.papers) + parsed.skipped < size or (total is not None and start >= total):
                return

    def fetch_ids(self, ids: Sequence[str], batch: int = 100) -> Iterator[bytes]:
        """API responses for `ids`, `batch` ids per request, in the order given."""
        batch = max(1, min(batch, API_PAGE_LIMIT))
        for i in range(0, len(ids), batch):
            chunk = ids[i : i + batch]
            yield self.query(id_list=chunk, max_results=len(chunk), sort_by="")

    def get_web(self, path: str, max_bytes: int | None = None) -> httpx.Response | None:
        """GET `{arxiv_web_base}{path}` (e.g. `/html/2609.26811v1`): the response on 200,
        None on 404. Raises UpstreamError on anything else, and on a body above
        `max_bytes` (at most the client's own cap)."""
        url = f"{self.env.arxiv_web_base}{path}"
        what = f"arXiv page {url}"
        response = self._get(url, what, max_bytes=max_bytes)
        if response.status_code == 200:
            return response
        if response.status_code == 404:
            return None
        raise UpstreamError(f"{what}: HTTP {response.status_code}")

    # --- politeness: one rate limit, one retry policy --------------------------------

    def _get(self, url: str, what: str, params: dict | None = None, max_bytes: int | None = None) -> httpx.Response:
        """GET with rate limit and retries. Returns the first response whose status is not
        retryable; raises UpstreamError once every attempt has failed, or at once when an
        answer breaks the deadline or the size cap."""
        failure = ""
        started = self._monotonic()
        cap = self.max_body_bytes if max_bytes is None else min(max_bytes, self.max_body_bytes)
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self._send(url, params, cap)
            except BodyOverrun as exc:
                raise UpstreamError(f"{what}: {exc.reason}") from None
            except httpx.TransportError as exc:
                if not retryable_transport(exc):
                    raise UpstreamError(f"{what}: {self._transport_failure(exc)}") from None
                failure, wait = self._transport_failure(exc), self._backoff(attempt)
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                failure = f"HTTP {response.status_code}"
                asked = retry_after_seconds(response.headers.get("Retry-After"))
                wait = self._backoff(attempt) if asked is None else asked
            self._hold_off(wait)  # later requests honour it too
            spent = self._monotonic() - started
            if attempt < self.max_attempts and spent + wait > self.request_budget:
                raise UpstreamError(
                    f"{what}: {failure}; waiting {wait:g} s more would pass the "
                    f"{self.request_budget:g} s this request may take"
                )
            if attempt < self.max_attempts and self.on_wait is not None:
                self.on_wait(
                    f"{what}: {failure}; trying again in {wait:.0f} s "
                    f"(attempt {attempt + 1} of {self.max_attempts}, waits grow to be polite to arXiv)"
                )
        tries = "1 attempt" if self.max_attempts == 1 else f"{self.max_attempts} attempts"
        raise UpstreamError(f"{what}: {failure} after {tries}")

    def _send(self, url: str, params: dict | None, max_bytes: int) -> httpx.Response:
        """One attempt, its body read within the deadline and the cap (read_bounded): a
        response holding the decompressed body. Raises BodyOverrun, httpx.TransportError."""
        # The lock spans wait and request: with one connection the requests are serial anyway,
        # and a hold-off asked for by arXiv then applies to every thread.
        with self._lock:
            self._wait_turn()
            self.requests_made += 1
            started = time.monotonic()  # real time: the deadline bounds real waiting on the network
            timeout = httpx.Timeout(min(self.timeout, self.deadline))
            request = self._http.build_request("GET", url, params=params, timeout=timeout)
            streamed = self._http.send(request, stream=True)
            try:
                body = read_bounded(streamed, self.deadline, started, max_bytes)
            finally:
                streamed.close()
        headers = [(k, v) for k, v in streamed.headers.multi_items() if k not in ("content-encoding", "content-length")]
        return httpx.Response(streamed.status_code, headers=headers, content=body, request=request)

    def _wait_turn(self) -> None:
        now = self._monotonic()
        earliest = self._not_before
        if self._last_start is not None:
            earliest = max(earliest, self._last_start + self.env.arxiv_min_interval)
        if earliest > now:
            self._sleep(earliest - now)
        # Count from the planned start, so a fake clock in tests keeps the same schedule.
        self._last_start = max(earliest, self._monotonic())

    def _hold_off(self, seconds: float) -> None:
        with self._lock:
            self._not_before = max(self._not_before, self._monotonic() + seconds)

    def _backoff(self, attempt: int) -> float:
        if attempt >= self.max_attempts:
            return 0.0  # no further attempt to wait for
        delay = BACKOFF_BASE * 2 ** (attempt - 1)
        return min(MAX_WAIT, delay * self._random.uniform(1.0, 1.5))

    def _transport_failure(self, exc: httpx.TransportError) -> str:
        if isinstance(exc, httpx.TimeoutException):
            return f"timed out (limit {self.timeout:g} s)"
        if isinstance(exc, httpx.ConnectError):
            return "cannot connect (refused, or no network)"
        if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
            return "connection closed mid-response"
        return f"network error ({exc.__class__.__name__})"


def retryable_transport(exc: httpx.TransportError) -> bool:
    """Whether another attempt may succeed: yes for timeouts (a connect timeout included)
    and broken responses, no for a connection refused or never routed (httpx.ConnectError)."""
    return isinstance(exc, httpx.TimeoutException) or not isinstance(exc, httpx.ConnectError)


def _describe(search_query: str | None, id_list: Sequence[str], start: int) -> str:
    """A short name for one API request, fit for an error line."""
    if id_list:
        shown = ",".join(id_list[:3]) + (f",... ({len(id_list)} ids)" if len(id_list) > 3 else "")
        return f"id_list={shown}"
    query = search_query or ""
    query = query if len(query) <= 120 else query[:117] + "..."
    return f"search_query={query!r} start={start}"
