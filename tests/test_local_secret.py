"""Vote links with nothing configured: on the local SQLite store without FEEDBACK_SECRET,
`serve` and `profile create` make a secret beside the database (mode 0600, never printed)
and the local server signs vote links with it; `profile create --base` prints URLs on the
address serve really uses."""

from __future__ import annotations

import os
import stat

import pytest

from cli.main import _sign_votes_locally, main
from core.config import ConfigError, Env
from core.context import Context
from core.profiles.local_secret import local_secret, secret_path, with_local_secret
from core.profiles.votes import SECRET_VAR, voting_secret
from tests.support.app_client import app_clients
from tests.test_meaning import CONFIG, seed
from tests.test_profile_cli import workdir  # noqa: F401
from tests.test_profiles import NOW, make_profile


def env_at(tmp_path, **fields) -> Env:
    return Env(db_path=str(tmp_path / "data" / "db.sqlite3"), **fields)


def test_the_secret_is_made_once_beside_the_database_readable_by_its_owner_only(tmp_path):
    env = env_at(tmp_path)
    first = local_secret(env)
    path = tmp_path / "data" / "feedback_secret"
    assert secret_path(env) == path and path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32 and local_secret(env) == first  # kept: links signed yesterday still work
    assert voting_secret(with_local_secret(env)) == (first, "")


def test_no_local_secret_when_one_is_set_on_vercel_or_with_a_shared_store(tmp_path):
    for env in (
        env_at(tmp_path, secrets={SECRET_VAR: "x" * 20}),
        env_at(tmp_path, on_vercel=True),
        env_at(tmp_path, redis_url="redis://127.0.0.1:6379"),
        env_at(tmp_path, upstash_url="https://example.upstash.io", upstash_token="t"),
    ):
        assert local_secret(env) == "" and with_local_secret(env) is env
    assert not (tmp_path / "data" / "feedback_secret").exists()


def test_an_open_file_is_closed_to_others_and_a_short_one_is_named(tmp_path):
    env = env_at(tmp_path)
    path = secret_path(env)
    path.parent.mkdir(parents=True)
    path.write_text("a-secret-of-twenty-chars\n")
    path.chmod(0o644)
    assert local_secret(env) == "a-secret-of-twenty-chars"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("short")
    with pytest.raises(ConfigError, match="feedback_secret.*fewer than 16 characters"):
        local_secret(env)


def test_with_the_local_secret_a_profile_feed_carries_vote_links(tmp_path):
    with app_clients(tmp_path, CONFIG, NOW) as make:
        client, service = make(seed=seed, env=with_local_secret(env_at(tmp_path)))
        created = make_profile(service)
        body = client.get(f"/feed/p/{created.feed_id}?format=json").text
    assert "/vote?paper=" in body and local_secret(env_at(tmp_path)) not in body


def test_serve_signs_with_the_local_secret_and_names_only_its_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(SECRET_VAR, "placeholder")
    monkeypatch.delenv(SECRET_VAR)  # restored to unset afterwards
    ctx = Context(CONFIG, env_at(tmp_path))
    try:
        _sign_votes_locally(ctx)
    finally:
        ctx.store.close()
    secret = local_secret(env_at(tmp_path))
    assert os.environ[SECRET_VAR] == secret
    out, err = capsys.readouterr()
    assert "feedback_secret" in out and secret not in out + err


def test_profile_create_makes_the_secret_and_takes_base(workdir, capsys):  # noqa: F811
    code = main(
        ["profile", "create", "--interest", "robots that walk", "--days", "1", "--base", "http://127.0.0.1:8080/"]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    feed, edit = out.splitlines()
    assert feed.startswith("http://127.0.0.1:8080/feed/p/") and edit.startswith("http://127.0.0.1:8080/profile/")
    secret = (workdir / "feedback_secret").read_text().strip()
    assert len(secret) >= 32 and secret not in out + err


@pytest.mark.parametrize("base", ["127.0.0.1:8080", "ftp://x", "http://", "http://a b"])
def test_profile_create_refuses_a_base_that_is_not_an_http_address(workdir, capsys, base):  # noqa: F811
    code = main(["profile", "create", "--interest", "robots", "--base", base])
    out, err = capsys.readouterr()
    assert code != 0 and out == "" and "--base: " in err and len(err.splitlines()) == 1


def test_the_help_says_profile_create_prints_port_8000_unless_told(capsys):
    with pytest.raises(SystemExit):
        main(["profile", "create", "--help"])
    assert "8000" in capsys.readouterr().out
