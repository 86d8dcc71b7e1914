"""Start a profile from a library a researcher already has (the cold start).

    entries = parse_library(data, name="My Library.bib")     # raises LibraryImportError
    vector, used = library_vector(entries, held, embedder)

Formats: BibTeX (`bibtexparser` 2.x: maintained, pure Python, keeps going past a broken
entry and says which failed), RIS (`rispy`: small, maintained, maps RIS tags to names),
CSL JSON (the standard library's json: it is JSON) and a plain list of arXiv ids or
URLs, one or more a line. The format comes from `fmt`, else the file name's extension,
else the content; a file that is not what it claims ("x.bib" holding JSON, a binary
file, a JSON document that is not a CSL item list) is a LibraryImportError naming the
problem.

From each entry only its title, abstract (absent: the title alone), arXiv id and the
date it was added (else its date) are taken. An entry whose arXiv id the store holds
uses the stored vector; the others are embedded. The library's vector is the weighted
unit mean of the entries', the most recently added weighing most: the entry of recency
rank i (0 = newest) weighs 1 / (1 + log10(1 + i)). Nothing else of the file is kept.

Limits: MAX_IMPORT_BYTES, MAX_ENTRIES (counted before the parse where the format allows)
and MAX_PARSE_SECONDS for the parse (5 MB of BibTeX parses in under a second here).
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core import log
from core.errors import LibraryImportError

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_PARSE_SECONDS = 10.0
MAX_FIELD = 4000
FORMATS = ("bibtex", "ris", "csl-json", "ids")
EXTENSIONS = {".bib": "bibtex", ".bibtex": "bibtex", ".ris": "ris", ".json": "csl-json", ".txt": "ids"}
_NEW_ID = r"[0-9]{4}\.[0-9]{4,5}"
_OLD_ID = r"[a-z-]+(?:\.[A-Z]{2})?/[0-9]{7}"
_ID = rf"({_NEW_ID}|{_OLD_ID})(?:v[0-9]+)?"
# An arXiv id where a reference names one: abs/pdf URLs, the arXiv DOI, "arXiv:<id>".
_ID_IN_TEXT = re.compile(rf"(?:arxiv\.org/(?:abs|pdf|html)/|10\.48550/arxiv\.|arxiv:\s*){_ID}", re.IGNORECASE)
_BARE_ID = re.compile(rf"(?:arxiv:)?{_ID}", re.IGNORECASE)
_BRACES = re.compile(r"[{}]")
# An entry's start: "@type{" at a line's start. Only horizontal space may precede the "@"
# (`[^\S\n]`), so a match attempt never runs past its own line: linear in the text's size,
# where `^\s*@` retried every line start across all the blank lines after it (quadratic).
_BIBTEX_START = re.compile(r"^[^\S\n]*@[A-Za-z]+[^\S\n]*[{(]", re.MULTILINE)
_RIS_START = re.compile(r"^TY  - ", re.MULTILINE)
_RIS_END = re.compile(r"^ER  -", re.MULTILINE)
# A run of blank lines: one newline to the parser (bibtexparser spends a step per line;
# only whitespace-normalised fields are taken, so nothing read changes).
_BLANK_LINES = re.compile(r"\n\s*\n")
_WORD = re.compile(r"[^\s,]+")
_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")  # as str.splitlines()
_YEAR_PART = re.compile(r"[0-9]{1,4}")
_CATEGORY = re.compile(r"[a-z-]{2,16}(\.[A-Za-z-]{2,16})?")  # an arXiv category: cs.RO, hep-th
# At most this many parses at once; a parse waits its time limit for a turn, then is refused.
# bibtexparser logs each broken block (three lines each); _bibtex logs one summary instead.
logging.getLogger("bibtexparser").setLevel(logging.ERROR)
PARSE_SLOTS = threading.BoundedSemaphore(2)


@dataclass(frozen=True)
class Entry:
    title: str
    abstract: str = ""
    arxiv_id: str = ""
    added: str = ""  # ISO-ish date text, sortable; "" when unknown
    categories: tuple[str, ...] = ()  # arXiv categories the entry names (BibTeX primaryClass)

    @property
    def text(self) -> str:
        return f"{self.title}. {self.abstract}" if self.abstract else self.title


def parse_library(data: bytes, name: str = "", fmt: str = "") -> list[Entry]:
    """The entries of an import file. Raises LibraryImportError naming the problem."""
    if len(data) > MAX_IMPORT_BYTES:
        raise LibraryImportError(f"the file is {len(data)} bytes; at most {MAX_IMPORT_BYTES} (5 MB) are taken")
    text = _text(data)
    fmt = fmt or sniff(text, name)
    if fmt not in FORMATS:
        raise LibraryImportError(f"{fmt!r} is not one of {', '.join(FORMATS)}")
    parse = {"bibtex": _bibtex, "ris": _ris, "csl-json": _csl_json, "ids": _ids}[fmt]
    entries = _within_time(parse, text)
    entries = [e for e in entries if e.title or e.arxiv_id]
    if not entries:
        raise LibraryImportError(f"no {_NAMES[fmt]} entries with a title or an arXiv id found (is it {_NAMES[fmt]}?)")
    return _bounded(entries)


def _within_time(parse: Callable[[str], list[Entry]], text: str) -> list[Entry]:
    """`parse(text)` in a worker thread, given MAX_PARSE_SECONDS in all (waiting for one of
    PARSE_SLOTS included). Raises LibraryImportError when it takes longer: the caller is
    answered then, while the abandoned parse runs out in its thread, holding its slot."""
    started = time.monotonic()
    if not PARSE_SLOTS.acquire(timeout=MAX_PARSE_SECONDS):
        raise LibraryImportError("too many imports are being read at once; try again in a minute")
    pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="library-parse")
    try:
        future = pool.submit(parse, text)
    except BaseException:
        PARSE_SLOTS.release()
        raise
    future.add_done_callback(lambda _: PARSE_SLOTS.release())
    pool.shutdown(wait=False)  # never wait for a parse past its time
    try:
        return future.result(timeout=max(0.0, MAX_PARSE_SECONDS - (time.monotonic() - started)))
    except concurrent.futures.TimeoutError:
        raise LibraryImportError(f"parsing took longer than {MAX_PARSE_SECONDS:g} s; split the file") from None


_NAMES = {"bibtex": "BibTeX", "ris": "RIS", "csl-json": "CSL JSON", "ids": "arXiv id"}


def _text(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise LibraryImportError("the file is binary, not a text export (BibTeX, RIS, CSL JSON or a list of ids)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LibraryImportError(f"the file is not UTF-8 text (byte {exc.start})") from None


def sniff(text: str, name: str = "") -> str:
    """The format a file claims by its extension, else the one its content looks like."""
    for ext, fmt in EXTENSIONS.items():
        if name.lower().endswith(ext):
            return fmt
    head = text.lstrip()[:1]
    if head in ("[", "{"):
        return "csl-json"
    if _RIS_START.search(text):
        return "ris"
    if _BIBTEX_START.search(text):
        return "bibtex"
    return "ids"


def _bounded(entries: list[Entry]) -> list[Entry]:
    if len(entries) > MAX_ENTRIES:
        raise LibraryImportError(f"the file holds {len(entries)} entries; at most {MAX_ENTRIES} are taken")
    return entries


def _clean(value: object) -> str:
    text = value if isinstance(value, str) else " ".join(map(str, value)) if isinstance(value, list) else ""
    return " ".join(_BRACES.sub("", text).split())[:MAX_FIELD]


def arxiv_id_in(*values: object) -> str:
    """The first arXiv id (versionless) named in these field values, or ""."""
    for value in values:
        match = _ID_IN_TEXT.search(_clean(value))
        if match:
            return match.group(1)
    return ""


def _bibtex(text: str) -> list[Entry]:
    import bibtexparser

    count = sum(1 for _ in _BIBTEX_START.finditer(text))
    if count > MAX_ENTRIES:
        _bounded([Entry("")] * count)
    library = bibtexparser.parse_string(_BLANK_LINES.sub("\n", text))
    if library.failed_blocks:
        log.warning("library.broken_blocks", count=len(library.failed_blocks), first=_reasons(library.failed_blocks))
    out = []
    for entry in library.entries:
        f = {k.lower(): v.value for k, v in entry.fields_dict.items()}
        eprint = _clean(f.get("eprint", ""))
        prefixed = "arxiv" in _clean(f.get("archiveprefix", "")).lower() or "arxiv" in _clean(f.get("eprinttype", ""))
        bare = _BARE_ID.fullmatch(eprint) if eprint and (prefixed or not f.get("archiveprefix")) else None
        arxiv = bare.group(1) if bare else arxiv_id_in(f.get("url", ""), f.get("doi", ""), f.get("journal", ""))
        arxiv = arxiv or arxiv_id_in(f.get("note", ""), f.get("howpublished", ""))
        added = f.get("dateadded") or f.get("date-added") or f.get("timestamp") or f.get("date") or f.get("year", "")
        category = _clean(f.get("primaryclass", ""))
        categories = (category,) if _CATEGORY.fullmatch(category) else ()
        out.append(Entry(_clean(f.get("title", "")), _clean(f.get("abstract", "")), arxiv, _clean(added), categories))
    if not out and library.failed_blocks:
        raise LibraryImportError(f"no BibTeX entry could be read ({len(library.failed_blocks)} broken blocks)")
    return out


def _reasons(blocks: Sequence, first: int = 3) -> str:
    """The first few reasons of failed BibTeX blocks, short: one log line for a whole file
    (bibtexparser's own line per block is turned off)."""
    reasons = [" ".join(str(getattr(b.error, "abort_reason", "") or type(b.error).__name__).split()) for b in blocks]
    return "; ".join(r[:80] for r in reasons[:first])


def _ris(text: str) -> list[Entry]:
    import rispy

    count = sum(1 for _ in _RIS_END.finditer(text))
    if count > MAX_ENTRIES:
        _bounded([Entry("")] * count)
    try:
        records = rispy.loads(text)
    except Exception as exc:  # rispy raises plain IOError/ValueError subclasses on bad input
        raise LibraryImportError(f"the RIS file cannot be read ({exc.__class__.__name__})") from None
    out = []
    for r in records:
        title = _clean(r.get("title") or r.get("primary_title") or r.get("translated_title") or "")
        urls = r.get("urls") or []
        arxiv = arxiv_id_in(*urls, r.get("doi", ""), r.get("notes", ""), r.get("journal_name", ""))
        added = r.get("access_date") or r.get("date") or r.get("year") or r.get("publication_year") or ""
        out.append(Entry(title, _clean(r.get("abstract", "")), arxiv, _clean(added)))
    return out


def _csl_json(text: str) -> list[Entry]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LibraryImportError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except ValueError as exc:  # an integer of more digits than int() takes (4,300)
        raise LibraryImportError(f"not valid JSON ({str(exc)[:80]})") from None
    except RecursionError:
        raise LibraryImportError("the JSON is nested too deeply for a CSL JSON list of items") from None
    items = doc.get("items") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise LibraryImportError("the JSON is not a CSL JSON list of items (an array of objects)")
    _bounded([Entry("")] * len(items) if len(items) > MAX_ENTRIES else [])
    out = []
    for n, item in enumerate(items, 1):
        arxiv = arxiv_id_in(item.get("URL", ""), item.get("DOI", ""), item.get("number", ""), item.get("note", ""))
        out.append(Entry(_clean(item.get("title", "")), _clean(item.get("abstract", "")), arxiv, _csl_date(item, n)))
    return out


def _csl_date(item: dict, n: int) -> str:
    """The item's `accessed`, else `issued`, date as "YYYY-MM-DD" (as many parts as given).
    A part that is not a number is skipped; one that claims to be but is not a year, month
    or day (0-9999 in ASCII digits: not "²", nor a 5,000-digit year) is a
    LibraryImportError naming item `n`."""
    for name in ("accessed", "issued"):
        value = item.get(name)
        parts = value.get("date-parts") if isinstance(value, dict) else None
        if isinstance(parts, list) and parts and isinstance(parts[0], list):
            numbers = [p for p in parts[0][:3] if _numeric(p)]
            for p in numbers:
                if not (_YEAR_PART.fullmatch(p) if isinstance(p, str) else 0 <= p <= 9999):
                    shown = (str(p)[:12] + "...") if len(str(p)) > 12 else str(p)
                    raise LibraryImportError(f"item {n}: {name} date part {shown!r} is not a year, month or day")
            return "-".join(f"{int(p):02d}" for p in numbers)
    return ""


def _numeric(value: object) -> bool:
    """Whether a date part is given as a number: an int (not a bool), or a string of digits."""
    if isinstance(value, int):
        return not isinstance(value, bool)
    return isinstance(value, str) and value.isdigit()


def _ids(text: str) -> list[Entry]:
    """The ids, one or more a line (commas or whitespace between). Words are found by one
    regex scan, so blank space costs no Python step per line."""
    out: dict[str, Entry] = {}
    n, at = 1, 0
    for word_match in _WORD.finditer(text):
        n += len(_LINE_BREAK.findall(text, at, word_match.start()))
        at, word = word_match.start(), word_match.group()
        match = _ID_IN_TEXT.search(word) or _BARE_ID.fullmatch(word)
        if match is None:
            raise LibraryImportError(f"line {n}: {word[:40]!r} is not an arXiv id or URL")
        out.setdefault(match.group(1), Entry("", arxiv_id=match.group(1), added=f"{n:09d}"))
        if len(out) > MAX_ENTRIES:
            _bounded(list(out.values()))
    return list(out.values())


def recency_weights(entries: Sequence[Entry]) -> list[float]:
    """Per entry (in the given order), 1 / (1 + log10(1 + rank)) where rank 0 is the most
    recently added; undated entries rank after dated ones, in file order."""
    order = sorted(range(len(entries)), key=lambda i: (entries[i].added == "", _desc(entries[i].added), i))
    weights = [0.0] * len(entries)
    for rank, i in enumerate(order):
        weights[i] = 1.0 / (1.0 + math.log10(1 + rank))
    return weights


def _desc(added: str) -> tuple:
    return tuple(-ord(c) for c in added)


def library_vector(
    entries: Sequence[Entry], held: Callable[[str], object], embed: Callable[[list[str]], object] | None
):
    """(unit vector of the library or None, entries used). `held(arxiv_id)` is a stored
    vector or None; `embed(texts)` embeds the rest (None: only held papers count; entries
    with no title nor held vector are skipped)."""
    import numpy as np

    from core.store.vectors import normalise

    vectors: list = [held(e.arxiv_id) if e.arxiv_id else None for e in entries]
    todo = [i for i, v in enumerate(vectors) if v is None and entries[i].title]
    if todo and embed is not None:
        for i, row in zip(todo, embed([entries[i].text for i in todo]), strict=True):
            vectors[i] = row
    used = [i for i, v in enumerate(vectors) if v is not None]
    if not used:
        return None, 0
    weights = recency_weights([entries[i] for i in used])
    rows = normalise(np.stack([np.asarray(vectors[i], np.float32) for i in used]))
    return normalise((rows * np.asarray(weights, np.float32)[:, None]).sum(axis=0))[0], len(used)
