"""The embedded model's tokenizer for one text at a time, in Python: the byte-pair encoding
its tokenizer file describes, read as the `tokenizers` library reads it. Called by
core.embed.static for a single text (an interest); batches (the refresh) go through
`tokenizers` itself.

    bpe = BytePairTokenizer.read(path)     # raises EmbeddingError
    bpe.ids("graph neural networks")       # [3983, 19677, 14379]

Why a second reading of the same file: loading `tokenizers` (its import and its parse of
the file) costs a fresh process 65 to 95 ms, and a cold instance pays it on its first
interest query; this reads the file with `json` in about 30 ms. The ids are the same:
tests/test_embeddings.py compares them with `tokenizers` on real abstracts and on
generated texts, special tokens among them.

What it implements is what the file says, checked when it is read (anything else is an
EmbeddingError naming the setting): special tokens matched in the raw text first; each
piece between them prefixed with "▁" and its spaces replaced by "▁"; then each
character's token (or, with byte fallback, the tokens of its UTF-8 bytes), merged pair by
pair, the lowest-ranked pair first and the leftmost of equal ones, until no pair of
neighbours is a merge.
"""

from __future__ import annotations

import heapq
import json
import re

from core.errors import EmbeddingError

SPACE = "\u2581"  # "▁", SentencePiece's visible space
NORMALIZER = {
    "type": "Sequence",
    "normalizers": [
        {"type": "Prepend", "prepend": SPACE},
        {"type": "Replace", "pattern": {"String": " "}, "content": SPACE},
    ],
}
MODEL_SETTINGS = {
    "type": "BPE",
    "dropout": None,
    "continuing_subword_prefix": None,
    "end_of_word_suffix": None,
    "byte_fallback": True,
    "ignore_merges": False,
}
BYTE_TOKENS = tuple(f"<0x{b:02X}>" for b in range(256))


class BytePairTokenizer:
    """A vocabulary (token -> id), merge ranks ("left right" -> rank) and special tokens."""

    def __init__(self, vocab: dict[str, int], ranks: dict[str, int], special: dict[str, int]):
        self.vocab = vocab
        self.ranks = ranks
        self.special = special
        pattern = "|".join(re.escape(t) for t in sorted(special, key=len, reverse=True))
        self._split = re.compile(f"({pattern})").split if special else None

    @classmethod
    def read(cls, path: str) -> BytePairTokenizer:
        """The tokenizer a `tokenizers` JSON file describes. Raises EmbeddingError when the file
        is unreadable or asks for something this does not implement."""
        try:
            with open(path, "rb") as f:
                doc = json.loads(f.read())
            model = doc["model"]
            vocab, merges = model["vocab"], model["merges"]
            if not isinstance(vocab, dict) or not isinstance(merges, list):
                raise TypeError("vocab or merges")
            special = {t["content"]: t["id"] for t in doc["added_tokens"]}
            unsupported = _unsupported(doc, model)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EmbeddingError(f"the wordllama tokenizer is unreadable ({exc.__class__.__name__})") from None
        if unsupported:
            raise EmbeddingError(f"the wordllama tokenizer uses {unsupported}, which this reading does not implement")
        missing = [t for t in BYTE_TOKENS if t not in vocab]
        if missing:
            raise EmbeddingError(f"the wordllama tokenizer has no byte token {missing[0]}")
        return cls(vocab, dict(zip(merges, range(len(merges)), strict=True)), special)

    def ids(self, text: str) -> list[int]:
        """The token ids of `text`, as `tokenizers`' encode(text, add_special_tokens=False)."""
        out: list[int] = []
        pieces = self._split(text) if self._split else [text]
        for i, piece in enumerate(pieces):
            if i % 2:  # the splitter's odd pieces are the special tokens it matched
                out.append(self.special[piece])
            elif piece:
                out += self._merged(SPACE + piece.replace(" ", SPACE))
        return out

    def _merged(self, text: str) -> list[int]:
        vocab, ranks = self.vocab, self.ranks
        tokens: list[str | None] = []
        for char in text:
            if char in vocab:
                tokens.append(char)
            else:
                tokens += (BYTE_TOKENS[b] for b in char.encode("utf-8", "surrogatepass"))
        count = len(tokens)
        after = [*range(1, count), -1]  # each token's right neighbour (-1: none)
        before = list(range(-1, count - 1))
        heap = [(r, i) for i in range(count - 1) if (r := ranks.get(f"{tokens[i]} {tokens[i + 1]}")) is not None]
        heapq.heapify(heap)
        while heap:
            rank, i = heapq.heappop(heap)
            j = after[i]
            # a merge whose left token went, or whose neighbours changed, is stale
            if tokens[i] is None or j < 0 or ranks.get(f"{tokens[i]} {tokens[j]}") != rank:
                continue
            merged = tokens[i] = tokens[i] + tokens[j]
            tokens[j] = None
            k = after[i] = after[j]
            if k >= 0:
                before[k] = i
                if (r := ranks.get(f"{merged} {tokens[k]}")) is not None:
                    heapq.heappush(heap, (r, i))
            if (p := before[i]) >= 0 and (r := ranks.get(f"{tokens[p]} {merged}")) is not None:
                heapq.heappush(heap, (r, p))
        return [vocab[t] for t in tokens if t is not None]


def _unsupported(doc: dict, model: dict) -> str:
    """The first setting of the file this reading does not implement, or ""."""
    for key, value in MODEL_SETTINGS.items():
        if model.get(key) != value:
            return f"model.{key}={json.dumps(model.get(key))}"
    if doc.get("normalizer") != NORMALIZER:
        return "its normalizer"
    if doc.get("pre_tokenizer") is not None:
        return "a pre-tokenizer"
    for token in doc["added_tokens"]:
        if not token.get("special") or any(token.get(k) for k in ("normalized", "lstrip", "rstrip", "single_word")):
            return f"the added token {json.dumps(token.get('content'))}'s settings"
    return ""
