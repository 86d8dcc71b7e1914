"""The page's profile controls in a real browser (the system's Chromium, as in
tests/test_browser.py, whose fixtures this module reuses): 👎 under a paper fills
"Less like these papers" and the feed URL, and "Save as my feed" saves the builder as a
profile whose feed URL then serves."""

from __future__ import annotations

import httpx

from tests.test_browser import base, browser, feed_url, loaded, shared, wait_for_preview_of  # noqa: F401


def test_less_like_this_adds_a_paper_to_unlike_and_takes_it_out_again(loaded, base):  # noqa: F811
    page, problems = loaded
    button = page.locator("button.unlike").first
    disliked = button.get_attribute("data-unlike")
    button.click()
    assert button.get_attribute("aria-pressed") == "true" and "Disliked" in button.text_content()
    assert page.input_value("#f-unlike") == disliked
    assert feed_url(page) == f"{base}/feed?unlike={disliked}"
    button.click()
    assert page.input_value("#f-unlike") == "" and feed_url(page) == f"{base}/feed"
    assert problems == []


def test_save_as_my_feed_shows_a_feed_url_that_serves_and_an_edit_url(loaded, base):  # noqa: F811
    page, problems = loaded
    page.fill("#f-interest", "sparse attention for inference")
    page.locator("button.like").first.click()
    page.click("#save-profile")
    page.wait_for_selector("#saved-urls:not([hidden])")
    feed = page.get_attribute("#saved-feed", "href")
    edit = page.get_attribute("#saved-edit", "href")
    assert feed.startswith(f"{base}/feed/p/") and edit.startswith(f"{base}/profile/")
    assert httpx.get(feed + "?format=json").json()["items"]
    assert "sparse attention for inference" in httpx.get(edit).text
    assert problems == []


def test_save_without_interest_or_liked_paper_says_why(loaded, base):  # noqa: F811
    page, problems = loaded
    page.click("#save-profile")
    page.wait_for_function("() => document.getElementById('save-status').textContent.startsWith('Not saved')")
    assert "interest" in page.text_content("#save-status")
    problems.clear()  # the 400 is the answer under test


def test_the_edit_url_opens_the_builder_on_the_profile_and_saves_changes(loaded, base):  # noqa: F811
    page, problems = loaded
    answer = httpx.post(f"{base}/api/profiles", json={"interest": "graph colouring", "days": 2}).json()
    token = answer["edit_url"].rsplit("/", 1)[1]
    page.goto(f"{base}/#profile={token}")
    page.wait_for_function("() => document.getElementById('save-status').textContent.startsWith('Editing')")
    assert page.input_value("#f-interest") == "graph colouring" and page.input_value("#f-days") == "2"
    assert page.text_content("#save-profile") == "Save changes to my feed"
    page.fill("#f-interest", "sparse attention")
    page.click("#save-profile")
    page.wait_for_function("() => document.getElementById('save-status').textContent.startsWith('Saved')")
    assert httpx.get(f"{base}/api/profiles/{token}").json()["interest"] == "sparse attention"
    assert problems == []


def test_save_as_my_feed_can_start_from_a_library_file(loaded, base, tmp_path):  # noqa: F811
    page, problems = loaded
    library = tmp_path / "My Library.ris"
    library.write_text("TY  - JOUR\nTI  - Sparse attention kernels for LLM inference\nER  - \n")
    page.set_input_files("#f-library", str(library))
    page.click("#save-profile")
    page.wait_for_selector("#saved-urls:not([hidden])")
    feed = page.get_attribute("#saved-feed", "href")
    token = page.get_attribute("#saved-edit", "href").rsplit("/", 1)[1]
    assert httpx.get(f"{base}/api/profiles/{token}").json()["library_entries"] == 1
    assert httpx.get(feed + "?format=json").json()["items"]
    assert problems == []
