"""Parse arXiv responses into `Paper` values. Pure: bytes in, values out, no I/O.

Four shapes are recognised by their root element and namespaces:

    <rss>           rss.arxiv.org RSS 2.0 (2024 on)
    <atom:feed>     rss.arxiv.org Atom (2024 on), or the export.arxiv.org API
                    (2016 and 2026 layouts; told apart by opensearch:totalResults)
    <rdf:RDF>       the old arxiv.org/rss RSS 1.0 feed (before 2024)

A malformed entry (no parseable arXiv id, no title element, or not well-formed XML
in an otherwise sound document) is skipped and counted; a character XML 1.0 forbids
is dropped or replaced, not fatal. Only a body that is not XML of one of these shapes
(a truncated one among them) raises.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from core.calendar import announcement_for_submission
from core.errors import ArxivApiError, UpstreamError
from core.models import Paper, ParsedFeed

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
DC = "{http://purl.org/dc/elements/1.1/}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"

# Expat rejects the whole document for one character XML 1.0 does not allow, so they are
# dealt with before parsing, raw or as a reference (&#N; / &#xN;): C0 controls other than
# tab, LF and CR and the noncharacters U+FFFE and U+FFFF are removed; a reference to a
# surrogate or to a number past U+10FFFF (not a character at all) becomes U+FFFD, as an
# invalid UTF-8 byte does.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))
_NONCHARACTER_BYTES = re.compile(rb"\xef\xbf[\xbe\xbf]")
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
_REPLACEMENT_REF = b"&#xFFFD;"
# The tags of one <item> or <entry> (RSS 2.0, RDF, Atom), to salvage the others when one is not XML.
_ENTRY_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(?:item|entry)(?=[\s>])")
_DECLARED_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_CONTROL_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Za-z-]+)?/\d{7})(?:v(\d+))?\s*$")
_PREFIX = re.compile(r"\s*arXiv:(\S+?)v(\d+)\s+Announce Type:\s*([\w-]+)\s*Abstract:\s*")
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_RDF_TITLE = re.compile(r"(.*?)\.?\s*\(arXiv:(\S+?)v(\d+)\s*\[([^\]]+)\](\s+UPDATED)?\)\s*$", re.DOTALL)
_HTML_PARA_BREAK = re.compile(r"</p>\s*<p\b[^>]*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_HTML_LINK = re.compile(r"<a\b[^>]*>(.*?)</a>", re.DOTALL | re.IGNORECASE)
_FEED_PATH = re.compile(r"/(?:rss|atom)/([^/?#\s]+)")
_FEED_TITLE = re.compile(r"\s*(.+?)\s+updates on arXiv\.org")
_ISO_DATE = re.compile(r"\s*(\d{4}-\d{2}-\d{2})")
_NAME_SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"})
# Upper bounds far above real entries (see `_bounded`); the largest author lists run to ~5,200.
MAX_TITLE = 1_000
MAX_ABSTRACT = 20_000
MAX_FIELD = 1_000
MAX_NAME = 300
MAX_AUTHORS = 10_000


def parse_feed(body: bytes, categories: Sequence[str] = ()) -> ParsedFeed:
    """Parse one arXiv response (announcement feed or API result page).

    `categories` is the set the caller asked for: it decides `new` versus `cross`
    for API results and old RDF items. Raises `ArxivApiError` (carrying arXiv's own
    message) for an API error feed, and `UpstreamError` for bytes that are not XML,
    are truncated, or have a root other than rss, Atom feed or RDF.
    """
    root, dropped = _parse_entries(body)
    feed = _parse_root(root, tuple(categories))
    return replace(feed, skipped=feed.skipped + dropped) if dropped else feed


def _parse_root(root: Element, categories: tuple[str, ...]) -> ParsedFeed:
    tag = root.tag
    if tag == "rss":
        return _parse_rss(root)
    if tag == ATOM + "feed":
        message = _error_message(root)
        if message is not None:
            raise ArxivApiError(f"arXiv API error: {message}")
        if root.find(OPENSEARCH + "totalResults") is not None:
            return _parse_api(root, categories)
        return _parse_atom(root)
    if tag == RDF + "RDF":
        return _parse_rdf(root, categories)
    raise UpstreamError(f"arXiv response has the wrong shape: root <{_local(tag)}>, expected rss, feed or RDF")


def api_error_message(body: bytes) -> str | None:
    """arXiv's error message if `body` is an API error feed, else None. Never raises."""
    try:
        root = _parse_xml(body)
    except Exception:  # the contract is "never raises", whatever the bytes
        return None
    return _error_message(root) if root.tag == ATOM + "feed" else None


# --- XML and the error feed ---------------------------------------------------------


def _parse_xml(body: bytes) -> Element:
    """The document's root. Raises UpstreamError when it is not XML (see `_salvaged`)."""
    root, _ = _parse_entries(body)
    return root


def _parse_entries(body: bytes) -> tuple[Element, int]:
    """(root, entries dropped): the document, cleaned of characters XML does not allow;
    when it is still not well-formed, the entries that are (see `_salvaged`).
    Raises UpstreamError."""
    body = _xml_chars(body)
    try:
        return _fromstring(body), 0
    except ParseError as exc:
        salvaged = _salvaged(body)
        if salvaged is None:
            raise UpstreamError(f"arXiv response is not well-formed XML: {exc}") from exc
        return salvaged


def _fromstring(body: bytes) -> Element:
    try:
        return fromstring(body)
    except DefusedXmlException as exc:
        raise UpstreamError(f"arXiv response uses forbidden XML ({type(exc).__name__})") from exc


def _xml_chars(body: bytes) -> bytes:
    """`body` without the characters XML 1.0 forbids (see the comment on `_CONTROL_BYTES`).
    Bytes are filtered in ASCII-compatible bodies only (UTF-16 is left to the parser), and
    as UTF-8 sequences only in a body that does not declare another encoding."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body
    utf8 = not _declares_other_encoding(body)
    if utf8:
        body = _valid_utf8(body)
    body = body.translate(None, _CONTROL_BYTES)
    if utf8 and b"\xef\xbf" in body:
        body = _NONCHARACTER_BYTES.sub(b"", body)
    if b"&#" in body:
        body = _CHAR_REF.sub(_char_ref, body)
    return body


def _declares_other_encoding(body: bytes) -> bool:
    declared = _DECLARED_ENCODING.match(body)
    return bool(declared) and declared[1].lower().replace(b"-", b"").replace(b"_", b"") != b"utf8"


def _char_ref(match: re.Match[bytes]) -> bytes:
    """A character reference kept when XML allows its character, else dropped or replaced."""
    digits, base = (match[1], 16) if match[1] is not None else (match[2], 10)
    digits = digits.lstrip(b"0") or b"0"
    if len(digits) > 8:  # past U+10FFFF whatever the digits (and int() is spared huge strings)
        return _REPLACEMENT_REF
    code = int(digits, base)
    if code < 0x20 and code not in (0x9, 0xA, 0xD) or code in (0xFFFE, 0xFFFF):
        return b""
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return _REPLACEMENT_REF
    return match[0]


def _salvaged(body: bytes) -> tuple[Element, int] | None:
    """One bad entry must not cost the whole announcement: each entry is tried on its own
    inside the envelope (everything around the entries), and the document is rebuilt from
    those that parse. Returns (root, entries dropped); None when the envelope itself is
    broken (a truncated response) or no entry survives."""
    spans, opened, entries = [], None, 0
    for tag in _ENTRY_TAG.finditer(body):  # one pass: each closing tag ends the last opened entry
        if not tag[1]:
            opened, entries = tag.start(), entries + 1
        elif opened is not None:
            end = body.find(b">", tag.end())
            spans.append((opened, len(body) if end < 0 else end + 1))
            opened = None
    if not spans:
        return None
    head, tail = body[: spans[0][0]], body[spans[-1][1] :]
    kept = [body[start:end] for start, end in spans if _well_formed(head + body[start:end] + tail)]
    if not kept or not _well_formed(head + tail):
        return None
    return _fromstring(head + b"\n".join(kept) + tail), entries - len(kept)


def _well_formed(body: bytes) -> bool:
    try:
        _fromstring(body)
    except ParseError:
        return False
    return True


def _valid_utf8(body: bytes) -> bytes:
    """`body` with every invalid UTF-8 sequence (a raw surrogate among them) replaced by
    U+FFFD, as expat rejects the whole document for one bad byte."""
    try:
        body.decode("utf-8")
        return body
    except UnicodeDecodeError:
        return body.decode("utf-8", "replace").encode("utf-8")


def _error_message(feed: Element) -> str | None:
    entry = feed.find(ATOM + "entry")
    if entry is None:
        return None
    entry_id = entry.findtext(ATOM + "id") or ""
    if "/api/errors" not in entry_id:
        return None
    summary = _collapse(entry.findtext(ATOM + "summary") or "")
    return summary or entry_id.partition("#")[2].replace("_", " ") or "unknown error"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


# --- the four shapes ----------------------------------------------------------------


def _parse_rss(root: Element) -> ParsedFeed:
    channel = root.find("channel")
    if channel is None:
        raise UpstreamError("arXiv response has the wrong shape: <rss> without <channel>")
    announced = _rfc822_date(channel.findtext("pubDate") or channel.findtext("lastBuildDate") or "")
    feed_categories = _feed_categories(channel.findtext("link"), channel.findtext("title"))
    papers, skipped = _collect(_rss_item(item, announced) for item in channel.iterfind("item"))
    return ParsedFeed(papers, announced, skipped, None, feed_categories)


def _parse_atom(root: Element) -> ParsedFeed:
    announced = _iso_date(root.findtext(ATOM + "published") or root.findtext(ATOM + "updated"))
    link = root.find(ATOM + "link")
    href = link.get("href") if link is not None else None
    feed_categories = _feed_categories(href or root.findtext(ATOM + "id"), root.findtext(ATOM + "title"))
    papers, skipped = _collect(_atom_entry(entry, announced) for entry in root.iterfind(ATOM + "entry"))
    return ParsedFeed(papers, announced, skipped, None, feed_categories)


def _parse_api(root: Element, categories: tuple[str, ...]) -> ParsedFeed:
    total = _to_int(root.findtext(OPENSEARCH + "totalResults"))
    papers, skipped = _collect(_api_entry(entry, categories) for entry in root.iterfind(ATOM + "entry"))
    return ParsedFeed(papers, "", skipped, total, ())


def _parse_rdf(root: Element, categories: tuple[str, ...]) -> ParsedFeed:
    channel = root.find(RSS1 + "channel")
    announced, feed_categories = "", ()
    if channel is not None:
        announced = _iso_date(channel.findtext(DC + "date"))
        feed_categories = _feed_categories(channel.findtext(RSS1 + "link"), channel.findtext(RSS1 + "title"))
    scope = categories or feed_categories
    papers, skipped = _collect(_rdf_item(item, announced, scope) for item in root.iterfind(RSS1 + "item"))
    return ParsedFeed(papers, announced, skipped, None, feed_categories)


def _collect(results: Iterable[Paper | None]) -> tuple[tuple[Paper, ...], int]:
    papers, skipped = [], 0
    for paper in results:
        if paper is None:
            skipped += 1
        else:
            papers.append(_bounded(paper))
    return tuple(papers), skipped


def _bounded(paper: Paper) -> Paper:
    """`paper` with every text cut to a length no real entry reaches (arXiv caps abstracts at
    1,920 characters), so one hostile entry cannot bloat a day segment past a store's value
    limit or every feed past a host's response limit. Cut text ends with an ellipsis."""
    fields = {
        "title": _cut(paper.title, MAX_TITLE),
        "abstract": _cut(paper.abstract, MAX_ABSTRACT),
        "comment": _cut(paper.comment, MAX_FIELD),
        "journal_ref": _cut(paper.journal_ref, MAX_FIELD),
        "doi": _cut(paper.doi, MAX_FIELD),
        "license": _cut(paper.license, MAX_FIELD),
    }
    if len(paper.authors) > MAX_AUTHORS or any(len(a) > MAX_NAME for a in paper.authors):
        fields["authors"] = tuple(_cut(a, MAX_NAME) for a in paper.authors[:MAX_AUTHORS])
    changed = {k: v for k, v in fields.items() if v is not getattr(paper, k)}
    return replace(paper, **changed) if changed else paper


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- one entry of each shape (None when malformed) ----------------------------------


def _rss_item(item: Element, channel_date: str) -> Paper | None:
    title = item.findtext("title")
    description = item.findtext("description") or ""
    prefix = _PREFIX.match(description)
    ident = _id_version(item.findtext("guid")) or _prefix_id(prefix) or _id_version(item.findtext("link"))
    if title is None or ident is None:
        return None
    return Paper(
        id=ident[0],
        version=ident[1],
        title=_collapse(title),
        abstract=_paragraphs(description[prefix.end() :] if prefix else description),
        authors=_split_authors(item.findtext(DC + "creator")),
        categories=_unique(c.text for c in item.iterfind("category")),
        announce_type=_announce_type(item, prefix),
        announced=_rfc822_date(item.findtext("pubDate") or "") or channel_date,
        **_extras(item),
    )


def _atom_entry(entry: Element, feed_date: str) -> Paper | None:
    title = entry.findtext(ATOM + "title")
    summary = entry.findtext(ATOM + "summary") or ""
    prefix = _PREFIX.match(summary)
    ident = _id_version(entry.findtext(ATOM + "id")) or _prefix_id(prefix)
    if title is None or ident is None:
        return None
    return Paper(
        id=ident[0],
        version=ident[1],
        title=_collapse(title),
        abstract=_paragraphs(summary[prefix.end() :] if prefix else summary),
        authors=_split_authors(entry.findtext(DC + "creator")),
        categories=_unique(c.get("term") for c in entry.iterfind(ATOM + "category")),
        announce_type=_announce_type(entry, prefix),
        announced=_iso_date(entry.findtext(ATOM + "published")) or feed_date,
        **_extras(entry),
    )


def _api_entry(entry: Element, wanted: tuple[str, ...]) -> Paper | None:
    title = entry.findtext(ATOM + "title")
    ident = _id_version(entry.findtext(ATOM + "id"))
    if title is None or ident is None:
        return None
    primary_element = entry.find(ARXIV + "primary_category")
    primary = primary_element.get("term", "") if primary_element is not None else ""
    categories = _unique([primary, *(c.get("term") for c in entry.iterfind(ATOM + "category"))])
    authors, affiliations = _api_authors(entry)
    return Paper(
        id=ident[0],
        version=ident[1],
        title=_collapse(title),
        abstract=_paragraphs(entry.findtext(ATOM + "summary") or ""),
        authors=authors,
        categories=categories,
        announce_type="new" if not wanted or _within(categories[:1], wanted) else "cross",
        announced=_announcement(entry.findtext(ATOM + "published") or entry.findtext(ATOM + "updated")),
        affiliations=affiliations,
        **_extras(entry),
    )


def _rdf_item(item: Element, channel_date: str, scope: tuple[str, ...]) -> Paper | None:
    raw_title = item.findtext(RSS1 + "title")
    if raw_title is None:
        return None
    match = _RDF_TITLE.match(raw_title)
    if match:
        title, ident, primary = match[1], (match[2], int(match[3])), match[4].strip()
    else:
        title, ident, primary = raw_title, _id_version(item.get(RDF + "about") or item.findtext(RSS1 + "link")), ""
    if ident is None:
        return None
    if match and match[5]:
        announce_type = "replace"
    elif primary and scope and not _within((primary,), scope):
        announce_type = "cross"
    else:
        announce_type = "new"
    return Paper(
        id=ident[0],
        version=ident[1],
        title=_collapse(_unescape(title)),
        abstract=_html_abstract(item.findtext(RSS1 + "description") or ""),
        authors=_html_authors(item.findtext(DC + "creator") or ""),
        categories=(primary,) if primary else (),
        announce_type=announce_type,
        announced=channel_date,
        **_extras(item),
    )


# --- fields -------------------------------------------------------------------------


def _id_version(text: str | None) -> tuple[str, int] | None:
    """(versionless id, version) from a guid, link or Atom id; version 1 when absent."""
    if not text:
        return None
    match = _ARXIV_ID.search(text)
    if match is None:
        return None
    return match[1], int(match[2]) if match[2] else 1


def _prefix_id(prefix: re.Match[str] | None) -> tuple[str, int] | None:
    return (prefix[1], int(prefix[2])) if prefix else None


def _announce_type(node: Element, prefix: re.Match[str] | None) -> str:
    declared = node.findtext(ARXIV + "announce_type")
    if declared is not None and declared.strip():
        return declared.strip().lower()
    return prefix[3].lower() if prefix else "new"


def _extras(node: Element) -> dict[str, str]:
    """The optional fields every shape may carry, under either spelling arXiv has used."""
    return {
        "license": _first_text(node, DC + "rights", ARXIV + "license") or _license_link(node),
        "doi": _first_text(node, ARXIV + "DOI", ARXIV + "doi"),
        "journal_ref": _first_text(node, ARXIV + "journal_ref", ARXIV + "journal_reference"),
        "comment": _first_text(node, ARXIV + "comment"),
    }


def _first_text(node: Element, *tags: str) -> str:
    for tag in tags:
        text = node.findtext(tag)
        if text is not None:
            return _collapse(text)
    return ""


def _license_link(node: Element) -> str:
    for link in node.iterfind(ATOM + "link"):
        if link.get("rel") == "license":
            return link.get("href", "").strip()
    return ""


def _api_authors(entry: Element) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    authors, affiliations = [], []
    for author in entry.iterfind(ATOM + "author"):
        name = _collapse(author.findtext(ATOM + "name") or "")
        if not name:
            continue
        authors.append(name)
        for affiliation in author.iterfind(ARXIV + "affiliation"):
            affiliations.append((name, _collapse(affiliation.text or "")))
    return tuple(authors), tuple(affiliations)


def _split_authors(text: str | None) -> tuple[str, ...]:
    """A comma-joined author list; a bare `Jr.`-style part stays with the name before it."""
    if not text:
        return ()
    names: list[str] = []
    for part in text.split(","):
        name = " ".join(part.split())
        if not name:
            continue
        if name in _NAME_SUFFIXES and names:
            names[-1] = f"{names[-1]}, {name}"
        else:
            names.append(name)
    return tuple(names)


def _html_authors(text: str) -> tuple[str, ...]:
    """Old RDF `dc:creator`: HTML `<a href=..>Name</a>` links, comma-separated."""
    linked = _HTML_LINK.findall(text)
    if linked:
        return tuple(name for name in (_collapse(_unescape(n)) for n in linked) if name)
    return _split_authors(_unescape(_HTML_TAG.sub("", text)))


def _html_abstract(text: str) -> str:
    text = _HTML_PARA_BREAK.sub("\n\n", text)
    return _paragraphs(_unescape(_HTML_TAG.sub("", text)))


def _unescape(text: str) -> str:
    # Character references inside escaped HTML survive the XML parser; strip what they yield.
    return _CONTROL_TEXT.sub("", html.unescape(text)) if "&" in text else text


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _paragraphs(text: str) -> str:
    """Hard-wrapped lines joined with single spaces; blank-line paragraph breaks kept."""
    if "\n" not in text:
        return " ".join(text.split())
    paragraphs = (" ".join(part.split()) for part in _BLANK_LINE.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def _within(primary: tuple[str, ...], scope: tuple[str, ...]) -> bool:
    """Whether the (first) category lies in `scope`, by exact name or by archive (`cs` holds `cs.LG`)."""
    if not primary:
        return False
    category = primary[0]
    return category in scope or category.partition(".")[0] in scope


def _feed_categories(link: str | None, title: str | None) -> tuple[str, ...]:
    """Categories a feed names in its link (`/rss/cs.LG+cs.AI`) or title (`cs updates on arXiv.org`)."""
    match = _FEED_PATH.search(link or "")
    if match:
        return _unique(match[1].split("+"))
    match = _FEED_TITLE.match(title or "")
    return _unique(match[1].split(",")) if match else ()


@lru_cache(maxsize=64)
def _rfc822_date(text: str) -> str:
    """The ISO date of an RFC 822 timestamp in its own offset; "" when unparseable."""
    try:
        return parsedate_to_datetime(text.strip()).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return ""


def _iso_date(text: str | None) -> str:
    """The date part of an ISO 8601 timestamp, i.e. the date in its own offset."""
    match = _ISO_DATE.match(text or "")
    return match[1] if match else ""


def _announcement(published: str | None) -> str:
    """The announcement date of an API entry, from its first-submission timestamp."""
    try:
        return announcement_for_submission(datetime.fromisoformat((published or "").strip())).isoformat()
    except ValueError:
        return ""


def _to_int(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None
