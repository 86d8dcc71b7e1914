"""The web page at `/`: what the service offers, how fresh its data is, a feed builder
and the latest announcement's papers. Pure: values in, one HTML string out.

    render_page(PageInput(manifest, day, config, base_url, now, assets)) -> str

The markup lives in core/text/templates/page/ (Jinja2, autoescaped); this module only
gathers the values. Upstream strings (titles, authors, abstracts, status details,
keywords) reach the templates as plain text and are escaped there; AI summaries go
as `summary_body` gives them (sanitised HTML, rendered at refresh) and are the one value marked safe. The page
holds no inline script or style, so its Content-Security-Policy can forbid both: the
values the script needs sit in a `<script type="application/json">` data block, which
is never executed. Without JavaScript everything reads, and the builder is a plain GET
form that opens the feed.

The papers listed and the charts' highlighted parts are the default feed's own choice
(`core.rank.selection.select_papers` with the default query), so the page never shows a
paper `/feed` leaves out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from urllib.parse import quote

from core.calendar import parse_instant
from core.config import Config
from core.feeds.channel import category_detail, old_data_note, papers_held
from core.models import ANNOUNCE_TYPES, Day, Manifest, Scored
from core.rank.query import MAX_LIMIT, parse_query
from core.rank.scoring import term_pattern
from core.rank.selection import select_papers
from core.text.safe_html import escape, one_line, summary_body
from core.text.templating import render_html

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
# Feed readers' subscribe-by-URL pages: the feed URL, percent-encoded, goes after the prefix.
READERS = (
    ("feedly", "Feedly", "https://feedly.com/i/subscription/feed%2F"),
    ("inoreader", "Inoreader", "https://www.inoreader.com/?add_feed="),
    ("newsblur", "NewsBlur", "https://www.newsblur.com/?url="),
)
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
    deployed_from: str = ""  # `owner/name` Vercel deployed from (Env.repository), or ""


def render_page(page: PageInput) -> str:
    """The whole HTML document."""
    eligible = _eligible(page)
    selected = eligible[: min(page.config.max_papers, MAX_LIMIT)]
    config, base = page.config, page.base_url
    return render_html(
        "page/page.html",
        config=config,
        assets=page.assets,
        alerts=page.alerts,
        feeds={"rss": base + "/feed", "atom": base + "/feed?format=atom", "json": base + "/feed?format=json"},
        repository=repository_url(config, page.deployed_from),
        status=status_view(page.manifest, page.day, config, page.now),
        builder=builder_view(config, base),
        charts=charts_view(page.day, config, eligible, selected),
        papers=papers_view(page.day, selected),
        data=_page_data(page),
    )


def _eligible(page: PageInput) -> list[Scored]:
    """Every paper of the latest day the deployment's default feed selects, best first."""
    if page.day is None or not page.day.papers:
        return []
    query = replace(parse_query({}, page.config), limit=len(page.day.papers))
    return select_papers([page.day], query, page.config)


def repository_url(config: Config, deployed_from: str = "") -> str:
    """The deployment's repository as a link: an http(s) URL as configured, `owner/name`
    as a GitHub address, else the GitHub repository Vercel deployed from; "" (no link)
    when none is known, rather than an address that may not be this deployment's."""
    repo = config.repository.strip()
    if re.match(r"^https?://[^\s\"'<>]+$", repo):
        return repo
    for name in (repo, deployed_from.strip()):
        if re.match(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", name):
            return f"https://github.com/{name}"
    return ""


def _page_data(page: PageInput) -> dict:
    """What the script needs (printed with `tojson`, which cannot close its <script>)."""
    config = page.config
    return {
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
        "readers": {ident: prefix for ident, _, prefix in READERS},
    }


# Status ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Moment:
    """A past (or future) instant as the page shows it: `3 hours ago (2026-09-23 05:15 UTC)`."""

    iso: str
    relative: str
    stamp: str


@dataclass(frozen=True)
class CategoryStatus:
    """One configured category's last status record, as the status list shows it."""

    name: str
    kind: str  # ok, quiet, wait, error: the dot's colour
    label: str
    status: str  # the record's status; "" when no refresh has covered the category
    announced: str = ""
    papers: int | None = None
    detail: str = ""
    checked: Moment | None = None
    since: Moment | None = None
    checked_in: str = ""
    held: bool = False  # whether its earlier papers are held (core.feeds.channel.papers_held)


def status_view(manifest: Manifest, day: Day | None, config: Config, now: datetime) -> dict:
    """Last refresh, the latest announcement with its paper and summary counts, each
    configured category's status, and (past core.feeds.channel.OLD_DATA_DAYS) that the data is old."""
    ref = manifest.days[0] if manifest.days else None
    return {
        "has_data": bool(manifest.version),
        "old": old_data_note(manifest, now) if manifest.version else "",
        "refreshed": moment(last_refresh(manifest), now),
        "day": {"date": ref.date, "long": _long_date(ref.date), "papers": ref.count, "summaries": ref.summaries}
        if ref
        else None,
        "categories": [_category_status(cat, manifest, now) for cat in config.categories],
    }


def _category_status(cat: str, manifest: Manifest, now: datetime) -> CategoryStatus:
    record = manifest.categories.get(cat)
    if not isinstance(record, dict):
        return CategoryStatus(cat, "wait", "not refreshed yet", "")
    status = str(record.get("status", ""))
    kind, label = STATUS_LABELS.get(status, ("wait", one_line(status) or "unknown"))
    papers = record.get("papers")
    return CategoryStatus(
        name=cat,
        kind=kind,
        label=label,
        status=status,
        announced=one_line(str(record.get("announced", "") or "")),
        papers=papers if isinstance(papers, int) and not isinstance(papers, bool) else None,
        detail=category_detail(record),
        checked=moment(str(record.get("checked_at", "")), now),
        since=moment(str(record.get("since", "") or record.get("checked_at", "")), now),
        checked_in=one_line(str(record.get("checked_announcement", ""))),
        held=papers_held(manifest, record),
    )


def last_refresh(manifest: Manifest) -> str:
    """When the last refresh finished (ISO 8601), else when the data was published; "" if never."""
    return str(manifest.report.get("finished_at") or manifest.published_at or "")


def refresh_age(manifest: Manifest, now: datetime) -> str:
    """How long ago the last refresh was, as the page says it ("3 hours ago"); "" if never."""
    t = parse_instant(last_refresh(manifest))
    return relative_time(t, now) if t is not None else ""


def moment(iso: str, now: datetime) -> Moment | None:
    """`iso` as the page shows it, or None when it is not a readable time."""
    t = parse_instant(iso)
    if t is None:
        return None
    return Moment(t.isoformat().replace("+00:00", "Z"), relative_time(t, now), t.strftime("%Y-%m-%d %H:%M UTC"))


def relative_time(then: datetime, now: datetime) -> str:
    """`just now`, `5 minutes ago`, `3 hours ago`, `2 days ago` (or `in …` for a future time)."""
    seconds = (now - then).total_seconds()
    ahead, seconds = seconds < 0, abs(seconds)
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            text = f"{n} {unit}{'' if n == 1 else 's'}"
            return f"in {text}" if ahead else f"{text} ago"
    return "just now"


def _long_date(iso: str) -> str:
    try:
        d = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d:%A} {d.day} {d:%B %Y}"


# Feed builder ----------------------------------------------------------------------------------


def builder_view(config: Config, base_url: str) -> dict:
    """The builder's values: a GET form on /feed whose empty fields mean the defaults."""
    url = base_url + "/feed"
    return {
        "feed_url": url,
        "readers": [(ident, name, prefix + quote(url, safe="")) for ident, name, prefix in READERS],
        "keywords": ", ".join(k.text for k in config.keywords),
        "exclude": ", ".join(config.exclude_keywords),
        "categories": [(c, c, "") for c in config.categories],
        "types": [(t, t, TYPE_TEXT[t]) for t in ANNOUNCE_TYPES],
        "min_score_hint": _min_score_hint(config.min_score),
    }


def _min_score_hint(default: float) -> str:
    if default > 0:
        return f"Empty: {default:g} with this deployment’s keywords, 0 with your own."
    return "Empty: 0, any keyword match counts."


# Charts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: `total` papers drawn pale, `picked` of them (those the default
    feed selects) drawn strong over it; geometry in the SVG's user units."""

    label: str
    spoken: str
    total: int
    picked: int
    x: float
    y: float
    length: float  # width for a horizontal bar, height for a vertical one
    picked_length: float


def charts_view(day: Day | None, config: Config, eligible: Sequence[Scored], selected: Sequence[Scored]) -> dict | None:
    """Both charts of the latest day, or None when it has no papers."""
    if day is None or not day.papers:
        return None
    return {
        "date": day.date,
        "categories": category_bars(day, config, selected),
        "scores": score_chart(day, config, eligible),
    }


CATEGORY_CHART = {"label_w": 76, "bar_w": 190, "row_h": 28, "width": 380}


def category_bars(day: Day, config: Config, selected: Sequence[Scored]) -> dict:
    """Horizontal bars: papers of the day listing each category, and how many of them the
    default feed shows."""
    chosen = {s.paper.id for s in selected}
    rows = []
    for cat in config.categories:
        listed = [s for s in day.papers if cat in s.paper.categories]
        rows.append((cat, len(listed), sum(1 for s in listed if s.paper.id in chosen)))
    top = max([total for _, total, _ in rows] + [1])
    g = CATEGORY_CHART
    bars = []
    for i, (cat, total, picked) in enumerate(rows):
        lengths = _w(total, top, g["bar_w"]), _w(picked, top, g["bar_w"])
        bars.append(Bar(cat, cat, total, picked, g["label_w"], 4 + i * g["row_h"], *lengths))
    return {**g, "bars": bars, "height": g["row_h"] * len(rows) + 8}


# The score histogram's frame: the minimum score's label sits in a band above the tallest
# bar's count (13 px text), so the two never meet.
SCORE_CHART = {"left": 8, "label_y": 13, "top": 34, "bottom": 152, "col_w": 34, "width": 356, "height": 176}


def score_chart(day: Day, config: Config, eligible: Sequence[Scored]) -> dict:
    """Vertical bars: how many of the day's papers (excluded ones left out) score in each
    band 0, 0–1, 1–2, … 8+, the part of each the default feed selects (its categories,
    types, keywords and minimum score) drawn strong, with a line at the minimum score."""
    picked_ids = {s.paper.id for s in eligible}
    totals, picked = [0] * (MAX_SCORE_BIN + 2), [0] * (MAX_SCORE_BIN + 2)
    for s in day.papers:
        if s.excluded_by:
            continue
        i = 0 if s.score <= 0 else min(MAX_SCORE_BIN + 1, 1 + math.floor(s.score))
        totals[i] += 1
        picked[i] += s.paper.id in picked_ids
    g = SCORE_CHART
    labels = ["0", "<1", *(str(n) for n in range(1, MAX_SCORE_BIN)), f"{MAX_SCORE_BIN}+"]
    spoken = ["0", "above 0, below 1", *(f"{n} to below {n + 1}" for n in range(1, MAX_SCORE_BIN))]
    spoken.append(f"{MAX_SCORE_BIN} or more")
    top, plot_h = max(totals + [1]), g["bottom"] - g["top"]
    bars = [
        Bar(label, said, n, k, g["left"] + i * g["col_w"], 0, _w(n, top, plot_h), _w(k, top, plot_h))
        for i, (label, said, n, k) in enumerate(zip(labels, spoken, totals, picked, strict=True))
    ]
    return {**g, "bars": bars, "threshold": _threshold(config.min_score, g)}


def _threshold(min_score: float, g: dict) -> dict | None:
    """The dashed line at the minimum score and its label, kept inside the chart."""
    if min_score <= 0:
        return None
    x = g["left"] + g["col_w"] * (1 + min(min_score, MAX_SCORE_BIN))
    near_right = x > g["width"] - 60
    return {
        "x": x,
        "text": f"min {min_score:g}",
        "text_x": x - 4 if near_right else x + 4,
        "anchor": "end" if near_right else "start",
    }


def _w(n: int, top: int, size: float) -> float:
    return round(size * n / top, 1) if top else 0.0


# Today's papers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperView:
    rank: int
    scored: Scored
    title: list[tuple[str, bool]]  # (text, is a keyword match)
    abstract: list[list[tuple[str, bool]]]  # paragraphs
    summary: dict | None  # note, and the sanitised html the template marks |safe


def papers_view(day: Day | None, selected: Sequence[Scored]) -> dict:
    """The latest day's papers as the default feed ranks them, each with its summary."""
    if day is None:
        return {"day": None}
    return {
        "day": day,
        "long_date": _long_date(day.date),
        "papers": [_paper(rank, s, day.summaries.get(s.paper.id)) for rank, s in enumerate(selected, 1)],
    }


def _paper(rank: int, scored: Scored, summary: object) -> PaperView:
    terms = scored.matched_keywords
    paragraphs = [one_line(p) for p in re.split(r"\n\s*\n", scored.paper.abstract)]
    return PaperView(
        rank,
        scored,
        marked_spans(one_line(scored.paper.title), terms),
        [marked_spans(p, terms) for p in paragraphs if p],
        _summary(summary),
    )


def _summary(record: object) -> dict | None:
    if not (isinstance(record, dict) and isinstance(record.get("text"), str) and record["text"].strip()):
        return None
    model = one_line(str(record.get("model", "")))
    note = ", ".join(x for x in (f"by {model}" if model else "", SOURCE_TEXT.get(str(record.get("source")), "")) if x)
    return {"note": note, "html": summary_body(record)}  # rendered at refresh (core.text.safe_html)


def marked_spans(text: str, keywords: Sequence[str]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is a match) at every occurrence of the keywords, matched as
    the scorer matches them: whole words, plurals, prefixes."""
    patterns = [p for p in (term_pattern(k) for k in keywords) if p]
    if not patterns:
        return [(text, False)] if text else []
    out, pos = [], 0
    for m in re.finditer("|".join(f"(?:{p})" for p in patterns), text, re.IGNORECASE):
        if m.end() == m.start():
            continue
        out += [(text[pos : m.start()], False), (m.group(), True)]
        pos = m.end()
    out.append((text[pos:], False))
    return [(piece, hit) for piece, hit in out if piece]


def highlight(text: str, keywords: Sequence[str]) -> str:
    """`text` escaped, its keyword matches wrapped in <mark> (as the template marks them)."""
    return "".join(f"<mark>{escape(p)}</mark>" if hit else escape(p) for p, hit in marked_spans(text, keywords))
