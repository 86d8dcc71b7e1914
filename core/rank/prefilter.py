"""Which papers of a day a keyword can possibly match, from an index of the day's words.
Pure, no I/O.

    index = index_of(day)                   # built once per Day object, kept while it lives
    need = keyword_needs("graph neural network")
    index.possible(need) -> positions in day.papers; index.possible(need, title=True)

A custom query re-scores papers with `core.rank.scoring`'s regexes (tens of microseconds a
paper). This module finds, without running them, a SUPERSET of the papers a keyword's
regex can match, so the exact scorer runs only on those: every other paper scores 0
with no matches, exactly as the regex would give it.

A token is a maximal run of ASCII letters and digits in the text lower-cased with
`str.lower()`, the lower-casing the scorer matches against. A keyword's regex
(`core.rank.scoring.term_pattern`) matches its own lower-cased characters literally,
except that the words of a phrase may be separated by any whitespace or hyphens, a
trailing `*` allows any word characters after it, and the last word may take a
plural ending (s, es; consonant + y -> ies) followed by no word character. So for
each maximal ASCII letter-and-digit run R of the keyword's words, a match leaves R
in the text, and:

- R starts a token: the character before it in the keyword is not an ASCII letter
  or digit and the text has that same character (or a separator) there; or R opens
  the keyword, whose first character is then a word character, and the scorer
  requires no word character before it (ASCII letters and digits are word
  characters). This holds for keywords starting with punctuation (`(a)`, `.net`)
  or with a non-ASCII letter (`ébert`: R = "bert" starts right after it) too;
- R ends a token when the keyword has a character after it (in the same word, or a
  separator before the next word): the text has that character there, and it is not
  an ASCII letter or digit;
- when R ends the keyword, the token is R (digit last), R, Rs or Res (letter last),
  R or R[:-1] + "ies" (consonant + y), or any token starting with R (trailing `*`):
  the scorer requires no word character after the match.

A paper can match the keyword only if it has, for every run, a token of that form
(`keyword_needs` lists them). A keyword with no ASCII letter or digit (`+`, `ü`)
needs nothing: every paper is possible. One with no words at all never matches.
Titles and abstracts are matched separately, so the index keeps title tokens apart
too: a keyword can earn its title bonus only where the title has its tokens.

For the commonest keywords, one plain word or prefix of ASCII letters and digits
(`simple_word`: `llm`, `quantiz*`), the index is exact but for a few papers: it also keeps
the tokens a paper holds only inside a longer run of word characters (`\\w`, which takes in
underscores and non-ASCII letters: "x" in "x_i", "na" in "naïve"), and `DayIndex.exact`
parts the possible papers into those the keyword surely matches and those few its regex
must decide. So the postings of such a keyword are found with next to no regex.
`tests/test_prefilter.py` checks all this against the scorer itself.
"""

from __future__ import annotations

import re
import struct
import sys
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, chain

from core.memo import ObjectMemo, kept
from core.models import Day, Scored
from core.rank.scoring import _SPLIT  # the scorer's phrase separator, so phrases split alike

_RUN = re.compile(r"[a-z0-9]+")
_CONSONANT_Y = re.compile(r"[^aeiou]y$")  # the scorer's consonant + y -> ies plural
# bytes -> bytes: ASCII letters and digits kept, every other byte a space (UTF-8 encodes
# every non-ASCII character as bytes >= 0x80, so runs of kept bytes are exactly the tokens).
_TOKEN_BYTES = bytes(c if (0x30 <= c <= 0x39 or 0x61 <= c <= 0x7A) else 0x20 for c in range(256))
_AFTER_Z = "{"  # sorts after every token character: the tokens starting with p lie in [p, p + "{")
_WORD_RUN = re.compile(r"\w+")  # the scorer's word characters (its boundaries are \w and not \w)
_SIMPLE_WORD = re.compile(r"[a-z0-9]+\*?")
INDEXED_DAYS = 128  # above any retention: each live day keeps its index
# The stored form of a day's word index (`DayIndex.to_stored`); another is ignored. Version 1
# lacks the partial tokens (`DayIndex.partial`): its days are read, and only run the regex more.
WORDS_VERSION = 2
READABLE_VERSIONS = (1, 2)


@dataclass(frozen=True)
class Need:
    """One run of a keyword: a paper needs a token equal to one of `tokens`, or, when
    `prefix` is set, a token starting with it."""

    tokens: tuple[str, ...] = ()
    prefix: str = ""


def keyword_needs(term: str) -> tuple[Need, ...] | None:
    """What a text must hold for `term` (a keyword or exclude word) to match in it:
    every Need met. () when any text may match; None when the term has no words
    and so matches nothing. Mirrors `core.rank.scoring._term_parts`."""
    text = term.strip().lower()
    prefix = text.endswith("*")
    words = [w for w in _SPLIT.split(text.rstrip("*")) if w]
    if not words:
        return None
    needs = []
    for n, word in enumerate(words):
        for run in _RUN.finditer(word):
            r = run.group()
            if n < len(words) - 1 or run.end() < len(word):
                needs.append(Need((r,)))
            elif prefix:
                needs.append(Need(prefix=r))
            elif _CONSONANT_Y.search(word):
                needs.append(Need((r, r[:-1] + "ies")))
            elif word[-1].isalpha():
                needs.append(Need((r, r + "s", r + "es")))
            else:
                needs.append(Need((r,)))
    return tuple(needs)


def _tokens(lowered: str) -> set[bytes]:
    """The distinct tokens of already lower-cased text, as ASCII bytes."""
    return set(lowered.encode("utf-8", "surrogatepass").translate(_TOKEN_BYTES).split())


def _partial(lowered: str, tokens: set[bytes]) -> set[bytes]:
    """The tokens of already lower-cased text that are never a whole run of word characters
    (`\\w`) in it: each time, an underscore or a non-ASCII letter or digit touches it
    ("na" and "ve" of "naïve", "x" of "x_i"). Empty for ASCII text without underscores,
    whose runs of word characters are its tokens."""
    if lowered.isascii() and "_" not in lowered:
        return set()
    whole = {run.encode("ascii") for run in _WORD_RUN.findall(lowered) if run.isascii() and "_" not in run}
    return tokens - whole


def simple_word(term: str) -> bool:
    """Whether a keyword or exclude word is one word of ASCII letters and digits, optionally
    a prefix (`llm`, `quantiz*`). The index answers those exactly (`DayIndex.exact`): its
    regex matches where a whole run of word characters is one of the word's tokens (or, for
    a prefix, starts with it), which the index tells apart from a token inside a longer run."""
    return _SIMPLE_WORD.fullmatch(term.strip().lower()) is not None


class Postings:
    """Sorted distinct tokens, each with the sorted positions of the papers holding it
    (compressed rows: token i's positions are positions[offsets[i]:offsets[i + 1]],
    so the positions of a run of tokens, such as all tokens with a prefix, are one slice)."""

    def __init__(self, rows: dict[bytes, list[int]], count: int):
        tokens = sorted(rows)
        lists = list(map(rows.__getitem__, tokens))
        self.tokens = [t.decode("ascii") for t in tokens]
        self.positions = array("H" if count <= 0xFFFF else "I", list(chain.from_iterable(lists)))
        self.offsets = array("I", accumulate(map(len, lists), initial=0))

    @classmethod
    def _of(cls, tokens: list[str], positions: array, offsets: array) -> Postings:
        out = cls.__new__(cls)
        out.tokens, out.positions, out.offsets = tokens, positions, offsets
        return out

    def to_stored(self) -> bytes:
        """Binary, little-endian: token count, tokens' byte length, position count and
        width (uint32 each), then the tokens space-joined (ASCII), the offsets (uint32) and
        the positions (`width` bytes each)."""
        tokens = " ".join(self.tokens).encode("ascii")
        head = struct.pack("<4I", len(self.tokens), len(tokens), len(self.positions), self.positions.itemsize)
        return head + tokens + _le(self.offsets) + _le(self.positions)

    @classmethod
    def from_stored(cls, data: memoryview, at: int, count: int) -> tuple[Postings, int]:
        """The postings `to_stored` wrote at `data[at:]`, and where they end; raises
        ValueError (or struct.error) when they are not that, or name a position outside
        `count` papers."""
        n, size, npos, width = struct.unpack_from("<4I", data, at)
        at += 16
        tokens = bytes(data[at : at + size]).decode("ascii").split(" ") if size else []
        at += size
        if len(tokens) != n:
            raise ValueError("stored word index is inconsistent")
        offsets, at = _read("I", data, at, n + 1)
        start = at
        positions, at = _read("H" if width == 2 else "I" if width == 4 else "?", data, at, npos)
        if offsets[0] != 0 or offsets[-1] != npos:
            raise ValueError("stored word index is inconsistent")
        beyond = _beyond(data[start:at], count) if width == 2 else npos and max(positions) >= count
        if beyond:
            raise ValueError("stored word index names a paper the day does not hold")
        return cls._of(tokens, positions, offsets), at

    def having(self, need: Need) -> set[int]:
        """Positions of the papers with a token that meets `need`."""
        tokens, offsets, out = self.tokens, self.offsets, set()
        if need.prefix:
            lo, hi = bisect_left(tokens, need.prefix), bisect_left(tokens, need.prefix + _AFTER_Z)
            out.update(self.positions[offsets[lo] : offsets[hi]])
            return out
        for token in need.tokens:
            i = bisect_left(tokens, token)
            if i < len(tokens) and tokens[i] == token:
                out.update(self.positions[offsets[i] : offsets[i + 1]])
        return out


class DayIndex:
    """The tokens of a day's papers: `anywhere` (title and abstract) and `title`,
    by position in `day.papers`; and, in `partial` (None when an index stored before them
    was read), the same for the tokens that are never a whole run of word characters in
    a paper's text (`_partial`)."""

    def __init__(self, papers: Sequence[Scored]):
        self.count = len(papers)
        rows: list[defaultdict[bytes, list[int]]] = [defaultdict(list) for _ in range(4)]
        for pos, s in enumerate(papers):
            lowered = s.paper.title.lower()
            both = lowered + " " + s.paper.abstract.lower()
            in_title, anywhere = _tokens(lowered), _tokens(both)
            found = (anywhere, in_title, _partial(both, anywhere), _partial(lowered, in_title))
            for row, tokens in zip(rows, found, strict=True):
                for t in tokens:
                    row[t].append(pos)
        self.anywhere, self.title, anywhere_partial, title_partial = (Postings(r, self.count) for r in rows)
        self.partial: dict[bool, Postings] | None = {False: anywhere_partial, True: title_partial}

    def to_stored(self) -> bytes:
        """This index as bytes (`from_stored` reads them back): a version and the paper
        count, then the `anywhere`, `title` and the two partial postings."""
        head = struct.pack("<2I", WORDS_VERSION, self.count) + self.anywhere.to_stored() + self.title.to_stored()
        return head + self.partial[False].to_stored() + self.partial[True].to_stored()

    @classmethod
    def from_stored(cls, data: object, count: int) -> DayIndex | None:
        """The index `to_stored` wrote for `count` papers; None when `data` is absent, of
        another version or count, or unreadable (the caller then builds it)."""
        if not isinstance(data, bytes | bytearray | memoryview):
            return None
        view = memoryview(data)
        try:
            version, stored_count = struct.unpack_from("<2I", view, 0)
            if version not in READABLE_VERSIONS or stored_count != count:
                return None
            out = cls.__new__(cls)
            out.count = count
            out.anywhere, at = Postings.from_stored(view, 8, count)
            out.title, at = Postings.from_stored(view, at, count)
            out.partial = None
            if version >= 2:
                anywhere, at = Postings.from_stored(view, at, count)
                title, at = Postings.from_stored(view, at, count)
                out.partial = {False: anywhere, True: title}
        except (ValueError, struct.error, UnicodeDecodeError):
            return None
        return out if at == len(view) else None

    def possible(self, needs: tuple[Need, ...] | None, title: bool = False) -> set[int] | range:
        """Positions of the papers whose title and abstract (`title`: title) meet every
        need: a superset of those a keyword with these needs matches in."""
        if needs is None:
            return set()
        if not needs:
            return range(self.count)
        postings = self.title if title else self.anywhere
        found = [postings.having(n) for n in needs]
        found.sort(key=len)
        out = found[0]
        for other in found[1:]:
            if not out:
                break
            out &= other
        return out

    def exact(self, need: Need, title: bool = False) -> tuple[set[int], set[int]] | None:
        """For a `simple_word` keyword (whose one need is `need`): the positions of the
        papers whose title and abstract (`title`: title) it surely matches, and of the few
        it may match, for its regex to decide. None when the index lacks its partial tokens.

        Its regex matches where a whole run of word characters is one of its tokens (or
        starts with its prefix), and that run is then a token of the paper. A paper that
        holds one of the keyword's tokens, none of them only partially, holds it as a whole
        run: it matches. One that holds one only partially is left to the regex (another of
        its tokens may be whole there, or, for a prefix, a longer run may start with it)."""
        if self.partial is None:
            return None
        postings = self.title if title else self.anywhere
        maybe = self.partial[title].having(need)
        return postings.having(need) - maybe, maybe


def _le(a: array) -> bytes:
    """The array's bytes, little-endian whatever the host."""
    if a.itemsize > 1 and sys.byteorder == "big":
        a = array(a.typecode, a)
        a.byteswap()
    return a.tobytes()


def _beyond(raw: memoryview, count: int) -> bool:
    """Whether any of the little-endian uint16 values in `raw` is `count` or more, without
    iterating in Python (a day's index holds a few hundred thousand: `max()` took 3.5 ms).
    A value is too big when its high byte is above count's, or equal to it with the low
    byte at or above count's: each byte column is mapped to 0/1 flags, and the flags of the
    second case are ANDed as integers."""
    if count > 0xFFFF:
        return False
    if count == 0:
        return len(raw) > 0
    high, low = count >> 8, count & 0xFF
    values = bytes(raw)
    lows, highs = values[0::2], values[1::2]
    if highs.translate(None, bytes(range(high + 1))):
        return True  # a high byte above count's
    at_high = highs.translate(bytes(high) + b"\1" + bytes(255 - high))  # 1 where the byte is `high`
    low_too_big = lows.translate(bytes(low) + b"\1" * (256 - low))  # 1 where it is `low` or more
    return int.from_bytes(at_high) & int.from_bytes(low_too_big) != 0


def _read(typecode: str, data: memoryview, at: int, n: int) -> tuple[array, int]:
    """`n` little-endian items of `typecode` at `data[at:]`, and where they end."""
    if typecode == "?":
        raise ValueError("stored word index has an unknown width")
    out = array(typecode)
    end = at + n * out.itemsize
    if end > len(data):
        raise ValueError("stored word index is cut short")
    out.frombytes(data[at:end])
    if out.itemsize > 1 and sys.byteorder == "big":
        out.byteswap()
    return out, end


def stored_words(papers: Sequence[Scored]) -> bytes:
    """The word index of `papers` as bytes, to store with them (the refresh does)."""
    return DayIndex(papers).to_stored()


_INDEXES = kept("rank.word_indexes", ObjectMemo(INDEXED_DAYS))


def index_of(day: Day) -> DayIndex:
    """The index of `day`: the one stored with it when every part holds a readable one,
    else built from its papers; made on first use and kept while the Day object lives."""
    return _INDEXES.get((day,), None, lambda: _from_stored(day) or DayIndex(day.papers))


def _from_stored(day: Day) -> DayIndex | None:
    """The index stored with `day`, decoded once; its bytes are let go then (the index is kept)."""
    held = day.words
    if not held:
        return None
    parts = list(held)
    held.clear()
    ends = [start for start, _ in parts[1:]] + [len(day.papers)]
    indexes = []
    for (start, stored), end in zip(parts, ends, strict=True):
        index = DayIndex.from_stored(stored, end - start)
        if index is None:
            return None
        indexes.append((start, index))
    return indexes[0][1] if len(indexes) == 1 else _merged(indexes, len(day.papers))


def _merged(indexes: list[tuple[int, DayIndex]], count: int) -> DayIndex:
    """One day's index from its parts' (their positions shifted by each part's start); it
    has partial tokens when every part has them."""
    out = DayIndex.__new__(DayIndex)
    out.count = count
    out.anywhere = _merged_postings([(start, index.anywhere) for start, index in indexes], count)
    out.title = _merged_postings([(start, index.title) for start, index in indexes], count)
    out.partial = None
    if all(index.partial is not None for _, index in indexes):
        out.partial = {
            flag: _merged_postings([(start, index.partial[flag]) for start, index in indexes], count)
            for flag in (False, True)
        }
    return out


def _merged_postings(parts: list[tuple[int, Postings]], count: int) -> Postings:
    rows: defaultdict[bytes, list[int]] = defaultdict(list)
    for start, postings in parts:
        for i, token in enumerate(postings.tokens):
            lo, hi = postings.offsets[i], postings.offsets[i + 1]
            rows[token.encode("ascii")].extend(p + start for p in postings.positions[lo:hi])
    return Postings(rows, count)
