"""A profile's feed: its papers ranked by the profile, each ending with vote links. Pure.

    query = profile_query(profile, config, "atom")
    ranking = rank_profile(days, vectors, query, profile, config)
    body = render_profile_feed(manifest, days, query, config, base, ranking, links, now=now)

The ranking is core.rank.meaning.rank_by_target with the profile's target, over the pool its
filters leave, with the same explanations as `like=` feeds and, while it explores, "exploring:
unlike what you turned down". The target learns from the votes by core.profiles.learn; the
interest is the unit mean of the interest text's and the library's vectors. Papers the
profile has voted on are not shown again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from core.config import Config
from core.embed.interest import configured_language_note
from core.feeds.channel import Channel, channel_description, empty_profile_note, profile_channel_title
from core.feeds.items import items_for
from core.feeds.render import render
from core.models import Day, Manifest, Scored
from core.profiles.learn import category_affinity, centre_of, interest_spread, learn
from core.profiles.model import MAX_TITLE, Profile, Voted, encode_row, interest_of, rows
from core.rank.meaning import Ranking, find_vectors, held_categories, held_version, rank_by_target
from core.rank.query import FeedQuery, join_terms, parse_query
from core.rank.selection import summaries_of
from core.rank.similarity import Target
from core.text.safe_html import escape, one_line

VOTE_LINKS = '<p><a href="{up}">More like this</a> · <a href="{down}">Less like this</a></p>'


def profile_query(profile: Profile, config: Config, fmt: str, limit: int | None = None) -> FeedQuery:
    """The feed query a profile stands for: its filters and settings in `fmt`. Categories
    this deployment no longer serves are dropped. Raises BadQuery on a bad `fmt`."""
    s = profile.settings
    served = [c for c in s.categories if c in config.categories]
    params = [
        ("format", fmt),
        ("keywords", join_terms(s.keywords) or "*"),
        ("days", str(min(s.days, config.retention_days))),
        ("limit", str(limit or s.limit)),
    ]
    params += [("categories", ",".join(served))] if served else []
    params += [("authors", join_terms(s.authors))] if s.authors else []
    return replace(parse_query(params, config), rank=s.rank)


def profile_target(profile: Profile, vectors: dict, days: Sequence[Day]) -> tuple[Target | None, list[str]]:
    """(the profile's target over the papers of `vectors`, its liked papers' titles), or
    (None, []) when it has neither an interest nor a liked paper (core.profiles.learn).
    Votes cast before their categories were recorded take them from `days`."""
    dim = next((v.dim for v in vectors.values() if v.dim), 0)
    held = list(vectors.values())
    centre = centre_of(held)
    interest = interest_of(profile)
    if centre is None:
        return None, []
    spread = interest_spread(held, interest, centre) if interest is not None else 0.0
    affinity = category_affinity(
        *voted_categories(profile, days), profile.library_categories, profile.library_categorised
    )
    target = learn(interest, rows(profile.liked, dim), rows(profile.disliked, dim), centre, spread, affinity)
    return target, ([v.title for v in profile.liked] if target is not None else [])


def voted_categories(profile: Profile, days: Sequence[Day]) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """(the categories of each liked paper, of each disliked paper): as recorded with the
    vote, or else as `days` hold the paper (() when they do not)."""
    unknown = [v.id for v in (*profile.liked, *profile.disliked) if not v.categories]
    held = held_categories(days, unknown) if unknown else {}
    return [v.categories or held.get(v.id, ()) for v in profile.liked], [
        v.categories or held.get(v.id, ()) for v in profile.disliked
    ]


def rank_profile(days: Sequence[Day], vectors: dict, query: FeedQuery, profile: Profile, config: Config) -> Ranking:
    """The profile's papers, best first; notes say why a feed is empty."""
    dim = next((v.dim for v in vectors.values() if v.dim), 0)
    if not dim:
        return Ranking([], ("No paper of these days has a vector yet: the next refresh embeds them.",))
    target, titles = profile_target(profile, vectors, days)
    if target is None:
        return Ranking([], ("This profile has no interest and no liked paper yet: vote, or add an interest.",))
    skip = {v.id for v in (*profile.liked, *profile.disliked)}
    ranked = rank_by_target(days, vectors, query, target, titles, config, skip=skip)
    updated = new_versions(days, profile)
    if not updated:
        return ranked
    return replace(ranked, papers=[*updated, *ranked.papers][: query.limit])


def new_versions(days: Sequence[Day], profile: Profile) -> list[Scored]:
    """The liked papers arXiv announced again as a new version (a replacement) after the
    vote, as held in `days` (newest first): each once, its newest such version, marked
    "updated to vN" with its new comments line. Disliked papers never come back."""
    liked = {v.id: v for v in profile.liked}
    if not liked:
        return []
    out: dict[str, Scored] = {}
    for day in days:
        for s in day.papers:
            p, voted = s.paper, liked.get(s.paper.id)
            if voted is None or p.id in out or not p.announce_type.startswith("replace"):
                continue
            newer = p.version > voted.version if voted.version else (not voted.at or voted.at < p.announced)
            if newer:
                comment = one_line(p.comment)
                why = f"updated to v{p.version}" + (f"; comments: {comment}" if comment else "")
                out[p.id] = replace(s, why=why, similarity=None, nearest="")
    return list(out.values())


def find_paper(days: Sequence[Day], vectors: dict, paper_id: str) -> Voted | None:
    """The paper `paper_id` with its stored vector and version, from the newest day holding
    it; None if no held day has it with a vector."""
    found, titles, missing = find_vectors(days, vectors, [paper_id])
    if missing:
        return None
    version = held_version(days, paper_id)
    categories = held_categories(days, [paper_id]).get(paper_id, ())
    return Voted(
        paper_id, one_line(titles[0])[:MAX_TITLE], encode_row(found[0]), version=version, categories=categories
    )


def vote_links(up: str, down: str) -> str:
    return VOTE_LINKS.format(up=escape(up), down=escape(down))


def render_profile_feed(
    manifest: Manifest,
    days: Sequence[Day],
    query: FeedQuery,
    config: Config,
    self_url: str,
    site_url: str,
    ranking: Ranking,
    profile: Profile,
    links: Callable[[str], str] | None,
    *,
    notice: str = "",
    degraded: bool = False,
    now: datetime | None = None,
) -> bytes:
    """The profile feed in `query.format`; `links(paper_id)` gives each item's vote links
    HTML (None: voting is off, no links)."""
    items = items_for(ranking.papers, summaries_of(days), query.summary == "full")
    if links is not None:
        items = [replace(item, footer=links(item.scored.paper.id)) for item in items]
    description = channel_description(manifest, query, [d.date for d in days], degraded, now=now)
    voted = {v.id for v in (*profile.liked, *profile.disliked)}
    empty = empty_profile_note(days, query, voted, len(ranking.papers), bool(ranking.notes))
    language = configured_language_note(config.embeddings.provider, profile.interest)
    extra = " ".join(t for t in (*ranking.notes, empty, language, notice) if t)
    channel = Channel(
        title=profile_channel_title(profile.name, profile.interest),
        description=f"{description} {extra}" if extra else description,
        self_url=self_url,
        site_url=site_url,
        updated=manifest.published_at,
    )
    return render(channel, items, query.format)
