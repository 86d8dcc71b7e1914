"""The command line's options and wording, as a newcomer meets them: `--config` works
before and after the command; counts are pluralised in refresh, status and /api/health;
a `stale` category is worded the same by `status`, the page and the feed, which agree on
whether its earlier papers are held; the help shows no empty choice and explains
`serve --host/--port`. The command line runs in process (cli.main) over a SQLite store
seeded in the test's folder; the page and feeds through the real app on that store."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

import cli.main as cli
from core.config import Env
from core.context import Context
from core.feeds.channel import HELD_TEXT, STALE_TEXT
from core.refresh.pipeline import _category_record
from core.store.publish import publish
from tests.support.app_client import app_clients
from tests.support.html_doc import Doc
from tests.support.papers import paper
from tests.support.seed import publish_days, scored_day, seed_config, seed_config_raw

CONFIG = seed_config()
LATEST = "2026-09-23"
NOW = datetime(2026, 9, 23, 16, tzinfo=UTC)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    (tmp_path / "config.json").write_text(json.dumps(seed_config_raw()))
    monkeypatch.setenv("ARXIV_RSS_DB", str(tmp_path / "db.sqlite3"))
    monkeypatch.delenv("ARXIV_RSS_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no config.json would be found but the one named
    return tmp_path


def store_of(workdir):
    return Context(CONFIG, Env(db_path=str(workdir / "db.sqlite3"))).store


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --config before and after the command ----------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["--config", "{c}", "status"],
        ["status", "--config", "{c}"],
        ["feed", "--config", "{c}", "format=json"],
        ["profile", "show", "--config", "{c}", "A" * 24],
    ],
)
def test_config_is_taken_before_and_after_the_command(workdir, capsys, argv):
    (workdir / "other.json").write_text(json.dumps({**seed_config_raw(), "categories": ["math.CO"]}))
    config = str(workdir / "other.json")
    code, out, err = run(capsys, *[a.format(c=config) for a in argv])
    assert "unrecognized arguments" not in err
    if argv[0] == "profile":  # the config was read (no such profile is the answer, not a usage error)
        assert code == 1 and "no such profile" in err
    elif argv[0] == "feed":
        assert code == 0 and json.loads(out)["title"] == "arXiv math.CO"
    else:
        assert code == 0 and "math.CO:" in out and "cs.AI:" not in out


def test_config_after_the_command_wins_over_one_before(workdir, capsys):
    (workdir / "other.json").write_text(json.dumps({**seed_config_raw(), "categories": ["math.CO"]}))
    code, out, _ = run(capsys, "--config", str(workdir / "config.json"), "status", "--config", "other.json")
    assert code == 0 and "math.CO:" in out and "cs.AI:" not in out


# Counts: 1 paper, N papers ----------------------------------------------------------------------


def one_paper_store(workdir):
    """A store whose every category holds one paper, its record worded as refreshes before
    the fix stored it ("1 papers")."""
    store = store_of(workdir)
    manifest = publish_days(store, CONFIG, [scored_day(LATEST, [paper("2609.00001", announced=LATEST)], CONFIG)])
    record = {"status": "updated", "detail": "1 papers (0 new), 0 matched", "announced": LATEST}
    records = {c: {**record, "papers": 1, "new": 0, "matched": 0} for c in CONFIG.categories}
    publish(store, dataclasses.replace(manifest, categories=records))
    store.close()


def test_a_refresh_record_counts_one_paper_in_the_singular():
    day = scored_day(LATEST, [paper("2609.00001", announced=LATEST, categories=("cs.AI",))], CONFIG)
    assert _category_record(CONFIG, "cs.AI", day, NOW, {})["detail"] == "1 paper (1 new), 0 matched"


def test_status_and_refresh_lines_say_1_paper(workdir, capsys):
    one_paper_store(workdir)
    code, out, _ = run(capsys, "status", "--config", "config.json")
    assert code == 0 and "cs.AI: updated - 1 paper (0 new), 0 matched" in out
    assert f"{LATEST}: 1 paper, 0 summaries" in out and "1 papers" not in out
    report = {"status": "updated", "categories": {"cs.AI": {"status": "updated", "papers": 1, "new": 0, "matched": 0}}}
    assert "cs.AI: updated - 1 paper (0 new), 0 matched" in cli.describe_report(report)


def test_health_says_1_paper(workdir):
    one_paper_store(workdir)
    with app_clients(workdir, CONFIG, NOW) as make:
        client, _ = make(seed=False, env=Env(db_path=str(workdir / "db.sqlite3")))
        categories = client.get("/api/health").json()["categories"]
    assert categories["cs.AI"]["detail"] == "1 paper (0 new), 0 matched"


# A stale category: one wording, and the truth about earlier papers ------------------------------


def publish_stale(store, announced: str, days: list[str]):
    """Every category `stale` in LATEST's announcement; its record keeps `announced`, and
    `days` are the days the store holds."""
    held = [scored_day(d, [paper(f"2609.0{i}001", announced=d, categories=tuple(CONFIG.categories))], CONFIG)
            for i, d in enumerate(days)]  # fmt: skip
    manifest = publish_days(store, CONFIG, held)
    record = {"status": "stale", "detail": "no papers", "announced": announced, "papers": 0,
              "checked_announcement": LATEST, "checked_at": f"{LATEST}T05:15:00Z"}  # fmt: skip
    publish(store, dataclasses.replace(manifest, categories={c: record for c in CONFIG.categories}))


@pytest.mark.parametrize(
    "announced, days, held",
    [
        ("2026-09-22", [LATEST, "2026-09-22"], True),  # its earlier day is stored
        ("", [LATEST], False),  # it never had papers
        ("2026-09-10", [LATEST], False),  # its papers' day has left the store
    ],
)
def test_a_stale_category_is_worded_alike_by_status_page_and_feed(workdir, capsys, announced, days, held):
    store = store_of(workdir)
    publish_stale(store, announced, days)
    store.close()
    sentence = STALE_TEXT.format(checked_in=LATEST).replace("'", "\u2019")
    said = HELD_TEXT[held]
    _, out, _ = run(capsys, "status", "--config", "config.json")
    line = next(x for x in out.splitlines() if x.strip().startswith("cs.CL:")).replace("'", "\u2019")
    with app_clients(workdir, CONFIG, NOW) as make:
        client, _ = make(seed=False, env=Env(db_path=str(workdir / "db.sqlite3")))
        page = Doc(client.get("/").text).text_by_id["status-cs.CL"].replace("'", "\u2019")
        feed = json.loads(client.get("/feed/cs.CL?format=json").text)["description"].replace("'", "\u2019")
    for text in (line, page, feed):
        assert sentence in text and said in text and HELD_TEXT[not held] not in text, text
    assert "no papers this time" in line and "no papers this time" in page


# Help text ----------------------------------------------------------------------------------------


def test_import_format_shows_no_empty_choice(capsys):
    with pytest.raises(SystemExit):
        cli.main(["profile", "create", "--help"])
    out = capsys.readouterr().out
    assert "{bibtex,ris,csl-json,ids}" in out and "{," not in out


def test_serve_explains_host_and_port(capsys):
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--host HOST address to listen on" in out and "--port PORT port to listen on (default 8000)" in out
