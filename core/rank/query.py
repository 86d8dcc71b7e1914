"""A feed request's query string, validated into one frozen `FeedQuery`. Pure, no I/O.

Parameters (all optional). An unknown parameter is an error naming it and the
nearest known one (`keyword` -> did you mean `keywords`?), so a typo never quietly
serves the default feed; only the tracking tags that link shorteners and sharing
append (`utm_*`, `fbclid`, `gclid`) are ignored. An empty value counts as absent.

    format      rss (default) | atom | json (JSON Feed 1.1)
    keywords    comma list; absent = the config keywords; `*` = no keyword filter.
                A trailing `*` on a keyword asks for a prefix (`quantiz*`: at least 3
                letters before it, at most 5 prefixes a query). A term
                may be quoted (`"large language model"`, which may hold commas);
                the quotes are not part of it. The path keyword of
                /feed/keyword/{keyword} is a comma list too (`/feed/keyword/LLM,RL`).
    exclude     comma list of title words; absent = the config exclude words; `*` = none
    authors     comma list; a paper matches when any author name contains any of
                them, ignoring case and accents (`ramirez` finds "Ramírez")
    categories  comma list of served categories; a paper listed in any of them
    types       comma list of new, cross, replace, replace-cross (`*` = all);
                default: the config's include_types (new, cross)
    min_score   a number >= 0 (ASCII digits, e.g. 1.5); default: the config min_score
                with the config keywords, else 0 (any match counts)
    days        announcement days back, 1 .. retention_days (ASCII digits); default 1 (the latest)
    limit       1 .. 200 (ASCII digits); default 50
    sort        score (default: score, then date, then the newest paper) | date (newest
                day first; within a day by score, then the newest paper first)
    summary     full (default: include AI summaries) | none
    interest    free text (at most 500 characters): rank by similarity of meaning to it
    like        comma list of arXiv ids (at most 20): rank by similarity to those papers;
                ids not among the papers held are left out and named in the description
    unlike      comma list of arXiv ids (at most 20): push their neighbours down
    rank        keywords | meaning | hybrid; default: hybrid with interest or like, else
                keywords (see core.rank.similarity for the blend)
    min_similarity  a number from -1 to 1: drop papers less similar than that

List parameters may be repeated (`?keywords=a&keywords=b` = `?keywords=a,b`); a
single-valued parameter repeated with different values is an error. Every error
is a `BadQuery` naming the parameter: 400, or 404 for a well-formed category in
the path that this deployment does not serve.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from core.config import CATEGORY_RE, Config, Keyword
from core.errors import BadQuery
from core.models import ANNOUNCE_TYPES
from core.rank.scoring import fold, term_pattern
from core.text.safe_html import one_line

FORMATS = ("rss", "atom", "json")
SORTS = ("score", "date")
SUMMARY_MODES = ("full", "none")
MAX_TERMS = 20
MAX_TERM_LENGTH = 100
MIN_PREFIX = 3  # letters before a prefix's `*`: `qua*` yes, `a*` no
MAX_PREFIXES = 5  # prefix terms per list
MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_MIN_SCORE = 1000.0
MAX_VALUE_LENGTH = 4096  # above any valid value (20 terms of 100 characters)
LIST_PARAMETERS = ("keywords", "exclude", "authors", "categories", "types", "like", "unlike")
SINGLE_PARAMETERS = ("format", "min_score", "days", "limit", "sort", "summary", "interest", "rank", "min_similarity")
RANKS = ("keywords", "meaning", "hybrid")
MAX_INTEREST = 500
_QUERY_BASE = 400  # bytes of a parsed query beyond its texts and items (FeedQuery.size)
ARXIV_ID = re.compile(r"(?:arxiv:)?([0-9]{4}\.[0-9]{4,5}|[a-z-]+(?:\.[A-Z]{2})?/[0-9]{7})(?:v[0-9]+)?", re.IGNORECASE)
_SIMILARITY = re.compile(r"[-+]?[0-9](?:\.[0-9]{1,6})?")
PARAMETERS = frozenset(LIST_PARAMETERS + SINGLE_PARAMETERS)
TRACKING_PREFIXES = ("utm_",)  # added by link shorteners and sharing, never by a user
TRACKING_PARAMETERS = frozenset({"fbclid", "gclid"})
_WHOLE = re.compile(r"[0-9]{1,6}")  # ASCII digits only: `\d` would take "١٠" as 10
_DECIMAL = re.compile(r"[0-9]{1,6}(?:\.[0-9]{1,6})?")
# Quotes that may wrap one term: ASCII double and single, and the typographic pairs phones type.
_QUOTE_PAIRS = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019", "\u201e": "\u201c"}

KEYWORD_NEEDED = "a keyword path needs a keyword: /feed/keyword/LLM"

Params = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass(frozen=True)
class FeedQuery:
    """One validated feed request, with every default already resolved against the config.

    `category` and `keyword` come from the path (/feed/{category}, /feed/keyword/{keyword});
    `rescore` is True when the keywords or exclude words differ from the config's, so the
    stored scores do not apply; `canonical` identifies the result (ETag, response cache);
    `url_params` are the parameters the request set, normalised, for the feed's own URL.
    """

    format: str = "rss"
    category: str = ""
    keyword: str = ""
    keywords: tuple[Keyword, ...] = ()
    exclude: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    types: tuple[str, ...] = ("new", "cross")
    min_score: float = 0.0
    days: int = 1
    limit: int = DEFAULT_LIMIT
    sort: str = "score"
    summary: str = "full"
    interest: str = ""
    like: tuple[str, ...] = ()
    unlike: tuple[str, ...] = ()
    rank: str = "keywords"
    min_similarity: float | None = None
    min_score_given: bool = False
    rescore: bool = False
    canonical: str = ""
    url_params: tuple[tuple[str, str], ...] = ()

    @property
    def path(self) -> str:
        """The canonical path of this feed (the /rss aliases map to /feed)."""
        if self.keyword:
            return "/feed/keyword/" + quote(self.keyword, safe=",")
        return f"/feed/{self.category}" if self.category else "/feed"

    @property
    def url(self) -> str:
        """Path and normalised query string, e.g. `/feed/cs.AI?format=atom&limit=10`."""
        return self.path + ("?" + urlencode(self.url_params, safe=",*") if self.url_params else "")

    @property
    def size(self) -> int:
        """About how many bytes the query holds, as `core.memo.deep_size` counts them (tests
        keep the two within a few tenths of each other), worked out from its canonical text,
        which names every value, and its count of listed items: a memo of parsed queries
        sizes each one it keeps without walking its objects."""
        items = sum(
            map(len, (self.keywords, self.exclude, self.authors, self.categories, self.types, self.like, self.unlike))
        )
        return _QUERY_BASE + 4 * len(self.canonical) + 68 * (items + len(self.url_params))


def parse_query(params: Params, config: Config, *, category: str = "", keyword: str = "") -> FeedQuery:
    """Validate a query string (a mapping or (name, value) pairs) plus the path's category
    or keyword(s) against the config. Raises BadQuery naming the offending parameter."""
    pairs = list(params.items() if isinstance(params, Mapping) else params)
    check_names(name for name, _ in pairs)
    given = _collect(pairs)
    path_category = _path_category(category, config) if category else ""
    path_keywords = _path_keywords(keyword) if keyword else ()
    keywords = _keywords(given.get("keywords"), path_keywords, config)
    exclude = _exclude(given.get("exclude"), config)
    rescore = keywords != config.keywords or exclude != tuple(config.exclude_keywords)
    values = dict(
        format=_choice(given, "format", FORMATS, "rss"),
        category=path_category,
        keyword=join_terms(path_keywords),
        keywords=keywords,
        exclude=exclude,
        authors=_authors(given.get("authors")),
        categories=_categories(given.get("categories"), config),
        types=_types(given.get("types"), config),
        min_score=_min_score(given.get("min_score"), config.min_score if not rescore else 0.0),
        days=_whole(given, "days", 1, 1, config.retention_days),
        limit=_whole(given, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        sort=_choice(given, "sort", SORTS, "score"),
        summary=_choice(given, "summary", SUMMARY_MODES, "full"),
        **_meaning(given),
        min_score_given="min_score" in given,
        rescore=rescore,
    )
    return FeedQuery(**values, canonical=_canonical(values), url_params=_url_params(given))


def check_names(names: Iterable[str]) -> None:
    """Raise BadQuery for the first name that is neither a feed parameter nor a tracking
    tag, naming the nearest parameter (difflib) when one is close."""
    for name in names:
        if name in PARAMETERS or name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES):
            continue
        shown = one_line(name)[:40]
        import difflib  # only for a misspelt parameter, never on a good request

        near = difflib.get_close_matches(shown.lower(), sorted(PARAMETERS), n=1, cutoff=0.6)
        hint = f'did you mean "{near[0]}"?' if near else f"the parameters are {', '.join(sorted(PARAMETERS))}"
        raise BadQuery(name, f'"{shown}" is not a feed parameter; {hint}')


def _collect(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Known parameters, stripped, empty ones dropped (a list of nothing but commas, blanks
    and control characters is empty too); list parameters joined with commas."""
    out: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    lengths: dict[str, int] = {}
    for name, raw in pairs:
        value = raw.strip()
        if not value or name not in PARAMETERS:
            continue
        if name in LIST_PARAMETERS and not one_line(value.replace(",", " ")):
            continue
        if len(value) > MAX_VALUE_LENGTH:
            raise BadQuery(name, f"is longer than {MAX_VALUE_LENGTH} characters")
        if name in LIST_PARAMETERS:
            lengths[name] = lengths.get(name, -1) + 1 + len(value)
            if lengths[name] > MAX_VALUE_LENGTH:  # repeats joined: checked as they come, never re-copied
                raise BadQuery(name, f"is longer than {MAX_VALUE_LENGTH} characters, its repeats joined")
            lists.setdefault(name, []).append(value)
        elif name in out and out[name] != value:
            raise BadQuery(name, f"given more than once with different values ({out[name]!r}, {value!r})")
        else:
            out[name] = value
    out.update((name, ",".join(values)) for name, values in lists.items())
    return out


def _terms(value: str, parameter: str) -> list[str]:
    """A comma list: items stripped and unquoted, empties dropped, duplicates (ignoring
    case) dropped."""
    seen: dict[str, str] = {}
    for item in split_terms(value):
        term = _unquote(one_line(item))
        if term and term.casefold() not in seen:
            seen[term.casefold()] = term
    terms = list(seen.values())
    if len(terms) > MAX_TERMS:
        raise BadQuery(parameter, f"has {len(terms)} items; at most {MAX_TERMS} are allowed")
    for term in terms:
        if len(term) > MAX_TERM_LENGTH:
            raise BadQuery(parameter, f"{term[:40]!r}... is longer than {MAX_TERM_LENGTH} characters")
    return terms


def split_terms(value: str) -> list[str]:
    """`value` split on the commas outside double quotes (`"a, b",c` -> `"a, b"`, `c`);
    with an unclosed quote, on every comma."""
    if '"' not in value:
        return value.split(",")
    parts, start, quoted = [], 0, False
    for i, ch in enumerate(value):
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            parts.append(value[start:i])
            start = i + 1
    if quoted:
        return value.split(",")
    parts.append(value[start:])
    return parts


def _unquote(term: str) -> str:
    """A term without the pair of quotes around it (`"large language model"`)."""
    if len(term) >= 2 and _QUOTE_PAIRS.get(term[0]) == term[-1]:
        return one_line(term[1:-1])
    return term


def join_terms(terms: Iterable[str]) -> str:
    """Terms as one comma list that `split_terms` reads back: a term holding a comma is quoted."""
    return ",".join(f'"{t}"' if "," in t and '"' not in t else t for t in terms)


def _keyword_term(term: str, parameter: str) -> str:
    if not term_pattern(term):
        raise BadQuery(parameter, f"{term!r} has no letters or digits to look for")
    stem = term.strip()
    if (
        stem.endswith("*")
        and len(re.sub(r"\W", "", stem.rstrip("*").split()[-1] if stem.rstrip("*").split() else "")) < MIN_PREFIX
    ):
        raise BadQuery(parameter, f"{term[:40]!r}: a prefix needs at least {MIN_PREFIX} letters before the *")
    return term


def _few_prefixes(terms: list[str], parameter: str) -> None:
    """Each prefix can stand for thousands of words: a query holds at most MAX_PREFIXES."""
    prefixes = [t for t in terms if t.strip().endswith("*")]
    if len(prefixes) > MAX_PREFIXES:
        raise BadQuery(parameter, f"has {len(prefixes)} prefix terms (ending in *); at most {MAX_PREFIXES} are allowed")


def _path_keywords(keyword: str) -> tuple[str, ...]:
    """The keywords of /feed/keyword/{keyword}: a comma list, as the `keywords` parameter."""
    terms = _terms(keyword, "keyword")
    if not terms:
        raise BadQuery("keyword", KEYWORD_NEEDED)
    if "*" in terms:
        raise BadQuery("keyword", "`*` (no keyword filter) is not a keyword; use /feed?keywords=*")
    return tuple(_keyword_term(t, "keyword") for t in terms)


def _keywords(value: str | None, path_keywords: tuple[str, ...], config: Config) -> tuple[Keyword, ...]:
    """The profile's keywords: the path keywords first, then the `keywords` parameter;
    neither = the config's keywords; `*` alone = none (no keyword filter)."""
    terms = _terms(value, "keywords") if value else []
    if "*" in terms:
        if len(terms) > 1 or path_keywords:
            raise BadQuery("keywords", "`*` (no keyword filter) cannot be combined with keywords")
        return ()
    terms = [_keyword_term(t, "keywords") for t in terms]
    _few_prefixes([*path_keywords, *terms], "keywords")
    if path_keywords:
        seen = {t.casefold() for t in path_keywords}
        terms = [*path_keywords, *(t for t in terms if t.casefold() not in seen)]
        if len(terms) > MAX_TERMS:
            raise BadQuery("keywords", f"has {len(terms)} items with the path keywords; at most {MAX_TERMS}")
    if not terms:
        return tuple(config.keywords)
    return tuple(Keyword(t) for t in terms)


def _exclude(value: str | None, config: Config) -> tuple[str, ...]:
    if not value:
        return tuple(config.exclude_keywords)
    terms = _terms(value, "exclude")
    if terms == ["*"]:
        return ()
    terms = [_keyword_term(t, "exclude") for t in terms]
    _few_prefixes(terms, "exclude")
    return tuple(terms)


def _authors(value: str | None) -> tuple[str, ...]:
    """The author terms folded as author names are (case and accents), duplicates dropped."""
    out: dict[str, None] = {}
    for term in _terms(value, "authors") if value else ():
        if not fold(term):
            raise BadQuery("authors", f"{term[:40]!r} has nothing to look for")
        out[fold(term)] = None
    return tuple(out)


def _served(name: str, config: Config) -> str | None:
    """The configured spelling of a category, matched case-insensitively; None if not served."""
    return next((c for c in config.categories if c.casefold() == name.casefold()), None)


def _path_category(name: str, config: Config) -> str:
    served = _served(name, config)
    if served is not None:
        return served
    if name.casefold() == "keyword":  # /feed/keyword, or /feed/keyword/ with its slash dropped
        raise BadQuery("keyword", KEYWORD_NEEDED)
    if len(name) > MAX_TERM_LENGTH or not CATEGORY_RE.match(name):
        raise BadQuery("category", f'{name[:40]!r} is not an arXiv category such as "cs.AI"')
    raise BadQuery("category", f"{name} is not served here; served: {', '.join(config.categories)}", 404)


def _categories(value: str | None, config: Config) -> tuple[str, ...]:
    if not value:
        return tuple(config.categories)
    out = []
    for name in _terms(value, "categories"):
        served = _served(name, config)
        if served is None and not CATEGORY_RE.match(name):
            raise BadQuery("categories", f'{name!r} is not an arXiv category such as "cs.AI"')
        if served is None:
            raise BadQuery("categories", f"{name} is not served here; served: {', '.join(config.categories)}")
        out.append(served)
    return tuple(c for c in config.categories if c in out)


def _types(value: str | None, config: Config) -> tuple[str, ...]:
    if not value:
        return tuple(config.include_types)
    terms = [t.lower() for t in _terms(value, "types")]
    if terms == ["*"]:
        return ANNOUNCE_TYPES
    for t in terms:
        if t not in ANNOUNCE_TYPES:
            raise BadQuery("types", f"{t!r} is not one of {', '.join(ANNOUNCE_TYPES)} (or *)")
    return tuple(t for t in ANNOUNCE_TYPES if t in terms)


def _meaning(given: dict[str, str]) -> dict:
    """interest, like, unlike, rank and min_similarity, checked together."""
    interest = one_line(given.get("interest", ""))
    if len(interest) > MAX_INTEREST:
        raise BadQuery("interest", f"is {len(interest)} characters long; at most {MAX_INTEREST} are allowed")
    like, unlike = _ids(given, "like"), _ids(given, "unlike")
    rank = _choice(given, "rank", RANKS, "hybrid" if interest or like else "keywords")
    if rank != "keywords" and not (interest or like):
        raise BadQuery("rank", f"rank={rank} needs interest= or like= to rank by")
    value = given.get("min_similarity")
    min_similarity = None
    if value is not None:
        if not _SIMILARITY.fullmatch(value) or not -1.0 <= float(value) <= 1.0:
            raise BadQuery("min_similarity", f"{value[:40]!r} is not a number from -1 to 1")
        min_similarity = float(value)
    return dict(interest=interest, like=like, unlike=unlike, rank=rank, min_similarity=min_similarity)


def _ids(given: dict[str, str], name: str) -> tuple[str, ...]:
    """arXiv ids without their version (`2609.26811v2` -> `2609.26811`)."""
    out = []
    for term in _terms(given.get(name, ""), name):
        match = ARXIV_ID.fullmatch(term.removeprefix("https://arxiv.org/abs/"))
        if match is None:
            raise BadQuery(name, f"{term[:40]!r} is not an arXiv id such as 2609.26811")
        if match.group(1) not in out:
            out.append(match.group(1))
    return tuple(out)


def _choice(given: dict[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = given.get(name, default).lower()
    if value not in choices:
        raise BadQuery(name, f"{given[name][:40]!r} is not one of {', '.join(choices)}")
    return value


def _whole(given: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    if name not in given:
        return default
    value = given[name]
    if not _WHOLE.fullmatch(value) or not low <= int(value) <= high:
        raise BadQuery(name, f"{value[:40]!r} is not a whole number from {low} to {high}")
    return int(value)


def _min_score(value: str | None, default: float) -> float:
    if value is None:
        return default
    if not _DECIMAL.fullmatch(value) or not math.isfinite(float(value)) or float(value) > MAX_MIN_SCORE:
        raise BadQuery("min_score", f"{value[:40]!r} is not a number from 0 to {MAX_MIN_SCORE:g}")
    return float(value)


def _canonical(v: dict) -> str:
    """Every resolved value in a fixed order: equal strings mean equal results."""
    keywords = ",".join(f"{k.text}^{k.weight:g}" for k in v["keywords"])
    return "|".join(
        [
            f"format={v['format']}",
            f"category={v['category']}",
            f"keyword={v['keyword']}",
            f"keywords={keywords}",
            f"exclude={','.join(v['exclude'])}",
            f"authors={','.join(v['authors'])}",
            f"categories={','.join(v['categories'])}",
            f"types={','.join(v['types'])}",
            f"min_score={v['min_score']:g}",
            f"days={v['days']}",
            f"limit={v['limit']}",
            f"sort={v['sort']}",
            f"summary={v['summary']}",
            f"interest={v['interest']}",
            f"like={','.join(v['like'])}",
            f"unlike={','.join(v['unlike'])}",
            f"rank={v['rank']}",
            f"min_similarity={v['min_similarity']}",
            f"min_score_given={v['min_score_given']}",
        ]
    )


def _url_params(given: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The parameters the request set, in a fixed order, list values re-joined tidily."""
    out = []
    for name in SINGLE_PARAMETERS[:1] + LIST_PARAMETERS + SINGLE_PARAMETERS[1:]:
        if name in given:
            value = given[name]
            if name in LIST_PARAMETERS:
                value = join_terms(_terms(value, name))
            out.append((name, value.lower() if name in ("format", "sort", "summary", "rank") else value))
    return tuple(out)
