"""Paper vectors: the embedded model loads from its wheel with no network, vectors are
stored compactly and faithfully, a refresh embeds every stored paper version once, and
the remote embedder speaks the real OpenAI SDK to a loopback /embeddings endpoint."""

from __future__ import annotations

import functools
import json
import socket
from dataclasses import replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.config import EmbeddingConfig, Env, parse_config
from core.embed.embedder import OpenAIEmbeddings, WordLlama, open_embedder, paper_text
from core.errors import ConfigError, EmbeddingError, StoreError
from core.ingest.client import ArxivClient
from core.refresh.embedding import embed_days
from core.refresh.pipeline import run_refresh
from core.store.layout import read_manifest
from core.store.publish import publish
from core.store.reader import Reader
from core.store.vectors import DayVectors, decode_vectors, encode_vectors, normalise, paper_key
from tests.conftest import shared_fixture
from tests.support.loopback import LoopbackServer
from tests.support.seed import seed_config, seed_store

TEXTS = [
    "Sparse attention kernels for fast LLM inference on GPUs",
    "Reinforcement learning from human feedback for language models",
    "Graph colouring heuristics for register allocation",
    "A lattice-based signature scheme secure against quantum attacks",
]


class Counting:
    """The real embedded model, counting the texts it is asked for."""

    remote = False

    def __init__(self):
        self.inner = WordLlama(EmbeddingConfig())
        self.name = self.inner.name
        self.texts = 0

    def embed(self, texts):
        self.texts += len(texts)
        return self.inner.embed(texts)


def test_the_embedded_model_loads_from_its_package_with_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an embedding code path tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    WordLlama._model = None  # load afresh under the guard
    rows = WordLlama(EmbeddingConfig()).embed(TEXTS)
    assert rows.shape == (4, 256) and rows.dtype == np.float32
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    sims = rows @ rows.T
    assert sims[0, 1] > sims[0, 3]  # two LLM papers are closer than LLMs and lattice signatures


def test_one_text_is_embedded_without_importing_wordllama_tokenizers_requests_or_a_float32_copy():
    import subprocess
    import sys

    script = """
import logging, sys
from core.config import EmbeddingConfig
from core.embed.embedder import WordLlama
rows = WordLlama(EmbeddingConfig()).embed(["graph neural networks for molecules"])
assert rows.shape == (1, 256), rows.shape
for name in ("wordllama", "requests", "urllib3", "safetensors", "huggingface_hub", "tokenizers"):
    assert name not in sys.modules, name + " came with the model"
assert not logging.getLogger().handlers, "the root logger was configured"
vectors = WordLlama.model().vectors
assert vectors.dtype == "float16" and vectors.shape == (32000, 256), vectors.dtype
import numpy
assert isinstance(vectors, numpy.memmap), "the vectors were copied, not mapped"
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


@functools.cache
def _wordllamas_own():
    """wordllama's own loader and embed, the reference the app's reading of its files meets."""
    import wordllama

    return wordllama.WordLlama.load(cache_dir=wordllama.__path__[0], disable_download=True)


def _abstracts() -> list[str]:
    from core.ingest.parse import parse_feed

    return [paper_text(p) for p in parse_feed(shared_fixture("api_2026_search_all_testing_start0_max100.xml")).papers]


@pytest.mark.parametrize("batch_size", [1, 7, 64])
def test_the_embedded_model_gives_wordllamas_own_vectors_bit_for_bit(batch_size):
    texts = [*TEXTS, "a", "Ünïcödé, 量子计算 and an emoji 🤖", "word " * 900, *_abstracts()]
    ours = WordLlama(EmbeddingConfig(batch_size=batch_size)).embed(texts)
    theirs = normalise(_wordllamas_own().embed([t[:4000] for t in texts], norm=True, batch_size=batch_size))
    assert ours.dtype == theirs.dtype == np.float32
    assert np.array_equal(ours, theirs)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=120), min_size=1, max_size=5))
def test_any_interest_text_gets_wordllamas_own_vector(texts):
    with np.errstate(invalid="ignore"):  # a text of no tokens is 0 / 0 in both
        ours = WordLlama.model().embed(texts, batch_size=2)
        theirs = _wordllamas_own().embed(texts, norm=True, batch_size=2)
    assert np.array_equal(ours, theirs, equal_nan=True)


@functools.cache
def _tokenizers_own():
    from tokenizers import Tokenizer

    return Tokenizer.from_file(WordLlama.model().tokenizer_path)


# Special tokens, spaces in runs and at the ends, byte-fallback characters, an emoji, NUL.
_PIECES = [
    "a",
    "the",
    " ",
    "  ",
    "<s>",
    "</s>",
    "<unk>",
    "<",
    "s",
    ">",
    "\n",
    "\t",
    "\u2581",
    "日",
    "é",
    "🤖",
    "\x00",
    ".",
]
_TRICKY = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


def test_the_python_tokenizer_gives_the_ids_of_tokenizers_on_real_abstracts():
    theirs = _tokenizers_own()
    for text in [*TEXTS, *_abstracts(), "hello <s> world", "</s></s>a<unk>", " ", ""]:
        assert WordLlama.model().single.ids(text) == theirs.encode(text, add_special_tokens=False).ids, text


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), _TRICKY))
def test_the_python_tokenizer_gives_the_ids_of_tokenizers_on_any_text(text):
    assert WordLlama.model().single.ids(text) == _tokenizers_own().encode(text, add_special_tokens=False).ids


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=120))
def test_one_text_alone_gets_wordllamas_own_vector(text):
    with np.errstate(invalid="ignore"):  # a text of no tokens is 0 / 0 in both
        ours = WordLlama.model().embed([text], batch_size=64)
        theirs = _wordllamas_own().embed([text], norm=True, batch_size=64)
    assert np.array_equal(ours, theirs, equal_nan=True)


def test_stored_vectors_cost_258_bytes_a_paper_and_keep_cosines_within_001():
    rows = WordLlama(EmbeddingConfig()).embed([t + f" variant {i}" for i in range(40) for t in TEXTS])
    dv = DayVectors.build("wordllama:l2_supercat_256", [f"k{i}" for i in range(len(rows))], rows)
    assert dv.nbytes() == len(rows) * (256 + 2)
    back = decode_vectors(encode_vectors(dv))
    assert back.keys == dv.keys and back.embedder == dv.embedder
    assert np.abs((back.matrix() @ back.matrix().T) - (rows @ rows.T)).max() < 0.01


def test_a_vector_blob_is_a_zstd_frame_and_one_stored_zlib_compressed_before_reads_the_same():
    import zlib

    from core.store.layout import ZSTD_MAGIC, decompressed

    rows = WordLlama(EmbeddingConfig()).embed(TEXTS)
    blob = encode_vectors(DayVectors.build("wordllama:l2_supercat_256", ["a", "b", "c", "d"], rows))
    assert blob[4:8] == ZSTD_MAGIC
    before = decode_vectors(blob[:4] + zlib.compress(decompressed(blob[4:]), 6))
    now = decode_vectors(blob)
    assert before.keys == now.keys and np.array_equal(before.q, now.q) and np.array_equal(before.scale, now.scale)


@pytest.mark.parametrize("raw", [b"", b"ARV1", b"ARV1not zlib", b"not a vector blob at all", b"ARV1(\xb5/\xfd cut"])
def test_an_unreadable_vector_blob_is_a_store_error_naming_it(raw):
    with pytest.raises(StoreError, match="vectors of 2026-09-21 are unreadable"):
        decode_vectors(raw, "vectors of 2026-09-21")


def test_a_refresh_step_embeds_every_paper_version_once(store):
    config = seed_config()
    manifest = seed_store(store, config, days=3, per_day=20)
    embedder = Counting()
    manifest, report = embed_days(store, manifest, embedder, config.retention_days)
    total = sum(len({paper_key(s.paper) for s in d.papers}) for d in Reader(store).days(manifest, 3))
    assert report["days"] == 3 and report["embedded"] == embedder.texts == total
    assert all(ref.vectors and ref.embedder == embedder.name for ref in manifest.days)
    publish(store, manifest)
    again, report = embed_days(store, manifest, embedder, config.retention_days, previous=manifest)
    assert report["embedded"] == 0 and embedder.texts == total and again.days == manifest.days
    vectors = Reader(store).vectors(again, 3, embedder.name)
    assert set(vectors) == {d.date for d in again.days}


def test_a_rewritten_day_reuses_the_vectors_it_had(store):
    config = seed_config()
    manifest = seed_store(store, config, days=1, per_day=10)
    embedder = Counting()
    embedded, _ = embed_days(store, manifest, embedder, config.retention_days)
    # The day rewritten without vectors (as a refresh that merged papers leaves it): only new rows are embedded.
    bare = replace(embedded, days=tuple(replace(r, vectors="", embedder="") for r in embedded.days))
    before = embedder.texts
    _, report = embed_days(store, bare, embedder, config.retention_days, previous=embedded)
    assert report["embedded"] == 0 and report["reused"] == before and embedder.texts == before


def test_a_time_budget_leaves_days_pending_and_says_so(store):
    config = seed_config()
    manifest = seed_store(store, config, days=3, per_day=5)
    ticks = iter([0, 10, 100, 100, 100, 100])  # started, then one reading per day, then the end
    out, report = embed_days(
        store, manifest, Counting(), config.retention_days, time_budget_s=50, clock=lambda: next(ticks)
    )
    assert report["days"] == 1 and report["pending"] == 2
    assert sum(bool(r.vectors) for r in out.days) == 1


def test_the_refresh_embeds_what_it_publishes(arxiv, store):
    arxiv.route("/rss/", shared_fixture("rss_2026-09-24_cs.LG+cs.AI+cs.CL+stat.ML_trimmed_4_items.xml"))
    config = parse_config({"categories": ["cs.LG", "cs.AI", "cs.CL", "stat.ML"], "keywords": ["learning"]})
    embedder = Counting()

    def embed(manifest, previous):
        return embed_days(store, manifest, embedder, config.retention_days, previous=previous)

    at = datetime(2026, 9, 24, 12, tzinfo=UTC)
    with ArxivClient(arxiv.env(), "", max_attempts=1, sleep=lambda s: None, timeout=2) as client:
        report = run_refresh(config, store, client, clock=lambda: at, embed=embed)
        assert report["embeddings"]["embedded"] == 4
        again = run_refresh(config, store, client, clock=lambda: at, embed=embed)
    assert again["embeddings"]["embedded"] == 0 and embedder.texts == 4
    [ref] = read_manifest(store).days
    assert ref.embedder == "wordllama:l2_supercat_256" and ref.vectors.startswith("arxiv-rss:vec:2026-09-24:")


# The remote embedder ---------------------------------------------------------------------------


class _Embeddings(BaseHTTPRequestHandler):
    calls: list = []
    status = 200

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls.append((self.path, self.headers.get("Authorization"), body))
        if type(self).status != 200:
            self.send_response(type(self).status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error": {"message": "no"}}')
            return
        data = [
            {"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0, 0.0]}
            for i, t in enumerate(body["input"])
        ]
        reply = {
            "object": "list",
            "data": data[::-1],
            "model": body["model"],
            "usage": {"prompt_tokens": 1, "total_tokens": 1},
        }
        out = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


def test_the_remote_embedder_speaks_the_openai_sdk_to_a_loopback_endpoint():
    _Embeddings.calls, _Embeddings.status = [], 200
    with LoopbackServer(_Embeddings, "embeddings") as server:
        cfg = EmbeddingConfig(provider="openai", model="text-embedding-3-small", batch_size=2)
        embedder = OpenAIEmbeddings(cfg, server.origin + "/v1", "sk-test-key")
        rows = embedder.embed(["a", "bbb", "cc"])
        _Embeddings.status = 500
        with pytest.raises(EmbeddingError, match="HTTP 500") as failed:
            embedder.embed(["a"])
        embedder.close()
    assert rows.shape == (3, 3) and np.allclose(np.linalg.norm(rows, axis=1), 1)
    assert rows[0] @ rows[1] < 1  # the replies' out-of-order indices were put back in order
    assert [len(c[2]["input"]) for c in _Embeddings.calls[:2]] == [2, 1]
    assert _Embeddings.calls[0][0].endswith("/embeddings") and _Embeddings.calls[0][1] == "Bearer sk-test-key"
    assert "sk-test-key" not in str(failed.value) and "sk-test-key" not in repr(embedder)


def test_a_remote_embedder_without_its_key_is_a_config_error_naming_the_variable():
    config = parse_config({**_raw(), "embeddings": {"provider": "openai", "api_key_env": "EMBED_KEY"}})
    with pytest.raises(ConfigError, match="EMBED_KEY"):
        open_embedder(config, Env.from_environ({}))
    assert isinstance(open_embedder(parse_config(_raw()), Env.from_environ({})), WordLlama)


@pytest.mark.parametrize(
    ("embeddings", "key"),
    [
        ({"provider": "hub"}, "embeddings.provider"),
        ({"model": "bigger"}, "embeddings.model"),
        ({"provider": "openai", "base_url": "ftp://x"}, "embeddings.base_url"),
        ({"colour": 1}, "embeddings.colour"),
        ({"daily_interest_budget": -1}, "embeddings.daily_interest_budget"),
    ],
)
def test_bad_embedding_settings_name_their_key(embeddings, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        parse_config({**_raw(), "embeddings": embeddings})


def test_paper_text_is_title_then_abstract_and_bounded():
    from tests.support.papers import paper

    p = paper(title="T", abstract="x" * 10_000)
    assert paper_text(p).startswith("T. x") and len(paper_text(p)) == 4000


def _raw() -> dict:
    return {"categories": ["cs.LG"], "keywords": ["LLM"]}


def test_a_remote_interest_is_embedded_once_per_text_under_a_daily_budget(store):
    from core.embed.interest import _MEMO, interest_vector

    _MEMO.clear()
    _Embeddings.calls, _Embeddings.status = [], 200
    with LoopbackServer(_Embeddings, "embeddings") as server:
        cfg = EmbeddingConfig(provider="openai", model="text-embedding-3-small")
        embedder = OpenAIEmbeddings(cfg, server.origin + "/v1", "sk-test-key")
        first, note = interest_vector(store, embedder, "graph colouring", 2, "2026-09-24")
        _MEMO.clear()  # another process: the store's cache answers
        again, _ = interest_vector(store, embedder, "graph colouring", 2, "2026-09-24")
        interest_vector(store, embedder, "sparse attention", 2, "2026-09-24")
        over, over_note = interest_vector(store, embedder, "a third text", 2, "2026-09-24")
        tomorrow, _ = interest_vector(store, embedder, "a third text", 2, "2026-09-25")
        embedder.close()
    assert note == "" and np.allclose(first, again, atol=1e-3)
    assert over is None and "budget" in over_note and tomorrow is not None
    assert [c[2]["input"] for c in _Embeddings.calls] == [["graph colouring"], ["sparse attention"], ["a third text"]]


def _model_folder(tmp_path, weights: bytes | None, tokenizer: bytes | None = None):
    import shutil

    from core.embed.embedder import _package_folder

    (tmp_path / "weights").mkdir()
    (tmp_path / "tokenizers").mkdir()
    name = "tokenizers/l2_supercat_tokenizer_config.json"
    if tokenizer is None:
        shutil.copy(f"{_package_folder('wordllama')}/{name}", tmp_path / name)
    else:
        (tmp_path / name).write_bytes(tokenizer)
    if weights is not None:
        (tmp_path / "weights" / "l2_supercat_256.safetensors").write_bytes(weights)
    return str(tmp_path)


def _safetensors(header: object, data: bytes) -> bytes:
    head = json.dumps(header).encode()
    return len(head).to_bytes(8, "little") + head + data


def _matrix(rows: int, dims: int, dtype: str = "F16", cut: int = 0) -> bytes:
    size = rows * dims * (2 if dtype == "F16" else 4)
    entry = {"dtype": dtype, "shape": [rows, dims], "data_offsets": [0, size]}
    return _safetensors({"embedding.weight": entry}, bytes(size - cut))


@pytest.mark.parametrize(
    ("weights", "tokenizer", "named"),
    [
        (None, None, "has no weights/l2_supercat_256.safetensors"),
        (_matrix(10, 256), b"{not json", "tokenizer is unreadable"),
        (b"\x01\x02", None, "weights l2_supercat_256.safetensors are unreadable (ValueError)"),
        ((1 << 40).to_bytes(8, "little") + b"{}", None, "are unreadable (ValueError)"),
        (_safetensors({"other.weight": {}}, b""), None, "are unreadable (KeyError)"),
        (_safetensors([1, 2], b""), None, "are unreadable (TypeError)"),
        (_matrix(10, 256, cut=2), None, "are unreadable (ValueError)"),
        (_matrix(10, 256, dtype="I8"), None, "are unreadable (KeyError)"),
        (
            _safetensors(
                {"embedding.weight": {"dtype": "F16", "shape": [512], "data_offsets": [0, 1024]}}, bytes(1024)
            ),
            None,
            "(ValueError)",
        ),  # noqa: E501
        (_matrix(10, 128), None, "hold 128 dimensions, not l2_supercat_256's"),
    ],
)
def test_model_files_that_are_missing_or_broken_are_an_embedding_error_naming_them(tmp_path, weights, tokenizer, named):
    from core.embed.static import load_static

    with pytest.raises(EmbeddingError) as caught:
        load_static(_model_folder(tmp_path, weights, tokenizer), "l2_supercat_256")
    assert named in str(caught.value)


def _edited_tokenizer(edit) -> bytes:
    from core.embed.embedder import _package_folder

    with open(f"{_package_folder('wordllama')}/tokenizers/l2_supercat_tokenizer_config.json", "rb") as f:
        doc = json.loads(f.read())
    edit(doc)
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda d: d.update(pre_tokenizer={"type": "Whitespace"}), "uses a pre-tokenizer"),
        (lambda d: d["model"].update(byte_fallback=False), "uses model.byte_fallback=false"),
        (lambda d: d["model"].update(type="WordPiece"), 'uses model.type="WordPiece"'),
        (lambda d: d["model"].update(dropout=0.1), "uses model.dropout=0.1"),
        (lambda d: d.update(normalizer={"type": "NFKC"}), "uses its normalizer"),
        (lambda d: d["added_tokens"][1].update(lstrip=True), 'the added token "<s>"\'s settings'),
        (lambda d: d["model"].update(merges={"a": 1}), "is unreadable (TypeError)"),
        (lambda d: d["model"].pop("vocab"), "is unreadable (KeyError)"),
        (lambda d: d["model"]["vocab"].pop("<0x7F>"), "has no byte token <0x7F>"),
        (lambda d: d.clear(), "is unreadable (KeyError)"),
    ],
)
def test_a_tokenizer_file_it_cannot_read_as_tokenizers_would_is_an_embedding_error_naming_why(tmp_path, edit, named):
    from core.embed.static import load_static

    folder = _model_folder(tmp_path, _matrix(32000, 256), _edited_tokenizer(edit))
    with pytest.raises(EmbeddingError) as caught:
        load_static(folder, "l2_supercat_256")
    assert named in str(caught.value)


def test_a_batch_tokenizer_that_cannot_load_is_an_embedding_error(tmp_path):
    from core.embed.static import load_static

    model = load_static(_model_folder(tmp_path, _matrix(32000, 256)), "l2_supercat_256")
    with open(model.tokenizer_path, "w") as f:  # the file changed under it after the first reading
        f.write("{}")
    with pytest.raises(EmbeddingError, match="tokenizer is unreadable"):
        model.embed(["one text", "and another"], batch_size=4)


def test_model_files_whole_but_small_load_and_embed(tmp_path):
    from core.embed.static import load_static

    model = load_static(_model_folder(tmp_path, _matrix(32000, 256, dtype="F32")), "l2_supercat_256")
    assert model.vectors.dtype == np.float32 and model.vectors.shape == (32000, 256)
    with np.errstate(invalid="ignore"):  # all-zero vectors: 0 / 0
        assert model.embed(["a text"], batch_size=4).shape == (1, 256)
