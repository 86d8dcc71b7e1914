"""Paper vectors as they sit in the store: one compact blob per announcement day (numpy).

    blob = encode_vectors(DayVectors.build(embedder, keys, matrix))
    DayVectors.decode(blob).matrix()        # float32, one unit-length row per paper

Each row is quantised to int8 with its own scale (the row's largest magnitude / 127):
a 256-dimension vector costs 256 + 2 bytes (float16 scale) instead of 1,024 as float32,
and cosine similarities move by well under 0.01 (tests/test_vectors.py measures it).
Rows are keyed by `paper_key` (id and version), so a paper replaced by a new version
gets a new vector and an unchanged one is never embedded twice.

Only refreshes and queries that rank by meaning import this module.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from core.errors import StoreError
from core.models import Paper
from core.store.layout import UNREADABLE, compressed, decompressed

MAGIC = b"ARV1"


def paper_key(paper: Paper) -> str:
    return version_key(paper.id, paper.version)


def version_key(paper_id: str, version: int) -> str:
    """A paper version's key in a vector blob: `2609.26811v2`."""
    return f"{paper_id}v{version}"


def normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def quantise(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int8 rows, float16 scales) of unit-length float rows."""
    unit = normalise(matrix)
    peak = np.abs(unit).max(axis=1)
    peak[peak == 0] = 1.0
    scale = (peak / 127.0).astype(np.float16)
    q = np.clip(np.rint(unit / scale.astype(np.float32)[:, None]), -127, 127).astype(np.int8)
    return q, scale


@dataclass(frozen=True)
class DayVectors:
    """The vectors of one day's papers under one embedder."""

    embedder: str
    keys: tuple[str, ...]
    q: np.ndarray  # int8, (n, dim)
    scale: np.ndarray  # float16, (n,)

    @classmethod
    def build(cls, embedder: str, keys: list[str], matrix: np.ndarray) -> DayVectors:
        if len(keys) == 0:
            return cls(embedder, (), np.zeros((0, 0), np.int8), np.zeros(0, np.float16))
        q, scale = quantise(matrix)
        return cls(embedder, tuple(keys), q, scale)

    @property
    def dim(self) -> int:
        return int(self.q.shape[1]) if self.q.ndim == 2 else 0

    def matrix(self, rows=None) -> np.ndarray:
        """float32 rows (all, or those indexed by `rows`), unit length up to quantisation."""
        q, scale = (self.q, self.scale) if rows is None else (self.q[rows], self.scale[rows])
        return q.astype(np.float32) * scale.astype(np.float32)[:, None]

    def dot(self, other: np.ndarray, rows=None) -> np.ndarray:
        """Cosines of (some of) this day's rows with the unit columns of `other` (dim, k),
        computed from the int8 rows: nothing float32 of the day's size is kept."""
        q, scale = (self.q, self.scale) if rows is None else (self.q[rows], self.scale[rows])
        return (q @ other.astype(np.float32)) * scale.astype(np.float32)[:, None]

    def index(self) -> dict[str, int]:
        return self._index

    @cached_property
    def _index(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.keys)}

    def nbytes(self) -> int:
        return int(self.q.nbytes + self.scale.nbytes)


def encode_vectors(dv: DayVectors) -> bytes:
    header = json.dumps({"embedder": dv.embedder, "keys": list(dv.keys), "dim": dv.dim}).encode()
    body = struct.pack(">I", len(header)) + header + dv.scale.astype(">f2").tobytes() + dv.q.tobytes()
    return MAGIC + compressed(body)


def decode_vectors(raw: bytes, what: str = "vectors") -> DayVectors:
    try:
        if not raw.startswith(MAGIC):
            raise ValueError("not a vector blob")
        body = decompressed(raw[len(MAGIC) :])  # zstd, or zlib as stored before
        (size,) = struct.unpack(">I", body[:4])
        header = json.loads(body[4 : 4 + size])
        keys, dim = tuple(header["keys"]), int(header["dim"])
        n = len(keys)
        start = 4 + size
        scale = np.frombuffer(body, ">f2", n, start).astype(np.float16)
        q = np.frombuffer(body, np.int8, n * dim, start + 2 * n).reshape(n, dim)
        return DayVectors(str(header["embedder"]), keys, q, scale)
    except (ValueError, KeyError, TypeError, struct.error, *UNREADABLE) as exc:
        raise StoreError(f"stored {what} are unreadable ({exc.__class__.__name__})") from None
