"""The web page in a real browser: the system's Chromium (Debian's `chromium`, found on
PATH, never downloaded by a test tool), driven headless by Playwright, against the app
served by uvicorn on 127.0.0.1 with a seeded SQLite store.

Checked: the page loads with no console error, failed request or CSP violation; the
form changes the subscribe URL and the live preview; the URL shown returns a feed
whose items are the preview's; the copy button; keyboard use; a refused query is
explained; without JavaScript the form still opens the feed. Screenshots at desktop
and phone width, light and dark, are saved under test-artifacts/.

Without Chromium these tests are skipped with the reason, unless REQUIRE_BROWSER=1 (CI),
which turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import feedparser
import httpx
import pytest

from api.deps import Service, get_service
from api.index import app
from core.config import Env
from core.context import Context
from core.embed.embedder import WordLlama
from core.refresh.embedding import embed_days
from core.store.publish import publish
from tests.support.live_server import live_server
from tests.support.required import missing
from tests.support.seed import seed_config, seed_store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
# 2.5 puts the minimum-score line just left of the day's tallest bar (scores 3.5), where its
# label once sat on that bar's count; no seeded score lies between 1.5 and 3.5.
CONFIG = seed_config(min_score=2.5)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WAIT_MS = 5000
# The lowest WCAG contrast ratio of any visible text on the page (SVG text and form
# placeholders aside), each text's colour against the first opaque background behind it.
LOWEST_CONTRAST = """() => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] === 1) return c.slice(0, 3);
    }
    return rgb(getComputedStyle(document.documentElement).backgroundColor).slice(0, 3);
  };
  let lowest = [99, ""];
  for (const el of document.querySelectorAll("body *:not(svg *)")) {
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!text || !el.getClientRects().length) continue;
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < lowest[0]) lowest = [ratio, el.tagName + "." + el.className + ": " + el.textContent.slice(0, 40)];
  }
  return lowest;
}"""


def chromium_path() -> str:
    """The system's Chromium (and Playwright for Python); skips without them, or fails
    when REQUIRE_BROWSER=1, so CI never passes them by silently."""
    path = shutil.which("chromium") or ("/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None)
    reason = "" if path else "chromium not installed: apt-get install chromium (browser tests never download one)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "playwright (Python) not installed: `make test` installs the dev group of uv.lock"
    if reason:
        missing(reason, "REQUIRE_BROWSER")
    return path


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Iterator[str]:
    """The app on a real uvicorn server with three seeded announcement days."""
    db = tmp_path_factory.mktemp("browser") / "db.sqlite3"
    ctx = Context(CONFIG, Env(db_path=str(db)))
    manifest = seed_store(ctx.store, CONFIG)
    manifest, _ = embed_days(ctx.store, manifest, WordLlama(CONFIG.embeddings), CONFIG.retention_days)
    publish(ctx.store, manifest)  # the days' vectors, as a refresh writes them
    service = Service(ctx)
    app.dependency_overrides[get_service] = lambda: service
    try:
        with live_server(app) as url:
            yield url
    finally:
        app.dependency_overrides.clear()
        ctx.store.close()


class Problems(list):
    """Console errors, page errors, failed requests and HTTP errors seen by a page. A request
    aborted on purpose (a preview superseded by newer input, or left behind by a page
    load) is not a problem."""

    def watch(self, page):
        page.on("console", lambda m: self.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.append(f"page error: {e}"))
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: self.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
        return page

    def _failed(self, request) -> None:
        if request.failure != "net::ERR_ABORTED":
            self.append(f"request failed: {request.url} {request.failure}")


@pytest.fixture(scope="module")
def shared(browser):
    """One desktop page (with clipboard access) reused by the tests: a new context costs more
    than the tests themselves. Returns (page, problems); each test loads the page afresh."""
    context = browser.new_context(viewport=DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    problems = Problems()
    page = problems.watch(context.new_page())
    page.set_default_timeout(WAIT_MS)
    try:
        yield page, problems
    finally:
        context.close()


@pytest.fixture
def loaded(shared, base):
    """The shared page freshly loaded at desktop width in light mode, its preview shown."""
    page, problems = shared
    page.set_viewport_size(DESKTOP)
    page.emulate_media(color_scheme="light")
    problems.clear()
    page.goto(base + "/")
    page.wait_for_selector("#preview-list li")
    return page, problems


def feed_url(page) -> str:
    return page.input_value("#feed-url")


def reader_links(page) -> dict[str, str]:
    return dict(page.eval_on_selector_all("a.reader", "links => links.map(a => [a.id, a.href])"))


def boxes(page, selector: str) -> list[dict]:
    """The bounding boxes (and text) of the elements matching `selector`."""
    return page.eval_on_selector_all(
        selector,
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {text: e.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })",
    )


def overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def preview_ids(page) -> list[str]:
    return page.eval_on_selector_all("#preview-list li", "items => items.map(li => li.dataset.id)")


def wait_for_preview_of(page, url: str) -> None:
    """Wait until the preview shows the feed at `url` (the script requests it debounced)."""
    page.wait_for_function(
        "url => document.getElementById('feed-url').value === url"
        " && !document.getElementById('preview').hasAttribute('aria-busy')",
        arg=url,
    )
    page.wait_for_timeout(400)  # past the debounce, so a request for `url` has started
    page.wait_for_function("() => !document.getElementById('preview').hasAttribute('aria-busy')")


def feed_ids(url: str) -> list[str]:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, response.text
    if response.headers["content-type"].startswith("application/feed+json"):
        return [item["id"] for item in response.json()["items"]]
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return [entry.id for entry in feed.entries]


def test_the_page_loads_without_errors_and_previews_the_default_feed(loaded, base):
    page, problems = loaded
    assert page.title().startswith("arxiv-rss")
    assert feed_url(page) == f"{base}/feed"
    assert reader_links(page)["sub-feedly"] == "https://feedly.com/i/subscription/feed%2F" + quote(f"{base}/feed", "")
    assert preview_ids(page) == feed_ids(f"{base}/feed")
    assert "papers in this feed right now" in page.inner_text("#preview-status")
    today = page.eval_on_selector_all("li.paper", "items => items.map(li => li.dataset.id)")
    assert today[: len(preview_ids(page))] == preview_ids(page)
    assert page.is_visible("#copy") and page.locator("svg.chart").count() == 2
    assert page.locator("#preview-list li:visible").count() == 10
    page.click("#preview-more")
    assert page.locator("#preview-list li:visible").count() == len(preview_ids(page)) > 10
    assert page.evaluate("document.activeElement.closest('li').dataset.id") == preview_ids(page)[10]
    assert problems == []


def test_changing_the_form_changes_the_url_and_the_preview_which_match_the_feed(loaded, base):
    page, problems = loaded
    before = preview_ids(page)
    page.fill("#f-keywords", "wild, nothingmatchesthis")
    page.uncheck("input[name=categories][value='cs.AI']")
    page.check("#f-format-atom")
    page.fill("#f-days", "2")
    page.check("#f-summary-none")
    expected = f"{base}/feed?format=atom&keywords=wild,nothingmatchesthis&categories=cs.CL,cs.LG&days=2&summary=none"
    wait_for_preview_of(page, expected)
    after = preview_ids(page)
    assert after and after != before
    titles = page.eval_on_selector_all("#preview-list .pv-title", "links => links.map(a => a.textContent)")
    assert titles and all("Graph colouring in the wild" in t for t in titles)
    marks = page.eval_on_selector_all("#preview-list .pv-title mark", "marks => marks.map(m => m.textContent)")
    assert marks and set(marks) == {"wild"}
    assert page.get_attribute("#feed-open", "href") == expected
    assert feed_ids(expected) == after  # the Atom feed holds exactly the previewed papers, in order
    assert problems == []


def test_a_refused_value_is_explained_next_to_the_preview(loaded):
    page, problems = loaded
    page.fill("#f-days", "99")
    page.wait_for_selector("#preview-status.error")
    assert "days: '99' is not a whole number from 1 to 14" in page.inner_text("#preview-status")
    assert page.get_attribute("#f-days", "aria-invalid") == "true"
    page.fill("#f-days", "3")
    page.wait_for_function("() => !document.getElementById('f-days').hasAttribute('aria-invalid')")
    assert [p for p in problems if "400" not in p] == []  # the refusal itself is the expected 400


def test_the_copy_button_puts_the_url_on_the_clipboard(loaded, base):
    page, problems = loaded
    page.fill("#f-authors", "Hopper")
    page.wait_for_function("() => document.getElementById('feed-url').value.includes('authors=Hopper')")
    page.click("#copy")
    page.wait_for_selector("#copy-status:has-text('Copied')")
    assert page.evaluate("navigator.clipboard.readText()") == f"{base}/feed?authors=Hopper"
    assert problems == []


def test_the_builder_works_from_the_keyboard(loaded, base):
    page, problems = loaded
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "feed-url"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "copy"
    page.keyboard.press("Enter")
    page.wait_for_selector("#copy-status:has-text('Copied')")
    for _ in range(6):  # Open, the three readers, the OPML, then the first category
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "cs.AI"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert feed_url(page) == f"{base}/feed?categories=cs.LG"
    page.focus("#f-format-rss")
    page.keyboard.press("ArrowRight")
    assert feed_url(page) == f"{base}/feed?format=atom&categories=cs.LG"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    assert problems == []


def test_without_javascript_the_page_reads_and_the_form_opens_the_feed(browser, base):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        problems = Problems()
        page = problems.watch(context.new_page())
        page.set_default_timeout(WAIT_MS)
        page.goto(base + "/")
        assert page.locator("li.paper").count() > 0 and page.locator("svg.chart").count() == 2
        assert "needs JavaScript" in page.inner_text("#preview-status")
        page.route("**/feed?*", lambda route: route.fulfill(status=200, content_type="text/plain", body="feed"))
        page.fill("#f-keywords", "sparse")
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert page.url.startswith(f"{base}/feed?") and "keywords=sparse" in page.url
        assert problems == []
    finally:
        context.close()


def test_screenshots_at_desktop_and_phone_width_in_light_and_dark(loaded):
    page, problems = loaded
    ARTIFACTS.mkdir(exist_ok=True)
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"the page scrolls sideways at {width} width"
            ratio, where = page.evaluate(LOWEST_CONTRAST)
            assert ratio >= 4.5, f"{scheme}: contrast {ratio:.2f} below WCAG AA at {where}"
            path = ARTIFACTS / f"page-{width}-{scheme}.png"
            page.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 10_000
    assert problems == []


def test_every_refused_field_is_named_and_marked_at_once(loaded):
    page, problems = loaded
    page.fill("#f-min_score", "5000")
    page.fill("#f-days", "99")
    page.wait_for_function("() => document.getElementById('preview-status').textContent.includes('days:')")
    status = page.inner_text("#preview-status")
    assert "min_score: '5000' is not a number from 0 to" in status
    assert "days: '99' is not a whole number from 1 to 14" in status
    assert page.get_attribute("#f-min_score", "aria-invalid") == page.get_attribute("#f-days", "aria-invalid") == "true"
    page.fill("#f-days", "2")
    page.wait_for_function("() => !document.getElementById('f-days').hasAttribute('aria-invalid')")
    assert "days:" not in page.inner_text("#preview-status") and "min_score:" in page.inner_text("#preview-status")
    assert page.get_attribute("#f-min_score", "aria-invalid") == "true"
    assert [p for p in problems if "400" not in p] == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_long_custom_feed_url_is_shown_whole_and_the_reader_links_carry_it(loaded, base, viewport):
    page, problems = loaded
    page.set_viewport_size(viewport)
    keywords = ", ".join(f"keyword number {n}" for n in range(12))
    page.fill("#f-keywords", keywords)
    page.fill("#f-authors", "Hopper, Lovelace")
    page.wait_for_function("() => document.getElementById('feed-url').value.includes('authors=')")
    url = feed_url(page)
    assert url.startswith(f"{base}/feed?keywords=keyword%20number%200,") and url.endswith("authors=Hopper,Lovelace")
    hidden = page.eval_on_selector(
        "#feed-url", "e => [e.scrollWidth - e.clientWidth, e.scrollHeight - e.clientHeight, e.rows]"
    )
    assert hidden[0] <= 0 and hidden[1] <= 1, f"part of the URL is cut off: {hidden}"
    assert {name: href for name, href in reader_links(page).items()} == {
        "sub-feedly": "https://feedly.com/i/subscription/feed%2F" + quote(url, ""),
        "sub-inoreader": "https://www.inoreader.com/?add_feed=" + quote(url, ""),
        "sub-newsblur": "https://www.newsblur.com/?url=" + quote(url, ""),
    }
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0 and problems == []


def test_the_minimum_score_label_clears_every_count_and_bar_label_of_the_histogram(loaded):
    page, problems = loaded
    texts = boxes(page, "#chart-scores-t ~ text")
    (label,) = [b for b in texts if b["text"].startswith("min ")]
    assert label["text"] == "min 2.5"
    others = [b for b in texts if b is not label]
    assert [b for b in others if b["text"] == "11"], others  # the tallest bar's count, next to the line
    assert [b["text"] for b in others if overlap(label, b)] == []
    (chart,) = boxes(page, "svg#chart-scores, svg:has(#chart-scores-t)")
    assert chart["left"] <= label["left"] and label["right"] <= chart["right"] and chart["top"] <= label["top"]
    assert problems == []


def test_an_interest_ranks_the_preview_by_meaning_and_explains_each_paper(loaded, base):
    page, problems = loaded
    page.fill("#f-interest", "colouring graphs")
    wait_for_preview_of(page, f"{base}/feed?interest=colouring%20graphs")
    whys = page.eval_on_selector_all("#preview-list li .why", "els => els.map(e => e.textContent)")
    assert whys and all(w.startswith("similarity ") for w in whys)
    assert preview_ids(page) == feed_ids(f"{base}/feed?interest=colouring%20graphs&format=json")[: len(whys)]
    titles = page.eval_on_selector_all("#preview-list .pv-title", "els => els.map(e => e.textContent)")
    assert "colouring" in titles[0].lower()
    assert problems == []


def test_more_like_this_adds_a_paper_to_the_feed_and_the_preview_names_it(loaded, base):
    page, problems = loaded
    button = page.locator("button.like").first
    liked = button.get_attribute("data-like")
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert page.input_value("#f-like") == liked
    wait_for_preview_of(page, f"{base}/feed?like={liked}")
    closest = page.eval_on_selector_all("#preview-list li .closest", "els => els.map(e => e.textContent)")
    assert closest and all(c.startswith(" · closest to ") for c in closest)
    assert liked not in " ".join(preview_ids(page))  # the liked paper itself is not suggested
    button.click()  # and again: taken back out
    assert page.input_value("#f-like") == "" and feed_url(page) == f"{base}/feed"
    assert problems == []
