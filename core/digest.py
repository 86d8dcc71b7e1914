"""The daily Markdown digest, in the format the existing bot's users know (pure).

`render_digest` builds the document; `splice` puts it between the digest markers of
an existing README so a repository's own text around it survives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.config import Config
from core.layout import Day, Manifest
from core.models import Scored
from core.scoring import profile_matches

START = "<!-- arxiv-digest:start -->"
END = "<!-- arxiv-digest:end -->"
EXCERPT = 300


@dataclass(frozen=True)
class DigestInput:
    config: Config
    manifest: Manifest
    days: list[Day]


def latest_papers(config: Config, day: Day) -> tuple[list[Scored], int]:
    """The day's papers to show (top `max_papers`) and how many matched in all."""
    matched = profile_matches(config, day.papers)
    return matched[: config.max_papers], len(matched)


def render_digest(data: DigestInput) -> str:
    """The digest body: statistics, the latest announcement's papers, configuration."""
    day = next((d for d in data.days if d.papers), None)
    shown, total = latest_papers(data.config, day) if day else ([], 0)
    lines = [*_statistics(data, day, total, len(shown)), "## 📚 Recent Papers", ""]
    if not shown:
        lines += ["No paper matched the configured keywords in the latest announcement.", ""]
    for n, s in enumerate(shown, 1):
        summary = day.summaries.get(s.paper.id) if day else None
        lines += _paper(n, s, summary)
    lines += _configuration(data.config)
    return "\n".join(lines).rstrip() + "\n"


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


def _statistics(data: DigestInput, day: Day | None, total: int, shown: int) -> list[str]:
    m = data.manifest
    updated = m.published_at.replace("T", " ").replace("Z", " UTC") if m.published_at else "never"
    lines = ["## 📊 Statistics", "", f"- **Last Updated**: {updated}"]
    if day:
        lines.append(f"- **Announcement**: {day.date}")
    lines += [
        f"- **Status**: {_status_line(m, day)}",
        f"- **Total Papers Found**: {total}" + (f" (top {shown} shown)" if shown < total else ""),
        f"- **Categories Monitored**: {', '.join(data.config.categories)}",
        "",
    ]
    return lines


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


def _paper(n: int, s: Scored, summary: dict | None) -> list[str]:
    p = s.paper
    abstract = " ".join(p.abstract.split())
    excerpt = abstract if len(abstract) <= EXCERPT else abstract[:EXCERPT].rstrip() + "..."
    lines = [
        f"### {n}. [{_md_text(p.title)}]({p.abs_url})",
        "",
        f"**Authors**: {_md_text(', '.join(p.authors))}  ",
        f"**Category**: {p.primary_category}  ",
        f"**Published**: {p.announced}  ",
        f"**Score**: {s.score:g}  ",
        f"**Type**: {p.announce_type}  ",
        f"**ArXiv ID**: {p.versioned_id}  ",
    ]
    if s.matches:
        lines.append(f"**Matched**: {', '.join(_md_text(k) for k in s.matched_keywords)}  ")
    lines += ["", "#### Abstract", _md_text(excerpt), ""]
    if summary and summary.get("text"):
        model = _md_text(summary.get("model", ""))
        lines += [
            "<details>",
            f"<summary><strong>🤖 AI Summary (by {model})</strong> - Click to expand</summary>",
            "",
            _untrusted_markdown(summary["text"]),
            "",
            "</details>",
            "",
        ]
    lines += ["---", ""]
    return lines


def _configuration(config: Config) -> list[str]:
    words = ", ".join(_md_text(k.text) for k in config.keywords) or "(none: every paper)"
    lines = [
        "## 🔧 Configuration",
        "",
        "Papers are scored by these keywords (word boundaries, plurals included):",
        f"- {words}",
    ]
    if config.exclude_keywords:
        lines.append(f"- Excluded when the title says: {', '.join(_md_text(k) for k in config.exclude_keywords)}")
    lines += [f"- Minimum score: {config.min_score:g}; announce types: {', '.join(config.include_types)}", ""]
    return lines


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


_FENCE = re.compile(r"^(```|~~~)")


def _untrusted_markdown(text: str) -> str:
    """LLM Markdown kept as Markdown, but with its raw HTML neutralised outside code
    fences so it cannot close the collapsible block or inject markup."""
    out, fenced = [], False
    for line in text.strip().splitlines():
        if _FENCE.match(line.strip()):
            fenced = not fenced
        out.append(line if fenced else line.replace("<", "&lt;"))
    if fenced:
        out.append("```")
    return "\n".join(out)
