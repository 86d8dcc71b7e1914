"""Day segments carry their word index, and summary records their rendered HTML.

A day written by the refresh (core.store.layout.day_parts) holds, in each part, the word
index of that part's papers; a day read back (day_from_parts) answers custom queries from
it without building one, with the same results as scoring every paper, in one part or
several. A day stored before (no `words`), or with an unreadable index, is indexed on read
as before. A summary record made at refresh holds its sanitised HTML, which feeds then use.
"""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from core.errors import StoreError
from core.models import Day, Scored
from core.rank import prefilter
from core.rank.prefilter import DayIndex, index_of, stored_words
from core.rank.selection import select_papers
from core.store import layout
from core.store.layout import ZSTD_MAGIC, compressed, day_from_parts, day_parts, decode, decompressed, encode
from core.text import safe_html
from tests.test_prefilter import CONFIG, KEYWORD_SETS, custom, fixture_papers, score_everything, three_days


@pytest.fixture(scope="module")
def days() -> list[Day]:
    return three_days(fixture_papers())


def stored(day: Day) -> Day:
    """The day as a reader gets it back from the store."""
    return day_from_parts(day.date, [decode(encode(p), "day") for p in day_parts(day, stored_words)])


def same_index(a: DayIndex, b: DayIndex) -> bool:
    return a.count == b.count and all(
        (x.tokens, x.positions.tolist(), x.offsets.tolist()) == (y.tokens, y.positions.tolist(), y.offsets.tolist())
        for x, y in ((a.anywhere, b.anywhere), (a.title, b.title))
    )


@pytest.fixture
def builds(monkeypatch) -> list[int]:
    """Counts the word indexes built from papers from now on."""
    count: list[int] = []
    real = DayIndex.__init__

    def counting(self, papers):
        count.append(len(papers))
        real(self, papers)

    monkeypatch.setattr(DayIndex, "__init__", counting)
    return count


def test_a_stored_day_brings_its_index_and_none_is_built_on_read(days, builds):
    read = [stored(day) for day in days]
    written = len(builds)
    for day, back in zip(days, read, strict=True):
        assert same_index(index_of(back), DayIndex(day.papers))
    assert builds[written:] == [len(day.papers) for day in days]  # only the comparison's own
    builds.clear()
    for keywords in KEYWORD_SETS[:6]:
        assert select_papers(read, custom(keywords, ("survey",)), CONFIG) == score_everything(
            days, custom(keywords, ("survey",))
        )
    assert builds == []


@pytest.mark.parametrize("keywords", KEYWORD_SETS)
def test_custom_queries_on_a_day_stored_in_several_parts_equal_scoring_every_paper(days, keywords, monkeypatch):
    monkeypatch.setattr(layout, "MAX_PAPERS_PER_PART", 37)
    read = [stored(day) for day in days]
    assert all(len(day_parts(day, stored_words)) > 1 for day in days)
    for back, day in zip(read, days, strict=True):
        assert same_index(index_of(back), DayIndex(day.papers))
    for sort in ("score", "date"):
        query = custom(keywords, ("review", "a"), limit=50, sort=sort)
        assert select_papers(read, query, CONFIG) == score_everything(days, query)


def test_a_day_stored_without_an_index_is_indexed_on_read(days, builds):
    parts = [
        {k: v for k, v in decode(encode(p), "day").items() if k != "words"} for p in day_parts(days[0], stored_words)
    ]
    back = day_from_parts(days[0].date, parts)
    builds.clear()
    query = custom(KEYWORD_SETS[0])
    assert select_papers([back], query, CONFIG) == score_everything([days[0]], query)
    assert builds == [len(days[0].papers)]


def _far_position(words: bytes) -> bytes:
    """The same index with one position moved past the day's papers."""
    index = DayIndex.from_stored(words, struct.unpack_from("<2I", words)[1])
    index.anywhere.positions[0] = 60000
    return index.to_stored()


@pytest.mark.parametrize(
    "spoil",
    [
        lambda w: struct.pack("<I", 99) + w[4:],  # another version
        lambda w: w[:4] + struct.pack("<I", struct.unpack_from("<I", w, 4)[0] + 1) + w[8:],  # another count
        lambda w: w[:-1],  # cut short
        lambda w: w + b"x",  # trailing bytes
        lambda w: w[:8] + b"\xff" * 16 + w[24:],  # nonsense sizes
        _far_position,
        lambda w: w.hex(),  # not bytes at all
    ],
)
def test_an_unreadable_stored_index_is_built_again_with_the_same_results(days, builds, spoil):
    parts = [decode(encode(p), "day") for p in day_parts(days[1], stored_words)]
    parts[0]["words"] = spoil(parts[0]["words"])
    back = day_from_parts(days[1].date, parts)
    builds.clear()
    assert same_index(index_of(back), DayIndex(days[1].papers))
    assert builds == [len(days[1].papers)] * 2  # index_of built one; the comparison the other


def test_the_texts_and_the_word_index_travel_as_bytes_after_the_json(days):
    part = day_parts(days[0], stored_words)[0]
    blob = encode(part)
    assert blob[:4] == ZSTD_MAGIC
    head, _, tail = decompressed(blob).partition(b"\0")
    assert tail == part["texts"] + part["words"] and b'"words"' in head and b"Turning" not in head
    assert json.loads(head)["binary"] == [["texts", len(part["texts"])], ["words", len(part["words"])]]
    back = decode(blob, "day")
    assert back["words"] == part["words"] and back["texts"] == part["texts"] and "binary" not in back
    assert back["rows"] == json.loads(json.dumps(part["rows"]))
    assert decode(encode({"title": "a\0b"}), "x") == {"title": "a\0b"}  # JSON escapes NUL


def test_a_part_whose_word_index_follows_its_json_unnamed_reads_the_same(days):
    # as a part stored before its texts were kept apart held it: the JSON, a NUL, the index
    part = day_parts(days[0], stored_words)[0]
    rows = {k: v for k, v in part.items() if k not in ("texts", "words")}
    old = compressed(json.dumps(rows).encode() + b"\0" + part["words"])
    assert decode(old, "day") == json.loads(json.dumps(rows)) | {"words": part["words"]}


@pytest.mark.parametrize(
    "binary", [[["texts", -1]], [["texts", 10**9]], [[7, 1]], [["texts"]], "texts", [["texts", 1.5]]]
)
def test_bytes_values_named_wrongly_are_a_store_error(binary):
    value = compressed(json.dumps({"date": "2026-09-24", "binary": binary}).encode() + b"\0abc")
    with pytest.raises(StoreError, match="stored day is unreadable"):
        decode(value, "day")


def test_a_part_stored_zlib_compressed_before_zstd_reads_the_same(days):
    part = day_parts(days[0], stored_words)[0]
    before = zlib.compress(decompressed(encode(part)), 6)
    assert decode(before, "day") == decode(encode(part), "day")
    assert day_from_parts(days[0].date, [decode(before, "day")]) == days[0]


@pytest.mark.parametrize("spoil", ["cut at 5", "cut at 100", "flipped middle", "flipped end"])
def test_a_cut_or_spoilt_zstd_part_is_a_store_error(days, spoil):
    blob = bytearray(encode(day_parts(days[0], stored_words)[0]))
    if spoil.startswith("cut"):
        blob = blob[: int(spoil.split()[-1])]
    else:
        blob[len(blob) // 2 if spoil.endswith("middle") else -6] ^= 0xFF  # the frame's checksum catches it
    with pytest.raises(StoreError, match="stored day is unreadable"):
        decode(bytes(blob), "day")


def test_a_stored_index_naming_a_paper_the_day_lacks_is_refused():
    words = prefilter.stored_words(())
    assert DayIndex.from_stored(words, 0) is not None
    other = prefilter.stored_words(three_days(fixture_papers()[:6])[0].papers)
    assert DayIndex.from_stored(other, 1) is None
    assert index_of(day_from_parts("2026-09-24", [{"papers": [], "words": other}])).count == 0


def test_an_empty_day_round_trips():
    back = stored(Day("2026-09-24", (), {}))
    assert back.papers == () and index_of(back).count == 0


# Summaries ---------------------------------------------------------------------------------------


RECORD = {"text": "**Bold** claim with [a link](https://example.org) and <script>x()</script>", "model": "m"}


def test_a_record_rendered_at_refresh_carries_the_sanitised_html():
    record = safe_html.with_html(RECORD)
    assert record["html_renderer"] == safe_html.RENDERER
    assert record["html"] == safe_html.markdown_to_html(RECORD["text"])
    assert "<strong>Bold</strong>" in record["html"] and "<script>" not in record["html"]


def test_feeds_use_the_stored_html_and_run_no_markdown(monkeypatch):
    from core.feeds.items import summary_html

    record = {**RECORD, "html": "<p>as stored</p>", "html_renderer": safe_html.RENDERER}

    def refuse(text):
        raise AssertionError("Markdown rendered on the read path")

    monkeypatch.setattr(safe_html, "markdown_to_html", refuse)
    assert summary_html(record).endswith("<div><p>as stored</p></div>")


def test_a_record_from_before_or_another_renderer_is_rendered_on_read():
    from core.feeds.items import summary_html

    expected = safe_html.markdown_to_html(RECORD["text"])
    assert summary_html(RECORD).endswith(f"<div>{expected}</div>")
    stale = {**RECORD, "html": "<p>old renderer</p>", "html_renderer": "md-0"}
    assert summary_html(stale).endswith(f"<div>{expected}</div>")


def test_scored_papers_keep_their_order_through_the_parts(days, monkeypatch):
    monkeypatch.setattr(layout, "MAX_PAPERS_PER_PART", 5)
    back = stored(days[2])
    assert [s.paper.id for s in back.papers] == [s.paper.id for s in days[2].papers]
    assert all(isinstance(s, Scored) for s in back.papers)


def test_a_refresh_rewriting_a_day_renders_the_summaries_stored_before():
    from core.refresh.pipeline import rendered_summaries

    current = safe_html.with_html(RECORD)
    out = rendered_summaries({"old": RECORD, "new": current, "odd": "not a record", "empty": {"model": "m"}})
    assert out["old"] == safe_html.with_html(RECORD) and out["new"] is current
    assert out["odd"] == "not a record" and out["empty"] == {"model": "m"}
