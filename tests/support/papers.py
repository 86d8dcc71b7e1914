"""Small hand-made Paper values for tests (synthetic, not arXiv data)."""

from core.models import Paper


def paper(id: str = "2609.00001", **fields) -> Paper:
    base = dict(
        version=1,
        title=f"Paper {id}",
        abstract="An abstract.",
        authors=("Ada Lovelace",),
        categories=("cs.LG",),
        announce_type="new",
        announced="2026-09-24",
    )
    return Paper(id=id, **{**base, **fields})
