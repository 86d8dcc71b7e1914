"""A saved profile's edit page as a newcomer meets it: deleting asks once more (without
JavaScript: a second form) behind a button that looks destructive, its fields are evenly
sized, it links back to the main page, and `/favicon.ico` is the page's icon, not a 404.
The layout is measured in the system's Chromium (fixtures of tests/test_browser.py)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from core.profiles.model import load_profile
from tests.test_browser import base, browser, shared  # noqa: F401
from tests.test_profiles import app, feed  # noqa: F401

ICON = (Path(__file__).resolve().parent.parent / "api/_public/static/icon.svg").read_bytes()


def delete_forms(html: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="delete" value="([a-z]+)">', html)


def test_delete_asks_for_confirmation_before_deleting(app):  # noqa: F811
    client, service, created = app
    page = client.get(f"/profile/{created.edit_token}").text
    assert delete_forms(page) == ["ask"]  # one click only asks
    assert re.search(r'<button type="submit" class="danger">Delete this feed', page)
    asked = client.post(f"/profile/{created.edit_token}", data={"delete": "ask"})
    assert asked.status_code == 200 and "Delete this feed for good?" in asked.text
    assert (
        delete_forms(asked.text) == ["yes"] and f'<a href="/profile/{created.edit_token}">No, keep it</a>' in asked.text
    )
    assert load_profile(service.ctx.store, created.feed_id).interest  # nothing deleted yet
    assert feed(client, created.feed_id).status_code == 200
    assert "deleted" in client.post(f"/profile/{created.edit_token}", data={"delete": "yes"}).text
    assert feed(client, created.feed_id).status_code == 404


def test_the_edit_page_links_home_and_names_its_icon_which_favicon_ico_serves(app):  # noqa: F811
    client, _, created = app
    page = client.get(f"/profile/{created.edit_token}").text
    assert '<a href="/">' in page
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    assert client.get(icon).content == ICON
    answer = client.get("/favicon.ico")
    assert answer.status_code == 200 and answer.content == ICON
    assert answer.headers["content-type"].startswith("image/svg+xml")


def widths(page, selector: str) -> list[float]:
    return page.eval_on_selector_all(selector, "els => els.map(e => Math.round(e.getBoundingClientRect().width))")


def test_in_a_browser_fields_are_even_delete_looks_destructive_and_confirms(shared, base):  # noqa: F811
    page, problems = shared
    problems.clear()
    answer = httpx.post(f"{base}/api/profiles", json={"interest": "graph colouring", "days": 2}).json()
    page.goto(answer["edit_url"])
    assert len(set(widths(page, "#name, #interest, #keywords, #categories, #authors"))) == 1
    trio = widths(page, "#rank, #days, #limit")
    assert len(set(trio)) == 1 and trio[0] > 60
    colour = "e => getComputedStyle(e).color + ' on ' + getComputedStyle(e).backgroundColor"
    save = page.eval_on_selector("form.settings button", colour)
    delete = page.eval_on_selector("button.danger", colour)
    assert save != delete and "rgba(0, 0, 0, 0)" in delete  # outlined, not a filled Save
    page.click("button.danger")
    page.wait_for_selector("text=Delete this feed for good?")
    page.click("text=No, keep it")
    page.wait_for_selector("form.settings")
    assert httpx.get(answer["feed_url"]).status_code == 200
    page.click("text=← arxiv-rss")
    page.wait_for_selector("#feed-url")
    assert problems == []  # no 404, favicon included, and nothing the CSP refused
