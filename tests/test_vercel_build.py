"""The deploy a user gets from the Deploy button: the real Vercel CLI builds a clean copy of
this tree, with the project's framework setting `fastapi` (what Vercel picks on import)
and unset, and the built function, run the way Vercel's Python runtime runs it, answers
every route. Marked `vercel`; CI sets REQUIRE_VERCEL=1 so it can never be skipped there."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from core.feeds.deploy import PROJECT_DEFAULTS
from tests.support import vercel
from tests.support.redis_server import redis_server_binary
from tests.support.required import missing
from tests.support.vercel_runtime import UPSTASH_TOKEN, invoke, sandbox_prefix

pytestmark = pytest.mark.vercel

FUNCTION = "api/index"
CRON_SECRET = "s3cret-cron-token-for-the-vercel-test"
STATIC = ["static/app.css", "static/app.js", "static/icon.svg"]
SHIPPED_TOP_LEVEL = {"api", "core", "config.json", "pyproject.toml", ".python-version", "vercel.json"}
ROUTES = [
    ("/", "text/html; charset=utf-8"),
    ("/feed", "application/rss+xml; charset=utf-8"),
    ("/rss", "application/rss+xml; charset=utf-8"),
    ("/feed/cs.LG", "application/rss+xml; charset=utf-8"),
    ("/rss/cs.LG", "application/rss+xml; charset=utf-8"),
    ("/feed/keyword/LLM", "application/rss+xml; charset=utf-8"),
    ("/opml", "text/x-opml; charset=utf-8"),
    ("/api/health", "application/json"),
    ("/feed?format=atom", "application/atom+xml; charset=utf-8"),
    ("/feed?format=json", "application/feed+json; charset=utf-8"),
    ("/static/app.js", "text/javascript; charset=utf-8"),
    ("/static/app.css", "text/css; charset=utf-8"),
    ("/static/icon.svg", "image/svg+xml"),
]


@pytest.fixture(scope="module")
def workdir():
    # Not pytest's tmp_path: the sandboxed runtime bind-mounts the bundle, and the build
    # caches uv downloads in the user's cache as it would anywhere.
    path = Path(tempfile.mkdtemp(prefix="vercel-build-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def unavailable(reason: str):
    missing(reason, "REQUIRE_VERCEL")


@pytest.fixture(scope="module")
def python() -> str:
    try:
        return vercel.pinned_python()
    except vercel.Unavailable as exc:
        unavailable(str(exc))


@pytest.fixture(scope="module")
def builds(workdir, python) -> dict[str | None, vercel.BuildOutput]:
    try:
        cli = vercel.vercel_cli()
    except vercel.Unavailable as exc:
        unavailable(str(exc))
    out = {}
    for framework in ("fastapi", None):
        project = workdir / f"project-{framework or 'unset'}"
        vercel.copy_tree(project)
        out[framework] = vercel.build(cli, project, framework, PROJECT_DEFAULTS)  # as the button fills them in
    return out


@pytest.fixture(scope="module")
def bundle(builds, workdir) -> Path:
    dest = workdir / "task"
    dest.mkdir()
    return builds[None].materialize(FUNCTION, dest)


@pytest.fixture(scope="module")
def served(bundle, python) -> dict:
    redis_server_binary()  # the store behind the function; skips, or fails under REQUIRE_REDIS=1
    if sandbox_prefix() is None:
        unavailable("unshare cannot make a network and mount namespace (needed to run the function offline)")
    paths = [{"path": path} for path, _ in ROUTES]
    paths += [
        {"path": "/feed?interest=sparse%20attention%20for%20LLM%20inference&format=json"},
        {"path": "/api/cron"},
        {"path": "/api/cron", "headers": {"authorization": "Bearer wrong"}},
        {"path": "/no/such/page"},
    ]
    return invoke(bundle, python, {"CRON_SECRET": CRON_SECRET}, paths)


@pytest.mark.parametrize("framework", ["fastapi", None])
def test_build_succeeds_with_one_python_function(builds, framework):
    out = builds[framework]
    assert out.functions() == [FUNCTION]
    function = out.function(FUNCTION)
    assert function.config["runtime"] == "python3.12"
    assert function.config["handler"] == "vc__handler__python.vc_handler"
    assert function.config["maxDuration"] == 300
    assert "Internal rewrites" not in out.log  # the backend-framework routing warning


@pytest.mark.parametrize("framework", ["fastapi", None])
def test_the_build_installs_from_the_lock_though_requirements_txt_is_there(builds, framework):
    # requirements.txt (for pip users) is made from uv.lock; Vercel's builder takes
    # pyproject.toml + uv.lock over it, and says which it installs from.
    out = builds[framework]
    assert (out.project / "requirements.txt").is_file() and (out.project / "uv.lock").is_file()
    assert "Installing required dependencies from uv.lock..." in out.log
    assert "from requirements.txt" not in out.log


@pytest.mark.parametrize("framework", ["fastapi", None])
def test_bundle_holds_the_app_and_its_dependencies_only(builds, framework):
    files = builds[framework].function(FUNCTION).files
    top = {path.split("/", 1)[0] for path in files if not path.startswith("_vendor/")}
    assert top == SHIPPED_TOP_LEVEL
    vendored = {path.split("/")[1] for path in files if path.startswith("_vendor/")}
    for package in ("fastapi", "starlette", "httpx", "upstash_redis", "nh3", "vercel_runtime"):
        assert package in vendored, package
    for test_only in ("feedgen", "feedparser", "pytest", "playwright", "hypothesis", "uv"):
        assert test_only not in vendored, test_only
    # What wordllama and tokenizers declare but the app never runs (pyproject.toml's
    # [tool.uv.dependency-metadata]); urllib3 there would be imported by every cold start.
    for unused in ("requests", "urllib3", "huggingface_hub", "hf_xet", "fsspec", "safetensors", "yaml"):
        assert unused not in vendored, unused


@pytest.mark.parametrize("framework", ["fastapi", None])
def test_the_button_s_project_ships_its_modules_compiled(builds, framework):
    # VERCEL_PYTHON_COMPILEALL=1, which the Deploy button fills in: a cold start then runs
    # bytecode instead of compiling every module it imports.
    out = builds[framework]
    assert "Compiling Python bytecode..." in out.log
    files = out.function(FUNCTION).files
    sources = [p for p in files if p.startswith(("api/", "core/")) and p.endswith(".py")]
    assert len(sources) > 50
    for source in sources:
        folder, name = source.rsplit("/", 1)
        assert f"{folder}/__pycache__/{name[:-3]}.cpython-312.pyc" in files, source


@pytest.mark.parametrize("framework", ["fastapi", None])
def test_only_the_page_assets_are_published_as_static_files(builds, framework):
    out = builds[framework]
    assert out.static_files() == STATIC
    # Static files first, then every other path to the one function, which sees the user's path.
    dests = [r.get("dest") for r in out.routes if "src" in r and r.get("dest")]
    assert "/api/index" in dests
    assert not any("transforms" in r for r in out.routes)
    assert {c["path"] for c in out.crons} == {"/api/cron"}


def test_both_framework_settings_build_the_same_deployment(builds):
    fastapi, unset = builds["fastapi"], builds[None]
    assert fastapi.routes == unset.routes
    assert fastapi.function(FUNCTION).files.keys() == unset.function(FUNCTION).files.keys()


def test_the_build_writes_nothing_the_repository_does_not_hold(builds):
    # Vercel writes .python-version and uv.lock when the repository lacks them; both are committed.
    # The bytecode it compiles beside the sources (__pycache__, which git ignores) is the one exception.
    for out in builds.values():
        new = sorted(
            str(p.relative_to(out.project))
            for p in out.project.rglob("*")
            if p.is_file()
            and not {".vercel", "__pycache__"} & set(p.relative_to(out.project).parts)
            and not (vercel.ROOT / p.relative_to(out.project)).exists()
        )
        assert new == [], new


def test_the_bare_runtime_interpreter_has_no_app_dependencies(python):
    # So the function below can only import FastAPI from what the build bundled.
    done = subprocess.run([python, "-s", "-c", "import fastapi"], capture_output=True, timeout=60)
    assert done.returncode != 0


@pytest.mark.parametrize(("path", "content_type"), ROUTES)
def test_the_built_function_answers(served, path, content_type):
    response = next(r for r in served["responses"] if r["path"] == path)
    assert response["status"] == 200, (path, response["body"][:500])
    assert response["headers"]["content-type"] == content_type


def test_feeds_from_the_built_function_hold_the_seeded_papers(served):
    by_path = {r["path"]: r for r in served["responses"]}
    assert by_path["/feed"]["body"].count("<item>") > 0
    assert json.loads(by_path["/feed?format=json"]["body"])["items"]
    assert json.loads(by_path["/api/health"]["body"])["store"]["backend"] == "upstash"


def test_the_built_function_ranks_by_meaning_with_the_bundled_model_offline(served):
    response = next(r for r in served["responses"] if r["path"].startswith("/feed?interest="))
    assert response["status"] == 200, response["body"][:500]
    items = json.loads(response["body"])["items"]
    assert items and all("Similarity:" in item["content_html"] for item in items)


@pytest.mark.parametrize("framework", ["fastapi", None])
def test_the_bundle_stays_well_under_the_function_size_limit(builds, framework):
    out = builds[framework]
    sizes = {path: (out.project / src).stat().st_size for path, src in out.function(FUNCTION).files.items()}
    code = sum(size for path, size in sizes.items() if not path.endswith(".pyc"))
    assert code < 200 * 1024 * 1024, f"{code / 2**20:.0f} MiB"
    # The builder adds bytecode only up to its own ceiling (220 MiB); Vercel's limit is 250 MB unzipped.
    assert sum(sizes.values()) < 225 * 1024 * 1024, f"{sum(sizes.values()) / 2**20:.0f} MiB"


def test_the_built_function_refuses_the_cron_without_its_secret(served):
    cron = [r for r in served["responses"] if r["path"] == "/api/cron"]
    assert [r["status"] for r in cron] == [401, 401]
    assert all("CRON_SECRET" in r["body"] for r in cron)
    missing = next(r for r in served["responses"] if r["path"] == "/no/such/page")
    assert missing["status"] == 404 and "Traceback" not in missing["body"]


def test_the_built_function_speaks_the_runtime_protocol(served):
    kinds = [m["type"] for m in served["messages"]]
    assert kinds.count("server-started") == 1
    assert kinds.count("handler-started") == kinds.count("end") == len(served["responses"])


def test_no_secret_or_store_address_reaches_the_function_output(served):
    logged = json.dumps(served["messages"]) + served["stderr"]
    answered = json.dumps(served["responses"])
    for secret in (CRON_SECRET, UPSTASH_TOKEN, served["upstash_url"]):
        assert secret not in logged
        assert secret not in answered
