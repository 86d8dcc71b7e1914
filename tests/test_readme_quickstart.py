"""The README's first screen ("Use it") works as written: every command of its fenced blocks
is one this test runs, and every http://127.0.0.1:8000 address in it answers. `make run` is
run as its recipe (refresh, digest, serve; checked against the Makefile) against a loopback
FakeArxiv, in a fresh folder with nothing configured, on a free port; the profile it makes
carries vote links (the local secret) and one of them counts a vote."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import subprocess
import sys

import httpx
import pytest

from tests.conftest import ROOT, shared_fixture
from tests.support.fake_arxiv import FakeArxiv
from tests.support.live_server import wait_until_serving
from tests.support.redis_server import free_port
from tests.test_cli import COMBINED
from tests.test_run_offline import run_target

README = (ROOT / "README.md").read_text(encoding="utf-8")
LOCAL = "http://127.0.0.1:8000"


def use_it_section() -> str:
    start = README.index("\n## Use it\n")
    end = README.index("\n## ", start + 1)
    return README[start:end]


def commands(section: str) -> list[str]:
    """The command lines of the section's fenced sh blocks, without their comments."""
    blocks = re.findall(r"^\s*```sh\n(.*?)^\s*```", section, re.DOTALL | re.MULTILINE)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [re.sub(r"\s+#.*$", "", line) for line in lines if line and not line.startswith("#")]


def addresses(section: str) -> list[str]:
    return sorted(set(re.findall(re.escape(LOCAL) + r"[^\s`)<>\"]*", section)))


SECTION = use_it_section()
COMMANDS = commands(SECTION)


def test_the_use_it_section_comes_first_and_holds_only_commands_this_test_runs():
    assert re.findall(r"^## .*$", README, re.M)[0] == "## Use it"  # the first section
    assert len(SECTION) < 4000  # a first screen, not a manual
    assert [c.split()[0:4] for c in COMMANDS] == [
        ["make", "run"],
        [".venv/bin/python", "-m", "cli", "profile"],
        [".venv/bin/python", "-m", "cli", "deploy-button"],
    ]
    assert run_target("run") == [
        "$(BIN)/python -m cli refresh --allow-stale",
        "$(BIN)/python -m cli digest",
        "$(BIN)/python -m cli serve",
    ]
    for fact in ("FEEDBACK_SECRET", ".data/feedback_secret", "--base", '"language": "zh"', '"language": "en"'):
        assert fact in SECTION  # vote links locally, the serve address, the summaries' language


def _env(arxiv: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ARXIV_", "LLM_", "UPSTASH", "REDIS", "KV_", "FEEDBACK_", "DASHSCOPE", "VERCEL"))
    }
    env.update(
        {
            "ARXIV_RSS_BASE": arxiv,
            "ARXIV_API_BASE": f"{arxiv}/api/query",
            "ARXIV_MIN_INTERVAL": "0",
            "ARXIV_MAX_ATTEMPTS": "1",
            "ARXIV_RSS_CONFIG": str(ROOT / "config.json"),
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def _argv(command: str, port: int) -> list[str]:
    argv = shlex.split(command.replace(LOCAL, f"http://127.0.0.1:{port}"))
    return [sys.executable if argv[0] == ".venv/bin/python" else argv[0], *argv[1:]]


@contextlib.contextmanager
def make_run(folder, arxiv: str, port: int):
    """`make run`'s recipe in `folder`: refresh and digest, then serve on `port` until the block ends."""
    env = _env(arxiv)
    for args in (["refresh", "--allow-stale"], ["digest", "--output", str(folder / "digest.md")]):
        done = subprocess.run([sys.executable, "-m", "cli", *args], cwd=folder, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, process)
        yield base, env
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert "vote links: signed with the local secret" in out
    secret = (folder / ".data" / "feedback_secret").read_text().strip()
    assert secret not in out + err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_every_command_and_address_of_the_use_it_section_works(tmp_path):
    port = free_port()
    with FakeArxiv() as arxiv:
        arxiv.route("/rss/", shared_fixture(COMBINED))
        with make_run(tmp_path, arxiv.url, port) as (base, env):
            for address in addresses(SECTION):
                url = address.replace(LOCAL, base)
                answer = httpx.get(url, timeout=10)
                assert answer.status_code == 200, (url, answer.text[:200])
            shaped = httpx.get(f"{base}/feed/cs.LG?keywords=learning,anomaly&days=3&format=atom", timeout=10)
            assert shaped.text.count("<entry>") >= 1
            created = subprocess.run(_argv(COMMANDS[1], port), cwd=tmp_path, env=env, capture_output=True, text=True)
            assert created.returncode == 0, created.stderr
            feed, edit = created.stdout.splitlines()
            assert feed.startswith(f"{base}/feed/p/") and edit.startswith(f"{base}/profile/")
            assert httpx.get(feed, timeout=10).status_code == 200
            items = httpx.get(f"{feed}?format=json", timeout=10).json()["items"]
            votes = [u for i in items for u in re.findall(r'href="([^"]+/vote\?[^"]+)"', i["content_html"])]
            assert items and len(votes) == 2 * len(items), "every item carries its two vote links"
            vote = httpx.get(votes[0].replace("&amp;", "&"), timeout=10)
            assert vote.status_code == 200 and "More like this" in vote.text
            assert httpx.get(edit, timeout=10).status_code == 200
            button = subprocess.run(_argv(COMMANDS[2], port), cwd=tmp_path, env=env, capture_output=True, text=True)
            assert button.returncode == 0 and "https://vercel.com/new/clone?" in button.stdout
    path = tmp_path / ".data" / "feedback_secret"
    assert path.stat().st_mode & 0o777 == 0o600
