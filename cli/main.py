"""`python -m cli <command>`: refresh, digest, deploy-button, status, summarize, feed, profile, serve.

Errors are one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from core import log
from core.errors import ArxivRssError, ConfigError, RefreshRunning, UpstreamError
from core.feeds.channel import plural

EXIT_ERROR, EXIT_USAGE, EXIT_UPSTREAM = 1, 2, 3


def whole_number(text: str) -> int:
    """An argparse type: ASCII digits only (`int` would also take "١٠" as 10)."""
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not a whole number in ASCII digits")
    return int(text)


CONFIG_HELP = "config file (env ARXIV_RSS_CONFIG, default config.json)"


def _common() -> argparse.ArgumentParser:
    """The options every command takes after its name too (`status --config X`). Their
    default is SUPPRESS, so an option given before the command is not reset by the
    subcommand's parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help=CONFIG_HELP)
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cli", description="arXiv announcements as scored feeds.")
    parser.add_argument("--config", default=None, help=CONFIG_HELP)
    common = [_common()]
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    p = sub.add_parser(
        "refresh", help="pull the latest arXiv announcement, score, store and summarise it", parents=common
    )
    p.add_argument(
        "--days",
        type=whole_number,
        default=0,
        metavar="N",
        help="also backfill up to N missed announcement days from arXiv's query API",
    )
    p.add_argument(
        "--allow-stale",
        action="store_true",
        help="when arXiv cannot be reached but an earlier refresh left data, say so and exit 0 "
        "(what `make run` does, to serve the last good data)",
    )
    p = sub.add_parser("digest", help="write the Markdown digest", parents=common)
    p.add_argument(
        "--output",
        default=".data/digest.md",
        help="file to write (default .data/digest.md); an existing file with digest markers "
        "keeps its text outside them",
    )
    p = sub.add_parser(
        "deploy-button", help="print the Deploy with Vercel button (Markdown) for a repository", parents=common
    )
    p.add_argument(
        "repository",
        nargs="?",
        default="",
        help="https://github.com/owner/name or owner/name (default: config.json's repository, else $GITHUB_REPOSITORY)",
    )
    sub.add_parser("status", help="show the last refresh status per category", parents=common)
    sub.add_parser("summarize", help="finish pending summaries without fetching arXiv", parents=common)
    p = sub.add_parser("feed", help="print a feed for a query, e.g. feed keywords=LLM format=atom", parents=common)
    p.add_argument("params", nargs="*", metavar="key=value")
    p.add_argument("--path", default="/feed", help="feed path, e.g. /feed/cs.AI (default /feed)")
    _profile_parser(sub, common)
    p = sub.add_parser("serve", help="serve the feeds and the web page locally", parents=common)
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: all)"
    )
    p.add_argument("--port", type=whole_number, default=8000, help="port to listen on (default 8000)")
    p.add_argument(
        "--workers",
        type=whole_number,
        default=1,
        help="worker processes (default 1); with more, /api/cron needs CRON_SECRET even from this machine",
    )
    return parser


def _profile_parser(sub, common: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("profile", help="saved personal feeds: create, show, delete", parents=common)
    verbs = p.add_subparsers(dest="verb", required=True, metavar="verb")
    c = verbs.add_parser(
        "create", help="make a profile; prints its feed URL and its edit URL, one per line", parents=common
    )
    c.add_argument("--interest", default="", help="what you want to read about, in words (at most 500 characters)")
    c.add_argument("--like", default="", metavar="IDS", help="arXiv ids or abs URLs, comma-separated")
    c.add_argument("--import", dest="library", default="", metavar="FILE", help="BibTeX, RIS, CSL JSON or id list")
    c.add_argument(
        "--import-format",
        default="",
        choices=["bibtex", "ris", "csl-json", "ids"],
        help="the --import file's format (default: told by its name and contents)",
    )
    c.add_argument("--keywords", default="", help="comma list: keyword boost in hybrid ranking")
    c.add_argument("--categories", default="", help="comma list of served categories (default all)")
    c.add_argument("--authors", default="", help="comma list of author names")
    c.add_argument("--rank", default="hybrid", choices=["hybrid", "meaning"])
    c.add_argument("--days", type=whole_number, default=3, help="announcement days the feed covers (default 3)")
    c.add_argument("--limit", type=whole_number, default=30, help="papers in the feed (default 30)")
    c.add_argument(
        "--base",
        default="",
        metavar="URL",
        help="the address the printed URLs start with, e.g. http://127.0.0.1:8080 when serve runs on port 8080 "
        "(default: ARXIV_RSS_PUBLIC_URL, else http://127.0.0.1:8000, where serve listens by default)",
    )
    for verb, text in (("show", "print a profile (never its vectors)"), ("delete", "delete a profile")):
        v = verbs.add_parser(verb, help=text, parents=common)
        v.add_argument("id", help="the feed id (or the feed URL, or the edit token)")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    log.setup(os.environ.get("LOG_LEVEL", "WARNING").upper())
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except RefreshRunning as exc:
        return _fail(str(exc), EXIT_ERROR)
    except UpstreamError as exc:
        return _fail(f"arXiv could not be reached: {exc}", EXIT_UPSTREAM)
    except ArxivRssError as exc:
        return _fail(str(exc), EXIT_ERROR)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as exc:  # the edge: never a traceback for a user
        log.logger.debug("unexpected error", exc_info=True)
        return _fail(f"unexpected {exc.__class__.__name__}: {exc}", EXIT_ERROR)


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _context(args):
    from core.context import load_context

    return load_context(args.config)


def cmd_refresh(args) -> int:
    from core.refresh.jobs import refresh_job

    if args.days < 0 or args.days > 60:
        raise ConfigError("--days", "must be a whole number from 0 to 60")
    ctx = _context(args)
    with _progress("Refreshing from arXiv"):
        report = refresh_job(ctx, backfill_days=args.days, on_wait=lambda line: print(line, file=sys.stderr))
    if report.get("status") == "upstream-error":
        reason = f"arXiv could not be reached: {report.get('error', 'unknown error')}"
        held = _held_data(ctx)
        if not held:
            return _fail(f"{reason}; there is no earlier data to serve", EXIT_UPSTREAM)
        if not args.allow_stale:
            return _fail(f"{reason}; {held}", EXIT_UPSTREAM)
        print(f"refresh: {reason}; {held}")
        return 0
    from core.store.layout import read_manifest

    print(describe_report(report, read_manifest(ctx.store)))
    return 0


def _held_data(ctx) -> str:
    """A line saying the last good data is served, naming the newest announcement held and
    when a refresh last brought papers; "" when no refresh ever stored any."""
    from core.store.layout import read_manifest

    manifest = read_manifest(ctx.store)
    if not manifest.days:
        return ""
    updated = [rec.get("updated_at", "") for rec in manifest.categories.values() if isinstance(rec, dict)]
    when = max(updated, default="") or "at an unknown time"
    return f"the last good data is served: the announcement of {manifest.days[0].date}, refreshed {when}"


def describe_report(report: dict, manifest=None, now=None) -> str:
    """The refresh report as a few human lines; each category worded as `status` and the
    page word it, given the manifest published (else as an empty one) at `now`."""
    from core import calendar
    from core.models import Manifest

    manifest = manifest if manifest is not None else Manifest()
    now = now or calendar.now()
    lines = [f"refresh: {report.get('status', '?')}"]
    if report.get("announced"):
        lines[0] += f" (announcement of {report['announced']})"
    if report.get("detail"):
        lines[0] += f": {report['detail']}"
    if "papers" in report:
        lines.append(
            f"  papers stored: {report['papers']}, matched: {report.get('matched', 0)}, "
            f"malformed entries skipped: {report.get('skipped', 0)}"
        )
    for cat, rec in sorted(report.get("categories", {}).items()):
        lines.append(f"  {cat}: {_category_line(manifest, rec, now)}")
    backfill = report.get("backfill")
    if backfill:
        lines.append(
            f"  backfill: {len(backfill.get('missing_days', []))} missing day(s), "
            + plural(backfill.get("papers", 0), "paper")
            + (f", error: {backfill['error']}" if backfill.get("error") else "")
        )
    summaries = report.get("summaries")
    if summaries:
        lines.append(f"  {summaries.get('message') or 'summaries: ' + json.dumps(summaries, ensure_ascii=False)}")
    return "\n".join(lines)


def _repository(configured: str) -> str:
    from core.feeds.deploy import repository_address

    return repository_address(configured, os.environ.get("GITHUB_REPOSITORY", ""))


def cmd_deploy_button(args) -> int:
    from core.config import load_config
    from core.context import config_path
    from core.feeds.deploy import button_markdown

    repository = _repository(args.repository or load_config(config_path(args.config)).repository)
    if not repository:
        raise ConfigError(
            "repository",
            "no repository to deploy: pass https://github.com/owner/name, set `repository` in "
            "config.json, or run in a GitHub Action (GITHUB_REPOSITORY)",
        )
    print(button_markdown(repository))
    return 0


def cmd_digest(args) -> int:
    from core import calendar
    from core.feeds.deploy import splice_button
    from core.feeds.digest import DigestInput, splice
    from core.store.layout import read_manifest
    from core.store.reader import Reader

    ctx = _context(args)
    manifest = read_manifest(ctx.store)
    days = Reader(ctx.store).days(manifest, len(manifest.days))
    data = DigestInput(ctx.config, manifest, days, now=calendar.now())
    out = Path(args.output)
    existing = out.read_text(encoding="utf-8") if out.exists() else None
    text = splice_button(splice(existing, data), _repository(ctx.config.repository))
    out.parent.mkdir(parents=True, exist_ok=True)
    if text != existing:
        out.write_text(text, encoding="utf-8")
    shown = sum(1 for line in text.splitlines() if line.startswith("### "))
    print(f"digest: {out} ({plural(shown, 'paper')}{', unchanged' if text == existing else ''})")
    return 0


def cmd_status(args) -> int:
    from core import calendar
    from core.store.layout import read_manifest

    ctx = _context(args)
    m = read_manifest(ctx.store)
    print(f"store: {ctx.store.name}; status: {m.status}; published: {m.published_at or 'never'}")
    for day in m.days:
        print(f"  {day.date}: {plural(day.count, 'paper')}, {plural(day.summaries, 'summary', 'summaries')}")
    for cat in ctx.config.categories:
        print(f"  {cat}: {_category_line(m, m.categories.get(cat), calendar.now())}")
    return 0


def _category_line(manifest, record, now) -> str:
    """A category's status as the page and the feeds word it: the page's label, the
    status name, then the feeds' sentence (the counts, for an updated category)."""
    from core.feeds.channel import category_detail, old_data_note, papers_held, status_text
    from core.web.page import STATUS_LABELS

    if not isinstance(record, dict):
        return "not refreshed yet"
    status = str(record.get("status", ""))
    label = STATUS_LABELS.get(status, ("", status))[1]
    old = bool(old_data_note(manifest, now))
    sentence = (
        category_detail(record) if status == "updated" else status_text(record, old, papers_held(manifest, record))
    )
    return f"{label} ({status}) - {sentence}" if label != status else f"{status} - {sentence}"


def cmd_summarize(args) -> int:
    from core.refresh.jobs import summarize_job

    ctx = _context(args)
    with _progress("Summarising"):
        report = summarize_job(ctx)
    print(report.get("message") or "summaries: " + json.dumps(report, ensure_ascii=False))
    return 0


def cmd_feed(args) -> int:
    from api.origin import origin_config
    from core import calendar
    from core.feeds.render import render_feed
    from core.rank.query import parse_query
    from core.store.reader import Reader

    ctx = _context(args)
    pairs = [_feed_param(param) for param in args.params]
    category, keyword = _feed_path(args.path)
    # An unknown key is refused as over HTTP, naming the nearest parameter (BadQuery, exit 1).
    query = parse_query(pairs, ctx.config, category=category, keyword=keyword)
    reader = Reader(ctx.store)
    manifest = reader.manifest()
    days = reader.days(manifest, query.days) if manifest.days else []
    # Links as the deployment serves them: its configured public origin, else the local server's.
    base = origin_config(ctx.env.secrets, ctx.env.on_vercel).fixed or "http://127.0.0.1:8000"
    body = render_feed(manifest, days, query, ctx.config, base, now=calendar.now())
    sys.stdout.write(body.decode("utf-8") + "\n")
    return 0


def _feed_param(param: str) -> tuple[str, str]:
    """`key=value` as (key, value). Raises BadQuery naming the argument."""
    from core.errors import BadQuery

    name, sep, value = param.partition("=")
    if not sep:
        raise BadQuery(param, "expected key=value, e.g. keywords=LLM")
    return name, value


def _feed_path(path: str) -> tuple[str, str]:
    """(category, keyword) named by a feed path such as /feed/cs.AI or /feed/keyword/LLM."""
    from core.errors import BadQuery

    parts = [p for p in path.split("/") if p]
    if parts[:1] not in (["feed"], ["rss"]) or len(parts) > 3:
        raise BadQuery("--path", "expected /feed, /feed/<category> or /feed/keyword/<keyword>")
    if len(parts) == 3 and parts[1] == "keyword":
        return "", parts[2]
    if len(parts) == 2:
        return parts[1], ""
    if len(parts) == 1:
        return "", ""
    raise BadQuery("--path", "expected /feed, /feed/<category> or /feed/keyword/<keyword>")


def cmd_profile(args) -> int:
    from core.profiles.model import delete_profile, load_profile

    ctx = _context(args)
    if args.verb == "create":
        from core.profiles.local_secret import local_secret

        base = _given_base(args.base) if args.base else _public_base(ctx)
        local_secret(ctx.env)  # made now when missing, so `serve` signs this feed's vote links from its first run
        created, notes = _create_profile(ctx, args)
        for note in notes:
            print(f"note: {note}", file=sys.stderr)
        print(f"{base}/feed/p/{created.feed_id}")
        print(f"{base}/profile/{created.edit_token}")
        return 0
    feed_id = _profile_id(ctx, args.id)
    if args.verb == "delete":
        delete_profile(ctx.store, feed_id)
        print("profile deleted")
        return 0
    print(json.dumps(_profile_summary(load_profile(ctx.store, feed_id)), ensure_ascii=False, indent=2))
    return 0


def _create_profile(ctx, args):
    from core import calendar
    from core.profiles.model import create_profile
    from core.profiles.setup import draft_profile, parse_ids, settings_from

    library = None
    if args.library:
        path = Path(args.library)
        try:
            with path.open("rb") as handle:
                from core.profiles.library import MAX_IMPORT_BYTES

                data = handle.read(MAX_IMPORT_BYTES + 1)
        except OSError as exc:
            raise ConfigError("--import", f"{path} cannot be read ({exc.__class__.__name__})") from None
        library = (data, path.name, args.import_format)
    settings = settings_from(args.keywords, args.categories, args.authors, args.rank, args.days, args.limit)
    draft, notes = draft_profile(
        ctx.store, ctx.config, ctx.env, interest=args.interest, like=parse_ids(args.like), library=library,
        settings=settings,
    )  # fmt: skip
    return create_profile(ctx.store, draft, calendar.now()), notes


def _public_base(ctx) -> str:
    from api.origin import origin_config

    return origin_config(ctx.env.secrets, ctx.env.on_vercel).fixed or "http://127.0.0.1:8000"


def _given_base(given: str) -> str:
    """`--base` as an origin without a trailing slash. Raises ConfigError when it is not an
    http(s) address."""
    base = given.strip().rstrip("/")
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", base):
        raise ConfigError("--base", f"{given[:80]!r} is not an http:// or https:// address")
    return base


def _sign_votes_locally(ctx) -> None:
    """Without FEEDBACK_SECRET on the local SQLite store, this process (and the server it
    starts) signs vote links with the local secret (core.profiles.local_secret), made on
    first use. The secret itself is never printed; its file is named."""
    from core.profiles.local_secret import local_secret, secret_path
    from core.profiles.votes import SECRET_VAR

    found = local_secret(ctx.env)
    if found:
        os.environ[SECRET_VAR] = found
        print(f"vote links: signed with the local secret in {secret_path(ctx.env)} (FEEDBACK_SECRET is not set)")


def _profile_id(ctx, given: str) -> str:
    """The feed id named by a feed id, a feed URL or an edit token. Raises ProfileNotFound."""
    from core.errors import ProfileNotFound
    from core.profiles.model import feed_id_for_edit, load_profile

    token = given.rstrip("/").split("?")[0].rsplit("/", 1)[-1]
    try:
        load_profile(ctx.store, token)
        return token
    except ProfileNotFound:
        return feed_id_for_edit(ctx.store, token)


def _profile_summary(profile) -> dict:
    s = profile.settings
    return {
        "interest": profile.interest,
        "library_entries": profile.library_entries,
        "liked": [{"id": v.id, "title": v.title, "at": v.at} for v in profile.liked],
        "disliked": [{"id": v.id, "title": v.title, "at": v.at} for v in profile.disliked],
        "settings": {"keywords": list(s.keywords), "categories": list(s.categories), "authors": list(s.authors),
                     "rank": s.rank, "days": s.days, "limit": s.limit},
        "version": profile.version,
        "created": profile.created,
        "updated": profile.updated,
        "votes_today": profile.votes_today,
        "embedder": profile.embedder,
    }  # fmt: skip


def cmd_serve(args) -> int:
    import uvicorn

    from api.index import app
    from api.ops import allow_local_cron

    ctx = _context(args)  # fail early, in one line, on a bad config
    _sign_votes_locally(ctx)
    allow_local_cron(app)  # this process is the local server: /api/cron may run for loopback callers
    print(f"serving on http://{args.host}:{args.port}/ (Ctrl+C to stop)")
    # X-Forwarded-* only when the deployment says a proxy in front sets them (api.origin).
    trusted = os.environ.get("ARXIV_RSS_TRUST_FORWARDED") == "1"
    if args.workers > 1:  # each worker imports the app afresh: the local-cron opt-in stays off there
        uvicorn.run(
            "api.index:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="warning",
            proxy_headers=trusted,
        )
        return 0
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", proxy_headers=trusted)
    return 0


class _progress:
    """A spinner on a terminal; nothing otherwise (log lines tell the story)."""

    def __init__(self, text: str):
        self.text = text
        self.status = None

    def __enter__(self):
        if sys.stderr.isatty():
            from rich.console import Console

            self.status = Console(stderr=True).status(self.text)
            self.status.__enter__()
        return self

    def __exit__(self, *exc):
        if self.status is not None:
            self.status.__exit__(*exc)
        return False


COMMANDS = {
    "refresh": cmd_refresh,
    "digest": cmd_digest,
    "deploy-button": cmd_deploy_button,
    "status": cmd_status,
    "summarize": cmd_summarize,
    "feed": cmd_feed,
    "profile": cmd_profile,
    "serve": cmd_serve,
}
