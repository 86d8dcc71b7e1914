"""The "Deploy with Vercel" button for a repository (pure).

Vercel's clone URL (https://vercel.com/docs/deploy-button) names the repository to copy,
the variables it asks for, and the store to add. Only `CRON_SECRET` is required: the
service runs without an LLM key (papers are served without summaries), so the key is left
for the project's settings. The Upstash integration adds the store's variables itself.

`splice_button` rewrites the button between its README markers, so a fork's README, once
its daily Action has run, deploys that fork and not the repository it came from.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

START = "<!-- deploy-button:start -->"
END = "<!-- deploy-button:end -->"
CLONE = "https://vercel.com/new/clone"
STORES = '[{"type":"integration","integrationSlug":"upstash","productSlug":"upstash-kv"}]'
GITHUB = re.compile(r"^https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
OWNER_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


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
        "env": "CRON_SECRET",
        "envDescription": "CRON_SECRET protects the daily refresh: any long random string. "
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
