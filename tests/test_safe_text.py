"""`xml_safe` and `one_line` take a fast path for printable text (checked on its bytes
when it is ASCII); for every string,
including the characters XML cannot carry and every kind of Unicode whitespace, they
give what the full regular-expression rules give."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from core.text.safe_html import escape, one_line, text_to_html, xml_safe

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
SPACES = re.compile(r"\s+")
HARD = "\x00\x07\t\n\r \xa0\u2003\u2028\x85\x9f\ud800\udfff\ufffe\uffff\ue000\U0010fffd\u200b\u0301aé  "
TEXT = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(HARD)), max_size=40)


@settings(max_examples=600, deadline=None)
@given(TEXT)
def test_the_fast_paths_give_what_the_full_rules_give(text):
    assert xml_safe(text) == NOT_XML.sub("", text)
    assert one_line(text) == SPACES.sub(" ", NOT_XML.sub("", text)).strip()


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=40))
def test_ascii_text_checked_on_its_bytes_gives_what_the_full_rules_give(text):
    assert xml_safe(text) == NOT_XML.sub("", text)
    assert one_line(text) == SPACES.sub(" ", NOT_XML.sub("", text)).strip()
    assert one_line(text + "\x7f  x") == SPACES.sub(" ", NOT_XML.sub("", text + "\x7f  x")).strip()


def reference_escape(text: str) -> str:
    out = NOT_XML.sub("", text)
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;")):
        out = out.replace(char, entity)
    return out


@settings(max_examples=800, deadline=None)
@given(st.one_of(TEXT, st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=40)))
def test_escaping_gives_what_dropping_then_replacing_gives(text):
    assert escape(text) == reference_escape(text)
    assert escape(text + "&<>\"'\x00\t") == reference_escape(text + "&<>\"'\x00\t")


def test_the_characters_that_take_the_slow_path_are_still_handled():
    assert xml_safe("a\x00b\ud800c\ufffe") == "abc"
    assert one_line(" Ada\u2003\u2003Lovelace\n") == "Ada Lovelace"
    assert one_line("Ada  Lovelace") == "Ada Lovelace"


def reference_html(text: str) -> str:
    paragraphs = [SPACES.sub(" ", p).strip() for p in re.split(r"\n\s*\n", NOT_XML.sub("", text))]
    return "".join(f"<p>{reference_escape(p)}</p>" for p in paragraphs if p)


@settings(max_examples=800, deadline=None)
@given(st.one_of(TEXT, st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=40)))
def test_text_as_paragraphs_gives_what_splitting_at_blank_lines_gives(text):
    for variant in (text, f"  {text} ", f"{text}\n\n{text}", f"{text} & <b>"):
        assert text_to_html(variant) == reference_html(variant)
