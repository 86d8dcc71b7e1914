"""ArxivClient against FakeArxiv, a real loopback HTTP server: politeness, retries, errors.

The rate limit runs on a fake clock (injected `sleep` and `monotonic`) so waits are
recorded, not slept; the HTTP traffic is real.
"""

from __future__ import annotations

import socket
import threading
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from core.config import Env
from core.errors import ArxivApiError, UpstreamError
from core.ingest.client import ArxivClient, backfill_query, retry_after_seconds, user_agent
from tests.conftest import shared_fixture


class Clock:
    """A monotonic clock that only moves when slept on; remembers every wait."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def make_client(clock):
    clients = []

    def make(env, **kwargs) -> ArxivClient:
        kwargs.setdefault("sleep", clock.sleep)
        kwargs.setdefault("monotonic", clock.monotonic)
        client = ArxivClient(env, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def query_params(path: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}


def api_page(n_entries: int, total: int, start: int = 0) -> bytes:
    """A small API Atom page in the shape of ../shared/fixtures/arxiv/api_2026_search_*.xml."""
    entries = "".join(
        f"""
  <entry>
    <id>http://arxiv.org/abs/2601.{start + i:05d}v1</id>
    <title>Paper {start + i}</title>
    <updated>2026-01-05T10:00:00Z</updated>
    <link href="https://arxiv.org/abs/2601.{start + i:05d}v1" rel="alternate" type="text/html"/>
    <summary>Abstract {start + i}.</summary>
    <category term="cs.AI" scheme="http://arxiv.org/schemas/atom"/>
    <published>2026-01-05T10:00:00Z</published>
    <arxiv:primary_category term="cs.AI"/>
    <author><name>A. Author</name></author>
  </entry>"""
        for i in range(n_entries)
    )
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom"
      xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/synthetic</id>
  <title>arXiv Query: synthetic</title>
  <updated>2026-01-06T00:00:00Z</updated>
  <opensearch:itemsPerPage>{n_entries}</opensearch:itemsPerPage>
  <opensearch:totalResults>{total}</opensearch:totalResults>
  <opensearch:startIndex>{start}</opensearch:startIndex>{entries}
</feed>
""".encode()


# --- identity and request shape --------------------------------------------------------


def test_user_agent_names_the_contact(arxiv, make_client):
    arxiv.route("/rss/", b"<rss/>")
    make_client(arxiv.env(), contact="me@example.org").fetch_feed(["cs.AI"])
    agent = arxiv.requests[0].headers["user-agent"]
    assert agent.startswith("arxiv-rss/")
    assert "mailto:me@example.org" in agent


@pytest.mark.parametrize(
    "contact, repository, expected",
    [
        ("", "", "arxiv-rss/0.1"),
        ("me@example.org", "", "arxiv-rss/0.1 (mailto:me@example.org)"),
        ("me@example.org", "https://github.com/o/r", "arxiv-rss/0.1 (+https://github.com/o/r; mailto:me@example.org)"),
    ],
)
def test_user_agent_leaves_out_empty_parts(contact, repository, expected):
    assert user_agent(contact, repository) == expected


def test_feed_for_several_categories_is_one_request(arxiv, make_client):
    arxiv.route("/rss/cs.AI+cs.LG", b"<rss>both</rss>")
    body = make_client(arxiv.env()).fetch_feed(["cs.AI", "cs.LG"])
    assert body == b"<rss>both</rss>"
    assert arxiv.paths() == ["/rss/cs.AI+cs.LG"]


def test_feed_format_is_part_of_the_path(arxiv, make_client):
    arxiv.route("/atom/cs.CL", b"<feed/>")
    assert make_client(arxiv.env()).fetch_feed(["cs.CL"], fmt="atom") == b"<feed/>"


def test_query_sends_arxiv_parameters(arxiv, make_client):
    arxiv.route("/api/query", b"<feed/>")
    make_client(arxiv.env()).query("cat:cs.AI AND ti:agents", start=10, max_results=5)
    assert query_params(arxiv.paths()[0]) == {
        "search_query": "cat:cs.AI AND ti:agents",
        "start": "10",
        "max_results": "5",
        "sortBy": "submittedDate",
        "sortOrder": "descending",
    }


def test_fetch_ids_asks_in_batches(arxiv, make_client):
    arxiv.route("/api/query", b"<feed/>")
    bodies = list(make_client(arxiv.env()).fetch_ids(["2601.00001", "2601.00002", "hep-ex/0406020"], batch=2))
    assert len(bodies) == 2
    asked = [query_params(p) for p in arxiv.paths()]
    assert [(a["id_list"], a["max_results"]) for a in asked] == [
        ("2601.00001,2601.00002", "2"),
        ("hep-ex/0406020", "1"),
    ]
    assert all("search_query" not in a and "sortBy" not in a for a in asked)


def test_backfill_query_covers_whole_days_of_every_category():
    assert backfill_query(["cs.AI", "cs.LG"], date(2026, 4, 1), date(2026, 4, 3)) == (
        "(cat:cs.AI OR cat:cs.LG) AND submittedDate:[202604010000 TO 202604032359]"
    )


# --- politeness ------------------------------------------------------------------------


def test_requests_start_at_least_min_interval_apart_across_methods(arxiv, make_client, clock):
    arxiv.route("/rss/", b"<rss/>")
    arxiv.route("/api/query", b"<feed/>")
    arxiv.route("/html/", b"<html/>")
    client = make_client(arxiv.env(arxiv_min_interval=3))
    client.fetch_feed(["cs.AI"])
    client.query("all:test")
    client.get_web("/html/2609.26811v1")
    assert clock.sleeps == pytest.approx([3.0, 3.0])
    assert client.requests_made == 3 == len(arxiv.requests)


def test_min_interval_is_shared_by_threads(arxiv, make_client, clock):
    arxiv.route("/html/", b"<html/>")
    client = make_client(arxiv.env(arxiv_min_interval=3))
    threads = [threading.Thread(target=client.get_web, args=(f"/html/2601.0000{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(arxiv.requests) == 4
    assert clock.sleeps == pytest.approx([3.0, 3.0, 3.0])


def test_retry_after_on_429_is_honoured(arxiv, make_client, clock):
    arxiv.enqueue("/rss/", status=429, headers={"Retry-After": "7"})
    arxiv.route("/rss/", b"<rss/>")
    client = make_client(arxiv.env())
    assert client.fetch_feed(["cs.AI"]) == b"<rss/>"
    assert clock.sleeps and max(clock.sleeps) >= 7
    assert client.requests_made == 2


def test_a_wait_past_the_request_budget_ends_the_request_at_once(arxiv, make_client, clock):
    arxiv.route("/rss/", status=429, headers={"Retry-After": "100"})
    client = make_client(arxiv.env())
    client.request_budget = 150
    with pytest.raises(UpstreamError, match=r"HTTP 429; waiting 100 s more would pass the 150 s"):
        client.fetch_feed(["cs.AI"])
    assert client.requests_made == 2  # waited 100 s once, then stopped instead of waiting again


@pytest.mark.parametrize(
    "header, expected",
    [
        (None, None),
        ("7", 7.0),
        ("0", 0.0),
        ("100000", 120.0),
        ("soon", None),
        ("date+30", 30.0),
        ("date-30", 0.0),
    ],
)
def test_retry_after_reads_seconds_and_http_dates_and_caps_the_wait(header, expected):
    now = datetime(2026, 4, 27, 12, 0, tzinfo=UTC)
    if header and header.startswith("date"):
        header = format_datetime(now + timedelta(seconds=int(header[4:])), usegmt=True)
    assert retry_after_seconds(header, now=now) == expected


def test_503_then_200_succeeds(arxiv, make_client, clock):
    arxiv.enqueue("/api/query", status=503)
    arxiv.route("/api/query", b"<feed/>")
    assert make_client(arxiv.env()).query("all:test") == b"<feed/>"
    assert len(arxiv.requests) == 2
    assert len(clock.sleeps) == 1 and 2 <= clock.sleeps[0] <= 3  # first backoff step, with jitter


def test_503_forever_gives_one_line_after_max_attempts(arxiv, make_client, clock):
    arxiv.route("/rss/", status=503)
    client = make_client(arxiv.env(), max_attempts=3)
    with pytest.raises(UpstreamError) as caught:
        client.fetch_feed(["cs.AI", "cs.LG"])
    assert str(caught.value) == f"arXiv feed {arxiv.url}/rss/cs.AI+cs.LG: HTTP 503 after 3 attempts"
    assert len(arxiv.requests) == 3
    assert clock.sleeps[1] > clock.sleeps[0]  # backoff grows


def test_timeout_is_retried_then_reported(arxiv, make_client):
    arxiv.route("/rss/", b"<rss/>", delay=0.5)
    client = make_client(arxiv.env(), timeout=0.1, max_attempts=2)
    with pytest.raises(UpstreamError, match=r"^arXiv feed .*/rss/cs.AI: timed out \(limit 0.1 s\) after 2 attempts$"):
        client.fetch_feed(["cs.AI"])
    assert len(arxiv.requests) == 2


def test_timeout_then_answer_succeeds(arxiv, make_client):
    arxiv.enqueue("/rss/", b"<slow/>", delay=0.5)
    arxiv.route("/rss/", b"<rss/>")
    assert make_client(arxiv.env(), timeout=0.1).fetch_feed(["cs.AI"]) == b"<rss/>"


def test_dropped_connection_is_retried(arxiv, make_client):
    arxiv.enqueue("/rss/", drop=True)
    arxiv.route("/rss/", b"<rss/>")
    assert make_client(arxiv.env()).fetch_feed(["cs.AI"]) == b"<rss/>"
    assert len(arxiv.requests) == 2


def test_truncated_body_is_retried_then_reported(arxiv, make_client):
    arxiv.route("/rss/", b"<rss>" + b"x" * 1000 + b"</rss>", truncate=100)
    with pytest.raises(UpstreamError, match="connection closed mid-response after 2 attempts$"):
        make_client(arxiv.env(), max_attempts=2).fetch_feed(["cs.AI"])


def test_refused_connection_is_an_upstream_error_at_once_without_a_retry(make_client):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = Env(arxiv_rss_base=f"http://127.0.0.1:{port}", arxiv_min_interval=0)
    client = make_client(env, max_attempts=5)
    with pytest.raises(UpstreamError, match=r"cannot connect \(refused, or no network\)$"):
        client.fetch_feed(["cs.AI"])
    assert client.requests_made == 1


# --- errors that are not retried ---------------------------------------------------------


def test_feed_404_is_not_retried(arxiv, make_client):
    client = make_client(arxiv.env())
    with pytest.raises(UpstreamError, match=r"/rss/cs.XX: HTTP 404$"):
        client.fetch_feed(["cs.XX"])
    assert client.requests_made == 1


def test_api_400_with_error_entry_carries_arxivs_message(arxiv, make_client):
    pytest.importorskip("core.ingest.parse")
    arxiv.route("/api/query", shared_fixture("api_2026_error_http400_incorrect_id_format_abc.xml"), status=400)
    with pytest.raises(ArxivApiError, match="incorrect id format for abc"):
        list(make_client(arxiv.env()).fetch_ids(["abc"]))
    assert len(arxiv.requests) == 1


def test_api_400_without_error_entry_is_an_upstream_error(arxiv, make_client):
    pytest.importorskip("core.ingest.parse")
    arxiv.route("/api/query", b"Bad Request", status=400)
    with pytest.raises(UpstreamError, match="HTTP 400$") as caught:
        make_client(arxiv.env()).query("all:test")
    assert not isinstance(caught.value, ArxivApiError)


# --- web pages -------------------------------------------------------------------------


def test_get_web_returns_the_page(arxiv, make_client):
    arxiv.route("/html/2609.26811v1", b"<html>paper</html>", headers={"Content-Type": "text/html"})
    response = make_client(arxiv.env()).get_web("/html/2609.26811v1")
    assert response is not None and response.content == b"<html>paper</html>"


def test_get_web_404_is_none(arxiv, make_client):
    assert make_client(arxiv.env()).get_web("/html/2609.99999v1") is None
    assert len(arxiv.requests) == 1


def test_get_web_server_error_is_an_upstream_error(arxiv, make_client):
    arxiv.route("/pdf/", status=500)
    with pytest.raises(UpstreamError, match=r"^arXiv page .*/pdf/2609.26811v1: HTTP 500 after 2 attempts$"):
        make_client(arxiv.env(), max_attempts=2).get_web("/pdf/2609.26811v1")


# --- paging through the API --------------------------------------------------------------


def test_paging_stops_after_a_short_page(arxiv, make_client):
    pytest.importorskip("core.ingest.parse")
    for start, n in [(0, 2), (2, 2), (4, 1)]:
        arxiv.enqueue("/api/query", api_page(n, total=9, start=start))
    pages = list(make_client(arxiv.env()).search_pages("cat:cs.AI", page_size=2))
    assert len(pages) == 3
    assert [query_params(p)["start"] for p in arxiv.paths()] == ["0", "2", "4"]


def test_paging_stops_once_total_results_are_reached(arxiv, make_client):
    pytest.importorskip("core.ingest.parse")
    arxiv.enqueue("/api/query", api_page(2, total=4))
    arxiv.enqueue("/api/query", api_page(2, total=4, start=2))
    arxiv.enqueue("/api/query", api_page(2, total=4, start=4))  # must not be asked for
    assert len(list(make_client(arxiv.env()).search_pages("cat:cs.AI", page_size=2))) == 2
    assert len(arxiv.requests) == 2


def test_paging_stops_at_max_results(arxiv, make_client):
    pytest.importorskip("core.ingest.parse")
    arxiv.enqueue("/api/query", api_page(2, total=100))
    arxiv.enqueue("/api/query", api_page(1, total=100, start=2))
    list(make_client(arxiv.env()).search_pages("cat:cs.AI", page_size=2, max_results=3))
    assert [query_params(p)["max_results"] for p in arxiv.paths()] == ["2", "1"]


def test_page_size_is_capped_at_arxivs_limit(arxiv, make_client):
    pytest.importorskip("core.ingest.parse")
    arxiv.route("/api/query", api_page(0, total=0))
    assert len(list(make_client(arxiv.env()).search_pages("cat:cs.AI", page_size=5000))) == 1
    assert query_params(arxiv.paths()[0])["max_results"] == "2000"
