"""The wordllama model read from the files its wheel ships: its tokenizer, and its token
vectors mapped from the safetensors file rather than copied. Called by
core.embed.embedder.WordLlama.

    model = load_static(folder, "l2_supercat_256")
    model.embed(["title. abstract", ...], batch_size=64)   # numpy (n, 256), unit rows

The vectors are wordllama's own, bit for bit (tests/test_embeddings.py compares them with
`wordllama.WordLlama.load(...).embed(..., norm=True)`): the same tokenizer settings, the
mean of the texts' token vectors under the attention mask, in float32, then unit length.
What this leaves out is what a process's first interest query used to wait for: importing
wordllama (its training code's configs, and a `logging.basicConfig` on the root logger),
reading its 16 MB of float16 vectors and copying them into 32 MB of float32. Only the rows
of the tokens a text holds are read and widened, so embedding one interest text touches a
few kilobytes of the file. Nor does one text load `tokenizers` (65 to 95 ms in a fresh
process): core.embed.bpe tokenizes it from the same file, to the same ids.
"""

from __future__ import annotations

import json
import os
import threading

import numpy as np

from core.embed.bpe import BytePairTokenizer
from core.errors import EmbeddingError

WEIGHTS_KEY = "embedding.weight"  # the tensor wordllama's loader reads
MAX_HEADER_BYTES = 1 << 20
_DTYPES = {"F16": np.dtype("<f2"), "F32": np.dtype("<f4")}


class StaticModel:
    """A tokenizer and a (vocabulary x dimensions) matrix of token vectors. A single text
    (an interest) is tokenized by core.embed.bpe; batches by `tokenizers`, loaded for the
    first batch (`tokenizer_path` is its file)."""

    def __init__(self, single: BytePairTokenizer, tokenizer_path: str, vectors: np.ndarray):
        self.single = single
        self.tokenizer_path = tokenizer_path
        self.vectors = vectors
        self.dimensions = vectors.shape[1]
        self._batch_tokenizer = None
        self._lock = threading.Lock()

    def embed(self, texts: list[str], batch_size: int) -> np.ndarray:
        """One unit-length float32 row per text: its token vectors' mean under the mask."""
        if len(texts) == 1:
            ids = np.array([self.single.ids(texts[0])], dtype=np.int32)
            return self._pooled(ids, np.ones(ids.shape, np.float32), distinct=False)
        out = np.empty((len(texts), self.dimensions), np.float32)
        for start in range(0, len(texts), batch_size):
            encoded = self.batch_tokenizer().encode_batch(texts[start : start + batch_size], add_special_tokens=False)
            ids = np.array([e.ids for e in encoded], dtype=np.int32)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.float32)
            out[start : start + len(ids)] = self._pooled(ids, mask)
        return out

    def _pooled(self, ids: np.ndarray, mask: np.ndarray, distinct: bool = True) -> np.ndarray:
        """The unit mean of each row of `ids`' token vectors under `mask`, in float32."""
        np.clip(ids, 0, self.vectors.shape[0] - 1, out=ids)
        if distinct:
            # the texts' distinct tokens widened once each (a batch of abstracts repeats most
            # of its tokens: widening every position took longer than the rest together)
            distinct_ids, where = np.unique(ids, return_inverse=True)
            rows = np.asarray(self.vectors[distinct_ids], np.float32)[where.reshape(ids.shape)]
        else:
            rows = np.asarray(self.vectors[ids], np.float32)
        count = np.maximum(mask.sum(axis=1, keepdims=True), 1.0).astype(np.float32)
        pooled = np.sum(rows * mask[..., np.newaxis], axis=1, dtype=np.float32) / count
        pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled

    def batch_tokenizer(self):
        """The `tokenizers` tokenizer of the same file, padded, never truncated (loaded once).
        Raises EmbeddingError when the file is unreadable to it."""
        with self._lock:
            if self._batch_tokenizer is None:
                from tokenizers import Tokenizer

                try:
                    tokenizer = Tokenizer.from_file(self.tokenizer_path)
                except Exception as exc:  # the Rust library raises its own Exception subclass
                    raise EmbeddingError(f"the wordllama tokenizer is unreadable ({exc.__class__.__name__})") from None
                tokenizer.enable_padding()
                tokenizer.no_truncation()
                self._batch_tokenizer = tokenizer
            return self._batch_tokenizer


def load_static(folder: str, model: str) -> StaticModel:
    """The model `model` (`<config>_<dimensions>`, as "l2_supercat_256") from wordllama's
    package folder: `tokenizers/<config>_tokenizer_config.json` and
    `weights/<model>.safetensors`. Raises EmbeddingError naming what is missing or unreadable."""
    config, _, dimensions = model.rpartition("_")
    tokenizer_path = os.path.join(folder, "tokenizers", f"{config}_tokenizer_config.json")
    weights_path = os.path.join(folder, "weights", f"{model}.safetensors")
    for path in (tokenizer_path, weights_path):
        if not os.path.isfile(path):
            raise EmbeddingError(f"the wordllama package has no {os.path.relpath(path, folder)}")
    single = BytePairTokenizer.read(tokenizer_path)
    vectors = mapped_tensor(weights_path, WEIGHTS_KEY)
    if not dimensions.isdigit() or vectors.shape[1] != int(dimensions):
        raise EmbeddingError(f"the wordllama weights hold {vectors.shape[1]} dimensions, not {model}'s")
    return StaticModel(single, tokenizer_path, vectors)


def mapped_tensor(path: str, key: str) -> np.ndarray:
    """The 2-D float tensor `key` of a safetensors file, mapped read-only: an 8-byte
    little-endian header size, the JSON header naming each tensor's dtype, shape and byte
    range, then the data. Raises EmbeddingError when the file does not hold it whole."""
    name = os.path.basename(path)
    try:
        with open(path, "rb") as f:
            head = f.read(8)
            size = int.from_bytes(head, "little")
            if len(head) < 8 or size > MAX_HEADER_BYTES:
                raise ValueError("no header, or one larger than any model's")
            entry = json.loads(f.read(size))[key]
        dtype, shape = _DTYPES[entry["dtype"]], tuple(entry["shape"])
        begin, end = entry["data_offsets"]
        if len(shape) != 2 or not all(type(n) is int and n > 0 for n in shape):
            raise ValueError("not a matrix")
        if end - begin != shape[0] * shape[1] * dtype.itemsize or 8 + size + end > os.path.getsize(path):
            raise ValueError("a byte range that does not hold the matrix")
        return np.memmap(path, dtype=dtype, mode="r", offset=8 + size + begin, shape=shape)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EmbeddingError(f"the wordllama weights {name} are unreadable ({exc.__class__.__name__})") from None
