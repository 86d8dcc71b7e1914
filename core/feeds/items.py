"""One feed item: its paper and summary, its HTML body, and the parts of it kept per paper.

What every item carries, in all three formats: title, authors, arXiv categories, announce
type, score and matched keywords, the abstract as escaped text, the AI summary as sanitised
HTML when present, and links to the abs, PDF and HTML pages. The guid/id is the versionless
abs URL; the date is the announcement date at midnight US Eastern, as arXiv's own feed dates
it. An item whose AI summary was written after that is modified then (`modified_at`).

Authors are one comma-joined name list, as arXiv's own RSS sends them (`author_list`):
readers keep only one creator or author element, so one per author would show only the last.

Everything an item renders to except its score line and its matched keywords as categories
or tags (both depend on the query; core.feeds.xml and core.feeds.jsonfeed add them per feed)
depends only on its paper and its summary, so that part is kept as UTF-8 (per format, paper
and the summary's fields; bounded LRU, `fragments`) and reused by every later feed showing
the paper, whatever its query.
Escaping is per character, so escape(a + b) == escape(a) + escape(b), and UTF-8 is too, so
the pieces join into the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache

from core.calendar import EASTERN, parse_instant
from core.memo import LRU, kept
from core.models import Paper, Scored
from core.text.safe_html import escape, one_line, summary_body, text_to_html

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

SOURCE_TEXT = {"fulltext": "from the full text", "abstract": "from the abstract"}

FRAGMENT_ENTRIES = 2048

FRAGMENT_BYTES = 16 * 1024 * 1024


@dataclass(slots=True)  # not frozen: made 50 to 200 times a feed, and a frozen one costs three times as much
class Item:
    """One paper to show, with its summary record (None: no summary shown); not changed once made."""

    scored: Scored
    summary: dict | None = None
    footer: str = ""  # HTML appended to the item's body (a profile feed's vote links)


def items_for(selected: Sequence[Scored], summaries: dict[str, dict], with_summaries: bool) -> list[Item]:
    """Pair each selected paper with its summary when summaries are wanted and one exists."""
    if not with_summaries:
        return [Item(s) for s in selected]
    return [Item(s, _usable(summaries.get(s.paper.id))) for s in selected]


def item_html(item: Item) -> str:
    """The HTML body of one item: authors, categories and type, score and matched
    keywords, links, the sanitised AI summary (when present) and the escaped abstract."""
    paper = item.scored.paper
    pre, post = html_frame(paper, summary_html(item.summary) if item.summary else None, author_list(paper))
    return pre + score_html(item.scored) + post


def html_frame(p: Paper, summary: str | None, authors: str) -> tuple[str, str]:
    """An item's HTML body before and after its score line (which depends on the query);
    `authors` is `author_list(p)`."""
    cats = ", ".join(escape(c) + (" (primary)" if i == 0 else "") for i, c in enumerate(categories_of(p)))
    pre = (
        f"<p><strong>Authors:</strong> {escape(authors)}</p>"
        f"<p><strong>Categories:</strong> {cats} · <strong>Announce type:</strong> {escape(p.announce_type)}"
        f" · <strong>Announced:</strong> {escape(p.announced)}</p>"
    )
    post = (
        f'<p><a href="{escape(p.abs_url)}">Abstract page</a> · <a href="{escape(p.pdf_url)}">PDF</a>'
        f' · <a href="{escape(p.html_url)}">HTML</a></p>'
    )
    if summary is not None:
        post += summary
    return pre, post + "<h3>Abstract</h3>" + text_to_html(p.abstract)


def score_html(s: Scored) -> str:
    meaning = _similarity_html(s)
    if not s.matches:
        return f"<p>{meaning}</p>" if meaning else ""
    matched = ", ".join(escape(one_line(m.keyword)) + (" (title)" if m.in_title else "") for m in s.matches)
    tail = f" · {meaning}" if meaning else ""
    return f"<p><strong>Score:</strong> {s.score:g} · <strong>Matched:</strong> {matched}{tail}</p>"


def _similarity_html(s: Scored) -> str:
    """Why a paper ranks where it does by meaning: its similarity, the liked paper it is
    closest to, and a profile feed's own reason (exploring, a liked paper's new version)."""
    parts = [f"<strong>Similarity:</strong> {s.similarity:.2f}"] if s.similarity is not None else []
    if s.nearest:
        parts.append(f"<strong>Closest liked paper:</strong> {escape(one_line(s.nearest))}")
    if s.why:
        parts.append(f"<strong>Why:</strong> {escape(one_line(s.why))}")
    return " · ".join(parts)


def _fragment_size(value: tuple) -> int:
    return sum(len(v) for v in value if isinstance(v, str | bytes))


_FRAGMENTS = kept("feeds.item_fragments", LRU(FRAGMENT_ENTRIES, FRAGMENT_BYTES, size=_fragment_size))


def fragments(fmt: str, item: Item, frame: Callable) -> tuple:
    """What `item` renders to in `fmt` apart from its score line: a pure function of its
    paper and the summary fields it shows, so kept per (format, paper, those fields) for
    the next feed that shows the paper, whatever its query. `frame(paper, summary_html,
    modified)` is the format's writer of those parts (core.feeds.xml, core.feeds.jsonfeed)."""
    record, paper = item.summary, item.scored.paper
    shown = (record["text"], record.get("model"), record.get("source"), record.get("created_at")) if record else None
    key = (fmt, paper, shown)
    try:
        found = _FRAGMENTS.get(key)
    except TypeError:  # a Paper built with a list somewhere is not hashable: render it afresh
        return frame(paper, summary_html(record) if record else None, modified_at(item))
    if found is None:
        found = frame(paper, summary_html(record) if record else None, modified_at(item))
        _FRAGMENTS.put(key, found)
    return found


def modified_at(item: Item) -> str:
    """When the item last changed, ISO 8601: its announcement (midnight US Eastern), or the
    `created_at` of the AI summary it shows when that is later."""
    announced = announced_at(item.scored.paper.announced)
    created = parse_instant(str(item.summary.get("created_at", ""))) if item.summary else None
    return (created if created is not None and created > announced else announced).isoformat()


def summary_html(record: dict) -> str:
    """The AI summary's part of an item body: heading, who wrote it from what, and its
    HTML as the refresh rendered it (rendered now only for a record stored before)."""
    by = f"by {escape(one_line(str(record.get('model', ''))))}" if record.get("model") else ""
    source = SOURCE_TEXT.get(str(record.get("source", "")), "")
    note = ", ".join(x for x in (by, source) if x)
    head = "<h3>AI summary</h3>" + (f"<p><em>{note}</em></p>" if note else "")
    return head + "<div>" + summary_body(record) + "</div>"


def _usable(record: object) -> dict | None:
    text = record.get("text") if isinstance(record, dict) else None
    return record if isinstance(text, str) and text and not text.isspace() else None  # strip() would copy it


def authors_of(p: Paper) -> list[str]:
    return [a for a in (one_line(x) for x in p.authors) if a]


def author_list(p: Paper) -> str:
    """Every author in one string, as arXiv's RSS `dc:creator` holds them: "A, B, C"."""
    return ", ".join(authors_of(p))


def categories_of(p: Paper) -> list[str]:
    return [c for c in (one_line(x) for x in p.categories) if c]


def announced_at(iso_date: str) -> datetime:
    """Midnight US Eastern of an announcement date (the epoch when unreadable)."""
    try:
        return _midnight(iso_date)
    except TypeError:  # not hashable, so not a date either
        return EPOCH


@lru_cache(maxsize=64)  # a feed's papers were announced on a few dates; each item asks twice
def _midnight(iso_date: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(iso_date), time(0, 0), tzinfo=EASTERN)
    except (TypeError, ValueError):
        return EPOCH


def instant(iso: str) -> datetime:
    """An ISO 8601 time as an aware UTC datetime (the epoch when empty or unreadable)."""
    return parse_instant(iso) or EPOCH
