"""An OPML 2.0 subscription list of a deployment's feeds. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime

from core.text.safe_html import escape

CONTENT_TYPE = "text/x-opml; charset=utf-8"


def render_opml(base_url: str, categories: Sequence[str], created: datetime, fmt: str = "rss") -> bytes:
    """OPML 2.0 listing the all-categories feed and one feed per category, with absolute
    URLs under `base_url` (no trailing slash) and each category's arXiv listing page."""
    query = "" if fmt == "rss" else f"?format={fmt}"
    outlines = [_outline("arXiv " + ", ".join(categories), f"{base_url}/feed{query}", base_url + "/")]
    outlines += [
        _outline(f"arXiv {cat}", f"{base_url}/feed/{cat}{query}", f"https://arxiv.org/list/{cat}/new")
        for cat in categories
    ]
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0">\n<head>\n'
        "<title>arXiv feeds</title>\n"
        f"<dateCreated>{escape(format_datetime(created))}</dateCreated>\n"
        "</head>\n<body>\n"
    )
    return (head + "".join(outlines) + "</body>\n</opml>\n").encode("utf-8")


def _outline(title: str, xml_url: str, html_url: str) -> str:
    t, x, h = escape(title), escape(xml_url), escape(html_url)
    return f'<outline type="rss" text="{t}" title="{t}" xmlUrl="{x}" htmlUrl="{h}"/>\n'
