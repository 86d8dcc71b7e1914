"""Votes from inside a feed reader: signed "more / less like this" links.

    url = vote_url(base, secret, feed_id, paper_id, "up")
    outcome = cast_vote(store, feed_id, paper_id, "up", lookup, today)

A vote link is `GET /p/<feed id>/vote?paper=<arXiv id>&v=up|down|clear&sig=<sig>`, where
`sig` is HMAC-SHA256 over ("vote", feed id, paper id, vote) keyed with FEEDBACK_SECRET,
truncated to 128 bits, base64url. Without the secret there are no links and no votes.
A bad signature is refused before any store command.

A vote is idempotent (the vote a paper already has changes nothing and says so),
reversible (`clear` removes it; the answer page's undo is a signed link back to the
previous vote) and a down-vote replaces an up-vote. Every counted vote bumps the
profile's version; at most MAX_VOTES_PER_DAY count per profile per day (UTC). Votes on
one profile are serialised by a lock in the store (set-if-absent with a short expiry),
so parallel votes are never lost; the profile itself is written with one `set`, so a
store that fails mid-vote leaves the old profile whole.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import random
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from core.errors import ProfileBusy, VoteRefused
from core.profiles.model import (
    MAX_DISLIKED,
    MAX_LIKED,
    MAX_VOTES_PER_DAY,
    Profile,
    Voted,
    digest,
    load_profile,
    save_profile,
)
from core.store.layout import profile_lock_key

VOTES = ("up", "down", "clear")
MIN_SECRET = 16
SIG_RE = re.compile(r"[A-Za-z0-9_-]{22}")
PROFILE_LOCK_TTL = 10  # seconds a profile's change lock lives: far above one vote's few store commands
LOCK_WAIT = 8.0  # seconds a vote waits for the lock before it answers "busy"
SECRET_VAR = "FEEDBACK_SECRET"


def voting_secret(env) -> tuple[str, str]:
    """(secret, "") when voting is on, else ("", the reason it is off)."""
    secret = env.secret(SECRET_VAR)
    if not secret:
        return "", f"{SECRET_VAR} is not set: feeds carry no vote links"
    if len(secret) < MIN_SECRET:
        return "", f"{SECRET_VAR} is shorter than {MIN_SECRET} characters: voting is off"
    return secret, ""


def signature(secret: str, feed_id: str, paper_id: str, vote: str) -> str:
    message = "\n".join(("vote", feed_id, paper_id, vote)).encode()
    mac = hmac.new(secret.encode(), message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def signature_ok(secret: str, feed_id: str, paper_id: str, vote: str, sig: str) -> bool:
    if not isinstance(sig, str) or not SIG_RE.fullmatch(sig):
        return False
    return hmac.compare_digest(signature(secret, feed_id, paper_id, vote), sig)


def vote_url(base: str, secret: str, feed_id: str, paper_id: str, vote: str) -> str:
    query = urlencode({"paper": paper_id, "v": vote, "sig": signature(secret, feed_id, paper_id, vote)})
    return f"{base}/p/{feed_id}/vote?{query}"


@dataclass(frozen=True)
class Outcome:
    """What a vote did: the profile after it, whether it changed anything, the vote the
    paper had before (for undo), the paper's title and a sentence for the answer page."""

    profile: Profile
    counted: bool
    before: str
    vote: str
    title: str
    message: str


def apply_vote(profile: Profile, paper_id: str, vote: str, found: Voted | None, now: str) -> Outcome:
    """The profile after `vote` (up, down, clear) on `paper_id`. Pure. `found` is the paper
    (with its vector) when the profile holds no vote on it, or the paper as held now when a
    liked paper is liked again (a newer version is then the one followed); `now` an ISO time.
    Raises VoteRefused (unknown paper, daily limit: MAX_VOTES_PER_DAY up or down votes; an
    undo, v=clear, is never refused by the limit nor counted against it)."""
    before = profile.vote_of(paper_id)
    wanted = "" if vote == "clear" else vote
    entry = profile.voted(paper_id) or found
    title = entry.title if entry else ""
    newer = found is not None and entry is not found and found.version > entry.version
    if before == wanted == "up" and newer:  # liked again on a new version: follow that version
        entry = found
    elif before == wanted:
        message = "This vote was already counted; nothing changed." if wanted else "There was no vote to undo."
        return Outcome(profile, False, before, vote, title, message)
    today = now[:10]
    count = profile.votes_today if profile.vote_day == today else 0
    if count >= MAX_VOTES_PER_DAY and wanted:  # an Undo only takes back: allowed, and not counted
        raise VoteRefused(429, f"This feed has had its {MAX_VOTES_PER_DAY} votes for today; nothing changed.")
    if entry is None:
        raise VoteRefused(404, "That paper is not among the papers held here; nothing changed.")
    liked = tuple(v for v in profile.liked if v.id != paper_id)
    disliked = tuple(v for v in profile.disliked if v.id != paper_id)
    stamped = replace(entry, at=today)
    if wanted == "up":
        liked = (*liked, stamped)[-MAX_LIKED:]
    elif wanted == "down":
        disliked = (*disliked, stamped)[-MAX_DISLIKED:]
    after = replace(
        profile,
        liked=liked,
        disliked=disliked,
        version=profile.version + 1,
        updated=now,
        vote_day=today,
        votes_today=count + 1 if wanted else count,
    )
    message = {"up": "More like this: counted.", "down": "Less like this: counted.", "": "Vote undone."}[wanted]
    return Outcome(after, True, before, vote, title, message)


def cast_vote(
    store, feed_id: str, paper_id: str, vote: str, lookup: Callable[[str], Voted | None], now: str
) -> Outcome:
    """Apply one vote under the profile's lock and store the result (one `set`).
    `lookup(paper_id)` finds a paper the profile has no vote on among the papers held.
    Raises ProfileNotFound, VoteRefused, ProfileBusy, StoreError."""
    with profile_lock(store, digest(feed_id)):
        profile = load_profile(store, feed_id)
        again = vote == "up" and profile.vote_of(paper_id) == "up"  # a liked paper's new version, liked
        found = lookup(paper_id) if vote != "clear" and (profile.voted(paper_id) is None or again) else None
        outcome = apply_vote(profile, paper_id, vote, found, now)
        if outcome.counted:
            save_profile(store, outcome.profile)
        return outcome


@contextlib.contextmanager
def profile_lock(store, feed_digest: str, wait: float = LOCK_WAIT, clock=time.monotonic) -> Iterator[None]:
    """Hold the profile's change lock; waits up to `wait` seconds, then raises ProfileBusy.
    Released only by its holder (its value is a fresh token)."""
    key, token = profile_lock_key(feed_digest), secrets.token_hex(8).encode()
    deadline = clock() + wait
    pause = 0.002
    while not store.set_if_absent(key, token, ttl=PROFILE_LOCK_TTL):
        if clock() >= deadline:
            raise ProfileBusy("another change to this profile is in progress; try again in a moment")
        time.sleep(pause * (1 + random.random()))
        pause = min(pause * 2, 0.05)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            if store.get(key) == token:
                store.delete(key)
