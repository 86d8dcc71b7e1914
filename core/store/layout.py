"""How data sits in the store: key names, compression and JSON shapes, in one place.

    manifest                the published version: days, per-category status, last report
    day:<date>:<hash>:<n>   an immutable day segment part (compressed JSON of that day's papers,
                            their summaries and their word index)
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
import json
import zlib
from collections.abc import Callable, Sequence
from dataclasses import fields

try:
    from backports import zstd
except ImportError:  # Python 3.14 and later have it
    from compression import zstd

from core.errors import StoreError
from core.models import Day, Manifest, Match, Paper, Scored, built, built_scored

PREFIX = "arxiv-rss:"
MANIFEST_KEY = PREFIX + "manifest"
LOCK_KEY = PREFIX + "lock:refresh"
# Keeps each value far below Upstash's per-request limit; bigger days are split.
MAX_PAPERS_PER_PART = 2000
BINARY_KEY = "words"  # the one field stored as raw bytes (`encode`): a day part's word index
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
    """Compressed JSON (a zstd frame). A dict whose `words` is bytes (a day part's word index)
    carries them after the JSON and a NUL byte, which JSON text never holds: binary, not base64
    in a string, so reading a day pays neither for parsing them nor, until a query wants them,
    for decoding."""
    tail = b""
    if isinstance(obj, dict) and isinstance(obj.get(BINARY_KEY), bytes):
        tail = b"\0" + obj[BINARY_KEY]
        obj = {k: v for k, v in obj.items() if k != BINARY_KEY}
    return compressed(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + tail)


def compressed(data: bytes) -> bytes:
    """`data` as the store keeps it: one zstd frame, with a checksum of the content."""
    return zstd.compress(data, options=_ZSTD_OPTIONS)


def decompressed(raw: bytes) -> bytes:
    """What `compressed` made, or zlib (what the store held before). Raises zstd.ZstdError
    or zlib.error (`UNREADABLE`) when it is neither."""
    return zstd.decompress(raw) if raw[:4] == ZSTD_MAGIC else zlib.decompress(raw)


UNREADABLE = (zlib.error, zstd.ZstdError)  # what `decompressed` raises for bytes it cannot read


def decode(raw: bytes, what: str) -> object:
    """What `encode` made (a binary tail back under `words`). Raises StoreError when unreadable."""
    try:
        data = decompressed(raw)
        end = data.find(b"\0")
        if end < 0:
            return json.loads(data)
        obj = json.loads(data[:end])
        if not isinstance(obj, dict):
            raise ValueError("binary part after a value that is not an object")
        obj[BINARY_KEY] = data[end + 1 :]
        return obj
    except (*UNREADABLE, ValueError) as exc:
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


def scored_to_dict(s: Scored) -> dict:
    d = s.paper.to_dict()
    d["score"] = s.score
    d["matches"] = [[m.keyword, m.in_title, m.points] for m in s.matches]
    if s.excluded_by:
        d["excluded_by"] = s.excluded_by
    return d


def scored_from_dict(d: dict) -> Scored:
    d = dict(d)
    score, matches, excluded_by = d.pop("score", 0.0), d.pop("matches", []), d.pop("excluded_by", "")
    return _scored(Paper.from_dict(d), score, matches, excluded_by, {})


def _scored(paper: Paper, score: float, matches: list, excluded_by: str, shared: dict) -> Scored:
    """The stored record of `paper`, built without the dataclass constructors. Records with
    the same matches share one tuple of them through `shared` (a day's thousand matched
    records hold a few dozen distinct lists: memory, and the feeds' per-match-list caches)."""
    if not matches:
        return built_scored(paper, score, (), excluded_by)
    key = tuple(map(tuple, matches))
    found = shared.get(key)
    if found is None:
        found = shared[key] = tuple(
            built(Match, {"keyword": k, "in_title": bool(t), "points": float(p)}) for k, t, p in key
        )
    return built_scored(paper, score, found, excluded_by)


# A day part stores its papers as rows under the names in its "fields": an object per paper
# repeats every name and takes about twice as long to parse.
_PAPER_NAMES = tuple(f.name for f in fields(Paper))
ROW_FIELDS = (*_PAPER_NAMES, "score", "matches", "excluded_by")


def scored_to_row(s: Scored) -> list:
    d = scored_to_dict(s)
    return [d.get(name, "") for name in ROW_FIELDS]


def scored_from_rows(part: dict) -> list[Scored]:
    """A part's papers: its rows under its fields, or (a part stored before rows) its
    "papers". Raises StoreError when the rows do not fit the fields, or a paper's values
    are not of their kind."""
    try:
        if "rows" not in part:
            return [scored_from_dict(d) for d in part.get("papers", [])]
        names, rows = part.get("fields"), part["rows"]
        if not isinstance(names, list) or not isinstance(rows, list) or any(not _fits(r, names) for r in rows):
            raise StoreError(f"stored day {part.get('date')} is unreadable (rows do not fit their fields)")
        if tuple(names) != ROW_FIELDS:
            return [scored_from_dict(dict(zip(names, row, strict=True))) for row in rows]
        shared: dict = {}
        return [_scored_from_row(row, shared) for row in rows]
    except (TypeError, ValueError, AttributeError) as exc:
        raise StoreError(f"stored day {part.get('date')} is unreadable (a paper: {exc.__class__.__name__})") from None


def _fits(row: object, names: list) -> bool:
    return isinstance(row, list) and len(row) == len(names)


def _scored_from_row(row: list, shared: dict) -> Scored:
    """`scored_from_dict` of a row in ROW_FIELDS order (the paper's fields, then its score,
    matches and exclusion), without making the dict first."""
    paper = Paper.from_values(row)  # stops at the paper's last field
    score, matches, excluded_by = row[len(_PAPER_NAMES) :]
    return _scored(paper, score, matches, excluded_by, shared)


def day_parts(day: Day, words: Callable[[Sequence[Scored]], bytes] | None = None) -> list[dict]:
    """The documents a day is stored as (one per part). Each part holds its papers (`rows`
    under the names in `fields`), their summaries and, given `words`
    (core.rank.prefilter.stored_words, as the refresh passes it), the word index of its
    papers as bytes (`words`, positions within the part), so a custom query on a cold
    instance builds no index."""

    chunks = [day.papers[i : i + MAX_PAPERS_PER_PART] for i in range(0, len(day.papers), MAX_PAPERS_PER_PART)]
    parts = []
    for chunk in chunks or [()]:
        ids = {s.paper.id for s in chunk}
        summaries = {k: v for k, v in day.summaries.items() if k in ids}
        rows = [scored_to_row(s) for s in chunk]
        part = {"date": day.date, "fields": list(ROW_FIELDS), "rows": rows, "summaries": summaries}
        parts.append(part | {"words": words(chunk)} if words is not None else part)
    return parts


def day_from_parts(date: str, parts: list[dict]) -> Day:
    """The day its parts hold, with their word indexes undecoded (`Day.words`, for
    core.rank.prefilter); a day stored before they were (no `words`) holds none and gets its
    index built on first use."""
    papers: list[Scored] = []
    summaries: dict = {}
    words: list[tuple[int, object]] = []
    for part in parts:
        words.append((len(papers), part.get("words")))
        papers.extend(scored_from_rows(part))
        summaries.update(part.get("summaries", {}))
    return Day(date, tuple(papers), summaries, words if all(w is not None for _, w in words) else [])
