"""Untrusted text made safe for XML and HTML. Pure functions, no I/O.

Paper text (titles, abstracts, author names) and model output are untrusted:

- `xml_safe` drops what XML 1.0 cannot carry (C0/C1 control characters, lone
  surrogates, U+FFFE/U+FFFF), so a stray byte from upstream never breaks a feed;
- `escape` makes text safe inside XML or HTML text and attribute values;
- `text_to_html` turns plain text (an abstract) into escaped paragraphs;
- `markdown_to_html` renders Markdown (LLM output) with raw HTML disabled and then
  passes the result through an allow-list sanitiser (nh3): no scripts, no event
  handlers, no `javascript:` links, no images, whatever the model wrote.

Used by the feeds, the digest and the web page.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Not allowed in XML 1.0 (C0 controls except tab/newline/return, surrogates, U+FFFE/U+FFFF),
# plus C1 controls and DEL, which are allowed but never meant as text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (and C1 controls)."""
    if _printable(text):  # no control, surrogate, non-character or other "Other" (fast path)
        return text
    return _NOT_XML.sub("", text)


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


def _printable(text: str) -> bool:
    """`text.isprintable()`, about four times quicker for ASCII text (most of arXiv's): its
    printable characters are exactly 0x20 to 0x7E, deleted from its bytes in one C pass.
    An item's abstract is checked half a dozen times as its parts are escaped."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _PRINTABLE_ASCII)
    return text.isprintable()


def escape(text: str) -> str:
    """`text` made XML-safe, with `& < > " '` escaped: fit for text and attribute values."""
    if text.isascii():  # most text: which characters need work, found in one pass over its bytes
        found = text.encode("ascii").translate(None, _PLAIN_ASCII)
        if not found:
            return text
        if found.translate(None, _SPECIAL_ASCII):  # a control character too
            text = _NOT_XML.sub("", text)
        for char, entity in _ENTITIES:
            if ord(char) in found:
                text = text.replace(char, entity)
        return text
    text = xml_safe(text)
    for char, entity in _ENTITIES:
        text = text.replace(char, entity)
    return text


_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"))  # & first
_SPECIAL_ASCII = b"&<>\"'"
# ASCII that `escape` leaves as it is: printable but for the five, and tab, newline and return
_PLAIN_ASCII = bytes(c for c in range(0x20, 0x7F) if c not in _SPECIAL_ASCII) + b"\t\n\r"


def one_line(text: str) -> str:
    """`text` made XML-safe with every run of whitespace (newlines too) folded to one space."""
    if _printable(text) and "  " not in text:  # printable: the only whitespace is " "
        return text.strip()
    # str.split() splits on the whitespace the regex `\s+` matches (str.isspace) and drops it
    # at the ends: re.sub(r"\s+", " ", t).strip(), without a regex call per space
    return " ".join(xml_safe(text).split())


def text_to_html(text: str) -> str:
    """Plain text as escaped HTML paragraphs: a blank line starts a new `<p>`."""
    if "\n" not in text:  # one paragraph (most abstracts): no split
        line = one_line(text)
        return f"<p>{escape(line)}</p>" if line else ""
    paragraphs = [one_line(p) for p in _PARAGRAPH_BREAK.split(xml_safe(text))]
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs if p)


def sanitize_html(html: str) -> str:
    """HTML reduced to the allow-list: formatting, lists, tables, code and absolute
    http(s)/mailto links (given rel="noopener noreferrer nofollow"). Scripts, styles,
    event handlers, images, relative URLs and other schemes are removed."""
    import nh3

    return nh3.clean(
        xml_safe(html),
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        url_relative="deny",  # a relative link in a feed would resolve against our own site
        link_rel=LINK_REL,
        strip_comments=True,
    )


# The version of what `markdown_to_html` makes: a summary record rendered at refresh keeps it
# beside its HTML, and a record rendered by another version is rendered again on read.
# Change it with anything that changes the output (the Markdown options, the allow-lists).
RENDERER = "md-nh3-1"


def with_html(record: dict) -> dict:
    """A summary record (`text` in Markdown) with its rendered, sanitised HTML added as
    `html`, and `html_renderer` naming the renderer that made it."""
    return {**record, "html": markdown_to_html(str(record["text"])), "html_renderer": RENDERER}


def summary_body(record: dict) -> str:
    """The sanitised HTML of a summary record: the `html` the refresh stored when this
    renderer made it, else its `text` rendered now (memoised, so once per process)."""
    html = record.get("html")
    if isinstance(html, str) and record.get("html_renderer") == RENDERER:
        return html
    return markdown_to_html(str(record["text"]))


@lru_cache(maxsize=4096)
def markdown_to_html(markdown: str) -> str:
    """Untrusted Markdown as sanitised HTML. Raw HTML in the input is shown as text,
    never interpreted; the rendered HTML then goes through `sanitize_html`, which
    drops links with schemes other than http, https and mailto.
    Results are memoised: the same summary is rendered into many feeds."""
    return sanitize_html(_markdown().render(xml_safe(markdown)))


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(["table", "strikethrough"])
    # Every link is rendered as a link and nh3 decides which URLs survive: a rejected
    # `[x](javascript:...)` then loses its href instead of staying behind as literal text.
    md.validateLink = lambda url: True
    return md
