"""The deployment's public origin (`https://host[:port]`), for the links in feeds, OPML
and the page, which caches keep: it comes from configuration, not from the client.

In order:

    ARXIV_RSS_PUBLIC_URL            an explicit origin, e.g. https://feeds.example.org
    on Vercel (VERCEL set)          https:// + VERCEL_PROJECT_PRODUCTION_URL in production
                                    (VERCEL_ENV=production), else VERCEL_URL (this deployment)
    otherwise                       the request's own Host (checked to be host[:port]) and
                                    scheme, which the response then varies on (`Vary: Host`)

The forwarded headers X-Forwarded-Proto and X-Forwarded-Host are trusted only with
ARXIV_RSS_TRUST_FORWARDED=1 (a proxy in front that sets them), and then also varied on.
A bad value is a ConfigError naming its variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.requests import Request

from core.errors import ConfigError

PUBLIC_URL_VAR = "ARXIV_RSS_PUBLIC_URL"
TRUST_FORWARDED_VAR = "ARXIV_RSS_TRUST_FORWARDED"
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")
_YES, _NO = ("1", "true", "yes"), ("", "0", "false", "no")


@dataclass(frozen=True)
class OriginConfig:
    """`fixed`: the configured origin ("" = from the request); `trust_forwarded`: whether
    X-Forwarded-Proto/-Host may name it."""

    fixed: str = ""
    trust_forwarded: bool = False


@dataclass(frozen=True)
class Origin:
    """The base URL for a response's links and the request headers it was taken from
    (for `Vary`; empty when it came from configuration)."""

    base: str
    vary: tuple[str, ...] = ()


def origin_config(environ: Mapping[str, str], on_vercel: bool | None = None) -> OriginConfig:
    """The origin settings in `environ` (see the module docstring); `on_vercel` defaults to
    whether VERCEL is set there. Raises ConfigError naming the variable."""
    trust = environ.get(TRUST_FORWARDED_VAR, "").strip().lower()
    if trust not in _YES + _NO:
        raise ConfigError(TRUST_FORWARDED_VAR, f"{trust[:40]!r} is not 1 or 0")
    vercel = bool(environ.get("VERCEL")) if on_vercel is None else on_vercel
    return OriginConfig(_fixed_origin(environ, vercel), trust in _YES)


def _fixed_origin(environ: Mapping[str, str], on_vercel: bool) -> str:
    explicit = environ.get(PUBLIC_URL_VAR, "").strip()
    if explicit:
        return _checked_origin(explicit, PUBLIC_URL_VAR)
    if not on_vercel:
        return ""
    production = environ.get("VERCEL_ENV", "production") == "production"
    for var in ("VERCEL_PROJECT_PRODUCTION_URL", "VERCEL_URL") if production else ("VERCEL_URL",):
        host = environ.get(var, "").strip()
        if host:
            return _checked_origin("https://" + host.removeprefix("https://"), var)
    return ""


def _checked_origin(url: str, var: str) -> str:
    """`url` as scheme://host[:port], lower-cased, no trailing slash. Raises ConfigError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not _HOST.match(parts.netloc):
        raise ConfigError(var, f"{url[:80]!r} is not an http(s) origin such as https://feeds.example.org")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(
            var, f"{url[:80]!r} has a path or query; give the origin only, e.g. https://feeds.example.org"
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def request_origin(request: Request, config: OriginConfig) -> Origin:
    """Where this response's links point: the configured origin, else the request's Host
    and scheme (and, when trusted, its X-Forwarded-Proto and X-Forwarded-Host). A Host that
    is not a plain host[:port] falls back to the server's own address."""
    if config.fixed:
        return Origin(config.fixed)
    # The scheme may come from a proxy too: uvicorn applies X-Forwarded-Proto from the
    # addresses its --forwarded-allow-ips trusts (loopback by default).
    headers, vary = request.headers, ["Host", "X-Forwarded-Proto"]
    scheme, host = request.url.scheme, headers.get("host", "")
    if config.trust_forwarded:
        vary.append("X-Forwarded-Host")
        proto = headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        scheme = proto if proto in ("http", "https") else scheme
        host = headers.get("x-forwarded-host", "").split(",")[0].strip() or host
    if not _HOST.match(host):
        server = request.scope.get("server") or ("localhost", None)
        host = server[0] if not server[1] else f"{server[0]}:{server[1]}"
    return Origin(f"{scheme}://{host}", tuple(vary))
