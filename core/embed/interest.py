"""The vector of an `interest=` text, without unbounded work or outbound calls.

    vector, note = interest_vector(store, embedder, text, budget, today)

With the embedded model an interest is embedded in process (a few milliseconds) and kept
in a small per-process memo. With a remote embedder every distinct text is embedded at
most once: its vector is cached in the store, and new texts are embedded under a daily
budget (`embeddings.daily_interest_budget`) shared by every process; past it, or when
the endpoint fails, the caller ranks by keywords and `note` says why (BUDGET_SPENT
when the budget is the reason). With a vector, `note` is ENGLISH_ONLY when the embedder
reads English only and the text is mostly in another script (see `language_note`).

The budget counts outbound embedding requests, failed ones included (each costs a
call): one atomic `Store.incr` takes a unit before the request and a refused claim
hands it straight back, so a burst of distinct texts, on any backend and across
processes, makes at most `budget` requests a day.
"""

from __future__ import annotations

import numpy as np

from core.embed.embedder import Embedder, mostly_latin
from core.errors import EmbeddingError
from core.memo import LRU, kept
from core.store.layout import interest_budget_key, interest_key

MEMO_ENTRIES = 512  # each holds a 256-float vector under a text of at most 500 characters
CACHE_TTL = 30 * 86400
BUDGET_TTL = 2 * 86400  # the key names its UTC day; two days outlive any clock skew
BUDGET_SPENT = "Today's budget for embedding new interest texts is spent: ranked by keywords until tomorrow."
ENGLISH_ONLY = (
    "The embedding model ({model}) reads English only; this interest is not in English, so ranking by it is "
    'unreliable: write it in English, or set a remote multilingual embedder (embeddings.provider "openai", '
    'EMBEDDINGS_BASE_URL; see the README\'s "Which embedding model").'
)
_MEMO = kept("embed.interest_vectors", LRU(MEMO_ENTRIES))  # (embedder, text) -> vector


def interest_vector(store, embedder: Embedder, text: str, budget: int, today: str) -> tuple[np.ndarray | None, str]:
    key = (embedder.name, text)
    found = _MEMO.get(key)
    if found is not None:
        return found, language_note(embedder, text)
    vector, note = (_remote if embedder.remote else _local)(store, embedder, text, budget, today)
    if vector is not None:
        _MEMO.put(key, vector)
    return vector, note if vector is None else language_note(embedder, text)


def language_note(embedder: Embedder, text: str) -> str:
    """The feed's warning when an English-only embedder is given a text mostly in another
    script (say, Chinese); "" otherwise. An embedder that does not say is trusted."""
    if getattr(embedder, "multilingual", True) or mostly_latin(text):
        return ""
    return ENGLISH_ONLY.format(model=embedder.name.split(":")[0])


def configured_language_note(provider: str, text: str) -> str:
    """`language_note` for a deployment's configured provider, without an embedder at hand
    (a profile feed ranks by stored vectors): only wordllama reads English only."""
    if provider != "wordllama" or mostly_latin(text):
        return ""
    return ENGLISH_ONLY.format(model=provider)


def _local(store, embedder: Embedder, text: str, budget: int, today: str):
    try:
        return embedder.embed([text])[0], ""
    except EmbeddingError as exc:
        return None, f"The interest could not be embedded ({exc}): ranked by keywords."


def _remote(store, embedder: Embedder, text: str, budget: int, today: str):
    cache = interest_key(embedder.name, text)
    raw = store.get(cache)
    if raw is not None and len(raw) % 2 == 0 and raw:
        return np.frombuffer(raw, ">f2").astype(np.float32), ""
    if not _claim(store, interest_budget_key(today), budget):
        return None, BUDGET_SPENT
    try:
        vector = embedder.embed([text])[0]
    except EmbeddingError as exc:
        return None, f"The interest could not be embedded ({exc}): ranked by keywords."
    store.set(cache, vector.astype(">f2").tobytes(), ttl=CACHE_TTL)
    return vector, ""


def _claim(store, counter: str, budget: int) -> bool:
    """Take one unit of the day's budget; False, with nothing taken, when it is spent."""
    if store.incr(counter, BUDGET_TTL) <= budget:
        return True
    store.incr(counter, BUDGET_TTL, -1)
    return False
