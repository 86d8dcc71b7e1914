"""The values that flow through the project: a paper, its score, a day of papers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import MISSING, asdict, dataclass, field, fields

ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")


@dataclass(frozen=True)
class Paper:
    """One arXiv paper as announced on one day.

    `id` is versionless (``2609.26811``, ``hep-ex/0406020``); `announced` is the
    ISO date of the announcement, never the fetch time; `categories` lists the
    primary category first. A paper read from the store reads its text fields
    (TEXT_FIELDS) when first asked for one (`apart`); it compares, hashes and reads
    as any other.
    """

    id: str
    version: int
    title: str
    abstract: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    announce_type: str
    announced: str
    license: str = ""
    doi: str = ""
    journal_ref: str = ""
    comment: str = ""
    affiliations: tuple[tuple[str, str], ...] = ()

    @property
    def primary_category(self) -> str:
        return self.categories[0] if self.categories else ""

    @property
    def versioned_id(self) -> str:
        return f"{self.id}v{self.version}"

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.versioned_id}"

    @property
    def html_url(self) -> str:
        return f"https://arxiv.org/html/{self.versioned_id}"

    def __hash__(self) -> int:
        """The hash of its fields but the texts (COLUMN_FIELDS: papers equal in every field
        are equal in these), worked out once. A feed hashes each paper it shows to find its
        kept parts (core.feeds.items), and a paper read from the store is hashed without
        reading its texts."""
        found = self.__dict__.get("_hash")
        if found is None:
            found = hash(tuple(map(self.__dict__.__getitem__, COLUMN_FIELDS)))
            object.__setattr__(self, "_hash", found)
        return found

    def __getattr__(self, name: str):
        """A text field (TEXT_FIELDS) of a paper read from the store with its texts apart
        (`apart`), read when first asked for: the paper then holds every field, as a
        constructed one does. Called only for names the paper does not hold."""
        texts = self.__dict__.get("_texts") if name in _TEXT_NAMES else None
        if texts is None:
            raise AttributeError(f"'Paper' object has no attribute {name!r}")
        source, i = texts
        held = self.__dict__
        attributes = _shape(Paper).copy()
        for column in COLUMN_FIELDS:
            attributes[column] = held[column]
        attributes.update(source.texts(i))
        if "_hash" in held:
            attributes["_hash"] = held["_hash"]
        object.__setattr__(self, "__dict__", attributes)  # another thread reading meanwhile loads them too
        return attributes[name]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Paper:
        """The paper `to_dict` gave; raises TypeError on a missing or unknown field, as the
        constructor does. Built without the constructor: a cold read makes thousands."""
        if not _PAPER_REQUIRED <= data.keys() <= _PAPER_FIELDS:
            wrong = sorted((_PAPER_REQUIRED - data.keys()) | (data.keys() - _PAPER_FIELDS))
            raise TypeError(f"a stored paper has missing or unknown fields: {', '.join(map(str, wrong))}")
        return cls.from_fields({**_PAPER_DEFAULTS, **data})

    @classmethod
    def from_fields(cls, values: dict) -> Paper:
        """The paper holding `values`, every field present and none other (unchecked: the
        caller knows, as core.store.layout does of a part whose field names it checked)."""
        attributes = _shape(cls).copy()
        attributes.update(values)
        return _finished(attributes)

    @classmethod
    def from_values(cls, values: Sequence) -> Paper:
        """`from_fields` of the fields' values in field order (any after the last ignored):
        a stored row, made into a paper without a dict in between."""
        attributes = _shape(cls).copy()
        attributes.update(zip(_PAPER_NAMES, values, strict=False))  # a row goes on past the fields
        return _finished(attributes)

    @classmethod
    def apart(cls, paper_id: str, version: int, categories: tuple, announce_type: str, announced: str, texts: tuple):
        """A paper holding its fields but the text ones (COLUMN_FIELDS; `categories` a tuple)
        whose texts are read when first asked for, as `texts[0].texts(texts[1])` gives them
        (a dict of TEXT_FIELDS: core.store.layout): a cold read makes thousands of papers and
        shows a few dozen."""
        attributes = {
            "id": paper_id,
            "version": version,
            "categories": categories,
            "announce_type": announce_type,
            "announced": announced,
            "_texts": texts,
        }
        out = _new(cls)  # `_instance`, inlined: a cold read makes thousands
        _set(out, "__dict__", attributes)
        return out


def text_values(values: dict) -> dict:
    """A paper's text fields as read from the store (lists), made as a constructed paper
    holds them (tuples). Raises TypeError or ValueError when a value is not of its kind."""
    values["authors"] = tuple(values["authors"])
    affiliations = values["affiliations"]
    values["affiliations"] = tuple(map(tuple, affiliations)) if affiliations else ()
    return values


def _finished(attributes: dict) -> Paper:
    """The paper with these attributes, its sequences made tuples (hashable, as constructed)."""
    attributes["categories"] = tuple(attributes["categories"])
    return _instance(Paper, text_values(attributes))


def built(cls, values: dict):
    """An instance of the frozen dataclass `cls` holding `values` (fields it leaves out take
    their defaults), made without running its constructor (which sets each field through
    object.__setattr__): its attribute dict is a copy of one shaped like the class's own,
    then filled, so it keeps sharing the class's keys (a dict filled from empty takes about
    2.5 times the memory)."""
    attributes = _shape(cls).copy()
    attributes.update(values)
    return _instance(cls, attributes)


def _instance(cls, attributes: dict):
    """An instance of `cls` whose attribute dict is `attributes` (its constructor not run)."""
    out = _new(cls)
    _set(out, "__dict__", attributes)
    return out


_new, _set = object.__new__, object.__setattr__


def _shape(cls) -> dict:
    """An attribute dict of `cls` made by setting each field in order (None for a field
    without a default), kept per class."""
    shape = _SHAPES.get(cls)
    if shape is None:
        proto = object.__new__(cls)
        for f in fields(cls):
            object.__setattr__(proto, f.name, None if f.default is MISSING else f.default)
        shape = _SHAPES[cls] = proto.__dict__
    return shape


_SHAPES: dict[type, dict] = {}


_PAPER_NAMES = tuple(f.name for f in fields(Paper))
# The fields a stored day keeps apart from the others, read only for the papers a feed shows
# or a keyword must be searched in (core.store.layout); the others are COLUMN_FIELDS.
TEXT_FIELDS = ("title", "abstract", "authors", "license", "doi", "journal_ref", "comment", "affiliations")
COLUMN_FIELDS = tuple(n for n in _PAPER_NAMES if n not in TEXT_FIELDS)
_TEXT_NAMES = frozenset(TEXT_FIELDS)
# A field's default is also a class attribute, which a paper whose texts are still apart would
# show instead of asking `__getattr__`: the constructor keeps its own copy of each default.
for _name in TEXT_FIELDS:
    if _name in vars(Paper):
        delattr(Paper, _name)
_PAPER_FIELDS = frozenset(_PAPER_NAMES)
_PAPER_REQUIRED = frozenset(f.name for f in fields(Paper) if f.default is MISSING)
_PAPER_DEFAULTS = {f.name: f.default for f in fields(Paper) if f.default is not MISSING}


@dataclass(frozen=True)
class Match:
    """One keyword that matched a paper: where, and what it added to the score."""

    keyword: str
    in_title: bool
    points: float


@dataclass(frozen=True)
class Scored:
    """A paper with its score under one keyword profile and the explanation."""

    paper: Paper
    score: float
    matches: tuple[Match, ...] = ()
    excluded_by: str = ""
    # Set only when a feed ranks by meaning (core.rank.meaning): cosine to the target, and the
    # title of the liked paper this one is closest to.
    similarity: float | None = None
    nearest: str = ""
    why: str = ""  # a profile feed's reason beyond similarity, e.g. "exploring: unlike what you turned down"

    @property
    def matched_keywords(self) -> tuple[str, ...]:
        return tuple(m.keyword for m in self.matches)


def built_scored(paper: Paper, score: float, matches: tuple[Match, ...] = (), excluded_by: str = "") -> Scored:
    """`Scored(paper, score, matches, excluded_by)`, made as `built` makes it (set into a copy
    of the class's shaped dict, with no dict of values in between): for the many records a
    day's read or a feed's ranking makes at once."""
    attributes = _shape(Scored).copy()
    attributes["paper"], attributes["score"], attributes["matches"] = paper, score, matches
    attributes["excluded_by"] = excluded_by
    out = _new(Scored)  # `_instance`, inlined: a cold read makes thousands
    _set(out, "__dict__", attributes)
    return out


@dataclass(frozen=True)
class ParsedFeed:
    """What one arXiv response held: its papers, the announcement date it declares,
    how many entries were malformed and skipped, and the feed's own categories."""

    papers: tuple[Paper, ...]
    announced: str = ""
    skipped: int = 0
    total_results: int | None = None
    feed_categories: tuple[str, ...] = field(default=())


# The published state (stored by core.store.layout) --------------------------------------------

LAYOUT_VERSION = 1  # the manifest's shape


@dataclass(frozen=True)
class DayRef:
    """One announcement day as the manifest names it; `vectors` is the key of its paper
    vectors under `embedder` ("" until a refresh has embedded the day)."""

    date: str
    keys: tuple[str, ...]
    count: int
    summaries: int = 0
    vectors: str = ""
    embedder: str = ""

    def to_dict(self) -> dict:
        d = {"date": self.date, "keys": list(self.keys), "count": self.count, "summaries": self.summaries}
        if self.vectors:
            d |= {"vectors": self.vectors, "embedder": self.embedder}
        return d

    @classmethod
    def from_dict(cls, d: dict) -> DayRef:
        return cls(
            d["date"],
            tuple(d["keys"]),
            int(d["count"]),
            int(d.get("summaries", 0)),
            str(d.get("vectors", "")),
            str(d.get("embedder", "")),
        )


@dataclass(frozen=True)
class Manifest:
    """The published state. `days` is newest first. `categories` maps each configured
    category to its last status record; `report` is the last refresh report."""

    version: str = ""
    published_at: str = ""
    days: tuple[DayRef, ...] = ()
    categories: dict = field(default_factory=dict)
    status: str = "never-refreshed"
    batch: str = ""
    report: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "layout": LAYOUT_VERSION,
            "version": self.version,
            "published_at": self.published_at,
            "days": [d.to_dict() for d in self.days],
            "categories": self.categories,
            "status": self.status,
            "batch": self.batch,
            "report": self.report,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Manifest:
        return cls(
            version=d.get("version", ""),
            published_at=d.get("published_at", ""),
            days=tuple(DayRef.from_dict(x) for x in d.get("days", [])),
            categories=d.get("categories", {}),
            status=d.get("status", "never-refreshed"),
            batch=d.get("batch", ""),
            report=d.get("report", {}),
        )

    def day(self, date: str) -> DayRef | None:
        return next((d for d in self.days if d.date == date), None)


@dataclass(frozen=True)
class DayColumns:
    """A day's records field by field, by position in `Day.papers`: what a pool of a week's
    papers is filtered, deduplicated and ordered by, read from a stored day's rows without
    making a record (core.store.layout.StoredRecords.columns), or from any day's records
    (`of`; core.rank.selection.columns_of gives either)."""

    ids: Sequence[str]
    versions: Sequence[int]
    types: Sequence[str]
    announced: Sequence[str]
    categories: Sequence[tuple[str, ...]]
    scores: Sequence[float]
    excluded_by: Sequence[str]

    @classmethod
    def of(cls, records: Sequence[Scored]) -> DayColumns:
        papers = [s.paper for s in records]
        return cls(
            ids=[p.id for p in papers],
            versions=[p.version for p in papers],
            types=[p.announce_type for p in papers],
            announced=[p.announced for p in papers],
            categories=[p.categories for p in papers],
            scores=[s.score for s in records],
            excluded_by=[s.excluded_by for s in records],
        )


@dataclass(frozen=True)
class Day:
    """One announcement day: its papers scored under the deployment's profile, and the
    summaries known for them (paper id -> summary record). `papers` is a tuple, or for a
    day read from the store a sequence that makes each record when first asked for
    (core.store.layout.StoredRecords) and reads as that tuple."""

    date: str
    papers: Sequence[Scored]
    summaries: dict = field(default_factory=dict)
    # The word index stored with each part, [(position of the part's first paper, bytes)],
    # until core.rank.prefilter decodes it (and empties this list); [] when none was stored.
    words: list = field(default_factory=list, compare=False, repr=False)
