"""The Markdown digest keeps the existing bot's format, lists the default feed's papers,
treats upstream text as text and model Markdown by the feeds' rules, and comes from a
template the deployment can replace."""

import json
import re
from datetime import UTC, datetime

import pytest
from markdown_it import MarkdownIt

from core.config import load_config, parse_config
from core.errors import ConfigError
from core.feeds.channel import old_data_note
from core.feeds.digest import (
    DigestInput,
    first_version_month,
    render_digest,
    render_document,
    splice,
    template_source,
)
from core.feeds.render import render_feed
from core.models import Day, DayRef, Manifest, Match, Scored
from core.rank.query import parse_query
from core.text.safe_html import markdown_to_html
from core.text.templating import DIGEST_TEMPLATE
from tests.support.html_doc import Doc
from tests.support.papers import paper

CONFIG = parse_config({"categories": ["cs.LG"], "keywords": ["LLM"], "max_papers": 2, "min_score": 1})
MANIFEST = Manifest(version="v1", published_at="2026-09-24T05:15:00Z", status="updated")


def scored(i: int, score: float, **fields) -> Scored:
    return Scored(paper(f"2609.0000{i}", **fields), score, (Match("LLM", True, 1.5),) if score else ())


def data(papers, summaries=None, manifest=MANIFEST):
    return DigestInput(CONFIG, manifest, [Day("2026-09-24", tuple(papers), summaries or {})])


def test_each_paper_reads_as_the_existing_bots_block():
    text = render_digest(data([scored(1, 1.5, title="Fast LLM Decoding", authors=("A B", "C D"))]))
    block = text.split("### 1. ")[1]
    assert block.startswith("[Fast LLM Decoding](https://arxiv.org/abs/2609.00001)\n\n**Authors**: A B, C D  \n")
    for line in (
        "**Category**: cs.LG  ",
        "**Announced**: 2026-09-24  ",
        "**First version**: 2026-09  ",
        "**Score**: 1.5  ",
        "**Type**: new  ",
        "**ArXiv ID**: 2609.00001v1  ",
        "#### Abstract",
    ):
        assert line in block


def test_total_papers_found_counts_every_match_not_the_cap():
    papers = [scored(i, 3.0 - i * 0.5) for i in range(4)] + [scored(8, 0.0)]
    text = render_digest(data(papers))
    assert "**Total Papers Found**: 4 (top 2 shown)" in text
    assert text.count("\n### ") == 2
    assert "**Last Updated**: 2026-09-24 05:15:00 UTC" in text


def test_a_summary_sits_in_the_collapsible_block_with_its_model_and_no_live_html():
    summary = {
        "text": "## 1. 主要贡献\n- fast\n</details><script>alert(1)</script>\n```\n<kept in code>\n```",
        "model": "qwen-long",
    }
    text = render_digest(data([scored(1, 2.0)], {"2609.00001": summary}))
    assert "<summary><strong>🤖 AI Summary (by qwen-long)</strong> - Click to expand</summary>" in text
    assert "## 1. 主要贡献" in text and "<script>" not in text and "&lt;script>" in text
    assert text.count("</details>") == 1 and "<kept in code>" in text


def test_upstream_text_cannot_add_links_or_html():
    text = render_digest(data([scored(1, 2.0, title="A [trick](javascript:x) <img src=x>")]))
    assert "A \\[trick\\](javascript:x) \\<img src=x\\>" in text  # shown literally, never live


def test_an_empty_day_keeps_the_last_papers_and_says_why():
    quiet = Manifest(version="v2", published_at="2026-09-26T05:15:00Z", status="no-announcement")
    text = render_digest(data([scored(1, 2.0)], manifest=quiet))
    assert "weekend or holiday" in text and "showing the announcement of 2026-09-24" in text
    assert "### 1. " in text


def test_splice_keeps_the_text_around_the_markers_and_builds_a_document_without_them():
    existing = "intro\n<!-- arxiv-digest:start -->\nold\n<!-- arxiv-digest:end -->\noutro\n"
    spliced = splice(existing, data([scored(1, 2.0)]))
    assert spliced.startswith("intro\n<!-- arxiv-digest:start -->\n## 📊 Statistics")
    assert spliced.endswith("<!-- arxiv-digest:end -->\noutro\n")
    assert splice("no markers here", data([])) == render_document(data([]))


# One selection with /feed ------------------------------------------------------------------------


def test_the_digest_lists_the_default_feeds_papers_and_leaves_out_other_categories():
    """A paper listed only in a category the deployment does not follow (arXiv's feed for
    cs.LG can carry one) matches the keywords but is not in /feed, so not in the digest."""
    config = parse_config({"categories": ["cs.LG"], "keywords": ["LLM"], "max_papers": 5, "min_score": 1})
    outside = scored(1, 3.0, categories=("math.OC",), title="LLM for control")
    inside = [scored(2, 2.0), scored(3, 1.5, announce_type="cross"), scored(4, 2.5, announce_type="replace")]
    day = Day("2026-09-24", (outside, *inside), {})
    digest = render_digest(DigestInput(config, MANIFEST, [day]))
    listed = re.findall(r"^### \d+\. \[.*\]\((\S+)\)$", digest, re.M)
    query = parse_query({"format": "json", "limit": "5"}, config)
    feed = json.loads(render_feed(MANIFEST, [day], query, config, "https://x.example"))
    assert (
        listed
        == [item["id"] for item in feed["items"]]
        == [
            "https://arxiv.org/abs/2609.00002",
            "https://arxiv.org/abs/2609.00003",
        ]
    )
    assert "**Total Papers Found**: 2\n" in digest and "math.OC" not in digest


@pytest.mark.parametrize("score, shown", [(4.0, "4.0"), (4, "4.0"), (2.5, "2.5"), (1.75, "1.8"), (10.0, "10.0")])
def test_scores_print_with_one_decimal_as_the_old_bot_did(score, shown):
    assert f"**Score**: {shown}  \n" in render_digest(data([scored(1, score)]))


# Model-written Markdown follows the feeds' rules ----------------------------------------------------

HOSTILE_SUMMARIES = {
    "tracking image": "Result ![img](https://evil.example/track.png) shown",
    "reference image": "![logo][l]\n\n[l]: https://evil.example/logo.png",
    "script link": "[x](javascript:alert(1)) and [y](JAVASCRIPT:alert(1))",
    "data link": "[d](data:text/html,<b>x</b>)",
    "relative link": "[rel](/api/cron) and [dot](../README.md) and [q](?x=1)",
    "protocol-relative link": "[p](//evil.example/x)",
    "raw html": '<img src="https://evil.example/t.png"><a href="javascript:x">a</a><script>alert(1)</script>',
    "html in a list": "- <img src=x onerror=alert(1)>\n- <details open>",
    "autolink": "<javascript:alert(1)> <https://evil.example/ok>",
    "closing the block": "</details>\n\n</summary><img src=x>",
}


def github_html(markdown: str) -> str:
    """The digest as a Markdown renderer that passes raw HTML through would show it (GitHub
    renders HTML in a README, images included)."""
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(markdown)


@pytest.mark.parametrize("text", HOSTILE_SUMMARIES.values(), ids=HOSTILE_SUMMARIES.keys())
def test_a_summarys_images_and_unsafe_links_are_dropped_as_the_feeds_drop_them(text):
    digest = render_digest(data([scored(1, 2.0)], {"2609.00001": {"text": text, "model": "m"}}))
    page = Doc(github_html(digest))
    assert [t for t, _ in page.elements if t in ("img", "script", "iframe", "svg")] == []
    hrefs = [a["href"] for t, a in page.elements if t == "a" and "href" in a]
    assert all(h.startswith(("https://", "http://", "mailto:")) for h in hrefs), hrefs
    feed_links = [a["href"] for a in Doc(markdown_to_html(text)).find("a") if "href" in a]
    assert sorted(h for h in hrefs if not h.startswith("https://arxiv.org/")) == sorted(feed_links)
    assert [t for t, _ in page.elements].count("details") == 1


def test_a_summarys_allowed_markdown_survives_as_markdown():
    text = (
        "## 1. Contributions\n\n- **fast** decoding, *less* memory\n- [code](https://example.org/code)\n\n"
        "1. first\n2. second\n\n> quoted `x<y`\n\n```\n<kept in code>\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    digest = render_digest(data([scored(1, 2.0)], {"2609.00001": {"text": text, "model": "m"}}))
    for kept in (
        "## 1. Contributions",
        "- **fast** decoding, *less* memory",
        "- [code](https://example.org/code)",
        "1. first\n2. second",
        "> quoted `x<y`",
        "```\n<kept in code>\n```",
        "| a | b |\n| --- | --- |\n| 1 | 2 |",
    ):
        assert kept in digest


def test_summary_text_that_looks_like_markdown_stays_literal():
    text = "1986\\. A year\n\n\\# not a heading, \\*not emphasis\\*, \\[not](a link), 5 &lt; 6 &amp;copy;"
    digest = render_digest(data([scored(1, 2.0)], {"2609.00001": {"text": text, "model": "m"}}))
    shown = Doc(github_html(digest))
    assert "1986. A year" in shown.text and "# not a heading, *not emphasis*, [not](a link), 5 < 6 &copy;" in shown.text


# The template --------------------------------------------------------------------------------------


def test_the_shipped_template_is_used_when_none_is_configured():
    assert CONFIG.digest_template == ""
    source, origin = template_source(CONFIG)
    assert origin == str(DIGEST_TEMPLATE) and source == DIGEST_TEMPLATE.read_text(encoding="utf-8")


def test_a_configured_template_replaces_the_digest(tmp_path):
    (tmp_path / "digest.md").write_text(
        "# {{ papers|length }} for {{ categories|join('+') }}\n{% for p in papers %}* {{ p.title }} ({{ p.score }})\n"
        "{% endfor %}",
        encoding="utf-8",
    )
    config = load(tmp_path, digest_template="digest.md")
    assert config.digest_template == str(tmp_path / "digest.md")
    day = Day("2026-09-24", (scored(1, 2.0, title="A *bold* claim"),), {})
    assert render_digest(DigestInput(config, MANIFEST, [day])) == "# 1 for cs.LG\n* A \\*bold\\* claim (2.0)\n"


@pytest.mark.parametrize(
    "setup, problem",
    [
        (lambda d: None, r"missing\.md cannot be read \(FileNotFoundError\)"),
        (lambda d: (d / "missing.md").mkdir(), r"missing\.md cannot be read \(IsADirectoryError\)"),
        (lambda d: (d / "missing.md").write_bytes(b"\xff\xfe"), r"cannot be read \(UnicodeDecodeError\)"),
        (lambda d: (d / "missing.md").write_text(" \n"), r"missing\.md is empty"),
    ],
)
def test_an_unreadable_template_is_a_config_error_naming_the_key(tmp_path, setup, problem):
    setup(tmp_path)
    with pytest.raises(ConfigError, match=rf"^config: digest_template: .*{problem}"):
        load(tmp_path, digest_template="missing.md")


@pytest.mark.parametrize(
    "source, problem",
    [
        ("ok\n{% for p in papers %}\nno end\n", r"digest\.md, line 3: Unexpected end of template"),
        ("{{ paper.title }}", r"'paper' is undefined"),
        ("{{ config.__class__.__mro__ }}", r"digest\.md: "),
        ("{{ ''.__class__.__subclasses__() }}", r"digest\.md: "),
    ],
)
def test_a_template_that_does_not_render_is_a_config_error_naming_the_key_and_line(tmp_path, source, problem):
    (tmp_path / "digest.md").write_text(source, encoding="utf-8")
    config = load(tmp_path, digest_template="digest.md")
    with pytest.raises(ConfigError, match=rf"^config: digest_template: .*{problem}"):
        render_digest(DigestInput(config, MANIFEST, [Day("2026-09-24", (scored(1, 2.0),), {})]))


def load(folder, **overrides):
    path = folder / "config.json"
    path.write_text(json.dumps({"categories": ["cs.LG"], "keywords": ["LLM"], **overrides}))
    return load_config(path)


# Old data, abstracts cut at a word, dates labelled as what they are ------------------------------

OLD_MANIFEST = Manifest(
    version="v1",
    published_at="2026-09-24T05:15:00Z",
    status="updated",
    days=(DayRef("2026-09-24", (), 1),),
    report={"finished_at": "2026-12-06T05:15:00Z"},
)


def test_the_digest_warns_about_old_data_as_the_feeds_do():
    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    day = [Day("2026-09-24", (scored(1, 2.0),), {})]
    text = render_digest(DigestInput(CONFIG, OLD_MANIFEST, day, now=now))
    note = old_data_note(OLD_MANIFEST, now)
    assert note.startswith("This data is old: the newest announcement held is of 2026-09-24, 73 days ago")
    assert f"> ⚠️ **Old data**: {note}" in text
    assert text.index("Old data") < text.index("**Status**")
    fresh = render_digest(DigestInput(CONFIG, OLD_MANIFEST, day, now=datetime(2026, 9, 25, 12, tzinfo=UTC)))
    assert "Old data" not in fresh


def test_the_command_line_digest_says_the_data_is_old(tmp_path, monkeypatch):
    import cli.main as cli
    from core.config import Env
    from core.context import Context
    from tests.support.seed import publish_days, scored_day, seed_config, seed_config_raw

    (tmp_path / "config.json").write_text(json.dumps(seed_config_raw()))
    monkeypatch.setenv("ARXIV_RSS_DB", str(tmp_path / "db.sqlite3"))
    store = Context(seed_config(), Env(db_path=str(tmp_path / "db.sqlite3"))).store
    publish_days(store, seed_config(), [scored_day("2020-01-06", [paper("2001.00001", title="LLM")], seed_config())])
    store.close()
    assert cli.main(["--config", str(tmp_path / "config.json"), "digest", "--output", str(tmp_path / "d.md")]) == 0
    assert (
        "> ⚠️ **Old data**: This data is old: the newest announcement held is of 2020-01-06"
        in (tmp_path / "d.md").read_text()
    )


def test_an_abstract_is_cut_at_a_word_boundary_with_an_ellipsis():
    words = "momentum orthogonalized " * 20
    text = render_digest(data([scored(1, 2.0, abstract=words)]))
    abstract = text.split("#### Abstract\n")[1].split("\n")[0]
    assert abstract.endswith("orthogonalized…") or abstract.endswith("momentum…")
    assert len(abstract) <= 300 and "..." not in abstract


def test_an_old_paper_announced_again_shows_its_first_version_and_its_announcement():
    again = Scored(paper("2209.01234", version=3), 2.0, (Match("LLM", True, 1.5),))  # a replacement, 2026
    text = render_digest(data([again]))
    assert "**Announced**: 2026-09-24  " in text and "**First version**: 2022-09 (this is v3)  " in text
    assert "Published" not in text


@pytest.mark.parametrize(
    "arxiv_id, month",
    [("2209.01234", "2022-09"), ("0704.0001", "2007-04"), ("hep-ex/0406020", "2004-06"),
     ("math.CO/9912001", "1999-12"), ("2213.00001", ""), ("nonsense", "")],
)  # fmt: skip
def test_the_first_version_month_is_read_from_the_id(arxiv_id, month):
    assert first_version_month(arxiv_id) == month
