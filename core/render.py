"""Feeds as bytes: RSS 2.0, Atom 1.0 and JSON Feed 1.1. Pure, no I/O.

    render_feed(manifest, days, query, config, base_url) -> bytes   select + channel text + render
    render(Channel, [Item], "rss" | "atom" | "json") -> bytes (UTF-8)

The XML is written directly, not through a feed library: the two formats need
a few dozen elements, every text value goes through `core.safe_html.escape`
(control characters and lone surrogates stripped, markup escaped), and writing
strings keeps a 50-item feed to a few milliseconds with no lxml at cold start.

What every item carries, in all three formats: title, authors, arXiv categories,
announce type (`arxiv:announce_type`, arXiv's own extension), score and matched
keywords, the abstract as escaped text, the AI summary as sanitised HTML when
present, and links to the abs, PDF and HTML pages. The guid/id is the versionless
abs URL; the date is the announcement date at midnight US Eastern, as arXiv's own
feed dates it. An item whose AI summary was written after that is modified then:
Atom `<updated>` and JSON Feed `date_modified` carry the summary's `created_at`.

Authors are one comma-joined name list, as arXiv's own RSS sends them: one
`dc:creator` in RSS and one `<author>` in Atom. Readers keep only one creator or
author element (newsboat, feedparser's `.author` and `reader` keep the last), so
one element per author would show only the last author; JSON Feed keeps its
`authors` array, which readers join themselves.

`channel_title` and `channel_description` write the feed's own text: what it
holds and an honest account of the last refresh. Data whose newest announcement is
more than OLD_DATA_DAYS days old is called old, with the time of the last refresh
(`old_data_note`), rather than explained as a rebuild arXiv has not done yet.

Everything an item renders to except its score line depends only on its paper and
its summary, so that part is kept as UTF-8 (per format, paper and the summary's
fields; bounded LRU) and reused by every later feed showing the paper, whatever its
query; within a feed, papers with the same matches share one score line. Escaping is per
character, so escape(a + b) == escape(a) + escape(b), and UTF-8 is too, so the pieces
join into the same bytes.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.utils import format_datetime

from core.calendar import EASTERN, parse_instant
from core.config import Config
from core.layout import Day, Manifest
from core.memo import LRU, ObjectMemo
from core.models import Paper, Scored
from core.query import FeedQuery, split_terms
from core.safe_html import escape, markdown_to_html, one_line, text_to_html, xml_safe
from core.selection import select_papers, summaries_of

GENERATOR = "arxiv-rss"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
ARXIV_NS = "http://arxiv.org/schemas/atom"
CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SOURCE_TEXT = {"fulltext": "from the full text", "abstract": "from the abstract"}
FRAGMENT_ENTRIES = 2048
FRAGMENT_BYTES = 16 * 1024 * 1024
# Past this many days since the newest announcement held, the data is old: weekends and
# arXiv's holiday breaks (up to about five days around New Year) stay below it.
OLD_DATA_DAYS = 7


@dataclass(frozen=True)
class Channel:
    """The feed itself: absolute URLs; `updated` is an ISO 8601 UTC time or ""."""

    title: str
    description: str
    self_url: str
    site_url: str
    updated: str = ""
    language: str = "en"


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


def render_feed(
    manifest: Manifest,
    days: Sequence[Day],
    query: FeedQuery,
    config: Config,
    base_url: str,
    *,
    degraded: bool = False,
    notice: str = "",
    ranked: Sequence[Scored] | None = None,
    now: datetime | None = None,
) -> bytes:
    """The whole feed for `query` over `days` (newest first, as the manifest names them):
    select the papers, pair their summaries, write the channel's text, render.
    `base_url` (no trailing slash) makes the feed's own links absolute; `notice` is
    appended to the description (e.g. a storage warning); `ranked` is the selection when
    the caller ranked by meaning (core.meaning); `now` (when given) lets the description
    say that old data is old."""
    selected = list(ranked) if ranked is not None else select_papers(days, query, config)
    items = items_for(selected, summaries_of(days), query.summary == "full")
    description = channel_description(manifest, query, [d.date for d in days], degraded, now=now)
    channel = Channel(
        title=channel_title(query),
        description=f"{description} {notice}" if notice else description,
        self_url=base_url + query.url,
        site_url=base_url + "/",
        updated=manifest.published_at,
    )
    return render(channel, items, query.format)


def render(channel: Channel, items: Sequence[Item], fmt: str) -> bytes:
    """The feed in `fmt` (rss, atom, json) as UTF-8 bytes."""
    writer = {"rss": render_rss, "atom": render_atom, "json": render_json}[fmt]
    return writer(channel, items)


# RSS 2.0 -------------------------------------------------------------------------------------


def render_rss(channel: Channel, items: Sequence[Item]) -> bytes:
    """RSS 2.0 with atom:link rel=self, content:encoded, dc:creator and arxiv:announce_type."""
    head = "".join(
        [
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"'
            ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
            f' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:arxiv="{ARXIV_NS}">\n<channel>\n',
            _el("title", channel.title),
            _el("link", channel.site_url),
            # Readers treat RSS descriptions as HTML: the text is escaped once for HTML, once for XML.
            _el("description", html.escape(xml_safe(channel.description), quote=False)),
            f'<atom:link href="{escape(channel.self_url)}" rel="self" type="application/rss+xml"/>\n',
            _el("language", channel.language),
            _el("lastBuildDate", format_datetime(_instant(channel.updated))),
            _el("generator", GENERATOR),
            _el("docs", "https://www.rssboard.org/rss-specification"),
        ]
    )
    return _xml_document(head, "rss", items, "</channel>\n</rss>\n")


def _xml_document(head: str, fmt: str, items: Sequence[Item], end: str) -> bytes:
    """The channel's head, each item (its kept fragments around its score line, with its
    footer before the body's closing tag), and the end, as UTF-8."""
    closing = _BODY_CLOSING[fmt]
    lines: dict[tuple, bytes] = {}  # score lines: papers with the same matches share one
    out = [head.encode("utf-8")]
    for item in items:
        first, rest = _fragments(fmt, item)
        out += (first, _score_line(item.scored, lines), _with_footer(rest, item.footer, closing))
    out.append(end.encode("utf-8"))
    return b"".join(out)


def _with_footer(tail: bytes, footer: str, closing: bytes) -> bytes:
    """`tail` with the item's footer HTML (escaped into XML) at the end of its body, just
    before `closing` (the body's own markup is escaped, so the first `closing` ends it)."""
    if not footer:
        return tail
    at = tail.index(closing)
    return tail[:at] + escape(footer).encode("utf-8") + tail[at:]


def _rss_frame(p: Paper, summary: str | None, modified: str) -> tuple[bytes, bytes]:
    authors = _author_list(p)
    pre, post = _html_frame(p, summary, authors)
    parts = [
        "<item>\n",
        _el("title", one_line(p.title)),
        _el("link", p.abs_url),
        f'<guid isPermaLink="true">{escape(p.abs_url)}</guid>\n',
        _el("pubDate", format_datetime(_announced(p.announced))),
        _el("dc:creator", authors) if authors else "",
        *(_el("category", c) for c in _categories(p)),
        _el("description", text_to_html(p.abstract)),
        "<content:encoded>" + escape(pre),
    ]
    tail = escape(post) + "</content:encoded>\n" + _el("arxiv:announce_type", p.announce_type) + "</item>\n"
    return "".join(parts).encode("utf-8"), tail.encode("utf-8")


# Atom 1.0 ------------------------------------------------------------------------------------


def render_atom(channel: Channel, items: Sequence[Item]) -> bytes:
    """Atom 1.0 (RFC 4287): feed and entry ids, updated, authors, alternate and self links."""
    head = "".join(
        [
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="{ARXIV_NS}"'
            f' xml:lang="{escape(channel.language)}">\n',
            _el("id", channel.self_url),
            _el("title", channel.title),
            _el("subtitle", channel.description),
            _el("updated", _instant(channel.updated).isoformat()),
            f'<link rel="self" type="application/atom+xml" href="{escape(channel.self_url)}"/>\n',
            f'<link rel="alternate" type="text/html" href="{escape(channel.site_url)}"/>\n',
            f"<author><name>{GENERATOR}</name><uri>{escape(channel.site_url)}</uri></author>\n",
            _el("generator", GENERATOR),
        ]
    )
    return _xml_document(head, "atom", items, "</feed>\n")


def _atom_frame(p: Paper, summary: str | None, modified: str) -> tuple[bytes, bytes]:
    authors = _author_list(p)
    pre, post = _html_frame(p, summary, authors)
    parts = [
        "<entry>\n",
        _el("id", p.abs_url),
        _el("title", one_line(p.title)),
        _el("published", _announced(p.announced).isoformat()),
        _el("updated", modified),
        f'<link rel="alternate" type="text/html" href="{escape(p.abs_url)}"/>\n',
        f'<link rel="related" type="application/pdf" title="PDF" href="{escape(p.pdf_url)}"/>\n',
        f'<link rel="related" type="text/html" title="HTML" href="{escape(p.html_url)}"/>\n',
        f"<author><name>{escape(authors)}</name></author>\n" if authors else "",
        *(f'<category term="{escape(c)}"/>\n' for c in _categories(p)),
        _el("summary", xml_safe(p.abstract).strip()),
        '<content type="html">' + escape(pre),
    ]
    tail = escape(post) + "</content>\n" + _el("arxiv:announce_type", p.announce_type) + "</entry>\n"
    return "".join(parts).encode("utf-8"), tail.encode("utf-8")


# JSON Feed 1.1 -------------------------------------------------------------------------------


def render_json(channel: Channel, items: Sequence[Item]) -> bytes:
    """JSON Feed 1.1; arXiv specifics sit in each item's `_arxiv` extension object."""
    doc = {
        "version": JSON_FEED_VERSION,
        "title": xml_safe(channel.title),
        "home_page_url": channel.site_url,
        "feed_url": channel.self_url,
        "description": xml_safe(channel.description),
        "language": channel.language,
        "authors": [{"name": GENERATOR, "url": channel.site_url}],
        "items": [_json_item(item) for item in items],
    }
    # Text fields are already XML-safe; "replace" guards the few raw identifiers.
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def _json_item(item: Item) -> dict:
    s, p = item.scored, item.scored.paper
    title, pre, post, summary, published, modified, authors, tags = _fragments("json", item)
    out = {
        "id": p.abs_url,
        "url": p.abs_url,
        "title": title,
        "content_html": pre + _score_html(s) + post + item.footer,
        "summary": summary,
        "date_published": published,
        "date_modified": modified,
        "authors": authors,
        "tags": tags,
        "_arxiv": {
            "id": p.id,
            "version": p.version,
            "announce_type": p.announce_type,
            "announced": p.announced,
            "score": s.score,
            "matched_keywords": [one_line(k) for k in s.matched_keywords],
            "pdf_url": p.pdf_url,
            "html_url": p.html_url,
            "ai_summary": bool(item.summary),
            **({"similarity": s.similarity} if s.similarity is not None else {}),
            **({"closest_liked": one_line(s.nearest)} if s.nearest else {}),
        },
    }
    return out


def _json_frame(p: Paper, summary: str | None, modified: str) -> tuple:
    """The item's text fields; authors and tags as tuples (JSON arrays all the same), shared
    by every feed the paper is in and never modified."""
    names = _authors(p)
    pre, post = _html_frame(p, summary, ", ".join(names))
    authors = tuple({"name": a} for a in names)
    published = _announced(p.announced).isoformat()
    abstract = xml_safe(p.abstract).strip()
    return one_line(p.title), pre, post, abstract, published, modified, authors, tuple(_categories(p))


# The item's HTML body ------------------------------------------------------------------------


def item_html(item: Item) -> str:
    """The HTML body of one item: authors, categories and type, score and matched
    keywords, links, the sanitised AI summary (when present) and the escaped abstract."""
    paper = item.scored.paper
    pre, post = _html_frame(paper, _summary_html(item.summary) if item.summary else None, _author_list(paper))
    return pre + _score_html(item.scored) + post


def _html_frame(p: Paper, summary: str | None, authors: str) -> tuple[str, str]:
    """An item's HTML body before and after its score line (which depends on the query);
    `authors` is `_author_list(p)`."""
    cats = ", ".join(escape(c) + (" (primary)" if i == 0 else "") for i, c in enumerate(_categories(p)))
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


def _score_html(s: Scored) -> str:
    meaning = _similarity_html(s)
    if not s.matches:
        return f"<p>{meaning}</p>" if meaning else ""
    matched = ", ".join(escape(one_line(m.keyword)) + (" (title)" if m.in_title else "") for m in s.matches)
    tail = f" · {meaning}" if meaning else ""
    return f"<p><strong>Score:</strong> {s.score:g} · <strong>Matched:</strong> {matched}{tail}</p>"


def _similarity_html(s: Scored) -> str:
    """Why a paper ranks where it does by meaning: its similarity, and the liked paper it is closest to."""
    if s.similarity is None:
        return ""
    out = f"<strong>Similarity:</strong> {s.similarity:.2f}"
    if s.nearest:
        out += f" · <strong>Closest liked paper:</strong> {escape(one_line(s.nearest))}"
    return out


_FRAMES = {"rss": _rss_frame, "atom": _atom_frame, "json": _json_frame}
_BODY_CLOSING = {"rss": b"</content:encoded>", "atom": b"</content>"}


def _fragment_size(value: tuple) -> int:
    return sum(len(v) for v in value if isinstance(v, str | bytes))


_FRAGMENTS = LRU(FRAGMENT_ENTRIES, FRAGMENT_BYTES, size=_fragment_size)


def _fragments(fmt: str, item: Item) -> tuple:
    """What `item` renders to in `fmt` apart from its score line: a pure function of its
    paper and the summary fields it shows, so kept per (format, paper, those fields) for
    the next feed that shows the paper, whatever its query."""
    record, paper = item.summary, item.scored.paper
    shown = (record["text"], record.get("model"), record.get("source"), record.get("created_at")) if record else None
    key = (fmt, paper, shown)
    try:
        found = _FRAGMENTS.get(key)
    except TypeError:  # a Paper built with a list somewhere is not hashable: render it afresh
        return _FRAMES[fmt](paper, _summary_html(record) if record else None, modified_at(item))
    if found is None:
        found = _FRAMES[fmt](paper, _summary_html(record) if record else None, modified_at(item))
        _FRAGMENTS.put(key, found)
    return found


def _score_line(s: Scored, lines: dict[tuple, bytes]) -> bytes:
    """The score line of an RSS or Atom item, escaped into XML, kept in `lines` for the
    other items of the feed with the same line (`s.matches` is alive while it renders)."""
    key = (id(s.matches), f"{s.score:g}", None if s.similarity is None else f"{s.similarity:.2f}", s.nearest)
    found = lines.get(key)
    if found is None:
        found = lines[key] = escape(_score_html(s)).encode("utf-8")
    return found


def modified_at(item: Item) -> str:
    """When the item last changed, ISO 8601: its announcement (midnight US Eastern), or the
    `created_at` of the AI summary it shows when that is later."""
    announced = _announced(item.scored.paper.announced)
    created = parse_instant(str(item.summary.get("created_at", ""))) if item.summary else None
    return (created if created is not None and created > announced else announced).isoformat()


def _summary_html(record: dict) -> str:
    by = f"by {escape(one_line(str(record.get('model', ''))))}" if record.get("model") else ""
    source = SOURCE_TEXT.get(str(record.get("source", "")), "")
    note = ", ".join(x for x in (by, source) if x)
    head = "<h3>AI summary</h3>" + (f"<p><em>{note}</em></p>" if note else "")
    return head + "<div>" + markdown_to_html(str(record["text"])) + "</div>"


def _usable(record: object) -> dict | None:
    ok = isinstance(record, dict) and isinstance(record.get("text"), str) and record["text"].strip()
    return record if ok else None


def _authors(p: Paper) -> list[str]:
    return [a for a in (one_line(x) for x in p.authors) if a]


def _author_list(p: Paper) -> str:
    """Every author in one string, as arXiv's RSS `dc:creator` holds them: "A, B, C"."""
    return ", ".join(_authors(p))


def _categories(p: Paper) -> list[str]:
    return [c for c in (one_line(x) for x in p.categories) if c]


def _el(name: str, text: str) -> str:
    return f"<{name}>{escape(text)}</{name}>\n"


def _announced(iso_date: str) -> datetime:
    """Midnight US Eastern of an announcement date (the epoch when unreadable)."""
    try:
        return datetime.combine(date.fromisoformat(iso_date), time(0, 0), tzinfo=EASTERN)
    except (TypeError, ValueError):
        return EPOCH


def _instant(iso: str) -> datetime:
    """An ISO 8601 time as an aware UTC datetime (the epoch when empty or unreadable)."""
    return parse_instant(iso) or EPOCH


# The channel's own text ----------------------------------------------------------------------


def channel_title(query: FeedQuery) -> str:
    """What the feed holds, e.g. "arXiv cs.AI", "arXiv cs.AI, cs.LG (all papers)",
    "arXiv cs.LG papers also in stat.ML", "arXiv: diffusion, GAN in cs.CV"."""
    asked = {name for name, _ in query.url_params}
    if query.keyword:
        where = f" in {', '.join(query.categories)}" if "categories" in asked else ""
        return f"arXiv: {', '.join(split_terms(query.keyword))}{where}"
    if query.category and query.category not in query.categories:
        # /feed/cs.LG?categories=stat.ML holds the cs.LG papers that are also in stat.ML.
        head = f"arXiv {query.category} papers also in {' or '.join(query.categories)}"
    else:
        head = f"arXiv {query.category or ', '.join(query.categories)}"
    suffix = " (all papers)" if not query.keywords else (" (custom keywords)" if query.rescore else "")
    return head + suffix


def channel_description(
    manifest: Manifest, query: FeedQuery, dates: Sequence[str], degraded: bool, *, now: datetime | None = None
) -> str:
    """What the feed holds and how fresh it is, honestly: the announcement dates served,
    whether that data is old (given `now`), each category's last refresh status, and
    whether the store is unreachable."""
    if not manifest.version:
        text = (
            "No data yet: this service has not completed a refresh from arXiv. The feed fills after "
            "the first refresh, which runs daily after arXiv rebuilds its feeds (midnight US Eastern)."
        )
    else:
        old = old_data_note(manifest, now) if now is not None else ""
        text = " ".join(t for t in [_dates_text(dates), old, *_status_lines(manifest, query, bool(old))] if t)
    if degraded:
        text += " The data store cannot be reached right now: this is the copy held in memory and may be out of date."
    return text


@dataclass(frozen=True)
class DataAge:
    """How old the published data is at some moment: the newest announcement held (ISO
    date, "" if none), its age in days (None if none), the last refresh (ISO time, "" if
    never) and whether that is past OLD_DATA_DAYS."""

    newest: str
    days: int | None
    last_refresh: str
    old: bool


def data_age(manifest: Manifest, now: datetime) -> DataAge:
    """The age of `manifest`'s newest announcement at `now` (dates counted in US Eastern,
    where arXiv dates its announcements)."""
    dates = [d.date for d in manifest.days] + [
        str(r.get("announced", "")) for r in manifest.categories.values() if isinstance(r, dict)
    ]
    newest = max((d for d in dates if _is_date(d)), default="")
    last = str(manifest.report.get("finished_at", "")) or manifest.published_at
    if not newest:
        return DataAge("", None, last, False)
    age = (now.astimezone(EASTERN).date() - date.fromisoformat(newest)).days
    return DataAge(newest, age, last, age > OLD_DATA_DAYS)


def old_data_note(manifest: Manifest, now: datetime) -> str:
    """One sentence when the data is old at `now` (newest announcement more than
    OLD_DATA_DAYS days back), naming its date and the last refresh; "" otherwise.
    E.g. "This data is old: the newest announcement held is of 2026-07-16, 69 days ago;
    the last refresh ran at 2026-09-23 05:15 UTC." Kept per manifest and day."""
    today = now.astimezone(EASTERN).date()
    return _TEXTS.get((manifest,), ("old", today), lambda: _old_data_note(manifest, now))


def _old_data_note(manifest: Manifest, now: datetime) -> str:
    age = data_age(manifest, now)
    if not age.old:
        return ""
    refreshed = f"the last refresh ran at {_when(age.last_refresh)}" if _when(age.last_refresh) else "no refresh ran"
    return f"This data is old: the newest announcement held is of {age.newest}, {age.days} days ago; {refreshed}."


_TEXTS = ObjectMemo(256)  # a manifest's channel sentences: its old-data note by day, status lines by categories


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _dates_text(dates: Sequence[str]) -> str:
    if not dates:
        return "No announcement days are stored."
    if len(dates) == 1:
        return f"Papers announced on {dates[0]}."
    return f"Papers announced from {min(dates)} to {max(dates)}."


def _status_lines(manifest: Manifest, query: FeedQuery, old: bool = False) -> list[str]:
    """One sentence per group of categories that share a status (kept per manifest)."""
    cats = (query.category,) if query.category else query.categories
    return _TEXTS.get((manifest,), ("status", cats, old), lambda: _group_status(manifest, cats, old))


def _group_status(manifest: Manifest, cats: Sequence[str], old: bool) -> list[str]:
    groups: dict[str, list[str]] = {}
    for cat in cats:
        groups.setdefault(_status_text(manifest.categories.get(cat), old), []).append(cat)
    return [f"{', '.join(names)}: {text}." for text, names in groups.items()]


def _status_text(record: dict | None, old: bool = False) -> str:
    """One category's last refresh; with `old` data, "no newer announcement found" rather
    than the reasons that explain a day or two (weekend, arXiv not rebuilt yet)."""
    if not record:
        return "not refreshed yet"
    status, announced = record.get("status", ""), record.get("announced", "")
    checked = _when(record.get("checked_at", ""))
    latest = f"; latest announcement {announced}" if announced else ""
    if old and status in ("no-announcement", "unchanged"):
        return f"no newer announcement found, checked {checked}{latest}"
    if status == "updated":
        return f"updated with the announcement of {announced} at {_when(record.get('updated_at', ''))}"
    if status == "no-announcement":
        return f"{one_line(str(record.get('detail', 'no announcement')))}, checked {checked}{latest}"
    if status == "unchanged":
        return f"arXiv has not published a newer announcement yet, checked {checked}{latest}"
    if status == "upstream-error":
        since = _when(record.get("since", "")) or checked
        detail = one_line(str(record.get("detail", "")))
        return f"arXiv could not be read since {since} ({detail}); earlier data is still served{latest}"
    if status == "stale":
        checked_in = one_line(str(record.get("checked_announcement", "")))
        return (
            f"no papers in this category in the announcement of {checked_in}, which lists other "
            f"categories (arXiv's feed for it may be behind), checked {checked}; its earlier papers "
            f"are still served{latest}"
        )
    return f"{one_line(status)}, checked {checked}"


def _when(iso: str) -> str:
    """`2026-09-24T05:15:00Z` as `2026-09-24 05:15 UTC` ("" when empty)."""
    t = _instant(iso)
    return "" if t == EPOCH else t.strftime("%Y-%m-%d %H:%M UTC")
