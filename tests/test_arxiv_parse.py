"""parse_feed on every real arXiv response in ../shared/fixtures/arxiv, plus synthetic ones
(tests/fixtures/synthetic_*) for the cases nobody recorded."""

from __future__ import annotations

import pytest

from core.errors import ArxivApiError, UpstreamError
from core.ingest.parse import api_error_message, parse_feed
from tests.conftest import local_fixture, shared_fixture

RSS_COMBINED = "rss_2026-09-24_cs.LG+cs.AI+cs.CL+stat.ML_trimmed_4_items.xml"
RSS_AI = "rss_2026-04-27_cs.AI_trimmed_3_items.xml"
RSS_CL = "rss_2026-04-27_cs.CL_trimmed_3_items.xml"
RSS_LG = "rss_2026-04-27_cs.LG_trimmed_3_items.xml"
ATOM_LG = "atom_2026-09-25_cs.LG_trimmed_3_entries.xml"
RDF_CS = "rss1_rdf_old_format_2018-08-30_cs_185_items.rdf"
API_2016_SEARCH = "api_old_2016_search_au_del_maestro.xml"
API_2016_ONE = "api_old_2016_id_list_1111.2011v2.xml"
API_TESTING_10 = "api_2026_search_all_testing_start0_max10.xml"
API_TESTING_100 = "api_2026_search_all_testing_start0_max100.xml"
API_TESTING_40 = "api_2026_search_all_testing_start40_max10.xml"
API_AFFILIATIONS = "api_2026_id_astro-ph_0601001_affiliations_journalref.xml"
API_OLD_STYLE_ID = "api_2026_id_hep-ex_0406020v1_old_style_id_affiliation.xml"
API_34_AUTHORS = "api_2026_id_list_one_missing_one_found_34_authors.xml"
API_TITLE_ZERO = "api_2026_id_2104.12255v1_title_is_zero.xml"
API_EMPTY = "api_2026_empty_result_id_0000.0000.xml"
API_ERROR = "api_2026_error_http400_incorrect_id_format_abc.xml"
API_CATS = "api_2026-04-30_search_cat_cs.LG_OR_cs.AI_max20.xml"

NONEXCLUSIVE = "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"


def paper(body: bytes, paper_id: str, categories: tuple[str, ...] = ()):
    return next(p for p in parse_feed(body, categories).papers if p.id == paper_id)


def fields(item, expected: dict) -> dict:
    return {name: getattr(item, name) for name in expected}


def rss(*items: str) -> bytes:
    """A minimal rss.arxiv.org-shaped feed around hand-written <item> bodies."""
    return (
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' version="2.0"><channel><title>cs.LG updates on arXiv.org</title>'
        "<link>http://rss.arxiv.org/rss/cs.LG</link><pubDate>Tue, 29 Sep 2026 00:00:00 -0400</pubDate>"
        + "".join(f"<item>{item}</item>" for item in items)
        + "</channel></rss>"
    ).encode()


def rss_item(creator: str = "Ada Example", title: str = "A title", guid: str = "oai:arXiv.org:2609.50001v1") -> str:
    return (
        f"<title>{title}</title><guid>{guid}</guid><category>cs.LG</category>"
        "<description>arXiv:2609.50001v1 Announce Type: new \nAbstract: Text.</description>"
        f"<dc:creator>{creator}</dc:creator>"
    )


# --- every real response: the feed-level values --------------------------------------

FEEDS = [
    # fixture, papers, announced, skipped, total_results, feed_categories
    (RSS_COMBINED, 4, "2026-09-24", 0, None, ("cs.LG", "cs.AI", "cs.CL", "stat.ML")),
    (RSS_AI, 3, "2026-04-27", 0, None, ("cs.AI",)),
    (RSS_CL, 3, "2026-04-27", 0, None, ("cs.CL",)),
    (RSS_LG, 3, "2026-04-27", 0, None, ("cs.LG",)),
    (ATOM_LG, 3, "2026-09-25", 0, None, ("cs.LG",)),
    (RDF_CS, 185, "2018-08-30", 0, None, ("cs",)),
    (API_2016_SEARCH, 10, "", 0, 31, ()),
    (API_2016_ONE, 1, "", 0, 1, ()),
    (API_TESTING_10, 10, "", 0, 214881, ()),
    (API_TESTING_100, 100, "", 0, 214881, ()),
    (API_TESTING_40, 10, "", 0, 214881, ()),
    (API_AFFILIATIONS, 1, "", 0, 1, ()),
    (API_OLD_STYLE_ID, 1, "", 0, 1, ()),
    (API_34_AUTHORS, 1, "", 0, 1, ()),
    (API_TITLE_ZERO, 1, "", 0, 1, ()),
    (API_EMPTY, 0, "", 0, 0, ()),
    (API_CATS, 20, "", 0, 364218, ()),
]


@pytest.mark.parametrize(("name", "count", "announced", "skipped", "total", "feed_categories"), FEEDS)
def test_each_real_response_yields_its_papers_date_and_counts(name, count, announced, skipped, total, feed_categories):
    feed = parse_feed(shared_fixture(name))
    assert len(feed.papers) == count
    assert feed.announced == announced
    assert feed.skipped == skipped
    assert feed.total_results == total
    assert feed.feed_categories == feed_categories
    assert all(isinstance(p.authors, tuple) and isinstance(p.categories, tuple) for p in feed.papers)


# --- every real response: one or more papers, field by field --------------------------

PAPERS = [
    (
        RSS_COMBINED,
        "2609.26811",
        {
            "version": 1,
            "title": "The Drift Contract: Spectral Updates for Depth-Robust Local Learning",
            "authors": ("Fabien Polly",),
            "categories": ("cs.LG",),
            "announce_type": "new",
            "announced": "2026-09-24",
            "license": "http://creativecommons.org/licenses/by-nc-sa/4.0/",
            "doi": "",
        },
    ),
    (
        RSS_COMBINED,
        "2205.06398",
        {
            "version": 2,
            "title": "Outlier Detection for Multi-Network Data",
            "authors": ("Pritam Dey", "Zhengwu Zhang", "David B. Dunson"),
            "categories": ("stat.ME", "stat.AP", "stat.ML"),
            "announce_type": "cross",
            "license": "http://creativecommons.org/licenses/by-sa/4.0/",
            "doi": "10.1093/bioinformatics/btac431",
        },
    ),
    (
        RSS_COMBINED,
        "2009.13987",
        {
            "version": 3,
            "authors": ("Michael Joswig", "Marek Kaluba", "Lukas Ruff"),
            "categories": ("cs.LG", "math.MG", "stat.ML"),
            "announce_type": "replace",
            "license": NONEXCLUSIVE,
        },
    ),
    (
        RSS_AI,
        "2604.21936",
        {
            "title": "An Artifact-based Agent Framework for Adaptive and Reproducible Medical Image Processing",
            "categories": ("cs.AI", "cs.CV", "cs.MA"),
            "announce_type": "new",
            "announced": "2026-04-27",
            "license": NONEXCLUSIVE,
        },
    ),
    (
        RSS_CL,
        "2604.22002",
        {
            "authors": ("Anamta Khan", "Ratna Kandala", "Deepti", "Sheza Munir", "Joyojeet Pal"),
            "categories": ("cs.CL",),
            "license": "http://creativecommons.org/licenses/by-nc-sa/4.0/",
        },
    ),
    (
        RSS_LG,
        "2604.21952",
        {
            "title": "Focus Session: Hardware and Software Techniques for Accelerating Multimodal Foundation Models",
            "categories": ("cs.LG", "cs.AI", "cs.AR", "cs.NE", "cs.RO"),
            "license": NONEXCLUSIVE,
        },
    ),
    (
        ATOM_LG,
        "2609.28553",
        {
            "version": 1,
            "categories": ("cs.LG", "cs.AI"),
            "announce_type": "new",
            "announced": "2026-09-25",
            "license": "http://creativecommons.org/licenses/by/4.0/",
            "doi": "10.1109/MAPR72750.2026.11685822",
            "journal_ref": "2026 International Conference on Multimedia Analysis and Pattern Recognition (MAPR)",
            "authors": (
                "Quang Minh Nguyen",
                "Thuy Quynh Nguyen",
                "Duc Minh Le",
                "Ho Nhat Minh Nguyen",
                "Thanh Long Dai Doan",
                "Trong Nghia Nguyen",
            ),
        },
    ),
    (
        ATOM_LG,
        "2402.10149",
        {"version": 3, "categories": ("hep-ph", "cs.LG", "hep-ex"), "announce_type": "cross"},
    ),
    (ATOM_LG, "2401.08875", {"version": 3, "announce_type": "replace", "license": NONEXCLUSIVE}),
    (
        RDF_CS,
        "1808.09955",
        {
            "version": 1,
            "title": "QuasarNET: Human-level spectral classification and redshifting with Deep Neural Networks",
            "authors": ("Nicolas Busca", "Christophe Balland"),
            "categories": ("astro-ph.IM",),
            "announce_type": "cross",
            "announced": "2018-08-30",
        },
    ),
    (
        RDF_CS,
        "1301.1107",
        {
            "version": 6,
            "title": "Spectral Condition-Number Estimation of Large Sparse Matrices",
            "authors": ("Haim Avron", "Alex Druinsky", "Sivan Toledo"),
            "categories": ("cs.NA",),
            "announce_type": "replace",
        },
    ),
    (RDF_CS, "1309.3014", {"version": 2, "categories": ("math.PR",), "announce_type": "replace"}),
    (RDF_CS, "1808.10437", {"authors": ("Chen Gao", "Yuliang Zou", "Jia-Bin Huang"), "announce_type": "new"}),
    (
        API_2016_SEARCH,
        "1201.4869",
        {
            "version": 1,
            "title": "A Luttinger Liquid Core Inside Helium-4 Filled Nanopores",
            "authors": ("Adrian Del Maestro",),
            "categories": ("cond-mat.mes-hall", "cond-mat.other"),
            "announce_type": "new",
            "announced": "2012-01-25",
            "doi": "10.1142/S021797921244002X",
            "journal_ref": "Int. J. Mod. Phys. B, 26, 1244002 (2012)",
            "comment": "26 pages, 10 figures",
        },
    ),
    (
        API_2016_SEARCH,
        "cond-mat/0412498",
        {"version": 1, "authors": ("Adrian Del Maestro", "Subir Sachdev"), "doi": "10.1103/PhysRevB.71.184511"},
    ),
    (
        API_2016_ONE,
        "1111.2011",
        {
            "version": 2,
            "title": "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit",
            "authors": ("James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"),
            "categories": ("cond-mat.str-el", "cond-mat.stat-mech"),
            "announced": "2011-11-09",
            "journal_ref": "Phys. Rev. B 85, 115117 (2012)",
            "comment": "8 pages, 3 figures. Published version",
        },
    ),
    (
        API_TESTING_10,
        "2202.12139",
        {
            "version": 1,
            "authors": ("Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker"),
            "categories": ("cs.SE", "cs.LG"),
            "announced": "2022-02-25",
            "doi": "10.1109/ICSTW55395.2022.00035",
        },
    ),
    (API_TESTING_100, "1812.11470", {"categories": ("cs.SE",), "announced": "2019-01-01"}),
    (API_TESTING_40, "1704.08347", {"categories": ("cs.IT",), "announced": "2017-04-28"}),
    (
        API_AFFILIATIONS,
        "astro-ph/0601001",
        {
            "version": 1,
            "authors": ("Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski"),
            "categories": ("astro-ph",),
            "announced": "2006-01-03",
            "journal_ref": "ActaAstron.56:1-50,2006",
            "affiliations": (
                ("Andrew Gould", "Ohio State"),
                ("Susan Dorsher", "Ohio State"),
                ("B. Scott Gaudi", "CfA"),
                ("Andrzej Udalski", "Warsaw University Observatory"),
            ),
        },
    ),
    (
        API_OLD_STYLE_ID,
        "hep-ex/0406020",
        {
            "version": 1,
            "title": "Sparticle Reconstruction at LHC",
            "categories": ("hep-ex",),
            "announced": "2004-06-08",
            "affiliations": (("Alessia Tricomi", "for the ATLAS and CMS Collaborations"),),
        },
    ),
    (
        API_34_AUTHORS,
        "1707.08567",
        {
            "title": "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications",
            "categories": ("cs.IT",),
            "comment": "44 pages, editors for the proceedings: Yanling Chen and A. J. Han Vinck",
        },
    ),
    (
        API_TITLE_ZERO,
        "2104.12255",
        {
            "version": 1,
            "title": "0",
            "authors": ("Quan Thoi Minh Nguyen",),
            "categories": ("cs.CR",),
            "announce_type": "new",
            "announced": "2021-04-21",
        },
    ),
    (
        API_CATS,
        "2604.26926",
        {"title": r"A Note on How to Remove the $\ln\ln T$ Term from the Squint Bound"},
    ),
    (
        API_CATS,
        "2604.26951",
        {
            "categories": ("cs.CL", "cs.AI", "cs.LG"),
            "comment": "15 pages, 3 figures. Code: https://github.com/PKU-YuanGroup/TIDE",
        },
    ),
]


@pytest.mark.parametrize(("name", "paper_id", "expected"), PAPERS, ids=[f"{row[0]}:{row[1]}" for row in PAPERS])
def test_a_real_paper_has_the_published_field_values(name, paper_id, expected):
    assert fields(paper(shared_fixture(name), paper_id), expected) == expected


ABSTRACTS = [
    # fixture, paper id, how the abstract starts, how it ends
    (RSS_COMBINED, "2609.26811", "Local learning trains each layer", "precisely where normalization is absent."),
    (ATOM_LG, "2402.10149", "In collider experiments, the kinematic", "in searches for physics beyond it."),
    (RDF_CS, "1808.09955", "We introduce QuasarNET, a deep convolutional", "surveys such as eBOSS, DESI and 4MOST."),
    (API_2016_SEARCH, "1201.4869", "As helium-4 is cooled below 2.17 K", "intriguing low dimensional state of matter."),
    (
        API_TITLE_ZERO,
        "2104.12255",
        "What is the funniest number in cryptography? 0.",
        "$35,000 in total for the reported bugs.",
    ),
]


@pytest.mark.parametrize(("name", "paper_id", "start", "end"), ABSTRACTS)
def test_an_abstract_loses_its_prefix_and_surrounding_whitespace(name, paper_id, start, end):
    abstract = paper(shared_fixture(name), paper_id).abstract
    assert abstract.startswith(start)
    assert abstract.endswith(end)
    assert "Announce Type" not in abstract
    assert "\n" not in abstract


CONTAINS = [
    # fixture, paper id, field, a substring that must be there verbatim
    (RSS_AI, "2604.21936", "abstract", r"become central: \textbf{adaptability}, the"),
    (RSS_LG, "2604.21953", "abstract", "costs over $800 per sample"),
    (RSS_LG, "2604.21952", "abstract", "visual resolution & stride"),
    (RDF_CS, "1808.09955", "abstract", r"defines a sample $99.51\pm0.03$\% pure"),
    (RDF_CS, "1808.09955", "abstract", r"pose these two tasks as a \emph{feature detection} problem"),
    (API_2016_SEARCH, "cond-mat/0412498", "abstract", '"p x p" density wave ordering on the square lattice (p >= 3'),
    (API_2016_SEARCH, "1412.6529", "abstract", r"R\'{e}nyi"),
    (API_AFFILIATIONS, "astro-ph/0601001", "comment", "http://www.astronomy.ohio-state.edu/~gould/ogle_hot_jupiters"),
    # The 2026 API marks a new line as newline + indent with no blank line: joined, per our rule.
    (API_TESTING_100, "1812.11470", "abstract", "community as a whole. Objective. In this systematic"),
]


@pytest.mark.parametrize(("name", "paper_id", "field", "text"), CONTAINS)
def test_latex_entities_and_urls_survive_verbatim(name, paper_id, field, text):
    assert text in getattr(paper(shared_fixture(name), paper_id), field)


# --- the special cases named in SOURCES.md ------------------------------------------


def test_the_combined_feed_lists_new_new_cross_replace_in_order():
    feed = parse_feed(shared_fixture(RSS_COMBINED))
    assert [p.announce_type for p in feed.papers] == ["new", "new", "cross", "replace"]
    assert [p.versioned_id for p in feed.papers] == ["2609.26811v1", "2609.26820v1", "2205.06398v2", "2009.13987v3"]


def test_the_atom_feed_lists_new_cross_replace_in_order():
    feed = parse_feed(shared_fixture(ATOM_LG))
    assert [p.announce_type for p in feed.papers] == ["new", "cross", "replace"]


def test_a_single_name_author_shown_as_a_double_space_is_its_own_author():
    authors = paper(shared_fixture(RSS_CL), "2604.22002").authors
    assert authors[1:4] == ("Ratna Kandala", "Deepti", "Sheza Munir")


def test_long_rss_author_lists_split_on_every_comma():
    body = shared_fixture(RSS_AI)
    assert len(paper(body, "2604.21936").authors) == 18
    assert paper(body, "2604.21936").authors[-1] == "Bennett A. Landman"
    assert len(paper(body, "2604.21937").authors) == 17


def test_an_api_entry_keeps_all_34_authors_and_non_ascii_names():
    authors = paper(shared_fixture(API_34_AUTHORS), "1707.08567").authors
    assert len(authors) == 34
    assert authors[0] == "Kees A. Schouhamer Immink"
    assert "Dirk Wübben" in authors


def test_non_ascii_names_come_through_from_the_new_api():
    authors = paper(shared_fixture(API_TESTING_10), "2405.13786").authors
    assert "Aurora Ramírez" in authors
    assert "José Raúl Romero" in authors


@pytest.mark.parametrize(
    ("name", "paper_id", "count"), [(API_CATS, "2604.26904", 13), (API_TESTING_40, "2507.10541", 8)]
)
def test_api_entries_keep_every_author(name, paper_id, count):
    assert len(paper(shared_fixture(name), paper_id).authors) == count


def test_the_empty_api_result_has_total_zero_and_no_papers():
    feed = parse_feed(shared_fixture(API_EMPTY))
    assert (feed.papers, feed.total_results, feed.skipped) == ((), 0, 0)


def test_the_http_400_error_feed_raises_with_arxivs_own_message():
    with pytest.raises(ArxivApiError, match="incorrect id format for abc"):
        parse_feed(shared_fixture(API_ERROR))


def test_api_error_message_reads_the_error_feed():
    assert api_error_message(shared_fixture(API_ERROR)) == "incorrect id format for abc"


@pytest.mark.parametrize("body", [b"", b"\x89PNG\r\n\x1a\n", b"<html><body>502</body></html>", b"<feed/>"])
def test_api_error_message_is_none_for_anything_else_and_never_raises(body):
    assert api_error_message(body) is None


def test_api_error_message_is_none_for_a_good_api_feed():
    assert api_error_message(shared_fixture(API_TITLE_ZERO)) is None


def test_the_rdf_feed_types_its_74_updated_items_as_replace():
    feed = parse_feed(shared_fixture(RDF_CS))
    types = [p.announce_type for p in feed.papers]
    assert (types.count("replace"), types.count("cross"), types.count("new")) == (74, 8, 103)
    assert not any("arXiv:" in p.title or p.title.endswith(".") for p in feed.papers)


def test_the_rdf_feed_keeps_html_paragraph_breaks():
    abstract = paper(shared_fixture(RDF_CS), "1808.10005").abstract
    assert "intersection graphs.\n\nWe present an algorithm" in abstract
    assert "<p>" not in abstract and "&lt;" not in abstract


@pytest.mark.parametrize(
    ("categories", "paper_id", "announce_type"),
    [(("cs.LG",), "1808.09964", "new"), (("cs.LG",), "1808.09987", "cross"), (("cs",), "1808.09987", "new")],
)
def test_the_rdf_feed_decides_cross_against_the_requested_categories(categories, paper_id, announce_type):
    assert paper(shared_fixture(RDF_CS), paper_id, categories).announce_type == announce_type


@pytest.mark.parametrize(
    ("categories", "announce_type"),
    [((), "new"), (("cs.CL",), "new"), (("cs.LG", "cs.AI"), "cross"), (("cs",), "new")],
)
def test_an_api_result_is_new_when_its_primary_category_was_asked_for(categories, announce_type):
    assert paper(shared_fixture(API_CATS), "2604.26951", categories).announce_type == announce_type


def test_a_truncated_real_response_raises_upstream_error():
    with pytest.raises(UpstreamError, match="not well-formed XML"):
        parse_feed(shared_fixture(API_TESTING_10)[:5000])


# --- synthetic fixtures --------------------------------------------------------------


def test_an_empty_weekend_feed_has_no_papers_but_still_its_date():
    feed = parse_feed(local_fixture("synthetic_rss_empty_weekend.xml"))
    assert (feed.papers, feed.announced, feed.skipped, feed.feed_categories) == ((), "2026-09-26", 0, ("cs.LG",))


def test_a_replace_cross_item_keeps_its_type_and_primary_category():
    feed = parse_feed(local_fixture("synthetic_rss_replace_cross.xml"))
    expected = {
        "id": "2203.01250",
        "version": 3,
        "announce_type": "replace-cross",
        "categories": ("math.OC", "cs.LG"),
        "authors": ("Ada Example", "Bo Sample"),
        "announced": "2026-09-29",
    }
    assert fields(feed.papers[0], expected) == expected


def test_an_item_without_announce_type_element_takes_it_and_its_id_from_the_prefix():
    item = parse_feed(local_fixture("synthetic_rss_replace_cross.xml")).papers[1]
    assert (item.versioned_id, item.announce_type) == ("2609.30001v2", "replace")
    assert item.abstract == "This item carries no arxiv:announce_type element."


def test_one_malformed_item_is_skipped_and_counted_while_the_others_are_kept():
    feed = parse_feed(local_fixture("synthetic_rss_one_malformed_item.xml"))
    assert feed.skipped == 1
    assert [p.versioned_id for p in feed.papers] == ["2609.40001v1", "2609.40003v2"]


def test_an_abstract_keeps_its_paragraph_break_and_joins_wrapped_lines():
    item = parse_feed(local_fixture("synthetic_rss_abstract_paragraph_break.xml")).papers[0]
    assert item.abstract == "The first paragraph is wrapped over two lines.\n\nThe second paragraph stands on its own."
    assert item.title == "Two Paragraphs, One Abstract"


# --- inline edge cases ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary garbage", "not well-formed XML"),
        (b"", "not well-formed XML"),
        (b"<?xml version='1.0'?><rss version='2.0'><channel><title>cs.LG upd", "not well-formed XML"),
        (b"<html><head><title>503 Service Unavailable</title></head></html>", "root <html>"),
        (b"<feed><entry/></feed>", "root <feed>"),
        (b'<!DOCTYPE r [<!ENTITY a "aaaa">]><rss>&a;</rss>', "forbidden XML"),
    ],
    ids=["garbage", "empty", "truncated", "html", "atom-without-namespace", "entity-declaration"],
)
def test_bytes_that_are_not_an_arxiv_feed_raise_upstream_error(body, reason):
    with pytest.raises(UpstreamError, match=reason) as caught:
        parse_feed(body)
    assert "\n" not in str(caught.value)
    assert not isinstance(caught.value, ArxivApiError)


@pytest.mark.parametrize(
    ("creator", "authors"),
    [
        ("Ratna Kandala,  Deepti, Sheza Munir", ("Ratna Kandala", "Deepti", "Sheza Munir")),
        ("A. B. Smith, Jr., C. Doe", ("A. B. Smith, Jr.", "C. Doe")),
        ("  Solo   Author  ", ("Solo Author",)),
        ("", ()),
    ],
)
def test_a_comma_joined_creator_becomes_a_tuple_of_names(creator, authors):
    assert parse_feed(rss(rss_item(creator=creator))).papers[0].authors == authors


def test_xml_invalid_control_characters_are_stripped_instead_of_failing_the_feed():
    body = rss(rss_item(title="Bell\x07 and &#x1b;escape &#11;tab"))
    assert parse_feed(body).papers[0].title == "Bell and escape tab"


@pytest.mark.parametrize(
    "item",
    [rss_item(guid="not-an-arxiv-id").replace("arXiv:2609.50001v1 ", ""), "<guid>oai:arXiv.org:2609.50002v1</guid>"],
    ids=["no-id", "no-title"],
)
def test_an_item_without_id_or_title_is_skipped_not_raised(item):
    feed = parse_feed(rss(item, rss_item()))
    assert (feed.skipped, [p.id for p in feed.papers]) == (1, ["2609.50001"])
