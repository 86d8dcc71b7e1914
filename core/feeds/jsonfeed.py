"""JSON Feed 1.1; arXiv specifics sit in each item's `_arxiv` extension object. Pure.

An item's `tags` are its arXiv categories, then the keywords it matched (for readers that
filter on tags); its `id` and `url` are the versionless abs page, the same in every feed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from core.feeds.channel import GENERATOR, Channel
from core.feeds.items import Item, announced_at, authors_of, categories_of, fragments, html_frame, score_html
from core.models import Paper, Scored
from core.text.safe_html import one_line, xml_safe

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


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
    title, pre, post, summary, published, modified, authors, tags = fragments("json", item, _json_frame)
    out = {
        "id": p.abs_url,
        "url": p.abs_url,
        "title": title,
        "content_html": pre + score_html(s) + post + item.footer,
        "summary": summary,
        "date_published": published,
        "date_modified": modified,
        "authors": authors,
        "tags": tags + keyword_tags(s, tags) if s.matches else tags,
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
            **({"why": s.why} if s.why else {}),
        },
    }
    return out


def keyword_tags(s: Scored, categories: tuple[str, ...]) -> tuple[str, ...]:
    """The item's matched keywords as tags after its arXiv categories (none repeated); they
    depend on the query, so they are added per feed, outside the paper's kept fragments."""
    seen, out = set(categories), []
    for m in s.matches:
        word = one_line(m.keyword)
        if word and word not in seen:
            seen.add(word)
            out.append(word)
    return tuple(out)


def _json_frame(p: Paper, summary: str | None, modified: str) -> tuple:
    """The item's text fields; authors and tags as tuples (JSON arrays all the same), shared
    by every feed the paper is in and never modified."""
    names = authors_of(p)
    pre, post = html_frame(p, summary, ", ".join(names))
    authors = tuple({"name": a} for a in names)
    published = announced_at(p.announced).isoformat()
    abstract = xml_safe(p.abstract).strip()
    return one_line(p.title), pre, post, abstract, published, modified, authors, tuple(categories_of(p))
