"""How data sits in the store: key names, compression and JSON shapes, in one place.

    manifest                the published version: days, per-category status, last report
    day:<date>:<hash>:<n>   an immutable day segment part (compressed: JSON of that day's papers
                            and their summaries, then their texts as bytes; their word index as
                            bytes in a zstd frame of its own after it)
    vec:<date>:<hash>       that day's paper vectors under one embedder (core.store.vectors)
    summary:<id>v<n>:<...>  one cached LLM summary, keyed by model, language and prompt hash
    summary-state:<id>v<n>:<...>  failed attempts at that summary (reason, count; core.summaries.run)
    summary-tokens:<date>   LLM tokens the summaries spent that UTC day (core.summaries.run)
    interest:<embedder>:<hash>  a remote embedder's vector of one interest text, under sha256
                            of the text (core.embed.interest)
    interest-budget:<date>  interest texts sent to a remote embedder that day (core.embed.interest;
                            a counter, Store.incr)
    lock:refresh            the refresh lock (set-if-absent, with expiry)
    profile:<digest>        one saved profile (core.profiles.model), under sha256 of its feed id
    profile-edit:<digest>   the feed id an edit token opens, under sha256 of the edit token
    profile-lock:<digest>   a profile's change lock (core.profiles.votes; set-if-absent, with expiry)
    profile-budget:<date>   profiles created from the web that day (api.profile_api; a counter,
                            Store.incr)

A refresh writes new segments first and swaps the manifest last, so a reader
that sees a manifest always finds every segment it names.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import operator
import threading
import zlib
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import fields

try:
    from backports import zstd
except ImportError:  # Python 3.14 and later have it
    from compression import zstd

from core.errors import StoreError
from core.models import (
    COLUMN_FIELDS,
    TEXT_FIELDS,
    Day,
    DayColumns,
    Manifest,
    Match,
    Paper,
    Scored,
    built,
    built_scored,
    text_values,
)

PREFIX = "arxiv-rss:"
MANIFEST_KEY = PREFIX + "manifest"
LOCK_KEY = PREFIX + "lock:refresh"
# Keeps each value far below Upstash's per-request limit; bigger days are split.
MAX_PAPERS_PER_PART = 2000
BINARY = "binary"  # in a JSON head: the names and sizes of the bytes values after it (`encode`)
# Bytes values stored in a zstd frame of their own (`encode`): a day part's word index, so
# its texts are a view of the first frame, which keeps nothing else alive but the JSON.
OWN_FRAME = frozenset({"words"})
# zstd, not zlib: a day part of 1,500 papers (2.6 MB of JSON and index) is 425 KB against
# zlib's 940 KB, and decompresses in 0.9 ms against 7.4 (its window spans the whole part,
# where zlib's 32 KB cannot reach the authors and fields repeated across it).
ZSTD_LEVEL = 9
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
# with a checksum of the content, so a spoilt value is refused rather than read as other bytes
_ZSTD_OPTIONS = {zstd.CompressionParameter.compression_level: ZSTD_LEVEL, zstd.CompressionParameter.checksum_flag: 1}


def segment_key(date: str, digest: str, part: int = 0) -> str:
    return f"{PREFIX}day:{date}:{digest}:{part}"


def vector_key(date: str, digest: str) -> str:
    return f"{PREFIX}vec:{date}:{digest}"


def summary_key(paper_id: str, version: int, model: str, language: str, prompt_hash: str) -> str:
    return f"{PREFIX}summary:{paper_id}v{version}:{model}:{language}:{prompt_hash}"


def summary_state_key(paper_id: str, version: int, model: str, language: str, prompt_hash: str) -> str:
    """Failed-attempt bookkeeping for one summary (reason, attempt count)."""
    return f"{PREFIX}summary-state:{paper_id}v{version}:{model}:{language}:{prompt_hash}"


def summary_tokens_key(day: str) -> str:
    """LLM tokens spent on summaries that UTC day (one JSON count per day)."""
    return f"{PREFIX}summary-tokens:{day}"


def interest_key(embedder: str, text: str) -> str:
    """A remote embedder's cached vector of one interest text (the text itself never is a key)."""
    return f"{PREFIX}interest:{embedder}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def interest_budget_key(day: str) -> str:
    return f"{PREFIX}interest-budget:{day}"


def profile_key(feed_digest: str) -> str:
    return f"{PREFIX}profile:{feed_digest}"


def profile_edit_key(edit_digest: str) -> str:
    return f"{PREFIX}profile-edit:{edit_digest}"


def profile_lock_key(feed_digest: str) -> str:
    return f"{PREFIX}profile-lock:{feed_digest}"


def profile_budget_key(day: str) -> str:
    return f"{PREFIX}profile-budget:{day}"


def encode(obj: object) -> bytes:
    """Compressed JSON (a zstd frame). A dict's bytes values (a day part's texts and word
    index) are carried after the JSON and a NUL byte, which JSON text never holds, one after
    another as its `binary` names them ([name, size] pairs): binary, not base64 in a string,
    so reading a day pays neither for parsing them nor, until a query wants them, for
    decoding. Those named in OWN_FRAME come last, each in a frame of its own (the frames
    decompress, one after another, to the same bytes as one frame would)."""
    blobs = {k: v for k, v in obj.items() if isinstance(v, bytes)} if isinstance(obj, dict) else {}
    if not blobs:
        return compressed(_json(obj))
    head = {k: v for k, v in obj.items() if k not in blobs}
    order = sorted(blobs, key=lambda name: name in OWN_FRAME)  # stable: the others keep their order
    head[BINARY] = [[name, len(blobs[name])] for name in order]
    inline = [blobs[name] for name in order if name not in OWN_FRAME]
    apart = [compressed(blobs[name]) for name in order if name in OWN_FRAME]
    return b"".join([compressed(_json(head) + b"\0" + b"".join(inline)), *apart])


def _json(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def compressed(data: bytes) -> bytes:
    """`data` as the store keeps it: one zstd frame, with a checksum of the content."""
    return zstd.compress(data, options=_ZSTD_OPTIONS)


def decompressed(raw: bytes) -> bytes:
    """What `compressed` made (one frame or more, one after another), or zlib (what the
    store held before). Raises zstd.ZstdError or zlib.error (`UNREADABLE`) when it is neither."""
    return zstd.decompress(raw) if raw[:4] == ZSTD_MAGIC else zlib.decompress(raw)


UNREADABLE = (zlib.error, zstd.ZstdError)  # what `decompressed` raises for bytes it cannot read


def decode(raw: bytes, what: str) -> object:
    """What `encode` made (its bytes values back under their names; a value stored before
    they were named, a day part's word index alone, under `words`). A bytes value in the
    first frame is a memoryview of it, not a copy (a day's texts are 2 MB: copying them cost
    a fresh process more than decompressing); one in a frame of its own is that frame's
    bytes. Raises StoreError when unreadable."""
    try:
        size = zstd.get_frame_size(raw) if raw[:4] == ZSTD_MAGIC else len(raw)
        data = decompressed(raw if size == len(raw) else memoryview(raw)[:size])
        rest = memoryview(raw)[size:]
        end = data.find(b"\0")
        if end < 0:
            if rest:
                raise ValueError("frames after a value without binary parts")
            return json.loads(data)
        obj = json.loads(data[:end])
        if not isinstance(obj, dict):
            raise ValueError("binary part after a value that is not an object")
        sizes = obj.pop(BINARY, None)
        if sizes is None:
            if rest:
                raise ValueError("frames after a value stored as one")
            obj["words"] = data[end + 1 :]
            return obj
        frames = []  # the frames after the first: one for each of the last bytes values
        while rest:
            length = zstd.get_frame_size(rest)
            frames.append(rest[:length])
            rest = rest[length:]
        if not isinstance(sizes, list) or len(frames) > len(sizes):
            raise ValueError("binary parts named wrongly")
        view, at, inline = memoryview(data), end + 1, len(sizes) - len(frames)
        for n, entry in enumerate(sizes):
            name, length = entry
            if not isinstance(name, str) or not isinstance(length, int) or length < 0:
                raise ValueError("binary parts named wrongly")
            if n < inline:
                obj[name], at = view[at : at + length], at + length
            else:
                obj[name] = zstd.decompress(frames[n - inline])
                if len(obj[name]) != length:
                    raise ValueError("a binary part of another size than named")
        if at != len(data):
            raise ValueError("binary parts that do not add up to what follows the JSON")
        return obj
    except (*UNREADABLE, ValueError, TypeError) as exc:
        raise StoreError(f"stored {what} is unreadable ({exc.__class__.__name__})") from None


def content_hash(obj: object) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def read_manifest(store) -> Manifest:
    """The published manifest, or an empty one before the first refresh."""
    return parse_manifest(store.get(MANIFEST_KEY))


def parse_manifest(raw: bytes | None) -> Manifest:
    if raw is None:
        return Manifest()
    data = decode(raw, "manifest")
    if not isinstance(data, dict):
        raise StoreError("stored manifest is unreadable (not an object)")
    return Manifest.from_dict(data)


def manifest_bytes(manifest: Manifest) -> bytes:
    return encode(manifest.to_dict())


# Day segments --------------------------------------------------------------------------------


def scored_from_dict(d: dict) -> Scored:
    d = dict(d)
    score, matches, excluded_by = d.pop("score", 0.0), d.pop("matches", []), d.pop("excluded_by", "")
    return _scored(Paper.from_dict(d), score, matches, excluded_by, {})


def _scored(paper: Paper, score: float, matches: list, excluded_by: str, shared: dict) -> Scored:
    """The stored record of `paper`, built without the dataclass constructors."""
    return built_scored(paper, score, _matches(matches, shared), excluded_by)


def _matches(matches: list, shared: dict) -> tuple[Match, ...]:
    """Stored matches as Match records. Lists alike share one tuple of them through `shared`
    (a day's thousand matched records hold a few hundred distinct lists: memory, and the
    feeds' per-match-list caches)."""
    if not matches:
        return ()
    key = tuple(map(tuple, matches))
    found = shared.get(key)
    if found is None:
        found = shared[key] = tuple(
            built(Match, {"keyword": k, "in_title": bool(t), "points": float(p)}) for k, t, p in key
        )
    return found


# A day part stores its papers as rows under the names in its "fields" (an object per paper
# repeats every name and takes about twice as long to parse), without their texts: those
# follow the JSON as bytes (`texts`), one JSON array of TEXT_FIELDS' values per paper, each
# ending where `text_ends` says, read for a paper when a query first asks for one of them.
# A cold read decodes a few hundred kilobytes of rows instead of the 2 MB of every abstract.
# A row's categories and matches are places in the part's `category_lists` and `match_lists`
# (1,500 papers hold a few hundred distinct lists of each), read once per list, not per row.
ROW_FIELDS = ("id", "version", "categories", "announce_type", "announced", "score", "matches", "excluded_by")
# the rows of a part stored before its texts were kept apart
_WHOLE_ROW_FIELDS = (*(f.name for f in fields(Paper)), "score", "matches", "excluded_by")
_TEXT_SET = frozenset(TEXT_FIELDS)


def _rows(papers: Sequence[Scored]) -> tuple[list[list], list[list], list[list]]:
    """Papers as rows in ROW_FIELDS order, with the category and match lists the rows name
    by their place: (rows, category lists, match lists)."""
    categories: dict[tuple, int] = {}
    matches: dict[tuple, int] = {}
    rows = []
    for s in papers:
        p = s.paper
        values = {name: getattr(p, name) for name in COLUMN_FIELDS}
        values.update(
            categories=categories.setdefault(p.categories, len(categories)),
            score=s.score,
            matches=matches.setdefault(s.matches, len(matches)),
            excluded_by=s.excluded_by,
        )
        rows.append([values[name] for name in ROW_FIELDS])
    match_lists = [[[m.keyword, m.in_title, m.points] for m in listed] for listed in matches]
    return rows, [list(c) for c in categories], match_lists


def paper_texts(p: Paper) -> bytes:
    """A paper's entry in its part's `texts`: its TEXT_FIELDS' values as one JSON array."""
    return _json([getattr(p, name) for name in TEXT_FIELDS])


class PartTexts:
    """A part's paper texts, read one paper at a time (`texts`, for Paper.apart)."""

    __slots__ = ("date", "blob", "ends", "names")

    def __init__(self, date: object, blob: bytes, ends: list[int], names: tuple[str, ...]):
        self.date, self.blob, self.ends, self.names = date, blob, ends, names

    def texts(self, i: int) -> dict:
        """Paper `i`'s texts as a paper holds them. Raises StoreError when they are
        unreadable or not of their kind."""
        try:
            stored = _JSON_TEXT(str(self.blob[self.ends[i - 1] if i else 0 : self.ends[i]], "utf-8"))
            if type(stored) is not list or len(stored) != len(self.names):
                raise ValueError("texts that do not fit their fields")
            values = dict(zip(self.names, stored, strict=True))
            for name in _STRING_TEXTS:
                if type(values[name]) is not str:
                    raise TypeError("a text that is not a string")
            return text_values(values)
        except (TypeError, ValueError) as exc:
            what = f"a paper's texts: {exc.__class__.__name__}"
            raise StoreError(f"stored day {self.date} is unreadable ({what})") from None


_STRING_TEXTS = tuple(name for name in TEXT_FIELDS if name not in ("authors", "affiliations"))
_JSON_TEXT = json.JSONDecoder().decode  # `json.loads` of a str, without its checks of bytes and arguments


def _part_texts(part: dict, count: int) -> PartTexts | None:
    """The texts a part holds apart from its `count` rows, or None for a part stored with
    them in its rows. Raises ValueError when they do not fit the rows."""
    if "texts" not in part:
        return None
    blob, ends, names = part["texts"], part.get("text_ends"), part.get("text_fields")
    if not isinstance(blob, bytes | memoryview) or not isinstance(ends, list) or not isinstance(names, list):
        raise ValueError("texts without their ends or fields")
    if len(ends) != count or set(names) != _TEXT_SET or len(names) != len(_TEXT_SET):
        raise ValueError("texts that do not fit their rows")
    if ends and (not all(type(e) is int for e in ends) or ends[-1] != len(blob) or ends[0] < 0):
        raise ValueError("text ends out of place")
    if not all(map(operator.le, ends, ends[1:])):
        raise ValueError("text ends out of order")
    return PartTexts(part.get("date"), blob, ends, tuple(names))


def shared_lists() -> dict[str, dict]:
    """Where records read together keep the category and match lists they share, one of
    each alike (for `day_from_parts`: a week of days holds a few hundred)."""
    return {"categories": {}, "matches": {}}


def scored_from_rows(part: dict, shared: dict[str, dict] | None = None) -> Sequence[Scored]:
    """A part's papers: its rows under its fields (their texts read when first asked for;
    rows in ROW_FIELDS order as StoredRecords, each record made when first asked for), or
    (a part stored before rows) its "papers". Raises StoreError when the rows or texts
    do not fit the fields, or a paper's values are not of their kind."""
    shared = shared_lists() if shared is None else shared
    try:
        if "rows" not in part:
            return [scored_from_dict(d) for d in part.get("papers", [])]
        names, rows = part.get("fields"), part["rows"]
        if not isinstance(names, list) or not isinstance(rows, list) or not _fit(rows, len(names)):
            raise StoreError(f"stored day {part.get('date')} is unreadable (rows do not fit their fields)")
        texts = _part_texts(part, len(rows))
        if texts is None:  # stored before texts were kept apart: every field in the rows
            if tuple(names) == _WHOLE_ROW_FIELDS:
                return [_scored_from_whole_row(row, shared["matches"]) for row in rows]
            return [scored_from_dict(dict(zip(names, row, strict=True))) for row in rows]
        categories, matches = _lists(part, shared)
        if tuple(names) == ROW_FIELDS:
            _check_places(rows, _CATEGORY, categories)
            _check_places(rows, _MATCH, matches)
            return StoredRecords([(rows, texts, categories, matches)])
        out = []
        for i, row in enumerate(rows):
            d = dict(zip(names, row, strict=True)) | texts.texts(i)
            d["categories"], listed = _placed(categories, d["categories"]), _placed(matches, d["matches"])
            d["matches"] = [[m.keyword, m.in_title, m.points] for m in listed]
            out.append(scored_from_dict(d))
        return out
    except (TypeError, ValueError, AttributeError, IndexError) as exc:
        raise StoreError(f"stored day {part.get('date')} is unreadable (a paper: {exc.__class__.__name__})") from None


def _fit(rows: list, width: int) -> bool:
    """Whether every row is a list of `width` values (checked in C: a day has thousands)."""
    return not rows or (set(map(type, rows)) == {list} and set(map(len, rows)) == {width})


def _lists(part: dict, shared: dict[str, dict]) -> tuple[tuple, MatchLists]:
    """A part's category lists (tuples) and match lists (MatchLists), as its rows name
    them by their place; lists alike are one object through `shared` (`shared_lists`)."""
    categories, matches = part.get("category_lists"), part.get("match_lists")
    if not isinstance(categories, list) or not isinstance(matches, list):
        raise ValueError("rows without the lists they name")
    alike = shared["categories"]
    categories = tuple(alike.setdefault(listed, listed) for listed in map(tuple, categories))
    return categories, MatchLists(matches, shared["matches"])


class MatchLists:
    """A part's stored match lists ([keyword, in title, points] each), each made a tuple of
    Match records when a record first names it: a week's days hold a few thousand, and a
    custom query, which scores afresh, names none. Checked whole when read, so making one
    cannot fail. Lists alike are one tuple through `shared`."""

    __slots__ = ("_stored", "_made", "_shared")

    def __init__(self, stored: list, shared: dict):
        for listed in stored:
            if type(listed) is not list or not all(map(_stored_match, listed)):
                raise ValueError("a match list that is not [keyword, in title, points] triples")
        self._stored, self._made, self._shared = stored, [None] * len(stored), shared

    def __len__(self) -> int:
        return len(self._stored)

    def __getitem__(self, i: int) -> tuple[Match, ...]:
        made = self._made[i]
        if made is None:
            made = self._made[i] = _matches(self._stored[i], self._shared)
        return made


def _stored_match(value: object) -> bool:
    return (
        type(value) is list
        and len(value) == 3
        and type(value[0]) is str
        and type(value[1]) in (bool, int)
        and type(value[2]) in (int, float)
    )


def _placed(table: tuple, place: object):
    """`table[place]`, for a place that is an int within it (a negative one too is refused)."""
    if type(place) is not int or place < 0:
        raise ValueError("a list named by a place that is not one")
    return table[place]


def _check_places(rows: list, column: int, table: tuple) -> None:
    """That every row's value in `column` is a place in `table`: an int (checked in C over a
    day's thousands), neither negative nor past its end. Raises TypeError, ValueError or
    IndexError."""
    if not rows:
        return
    places = [row[column] for row in rows]
    if set(map(type, places)) != {int}:
        raise TypeError("a list named by a place that is not a number")
    if min(places) < 0:
        raise ValueError("a list named by a place that is not one")
    if max(places) >= len(table):
        raise IndexError("a list named by a place past the lists")


_CATEGORY, _MATCH = ROW_FIELDS.index("categories"), ROW_FIELDS.index("matches")


class StoredRecords(Sequence):
    """The records of a day's stored parts (rows in ROW_FIELDS order, their texts apart),
    each made when first asked for, then kept: a custom query over a week of days reads
    every row's id, type, categories and date (`columns`) and shows a few dozen papers.
    It reads as the tuple of its records (indexing, slicing, iterating, len, ==), and
    makes one record object per row whichever thread asks first."""

    __slots__ = ("_segments", "_starts", "_made", "_lock", "_columns")

    def __init__(self, segments: list[tuple[list, PartTexts, tuple, tuple]]):
        """`segments`: each part's (rows, texts, category lists, match lists), in order."""
        self._segments = segments
        self._starts = list(itertools.accumulate((len(rows) for rows, *_ in segments), initial=0))
        self._made: list = [None] * self._starts[-1]
        self._lock = threading.Lock()
        self._columns: DayColumns | None = None

    def __len__(self) -> int:
        return len(self._made)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self._made))))
        made = self._made[i]
        return made if made is not None else self._make(i % len(self._made))

    def __iter__(self):
        if None in self._made:
            self._make_all()
        return iter(self._made)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredRecords | tuple | list):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))

    @property
    def columns(self) -> DayColumns:
        """Every row's fields but its texts and matches, by position, without a record made."""
        if self._columns is None:
            values = [[], [], [], [], [], [], [], []]
            categories: list = []
            for rows, _, table, _ in self._segments:
                for column, found in zip(values, zip(*rows, strict=True) if rows else [()] * 8, strict=True):
                    column.extend(found)
                categories.extend(table[place] for place in values[_CATEGORY][len(categories) :])
            ids, versions, _, types, announced, scores, _, excluded_by = values
            self._columns = DayColumns(ids, versions, types, announced, categories, scores, excluded_by)
        return self._columns

    def _make(self, pos: int) -> Scored:
        segment = bisect_right(self._starts, pos) - 1
        record = self._record(segment, pos - self._starts[segment])
        with self._lock:
            if self._made[pos] is None:
                self._made[pos] = record
            return self._made[pos]

    def _record(self, segment: int, i: int) -> Scored:
        rows, texts, categories, matches = self._segments[segment]
        paper_id, version, category, kind, announced, score, match, excluded_by = rows[i]
        paper = Paper.apart(paper_id, version, categories[category], kind, announced, (texts, i))
        return built_scored(paper, score, matches[match], excluded_by)

    def _make_all(self) -> None:
        """Every record not made yet, in one pass (a feed over the whole day reads them all).
        `_record`, inlined: a call per record made a first `/feed`'s 1,500 about 5 % slower."""
        apart = Paper.apart
        with self._lock:
            made = self._made
            for start, (rows, texts, categories, matches) in zip(self._starts, self._segments, strict=False):
                for i, (paper_id, version, category, kind, announced, score, match, excluded_by) in enumerate(rows):
                    if made[start + i] is None:
                        paper = apart(paper_id, version, categories[category], kind, announced, (texts, i))
                        made[start + i] = built_scored(paper, score, matches[match], excluded_by)


def _scored_from_whole_row(row: list, shared: dict) -> Scored:
    """The record of a row stored with every field of its paper, in _WHOLE_ROW_FIELDS order."""
    paper = Paper.from_values(row)  # stops at the paper's last field
    score, matches, excluded_by = row[len(_WHOLE_ROW_FIELDS) - 3 :]
    return _scored(paper, score, matches, excluded_by, shared)


def day_parts(day: Day, words: Callable[[Sequence[Scored]], bytes] | None = None) -> list[dict]:
    """The documents a day is stored as (one per part). Each part holds its papers (`rows`
    under the names in `fields`, their texts apart: `texts`, `text_ends`, `text_fields`),
    their summaries and, given `words` (core.rank.prefilter.stored_words, as the refresh
    passes it), the word index of its papers as bytes (`words`, positions within the part),
    so a custom query on a cold instance builds no index."""

    chunks = [day.papers[i : i + MAX_PAPERS_PER_PART] for i in range(0, len(day.papers), MAX_PAPERS_PER_PART)]
    parts = []
    for chunk in chunks or [()]:
        ids = {s.paper.id for s in chunk}
        summaries = {k: v for k, v in day.summaries.items() if k in ids}
        texts = [paper_texts(s.paper) for s in chunk]
        rows, category_lists, match_lists = _rows(chunk)
        part = {
            "date": day.date,
            "fields": list(ROW_FIELDS),
            "rows": rows,
            "category_lists": category_lists,
            "match_lists": match_lists,
            "summaries": summaries,
            "text_fields": list(TEXT_FIELDS),
            "text_ends": list(itertools.accumulate(map(len, texts))),
            "texts": b"".join(texts),
        }
        parts.append(part | {"words": words(chunk)} if words is not None else part)
    return parts


def day_from_parts(date: str, parts: list[dict], shared: dict[str, dict] | None = None) -> Day:
    """The day its parts hold, with their word indexes undecoded (`Day.words`, for
    core.rank.prefilter); a day stored before they were (no `words`) holds none and gets its
    index built on first use. Its papers are one StoredRecords when every part stores rows
    in ROW_FIELDS order (records made when first asked for), else a tuple. Days read with
    one `shared` (`shared_lists`) share their alike category and match lists."""
    shared = shared_lists() if shared is None else shared
    read: list[Sequence[Scored]] = []
    summaries: dict = {}
    words: list[tuple[int, object]] = []
    start = 0
    for part in parts:
        words.append((start, part.get("words")))
        read.append(scored_from_rows(part, shared))
        start += len(read[-1])
        summaries.update(part.get("summaries", {}))
    if read and all(isinstance(r, StoredRecords) for r in read):
        papers = read[0] if len(read) == 1 else StoredRecords([s for r in read for s in r._segments])
    else:
        papers = tuple(itertools.chain.from_iterable(read))
    return Day(date, papers, summaries, words if all(w is not None for _, w in words) else [])
