"""The builder and saved profiles in a real browser (fixtures of tests/test_browser.py):
opened on a profile it shows and previews that profile's own feed, `/feed/p/<id>` (ranked
exactly as the feed is), and a feed saved with a format chosen keeps that format."""

from __future__ import annotations

import httpx

from tests.test_browser import base, browser, feed_url, loaded, preview_ids, shared  # noqa: F401


def open_profile(page, base: str, interest: str) -> dict:  # noqa: F811
    answer = httpx.post(f"{base}/api/profiles", json={"interest": interest, "days": 3}).json()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{base}/#profile={answer['edit_url'].rsplit('/', 1)[1]}")
    page.wait_for_function("() => document.getElementById('save-status').textContent.startsWith('Editing')")
    answer["requests"] = requests
    return answer


def wait_for_preview(page) -> None:
    page.wait_for_timeout(400)  # past the debounce, so the preview's request has started
    page.wait_for_function("() => !document.getElementById('preview').hasAttribute('aria-busy')")


def test_the_builder_on_a_profile_shows_and_previews_the_profile_feed_itself(loaded, base):  # noqa: F811
    page, problems = loaded
    answer = open_profile(page, base, "sparse attention for inference")
    feed = answer["feed_url"]
    assert feed_url(page) == feed and page.get_attribute("#saved-feed", "href") == feed
    wait_for_preview(page)
    assert f"{feed}?format=json" in answer["requests"]
    assert not any("/feed?" in url and "interest=" in url for url in answer["requests"])
    ranked = [item["id"] for item in httpx.get(f"{feed}?format=json").json()["items"]]
    assert ranked and preview_ids(page) == ranked[: len(preview_ids(page))]
    page.check('input[name="format"][value="atom"]')
    assert feed_url(page) == f"{feed}?format=atom"
    assert page.get_attribute("#saved-feed", "href") == f"{feed}?format=atom"
    assert problems == []


def test_save_as_my_feed_keeps_the_chosen_format(loaded, base):  # noqa: F811
    page, problems = loaded
    page.fill("#f-interest", "sparse attention for inference")
    page.check('input[name="format"][value="json"]')
    page.click("#save-profile")
    page.wait_for_selector("#saved-urls:not([hidden])")
    feed = page.get_attribute("#saved-feed", "href")
    assert feed.startswith(f"{base}/feed/p/") and feed.endswith("?format=json")
    assert page.text_content("#saved-feed") == feed
    response = httpx.get(feed)
    assert response.headers["content-type"].startswith("application/feed+json") and response.json()["items"]
    assert problems == []


def test_unsaved_changes_on_an_open_profile_are_named_until_saved(loaded, base):  # noqa: F811
    page, problems = loaded
    answer = open_profile(page, base, "graph colouring")
    page.check('input[name="format"][value="json"]')  # the subscription's format is not a profile change
    assert page.text_content("#save-status") == "Editing your saved feed."
    page.fill("#f-interest", "sparse attention")
    page.wait_for_function("() => document.getElementById('save-status').textContent.startsWith('Unsaved changes')")
    assert feed_url(page) == answer["feed_url"] + "?format=json"  # still the saved feed
    page.click("#save-profile")
    page.wait_for_function("() => document.getElementById('save-status').textContent.startsWith('Saved')")
    page.fill("#f-interest", "sparse attention ")  # the same interest once trimmed: nothing unsaved
    assert page.text_content("#save-status").startswith("Saved")
    assert problems == []


def test_the_preview_of_a_profile_says_why_as_the_feed_does(loaded, base):  # noqa: F811
    page, problems = loaded
    liked = httpx.get(f"{base}/feed?format=json&days=3").json()["items"][0]["_arxiv"]["id"]
    answer = httpx.post(f"{base}/api/profiles", json={"interest": "graphs", "like": [liked], "days": 3}).json()
    page.goto(f"{base}/#profile={answer['edit_url'].rsplit('/', 1)[1]}")
    page.wait_for_function("() => document.getElementById('save-status').textContent.startsWith('Editing')")
    wait_for_preview(page)
    feed = httpx.get(f"{answer['feed_url']}?format=json").json()["items"]
    said = [i["_arxiv"]["why"] for i in feed if i["_arxiv"].get("why")]
    assert said and all("paper you liked" in w for w in said)
    shown = page.locator("#preview-list .why .reason").all_text_contents()
    assert shown and set(shown) <= {f" · {w}" for w in said} | set(said)
    assert problems == []
