"""Announcement feeds written for tests in rss.arxiv.org's RSS 2.0 layout (synthetic, not arXiv data).

    body = rss_feed([paper("2609.00001", title="...")], day="2026-09-24")

Each item is laid out as arXiv's own (see the recorded feeds in ../shared/fixtures/arxiv):
`arXiv:<id>v<n> Announce Type: <type>` then `Abstract: ...` in the description, one
`<category>` per category, `dc:creator` with the authors joined by commas. Text is
XML-escaped; tests that need raw hostile bytes splice them into the returned bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from email.utils import format_datetime
from xml.sax.saxutils import escape

from core.calendar import EASTERN
from core.models import Paper

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:atom="http://www.w3.org/2005/Atom" version="2.0">\n<channel>\n'
    "<title>{cats} updates on arXiv.org</title>\n<link>http://rss.arxiv.org/rss/{path}</link>\n"
    "<description>{cats} updates on the arXiv.org e-print archive.</description>\n"
    "<pubDate>{date}</pubDate>\n"
)


def rss_date(day: str) -> str:
    """Midnight US Eastern of `day`, as arXiv dates its feeds."""
    return format_datetime(datetime.combine(date.fromisoformat(day), time(0), tzinfo=EASTERN))


def rss_item(p: Paper) -> str:
    """One item; a paper with no `announced` date gets no `pubDate`."""
    cats = "".join(f"<category>{escape(c)}</category>" for c in p.categories)
    when = f"<pubDate>{rss_date(p.announced)}</pubDate>" if p.announced else ""
    return (
        f"<item><title>{escape(p.title)}</title><link>https://arxiv.org/abs/{p.id}</link>\n"
        f"<description>arXiv:{p.versioned_id} Announce Type: {p.announce_type} \n"
        f"Abstract: {escape(p.abstract)}</description>\n"
        f'<guid isPermaLink="false">oai:arXiv.org:{p.versioned_id}</guid>{cats}{when}\n'
        f"<arxiv:announce_type>{p.announce_type}</arxiv:announce_type>"
        f"<dc:creator>{escape(', '.join(p.authors))}</dc:creator></item>\n"
    )


def rss_feed(papers: Sequence[Paper], day: str, categories: Sequence[str] = ("cs.LG", "cs.AI")) -> bytes:
    """A combined announcement feed for `categories`, dated `day` ("" = no channel date)."""
    head = HEAD.format(cats=", ".join(categories), path="+".join(categories), date=rss_date(day) if day else "")
    if not day:
        head = head.replace("<pubDate></pubDate>\n", "")
    return (head + "".join(rss_item(p) for p in papers) + "</channel>\n</rss>\n").encode("utf-8")
