"""requirements.txt, for pip users, is made from uv.lock (pyproject.toml + uv.lock stay the
source): the runtime set only, every package pinned. `make requirements` makes it; this
test runs that recipe in a temporary folder holding only pyproject.toml and uv.lock and
fails when the result differs from the committed file, so the two never drift."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tomllib

from tests.conftest import ROOT
from tests.support.vercel import uv_binary
from tests.test_run_offline import run_target

REQUIREMENTS = ROOT / "requirements.txt"
# Dev-group packages nothing at runtime needs (pyyaml is in the dev group but also a runtime dependency's).
TEST_ONLY = ("pytest", "pytest-timeout", "hypothesis", "schemathesis", "playwright", "ruff", "feedgen", "feedparser",
             "reader", "reportlab", "uv")  # fmt: skip


def regenerate(folder) -> str:
    """requirements.txt as `make requirements` writes it, from pyproject.toml and uv.lock alone."""
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / name, folder / name)
    [recipe] = run_target("requirements")
    argv = shlex.split(recipe.replace("$(BIN)/uv", uv_binary()))
    done = subprocess.run(argv, cwd=folder, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return (folder / "requirements.txt").read_text(encoding="utf-8")


def pins(text: str) -> dict[str, str]:
    """name (normalised) -> pinned version, of every requirement line."""
    out = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, sep, version = line.split(";")[0].strip().partition("==")
            assert sep, f"not pinned: {line!r}"
            out[re.sub(r"[-_.]+", "-", name).lower()] = version.strip()
    return out


def test_requirements_txt_is_what_the_lock_gives_today(tmp_path):
    assert REQUIREMENTS.read_text(encoding="utf-8") == regenerate(tmp_path), (
        "requirements.txt has drifted from uv.lock: run `make requirements`"
    )


def test_it_pins_the_runtime_dependencies_and_no_dev_tool():
    pinned = pins(REQUIREMENTS.read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for spec in project["project"]["dependencies"]:
        name, version = spec.split(";")[0].split("==")  # a marker after ";" (the Python it needs)
        assert pinned.get(re.sub(r"[-_.]+", "-", name).lower()) == version.strip(), spec
    for name in TEST_ONLY:
        assert name not in pinned, f"{name} is a dev tool"
    assert "arxiv-rss" not in pinned and "-e ." not in REQUIREMENTS.read_text(encoding="utf-8")
