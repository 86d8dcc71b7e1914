"""Making a profile from what a researcher gives: an interest, liked ids, a library file.

    draft, notes = draft_profile(store, config, env, interest=..., like=[...], library=(bytes, name, fmt))
    created = create_profile(store, draft, now)

Liked ids and library entries with an arXiv id use the vectors the store holds (the
newest day holding each); everything else is embedded with the deployment's embedder.
`notes` name what was left out (ids not held).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.config import Config, Env
from core.errors import BadQuery, ProfileInvalid
from core.profiles import (
    MAX_LIKED,
    Profile,
    Settings,
    check_interest,
    check_settings,
    encode_row,
)
from core.query import ARXIV_ID


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
    library: tuple[bytes, str, str] | None = None,
    settings: Settings | None = None,
) -> tuple[Profile, list[str]]:
    """A profile (without tokens yet) and notes. Raises ProfileInvalid, LibraryImportError,
    EmbeddingError, ConfigError, StoreError."""
    from core.embed import embedder_name, shared_embedder
    from core.meaning import find_vectors
    from core.profiles import Voted
    from core.reader import Reader

    interest = check_interest(interest)
    settings = check_settings(settings or Settings(), config.retention_days)
    reader = Reader(store)
    manifest = reader.manifest()
    days = reader.days(manifest, len(manifest.days)) if manifest.days else []
    name = embedder_name(config)
    vectors = reader.vectors(manifest, len(manifest.days), name) if days else {}
    notes: list[str] = []
    found, titles, missing = find_vectors(days, vectors, list(like))
    if missing:
        notes.append(f"like: {', '.join(missing)} not among the papers held, left out.")
    held_ids = [i for i in like if i not in missing]
    liked = tuple(Voted(i, t[:200], encode_row(r)) for i, t, r in zip(held_ids, titles, found, strict=True))
    embedder = None

    def embed(texts: list[str]):
        nonlocal embedder
        embedder = embedder or shared_embedder(config, env)
        return embedder.embed(texts)

    interest_vector = encode_row(embed([interest])[0]) if interest else ""
    library_vector, entries = _library(library, days, vectors, embed, notes)
    if not (interest or liked or library_vector):
        raise ProfileInvalid("interest", "a profile needs an interest, a liked paper held here, or a library")
    draft = Profile("", "", name, interest, interest_vector, library_vector, entries, liked, (), settings)
    return draft, notes


def _library(library, days, vectors, embed, notes) -> tuple[str, int]:
    if library is None:
        return "", 0
    from core.library_import import library_vector, parse_library
    from core.meaning import find_vectors

    data, file_name, fmt = library
    entries = parse_library(data, file_name, fmt)

    def held(arxiv_id: str):
        found, _, missing = find_vectors(days, vectors, [arxiv_id])
        return None if missing else found[0]

    vector, used = library_vector(entries, held, embed)
    if used < len(entries):
        skipped = len(entries) - used
        notes.append(f"import: {skipped} of {len(entries)} entries had no title and no paper held, skipped.")
    return (encode_row(vector) if vector is not None else ""), used


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
    now: str = "",
) -> Profile:
    """Change a profile under its lock (one `set`): a new interest (re-embedded), new
    settings, or one paper's vote forgotten; the version is bumped when anything changed.
    Raises ProfileNotFound, ProfileInvalid, ProfileBusy, EmbeddingError, StoreError."""
    from dataclasses import replace

    from core.profiles import digest, load_profile, save_profile
    from core.votes import profile_lock

    interest = check_interest(interest) if interest is not None else None
    settings = check_settings(settings, config.retention_days) if settings is not None else None
    with profile_lock(store, digest(feed_id)):
        profile = load_profile(store, feed_id)
        changed = profile
        if interest is not None and interest != profile.interest:
            row = _interest_row(config, env, store, interest, now[:10])
            changed = replace(changed, interest=interest, interest_vector=row)
        if settings is not None and settings != profile.settings:
            changed = replace(changed, settings=settings)
        if forget:
            liked = tuple(v for v in changed.liked if v.id != forget)
            changed = replace(changed, liked=liked, disliked=tuple(v for v in changed.disliked if v.id != forget))
        if changed == profile:
            return profile
        if not (changed.interest_vector or changed.library_vector or changed.liked):
            raise ProfileInvalid("interest", "a profile needs an interest, a liked paper or a library")
        changed = replace(changed, version=profile.version + 1, updated=now or profile.updated)
        save_profile(store, changed)
        return changed


def _interest_row(config: Config, env: Env, store, interest: str, today: str) -> str:
    """The interest's encoded vector, embedded as `interest=` texts are (core.interest: a
    remote embedder's daily budget applies). Raises EmbeddingError past it."""
    from core.embed import shared_embedder
    from core.errors import EmbeddingError
    from core.interest import interest_vector

    if not interest:
        return ""
    budget = config.embeddings.daily_interest_budget
    vector, note = interest_vector(store, shared_embedder(config, env), interest, budget, today)
    if vector is None:
        raise EmbeddingError(note)
    return encode_row(vector)
