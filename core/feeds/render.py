"""A feed as bytes: select, pair summaries, write the channel, render. Pure, no I/O.

    render_feed(manifest, days, query, config, base_url) -> bytes   the whole feed
    render(Channel, [Item], "rss" | "atom" | "json") -> bytes (UTF-8)

The formats live in core.feeds.xml and core.feeds.jsonfeed, the channel's text in
core.feeds.channel, an item's parts in core.feeds.items.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.config import Config
from core.feeds.channel import Channel, channel_description, channel_title
from core.feeds.items import Item, items_for
from core.feeds.jsonfeed import render_json
from core.feeds.xml import render_atom, render_rss
from core.models import Day, Manifest, Scored
from core.rank.query import FeedQuery
from core.rank.selection import select_papers, summaries_of

CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}


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
    the caller made it (ranked by meaning, core.rank.meaning, or from kept keyword postings,
    core.rank.selection.KeptPostings); `now` (when given) lets the description
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
