"""The real Vercel CLI building this repository, and its output laid out as a deployment.

    cli = vercel_cli()                          # raises Unavailable without npm
    copy_tree(project)                          # a clean copy of this working tree
    out = build(cli, project, framework=None)   # `vercel build` with those project settings
    out.function("api/index")                   # the one Python function: config, bundle files
    out.materialize("api/index", dest)          # its files as /var/task would hold them

The CLI (pinned, from npm) is installed once into a cache folder shared by runs on one
machine (`ARXIV_RSS_TOOL_CACHE`, default `~/.cache/arxiv-rss`). The build gets `uv` from
this venv and the Python pinned in `.python-version` (found by `.ci/python`, which skips
pyenv shims that do not run), first on PATH, and no VERCEL_* variables from the caller.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VERCEL_CLI_VERSION = "58.10.0"
BUILD_TIMEOUT = 600


def tool_cache() -> Path:
    return Path(os.environ.get("ARXIV_RSS_TOOL_CACHE") or Path.home() / ".cache" / "arxiv-rss")


class Unavailable(RuntimeError):
    """A tool the build needs is missing here (the message says which, and how to get it)."""


class BuildFailed(RuntimeError):
    """`vercel build` failed; the message holds the end of its output."""


def vercel_cli() -> Path:
    """The pinned Vercel CLI, installed with npm into the tool cache on first use."""
    prefix = tool_cache() / f"vercel-{VERCEL_CLI_VERSION}"
    cli = prefix / "node_modules" / ".bin" / "vercel"
    if cli.exists():
        return cli
    npm = shutil.which("npm")
    if npm is None:
        raise Unavailable("npm not found: install Node.js 20+ to run the Vercel build")
    prefix.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), f"vercel@{VERCEL_CLI_VERSION}"],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    if done.returncode != 0 or not cli.exists():
        raise Unavailable(f"npm install vercel@{VERCEL_CLI_VERSION} failed: {done.stderr.strip()[-800:]}")
    return cli


def pinned_python() -> str:
    """A Python of the version in .python-version that really runs (what Vercel deploys)."""
    done = subprocess.run([str(ROOT / ".ci" / "python")], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise Unavailable(done.stderr.strip())
    return done.stdout.strip()


def uv_binary() -> str:
    """`uv` from this venv (the dev group pins it), else from PATH."""
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        raise Unavailable("uv not found: `make test` installs it into .venv (pip install uv)")
    return found


def tool_path(bin_dir: Path) -> str:
    """PATH for the build: the pinned Python as `python3.12`/`python3`, uv and node first."""
    python = pinned_python()
    bin_dir.mkdir(parents=True, exist_ok=True)
    version = Path(python).name.removeprefix("python") or "3"
    for name in (f"python{version}", "python3", "python"):
        link = bin_dir / name
        if not link.exists():
            link.symlink_to(python)
    node = shutil.which("node")
    dirs = [str(bin_dir), str(Path(uv_binary()).parent)] + ([str(Path(node).parent)] if node else [])
    return os.pathsep.join(dirs + ["/usr/local/bin", "/usr/bin", "/bin"])


def copy_tree(dest: Path) -> None:
    """What a clean clone of this working tree holds: tracked files plus new files git does not ignore."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.split(b"\0")
    for raw in filter(None, listed):
        rel = raw.decode()
        src = ROOT / rel
        if not src.is_file():  # deleted in the working tree but not yet in the index
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)


@dataclass(frozen=True)
class Function:
    name: str
    config: dict
    directory: Path

    @property
    def files(self) -> dict[str, str]:
        """Bundle path -> source path (relative to the project) of every file the function ships."""
        return self.config.get("filePathMap", {})


@dataclass(frozen=True)
class BuildOutput:
    project: Path
    log: str

    @property
    def output(self) -> Path:
        return self.project / ".vercel" / "output"

    @property
    def routes(self) -> list[dict]:
        return json.loads((self.output / "config.json").read_text())["routes"]

    @property
    def crons(self) -> list[dict]:
        return json.loads((self.output / "config.json").read_text()).get("crons", [])

    def functions(self) -> list[str]:
        base = self.output / "functions"
        return sorted(str(p.relative_to(base)).removesuffix(".func") for p in base.rglob("*.func"))

    def function(self, name: str) -> Function:
        directory = self.output / "functions" / f"{name}.func"
        return Function(name, json.loads((directory / ".vc-config.json").read_text()), directory)

    def static_files(self) -> list[str]:
        base = self.output / "static"
        return sorted(str(p.relative_to(base)) for p in base.rglob("*") if p.is_file()) if base.exists() else []

    def materialize(self, name: str, dest: Path) -> Path:
        """Lay the function out as the platform does (/var/task): its own folder's files plus
        every file of its filePathMap, each copied from the project to its bundle path."""
        function = self.function(name)
        for entry in function.directory.iterdir():
            if entry.name != ".vc-config.json":
                shutil.copy2(entry, dest / entry.name)
        for bundle_path, source in function.files.items():
            target = dest / bundle_path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.project / source, target)
        return dest


def build(cli: Path, project: Path, framework: str | None, project_env: dict[str, str] | None = None) -> BuildOutput:
    """`vercel build` in `project`, whose Vercel project settings hold only `framework`
    (as a project created from the Deploy button would) and whose environment variables
    are `project_env` (the builder reads them from its environment). Raises BuildFailed
    with the build's own output when it fails."""
    (project / ".vercel").mkdir()
    settings = {"settings": {"framework": framework}}
    (project / ".vercel" / "project.json").write_text(json.dumps(settings))
    # The caller's environment (certificates, proxies, caches) without Vercel's own variables.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERCEL", "NOW_"))}
    env |= {
        "PATH": tool_path(project.parent / "bin"),
        "VERCEL_TELEMETRY_DISABLED": "1",
        "UV_PYTHON_DOWNLOADS": "never",
        "NO_COLOR": "1",
    }
    env |= project_env or {}
    done = subprocess.run(
        [str(cli), "build", "--yes"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    log = done.stdout + done.stderr
    if done.returncode != 0:
        raise BuildFailed(f"vercel build (framework={framework!r}) failed:\n{log[-3000:]}")
    return BuildOutput(project, log)
