"""The daily Markdown digest, in the format the existing bot's users know.

`render_digest` builds the digest from a Jinja2 template (core/text/templates/digest.md, or
the deployment's `digest_template`); `splice` puts it between the digest markers of an
existing README so a repository's own text around it survives. Apart from reading the
template, pure.

The papers are the default feed's (`core.rank.selection.select_papers` with the default
query: the same categories, types, keywords and minimum score as `/feed`). Old data is
said to be old as the feeds say it (core.feeds.channel.old_data_note), given the time the
digest is made. Each paper carries its announcement date and the month of its first
version (read from its arXiv id, which arXiv assigns in the month of first submission),
each labelled as what it is. Upstream
text reaches the template as literal Markdown; AI summaries as the Markdown of what the
feeds' sanitiser keeps (`core.text.safe_markdown`): no images, no script or relative links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from core.config import Config
from core.errors import ConfigError
from core.feeds.channel import old_data_note, shorten
from core.models import Day, Manifest, Scored
from core.rank.query import parse_query
from core.rank.selection import select_papers
from core.text.safe_markdown import safe_markdown
from core.text.templating import DIGEST_TEMPLATE, render_markdown

START = "<!-- arxiv-digest:start -->"
END = "<!-- arxiv-digest:end -->"
EXCERPT = 300
# arXiv ids name the year and month of the first version: 2209.01234 (new style), hep-ex/0406020 (old style).
_NEW_ID = re.compile(r"([0-9]{2})([0-9]{2})\.[0-9]{4,5}")
_OLD_ID = re.compile(r"[a-z-]+(?:\.[A-Za-z]{2})?/([0-9]{2})([0-9]{2})[0-9]{3}")


@dataclass(frozen=True)
class DigestInput:
    """What a digest is made from; `now` (when it is made) lets it say the data is old."""

    config: Config
    manifest: Manifest
    days: list[Day]
    now: datetime | None = None


def latest_papers(config: Config, day: Day) -> tuple[list[Scored], int]:
    """The day's papers to show (the default feed's best `max_papers`) and how many the
    default feed selects in all."""
    query = replace(parse_query({}, config), limit=max(1, len(day.papers)))
    selected = select_papers([day], query, config)
    return selected[: config.max_papers], len(selected)


def render_digest(data: DigestInput) -> str:
    """The digest body (statistics, the latest announcement's papers, configuration) from
    the deployment's `digest_template`, or the shipped one. Raises ConfigError naming
    `digest_template` when that file cannot be read or rendered."""
    source, origin = template_source(data.config)
    return render_markdown(source, origin, **digest_values(data)).rstrip() + "\n"


def template_source(config: Config) -> tuple[str, str]:
    """(text, name for errors) of the digest template this deployment uses."""
    path = Path(config.digest_template) if config.digest_template else DIGEST_TEMPLATE
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("digest_template", f"{path} cannot be read ({exc.__class__.__name__})") from None


def digest_values(data: DigestInput) -> dict:
    """What a digest template is given, every text already literal (or sanitised) Markdown."""
    day = next((d for d in data.days if d.papers), None)
    shown, total = latest_papers(data.config, day) if day else ([], 0)
    m = data.manifest
    return {
        "old": old_data_note(m, data.now) if data.now is not None and m.version else "",
        "updated": m.published_at.replace("T", " ").replace("Z", " UTC") if m.published_at else "never",
        "announcement": day.date if day else "",
        "status": _status_line(m, day),
        "total": total,
        "categories": [_md_text(c) for c in data.config.categories],
        "papers": [_paper(n, s, day.summaries.get(s.paper.id)) for n, s in enumerate(shown, 1)],
        "config": _configuration(data.config),
    }


def render_document(data: DigestInput) -> str:
    """A whole README for a repository that holds only the digest."""
    return "\n".join(
        [
            "# arXiv Papers Bot 🤖",
            "",
            "This repository automatically fetches and displays relevant papers from arXiv "
            "based on configured criteria.",
            "",
            START,
            render_digest(data),
            END,
            "",
            *_how_to(),
            "---",
            "*Generated automatically by arxiv-rss*",
            "",
        ]
    )


def splice(existing: str | None, data: DigestInput) -> str:
    """Replace the digest between the markers of `existing`, or build a whole document."""
    if existing and START in existing and END in existing:
        head, rest = existing.split(START, 1)
        _, tail = rest.split(END, 1)
        return f"{head}{START}\n{render_digest(data)}{END}{tail}"
    return render_document(data)


def _status_line(m: Manifest, day: Day | None) -> str:
    latest = day.date if day else ""
    text = {
        "updated": "updated",
        "no-announcement": "no announcement in arXiv's latest feed (weekend or holiday)",
        "unchanged": "arXiv has not rebuilt its feed since the last run",
        "stale": "arXiv's latest feed lists no papers of these categories (its feed may be behind)",
        "upstream-error": "arXiv could not be read at the last run",
        "never-refreshed": "not refreshed yet",
    }.get(m.status, m.status)
    if m.status != "updated" and latest:
        text += f"; showing the announcement of {latest}"
    return text


def _paper(rank: int, s: Scored, summary: object) -> dict:
    p = s.paper
    excerpt = shorten(p.abstract, EXCERPT)
    usable = isinstance(summary, dict) and isinstance(summary.get("text"), str) and summary["text"].strip()
    return {
        "rank": rank,
        "title": _md_text(p.title),
        "url": _md_url(p.abs_url),
        "authors": _md_text(", ".join(p.authors)),
        "category": _md_text(p.primary_category),
        "announced": _md_text(p.announced),
        "published": _md_text(p.announced),  # the announcement date, under its earlier name
        "first_version": first_version_month(p.id),
        "version": p.version,
        "score": f"{s.score:.1f}",
        "type": _md_text(p.announce_type),
        "arxiv_id": _md_text(p.versioned_id),
        "matched": [_md_text(k) for k in s.matched_keywords] if s.matches else [],
        "abstract": _md_text(excerpt),
        "summary": {"model": _md_text(str(summary.get("model", ""))), "text": safe_markdown(summary["text"])}
        if usable
        else None,
    }


def first_version_month(arxiv_id: str) -> str:
    """The year and month of a paper's first version, `2022-09`, read from its id (arXiv
    numbers papers by the month of first submission); "" for an id of neither form."""
    match = _NEW_ID.fullmatch(arxiv_id) or _OLD_ID.fullmatch(arxiv_id)
    if match is None:
        return ""
    yy, mm = int(match.group(1)), int(match.group(2))
    if not 1 <= mm <= 12:
        return ""
    year = 2000 + yy if _NEW_ID.fullmatch(arxiv_id) or yy < 91 else 1900 + yy  # old style began in 1991
    return f"{year}-{mm:02d}"


def _configuration(config: Config) -> dict:
    return {
        "keywords": [_md_text(k.text) for k in config.keywords],
        "exclude_keywords": [_md_text(k) for k in config.exclude_keywords],
        "min_score": f"{config.min_score:g}",
        "include_types": [_md_text(t) for t in config.include_types],
    }


def _how_to() -> list[str]:
    return [
        "## 📅 Schedule",
        "",
        "A GitHub Action runs Monday to Friday after arXiv rebuilds its feeds (midnight US Eastern).",
        "",
        "## 🚀 How to Use",
        "",
        "1. **Fork this repository** to your GitHub account",
        "2. **Customize the configuration** by editing `config.json` (categories, keywords, `max_papers`)",
        "3. **Enable GitHub Actions** in your repository settings",
        "4. **The digest updates automatically** every announcement day",
        "",
        "## 🔍 Manual Trigger",
        "",
        'Open the Actions tab, select "Daily digest" and click "Run workflow".',
        "",
    ]


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md_text(text: str) -> str:
    """Upstream text as literal Markdown: no markup, links or HTML of its own."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_url(url: str) -> str:
    """A link target that cannot end the link early: spaces, brackets and parentheses
    percent-encoded (arXiv's own URLs have none)."""
    return re.sub(r"[\s()<>\[\]\\]", lambda m: f"%{ord(m.group()):02X}", url)
