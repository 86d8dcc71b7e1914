"""The one embedding interface: texts in, unit-length float32 rows out.

    embedder = open_embedder(config, env)     # the deployment's one embedder
    embedder.embed(["title. abstract", ...])  # numpy (n, dim)

`WordLlama` is the embedded default: the static 256-dimension model that ships inside
the `wordllama` wheel, read from the installed package's own files by core.embed.static
(never imported, so nothing can reach for a model hub; load ~0.06 s, ~0.03 ms a text here).
`OpenAIEmbeddings` calls any OpenAI-compatible `/embeddings` endpoint with the `openai`
SDK, with the config's timeout and no SDK retries beyond one; its failures become
`EmbeddingError` with a short reason that never holds the key.

Papers and interest texts must come from the same model: `name` (provider, model and
dimensions) is stored with every vector blob and compared before any similarity.

`multilingual` says whether an embedder can place a text that is not in English: wordllama
cannot reliably (benchmarks.models: a Chinese interest keeps 0.45-0.69 of the English
text's precision@10, and 量子计算, 超导 or 机器人 find none of their field's papers), a
remote endpoint is taken to (the hosted models people configure,
text-embedding-3-*, multilingual-e5, bge-m3, read many languages). `mostly_latin(text)`
is the pure test callers pair with it before trusting an interest text's vector.
"""

from __future__ import annotations

import threading
import unicodedata
from typing import Protocol

import numpy as np

from core.config import Config, EmbeddingConfig, Env
from core.errors import ConfigError, EmbeddingError
from core.models import Paper
from core.store.vectors import normalise

MAX_TEXT_CHARS = 4000
WORDLLAMA_MODEL = EmbeddingConfig().model  # the one model the wheel ships (core.config refuses others)


class Embedder(Protocol):
    name: str
    remote: bool
    multilingual: bool  # False: only English texts are placed meaningfully

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length rows, one per text. Raises EmbeddingError."""
        ...


def paper_text(paper: Paper) -> str:
    return f"{paper.title}. {paper.abstract}"[:MAX_TEXT_CHARS]


def mostly_latin(text: str) -> bool:
    """True when at least half of the text's letters are Latin script (English, French,
    pinyin...) or it has no letters at all; False for Chinese, Japanese, Cyrillic, Greek..."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return True
    latin = sum(1 for ch in letters if ch.isascii() or unicodedata.name(ch, "").startswith("LATIN"))
    return 2 * latin >= len(letters)


class WordLlama:
    """The static model inside the wordllama wheel; loaded once per process, lazily."""

    remote = False
    multilingual = False  # trained on English: a Chinese interest often misses its field
    _lock = threading.Lock()
    _model = None

    def __init__(self, cfg: EmbeddingConfig):
        self.name = _name(cfg)
        self.batch_size = cfg.batch_size

    @classmethod
    def model(cls):
        with cls._lock:
            if cls._model is None:
                from core.embed.static import load_static

                cls._model = load_static(_package_folder("wordllama"), WORDLLAMA_MODEL)
            return cls._model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 256), np.float32)
        rows = self.model().embed([t[:MAX_TEXT_CHARS] for t in texts], batch_size=self.batch_size)
        return normalise(rows)


def _package_folder(name: str) -> str:
    """Where an installed package's files are, without importing it (wordllama ships the
    model's files; core.embed.static reads them). Raises EmbeddingError when it is missing."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingError(f"the {name} package is not installed")
    return list(spec.submodule_search_locations)[0]


class OpenAIEmbeddings:
    """An OpenAI-compatible /embeddings endpoint."""

    remote = True
    multilingual = True  # the operator chose the model; the common hosted ones read many languages

    def __init__(self, cfg: EmbeddingConfig, base_url: str, api_key: str):
        import openai

        self.name = _name(cfg)
        self.cfg = cfg
        self._openai = openai
        self._client = openai.OpenAI(
            api_key=api_key,
            base_url=base_url,
            timeout=openai.Timeout(cfg.timeout_s, connect=min(5.0, cfg.timeout_s)),
            max_retries=1,
        )

    def __repr__(self) -> str:
        return f"OpenAIEmbeddings(model={self.cfg.model!r}, key from ${self.cfg.api_key_env})"

    def embed(self, texts: list[str]) -> np.ndarray:
        out = []
        for start in range(0, len(texts), self.cfg.batch_size):
            batch = [t[:MAX_TEXT_CHARS] for t in texts[start : start + self.cfg.batch_size]]
            extra = {"dimensions": self.cfg.dimensions} if self.cfg.dimensions else {}
            try:
                reply = self._client.embeddings.create(model=self.cfg.model, input=batch, **extra)
                rows = [d.embedding for d in sorted(reply.data, key=lambda d: d.index)]
            except self._openai.APIStatusError as exc:
                raise EmbeddingError(f"the embeddings endpoint answered HTTP {exc.status_code}") from None
            except self._openai.APIError as exc:
                raise EmbeddingError(f"the embeddings endpoint failed ({exc.__class__.__name__})") from None
            except (AttributeError, TypeError, ValueError):
                raise EmbeddingError("the embeddings endpoint's reply is not an embeddings list") from None
            if len(rows) != len(batch) or len({len(r) for r in rows}) > 1:
                raise EmbeddingError("the embeddings endpoint returned the wrong number or size of vectors")
            out.append(np.asarray(rows, dtype=np.float32))
        return normalise(np.concatenate(out)) if out else np.zeros((0, 0), np.float32)

    def close(self) -> None:
        self._client.close()


def open_embedder(config: Config, env: Env) -> Embedder:
    """The deployment's embedder. Raises ConfigError when the remote one has no key."""
    cfg = config.embeddings
    if cfg.provider == "wordllama":
        return WordLlama(cfg)
    key = env.secret(cfg.api_key_env)
    if not key:
        raise ConfigError(cfg.api_key_env, "is not set, but embeddings.provider is openai")
    return OpenAIEmbeddings(cfg, env.embeddings_base_url or cfg.base_url, key)


_SHARED: dict[str, Embedder] = {}
_SHARED_LOCK = threading.Lock()


def shared_embedder(config: Config, env: Env) -> Embedder:
    """The process's embedder for this config (one client, one loaded model)."""
    name = embedder_name(config)
    with _SHARED_LOCK:
        if name not in _SHARED:
            _SHARED[name] = open_embedder(config, env)
        return _SHARED[name]


def embedder_name(config: Config) -> str:
    """The name vectors of this deployment carry, without loading anything."""
    return _name(config.embeddings)


def _name(cfg: EmbeddingConfig) -> str:
    """Provider, model and dimensions: vectors of different names are never compared."""
    if cfg.provider == "wordllama":
        return f"wordllama:{cfg.model}"
    return f"openai:{cfg.model}:{cfg.dimensions or 'native'}"
