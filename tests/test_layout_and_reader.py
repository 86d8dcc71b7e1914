"""Store layout, atomic publish and the read path's command budget."""

import json
from dataclasses import replace

import pytest

from core.errors import RefreshRunning, StoreError
from core.models import Day, Manifest, Match, Scored
from core.store.layout import MAX_PAPERS_PER_PART, read_manifest
from core.store.publish import new_version, publish, refresh_lock, write_day
from core.store.reader import Reader
from core.store.sqlite import SqliteStore
from tests.support.counting import CountingStore
from tests.support.papers import paper


def day(date: str, n: int, summaries: int = 0) -> Day:
    papers = tuple(
        Scored(paper(f"{date}.{i}", announced=date, title=f"Über LLM {i}"), float(i), (Match("LLM", True, 1.5),))
        for i in range(n)
    )
    return Day(date, papers, {p.paper.id: {"text": "## 1. 贡献", "model": "m"} for p in papers[:summaries]})


def publish_days(store, *days: Day) -> Manifest:
    refs = tuple(write_day(store, d, retention_days=14) for d in days)
    from datetime import UTC, datetime

    m = Manifest(version=new_version(datetime(2026, 9, 24, tzinfo=UTC)), days=refs, status="updated")
    publish(store, m)
    return m


def test_a_day_round_trips_through_the_store_with_scores_matches_and_summaries(store):
    original = day("2026-09-24", 5, summaries=2)
    m = publish_days(store, original)
    [back] = Reader(store).days(read_manifest(store), 1)
    assert back == original
    assert m.days[0].count == 5 and m.days[0].summaries == 2


def test_a_big_day_is_split_into_parts_and_read_back_whole(store):
    big = day("2026-09-24", MAX_PAPERS_PER_PART + 10)
    m = publish_days(store, big)
    assert len(m.days[0].keys) == 2
    [back] = Reader(store).days(m, 1)
    assert len(back.papers) == MAX_PAPERS_PER_PART + 10


def test_a_warm_reader_asks_the_store_once_and_a_cold_one_twice(store):
    publish_days(store, day("2026-09-24", 3), day("2026-09-23", 3))
    counting = CountingStore(store)
    reader = Reader(counting)
    reader.days(reader.manifest(), 2)
    assert counting.total == 2 and counting.calls["mget"] == 1
    counting.calls.clear()
    reader.days(reader.manifest(), 2)
    assert counting.total == 1 and counting.calls["get"] == 1


def test_a_new_manifest_makes_the_reader_fetch_only_the_new_segment(store):
    old = day("2026-09-23", 3)
    publish_days(store, old)
    counting = CountingStore(store)
    reader = Reader(counting)
    reader.days(reader.manifest(), 1)
    publish_days(store, day("2026-09-24", 4), old)
    counting.calls.clear()
    got = reader.days(reader.manifest(), 2)
    assert [d.date for d in got] == ["2026-09-24", "2026-09-23"]
    assert counting.calls["mget"] == 1 and counting.total == 2


class DownStore:
    name = "down"

    def get(self, key):
        raise StoreError("store down for the test")

    mget = get


def test_a_reader_that_holds_the_data_keeps_serving_when_the_store_goes_down(store):
    publish_days(store, day("2026-09-24", 3))
    reader = Reader(store)
    m = reader.manifest()
    reader.days(m, 1)
    reader.store = DownStore()
    assert reader.manifest() == m
    assert reader.degraded == "store down for the test"
    assert len(reader.days(m, 1)[0].papers) == 3


def test_a_cold_reader_with_the_store_down_raises_the_store_error():
    with pytest.raises(StoreError, match="down"):
        Reader(DownStore()).manifest()


def test_the_refresh_lock_admits_one_holder_and_frees_on_exit(store):
    with refresh_lock(store, ttl=60), pytest.raises(RefreshRunning), refresh_lock(store, ttl=60):
        pass
    with refresh_lock(store, ttl=60):
        pass


def test_a_lock_left_by_a_crashed_run_expires(tmp_path):
    now = [1000.0]
    store = SqliteStore(str(tmp_path / "s.sqlite3"), clock=lambda: now[0])
    assert store.set_if_absent("arxiv-rss:lock:refresh", b"crashed", ttl=900)
    with pytest.raises(RefreshRunning), refresh_lock(store, ttl=900):
        pass
    now[0] += 901
    with refresh_lock(store, ttl=900):
        pass


def test_a_corrupt_manifest_is_a_clear_store_error(store):
    store.set("arxiv-rss:manifest", b"not zlib")
    with pytest.raises(StoreError, match="stored manifest is unreadable"):
        read_manifest(store)


def stored_object(s: Scored) -> dict:
    """A record as a part stored before rows held it: one object per paper."""
    d = s.paper.to_dict() | {"score": s.score, "matches": [[m.keyword, m.in_title, m.points] for m in s.matches]}
    return d | {"excluded_by": s.excluded_by} if s.excluded_by else d


def _excluded_day() -> Day:
    original = day("2026-09-24", 4, summaries=1)
    first = original.papers[0]
    excluded = Scored(first.paper, 0.0, first.matches, excluded_by="survey")
    return Day(original.date, (excluded, *original.papers[1:]), original.summaries)


def test_a_part_holds_its_papers_as_rows_under_field_names():
    from core.store.layout import ROW_FIELDS, day_from_parts, day_parts, decode, encode

    original = _excluded_day()
    [part] = [decode(encode(p), "day") for p in day_parts(original)]
    assert part["fields"] == list(ROW_FIELDS) and "papers" not in part
    assert all(isinstance(row, list) and len(row) == len(ROW_FIELDS) for row in part["rows"])
    assert day_from_parts(original.date, [part]) == original


def test_records_read_back_share_their_class_s_attribute_keys_as_constructed_ones_do():
    # A day of 1,500 papers is a few thousand records: a dict of its own for each (about
    # 2.5 times the memory of one sharing its class's keys) added about 10 MB for 14 days.
    import sys

    from core.store.layout import day_from_parts, day_parts, decode, encode

    original = day("2026-09-24", 3)
    read = day_from_parts(original.date, [decode(encode(p), "day") for p in day_parts(original)])
    assert read == original
    for made, back in ((original.papers[0], read.papers[0]), (original.papers[0].paper, read.papers[0].paper)):
        assert sys.getsizeof(vars(back)) == sys.getsizeof(vars(made))
        assert list(vars(back)) == list(vars(made))
        with pytest.raises(AttributeError):  # still frozen
            back.score = 0.0


def test_records_read_back_with_the_same_matches_share_one_tuple_of_them():
    from core.store.layout import day_from_parts, day_parts, decode, encode

    original = day("2026-09-24", 6)
    twin = Scored(replace(original.papers[1].paper, id="2609.99999"), 1.5, original.papers[0].matches)
    original = Day(original.date, (*original.papers, twin), original.summaries)
    read = day_from_parts(original.date, [decode(encode(p), "day") for p in day_parts(original)])
    assert read == original
    by_matches: dict = {}
    for s in read.papers:
        by_matches.setdefault(s.matches, set()).add(id(s.matches))
    assert all(len(ids) == 1 for ids in by_matches.values()) and len(by_matches[read.papers[0].matches]) == 1
    assert read.papers[-1].matches is read.papers[0].matches and read.papers[0].matches


def test_a_part_stored_with_paper_objects_or_other_field_orders_reads_the_same():
    from core.store.layout import day_from_parts, day_parts, decode, encode

    original = _excluded_day()
    [part] = [decode(encode(p), "day") for p in day_parts(original)]
    as_objects = {
        "date": original.date,
        "papers": [stored_object(s) for s in original.papers],
        "summaries": part["summaries"],
    }
    assert day_from_parts(original.date, [decode(encode(as_objects), "day")]) == original
    reordered = dict(part, fields=part["fields"][::-1], rows=[row[::-1] for row in part["rows"]])
    assert day_from_parts(original.date, [reordered]) == original


@pytest.mark.parametrize(
    "spoil",
    [
        lambda part: dict(part, rows=[row[:-1] for row in part["rows"]]),  # a value short
        lambda part: dict(part, fields="id"),
        lambda part: dict(part, rows={"0": []}),
        lambda part: dict(part, rows=[7 for _ in part["rows"]]),  # rows that are not lists
        lambda part: dict(part, rows=[dict(zip(part["fields"], row, strict=True)) for row in part["rows"]]),
    ],
)
def test_rows_that_do_not_fit_their_fields_are_a_clear_store_error(spoil):
    from core.store.layout import day_from_parts, day_parts

    [part] = day_parts(_excluded_day())
    with pytest.raises(StoreError, match="rows do not fit their fields"):
        day_from_parts("2026-09-24", [spoil(part)])


@pytest.mark.parametrize("field", ["categories", "matches"])
@pytest.mark.parametrize("place", [7, -1, "0", 0.0, None])
@pytest.mark.parametrize("reordered", [False, True])
def test_a_row_naming_a_list_that_is_not_there_is_a_clear_store_error(field, place, reordered):
    from core.store.layout import ROW_FIELDS, day_from_parts, day_parts

    [part] = day_parts(_excluded_day())
    part["rows"][0][ROW_FIELDS.index(field)] = place
    if reordered:  # the path for rows in another field order
        part = dict(part, fields=part["fields"][::-1], rows=[row[::-1] for row in part["rows"]])
    with pytest.raises(StoreError, match=r"stored day 2026-09-24 is unreadable \(a paper: \w+Error\)"):
        day_from_parts("2026-09-24", [part])


@pytest.mark.parametrize(
    "spoil",
    [
        lambda part: dict(part, category_lists=[7, *part["category_lists"][1:]]),  # a number, not a list
        lambda part: dict(part, match_lists=[[7], *part["match_lists"][1:]]),
        lambda part: dict(part, match_lists=[[["kw", True]], *part["match_lists"][1:]]),  # a value short
        lambda part: {k: v for k, v in part.items() if k != "category_lists"},
        lambda part: dict(part, match_lists={"0": []}),
    ],
)
def test_lists_of_the_wrong_kind_are_a_clear_store_error(spoil):
    from core.store.layout import day_from_parts, day_parts

    [part] = day_parts(_excluded_day())
    assert part["match_lists"][0] or part["match_lists"][1]
    with pytest.raises(StoreError, match=r"stored day 2026-09-24 is unreadable \(a paper: \w+Error\)"):
        day_from_parts("2026-09-24", [spoil(part)])


def test_rows_name_each_distinct_category_and_match_list_once_and_records_share_them():
    from core.models import COLUMN_FIELDS
    from core.store.layout import ROW_FIELDS, day_from_parts, day_parts

    assert (*COLUMN_FIELDS, "score", "matches", "excluded_by") == ROW_FIELDS
    original = day("2026-09-24", 6)
    [part] = day_parts(original)
    distinct = {s.paper.categories for s in original.papers}, {s.matches for s in original.papers}
    assert (len(part["category_lists"]), len(part["match_lists"])) == tuple(map(len, distinct))
    read = day_from_parts(original.date, [part])
    assert read == original
    by_categories = {
        id(s.paper.categories) for s in read.papers if s.paper.categories == read.papers[0].paper.categories
    }
    assert len(by_categories) == 1


def _with_texts(part: dict, first: list) -> dict:
    """`part` with its first paper's texts entry replaced by `first` (JSON values)."""
    ends, blob = part["text_ends"], part["texts"]
    entries = [blob[a:b] for a, b in zip([0, *ends], ends, strict=False)]
    entries[0] = json.dumps(first).encode()
    return dict(part, texts=b"".join(entries), text_ends=[sum(map(len, entries[: i + 1])) for i in range(len(entries))])


def test_a_part_s_word_index_is_a_frame_of_its_own_and_its_texts_a_view_of_the_first():
    from core.rank.prefilter import stored_words
    from core.store.layout import ZSTD_MAGIC, day_parts, decode, decompressed, encode, zstd

    [part] = day_parts(_excluded_day(), stored_words)
    raw = encode(part)
    first = zstd.get_frame_size(raw)
    assert first < len(raw) and raw[first : first + 4] == ZSTD_MAGIC
    assert zstd.get_frame_size(raw[first:]) == len(raw) - first  # the words, and nothing after
    assert zstd.decompress(raw[first:]) == part["words"]
    back = decode(raw, "day")
    assert type(back["words"]) is bytes and back["words"] == part["words"]
    assert isinstance(back["texts"], memoryview) and back["texts"] == part["texts"]
    # the frames decompress, one after another, to what one frame held (read so before)
    whole = decompressed(raw)
    assert whole.endswith(part["words"]) and part["texts"] in whole
    assert decode(zstd.compress(whole), "day").keys() == back.keys()


@pytest.mark.parametrize(
    "spoil",
    [
        lambda raw, first: raw[:first],  # the words' frame missing
        lambda raw, first: raw + raw[first:],  # a frame too many
        lambda raw, first: raw[:first] + zstd_frame(b"short"),  # words of another size
        lambda raw, first: raw[:first] + raw[first:-3],  # the words' frame cut
    ],
)
def test_a_day_part_whose_frames_do_not_fit_its_head_is_a_clear_store_error(spoil):
    from core.rank.prefilter import stored_words
    from core.store.layout import day_parts, decode, encode, zstd

    raw = encode(day_parts(_excluded_day(), stored_words)[0])
    with pytest.raises(StoreError, match=r"stored day is unreadable \(\w+Error\)"):
        decode(spoil(raw, zstd.get_frame_size(raw)), "day")


def zstd_frame(data: bytes) -> bytes:
    from core.store.layout import compressed

    return compressed(data)


def test_a_part_keeps_its_papers_texts_apart_and_reads_them_when_first_asked_for():
    from core.models import COLUMN_FIELDS, TEXT_FIELDS
    from core.store.layout import ROW_FIELDS, day_from_parts, day_parts, decode, encode

    original = _excluded_day()
    [part] = [decode(encode(p), "day") for p in day_parts(original)]
    assert not set(TEXT_FIELDS) & set(part["fields"]) and part["fields"] == list(ROW_FIELDS)
    assert part["fields"][: len(COLUMN_FIELDS)] == list(COLUMN_FIELDS)
    assert isinstance(part["texts"], memoryview) and len(part["text_ends"]) == len(original.papers)
    read = day_from_parts(original.date, [part])
    first = read.papers[0].paper
    assert set(vars(first)) == {*COLUMN_FIELDS, "_texts"} and first.id == original.papers[0].paper.id
    assert hash(first) == hash(original.papers[0].paper)  # hashed without reading its texts
    assert "title" not in vars(first)
    assert first.title == original.papers[0].paper.title and "abstract" in vars(first)
    assert first == original.papers[0].paper and read == original
    with pytest.raises(AttributeError):
        first.no_such_field  # noqa: B018


@pytest.mark.parametrize("field", ["authors", "affiliations", "title"])
def test_stored_texts_of_the_wrong_kind_are_a_clear_store_error_when_read(field):
    from core.models import TEXT_FIELDS
    from core.store.layout import day_from_parts, day_parts, paper_texts

    [part] = day_parts(_excluded_day())
    first = json.loads(paper_texts(_excluded_day().papers[0].paper))
    first[TEXT_FIELDS.index(field)] = 7
    read = day_from_parts("2026-09-24", [_with_texts(part, first)])
    assert read.papers[1].paper.title  # the others read as they are
    with pytest.raises(StoreError, match=r"stored day 2026-09-24 is unreadable \(a paper's texts: TypeError\)"):
        getattr(read.papers[0].paper, field)
    reordered = dict(_with_texts(part, first), fields=part["fields"][::-1], rows=[row[::-1] for row in part["rows"]])
    with pytest.raises(StoreError, match=r"stored day 2026-09-24 is unreadable \(a paper's texts: TypeError\)"):
        day_from_parts("2026-09-24", [reordered])  # rows in another order read every paper's texts at once


@pytest.mark.parametrize(
    "spoil",
    [
        lambda part: dict(part, text_ends=part["text_ends"][:-1]),  # one end short
        lambda part: dict(part, text_ends=[*part["text_ends"][:-1], part["text_ends"][-1] + 1]),  # past the bytes
        lambda part: dict(part, text_ends=part["text_ends"][::-1]),  # out of order
        lambda part: dict(part, text_ends=[str(e) for e in part["text_ends"]]),
        lambda part: dict(part, text_fields=part["text_fields"][:-1]),
        lambda part: dict(part, text_fields="title"),
        lambda part: {k: v for k, v in part.items() if k != "text_ends"},
        lambda part: dict(part, texts="not bytes"),
    ],
)
def test_texts_that_do_not_fit_their_rows_are_a_clear_store_error(spoil):
    from core.store.layout import day_from_parts, day_parts

    [part] = day_parts(_excluded_day())
    with pytest.raises(StoreError, match=r"stored day 2026-09-24 is unreadable \(a paper: ValueError\)"):
        day_from_parts("2026-09-24", [spoil(part)])


@pytest.mark.parametrize(
    ("first", "error"),
    [(b"{", "JSONDecodeError"), (b"\xff", "UnicodeDecodeError")],  # cut open; not UTF-8
)
def test_a_paper_s_texts_that_are_not_json_are_a_clear_store_error_when_read(first, error):
    from core.store.layout import day_from_parts, day_parts

    [part] = day_parts(_excluded_day())
    ends = part["text_ends"]
    spoilt = dict(part, texts=first + part["texts"][1:])  # the first entry's opening bracket replaced
    read = day_from_parts("2026-09-24", [spoilt])
    with pytest.raises(StoreError, match=rf"unreadable \(a paper's texts: {error}\)"):
        read.papers[0].paper.abstract  # noqa: B018
    assert read.papers[-1].paper.abstract and ends[-1] == len(spoilt["texts"])


def test_a_part_stored_before_texts_were_kept_apart_reads_the_same():
    from dataclasses import fields

    from core.models import Paper
    from core.store.layout import day_from_parts, decode, encode

    original = _excluded_day()
    names = [*(f.name for f in fields(Paper)), "score", "matches", "excluded_by"]
    rows = [[stored_object(s).get(n, "") for n in names] for s in original.papers]
    whole = {"date": original.date, "fields": names, "rows": rows, "summaries": original.summaries}
    read = day_from_parts(original.date, [decode(encode(whole), "day")])
    assert "title" in vars(read.papers[0].paper) and read == original
    assert day_from_parts(original.date, [dict(whole, fields=names[::-1], rows=[r[::-1] for r in rows])]) == original


def test_decoded_days_are_kept_out_of_the_collector_and_collection_resumes(store):
    import gc

    publish_days(store, day("2026-09-24", 50))
    frozen = gc.get_freeze_count()  # objects moved out of the collector's generations
    [back] = Reader(store).days(read_manifest(store), 1)
    assert back.papers and gc.isenabled() and gc.get_freeze_count() > frozen


def test_collection_resumes_when_a_day_cannot_be_decoded(store):
    import gc

    m = publish_days(store, day("2026-09-24", 3))
    store.set(m.days[0].keys[0], b"not compressed")
    with pytest.raises(StoreError, match="unreadable"):
        Reader(store).days(read_manifest(store), 1)
    assert gc.isenabled()


def test_a_feed_showing_a_paper_whose_stored_texts_are_spoilt_is_a_clear_503_and_others_still_serve(store):
    from fastapi.testclient import TestClient

    from api.deps import Service, get_service
    from api.index import app
    from core.config import Env
    from core.context import Context
    from core.store.layout import day_parts, encode, paper_texts
    from tests.support.seed import seed_config

    original = _excluded_day()
    m = publish_days(store, original)
    ctx = Context(seed_config(), Env())
    ctx.store = store
    app.dependency_overrides[get_service] = lambda: Service(ctx)
    try:
        client = TestClient(app, raise_server_exceptions=False)
        shown = [item["_arxiv"]["id"] for item in client.get("/feed?format=json").json()["items"]]
        last = next(i for i, s in enumerate(original.papers) if s.paper.id == shown[-1])
        spoilt = json.loads(paper_texts(original.papers[last].paper))
        spoilt[1] = {"abstract": "an object"}
        [key] = m.days[0].keys
        [part] = day_parts(original)
        store.set(key, encode(_with_texts_at(part, last, spoilt)))
        app.dependency_overrides[get_service] = lambda: Service(ctx)  # a fresh reader: the day read anew
        every = client.get("/feed?format=json&limit=49")  # not the body served before
        first = client.get(f"/feed?format=json&limit={len(shown) - 1}")
    finally:
        app.dependency_overrides.pop(get_service, None)
    assert len(shown) > 1 and every.status_code == 503, every.text
    assert "unreadable" in every.text and "Traceback" not in every.text
    assert first.status_code == 200 and [i["_arxiv"]["id"] for i in first.json()["items"]] == shown[:-1]


def _with_texts_at(part: dict, at: int, entry: list) -> dict:
    ends, blob = part["text_ends"], part["texts"]
    entries = [blob[a:b] for a, b in zip([0, *ends], ends, strict=False)]
    entries[at] = json.dumps(entry).encode()
    return dict(part, texts=b"".join(entries), text_ends=[sum(map(len, entries[: i + 1])) for i in range(len(entries))])


def test_days_read_together_share_their_alike_category_and_match_lists(store):
    first, second = day("2026-09-24", 4), day("2026-09-23", 4)
    publish_days(store, first, second)
    a, b = Reader(store).days(read_manifest(store), 2)
    assert (a, b) == (first, second)
    assert a.papers[0].matches == b.papers[0].matches and a.papers[0].matches
    assert a.papers[0].matches is b.papers[0].matches
    assert a.papers[0].paper.categories is b.papers[0].paper.categories


def test_threads_reading_the_same_papers_texts_at_once_all_see_them_whole():
    import threading

    from core.store.layout import day_from_parts, day_parts

    original = day("2026-09-24", 40)
    read = day_from_parts(original.date, day_parts(original))
    barrier, seen, errors = threading.Barrier(4), [], []

    def reader():
        barrier.wait()
        try:
            seen.append([(s.paper.title, s.paper.authors, s.paper.abstract) for s in read.papers])
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = [(s.paper.title, s.paper.authors, s.paper.abstract) for s in original.papers]
    assert not errors and seen == [expected] * 4 and read == original
