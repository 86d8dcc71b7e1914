"""What a store publishes, checked the way a reader meets it.

    manifest = complete_version(store)    # asserts: manifest decodes, every segment it names decodes
    doc = served(store, config)           # the JSON feed the app serves from that store

`complete_version` is the "no partial publish" check of the fault suite: a manifest that
names a missing or unreadable segment, or a segment whose paper or summary count differs
from what the manifest says, is a partial publish (counted in tests.support.tally).
"""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from core import calendar
from core.calendar import parse_instant
from core.config import Config, Env
from core.context import Context
from core.models import Manifest
from core.store.layout import MANIFEST_KEY, day_from_parts, decode, parse_manifest
from tests.support import tally

EVERYTHING = "/feed?keywords=*&types=*&days={days}&limit=200&format=json"


def complete_version(store) -> Manifest:
    """The published manifest, after checking that it and every segment it names exist and
    decode with the counts the manifest gives. An empty store is complete (nothing published)."""
    problems = _problems(store)
    if problems:
        tally.partial_publish()
    assert not problems, f"partial publish: {'; '.join(problems)}"
    return parse_manifest(store.get(MANIFEST_KEY))


def _problems(store) -> list[str]:
    raw = store.get(MANIFEST_KEY)
    if raw is None:
        return []
    try:
        manifest = parse_manifest(raw)
    except Exception as exc:  # any failure to decode is the finding
        return [f"manifest does not decode ({exc})"]
    problems = []
    for ref in manifest.days:
        raws = store.mget(list(ref.keys))
        missing = [k for k, r in zip(ref.keys, raws, strict=True) if r is None]
        if missing:
            problems.append(f"{ref.date}: segments missing {missing}")
            continue
        try:
            day = day_from_parts(ref.date, [decode(r, ref.date) for r in raws])
            for s in day.papers:
                s.paper.to_dict()  # reads its texts, kept apart in the segment until asked for
        except Exception as exc:
            problems.append(f"{ref.date}: segment does not decode ({exc})")
            continue
        if (len(day.papers), len(day.summaries)) != (ref.count, ref.summaries):
            problems.append(
                f"{ref.date}: holds {len(day.papers)} papers, {len(day.summaries)} summaries; "
                f"the manifest says {ref.count}, {ref.summaries}"
            )
    return problems


def served(store, config: Config, path: str = "", env: Env | None = None) -> dict:
    """The JSON Feed the app serves from `store` for `path` (default: every paper held), as
    of the store's last publish (so what the feed says of the data's age never depends on
    the day the tests run)."""
    from api.deps import Service, get_service
    from api.index import app

    ctx = Context(config, env or Env())
    ctx.store = store
    raw = store.get(MANIFEST_KEY)
    at = parse_instant(parse_manifest(raw).published_at) if raw is not None else None
    clock = (lambda: at) if at is not None else calendar.now
    app.dependency_overrides[get_service] = lambda: Service(ctx, clock=clock)
    try:
        response = TestClient(app).get(path or EVERYTHING.format(days=config.retention_days))
    finally:
        app.dependency_overrides.pop(get_service, None)
    assert response.status_code == 200, response.text
    return json.loads(response.content)


def served_ids(store, config: Config) -> set[str]:
    return {item["_arxiv"]["id"] for item in served(store, config)["items"]}
