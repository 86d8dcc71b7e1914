"""Saved profiles: a personal feed that learns, without an account.

    created = create_profile(store, draft, now)      # -> Created(profile, feed_id, edit_token)
    profile = load_profile(store, feed_id)           # raises ProfileNotFound
    save_profile(store, profile)                     # one `set`: a profile is never half-written

A profile holds an interest text (and its vector), the vector of an imported library,
liked and disliked papers (id, title and vector each, so a paper that leaves retention
still counts), optional keyword/category/author filters and ranking settings, a version
that every change bumps (part of the feed's ETag) and today's vote count.

Two tokens, each `secrets.token_urlsafe(TOKEN_BYTES)` (144 bits): the **feed id**, in
the feed URL `/feed/p/<id>` and its vote links, and the separate **edit token**. The
store never holds either in a key: a profile lives under `profile:<sha256(feed id)>`,
the edit token under `profile-edit:<sha256(edit token)>` (whose value names the feed
id). Knowing one token, a prefix of one, or another profile's id gives nothing else.
A token that is not TOKEN_LENGTH URL-safe characters is refused before any store command.

Bounds (documented in the README): interest MAX_INTEREST characters, at most MAX_LIKED
liked and MAX_DISLIKED disliked papers (the oldest vote drops out first), titles
MAX_TITLE characters, MAX_PROFILE_BYTES stored, MAX_VOTES_PER_DAY votes a day.

The learning rule (chosen with `make eval`, see benchmarks/eval.py and the README) is
in core.profiles.learn.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime

from core.errors import ProfileInvalid, ProfileNotFound, StoreError
from core.store.layout import decode, encode, profile_edit_key, profile_key

TOKEN_BYTES = 18
TOKEN_LENGTH = 24  # len(secrets.token_urlsafe(18))
TOKEN_RE = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")
MAX_INTEREST = 500
MAX_LIKED = 100
MAX_DISLIKED = 100
MAX_TITLE = 200
MAX_NAME = 100  # a profile feed's own name, its title in readers
MAX_FILTER_TERMS = 20
MAX_PROFILE_BYTES = 192 * 1024
MAX_VOTES_PER_DAY = 100
RANKS = ("hybrid", "meaning")
SCHEMA = 1


@dataclass(frozen=True)
class Voted:
    """A liked or disliked paper: versionless id, title (for "closest liked paper") and
    its vector as stored (int8 + scale, core.store.vectors), so it counts after retention."""

    id: str
    title: str
    vector: str  # base64 of the int8 row followed by its float16 scale
    at: str = ""  # when the vote was cast (ISO date)
    version: int = 0  # the version voted on (0: not recorded)
    categories: tuple[str, ...] = ()  # the paper's arXiv categories, primary first (): not recorded


@dataclass(frozen=True)
class Settings:
    keywords: tuple[str, ...] = ()  # hybrid ranking's keyword boost; () = none
    categories: tuple[str, ...] = ()  # () = every served category
    authors: tuple[str, ...] = ()
    rank: str = "hybrid"
    days: int = 3
    limit: int = 30


@dataclass(frozen=True)
class Profile:
    feed_digest: str
    edit_digest: str
    embedder: str
    interest: str = ""
    interest_vector: str = ""  # encoded like Voted.vector; "" without an interest
    library_vector: str = ""  # the imported library's recency-weighted mean; "" without one
    library_entries: int = 0
    library_categories: tuple[tuple[str, int], ...] = ()  # (category, entries of it) over the library
    library_categorised: int = 0  # library entries whose categories are known
    liked: tuple[Voted, ...] = ()
    disliked: tuple[Voted, ...] = ()
    settings: Settings = field(default_factory=Settings)
    version: int = 1
    created: str = ""
    updated: str = ""
    vote_day: str = ""
    votes_today: int = 0
    name: str = ""  # the feed's title; "" = made from its interest (core.feeds.channel.profile_channel_title)

    def vote_of(self, paper_id: str) -> str:
        """ "up", "down" or "" for this paper."""
        if any(v.id == paper_id for v in self.liked):
            return "up"
        return "down" if any(v.id == paper_id for v in self.disliked) else ""

    def voted(self, paper_id: str) -> Voted | None:
        return next((v for v in (*self.liked, *self.disliked) if v.id == paper_id), None)


@dataclass(frozen=True)
class Created:
    profile: Profile
    feed_id: str
    edit_token: str


def new_token() -> str:
    """A fresh token that starts with a letter or digit, so no command line takes it for an
    option (`profile show -x…`); the first character keeps 62 of its 64 values."""
    while True:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        if token[0].isalnum():
            return token


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def valid_token(token: str) -> bool:
    return isinstance(token, str) and TOKEN_RE.fullmatch(token) is not None


def check_interest(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > MAX_INTEREST:
        raise ProfileInvalid("interest", f"is {len(text)} characters long; at most {MAX_INTEREST} are allowed")
    return text


def check_name(text: str) -> str:
    """A feed name on one line, at most MAX_NAME characters ("" = the default title).
    Raises ProfileInvalid naming `name`."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    if len(text) > MAX_NAME:
        raise ProfileInvalid("name", f"is {len(text)} characters long; at most {MAX_NAME} are allowed")
    return text


def check_settings(settings: Settings, retention_days: int) -> Settings:
    """The settings, validated. Raises ProfileInvalid naming the field."""
    for name in ("keywords", "categories", "authors"):
        terms = getattr(settings, name)
        if len(terms) > MAX_FILTER_TERMS or any(not t.strip() or len(t) > 100 for t in terms):
            raise ProfileInvalid(name, f"at most {MAX_FILTER_TERMS} non-empty terms of at most 100 characters")
    if settings.rank not in RANKS:
        raise ProfileInvalid("rank", f"{settings.rank!r} is not one of {', '.join(RANKS)}")
    if not 1 <= settings.days <= retention_days:
        raise ProfileInvalid("days", f"must be a whole number from 1 to {retention_days}")
    if not 1 <= settings.limit <= 200:
        raise ProfileInvalid("limit", "must be a whole number from 1 to 200")
    return settings


def create_profile(store, profile: Profile, now: datetime) -> Created:
    """Store `profile` under two new tokens (the digests it carries are replaced).
    Raises ProfileInvalid (too big), StoreError."""
    feed_id, edit_token = new_token(), new_token()
    stamp = now.isoformat(timespec="seconds")
    stored = replace(profile, feed_digest=digest(feed_id), edit_digest=digest(edit_token), created=stamp, updated=stamp)
    blob = profile_bytes(stored)
    store.set(profile_key(stored.feed_digest), blob)
    store.set(profile_edit_key(stored.edit_digest), feed_id.encode())
    return Created(stored, feed_id, edit_token)


def load_profile(store, feed_id: str) -> Profile:
    """The profile whose feed id this is. Raises ProfileNotFound (also for a malformed
    id, without asking the store), StoreError."""
    if not valid_token(feed_id):
        raise ProfileNotFound("no such profile")
    raw = store.get(profile_key(digest(feed_id)))
    if raw is None:
        raise ProfileNotFound("no such profile")
    return profile_from_bytes(raw)


def feed_id_for_edit(store, edit_token: str) -> str:
    """The feed id an edit token opens. Raises ProfileNotFound, StoreError."""
    if not valid_token(edit_token):
        raise ProfileNotFound("no such profile")
    raw = store.get(profile_edit_key(digest(edit_token)))
    feed_id = raw.decode("ascii", "replace") if raw is not None else ""
    if not valid_token(feed_id):
        raise ProfileNotFound("no such profile")
    profile = load_profile(store, feed_id)
    if not secrets.compare_digest(profile.edit_digest, digest(edit_token)):
        raise ProfileNotFound("no such profile")
    return feed_id


def save_profile(store, profile: Profile) -> None:
    """One `set` of the whole record. Raises ProfileInvalid (too big), StoreError."""
    store.set(profile_key(profile.feed_digest), profile_bytes(profile))


def delete_profile(store, feed_id: str) -> None:
    """Delete the profile and its edit token. Raises ProfileNotFound, StoreError."""
    profile = load_profile(store, feed_id)
    store.delete(profile_edit_key(profile.edit_digest))
    store.delete(profile_key(profile.feed_digest))


def profile_bytes(profile: Profile) -> bytes:
    blob = encode({"schema": SCHEMA, **asdict(profile)})
    if len(blob) > MAX_PROFILE_BYTES:
        raise ProfileInvalid("profile", f"would take {len(blob)} bytes; at most {MAX_PROFILE_BYTES} are allowed")
    return blob


def _voted(data: dict) -> Voted:
    return Voted(**{**data, "categories": tuple(data.get("categories", ()))})


def profile_from_bytes(raw: bytes) -> Profile:
    data = decode(raw, "profile")
    try:
        data = dict(data)
        data.pop("schema", None)
        data["liked"] = tuple(_voted(v) for v in data.get("liked", ()))
        data["disliked"] = tuple(_voted(v) for v in data.get("disliked", ()))
        data["library_categories"] = tuple((str(c), int(n)) for c, n in data.get("library_categories", ()))
        s = dict(data.get("settings", {}))
        for name in ("keywords", "categories", "authors"):
            s[name] = tuple(s.get(name, ()))
        data["settings"] = Settings(**s)
        return Profile(**data)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"stored profile is unreadable ({exc.__class__.__name__})") from None


# Vectors inside a profile ------------------------------------------------------------------


def encode_row(row) -> str:
    """One vector as int8 + float16 scale, base64 (258 bytes for 256 dimensions)."""
    from core.store.vectors import quantise

    q, scale = quantise(row)
    return base64.b64encode(q[0].tobytes() + scale.astype(">f2").tobytes()).decode("ascii")


def decode_row(text: str):
    """The float32 unit row of `encode_row`'s text."""
    import numpy as np

    raw = base64.b64decode(text)
    q = np.frombuffer(raw[:-2], np.int8).astype(np.float32)
    return q * float(np.frombuffer(raw[-2:], ">f2")[0])


def rows(voted: tuple[Voted, ...], dim: int):
    import numpy as np

    return np.stack([decode_row(v.vector) for v in voted]) if voted else np.zeros((0, dim), np.float32)


def interest_of(profile: Profile):
    """The profile's interest vector: the unit mean of its interest text's and its
    library's vectors (whichever it has), or None."""
    from core.store.vectors import normalise

    parts = [normalise(decode_row(t))[0] for t in (profile.interest_vector, profile.library_vector) if t]
    if not parts:
        return None
    return normalise(sum(parts))[0]


def redact_path(path: str) -> str:
    """A request path fit for a log line: any profile token in it replaced by `…`."""
    return _TOKEN_IN_PATH.sub(lambda m: m.group(1) + "…", path)


_TOKEN_IN_PATH = re.compile(r"(/p/|/profile/|/profiles/)[^/?#]+")
