"""The Markdown digest keeps the existing bot's format and treats upstream text as text."""

from core.config import parse_config
from core.digest import DigestInput, render_digest, render_document, splice
from core.layout import Day, Manifest
from core.models import Match, Scored
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
        "**Published**: 2026-09-24  ",
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
