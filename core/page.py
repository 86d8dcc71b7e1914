"""The web page at `/`: what the service offers, how fresh its data is, a feed builder
and the latest announcement's papers. Pure: values in, one HTML string out.

    render_page(PageInput(manifest, day, config, base_url, now, assets)) -> str

Every upstream string (titles, authors, abstracts, status details, keywords) goes
through `escape`; AI summaries through `markdown_to_html`, which sanitises. The page
holds no inline script or style, so its Content-Security-Policy can forbid both: the
values the script needs sit in a `<script type="application/json">` data block, which
is never executed. Without JavaScript everything reads, and the builder is a plain GET
form that opens the feed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from core.calendar import parse_instant
from core.config import Config
from core.layout import Day, Manifest
from core.models import ANNOUNCE_TYPES, Scored
from core.query import MAX_LIMIT, parse_query
from core.safe_html import escape, markdown_to_html, one_line, text_to_html
from core.scoring import term_pattern
from core.selection import select_papers

DEFAULT_REPOSITORY = "https://github.com/arxiv-rss/arxiv-rss"
STATUS_LABELS = {
    "updated": ("ok", "updated"),
    "no-announcement": ("quiet", "no announcement"),
    "unchanged": ("wait", "not rebuilt yet"),
    "upstream-error": ("error", "upstream error"),
    "stale": ("wait", "no papers this time"),
}
TYPE_TEXT = {
    "new": "new submissions",
    "cross": "cross-lists",
    "replace": "replacements",
    "replace-cross": "replaced cross-lists",
}
SOURCE_TEXT = {"fulltext": "from the full text", "abstract": "from the abstract"}
IN_TITLE = '<span class="in-title"> (title)</span>'
MAX_SCORE_BIN = 8  # the histogram's last bin holds every score from here up


@dataclass(frozen=True)
class PageInput:
    """What the page shows. `day` is the latest announcement day (None before the first
    refresh); `assets` maps a static file name to its URL; `alerts` are plain-text
    warnings shown above everything (store unreachable, data not persisting)."""

    manifest: Manifest
    day: Day | None
    config: Config
    base_url: str
    now: datetime
    assets: Mapping[str, str]
    alerts: tuple[str, ...] = ()


def render_page(page: PageInput) -> str:
    """The whole HTML document."""
    selected = _todays_selection(page)
    return "".join(
        [
            _head(page),
            '<body>\n<a class="skip" href="#builder">Skip to the feed builder</a>\n',
            _header(page),
            '<main id="main">\n',
            *(f'<p class="alert" role="alert">{escape(a)}</p>\n' for a in page.alerts),
            status_strip(page.manifest, page.day, page.config, page.now),
            _builder_section(page),
            _charts_section(page.day, page.config, selected),
            papers_section(page.day, selected),
            "</main>\n",
            _footer(page),
            _data_block(page),
            f'<script src="{escape(page.assets["app.js"])}" defer></script>\n</body>\n</html>\n',
        ]
    )


def _todays_selection(page: PageInput) -> list[Scored]:
    """The latest day's papers as the deployment's default feed ranks them (digest length)."""
    if page.day is None:
        return []
    query = parse_query({"limit": str(min(page.config.max_papers, MAX_LIMIT))}, page.config)
    return select_papers([page.day], query, page.config)


# Head, header, footer --------------------------------------------------------------------------


def _head(page: PageInput) -> str:
    cats = ", ".join(page.config.categories)
    description = f"arXiv {cats} as scored, summarised RSS, Atom and JSON feeds you shape with the URL."
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>arxiv-rss · arXiv {escape(cats)} as feeds</title>\n"
        f'<meta name="description" content="{escape(description)}">\n'
        f'<link rel="stylesheet" href="{escape(page.assets["app.css"])}">\n'
        f'<link rel="icon" href="{escape(page.assets["icon.svg"])}" type="image/svg+xml">\n'
        f'<link rel="alternate" type="application/rss+xml" title="arXiv {escape(cats)}" href="{_url(page, "/feed")}">\n'
        f'<link rel="alternate" type="application/feed+json" title="arXiv {escape(cats)} (JSON Feed)"'
        f' href="{_url(page, "/feed?format=json")}">\n'
        "</head>\n"
    )


def _header(page: PageInput) -> str:
    config = page.config
    cats = _and_list([f"<strong>{escape(c)}</strong>" for c in config.categories])
    summaries = (
        f", has an LLM ({escape(config.ai_summary.model)}) summarise the best ones" if config.ai_summary.enabled else ""
    )
    return (
        '<header class="site">\n<div class="wrap">\n'
        '<p class="brand"><a href="/">arxiv-rss</a></p>\n'
        "<h1>Follow arXiv in your feed reader</h1>\n"
        f'<p class="lede">Every announcement day this service pulls the new papers in {cats}, scores them '
        f"against keywords{summaries}, and serves them as RSS, Atom and JSON feeds. Build your own feed below "
        f'or subscribe to <a href="{_url(page, "/feed")}">the default one</a>.</p>\n'
        '<nav aria-label="Site"><ul>'
        '<li><a href="#builder">Build a feed</a></li>'
        '<li><a href="#today">Today’s papers</a></li>'
        '<li><a href="/opml">OPML of all categories</a></li>'
        '<li><a href="/api/health">Health</a></li>'
        f'<li><a href="{escape(repository_url(config))}">Source</a></li>'
        "</ul></nav>\n</div>\n</header>\n"
    )


def _footer(page: PageInput) -> str:
    cats = " · ".join(f'<a href="/feed/{escape(c)}">{escape(c)}</a>' for c in page.config.categories)
    return (
        '<footer class="site">\n<div class="wrap">\n'
        f'<p>Per-category feeds: {cats} · <a href="/opml">all of them as OPML</a></p>\n'
        '<p><a href="/api/health">Service health (JSON)</a> · '
        f'<a href="{escape(repository_url(page.config))}">Source code and deployment guide</a> · '
        'Paper data from <a href="https://arxiv.org/">arXiv</a>; thank you to arXiv for use of its open '
        "access interoperability.</p>\n"
        "</div>\n</footer>\n"
    )


def repository_url(config: Config) -> str:
    """The deployment's repository as a link: an http(s) URL as configured, `owner/name`
    as a GitHub address, else the project's own repository."""
    repo = config.repository.strip()
    if re.match(r"^https?://[^\s\"'<>]+$", repo):
        return repo
    if re.match(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", repo):
        return f"https://github.com/{repo}"
    return DEFAULT_REPOSITORY


def _url(page: PageInput, path: str) -> str:
    return escape(page.base_url + path)


def _data_block(page: PageInput) -> str:
    """What the script needs, as JSON that cannot close its <script> element."""
    config = page.config
    data = {
        "base": page.base_url,
        "categories": list(config.categories),
        "defaults": {
            "types": list(config.include_types),
            "min_score": config.min_score,
            "days": 1,
            "format": "rss",
            "summary": "full",
        },
        "retention_days": config.retention_days,
    }
    text = json.dumps(data, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="page-data">{text}</script>\n'


# Status strip ----------------------------------------------------------------------------------


def status_strip(manifest: Manifest, day: Day | None, config: Config, now: datetime) -> str:
    """Last refresh (relative and UTC), the announcement date, paper and summary counts,
    and each configured category's honest status."""
    head = '<section class="status" aria-labelledby="status-h">\n<h2 id="status-h">Data status</h2>\n'
    if not manifest.version:
        return head + (
            '<p class="facts">No data yet: this service has not completed a refresh from arXiv. It fills after '
            "the first refresh, which runs every weekday after arXiv rebuilds its feeds (midnight US Eastern). "
            "The feed builder works already; its feeds stay empty until then.</p>\n</section>\n"
        )
    refreshed = last_refresh(manifest)
    ref = manifest.days[0] if manifest.days else None
    facts = [f"Last refresh {_time(refreshed, now)}"]
    if ref is not None:
        facts.append(f'Announcement of <time datetime="{escape(ref.date)}">{escape(_long_date(ref.date))}</time>')
        facts.append(f"{_count(ref.count, 'paper')}")
        facts.append(f"{_count(ref.summaries, 'AI summary', 'AI summaries')}")
    else:
        facts.append("no announcement days stored")
    items = "".join(_category_status(cat, manifest.categories.get(cat), now) for cat in config.categories)
    return head + (
        f'<p class="facts" id="status-facts">{" · ".join(facts)}</p>\n'
        f'<ul class="cats" aria-label="Status per category">\n{items}</ul>\n</section>\n'
    )


def _category_status(cat: str, record: object, now: datetime) -> str:
    if not isinstance(record, dict):
        kind, label, detail = "wait", "not refreshed yet", "no refresh has covered this category yet"
    else:
        status = str(record.get("status", ""))
        kind, label = STATUS_LABELS.get(status, ("wait", one_line(status) or "unknown"))
        detail = _status_detail(status, record, now)
    return (
        f'<li class="cat-status {kind}" id="status-{escape(cat)}"><span class="cat">{escape(cat)}</span> '
        f'<span class="state"><span class="dot" aria-hidden="true"></span>{escape(label)}</span> '
        f'<span class="detail">{detail}</span></li>\n'
    )


def _status_detail(status: str, record: dict, now: datetime) -> str:
    """HTML (escaped) explaining one category's status record."""
    announced = str(record.get("announced", ""))
    latest = f"; latest announcement {escape(announced)}" if announced else ""
    checked = _time(str(record.get("checked_at", "")), now)
    if status == "updated":
        papers = record.get("papers")
        count = _count(papers, "paper") + " " if isinstance(papers, int) and not isinstance(papers, bool) else ""
        return f"{count}announced {escape(announced)}"
    if status == "no-announcement":
        return f"{escape(one_line(str(record.get('detail', ''))) or 'no announcement')}, checked {checked}{latest}"
    if status == "unchanged":
        return f"arXiv has not rebuilt its feed since the last refresh, checked {checked}{latest}"
    if status == "upstream-error":
        since = _time(str(record.get("since", "") or record.get("checked_at", "")), now)
        detail = escape(one_line(str(record.get("detail", ""))))
        return f"arXiv could not be read since {since} ({detail}); earlier data is still served{latest}"
    if status == "stale":
        checked_in = escape(one_line(str(record.get("checked_announcement", "")))) or "the latest announcement"
        return (
            f"none in the announcement of {checked_in}, which lists other categories (arXiv’s feed for this one "
            f"may be behind), checked {checked}; its earlier papers are still served{latest}"
        )
    return f"checked {checked}{latest}"


def last_refresh(manifest: Manifest) -> str:
    """When the last refresh finished (ISO 8601), else when the data was published; "" if never."""
    return str(manifest.report.get("finished_at") or manifest.published_at or "")


def refresh_age(manifest: Manifest, now: datetime) -> str:
    """How long ago the last refresh was, as the page says it ("3 hours ago"); "" if never."""
    t = parse_instant(last_refresh(manifest))
    return relative_time(t, now) if t is not None else ""


def _time(iso: str, now: datetime) -> str:
    """A `<time>` showing how long ago, with the UTC time beside it; "unknown" if unreadable."""
    t = parse_instant(iso)
    if t is None:
        return "at an unknown time"
    stamp = t.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f'<time datetime="{escape(t.isoformat().replace("+00:00", "Z"))}" data-relative>'
        f"{escape(relative_time(t, now))}</time> ({stamp})"
    )


def relative_time(then: datetime, now: datetime) -> str:
    """`just now`, `5 minutes ago`, `3 hours ago`, `2 days ago` (or `in …` for a future time)."""
    seconds = (now - then).total_seconds()
    ahead, seconds = seconds < 0, abs(seconds)
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            text = _count(int(seconds // size), unit)
            return f"in {text}" if ahead else f"{text} ago"
    return "just now"


def _long_date(iso: str) -> str:
    try:
        d = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d:%A} {d.day} {d:%B %Y}"


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _and_list(items: Sequence[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# Feed builder ----------------------------------------------------------------------------------


def _builder_section(page: PageInput) -> str:
    return (
        '<section class="builder-area" aria-labelledby="builder-h">\n'
        '<h2 id="builder-h">Build your feed</h2>\n<div class="builder-grid">\n'
        + builder_form(page.config, page.base_url)
        + _preview()
        + "</div>\n</section>\n"
    )


def builder_form(config: Config, base_url: str) -> str:
    """The builder: a GET form on /feed whose empty fields mean the deployment's defaults."""
    keywords = ", ".join(k.text for k in config.keywords)
    exclude = ", ".join(config.exclude_keywords)
    return (
        '<form id="builder" class="builder" action="/feed" method="get">\n'
        + _subscribe_box(base_url)
        + _checkboxes("Categories", "categories", [(c, c) for c in config.categories], config.categories, "f-cat")
        + _text_field(
            "keywords",
            "Keywords",
            "Empty: this deployment’s keywords",
            "Comma-separated; any case, plurals included. <code>quantiz*</code> matches a prefix; "
            "<code>*</code> alone turns the keyword filter off.",
            _defaults_note("This deployment’s keywords", keywords),
        )
        + _text_field(
            "exclude",
            "Exclude title words",
            f"Empty: {exclude}" if exclude else "Empty: none",
            "Papers whose title contains one of these are left out; <code>*</code> = exclude nothing.",
        )
        + _text_field("authors", "Authors", "e.g. Hinton, Bengio", "Part of any author’s name, any case.")
        + _checkboxes(
            "Announce types",
            "types",
            [(t, f'{t} <span class="hint-inline">({TYPE_TEXT[t]})</span>') for t in ANNOUNCE_TYPES],
            config.include_types,
            "f-type",
        )
        + '<div class="row">\n'
        + _number_field(
            "min_score", "Minimum score", "", f"{config.min_score:g}", 0, 1000, 0.5, _min_score_hint(config.min_score)
        )
        + _number_field(
            "days",
            "Days",
            "1",
            "",
            1,
            config.retention_days,
            1,
            f"Announcement days back, 1 to {config.retention_days}.",
        )
        + "</div>\n"
        + _radios("Format", "format", [("rss", "RSS"), ("atom", "Atom"), ("json", "JSON Feed")], "rss")
        + _radios("AI summaries", "summary", [("full", "Include"), ("none", "Leave out")], "full")
        + '<p class="actions"><button type="submit">Open this feed</button></p>\n'
        "</form>\n"
    )


def _min_score_hint(default: float) -> str:
    if default > 0:
        return f"Empty: {default:g} with this deployment’s keywords, 0 with your own."
    return "Empty: 0, any keyword match counts."


def _subscribe_box(base_url: str) -> str:
    url = escape(base_url + "/feed")
    feed_url = escape("feed:" + base_url + "/feed")
    return (
        '<div class="subscribe">\n'
        '<label for="feed-url">Your feed URL</label>\n'
        f'<div class="url-row"><input id="feed-url" type="text" readonly value="{url}" spellcheck="false" '
        'aria-describedby="copy-status">'
        '<button id="copy" type="button" hidden>Copy</button></div>\n'
        f'<p class="links"><a id="feed-open" href="{url}">Open</a> · '
        f'<a id="feed-subscribe" href="{feed_url}">Subscribe in your feed reader</a>'
        ' <span id="copy-status" role="status" aria-live="polite"></span></p>\n'
        "</div>\n"
    )


def _checkboxes(legend: str, name: str, options: Sequence[tuple[str, str]], checked: Sequence[str], prefix: str) -> str:
    """A fieldset of checkboxes; `options` are (value, label HTML)."""
    boxes = "".join(
        f'<label class="check" for="{prefix}-{i}"><input type="checkbox" id="{prefix}-{i}" name="{name}" '
        f'value="{escape(value)}"{" checked" if value in checked else ""}> {label}</label>\n'
        for i, (value, label) in enumerate(options)
    )
    return (
        f'<fieldset class="group" id="f-{name}">\n<legend>{escape(legend)}</legend>\n{boxes}'
        f'<p class="hint" id="h-{name}">None ticked = the default.</p>\n</fieldset>\n'
    )


def _radios(legend: str, name: str, options: Sequence[tuple[str, str]], checked: str) -> str:
    boxes = "".join(
        f'<label class="check" for="f-{name}-{value}"><input type="radio" id="f-{name}-{value}" name="{name}" '
        f'value="{escape(value)}"{" checked" if value == checked else ""}> {escape(label)}</label>\n'
        for value, label in options
    )
    return f'<fieldset class="group inline" id="f-{name}">\n<legend>{escape(legend)}</legend>\n{boxes}</fieldset>\n'


def _text_field(name: str, label: str, placeholder: str, hint: str, extra: str = "") -> str:
    """A labelled text input; `hint` and `extra` are trusted HTML written here."""
    return (
        f'<div class="field">\n<label for="f-{name}">{escape(label)}</label>\n'
        f'<input type="text" id="f-{name}" name="{name}" placeholder="{escape(placeholder)}" '
        f'aria-describedby="h-{name}" autocomplete="off" spellcheck="false">\n'
        f'<p class="hint" id="h-{name}">{hint}</p>\n{extra}</div>\n'
    )


def _number_field(
    name: str, label: str, value: str, placeholder: str, low: float, high: float, step: float, hint: str
) -> str:
    return (
        f'<div class="field">\n<label for="f-{name}">{escape(label)}</label>\n'
        f'<input type="number" id="f-{name}" name="{name}" value="{escape(value)}" '
        f'placeholder="{escape(placeholder)}" min="{low:g}" max="{high:g}" step="{step:g}" inputmode="decimal" '
        f'aria-describedby="h-{name}">\n<p class="hint" id="h-{name}">{escape(hint)}</p>\n</div>\n'
    )


def _defaults_note(summary: str, values: str) -> str:
    if not values:
        return ""
    return f'<details class="defaults"><summary>{escape(summary)}</summary><p>{escape(values)}</p></details>\n'


def _preview() -> str:
    return (
        '<section class="preview" id="preview" aria-labelledby="preview-h">\n'
        '<h3 id="preview-h">Preview: what this feed holds right now</h3>\n'
        '<p id="preview-status" class="preview-status" role="status" aria-live="polite">'
        "The live preview needs JavaScript. Without it, “Open this feed” shows the feed itself, and "
        "the default feed’s papers are listed under Today’s papers.</p>\n"
        '<ol id="preview-list" class="preview-list"></ol>\n'
        '<p><button id="preview-more" class="secondary" type="button" hidden>Show all</button></p>\n'
        "</section>\n"
    )


# Charts ----------------------------------------------------------------------------------------


def _charts_section(day: Day | None, config: Config, selected: Sequence[Scored]) -> str:
    if day is None or not day.papers:
        return ""
    threshold = f"; the dashed line is the minimum score, {config.min_score:g}" if config.min_score > 0 else ""
    return (
        '<section class="charts" aria-labelledby="charts-h">\n'
        f'<h2 id="charts-h">The day in numbers <span class="sub">({escape(day.date)})</span></h2>\n'
        '<div class="chart-grid">\n'
        f"<figure>{category_chart(day, config, selected)}"
        "<figcaption>Papers listed in each category; the highlighted part is in the default feed.</figcaption>"
        "</figure>\n"
        f"<figure>{score_chart(day, config)}"
        f"<figcaption>Keyword scores of the day’s papers, excluded ones left out; pale bars cannot reach the "
        f"default feed{threshold}.</figcaption></figure>\n"
        "</div>\n</section>\n"
    )


def category_chart(day: Day, config: Config, selected: Sequence[Scored]) -> str:
    """Horizontal bars: papers of the day listing each category, and how many of them the
    default feed selects."""
    chosen = {s.paper.id for s in selected}
    rows = [
        (
            cat,
            sum(1 for s in day.papers if cat in s.paper.categories),
            sum(1 for s in day.papers if cat in s.paper.categories and s.paper.id in chosen),
        )
        for cat in config.categories
    ]
    top = max([total for _, total, _ in rows] + [1])
    label_w, bar_w, row_h = 76, 190, 28
    height = row_h * len(rows) + 8
    desc = "; ".join(f"{cat}: {total} papers, {picked} in the default feed" for cat, total, picked in rows)
    bars = []
    for i, (cat, total, picked) in enumerate(rows):
        y = 4 + i * row_h
        bars.append(
            f'<text class="label" x="{label_w - 8}" y="{y + 17}" text-anchor="end">{escape(cat)}</text>'
            f'<rect class="bar-all" x="{label_w}" y="{y + 4}" width="{_w(total, top, bar_w)}" height="18" rx="2"/>'
            f'<rect class="bar-pick" x="{label_w}" y="{y + 4}" width="{_w(picked, top, bar_w)}" height="18" rx="2"/>'
            f'<text class="value" x="{label_w + _w(total, top, bar_w) + 6:.1f}" y="{y + 17}">'
            f"{total} ({picked} in feed)</text>"
        )
    return _svg("chart-cats", f"Papers per category on {day.date}", desc, 380, height, "".join(bars))


def score_chart(day: Day, config: Config) -> str:
    """Vertical bars: how many of the day's papers (excluded ones left out) score in each
    band 0, 0–1, 1–2, … 8+, with a line at the deployment's minimum score."""
    scores = [s.score for s in day.papers if not s.excluded_by]
    bins = [0] * (MAX_SCORE_BIN + 2)  # [exactly 0, (0, 1), [1, 2), ... [MAX, inf)]
    for score in scores:
        bins[0 if score <= 0 else min(MAX_SCORE_BIN + 1, 1 + math.floor(score))] += 1
    labels = ["0", "<1", *(str(n) for n in range(1, MAX_SCORE_BIN)), f"{MAX_SCORE_BIN}+"]
    top = max(bins + [1])
    left, bottom, plot_h, col_w = 8, 150, 118, 34
    parts = []
    threshold = config.min_score  # drawn first, so the bars and counts sit on top
    if threshold > 0:
        x = left + col_w * (1 + min(threshold, MAX_SCORE_BIN))
        parts.append(
            f'<line class="threshold" x1="{x:.1f}" y1="{bottom - plot_h - 8}" x2="{x:.1f}" y2="{bottom + 2}"/>'
            f'<text class="label" x="{x + 3:.1f}" y="{bottom - plot_h - 1}">min {threshold:g}</text>'
        )
    for i, (n, label) in enumerate(zip(bins, labels, strict=True)):
        h = _w(n, top, plot_h)
        x = left + i * col_w
        kind = "bar-all" if i == 0 or i <= config.min_score else "bar-pick"  # bin i ends at score i
        mid = x + col_w / 2
        top_y = bottom - h
        parts.append(f'<rect class="{kind}" x="{x + 4}" y="{top_y:.1f}" width="{col_w - 8}" height="{h:.1f}" rx="2"/>')
        if n:
            parts.append(f'<text class="value" x="{mid:.1f}" y="{top_y - 4:.1f}" text-anchor="middle">{n}</text>')
        parts.append(f'<text class="label" x="{mid:.1f}" y="{bottom + 16}" text-anchor="middle">{label}</text>')
    parts.append(f'<line class="axis" x1="{left}" y1="{bottom}" x2="{left + col_w * len(bins)}" y2="{bottom}"/>')
    spoken = [
        "0",
        "above 0, below 1",
        *(f"{n} to below {n + 1}" for n in range(1, MAX_SCORE_BIN)),
        f"{MAX_SCORE_BIN} or more",
    ]
    desc = "; ".join(f"score {text}: {n} papers" for n, text in zip(bins, spoken, strict=True) if n)
    return _svg("chart-scores", f"Score distribution on {day.date}", desc or "no papers", 356, 176, "".join(parts))


def _w(n: int, top: int, size: float) -> float:
    return round(size * n / top, 1) if top else 0.0


def _svg(ident: str, title: str, desc: str, width: int, height: int, body: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{ident}-t {ident}-d">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>{body}</svg>'
    )


# Today's papers --------------------------------------------------------------------------------


def papers_section(day: Day | None, selected: Sequence[Scored]) -> str:
    """The latest day's papers as the default feed ranks them, each with its summary."""
    head = '<section class="papers" id="today" aria-labelledby="today-h">\n'
    if day is None:
        return head + '<h2 id="today-h">Today’s papers</h2>\n<p>No announcement is stored yet.</p>\n</section>\n'
    if not day.papers:
        return head + (
            f'<h2 id="today-h">Today’s papers</h2>\n<p>No papers were stored for the announcement of '
            f"{escape(_long_date(day.date))}.</p>\n</section>\n"
        )
    intro = (
        f"<p>{_count(len(selected), 'paper')} of the {_count(len(day.papers), 'paper')} announced on "
        f"{escape(_long_date(day.date))}, ranked by this deployment’s keywords — the same papers as "
        '<a href="/feed">the default feed</a>.</p>\n'
    )
    if not selected:
        intro += "<p>None of them matched this deployment’s keywords.</p>\n"
    items = "".join(paper_html(s, day.summaries.get(s.paper.id), rank) for rank, s in enumerate(selected, 1))
    return (
        head
        + f'<h2 id="today-h">Today’s papers <span class="sub">({escape(day.date)})</span></h2>\n'
        + intro
        + f'<ol class="paper-list">\n{items}</ol>\n</section>\n'
    )


def paper_html(scored: Scored, summary: object, rank: int) -> str:
    """One paper: title, authors, categories and type, score and matched keywords,
    abstract (keywords marked), links, and the AI summary in a <details> block."""
    p = scored.paper
    terms = scored.matched_keywords
    cats = "".join(f'<span class="tag">{escape(one_line(c))}</span>' for c in p.categories)
    matched = "".join(
        f'<mark class="kw">{escape(one_line(m.keyword))}{IN_TITLE if m.in_title else ""}</mark>' for m in scored.matches
    )
    authors = ", ".join(escape(one_line(a)) for a in p.authors)
    return (
        f'<li class="paper" id="p-{escape(p.id)}" data-id="{escape(p.abs_url)}">\n'
        f'<h3><span class="rank">{rank}.</span> '
        f'<a href="{escape(p.abs_url)}">{highlight(one_line(p.title), terms)}</a></h3>\n'
        f'<p class="authors">{authors}</p>\n'
        f'<p class="meta">{cats}<span class="type">{escape(p.announce_type)}</span>'
        f'<span class="score">score {scored.score:g}</span>{matched}</p>\n'
        f'<div class="abstract">{_highlight_paragraphs(p.abstract, terms)}</div>\n'
        + _summary_block(summary)
        + f'<p class="links"><a href="{escape(p.abs_url)}">abs</a> · <a href="{escape(p.pdf_url)}">PDF</a> · '
        f'<a href="{escape(p.html_url)}">HTML</a> <span class="arxiv-id">arXiv:{escape(p.versioned_id)}</span></p>\n'
        "</li>\n"
    )


def _summary_block(record: object) -> str:
    if not (isinstance(record, dict) and isinstance(record.get("text"), str) and record["text"].strip()):
        return ""
    model = one_line(str(record.get("model", "")))
    note = ", ".join(x for x in (f"by {model}" if model else "", SOURCE_TEXT.get(str(record.get("source")), "")) if x)
    note_html = f' <span class="sub">({escape(note)})</span>' if note else ""
    return (
        f'<details class="ai-summary"><summary>AI summary{note_html}</summary>'
        f'<div class="summary-body">{markdown_to_html(record["text"])}</div></details>\n'
    )


def highlight(text: str, keywords: Sequence[str]) -> str:
    """`text` escaped, with every occurrence of the keywords (matched as the scorer matches
    them: whole words, plurals, prefixes) wrapped in <mark>."""
    patterns = [p for p in (term_pattern(k) for k in keywords) if p]
    if not patterns:
        return escape(text)
    out, pos = [], 0
    for m in re.finditer("|".join(f"(?:{p})" for p in patterns), text, re.IGNORECASE):
        if m.end() == m.start():
            continue
        out.append(escape(text[pos : m.start()]) + f"<mark>{escape(m.group())}</mark>")
        pos = m.end()
    return "".join(out) + escape(text[pos:])


def _highlight_paragraphs(text: str, keywords: Sequence[str]) -> str:
    paragraphs = re.split(r"\n\s*\n", text)
    html = "".join(f"<p>{highlight(one_line(p), keywords)}</p>" for p in paragraphs if one_line(p))
    return html or text_to_html(text)
