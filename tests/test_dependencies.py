"""The runtime set in pyproject.toml is exactly what the shipped code imports: nothing that
only tests or benchmarks use ships to Vercel, and nothing the function imports is missing."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.conftest import ROOT

# Imported by the standard library rather than by name: zoneinfo reads tzdata when the
# system has no time-zone database (as on Vercel's runtime).
IMPLICIT = {"tzdata"}
# In the standard library of a later Python, imported there when the backport is absent.
LATER_STDLIB = {"compression"}  # Python 3.14; backports.zstd before
# Shipped for the files it holds, never imported: the wordllama wheel's model (its tokenizer
# and weights, read by core.embed.static).
FILES_ONLY = {"wordllama"}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_dependencies() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {normalise(re.split(r"[=<>!~\[; ]", dep, maxsplit=1)[0]) for dep in project["dependencies"]}


def imported_distributions() -> set[str]:
    owners = packages_distributions()
    found = set()
    for path in [p for top in ("core", "api", "cli") for p in (ROOT / top).rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in LATER_STDLIB or top in ("api", "cli", "core"):
                    continue
                found.update(normalise(d) for d in owners.get(top, [top]))
    return found


def test_the_runtime_set_is_what_core_api_and_cli_import():
    assert runtime_dependencies() - IMPLICIT - FILES_ONLY == imported_distributions()


def test_test_only_packages_stay_in_the_dev_group():
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]["dev"]
    assert {"feedgen", "feedparser", "pytest"} <= {normalise(re.split(r"[=<>]", d, maxsplit=1)[0]) for d in dev}
    assert not {"feedgen", "feedparser"} & runtime_dependencies()


def test_the_lock_is_committed_and_pins_every_runtime_dependency():
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    locked = {normalise(p["name"]): p["version"] for p in lock["package"]}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for dep in project["dependencies"]:
        name, version = dep.split(";")[0].split("==")  # a marker after ";" (the Python it needs)
        assert locked[normalise(name)] == version.strip(), dep
    assert (ROOT / ".python-version").read_text().strip() == "3.12"
