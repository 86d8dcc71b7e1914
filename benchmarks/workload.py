"""The benchmark's data: a deterministic synthetic store built from real arXiv texts.

    texts = source_texts()                          # real titles, abstracts, author lists
    days = build_days(config, texts, days=14, per_day=1500)
    manifest = write_store(store, config, days)     # segments, then the manifest
    body = rss_feed(papers, "2026-09-24", config.categories)   # arXiv's RSS 2.0, for the refresh

The texts come from the real responses in `../shared/fixtures/arxiv/` (or
`$ARXIV_FIXTURES`); when that folder is absent, from the repository's own
synthetic fixtures in `tests/fixtures/`. Papers recombine them: a real title, a
real author list, and a real abstract with one sentence swapped in from another,
so word statistics (and so scoring work) stay those of arXiv. Categories and
announce types follow a busy CS day: about half `new`, a fifth `cross`, the rest
replacements. The top 15 matching papers of each day carry a summary of the
length a real one has. Same seed, same data: `random.Random(seed)` drives every
choice, and nothing reads the clock.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from core.config import Config
from core.errors import UpstreamError
from core.models import Day, Manifest, Paper
from core.rank.scoring import compile_profile, rank, score_all, select
from core.text.safe_html import with_html
from tests.support.seed import publish_days

ROOT = Path(__file__).resolve().parent.parent
SHARED_FIXTURES = Path(os.environ.get("ARXIV_FIXTURES", ROOT.parent / "shared" / "fixtures" / "arxiv"))
LOCAL_FIXTURES = ROOT / "tests" / "fixtures"
SEED = 20260924
LAST_DAY = "2026-09-24"
SUMMARIES_PER_DAY = 15
OUTSIDE = ("stat.ML", "cs.CV", "math.OC", "eess.SP", "cs.RO", "cs.IR", "cs.NE")
# (announce type, share of a day); cross-lists have a primary outside the followed categories.
TYPE_MIX = (("new", 0.50), ("cross", 0.20), ("replace", 0.22), ("replace-cross", 0.08))
LICENSES = (
    "http://creativecommons.org/licenses/by/4.0/",
    "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
    "http://creativecommons.org/licenses/by-nc-sa/4.0/",
    "http://creativecommons.org/licenses/by-sa/4.0/",
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


@dataclass(frozen=True)
class Text:
    """One real paper's words: title, abstract (as sentences) and authors."""

    title: str
    sentences: tuple[str, ...]
    authors: tuple[str, ...]


def fixture_files() -> list[Path]:
    """The real fixtures when present, else the repository's synthetic ones (sorted: stable order)."""
    folder = SHARED_FIXTURES if SHARED_FIXTURES.is_dir() else LOCAL_FIXTURES
    return sorted(p for p in folder.iterdir() if p.suffix in (".xml", ".rdf"))


def source_texts(files: Sequence[Path] | None = None) -> list[Text]:
    """Every distinct paper the fixture files hold, as Text values, in file order.
    Raises RuntimeError when none of them yields a paper with an abstract."""
    from core.ingest.parse import parse_feed

    seen: set[str] = set()
    texts: list[Text] = []
    for path in files if files is not None else fixture_files():
        try:
            papers = parse_feed(path.read_bytes()).papers
        except UpstreamError:  # the recorded API error feed, the empty feeds
            continue
        for p in papers:
            sentences = tuple(s for s in _SENTENCE_END.split(p.abstract.replace("\n\n", " ")) if s)
            if p.id in seen or not sentences or not p.title.strip():
                continue
            seen.add(p.id)
            texts.append(Text(p.title, sentences, p.authors or ("Anonymous",)))
    if not texts:
        raise RuntimeError("no fixture with an abstract found for the benchmark workload")
    return texts


def announcement_dates(last: str, count: int) -> list[str]:
    """`count` weekday dates ending at `last`, oldest first."""
    out, day = [], date.fromisoformat(last)
    while len(out) < count:
        if day.weekday() < 5:
            out.append(day.isoformat())
        day -= timedelta(days=1)
    return out[::-1]


def make_papers(
    texts: Sequence[Text], config: Config, day: str, count: int, rng: random.Random, first: int = 0
) -> list[Paper]:
    """`count` papers announced on `day`, ids numbered from `first`."""
    pool = [s for t in texts[:50] for s in t.sentences]  # sentences to swap in
    types = [t for t, _ in TYPE_MIX]
    shares = [w for _, w in TYPE_MIX]
    papers = []
    for i in range(count):
        text = rng.choice(texts)
        kind = rng.choices(types, shares)[0]
        sentences = list(text.sentences)
        sentences[rng.randrange(len(sentences))] = rng.choice(pool)
        papers.append(
            Paper(
                id=f"{'2609' if kind in ('new', 'cross') else '2606'}.{first + i:05d}",
                version=1 if kind in ("new", "cross") else rng.randint(2, 4),
                title=text.title,
                abstract=" ".join(sentences),
                authors=text.authors,
                categories=_categories(config.categories, kind, rng),
                announce_type=kind,
                announced=day,
                license=rng.choice(LICENSES),
                comment=rng.choice(("", "", "12 pages, 4 figures", "Accepted at NeurIPS 2026")),
            )
        )
    return papers


def _categories(followed: Sequence[str], kind: str, rng: random.Random) -> tuple[str, ...]:
    extra = rng.sample(list(followed) + list(OUTSIDE), rng.choice((0, 0, 1, 2)))
    if kind.endswith("cross"):
        primary, listed = rng.choice(OUTSIDE), rng.choice(followed)
        return tuple(dict.fromkeys((primary, listed, *extra)))
    return tuple(dict.fromkeys((rng.choice(followed), *extra)))


def build_days(
    config: Config,
    texts: Sequence[Text],
    days: int = 14,
    per_day: int = 1500,
    seed: int = SEED,
    summaries: int = SUMMARIES_PER_DAY,
) -> list[Day]:
    """`days` announcement days of `per_day` papers scored under the config's profile,
    oldest first; the best `summaries` papers of each day carry a summary."""
    rng = random.Random(seed)
    profile = compile_profile(config.keywords, config.exclude_keywords)
    out = []
    for n, day in enumerate(announcement_dates(LAST_DAY, days)):
        scored = score_all(make_papers(texts, config, day, per_day, rng, first=n * per_day), profile)
        typed = [s for s in scored if s.paper.announce_type in config.include_types]
        best = rank(select(typed, min_score=config.min_score, profile=profile))[:summaries]
        out.append(Day(day, tuple(scored), {s.paper.id: summary_record(s.paper) for s in best}))
    return out


def summary_record(paper: Paper) -> dict:
    """A summary in the shape and length (about 1.5 KB) the LLM writes, from the paper's own sentences."""
    lines = _sentences(paper.abstract)
    sections = ("主要贡献和创新点", "核心实验方法和设置", "主要实验结果", "关键结论")
    body = "\n\n".join(
        f"## {n}. {head}\n\n- {lines[n % len(lines)]}\n- {lines[(n + 1) % len(lines)]}"
        for n, head in enumerate(sections, 1)
    )
    # With its HTML, as the refresh stores a summary (core.summaries.run).
    return with_html({"text": body, "model": "qwen-long", "language": "zh", "source": "fulltext"})


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s] or [text]


def write_store(store, config: Config, days: Sequence[Day]) -> Manifest:
    """Write the days' segments, then publish a manifest naming them (newest first)."""
    return publish_days(store, config, days, version=f"bench-{len(days)}x{len(days[0].papers) if days else 0}")


# arXiv's RSS 2.0 announcement feed -----------------------------------------------------------


def rss_feed(papers: Sequence[Paper], day: str, categories: Sequence[str]) -> bytes:
    """The combined announcement feed of `categories` for `day` in rss.arxiv.org's format
    (the header and item layout of the recorded 2026-09-24 feed)."""
    stamp = _rfc822(day)
    joined = "+".join(categories)
    head = (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'version="2.0">\n  <channel>\n'
        f"    <title>{', '.join(categories)} updates on arXiv.org</title>\n"
        f"    <link>http://rss.arxiv.org/rss/{joined}</link>\n"
        f"    <description>{', '.join(categories)} updates on the arXiv.org e-print archive.</description>\n"
        f'    <atom:link href="http://rss.arxiv.org/rss/{joined}" rel="self" type="application/rss+xml"/>\n'
        "    <docs>http://www.rssboard.org/rss-specification</docs>\n    <language>en-us</language>\n"
        f"    <lastBuildDate>{stamp.replace('00:00:00 -0400', '08:58:05 +0000')}</lastBuildDate>\n"
        "    <managingEditor>rss-help@arxiv.org</managingEditor>\n"
        f"    <pubDate>{stamp}</pubDate>\n"
        "    <skipDays>\n      <day>Sunday</day>\n      <day>Saturday</day>\n    </skipDays>\n"
    )
    items = "".join(_rss_item(p, stamp) for p in papers)
    return (head + items + "  </channel>\n</rss>\n").encode("utf-8")


def _rss_item(p: Paper, stamp: str) -> str:
    cats = "".join(f"      <category>{escape(c)}</category>\n" for c in p.categories)
    return (
        "    <item>\n"
        f"      <title>{escape(p.title)}</title>\n"
        f"      <link>https://arxiv.org/abs/{p.id}</link>\n"
        f"      <description>arXiv:{p.versioned_id} Announce Type: {p.announce_type} \n"
        f"Abstract: {escape(p.abstract)}</description>\n"
        f'      <guid isPermaLink="false">oai:arXiv.org:{p.versioned_id}</guid>\n'
        f"{cats}"
        f"      <pubDate>{stamp}</pubDate>\n"
        f"      <arxiv:announce_type>{p.announce_type}</arxiv:announce_type>\n"
        f"      <dc:rights>{escape(p.license)}</dc:rights>\n"
        f"      <dc:creator>{escape(', '.join(p.authors))}</dc:creator>\n"
        "    </item>\n"
    )


def _rfc822(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.strftime('%a, %d %b %Y')} 00:00:00 -0400"
