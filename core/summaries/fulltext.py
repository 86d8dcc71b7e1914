"""A paper's text for the model: arXiv's HTML rendering, else the PDF, else the abstract.

`paper_text` is the only function here that does I/O (through the shared, polite arXiv
client); extracting text from HTML or PDF bytes and trimming it are pure.

Trimming keeps what a summary needs most within `max_input_tokens`: the front of the
paper (abstract, introduction, method) and its conclusion section, with a marked gap.
Tokens are estimated, not counted: about 4 characters per token for Latin text and
one per character elsewhere (CJK), which errs on the safe side for English papers.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from core import log
from core.errors import UpstreamError
from core.models import Paper

CHARS_PER_TOKEN = 4
MIN_FULLTEXT_CHARS = 1500  # less than this is a stub page or a scanned PDF, not a paper
MAX_PDF_PAGES = 60
MAX_PDF_BYTES = 40 * 1024 * 1024
MAX_HTML_BYTES = 20 * 1024 * 1024  # arXiv's HTML of a long paper is a few MB; images are separate files
MAX_BYTES = {"html": MAX_HTML_BYTES, "pdf": MAX_PDF_BYTES}
GAP = "\n\n[... middle of the paper omitted to fit the input limit ...]\n\n"

_CONCLUSION = re.compile(
    r"^[#\s]*(?:(?:\d+|[IVX]+|[A-H])(?:\.\d+)*\.?\s+)?"
    r"(?:conclusions?|concluding\s+remarks|(?:summary|discussion)\s+and\s+conclusions?)\b[^\n]{0,60}$",
    re.IGNORECASE | re.MULTILINE,
)
_AFTER_CONCLUSION = re.compile(
    r"^[#\s]*(?:(?:\d+|[IVX]+|[A-H])(?:\.\d+)*\.?\s+)?"
    r"(?:references|bibliography|acknowledge?ments?|appendix|appendices|supplementary)\b[^\n]{0,60}$",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True)
class PaperText:
    """The text to summarise, where it came from (`fulltext` or `abstract`), and why the
    full text was not used when it was wanted (empty otherwise)."""

    text: str
    source: str
    fallback_reason: str = ""


def paper_text(client, paper: Paper, max_tokens: int) -> PaperText:
    """The paper's HTML rendering, else its PDF, else its abstract, trimmed to `max_tokens`.
    `client` is an ArxivClient (its `get_web` returns None on 404, raises UpstreamError).
    Never raises for a missing or unreadable full text: the abstract is the answer then."""
    reasons = []
    for kind, extract in (("html", html_to_text), ("pdf", pdf_to_text)):
        try:
            # read in chunks up to the cap and within the client's deadline (core.ingest.client)
            response = client.get_web(f"/{kind}/{paper.versioned_id}", max_bytes=MAX_BYTES[kind])
        except UpstreamError as exc:
            reasons.append(f"{kind}: {exc}")
            continue
        if response is None:
            reasons.append(f"{kind}: not found")
            continue
        text = _extract(extract, response.content)
        if len(text) >= MIN_FULLTEXT_CHARS:
            return PaperText(trim(text, max_tokens), "fulltext")
        reasons.append(f"{kind}: no usable text")
    reason = "; ".join(reasons)
    log.event("summary.abstract_fallback", paper=paper.versioned_id, reason=reason)
    return PaperText(paper.abstract, "abstract", reason)


def _extract(extract, data: bytes) -> str:
    try:
        return extract(data)
    except Exception as exc:  # a malformed document is one paper's problem, whatever the parser raises
        log.event("summary.unreadable_fulltext", error=exc.__class__.__name__)
        return ""


# HTML ----------------------------------------------------------------------------------------

_SKIP = {
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "noscript",
    "template",
    "head",
    "svg",
    "button",
    "form",
    "select",
    "textarea",
    "iframe",
    "object",
}
_SKIP_CLASSES = ("ltx_bibliography", "ltx_page_navbar", "ltx_page_footer", "ltx_role_affiliation")
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "aside",
    "main",
    "li",
    "ul",
    "ol",
    "table",
    "tr",
    "br",
    "figure",
    "figcaption",
    "blockquote",
    "pre",
    "dt",
    "dd",
    "dl",
    "caption",
    "hr",
    "tbody",
    "thead",
}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}


class _TextExtractor(HTMLParser):
    """Readable text: block elements become lines, headings get Markdown hashes, math
    becomes its `alttext` (LaTeX) between dollars, page chrome is dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip: list[str] = []  # open tags whose content is dropped (innermost last)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            if tag == self._skip[0] and tag not in _VOID:
                self._skip.append(tag)
            return
        a = dict(attrs)
        if tag == "math":
            alt = " ".join((a.get("alttext") or "").split())
            block = a.get("display") == "block"
            self.out.append(f"\n$${alt}$$\n" if block else f" ${alt}$ ")
            self._skip.append(tag)
        elif tag in _SKIP or any(c in (a.get("class") or "") for c in _SKIP_CLASSES):
            if tag not in _VOID:
                self._skip.append(tag)
        elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.out.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in ("td", "th"):
            self.out.append(" | ")
        elif tag in _BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag == self._skip[0]:
                self._skip.pop()
            return
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.out.append("\n\n")
        elif tag in _BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.out.append(data)


def html_to_text(data: bytes | str) -> str:
    """The readable text of an HTML page (arXiv's LaTeXML rendering in practice)."""
    html = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return _tidy("".join(parser.out))


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# PDF -----------------------------------------------------------------------------------------


def pdf_to_text(data: bytes) -> str:
    """The text of a PDF's first MAX_PDF_PAGES pages; "" when it is not a PDF or too big."""
    if not data.startswith(b"%PDF-") or len(data) > MAX_PDF_BYTES:
        return ""
    from pypdf import PdfReader  # heavy: loaded only when a PDF is read

    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES]]
    return _tidy("\n\n".join(pages))


# Trimming ------------------------------------------------------------------------------------


def estimate_tokens(text: str) -> int:
    """A cautious token estimate: ~4 ASCII characters per token, one per other character."""
    ascii_chars = sum(1 for ch in text if ord(ch) < 128)
    return ascii_chars // CHARS_PER_TOKEN + (len(text) - ascii_chars) + 1


def trim(text: str, max_tokens: int) -> str:
    """`text` when it fits in `max_tokens`, else its front and its conclusion section
    (at most a third of the room) joined by a marked gap."""
    max_chars = max_tokens * CHARS_PER_TOKEN
    if estimate_tokens(text) <= max_tokens:
        return text
    conclusion, start = conclusion_section(text)
    conclusion = conclusion[: max_chars // 3]
    room = max(0, max_chars - len(conclusion) - len(GAP))
    if not conclusion or start <= room:
        return _cut(text, max_chars).rstrip() + GAP.rstrip()
    return _cut(text, room).rstrip() + GAP + conclusion.strip()


def conclusion_section(text: str) -> tuple[str, int]:
    """The last heading that names a conclusion, up to the references or appendix that
    follow it: (section text, offset), or ("", -1) when there is none."""
    heads = list(_CONCLUSION.finditer(text))
    if not heads:
        return "", -1
    start = heads[-1].start()
    end = _AFTER_CONCLUSION.search(text, heads[-1].end())
    return text[start : end.start() if end else len(text)], start


def _cut(text: str, limit: int) -> str:
    """The first `limit` characters, ending on a paragraph or line break when one is near."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    for sep in ("\n\n", "\n", ". "):
        at = head.rfind(sep)
        if at > limit * 0.8:
            return head[: at + len(sep)]
    return head
