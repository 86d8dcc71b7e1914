"""The daily digest workflow (.github/workflows/daily.yml) keeps the promises of the README:
a weekday schedule after arXiv's rebuild and a manual trigger, the refresh and the digest
commands, README.md committed only when it changed and without merge commits, the embedded
store kept in the Actions cache, a schedule keep-alive, and no workflow input pasted into a
shell script (where it would run as code)."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT

WORKFLOW = yaml.safe_load((ROOT / ".github/workflows/daily.yml").read_text())
TRIGGERS = WORKFLOW[True]  # YAML 1.1 reads the key `on` as True
STEPS = WORKFLOW["jobs"]["digest"]["steps"]
SCRIPTS = "\n".join(step.get("run", "") for step in STEPS)


def step(name: str) -> dict:
    return next(s for s in STEPS if s.get("name") == name)


def test_it_runs_on_weekdays_after_arxivs_rebuild_and_on_demand():
    [schedule] = TRIGGERS["schedule"]
    minute, hour, _, _, weekdays = schedule["cron"].split()
    assert weekdays == "1-5" and 5 <= int(hour) < 8  # midnight US Eastern is 04:00 or 05:00 UTC
    assert "workflow_dispatch" in TRIGGERS


def test_it_refreshes_then_writes_the_digest_into_the_readme():
    assert "python -m cli refresh" in step("Refresh from arXiv")["run"]
    assert step("Write the digest")["run"] == "python -m cli digest --output README.md"


def test_it_commits_the_readme_only_when_changed_and_never_a_merge():
    script = step("Commit README.md when it changed")["run"]
    assert "git diff --quiet -- README.md" in script and "git add README.md" in script
    assert "git pull --rebase" in script and "--no-rebase" not in script and "git merge" not in script


def test_the_embedded_store_is_restored_and_always_saved_with_the_actions_cache():
    restore, save = step("Restore the embedded store"), step("Save the embedded store")
    assert restore["uses"].startswith("actions/cache/restore@") and save["uses"].startswith("actions/cache/save@")
    assert restore["with"]["path"] == save["with"]["path"] == ".data" and save["if"] == "always()"
    env = WORKFLOW["jobs"]["digest"]["env"]
    assert env["ARXIV_RSS_DB"].startswith(".data/")
    assert {"UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "REDIS_URL", "DASHSCOPE_API_KEY"} <= set(env)


def test_a_keep_alive_step_stops_github_from_disabling_the_schedule():
    keep = step("Keep the schedule alive")
    assert "/enable" in keep["run"] and keep["if"] == "always()"
    assert WORKFLOW["permissions"]["actions"] == "write"


def test_no_input_or_event_text_is_pasted_into_a_script():
    assert not re.search(r"\$\{\{\s*(inputs|github\.event)\.", SCRIPTS)


def test_it_installs_the_runtime_set_from_the_lock_vercel_uses():
    setup = next(s for s in STEPS if str(s.get("uses", "")).startswith("actions/setup-python@"))
    assert setup["with"]["python-version-file"] == ".python-version"
    assert "uv export --locked --no-dev" in SCRIPTS and "requirements.txt" not in str(setup)
