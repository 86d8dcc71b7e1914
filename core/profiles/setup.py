"""Making a profile from what a researcher gives: an interest, liked ids, a library file.

    draft, notes = draft_profile(store, config, env, interest=..., like=[...], library=(bytes, name, fmt))
    created = create_profile(store, draft, now)

Liked ids and library entries with an arXiv id use the vectors the store holds (the
newest day holding each); everything else is embedded with the deployment's embedder.
`notes` name what was left out (ids not held).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from core.config import Config, Env
from core.errors import BadQuery, ProfileInvalid
from core.profiles.model import (
    MAX_DISLIKED,
    MAX_LIKED,
    Profile,
    Settings,
    check_interest,
    check_name,
    check_settings,
    encode_row,
)
from core.rank.query import ARXIV_ID


def parse_ids(text: str) -> list[str]:
    """Versionless arXiv ids from a comma or space list of ids or abs URLs. Raises ProfileInvalid."""
    out: list[str] = []
    for term in text.replace(",", " ").split():
        match = ARXIV_ID.fullmatch(term.removeprefix("https://arxiv.org/abs/").removeprefix("http://arxiv.org/abs/"))
        if match is None:
            raise ProfileInvalid("like", f"{term[:40]!r} is not an arXiv id such as 2609.26811")
        if match.group(1) not in out:
            out.append(match.group(1))
    if len(out) > MAX_LIKED:
        raise ProfileInvalid("like", f"{len(out)} ids; at most {MAX_LIKED}")
    return out


def draft_profile(
    store,
    config: Config,
    env: Env,
    *,
    interest: str = "",
    like: Sequence[str] = (),
    unlike: Sequence[str] = (),
    library: tuple[bytes, str, str] | None = None,
    settings: Settings | None = None,
    today: str = "",
    embed_library: bool = True,
) -> tuple[Profile, list[str]]:
    """A profile (without tokens yet) and notes. The interest is embedded as `interest=`
    texts are (core.embed.interest: a remote embedder's daily budget applies); library entries
    the store does not hold are embedded unless `embed_library` is False. Raises
    ProfileInvalid, LibraryImportError, EmbeddingError, ConfigError, StoreError."""
    from core.embed.embedder import embedder_name, shared_embedder

    interest = check_interest(interest)
    settings = check_settings(settings or Settings(), config.retention_days)
    if len(like) > MAX_LIKED or len(unlike) > MAX_DISLIKED:
        raise ProfileInvalid("like", f"at most {MAX_LIKED} liked and {MAX_DISLIKED} disliked papers")
    days, vectors = _held(store, embedder_name(config))
    notes: list[str] = []
    liked = _voted(days, vectors, like, "like", notes)
    disliked = _voted(days, vectors, [i for i in unlike if i not in like], "unlike", notes)

    def embed(texts: list[str]):
        return shared_embedder(config, env).embed(texts)

    interest_vector = _interest_row(config, env, store, interest, today) if interest else ""
    library_vector, entries, shelf = _library(library, days, vectors, embed if embed_library else None, notes)
    if not (interest or liked or library_vector):
        raise ProfileInvalid("interest", "a profile needs an interest, a liked paper held here, or a library")
    name = embedder_name(config)
    profile = Profile(
        "",
        "",
        name,
        interest,
        interest_vector,
        library_vector,
        entries,
        liked=liked,
        disliked=disliked,
        settings=settings,
        library_categories=shelf.categories,
        library_categorised=shelf.entries,
    )
    return profile, notes


def _held(store, embedder: str):
    """(every day held, their vectors under `embedder`)."""
    from core.store.reader import Reader

    reader = Reader(store)
    manifest = reader.manifest()
    days = reader.days(manifest, len(manifest.days)) if manifest.days else []
    return days, (reader.vectors(manifest, len(manifest.days), embedder) if days else {})


def _voted(days, vectors, ids: Sequence[str], label: str, notes: list[str]) -> tuple:
    from core.profiles.model import MAX_TITLE, Voted
    from core.rank.meaning import find_vectors, held_categories, held_version

    found, titles, missing = find_vectors(days, vectors, list(ids))
    if missing:
        notes.append(f"{label}: {', '.join(missing)} not among the papers held, left out.")
    held = [i for i in ids if i not in missing]
    categories = held_categories(days, held)
    return tuple(
        Voted(i, t[:MAX_TITLE], encode_row(r), version=held_version(days, i), categories=categories.get(i, ()))
        for i, t, r in zip(held, titles, found, strict=True)
    )


def _library(library, days, vectors, embed, notes) -> tuple[str, int, Shelf]:
    """(the library's vector, entries used, its categories)."""
    if library is None:
        return "", 0, Shelf()
    from core.profiles.library import library_vector, parse_library
    from core.rank.meaning import find_vectors, held_categories

    data, file_name, fmt = library
    entries = parse_library(data, file_name, fmt)

    def held(arxiv_id: str):
        found, _, missing = find_vectors(days, vectors, [arxiv_id])
        return None if missing else found[0]

    vector, used = library_vector(entries, held, embed)
    if used < len(entries):
        skipped = len(entries) - used
        notes.append(f"import: {skipped} of {len(entries)} entries had no title and no paper held, skipped.")
    held_in = held_categories(days, [e.arxiv_id for e in entries if e.arxiv_id])
    return (encode_row(vector) if vector is not None else ""), used, shelf_of(entries, held_in)


@dataclass(frozen=True)
class Shelf:
    """The categories of a library: (category, entries of it), over `entries` entries."""

    categories: tuple[tuple[str, int], ...] = ()
    entries: int = 0


MAX_SHELF = 64  # categories a library keeps, the most common first (arXiv has about 150)


def shelf_of(entries: Sequence, held: dict[str, tuple[str, ...]]) -> Shelf:
    """The categories of `entries` (core.profiles.library.Entry): a held paper's as the store
    holds them, else those the entry names (BibTeX `primaryClass`); the MAX_SHELF most common."""
    known = [held.get(e.arxiv_id) or e.categories for e in entries]
    known = [tuple(dict.fromkeys(c)) for c in known if c]
    counts = Counter(c for cs in known for c in cs).most_common(MAX_SHELF)
    return Shelf(tuple(sorted(counts)), len(known))


def settings_from(
    keywords: str = "", categories: str = "", authors: str = "", rank: str = "hybrid", days: int = 3, limit: int = 30
) -> Settings:
    """Settings from comma lists (as the CLI and the page give them)."""

    def terms(text: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))

    try:
        return Settings(terms(keywords), terms(categories), terms(authors), rank, int(days), int(limit))
    except ValueError:
        raise BadQuery("days", "days and limit must be whole numbers") from None


def update_profile(
    store,
    config: Config,
    env: Env,
    feed_id: str,
    *,
    interest: str | None = None,
    settings: Settings | None = None,
    forget: str = "",
    votes: tuple[Sequence[str], Sequence[str]] | None = None,
    now: str = "",
    name: str | None = None,
) -> tuple[Profile, list[str]]:
    """Change a profile under its lock (one `set`): a new interest (re-embedded), a new
    feed name, new settings, one paper's vote forgotten, or the liked and disliked lists replaced by
    `votes` (ids kept keep their stored vectors; new ones must be held here); the version
    is bumped when anything changed. Returns (the profile, notes on ids left out).
    Raises ProfileNotFound, ProfileInvalid, ProfileBusy, EmbeddingError, StoreError."""
    from dataclasses import replace

    from core.profiles.model import digest, load_profile, save_profile
    from core.profiles.votes import profile_lock

    interest = check_interest(interest) if interest is not None else None
    settings = check_settings(settings, config.retention_days) if settings is not None else None
    name = check_name(name) if name is not None else None
    notes: list[str] = []
    with profile_lock(store, digest(feed_id)):
        profile = load_profile(store, feed_id)
        changed = profile
        if votes is not None:
            changed = _revote(store, config, changed, votes, notes)
        if interest is not None and interest != profile.interest:
            row = _interest_row(config, env, store, interest, now[:10])
            changed = replace(changed, interest=interest, interest_vector=row)
        if name is not None and name != profile.name:
            changed = replace(changed, name=name)
        if settings is not None and settings != profile.settings:
            changed = replace(changed, settings=settings)
        if forget:
            liked = tuple(v for v in changed.liked if v.id != forget)
            changed = replace(changed, liked=liked, disliked=tuple(v for v in changed.disliked if v.id != forget))
        if changed == profile:
            return profile, notes
        if not (changed.interest_vector or changed.library_vector or changed.liked):
            raise ProfileInvalid("interest", "a profile needs an interest, a liked paper or a library")
        changed = replace(changed, version=profile.version + 1, updated=now or profile.updated)
        save_profile(store, changed)
        return changed, notes


def _revote(store, config: Config, profile: Profile, votes, notes: list[str]) -> Profile:
    """`profile` with exactly the liked and disliked ids of `votes`."""
    from dataclasses import replace

    from core.embed.embedder import embedder_name

    like, unlike = list(votes[0])[:MAX_LIKED], [i for i in votes[1] if i not in votes[0]][:MAX_DISLIKED]
    have = {v.id: v for v in (*profile.liked, *profile.disliked)}
    new = [i for i in (*like, *unlike) if i not in have]
    if new:
        days, vectors = _held(store, embedder_name(config))
        have |= {v.id: v for v in _voted(days, vectors, new, "like", notes)}
    liked = tuple(have[i] for i in like if i in have)
    return replace(profile, liked=liked, disliked=tuple(have[i] for i in unlike if i in have))


def _interest_row(config: Config, env: Env, store, interest: str, today: str) -> str:
    """The interest's encoded vector, embedded as `interest=` texts are (core.embed.interest: a
    remote embedder's daily budget applies). Raises EmbeddingError past it."""
    from core.embed.embedder import shared_embedder
    from core.embed.interest import interest_vector
    from core.errors import EmbeddingError

    if not interest:
        return ""
    budget = config.embeddings.daily_interest_budget
    today = today or datetime.now(UTC).date().isoformat()
    vector, note = interest_vector(store, shared_embedder(config, env), interest, budget, today)
    if vector is None:
        raise EmbeddingError(note)
    return encode_row(vector)
