"""The values that flow through the project: a paper, its score, a day of papers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")


@dataclass(frozen=True)
class Paper:
    """One arXiv paper as announced on one day.

    `id` is versionless (``2609.26811``, ``hep-ex/0406020``); `announced` is the
    ISO date of the announcement, never the fetch time; `categories` lists the
    primary category first.
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

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Paper:
        return cls(
            **{
                **data,
                "authors": tuple(data.get("authors", ())),
                "categories": tuple(data.get("categories", ())),
                "affiliations": tuple(tuple(pair) for pair in data.get("affiliations", ())),
            }
        )


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
    # Set only when a feed ranks by meaning (core.meaning): cosine to the target, and the
    # title of the liked paper this one is closest to.
    similarity: float | None = None
    nearest: str = ""

    @property
    def matched_keywords(self) -> tuple[str, ...]:
        return tuple(m.keyword for m in self.matches)


@dataclass(frozen=True)
class ParsedFeed:
    """What one arXiv response held: its papers, the announcement date it declares,
    how many entries were malformed and skipped, and the feed's own categories."""

    papers: tuple[Paper, ...]
    announced: str = ""
    skipped: int = 0
    total_results: int | None = None
    feed_categories: tuple[str, ...] = field(default=())
