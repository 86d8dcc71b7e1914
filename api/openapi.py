"""The feed query string described for /openapi.json.

The feed routes read their parameters themselves (`core.rank.query.parse_query` validates them
and names the offending one in a 400), so FastAPI cannot see them; this adds them to the
schema for readers of the API and for schema-driven testing. It describes, never validates.
"""

from __future__ import annotations

from core.models import ANNOUNCE_TYPES
from core.rank.query import FORMATS, MAX_LIMIT, MAX_MIN_SCORE, MAX_TERM_LENGTH, MAX_TERMS, SORTS, SUMMARY_MODES

MAX_RETENTION_DAYS = 90  # the largest `retention_days` config.json accepts


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _list(description: str) -> dict:
    return {"type": "string", "maxLength": MAX_TERMS * (MAX_TERM_LENGTH + 1), "description": description}


FEED_QUERY = {
    "parameters": [
        _query("format", {"type": "string", "enum": list(FORMATS), "default": "rss"}, "feed format"),
        _query("keywords", _list("comma list"), "keywords (`quantiz*` is a prefix); `*` = no keyword filter"),
        _query("exclude", _list("comma list"), "title words that drop a paper; `*` = none"),
        _query("authors", _list("comma list"), "part of an author's name, any case"),
        _query("categories", _list("comma list of served categories"), "served categories to include"),
        _query("types", _list(f"comma list of {', '.join(ANNOUNCE_TYPES)}, or *"), "announce types"),
        _query("min_score", {"type": "number", "minimum": 0, "maximum": MAX_MIN_SCORE}, "lowest score shown"),
        _query(
            "days",
            {"type": "integer", "minimum": 1, "maximum": MAX_RETENTION_DAYS, "default": 1},
            "announcement days back, up to the deployment's retention_days",
        ),
        _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 50}, "most items"),
        _query("sort", {"type": "string", "enum": list(SORTS), "default": "score"}, "order of the items"),
        _query("summary", {"type": "string", "enum": list(SUMMARY_MODES), "default": "full"}, "AI summaries"),
    ]
}
