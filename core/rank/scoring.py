"""Keyword scoring: which papers a profile wants, and why. Pure functions, no I/O.

The arithmetic is the old bot's, so scores stay familiar: each keyword found in
the title or the abstract adds 1.0 x weight, and 0.5 x weight more when it is in
the title. What changed is how a keyword is found:

- on word boundaries, case-insensitively: ``RL`` is not in "world", ``Fast`` is
  not in "breakfast", ``MOE`` is in "MoE";
- a keyword also matches its plural (s, es, consonant + y -> ies):
  ``LLM`` -> "LLMs", ``Efficiency`` -> "efficiencies";
- a trailing ``*`` asks for a prefix: ``Quantiz*`` -> "quantized", "quantization";
- the words of a phrase may be separated by any whitespace (newlines too) or a
  hyphen: ``machine learning`` -> "machine-learning", "machine\\nlearning";
- everything else is literal (``C++``, ``k-NN``, ``(a)``); a boundary is only
  required where the keyword starts or ends with a word character, so ``C++``
  is found in "C++." and "(C++)" but not in "ObjC++".

Exclude words use the same matcher but are looked for in the TITLE ONLY: a
survey says so in its title, while abstracts routinely mention "peer review"
or "survey data" (the old bot dropped those papers).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from core.config import Config, Keyword
from core.models import Match, Paper, Scored

TITLE_BONUS = 0.5
_SEPARATOR = r"[\s\-\u2010\u2011]+"  # whitespace or a hyphen, between the words of a phrase
_SPLIT = re.compile(_SEPARATOR)
_WORD_CHAR = re.compile(r"\w")
# Letters NFKD does not split into a base letter and a mark; `casefold` already makes ß "ss".
_UNMARKED = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"})


@dataclass(frozen=True)
class _Matcher:
    """One combined regex over lower-cased text for a list of terms.

    Term `i` is the named group ``t<i>``. Alternatives are grouped by their first
    character, written outside the groups, so the regex engine rejects most
    positions on one comparison. Only one alternative is reported per position,
    so the terms sharing that first character (`rivals`) are retried there with
    their own pattern. After a match of letters only (`one_word`) no other term
    can start inside it, so the search resumes at its end; after any other match
    it resumes one character after its start, so overlapping terms ("machine
    learning", "learning") are all found.
    """

    regex: re.Pattern[str] | None
    singles: tuple[re.Pattern[str] | None, ...]
    rivals: tuple[tuple[int, ...], ...]
    one_word: tuple[bool, ...]

    def found(self, text: str) -> set[int]:
        """Indexes of the terms that occur in `text` (already lower-cased)."""
        found: set[int] = set()
        if self.regex is None:
            return found
        search, pos = self.regex.search, 0
        while m := search(text, pos):
            i = int(m.lastgroup[1:])
            found.add(i)
            for j in self.rivals[i]:
                if j not in found and self.singles[j].match(text, m.start()):
                    found.add(j)
            pos = m.end() if self.one_word[i] else m.start() + 1
        return found


@dataclass(frozen=True)
class Profile:
    """Keywords and exclude words compiled for matching; build with `compile_profile`."""

    keywords: tuple[Keyword, ...]
    exclude: tuple[str, ...]

    # Compiled on first use: a query answered from keyword postings (core.rank.postings) never
    # runs the scorer, so never pays for its regexes.
    @cached_property
    def _keyword_matcher(self) -> _Matcher:
        return _matcher([k.text for k in self.keywords])

    @cached_property
    def _exclude_matcher(self) -> _Matcher:
        return _matcher(self.exclude)

    @property
    def empty(self) -> bool:
        """True when the profile has no keywords: every paper scores 0.0."""
        return not self.keywords


def compile_profile(keywords: Sequence[Keyword], exclude: Sequence[str] = ()) -> Profile:
    """Compile keywords and exclude words; the same inputs return the same Profile."""
    return _compile(tuple(keywords), tuple(exclude))


@lru_cache(maxsize=256)
def _compile(keywords: tuple[Keyword, ...], exclude: tuple[str, ...]) -> Profile:
    return Profile(keywords, exclude)


@lru_cache(maxsize=2048)  # a term is at most 100 characters (core.rank.query), its pattern a few times that
def term_pattern(term: str) -> str:
    """The regex (for lower-cased text) that finds one keyword; "" when it has no words."""
    parts = _term_parts(term)
    if parts is None:
        return ""
    head, tail = parts
    return (r"(?<!\w)" if _WORD_CHAR.match(head) else "") + re.escape(head) + tail


def _term_parts(term: str) -> tuple[str, str] | None:
    """A keyword as (its first character, the regex for the rest), or None when it has no words."""
    text = term.strip().lower()
    prefix = text.endswith("*")
    words = [w for w in _SPLIT.split(text.rstrip("*")) if w]
    if not words:
        return None
    body = _SEPARATOR.join([re.escape(w) for w in words[:-1]] + [_last_word(words[-1], prefix)])
    end = r"(?!\w)" if not prefix and _WORD_CHAR.match(words[-1][-1]) else ""
    head = words[0][0]
    return head, body[len(re.escape(head)) :] + end


def _last_word(word: str, prefix: bool) -> str:
    """The last word of a keyword with what may follow it: anything for a prefix, else a plural."""
    if prefix:
        return re.escape(word) + r"\w*"
    if re.search(r"[^aeiou]y$", word):
        return re.escape(word[:-1]) + "(?:y|ies)"
    if word[-1].isalpha():
        return re.escape(word) + "(?:e?s)?"
    return re.escape(word)


def _matcher(terms: Sequence[str]) -> _Matcher:
    parts = [_term_parts(t) for t in terms]
    by_head: dict[str, list[int]] = {}
    for i, part in enumerate(parts):
        if part is not None:
            by_head.setdefault(part[0], []).append(i)
    branches = []
    for head, members in by_head.items():
        # The lookbehind sits after the head, so it spans the character before the head too.
        boundary = rf"(?<!\w{re.escape(head)})" if _WORD_CHAR.match(head) else ""
        tails = "|".join(f"(?P<t{i}>{parts[i][1]})" for i in members)
        branches.append(f"{re.escape(head)}{boundary}(?:{tails})")
    return _Matcher(
        regex=re.compile("|".join(branches)) if branches else None,
        singles=tuple(re.compile(term_pattern(t)) if p else None for t, p in zip(terms, parts, strict=True)),
        rivals=tuple(tuple(j for j in by_head[p[0]] if j != i) if p else () for i, p in enumerate(parts)),
        one_word=tuple(bool(re.fullmatch(r"\w+\*?", t.strip())) for t in terms),
    )


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """`text` without case or accents, for matching names: "Ramírez", "RAMIREZ" and
    "ramirez" all fold to "ramirez", "Søren" to "soren"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare.translate(_UNMARKED))


def score_paper(paper: Paper, profile: Profile) -> Scored:
    """Score one paper: matches in keyword order; points and score rounded to 2 decimals
    (the score sums the unrounded points).

    An excluded paper keeps its score and matches (so it can be explained);
    `excluded_by` names the first exclude word, in configured order, in its title.
    """
    title = paper.title.lower()
    in_title = profile._keyword_matcher.found(title)
    anywhere = in_title | profile._keyword_matcher.found(paper.abstract.lower())
    points = {i: _points(profile.keywords[i], i in in_title) for i in sorted(anywhere)}
    matches = tuple(Match(profile.keywords[i].text, i in in_title, round(p, 2)) for i, p in points.items())
    excluded = profile._exclude_matcher.found(title)
    excluded_by = profile.exclude[min(excluded)] if excluded else ""
    return Scored(paper, round(sum(points.values()), 2), matches, excluded_by)


def _points(keyword: Keyword, in_title: bool) -> float:
    return keyword.weight * (1.0 + (TITLE_BONUS if in_title else 0.0))


def score_all(papers: Iterable[Paper], profile: Profile) -> list[Scored]:
    """Score every paper with one profile, in input order."""
    return [score_paper(p, profile) for p in papers]


def rank(scored: Iterable[Scored]) -> list[Scored]:
    """Score descending, then announcement date descending, then newest paper first
    (`id_order` descending): a day's new submissions before its replacements of older papers."""
    by_id = sorted(scored, key=lambda s: id_order(s.paper.id), reverse=True)
    return sorted(by_id, key=lambda s: (s.score, s.paper.announced), reverse=True)


_NEW_ID = re.compile(r"([0-9]{2})([0-9]{2})\.([0-9]{4,5})")
_OLD_ID = re.compile(r"[a-z-]+(?:\.[A-Za-z-]+)?/([0-9]{2})([0-9]{2})([0-9]{3})")
_NEW_IDS = re.compile(r"(?:[0-9]{4}\.[0-9]{4,5}\n)+")  # modern ids, one a line


def recency_keys(ids: Sequence[str], dates: Sequence[str]) -> list:
    """For each paper (its id and announcement date) a key that sorts as (announced,
    id_order(id)) does, for many papers at once (core.rank.postings orders a whole pool).
    When every id is a modern one (`2609.26811`, `1412.1234`) and every date has ISO's ten
    characters, as stored papers do: one string of the date, the id with its number padded
    to five digits (which sorts by year, month and number) and the id itself (`id_order`'s
    last resort), made and compared several times quicker than the tuples; otherwise the
    tuples."""
    if _NEW_IDS.fullmatch("\n".join(ids) + "\n") and all(len(d) == 10 for d in set(dates)):
        return [d + (i if len(i) == 10 else f"{i[:5]}0{i[5:]}") + i for d, i in zip(dates, ids, strict=True)]
    return [(d, id_order(i)) for d, i in zip(dates, ids, strict=True)]


@lru_cache(maxsize=65536)
def id_order(paper_id: str) -> tuple[int, int, int, str]:
    """A versionless arXiv id as (year, month, number, id), which sorts by submission:
    `hep-ex/0406020` (2004) < `0704.0001` (2007) < `2609.26811` (2026). Ids of neither
    form sort before both, by their text."""
    if m := _NEW_ID.fullmatch(paper_id):
        return 2000 + int(m[1]), int(m[2]), int(m[3]), paper_id
    if m := _OLD_ID.fullmatch(paper_id):
        year = int(m[1])
        return (1900 + year if year >= 91 else 2000 + year), int(m[2]), int(m[3]), paper_id
    return 0, 0, 0, paper_id


def select(
    scored: Iterable[Scored],
    min_score: float = 0.0,
    require_match: bool = True,
    *,
    profile: Profile | None = None,
) -> list[Scored]:
    """Keep papers that are not excluded, score at least `min_score` and, when
    `require_match`, matched a keyword. Pass the `profile` when it may be empty:
    an empty profile (no keywords) wants every paper, so `require_match` is waived.
    Input order is kept.
    """
    need_match = require_match and not (profile is not None and profile.empty)
    return [s for s in scored if not s.excluded_by and s.score >= min_score and (s.matches or not need_match)]


def highlight_terms(scored: Scored) -> tuple[str, ...]:
    """The keyword texts (as configured) that matched, in keyword order."""
    return scored.matched_keywords


def profile_matches(config: Config, scored: Iterable[Scored]) -> list[Scored]:
    """The papers the deployment's own profile selects, best first: its announce types,
    its keywords and exclude words, never below its `min_score`. The refresh counts,
    the digest and the choice of papers to summarise all use this one selection."""
    profile = compile_profile(config.keywords, config.exclude_keywords)
    typed = [s for s in scored if s.paper.announce_type in config.include_types]
    return rank(select(typed, min_score=config.min_score, profile=profile))
