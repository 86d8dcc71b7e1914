"""Importing a library to start a profile: BibTeX, RIS, CSL JSON and id lists (small
hand-written exports in the shape Zotero writes them, not real libraries), limits, files
that are not what they claim, and the recency-weighted library vector."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.errors import LibraryImportError
from core.profiles.library import (
    MAX_ENTRIES,
    MAX_IMPORT_BYTES,
    Entry,
    library_vector,
    parse_library,
    recency_weights,
    sniff,
)

BIBTEX = b"""% Zotero-style export (hand-written)
@article{casnici2026,
  title = {Accelerated {Predictive} Coding Networks},
  author = {Casnici, Davide and Frenkel, Charlotte},
  abstract = {Predictive coding is a biologically inspired algorithm.},
  eprint = {2609.26811},
  archivePrefix = {arXiv},
  dateadded = {2026-09-20},
}
@inproceedings{old2019,
  title = {A paper without an abstract},
  url = {https://arxiv.org/abs/1901.00001v3},
  year = {2019},
}
@misc{broken,
  title = {unterminated
"""
RIS = (
    b"TY  - JOUR\nTI  - Speculative decoding for LLM inference\nAB  - We draft tokens with a small model.\n"
    b"UR  - https://arxiv.org/abs/2609.00001\nDA  - 2026/09/01\nER  - \n"
    b"TY  - BOOK\nTI  - A book about graphs\nPY  - 2001\nER  - \n"
)
CSL = json.dumps(
    [
        {
            "type": "article",
            "title": "Lattice signatures",
            "abstract": "Post-quantum.",
            "DOI": "10.48550/arXiv.2609.00011",
        },
        {"type": "book", "title": "Robots", "issued": {"date-parts": [[2020, 5]]}},
    ]
).encode()
IDS = b"2609.26811\nhttps://arxiv.org/abs/2609.00001v2, arXiv:1901.00001\n2609.26811\n"


def test_bibtex_entries_give_titles_abstracts_arxiv_ids_and_dates_and_skip_a_broken_block():
    entries = parse_library(BIBTEX, "My Library.bib")
    assert entries[0] == Entry(
        "Accelerated Predictive Coding Networks",
        "Predictive coding is a biologically inspired algorithm.",
        "2609.26811",
        "2026-09-20",
    )
    assert entries[1].arxiv_id == "1901.00001" and entries[1].abstract == "" and entries[1].text == entries[1].title
    assert len(entries) == 2


def test_ris_entries():
    entries = parse_library(RIS, "export.ris")
    assert [(e.title, e.arxiv_id) for e in entries] == [
        ("Speculative decoding for LLM inference", "2609.00001"),
        ("A book about graphs", ""),
    ]


def test_csl_json_entries_find_the_arxiv_doi():
    entries = parse_library(CSL, "export.json")
    assert entries[0].arxiv_id == "2609.00011" and entries[1].added == "2020-05"


def test_a_plain_list_of_ids_and_urls_without_duplicates():
    assert [e.arxiv_id for e in parse_library(IDS, "ids.txt")] == ["2609.26811", "2609.00001", "1901.00001"]


@pytest.mark.parametrize(
    "data, name",
    [(BIBTEX, "x"), (RIS, "x"), (CSL, "x"), (IDS, "x")],
    ids=["bibtex", "ris", "csl-json", "ids"],
)
def test_the_format_is_found_from_the_content_without_an_extension(data, name):
    assert parse_library(data, name)


def test_sniff_prefers_the_extension():
    assert sniff("[]", "a.bib") == "bibtex" and sniff("TY  - JOUR\n", "") == "ris"


@pytest.mark.parametrize(
    "data, name, problem",
    [
        (CSL, "library.bib", "no BibTeX entries"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "photo.bib", "binary"),
        (b"\xff\xfe\xfa not utf-8", "x.ris", "not UTF-8"),
        (b'{"items": 3}', "x.json", "not a CSL JSON list"),
        (b"[1, 2, 3]", "x.json", "not a CSL JSON list"),
        (b"{not json", "x.json", "not valid JSON"),
        (b"hello world", "x.txt", "not an arXiv id"),
        (b"", "x.bib", "no BibTeX entries"),
        (b"TY  - JOUR\nER  - \n", "x.ris", "no RIS entries"),
    ],
    ids=[
        "json-as-bib",
        "binary",
        "not-utf8",
        "csl-object",
        "csl-numbers",
        "bad-json",
        "prose-as-ids",
        "empty",
        "ris-empty",
    ],
)
def test_a_file_that_is_not_what_it_claims_is_a_clear_error(data, name, problem):
    with pytest.raises(LibraryImportError, match=problem):
        parse_library(data, name)


def test_a_file_over_5_mb_is_refused_before_parsing():
    with pytest.raises(LibraryImportError, match="at most 5242880"):
        parse_library(b"%" * (MAX_IMPORT_BYTES + 1), "big.bib")


@pytest.mark.parametrize(
    "entry, name",
    [
        ("@misc{k%d, title={T%d}}\n", "x.bib"),
        ("TY  - JOUR\nTI  - T%d %d\nER  - \n", "x.ris"),
    ],
)
def test_too_many_entries_are_refused(entry, name):
    text = "".join(entry % (i, i) for i in range(MAX_ENTRIES + 1)).encode()
    with pytest.raises(LibraryImportError, match=f"at most {MAX_ENTRIES}"):
        parse_library(text, name)


def test_too_many_ids_or_csl_items_are_refused():
    with pytest.raises(LibraryImportError, match=f"at most {MAX_ENTRIES}"):
        parse_library("\n".join(f"2609.{i:05d}" for i in range(MAX_ENTRIES + 1)).encode(), "x.txt")
    with pytest.raises(LibraryImportError, match=f"at most {MAX_ENTRIES}"):
        parse_library(json.dumps([{"title": "t"}] * (MAX_ENTRIES + 1)).encode(), "x.json")


def test_hostile_bibtex_parses_quickly_or_fails_clearly():
    nested = b"@article{x, title={" + b"{" * 50_000 + b"deep" + b"}" * 50_000 + b"}}"
    assert len(parse_library(nested, "x.bib")) == 1
    with pytest.raises(LibraryImportError):
        parse_library(b"@" * 1_000_000, "x.bib")


def test_recent_additions_weigh_more():
    entries = [Entry("old", added="2019-01-01"), Entry("new", added="2026-09-01"), Entry("undated")]
    weights = recency_weights(entries)
    assert weights[1] == 1.0 and weights[1] > weights[0] > weights[2]


def test_the_library_vector_uses_held_vectors_and_embeds_the_rest():
    held_row = np.eye(4, dtype=np.float32)[0]
    embedded: list[list[str]] = []

    def embed(texts):
        embedded.append(texts)
        return np.tile(np.eye(4, dtype=np.float32)[1], (len(texts), 1))

    entries = [
        Entry("held", arxiv_id="2609.00001", added="2026"),
        Entry("T", "A", added="2020"),
        Entry("", arxiv_id="2609.9"),
    ]
    vector, used = library_vector(entries, lambda i: held_row if i == "2609.00001" else None, embed)
    assert used == 2 and embedded == [["T. A"]]
    assert vector[0] > vector[1] > 0 and np.isclose(np.linalg.norm(vector), 1.0)
