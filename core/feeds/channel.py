"""A feed's own text: its title, its description (an honest account of the last refresh)
and how old its data is. Pure.

Data whose newest announcement is more than OLD_DATA_DAYS days old is called old, with the
time of the last refresh (`old_data_note`), rather than explained as a rebuild arXiv has not
done yet. Sentences that depend only on the manifest are kept per manifest (`_TEXTS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from core.calendar import EASTERN, is_iso_date
from core.feeds.items import EPOCH, instant
from core.memo import ObjectMemo, kept
from core.models import Day, Manifest
from core.rank.query import FeedQuery, split_terms
from core.text.safe_html import one_line

GENERATOR = "arxiv-rss"

# Past this many days since the newest announcement held, the data is old: weekends and
# arXiv's holiday breaks (up to about five days around New Year) stay below it.
OLD_DATA_DAYS = 7


@dataclass(frozen=True)
class Channel:
    """The feed itself: absolute URLs; `updated` is an ISO 8601 UTC time or ""."""

    title: str
    description: str
    self_url: str
    site_url: str
    updated: str = ""
    language: str = "en"


TITLE_INTEREST = 40  # characters of an interest shown in a title
TITLE_LIKED = 2  # liked ids named in a title; more are counted ("and 3 more")


def channel_title(query: FeedQuery) -> str:
    """What the feed holds, e.g. "arXiv cs.AI", "arXiv cs.AI, cs.LG (all papers)",
    "arXiv cs.LG papers also in stat.ML", "arXiv: diffusion, GAN in cs.CV",
    "arXiv cs.LG, cs.AI: papers by Dunson", "arXiv cs.LG: about "sparse attention";
    papers like 2609.26811 and 2 more". Every filter and target the request set is named:
    its interest (shortened), liked and unliked papers, keywords, authors and excluded words."""
    asked = dict(query.url_params)
    if query.keyword:
        where = f" in {', '.join(query.categories)}" if "categories" in asked else ""
        head = f"arXiv: {', '.join(k.text for k in query.keywords)}{where}"
    elif query.category and query.category not in query.categories:
        # /feed/cs.LG?categories=stat.ML holds the cs.LG papers that are also in stat.ML.
        head = f"arXiv {query.category} papers also in {' or '.join(query.categories)}"
    else:
        head = f"arXiv {query.category or ', '.join(query.categories)}"
    parts = _title_parts(query, asked)
    if parts:
        return f"{head}{'; ' if query.keyword else ': '}{'; '.join(parts)}"
    return head + (" (all papers)" if not query.keywords else "")


def _title_parts(query: FeedQuery, asked: dict[str, str]) -> list[str]:
    """The phrases naming what narrows or ranks the feed, in a fixed order."""
    parts = []
    if query.interest:
        parts.append(f"about \u201c{shorten(query.interest, TITLE_INTEREST)}\u201d")
    if query.like:
        parts.append(f"papers like {_some(query.like)}")
    if query.unlike:
        parts.append(f"not like {_some(query.unlike)}")
    if "keywords" in asked and query.keywords and not query.keyword:  # a keyword path names them in its head
        parts.append(f"on {', '.join(k.text for k in query.keywords)}")
    if "authors" in asked:
        parts.append(f"papers by {' or '.join(_listed(asked['authors']))}")
    if "exclude" in asked and query.exclude:
        parts.append(f"without {', '.join(query.exclude)}")
    return parts


def _listed(value: str) -> list[str]:
    """The terms of a normalised comma list as given, without their quotes."""
    return [t.strip().strip('"') for t in split_terms(value) if t.strip()]


def _some(ids: Sequence[str]) -> str:
    """`a`, `a and b`, or `a and N more` past TITLE_LIKED ids."""
    if len(ids) <= TITLE_LIKED:
        return " and ".join(ids)
    return f"{', '.join(ids[: TITLE_LIKED - 1])} and {len(ids) - TITLE_LIKED + 1} more"


def shorten(text: str, limit: int) -> str:
    """`text` on one line, at most `limit` characters: cut at the last word boundary that
    fits, trailing punctuation dropped, and ended with "…" when anything was cut (a single
    word longer than `limit` is cut inside it)."""
    text = one_line(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-\u2013\u2014") + "\u2026"


def profile_channel_title(name: str, interest: str) -> str:
    """A profile feed's title: its own name when it has one, else "arXiv: my feed — "
    and its interest shortened, else "arXiv: my feed"."""
    name = one_line(name)
    if name:
        return name
    interest = one_line(interest)
    return f"arXiv: my feed \u2014 {shorten(interest, TITLE_INTEREST)}" if interest else "arXiv: my feed"


def channel_description(
    manifest: Manifest, query: FeedQuery, dates: Sequence[str], degraded: bool, *, now: datetime | None = None
) -> str:
    """What the feed holds and how fresh it is, honestly: the announcement dates served,
    whether that data is old (given `now`), each category's last refresh status, and
    whether the store is unreachable."""
    if not manifest.version:
        text = (
            "No data yet: this service has not completed a refresh from arXiv. The feed fills after "
            "the first refresh, which runs daily after arXiv rebuilds its feeds (midnight US Eastern)."
        )
    else:
        old = old_data_note(manifest, now) if now is not None else ""
        text = " ".join(t for t in [_dates_text(dates), old, *_status_lines(manifest, query, bool(old))] if t)
    if degraded:
        text += " The data store cannot be reached right now: this is the copy held in memory and may be out of date."
    return text


@dataclass(frozen=True)
class DataAge:
    """How old the published data is at some moment: the newest announcement held (ISO
    date, "" if none), its age in days (None if none), the last refresh (ISO time, "" if
    never) and whether that is past OLD_DATA_DAYS."""

    newest: str
    days: int | None
    last_refresh: str
    old: bool


def data_age(manifest: Manifest, now: datetime) -> DataAge:
    """The age of `manifest`'s newest announcement at `now` (dates counted in US Eastern,
    where arXiv dates its announcements)."""
    dates = [d.date for d in manifest.days] + [
        str(r.get("announced", "")) for r in manifest.categories.values() if isinstance(r, dict)
    ]
    newest = max((d for d in dates if is_iso_date(d)), default="")
    last = str(manifest.report.get("finished_at", "")) or manifest.published_at
    if not newest:
        return DataAge("", None, last, False)
    age = (now.astimezone(EASTERN).date() - date.fromisoformat(newest)).days
    return DataAge(newest, age, last, age > OLD_DATA_DAYS)


def old_data_note(manifest: Manifest, now: datetime) -> str:
    """One sentence when the data is old at `now` (newest announcement more than
    OLD_DATA_DAYS days back), naming its date and the last refresh; "" otherwise.
    E.g. "This data is old: the newest announcement held is of 2026-07-16, 69 days ago;
    the last refresh ran at 2026-09-23 05:15 UTC." Kept per manifest and day."""
    today = now.astimezone(EASTERN).date()
    return _TEXTS.get((manifest,), ("old", today), lambda: _old_data_note(manifest, now))


def _old_data_note(manifest: Manifest, now: datetime) -> str:
    age = data_age(manifest, now)
    if not age.old:
        return ""
    refreshed = (
        f"the last refresh ran at {when_text(age.last_refresh)}" if when_text(age.last_refresh) else "no refresh ran"
    )
    return f"This data is old: the newest announcement held is of {age.newest}, {age.days} days ago; {refreshed}."


_TEXTS = kept(
    "feeds.channel_texts", ObjectMemo(256)
)  # a manifest's channel sentences: its old-data note by day, status lines by categories


def _dates_text(dates: Sequence[str]) -> str:
    if not dates:
        return "No announcement days are stored."
    if len(dates) == 1:
        return f"Papers announced on {dates[0]}."
    return f"Papers announced from {min(dates)} to {max(dates)}."


def plural(n: int, one: str, many: str = "") -> str:
    """`1 paper`, `2 papers` (`many` for an irregular plural: plural(2, "summary", "summaries"))."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def category_detail(record: dict) -> str:
    """A status record's one-line detail: for an updated category made from its counts
    ("1 paper (0 new), 0 matched"), so records stored before the wording changed read the
    same; otherwise the stored detail."""
    counts = [record.get(k) for k in ("papers", "new", "matched")]
    if record.get("status") == "updated" and all(isinstance(c, int) and not isinstance(c, bool) for c in counts):
        papers, new, matched = counts
        return f"{plural(papers, 'paper')} ({new} new), {matched} matched"
    return one_line(str(record.get("detail", "")))


def papers_held(manifest: Manifest, record: dict | None) -> bool:
    """Whether any of a category's papers are held: its latest announcement is a stored day."""
    announced = str((record or {}).get("announced", "") or "")
    return bool(announced) and any(d.date == announced for d in manifest.days)


STALE_TEXT = (
    "no papers in this category in the announcement of {checked_in}, which lists other categories "
    "(arXiv's feed for it may be behind)"
)
HELD_TEXT = {True: "its earlier papers are still served", False: "no earlier papers of it are held"}


def _status_lines(manifest: Manifest, query: FeedQuery, old: bool = False) -> list[str]:
    """One sentence per group of categories that share a status (kept per manifest)."""
    cats = (query.category,) if query.category else query.categories
    return _TEXTS.get((manifest,), ("status", cats, old), lambda: _group_status(manifest, cats, old))


def _group_status(manifest: Manifest, cats: Sequence[str], old: bool) -> list[str]:
    groups: dict[str, list[str]] = {}
    for cat in cats:
        record = manifest.categories.get(cat)
        groups.setdefault(status_text(record, old, papers_held(manifest, record)), []).append(cat)
    return [f"{', '.join(names)}: {text}." for text, names in groups.items()]


def status_text(record: dict | None, old: bool = False, held: bool = True) -> str:
    """One category's last refresh; with `old` data, "no newer announcement found" rather
    than the reasons that explain a day or two (weekend, arXiv not rebuilt yet). `held`
    (see `papers_held`) says whether its earlier papers are still there to serve."""
    if not record:
        return "not refreshed yet"
    status, announced = record.get("status", ""), record.get("announced", "")
    checked = when_text(record.get("checked_at", ""))
    latest = f"; latest announcement {announced}" if announced else ""
    if old and status in ("no-announcement", "unchanged"):
        return f"no newer announcement found, checked {checked}{latest}"
    if status == "updated":
        return f"updated with the announcement of {announced} at {when_text(record.get('updated_at', ''))}"
    if status == "no-announcement":
        return f"{one_line(str(record.get('detail', 'no announcement')))}, checked {checked}{latest}"
    if status == "unchanged":
        return f"arXiv has not published a newer announcement yet, checked {checked}{latest}"
    if status == "upstream-error":
        since = when_text(record.get("since", "")) or checked
        detail = one_line(str(record.get("detail", "")))
        held_data = "earlier data is still served" if held else "no earlier data is held"
        return f"arXiv could not be read since {since} ({detail}); {held_data}{latest}"
    if status == "stale":
        checked_in = one_line(str(record.get("checked_announcement", ""))) or "the latest announcement"
        return f"{STALE_TEXT.format(checked_in=checked_in)}, checked {checked}; {HELD_TEXT[held]}{latest}"
    return f"{one_line(status)}, checked {checked}"


def when_text(iso: str) -> str:
    """`2026-09-24T05:15:00Z` as `2026-09-24 05:15 UTC` ("" when empty)."""
    t = instant(iso)
    return "" if t == EPOCH else t.strftime("%Y-%m-%d %H:%M UTC")


def empty_profile_note(days: Sequence[Day], query: FeedQuery, voted: set[str], shown: int, explained: bool) -> str:
    """Why a profile feed holding `shown` papers is empty, for its description ("" when it is
    not): every paper of `days` in its categories voted on (voted papers are not shown
    again), some voted and the rest left out by its filters, none in its categories, or none
    matching; each with what to widen. With `explained` (the ranking said why already, e.g.
    no vectors yet) only the every-paper-voted case is added."""
    if shown:
        return ""
    cats = set(query.categories)
    ids = {s.paper.id for d in days for s in d.papers if not cats or cats.intersection(s.paper.categories)}
    seen = len(ids & voted)
    widen = "widen the feed's days or categories (on its edit page) to see more."
    if seen and seen == len(ids):
        return (
            f"Every paper of these days in this feed's categories has been voted on ({seen}), "
            f"and voted papers are not shown again: {widen}"
        )
    if explained:
        return ""
    if seen:
        return (
            f"No paper is left to show: {seen} of these days' papers were voted on and are not shown "
            f"again, and the filters leave out the rest: {widen}"
        )
    if not ids:
        return f"No paper of these days is in this feed's categories: {widen}"
    return f"No paper of these days matches this feed's filters: {widen}"
