"""Untrusted Markdown (LLM output) made safe to publish as Markdown. Pure, no I/O.

    safe_markdown(text) -> str

The feeds' rules decide, not a second set of rules: the text is rendered and sanitised
by `core.text.safe_html.markdown_to_html` (raw HTML shown as text; no images; links only to
absolute http, https and mailto URLs), and what survives is written back as Markdown.
Every text node is written as literal text (Markdown punctuation escaped, `<` as
`&lt;`), so the only markup in the result is the markup the sanitiser kept: headings,
paragraphs, lists, quotes, code, tables, emphasis, strike-through and allowed links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from core.text.safe_html import markdown_to_html

BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "hr", "table"})
VOID = frozenset({"br", "hr"})
WRAP = {"strong": "**", "b": "**", "em": "*", "i": "*", "s": "~~", "del": "~~"}
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# What would start a block at the beginning of a line: a quote, an ATX heading, a list
# item, a setext underline or thematic break.
_LINE_START = re.compile(r"^(\s*)(?:(>|#{1,6}(?=\s|$)|[-+](?=\s|$)|[-=](?=[-=\s]*$))|(\d{1,9})([.)])(?=\s|$))", re.M)
_URL_UNSAFE = re.compile(r"[\s()<>\\]")


def safe_markdown(text: str) -> str:
    """`text` as Markdown holding only what the feeds' sanitiser lets through."""
    return html_to_markdown(markdown_to_html(text))


def html_to_markdown(html: str) -> str:
    """Sanitised HTML (the allow-list of core.text.safe_html) written as Markdown."""
    return _blocks(_parse(html).children).strip("\n")


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Node | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        if any(n.tag == tag for n in self.stack[1:]):
            while self.stack.pop().tag != tag:
                pass

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _parse(html: str) -> _Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# Blocks --------------------------------------------------------------------------------------


def _blocks(children: list[_Node | str], sep: str = "\n\n") -> str:
    """Block-level children as Markdown blocks separated by `sep` (a blank line); runs of
    inline content between them (a tight list item's text) become one paragraph each."""
    out: list[str] = []
    run: list[_Node | str] = []
    for child in [*children, _Node("p")]:  # the sentinel flushes the last run
        if isinstance(child, _Node) and child.tag in BLOCKS:
            if text := _paragraph(run):
                out.append(text)
            run = []
            if child.children or child.tag == "hr":
                out.append(_block(child))
        else:
            run.append(child)
    return sep.join(b for b in out if b)


def _block(node: _Node) -> str:
    tag = node.tag
    if tag == "p":
        return _paragraph(node.children)
    if tag == "li":
        return _blocks(node.children)
    if tag[0] == "h" and tag[1:].isdigit():
        return "#" * int(tag[1]) + " " + _inline(node.children).replace("\n", " ").strip()
    if tag in ("ul", "ol"):
        return _list(node)
    if tag == "blockquote":
        return "\n".join(("> " + line).rstrip() for line in _blocks(node.children).split("\n"))
    if tag == "pre":
        return _fenced(_text_of(node))
    if tag == "hr":
        return "---"
    return _table(node)


def _paragraph(children: list[_Node | str]) -> str:
    text = _inline(children).strip()
    return _LINE_START.sub(_escape_marker, text)


def _escape_marker(m: re.Match) -> str:
    if m.group(2):
        return f"{m.group(1)}\\{m.group(2)}"
    return f"{m.group(1)}{m.group(3)}\\{m.group(4)}"


def _list(node: _Node) -> str:
    items = [c for c in node.children if isinstance(c, _Node) and c.tag == "li"]
    loose = any(isinstance(c, _Node) and c.tag == "p" for item in items for c in item.children)
    out = []
    for n, item in enumerate(items, 1):
        marker = f"{n}. " if node.tag == "ol" else "- "
        body = _blocks(item.children, "\n\n" if loose else "\n")
        pad = " " * len(marker)
        out.append(marker + "\n".join((pad + line) if line else "" for line in body.split("\n")).lstrip())
    return ("\n\n" if loose else "\n").join(out)


def _fenced(code: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{code.rstrip(chr(10))}\n{fence}"


def _table(node: _Node) -> str:
    rows = [_cells(tr) for tr in _descendants(node, "tr")]
    rows = [r for r in rows if r]
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    lines = ["| " + " | ".join(r + [""] * (width - len(r))) + " |" for r in rows]
    return "\n".join([lines[0], "|" + " --- |" * width, *lines[1:]])


def _cells(tr: _Node) -> list[str]:
    cells = [c for c in tr.children if isinstance(c, _Node) and c.tag in ("th", "td")]
    return [_inline(c.children).replace("\n", " ").strip() for c in cells]


def _descendants(node: _Node, tag: str) -> list[_Node]:
    found = []
    for child in node.children:
        if isinstance(child, _Node):
            found.extend([child] if child.tag == tag else _descendants(child, tag))
    return found


def _text_of(node: _Node) -> str:
    return "".join(c if isinstance(c, str) else _text_of(c) for c in node.children)


# Inline --------------------------------------------------------------------------------------


def _inline(children: list[_Node | str]) -> str:
    return "".join(_escape(c) if isinstance(c, str) else _inline_node(c) for c in children)


def _inline_node(node: _Node) -> str:
    tag = node.tag
    if tag == "br":
        return "\\\n"
    if tag == "code":
        return _code_span(_text_of(node))
    inner = _inline(node.children)
    if tag in WRAP:
        return _wrapped(inner, WRAP[tag])
    if tag == "a" and node.attrs.get("href"):
        title = node.attrs.get("title", "")
        quoted = ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"' if title else ""
        return f"[{inner}]({_url(node.attrs['href'])}{quoted})"
    if tag in ("sub", "sup"):
        return f"<{tag}>{inner}</{tag}>"
    return inner  # a link whose URL the sanitiser removed, abbr: their text


def _wrapped(inner: str, mark: str) -> str:
    """`inner` between emphasis marks, its outer spaces kept outside (where they count)."""
    core = inner.strip()
    if not core:
        return inner
    lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()) :]
    return f"{lead}{mark}{core}{mark}{trail}"


def _code_span(code: str) -> str:
    code = code.replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if code.startswith("`") or code.endswith("`") or not code.strip() else ""
    return f"{ticks}{pad}{code}{pad}{ticks}"


def _url(href: str) -> str:
    return _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", href)


def _escape(text: str) -> str:
    """Text that Markdown shows as it is."""
    return _ENTITY_LIKE.sub("&amp;", _SPECIAL.sub(r"\\\1", text)).replace("<", "&lt;")
