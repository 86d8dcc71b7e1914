"""LLM faults: whatever the provider does, the refresh finishes within its deadline and
publishes the announcement, without the summaries it could not get, saying why.

The whole job runs as production runs it (`refresh_job` over a Context): the real arXiv
client against a loopback FakeArxiv, the real `openai` SDK against a loopback FakeLLM
(or, for a provider that trickles its reply, a raw socket server below), a SQLite store.

The deadline: summaries stop starting at `time_budget_s`, and a call already at the model
ends within the client's time limit (`timeout_s` for each of `max_retries + 1` tries), so a
refresh ends within `time_budget_s + timeout_s * (max_retries + 1)` plus a little work.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import replace

import pytest

from core.config import parse_config
from core.context import Context
from core.refresh.jobs import refresh_job
from tests.support import tally
from tests.support.fake_llm import FakeLLM, Reply
from tests.support.papers import paper
from tests.support.published import complete_version, served
from tests.support.rss import rss_feed
from tests.support.tls import one_ca_bundle  # noqa: F401  (autouse: no CA bundle to load)

KEY = "sk-fault-4b1e9c27d03a5f68"
KEY_ENV = "DASHSCOPE_API_KEY"
DAY = "2026-09-24"
PAPERS = [
    paper(
        f"2609.6000{i}",
        title=f"Sparse attention kernel {i}",
        announced=DAY,
        abstract=f"We make attention kernels faster, take {i}.",
    )
    for i in range(4)
]
BUDGET, TIMEOUT, SLACK = 1.0, 0.5, 1.0


def make_config(**summary):
    """The deployment's config; the time settings go below what config.json allows (1 s) to keep
    the suite fast, so they are set after validation."""
    config = parse_config(
        {
            "categories": ["cs.LG"],
            "keywords": ["attention", "kernel"],
            "ai_summary": {"source": "abstract", "language": "en", "max_workers": 2},
        }
    )
    settings = {"timeout_s": TIMEOUT, "max_retries": 0, "time_budget_s": BUDGET, **summary}
    return replace(config, ai_summary=replace(config.ai_summary, **settings))


@pytest.fixture
def arxiv(arxiv):
    arxiv.route("/rss/", rss_feed(PAPERS, DAY, ["cs.LG"]))
    return arxiv


@pytest.fixture
def llm():
    with FakeLLM() as server:
        yield server


def run(arxiv, tmp_path, base_url: str, config) -> tuple[dict, float, Context]:
    env = arxiv.env(llm_base_url=base_url, secrets={KEY_ENV: KEY}, db_path=str(tmp_path / "store.sqlite3"))
    ctx = Context(config, env)
    started = time.monotonic()
    report = refresh_job(ctx)
    return report, time.monotonic() - started, ctx


def assert_published_without_summaries(ctx: Context, report: dict, elapsed: float, reason: str) -> dict:
    """Within the deadline, every paper published and served, none with a summary, the
    reason reported once per failed paper. Returns the summary report."""
    s = ctx.config.ai_summary
    deadline = s.time_budget_s + s.timeout_s * (s.max_retries + 1) + SLACK
    assert elapsed < deadline, f"the refresh took {elapsed:.1f} s; its deadline is {deadline:.1f} s"
    assert report["status"] == "updated" and report["papers"] == len(PAPERS)
    manifest = complete_version(ctx.store)
    assert manifest.days[0].count == len(PAPERS) and manifest.days[0].summaries == 0
    items = served(ctx.store, ctx.config)["items"]
    assert {i["_arxiv"]["id"] for i in items} == {p.id for p in PAPERS}
    assert not any(i["_arxiv"]["ai_summary"] for i in items)
    summaries = report["summaries"]
    assert summaries["done"] == 0 and summaries["failed"] + summaries["pending"] >= 1
    assert summaries["errors"] and all(reason in e for e in summaries["errors"]), summaries["errors"]
    return summaries


def test_a_rejected_key_names_the_variable_and_never_shows_the_key(arxiv, llm, tmp_path, logs):
    with tally.fault("LLM: 401"):
        llm.default = Reply(status=401, error=f"Incorrect API key provided: {KEY}")
        report, elapsed, ctx = run(arxiv, tmp_path, llm.base_url, make_config())
        assert_published_without_summaries(ctx, report, elapsed, f"check {KEY_ENV}")
        assert KEY not in json.dumps(report) and KEY not in logs.getvalue()


@pytest.mark.parametrize("headers", [{"Retry-After": "20"}, {}], ids=["retry-after-20s", "no-retry-after"])
def test_429_every_time_ends_within_the_deadline(arxiv, llm, tmp_path, headers):
    with tally.fault(f"LLM: 429 {'with' if headers else 'without'} Retry-After"):
        llm.default = Reply(status=429, error="quota exceeded", headers=headers)
        report, elapsed, ctx = run(arxiv, tmp_path, llm.base_url, make_config(max_retries=1))
        # Asked to wait past the time limit, the call is cut off there: a timeout.
        assert_published_without_summaries(ctx, report, elapsed, "timeout" if headers else "HTTP 429")


def test_500_every_time_records_the_reason(arxiv, llm, tmp_path):
    with tally.fault("LLM: 500"):
        llm.default = Reply(status=500, error="upstream overloaded")
        report, elapsed, ctx = run(arxiv, tmp_path, llm.base_url, make_config())
        summaries = assert_published_without_summaries(ctx, report, elapsed, "HTTP 500")
        assert summaries["failed"] == len(PAPERS) and summaries["pending"] == len(PAPERS)


def test_a_provider_slower_than_the_timeout_fails_each_paper_with_a_timeout(arxiv, llm, tmp_path):
    with tally.fault("LLM: timeouts"):
        llm.default = Reply(delay=TIMEOUT + 0.5)
        report, elapsed, ctx = run(arxiv, tmp_path, llm.base_url, make_config())
        assert_published_without_summaries(ctx, report, elapsed, "timeout")


def test_a_provider_that_hangs_past_the_budget_leaves_the_rest_pending(arxiv, llm, tmp_path):
    with tally.fault("LLM: hangs beyond the budget"):
        llm.default = Reply(delay=60)
        report, elapsed, ctx = run(arxiv, tmp_path, llm.base_url, make_config(timeout_s=1.0, time_budget_s=0.5))
        summaries = assert_published_without_summaries(ctx, report, elapsed, "timeout")
        assert summaries["deadline_hit"] or summaries["pending"] == len(PAPERS)


class TricklingServer:
    """An HTTP server that answers 200 and then sends its body one byte every `every` seconds:
    every read succeeds within any per-read timeout, so only a limit on the whole call ends it."""

    def __init__(self, every: float = 0.1):
        self.every = every
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self._sock.getsockname()[1]}/v1"
        self._stop = threading.Event()

    def __enter__(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._sock.close()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        with conn:
            conn.recv(65536)
            body = b" " * 1000 + b"{}"
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
            for byte in body:
                if self._stop.wait(self.every):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return


def test_a_provider_that_trickles_its_reply_is_cut_off_at_the_time_limit(arxiv, tmp_path):
    with tally.fault("LLM: trickles its reply past the time limit"), TricklingServer() as trickle:
        report, elapsed, ctx = run(arxiv, tmp_path, trickle.base_url, make_config())
        assert_published_without_summaries(ctx, report, elapsed, "timeout")


WRONG_REPLIES = {
    "an HTML page": (Reply(body=b"<html><body>Bad gateway</body></html>"), "not a chat completion"),
    "JSON of another shape": (Reply(body=b'{"result": "ok"}'), "empty reply"),
    "a list": (Reply(body=b"[1, 2, 3]"), "not a chat completion"),
    "content that is an object": (
        Reply(body=b'{"choices": [{"message": {"content": {"summary": "x"}}, "finish_reason": "stop"}]}'),
        "not a chat completion",
    ),
    "usage that is not a number": (
        Reply(body=b'{"choices": [{"message": {"content": "## 1. x"}}], "usage": {"prompt_tokens": "many"}}'),
        "not a chat completion",
    ),
    "prose instead of the four sections": (
        Reply(text="I'm sorry, but I can't summarise this paper."),
        "does not follow the requested format",
    ),
}


@pytest.mark.parametrize("kind", list(WRONG_REPLIES))
def test_a_reply_that_is_not_the_asked_structure_is_refused_with_its_reason(arxiv, llm, tmp_path, kind):
    """Decision: a reply that is not a chat completion, or whose text has none of the sections
    the built-in prompt asks for (a refusal, a chat answer, an error page passed through), is
    refused: the paper is served without a summary, the reason is recorded, and a later run
    tries again (up to `max_attempts`). Tokens it cost still count against the budget."""
    with tally.fault(f"LLM: reply is {kind}"):
        reply, reason = WRONG_REPLIES[kind]
        llm.default = reply
        report, elapsed, ctx = run(arxiv, tmp_path, llm.base_url, make_config())
        summaries = assert_published_without_summaries(ctx, report, elapsed, reason)
        assert summaries["failed"] == len(PAPERS) and "unexpected" not in json.dumps(summaries)
        if "sections" in kind:
            assert summaries["tokens"]["prompt"] == 1000 * len(PAPERS)  # refused, but paid for


def test_a_reply_with_some_of_the_sections_is_kept(arxiv, llm, tmp_path):
    """A reply cut short (say by the output token limit) still has sections: it is kept."""
    llm.default = Reply(
        text="## 1. Main contributions and novelty\nA faster kernel.\n\n## 2. Experimental", finish_reason="length"
    )
    report, _, ctx = run(arxiv, tmp_path, llm.base_url, make_config())
    assert report["summaries"]["done"] == len(PAPERS)
    assert all(i["_arxiv"]["ai_summary"] for i in served(ctx.store, ctx.config)["items"])
