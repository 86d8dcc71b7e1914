"""The "Deploy with Vercel" button for a repository (pure).

Vercel's clone URL (https://vercel.com/docs/deploy-button) names the repository to copy,
the variables it asks for, and the store to add. Only `CRON_SECRET` has to be typed in: the
service runs without an LLM key (papers are served without summaries), so the key is left
for the project's settings. `VERCEL_PYTHON_COMPILEALL` comes filled in (`PROJECT_DEFAULTS`):
with it Vercel's Python builder ships the function's modules compiled, so a cold start
does not compile them (docs/internals.md measures it). The Upstash integration adds the
store's variables itself.

`splice_button` rewrites the button between its README markers, so a fork's README, once
its daily Action has run, deploys that fork and not the repository it came from.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

START = "<!-- deploy-button:start -->"
END = "<!-- deploy-button:end -->"
CLONE = "https://vercel.com/new/clone"
STORES = '[{"type":"integration","integrationSlug":"upstash","productSlug":"upstash-kv"}]'
GITHUB = re.compile(r"^https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
OWNER_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
# Non-secret project variables the button fills in (the user may change them).
PROJECT_DEFAULTS = {"VERCEL_PYTHON_COMPILEALL": "1"}


def repository_address(configured: str, github_repository: str = "") -> str:
    """The repository to deploy as an https GitHub address: `repository` from config.json
    (a URL or `owner/name`), else the Action's GITHUB_REPOSITORY, else ""."""
    for value in (configured.strip().removesuffix(".git"), github_repository.strip()):
        if GITHUB.match(value):
            return value
        if OWNER_NAME.match(value):
            return f"https://github.com/{value}"
    return ""


def button_url(repository: str) -> str:
    query = {
        "repository-url": repository,
        "env": ",".join(["CRON_SECRET", *PROJECT_DEFAULTS]),
        "envDefaults": json.dumps(PROJECT_DEFAULTS, separators=(",", ":")),
        "envDescription": "CRON_SECRET protects the daily refresh: any long random string. "
        "VERCEL_PYTHON_COMPILEALL=1 (filled in) ships the code compiled, for faster cold starts. "
        "The LLM key for summaries is optional; add it in the project's settings.",
        "envLink": f"{repository}#environment",
        "project-name": repository.rsplit("/", 1)[-1],
        "stores": STORES,
    }
    return f"{CLONE}?{urlencode(query)}"


def button_markdown(repository: str) -> str:
    return f"[![Deploy with Vercel](https://vercel.com/button)]({button_url(repository)})"


def splice_button(readme: str, repository: str) -> str:
    """`readme` with the button between its markers pointing at `repository` (unchanged
    when it has no markers or no repository is known)."""
    if not repository or START not in readme or END not in readme:
        return readme
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{button_markdown(repository)}\n{END}{tail}"
