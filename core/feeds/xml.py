"""RSS 2.0 and Atom 1.0, written directly as strings. Pure.

Not through a feed library: the two formats need a few dozen elements, every text value
goes through `core.text.safe_html.escape` (control characters and lone surrogates stripped,
markup escaped), and writing strings keeps a 50-item feed to a few milliseconds with no lxml
at cold start. Both carry arXiv's own `arxiv:announce_type`; RSS names every author in one
`dc:creator` and Atom in one `<author>`, as arXiv's feed does.

Each item's categories (`<category>`, Atom `<category term>`) are its arXiv categories, then
the keywords it matched, so readers that filter on tags can use both. Its guid/id and link
are the versionless abs page in every feed, so a reader sees a paper once across feeds; no
state-changing URL (a profile's vote links) goes in a link, comments or image, only in the body.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from email.utils import format_datetime

from core.feeds.channel import GENERATOR, Channel
from core.feeds.items import Item, announced_at, author_list, categories_of, fragments, html_frame, instant, score_html
from core.models import Paper, Scored
from core.text.safe_html import escape, one_line, text_to_html, xml_safe

ARXIV_NS = "http://arxiv.org/schemas/atom"


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
            _el("lastBuildDate", format_datetime(instant(channel.updated))),
            _el("generator", GENERATOR),
            _el("docs", "https://www.rssboard.org/rss-specification"),
        ]
    )
    return _xml_document(head, "rss", items, "</channel>\n</rss>\n")


def _xml_document(head: str, fmt: str, items: Sequence[Item], end: str) -> bytes:
    """The channel's head, each item (its kept fragments around its score line, with its
    footer before the body's closing tag, then its matched keywords as categories and the
    item's closing tag), and the end, as UTF-8."""
    closing, item_end, keyword, frame = _BODY_CLOSING[fmt], _ITEM_END[fmt], _KEYWORD_CATEGORY[fmt], _FRAMES[fmt]
    lines: dict[tuple, bytes] = {}  # score lines: papers with the same matches share one
    elements: dict[int, tuple] = {}  # keyword categories: per match list, likewise
    out = [head.encode("utf-8")]
    for item in items:
        s = item.scored
        first, rest, categories = fragments(fmt, item, frame)
        if item.footer:
            rest = _with_footer(rest, item.footer, closing)
        tags = _keyword_categories(s, keyword, elements, categories) if s.matches else b""
        out += (first, _score_line(s, lines), rest, tags, item_end)
    out.append(end.encode("utf-8"))
    return b"".join(out)


def _keyword_categories(s: Scored, template: str, elements: dict, skipped: frozenset) -> bytes:
    """The item's matched keywords as category elements (`template` has one `{}` for the
    escaped keyword), skipping any that equals one of its arXiv categories (`skipped`, as
    its kept fragments name them). They depend on the query, so they are written per feed,
    outside the paper's kept fragments, and kept for its other items per match list
    (`elements`; `s.matches`, not empty, is alive while the feed renders)."""
    written = elements.get(id(s.matches))
    if written is None:
        written = elements[id(s.matches)] = _keyword_elements(s.matches, template)
    words, every, pairs = written
    if words.isdisjoint(skipped):
        return every
    return b"".join(element for word, element in pairs if word not in skipped)


def _keyword_elements(matches, template: str) -> tuple[frozenset, bytes, list[tuple[str, bytes]]]:
    """Each distinct matched keyword (on one line) and its category element, as
    (the keywords, all their elements, (keyword, element) pairs)."""
    out: dict[str, bytes] = {}
    for m in matches:
        word = one_line(m.keyword)
        if word and word not in out:
            out[word] = template.format(escape(word)).encode("utf-8")
    return frozenset(out), b"".join(out.values()), list(out.items())


def _with_footer(tail: bytes, footer: str, closing: bytes) -> bytes:
    """`tail` with the item's footer HTML (escaped into XML) at the end of its body, just
    before `closing` (the body's own markup is escaped, so the first `closing` ends it)."""
    at = tail.index(closing)
    return tail[:at] + escape(footer).encode("utf-8") + tail[at:]


def _rss_frame(p: Paper, summary: str | None, modified: str) -> tuple[bytes, bytes, frozenset]:
    """An RSS item's kept parts: before its score line, after it, and its arXiv categories'
    names (the keyword categories skip those)."""
    authors, categories = author_list(p), categories_of(p)
    pre, post = html_frame(p, summary, authors)
    parts = [
        "<item>\n",
        _el("title", one_line(p.title)),
        _el("link", p.abs_url),
        f'<guid isPermaLink="true">{escape(p.abs_url)}</guid>\n',
        _el("pubDate", format_datetime(announced_at(p.announced))),
        _el("dc:creator", authors) if authors else "",
        *(_el("category", c) for c in categories),
        _el("description", text_to_html(p.abstract)),
        "<content:encoded>" + escape(pre),
    ]
    tail = escape(post) + "</content:encoded>\n" + _el("arxiv:announce_type", p.announce_type)
    return "".join(parts).encode("utf-8"), tail.encode("utf-8"), frozenset(categories)


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
            _el("updated", instant(channel.updated).isoformat()),
            f'<link rel="self" type="application/atom+xml" href="{escape(channel.self_url)}"/>\n',
            f'<link rel="alternate" type="text/html" href="{escape(channel.site_url)}"/>\n',
            f"<author><name>{GENERATOR}</name><uri>{escape(channel.site_url)}</uri></author>\n",
            _el("generator", GENERATOR),
        ]
    )
    return _xml_document(head, "atom", items, "</feed>\n")


def _atom_frame(p: Paper, summary: str | None, modified: str) -> tuple[bytes, bytes, frozenset]:
    """An Atom entry's kept parts, as `_rss_frame`'s."""
    authors, categories = author_list(p), categories_of(p)
    pre, post = html_frame(p, summary, authors)
    parts = [
        "<entry>\n",
        _el("id", p.abs_url),
        _el("title", one_line(p.title)),
        _el("published", announced_at(p.announced).isoformat()),
        _el("updated", modified),
        f'<link rel="alternate" type="text/html" href="{escape(p.abs_url)}"/>\n',
        f'<link rel="related" type="application/pdf" title="PDF" href="{escape(p.pdf_url)}"/>\n',
        f'<link rel="related" type="text/html" title="HTML" href="{escape(p.html_url)}"/>\n',
        f"<author><name>{escape(authors)}</name></author>\n" if authors else "",
        *(f'<category term="{escape(c)}"/>\n' for c in categories),
        _el("summary", xml_safe(p.abstract).strip()),
        '<content type="html">' + escape(pre),
    ]
    tail = escape(post) + "</content>\n" + _el("arxiv:announce_type", p.announce_type)
    return "".join(parts).encode("utf-8"), tail.encode("utf-8"), frozenset(categories)


_FRAMES = {"rss": _rss_frame, "atom": _atom_frame}
_BODY_CLOSING = {"rss": b"</content:encoded>", "atom": b"</content>"}
_ITEM_END = {"rss": b"</item>\n", "atom": b"</entry>\n"}
_KEYWORD_CATEGORY = {"rss": "<category>{}</category>\n", "atom": '<category term="{}"/>\n'}


def _score_line(s: Scored, lines: dict[tuple, bytes]) -> bytes:
    """The score line of an RSS or Atom item, escaped into XML, kept in `lines` for the
    other items of the feed with the same line (`s.matches` is alive while it renders)."""
    key = (id(s.matches), s.score, s.similarity, s.nearest, s.why)
    found = lines.get(key)
    if found is None:
        found = lines[key] = escape(score_html(s)).encode("utf-8")
    return found


def _el(name: str, text: str) -> str:
    return f"<{name}>{escape(text)}</{name}>\n"
