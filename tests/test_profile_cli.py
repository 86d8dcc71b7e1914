"""`python -m cli profile create|show|delete` through cli.main.main, over a SQLite store
seeded with real vectors; the feed URL it prints is then served by the real app."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from api.deps import Service, get_service
from api.index import app
from cli.main import main
from core.config import Env
from core.context import Context
from core.store.sqlite import SqliteStore
from tests.test_meaning import CONFIG, IDS, seed

NOW = datetime(2026, 9, 24, 12, tzinfo=UTC)
LEGGED = "Legged robot locomotion over rough terrain"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    raw = {"categories": list(CONFIG.categories), "keywords": ["LLM", "inference"], "min_score": 1}
    (tmp_path / "config.json").write_text(json.dumps(raw))
    store = SqliteStore(str(tmp_path / "db.sqlite3"))
    seed(store, CONFIG)
    store.close()
    monkeypatch.setenv("ARXIV_RSS_DB", str(tmp_path / "db.sqlite3"))
    monkeypatch.setenv("ARXIV_RSS_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.delenv("ARXIV_RSS_PUBLIC_URL", raising=False)
    return tmp_path


def cli(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def served(workdir, path: str) -> dict:
    ctx = Context(CONFIG, Env(db_path=str(workdir / "db.sqlite3")))
    app.dependency_overrides[get_service] = lambda: Service(ctx, clock=lambda: NOW)
    try:
        response = TestClient(app).get(path)
    finally:
        app.dependency_overrides.clear()
        ctx.store.close()
    assert response.status_code == 200, response.text
    return json.loads(response.text)


def test_create_prints_the_feed_url_and_the_edit_url_one_per_line(workdir, capsys):
    code, out, err = cli(capsys, "profile", "create", "--interest", "robots that walk", "--days", "1")
    assert code == 0, err
    feed, edit = out.splitlines()
    assert feed.startswith("http://127.0.0.1:8000/feed/p/") and edit.startswith("http://127.0.0.1:8000/profile/")
    feed_id, edit_token = feed.rsplit("/", 1)[1], edit.rsplit("/", 1)[1]
    assert len(feed_id) == len(edit_token) == 24 and feed_id != edit_token
    doc = served(workdir, f"/feed/p/{feed_id}?format=json")
    assert doc["items"][0]["title"] in {LEGGED, "Grasping unknown objects with a robot hand"}


def test_create_with_liked_ids_names_those_not_held(workdir, capsys):
    code, out, err = cli(
        capsys, "profile", "create", "--like", f"{IDS[LEGGED]},https://arxiv.org/abs/2601.99999v2", "--days", "1"
    )
    assert code == 0, err
    assert "2601.99999 not among the papers held" in err
    feed_id = out.splitlines()[0].rsplit("/", 1)[1]
    doc = served(workdir, f"/feed/p/{feed_id}?format=json")
    assert "Closest liked paper:</strong> Legged robot" in doc["items"][0]["content_html"]


def test_create_from_an_imported_library(workdir, capsys):
    library = workdir / "library.bib"
    library.write_text(
        "@article{a, title={Lattice-based post-quantum signatures}, abstract={Signatures from module lattices.}}\n"
        f"@misc{{b, title={{Held paper}}, eprint={{{IDS['Zero-knowledge proofs for private payments']}}}}}\n"
    )
    code, out, err = cli(capsys, "profile", "create", "--import", str(library), "--days", "1")
    assert code == 0, err
    feed_id = out.splitlines()[0].rsplit("/", 1)[1]
    top = served(workdir, f"/feed/p/{feed_id}?format=json")["items"][0]["title"]
    assert top in {"A lattice-based signature scheme", "Zero-knowledge proofs for private payments"}
    code, out, _ = cli(capsys, "profile", "show", feed_id)
    shown = json.loads(out)
    assert shown["library_entries"] == 2 and "Lattice" not in out  # only the vector is kept, never the entries


def test_a_file_that_is_not_what_it_claims_is_one_error_line(workdir, capsys):
    bad = workdir / "library.bib"
    bad.write_text('[{"title": "json, not bibtex"}]')
    code, out, err = cli(capsys, "profile", "create", "--import", str(bad))
    assert code == 1 and out == ""
    assert err.startswith("error: no BibTeX entries") and err.count("\n") == 1


@pytest.mark.parametrize(
    "args, problem",
    [
        (["--interest", "x" * 501], "interest: is 501 characters long"),
        (["--like", "not-an-id"], "is not an arXiv id"),
        (["--interest", "robots", "--days", "99"], "days: must be a whole number from 1 to 14"),
        (["--like", "2601.99999"], "needs an interest"),
        (["--import", "/nonexistent/file.bib"], "cannot be read"),
    ],
)
def test_bad_arguments_are_one_error_line(workdir, capsys, args, problem):
    code, out, err = cli(capsys, "profile", "create", *args)
    assert code != 0 and out == "" and problem in err


def test_show_by_feed_id_url_or_edit_token_then_delete(workdir, capsys):
    _, out, _ = cli(capsys, "profile", "create", "--interest", "robots", "--like", IDS[LEGGED])
    feed_url, edit_url = out.splitlines()
    feed_id, edit_token = feed_url.rsplit("/", 1)[1], edit_url.rsplit("/", 1)[1]
    for given in (feed_id, feed_url, edit_token):
        code, shown, err = cli(capsys, "profile", "show", given)
        assert code == 0, err
        profile = json.loads(shown)
        assert profile["interest"] == "robots" and profile["liked"][0]["id"] == IDS[LEGGED]
        assert feed_id not in shown and edit_token not in shown and "vector" not in shown
    assert cli(capsys, "profile", "delete", feed_id)[:2] == (0, "profile deleted\n")
    code, _, err = cli(capsys, "profile", "show", feed_id)
    assert code == 1 and err == "error: no such profile\n"


def test_tokens_never_start_like_a_command_line_option():
    from core.profiles.model import TOKEN_RE, new_token

    tokens = [new_token() for _ in range(2000)]  # about 60 would start with - or _ if drawn freely
    assert all(t[0].isalnum() and TOKEN_RE.fullmatch(t) for t in tokens)
    assert len(set(tokens)) == len(tokens)
