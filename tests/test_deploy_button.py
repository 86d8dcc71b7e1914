"""The Deploy with Vercel button: only CRON_SECRET typed in, the bytecode flag filled in,
the Upstash store added, the repository it deploys taken from config.json or the Action's
GITHUB_REPOSITORY, and the README's button rewritten by the digest so a fork deploys itself."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

import cli.main as cli
from core.feeds.deploy import END, START, button_url, repository_address, splice_button
from tests.conftest import ROOT


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_the_button_asks_only_for_the_cron_secret_fills_in_the_bytecode_flag_and_adds_the_upstash_store():
    q = query(button_url("https://github.com/someone/my-feeds"))
    assert q["repository-url"] == "https://github.com/someone/my-feeds"
    assert q["env"] == "CRON_SECRET,VERCEL_PYTHON_COMPILEALL"
    # Vercel fills in defaults only for variables `env` lists; the secret has none.
    assert json.loads(q["envDefaults"]) == {"VERCEL_PYTHON_COMPILEALL": "1"}
    assert "DASHSCOPE" not in q["env"] and "optional" in q["envDescription"]
    assert q["project-name"] == "my-feeds" and q["envLink"].endswith("#environment")
    [store] = json.loads(q["stores"])
    assert store == {"type": "integration", "integrationSlug": "upstash", "productSlug": "upstash-kv"}


@pytest.mark.parametrize(
    ("configured", "github", "expected"),
    [
        ("https://github.com/a/b", "x/y", "https://github.com/a/b"),
        ("https://github.com/a/b.git", "", "https://github.com/a/b"),
        ("a/b", "", "https://github.com/a/b"),
        ("", "x/y", "https://github.com/x/y"),
        ("", "", ""),
        ('javascript:alert(1)//"', "", ""),
        ("https://evil.example/a/b", "", ""),
    ],
)
def test_the_repository_comes_from_the_config_then_the_action(configured, github, expected):
    assert repository_address(configured, github) == expected


def test_the_readme_button_is_rewritten_between_its_markers_only():
    readme = f"intro\n{START}\nold text\n{END}\nrest\n"
    out = splice_button(readme, "https://github.com/a/b")
    assert out.startswith("intro\n") and out.endswith(f"{END}\nrest\n") and "old text" not in out
    assert "repository-url=https%3A%2F%2Fgithub.com%2Fa%2Fb" in out
    assert splice_button(readme, "") == readme and splice_button("no markers", "https://github.com/a/b") == "no markers"


def test_the_shipped_readme_has_the_markers_and_no_button_to_a_missing_repository():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert START in text and END in text
    between = text.split(START, 1)[1].split(END, 1)[0]
    assert "vercel.com/new/clone" not in between  # no repository known yet: instructions, not a dead button


def test_the_digest_writes_the_button_for_the_actions_repository(tmp_path, monkeypatch, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(f"{START}\n{END}\n<!-- arxiv-digest:start -->\n<!-- arxiv-digest:end -->\n")
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/fork")
    monkeypatch.setenv("ARXIV_RSS_DB", str(tmp_path / "store.sqlite3"))
    assert cli.main(["digest", "--output", str(readme)]) == 0
    assert "repository-url=https%3A%2F%2Fgithub.com%2Fsomeone%2Ffork" in readme.read_text()


def test_the_cli_prints_a_button_or_names_what_is_missing(monkeypatch, capsys):
    assert cli.main(["deploy-button", "someone/fork"]) == 0
    assert "github.com%2Fsomeone%2Ffork" in capsys.readouterr().out
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    assert cli.main(["deploy-button"]) != 0
    assert "no repository to deploy" in capsys.readouterr().err
