"""Every configuration key wrong in turn: one clear line that names it, from the library and
from the command line, and nothing runs.

The keys come from the Config and SummaryConfig dataclasses themselves, so a key added later
without validation fails here. tests/test_config.py checks the finer rules (ranges, patterns);
this checks that no key is left unguarded and that the edges print one line.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

import cli.main as cli
from core.config import Config, EmbeddingConfig, Env, SummaryConfig, load_config
from core.errors import ConfigError
from core.store.factory import open_store

MINIMAL = {"categories": ["cs.AI"], "keywords": ["LLM"]}
TOP_KEYS = [f.name for f in dataclasses.fields(Config) if f.name != "base_dir"]
SUMMARY_KEYS = [f.name for f in dataclasses.fields(SummaryConfig)]
EMBEDDING_KEYS = [f.name for f in dataclasses.fields(EmbeddingConfig)]
WRONG = {"an object": {"nested": True}, "a list of objects": [{"x": 1}], "a negative number": -7}


def wrong_documents():
    """(key, document, how) for every key and every wrong kind of value that key cannot take."""
    for key in TOP_KEYS:
        for how, value in WRONG.items():
            if key in ("ai_summary", "embeddings") and how == "an object":
                continue  # an object is its kind: its unknown key is named instead (below)
            yield key, {**MINIMAL, key: value}, how
    for key in SUMMARY_KEYS:
        for how, value in WRONG.items():
            yield f"ai_summary.{key}", {**MINIMAL, "ai_summary": {key: value}}, how
    yield "ai_summary.nested", {**MINIMAL, "ai_summary": {"nested": True}}, "an unknown key"
    for key in EMBEDDING_KEYS:
        for how, value in WRONG.items():
            yield f"embeddings.{key}", {**MINIMAL, "embeddings": {key: value}}, how
    yield "embeddings.nested", {**MINIMAL, "embeddings": {"nested": True}}, "an unknown key"


CASES = list(wrong_documents())


@pytest.mark.parametrize("key, document, how", CASES, ids=[f"{k}-{h}" for k, _, h in CASES])
def test_every_key_given_a_wrong_value_is_named_in_one_line(tmp_path, capsys, key, document, how):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == key or info.value.key.startswith(f"{key}[")
    assert str(info.value).startswith(f"config: {info.value.key}: ") and "\n" not in str(info.value)

    assert cli.main(["--config", str(path), "status"]) == cli.EXIT_USAGE
    out, err = capsys.readouterr()
    assert out == "" and err == f"error: {info.value}\n"


ENV_CASES = {
    "ARXIV_MIN_INTERVAL": {"ARXIV_MIN_INTERVAL": "soon"},
    "ARXIV_MAX_ATTEMPTS": {"ARXIV_MAX_ATTEMPTS": "0"},
    "REDIS_URL": {"REDIS_URL": "http://cache.example:6379"},
    "UPSTASH_REDIS_REST_TOKEN": {"UPSTASH_REDIS_REST_URL": "https://x.upstash.io"},
    "UPSTASH_REDIS_REST_URL": {"UPSTASH_REDIS_REST_TOKEN": "t0ken-s3cret"},
    "KV_REST_API_URL": {"KV_REST_API_URL": "redis://x", "KV_REST_API_TOKEN": "t0ken-s3cret"},
}


@pytest.mark.parametrize("variable", list(ENV_CASES))
def test_every_environment_variable_wrong_in_turn_is_named_without_its_secret(variable):
    with pytest.raises(ConfigError) as info:
        open_store(Env.from_environ(ENV_CASES[variable]))
    assert info.value.key == variable
    assert "\n" not in str(info.value) and "s3cret" not in str(info.value)
