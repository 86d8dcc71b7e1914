"""Routes read their path parameters from the request, not as typed arguments (a typed
argument makes FastAPI import pydantic.v1 at start-up: tests/test_api.py's cold-start
check guards that); the OpenAPI schema still documents each one, before the feed query's."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.index import app


def test_every_path_parameter_is_documented_first_and_the_feed_query_kept():
    paths = TestClient(app).get("/openapi.json").json()["paths"]
    for path, name in (("/feed/{category}", "category"), ("/feed/keyword/{keyword}", "keyword")):
        params = paths[path]["get"]["parameters"]
        assert params[0] == {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        assert [p["name"] for p in params[1:]] == [p["name"] for p in paths["/feed"]["get"]["parameters"]]
    assert [p["name"] for p in paths["/feed/p/{feed_id}"]["get"]["parameters"]] == ["feed_id"]
    assert "parameters" not in paths["/opml"]["get"]
