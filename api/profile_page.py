"""A saved profile's own page, at its edit URL.

    GET  /profile/{edit_token}   the feed's URLs, its interest and settings, its votes
    POST /profile/{edit_token}   a form: save interest and settings, forget a vote, delete
                                 (delete=ask shows a confirmation, whose form sends delete=yes)

Only the edit token opens it; a malformed or unknown token is a 404 that never repeats
it. Forms are `application/x-www-form-urlencoded`, at most MAX_FORM_BYTES, read without
a multipart parser. Every answer is HTML under the page's Content-Security-Policy, never
cached and never sending a Referer (the token is in the address).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request, Response

from api.conditional import public_origin, vary_on
from api.deps import Service
from api.page import HTML_TYPE, SECURITY_HEADERS, asset_urls
from api.profile_api import served_categories
from api.threads import in_thread
from core.errors import BadQuery, EmbeddingError, ProfileBusy, ProfileInvalid, ProfileNotFound, StoreError
from core.feeds.channel import profile_channel_title
from core.profiles.model import MAX_INTEREST, MAX_NAME, RANKS, feed_id_for_edit, load_profile

MAX_FORM_BYTES = 16 * 1024
DELETE_QUESTION = (
    "Delete this feed for good? Its feed URL and this page stop working, and its votes are lost. This cannot be undone."
)
HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def profile_page(
    service: Service, request: Request, edit_token: str, message: str = "", status: int = 200, confirm_delete=False
):
    """The edit page of the profile `edit_token` opens, with `message`; with
    `confirm_delete`, the page asks to confirm the deletion (a second form) instead."""
    try:
        feed_id = feed_id_for_edit(service.ctx.store, edit_token)
        profile = load_profile(service.ctx.store, feed_id)
    except ProfileNotFound:
        return _page(
            service, request, edit_token, None, "", "No feed has this address (it may have been deleted).", 404
        )
    except StoreError as exc:
        return _page(service, request, edit_token, None, "", f"The data store cannot be reached ({exc}).", 503)
    return _page(service, request, edit_token, profile, feed_id, message, status, confirm_delete)


async def profile_form(service: Service, request: Request, edit_token: str) -> Response:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return _page(service, request, edit_token, None, "", "That form is too large; nothing changed.", 413)
    try:
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=20))
    except ValueError:  # more fields than any form of this page has
        return _page(service, request, edit_token, None, "", "That is not this page's form; nothing changed.", 400)
    return await in_thread(_apply, service, request, edit_token, form)


def _apply(service: Service, request: Request, edit_token: str, form: dict[str, str]) -> Response:
    from core.profiles.model import delete_profile
    from core.profiles.setup import settings_from, update_profile

    try:
        feed_id = feed_id_for_edit(service.ctx.store, edit_token)
        if form.get("delete") == "yes":
            delete_profile(service.ctx.store, feed_id)
            return _page(service, request, edit_token, None, "", "Your feed is deleted.", 200)
        if form.get("delete") == "ask":  # the first step: ask before deleting
            return profile_page(service, request, edit_token, DELETE_QUESTION, confirm_delete=True)
        now = service.clock().isoformat(timespec="seconds")
        if form.get("forget"):
            store, config, env = service.ctx.store, service.config, service.env
            update_profile(store, config, env, feed_id, forget=form["forget"], now=now)
            return profile_page(service, request, edit_token, "Vote forgotten.")
        categories = ",".join(served_categories(form.get("categories", "").split(","), service.config))
        settings = settings_from(
            form.get("keywords", ""), categories, form.get("authors", ""),
            form.get("rank", "hybrid"), form.get("days", "3") or "3", form.get("limit", "30") or "30",
        )  # fmt: skip
        interest, name = form.get("interest", ""), form.get("name", "")
        update_profile(
            service.ctx.store, service.config, service.env, feed_id, interest=interest, settings=settings, now=now,
            name=name,
        )  # fmt: skip
        return profile_page(service, request, edit_token, "Saved: the feed follows at its next refresh.")
    except ProfileNotFound:
        return _page(
            service, request, edit_token, None, "", "No feed has this address (it may have been deleted).", 404
        )
    except (ProfileInvalid, BadQuery) as exc:
        return profile_page(service, request, edit_token, f"Not saved: {exc}", 400)
    except ProfileBusy as exc:
        return profile_page(service, request, edit_token, f"Not saved: {exc}", 503)
    except EmbeddingError as exc:
        return profile_page(
            service, request, edit_token, f"Not saved: the interest could not be embedded ({exc}).", 503
        )
    except StoreError as exc:
        return _page(service, request, edit_token, None, "", f"The data store cannot be reached ({exc}).", 503)


def _page(service, request, edit_token, profile, feed_id, message, status, confirm_delete=False) -> Response:
    from core.profiles.votes import voting_secret
    from core.text.templating import render_html

    origin = public_origin(request, service.env)
    base = origin.base
    feed = f"{base}/feed/p/{feed_id}"
    body = render_html(
        "profile.html",
        stylesheet=asset_urls()["app.css"],
        icon=asset_urls()["icon.svg"],
        message=message,
        problem=status >= 400,
        confirm_delete=confirm_delete and profile is not None,
        profile=profile,
        feeds={"rss": feed, "atom": feed + "?format=atom", "json": feed + "?format=json"},
        voting=bool(voting_secret(service.env)[0]),
        action=f"/profile/{edit_token}" if profile is not None else "",
        builder=f"/#profile={edit_token}" if profile is not None else "",
        max_interest=MAX_INTEREST,
        max_name=MAX_NAME,
        default_name=profile_channel_title("", profile.interest) if profile is not None else "",
        served=service.config.categories,
        ranks=RANKS,
        retention=service.config.retention_days,
    )
    headers = vary_on(dict(HEADERS), origin)  # its feed URLs follow the origin
    return Response(body.encode("utf-8"), status_code=status, media_type=HTML_TYPE, headers=headers)
