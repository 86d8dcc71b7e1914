"""Cold start of the deployed function: process start to the first `/feed` answer, against a
one-route FastAPI app built the same way.

Both are built by the real Vercel CLI (`vercel build`, the pinned version, same uv and
Python) and run by the same stand-in for Vercel's Python runtime as the deploy test
(tests/support/vercel_runtime.py): a fresh interpreter in the function's folder, the
runtime's handler module as entry point, the bundle read-only, loopback only, the store on
the Upstash stand-in. Timed from spawning the interpreter to the end of the first answer
(`/feed` for the app, `/` for the baseline); runs alternate between the two. Measured twice:
built as a project without settings (every cold start compiles the modules it imports), and
as the Deploy button's project (core.feeds.deploy.PROJECT_DEFAULTS: the builder ships
compiled bytecode), each pair built the same way.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from benchmarks.report import Result, median
from core.feeds.deploy import PROJECT_DEFAULTS
from tests.support import vercel
from tests.support.vercel_runtime import invoke, sandbox_prefix

BASELINE_APP = """from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root():
    return {"ok": True}
"""
METRIC = "cold start on Vercel's runtime: process start to first /feed"


def _baseline_project(dest: Path) -> None:
    fastapi = next(d for d in _project_dependencies() if d.startswith("fastapi=="))
    (dest / "api").mkdir(parents=True)
    (dest / "api" / "index.py").write_text(BASELINE_APP)
    (dest / ".python-version").write_text((vercel.ROOT / ".python-version").read_text())
    (dest / "pyproject.toml").write_text(
        f'[project]\nname = "baseline"\nversion = "0"\nrequires-python = ">=3.11"\ndependencies = ["{fastapi}"]\n'
    )
    (dest / "vercel.json").write_text(json.dumps({"rewrites": [{"source": "/(.*)", "destination": "/api/index"}]}))


def _project_dependencies() -> list[str]:
    import tomllib

    return tomllib.loads((vercel.ROOT / "pyproject.toml").read_text())["project"]["dependencies"]


def vercel_coldstart_results(runs: int = 5) -> list[Result]:
    try:
        cli, python = vercel.vercel_cli(), vercel.pinned_python()
    except vercel.Unavailable as exc:
        return [Result.skip(METRIC, "s", str(exc))]
    if sandbox_prefix() is None:
        return [Result.skip(METRIC, "s", "unshare cannot make a network and mount namespace here")]
    out = []
    for label, project_env in (("", None), (", built as the Deploy button's project", PROJECT_DEFAULTS)):
        with tempfile.TemporaryDirectory(prefix="bench-vercel-") as tmp:
            out += _measured(Path(tmp), cli, python, runs, label, project_env)
    return out


def _measured(work: Path, cli, python: str, runs: int, label: str, project_env: dict | None) -> list[Result]:
    app_project, base_project = work / "app", work / "baseline"
    vercel.copy_tree(app_project)
    _baseline_project(base_project)
    bundles = {}
    for name, project in (("app", app_project), ("baseline", base_project)):
        built = vercel.build(cli, project, None, project_env)
        dest = work / f"task-{name}"
        dest.mkdir()
        bundles[name] = built.materialize("api/index", dest)
    app_runs, base_runs = [], []
    for _ in range(runs):
        app = invoke(bundles["app"], python, {}, [{"path": "/feed"}])
        base = invoke(bundles["baseline"], python, {}, [{"path": "/"}], seed_days=0)
        if app["responses"][0]["status"] != 200 or base["responses"][0]["status"] != 200:
            raise RuntimeError(f"a cold-start request did not answer 200: {app['responses']} {base['responses']}")
        app_runs.append(app)
        base_runs.append(base)
    how = f"VERCEL_PYTHON_COMPILEALL={project_env['VERCEL_PYTHON_COMPILEALL']}, " if project_env else ""
    return [
        Result(
            METRIC + label,
            median([r["first_s"] for r in app_runs]),
            "s",
            median([r["first_s"] for r in base_runs]),
            target=1.3,
            note=f"baseline: a one-route FastAPI app built the same way ({how}median of {runs} runs each)",
        ),
        Result(
            "cold start on Vercel's runtime: process start to server-started" + label,
            median([r["ready_s"] for r in app_runs]),
            "s",
            median([r["ready_s"] for r in base_runs]),
        ),
    ]
