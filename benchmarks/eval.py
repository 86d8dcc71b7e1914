"""Ranking quality (`make eval`): keywords, TF-IDF, the embedder and hybrid, side by side.

The corpus is real: the 185 papers of arXiv's cs listing of 2018-08-30
(../shared/fixtures/arxiv/rss1_rdf_old_format_2018-08-30_cs_185_items.rdf), each labelled
by the primary category its title carries. Two tasks, many seeded trials each:

- like-k: like k random papers of a category; rank the other papers; relevant = same
  primary category. For categories with at least `MIN_PAPERS` papers.
- interest: a plain-language interest written from the category's description on
  arXiv's category taxonomy page; relevant = that category.

Reported per method: precision@10 and nDCG@10 (binary relevance), means over trials.
Methods: random; keywords (the project's own scoring, with the liked titles' most
frequent content words, or the interest's words, as keywords); TF-IDF cosine (the
classic content-based baseline, fitted on the corpus); the embedder (float32, and as
stored: int8 with a per-vector scale); hybrid (core.rank.similarity.hybrid of the stored
vectors and the keyword score).
"""

from __future__ import annotations

import argparse
import math
import os
import re
from collections import Counter
from pathlib import Path

import numpy as np

from benchmarks.workload import ROOT
from core.config import EmbeddingConfig, Keyword
from core.embed.embedder import WordLlama, paper_text
from core.models import Paper
from core.rank.scoring import compile_profile, score_all
from core.rank.similarity import Target, hybrid
from core.store.vectors import DayVectors

FIXTURES = Path(os.environ.get("ARXIV_FIXTURES") or ROOT.parent / "shared" / "fixtures" / "arxiv")
FIXTURE = FIXTURES / "rss1_rdf_old_format_2018-08-30_cs_185_items.rdf"
MIN_PAPERS = 8
TRIALS = 200
K = 3
AT = 10
STOP = {
    "a",
    "an",
    "the",
    "of",
    "for",
    "and",
    "or",
    "in",
    "on",
    "to",
    "with",
    "by",
    "from",
    "via",
    "is",
    "are",
    "we",
    "our",
    "this",
    "that",
    "as",
    "at",
    "be",
    "can",
    "it",
    "its",
    "into",
    "using",
    "based",
    "new",
    "towards",
    "toward",
    "approach",
    "method",
    "methods",
    "paper",
    "study",
    "analysis",
    "learning",
    "model",
    "models",
    "data",
}
# Written from the descriptions on arxiv.org/category_taxonomy.
INTERESTS = {
    "cs.CL": "natural language processing, computational linguistics, language models, parsing, translation",
    "cs.CV": "computer vision, image processing, object detection, segmentation, pattern recognition in images",
    "cs.LG": "machine learning: supervised and unsupervised learning, neural network training, generalisation",
    "cs.IR": "information retrieval: search engines, ranking, recommender systems, indexing and query processing",
    "cs.IT": "information theory: coding theory, channel capacity, compression, signal transmission",
    "cs.CR": "cryptography and security: encryption, authentication, attacks, privacy, protocols",
}


def corpus() -> list[tuple[Paper, str]]:
    from defusedxml import ElementTree

    ns = {"rss": "http://purl.org/rss/1.0/", "dc": "http://purl.org/dc/elements/1.1/"}
    root = ElementTree.parse(FIXTURE).getroot()
    out = []
    for n, item in enumerate(root.findall("rss:item", ns)):
        raw_title = item.findtext("rss:title", "", ns)
        label = re.search(r"\[([^\]]+)\]", raw_title)
        if label is None:
            continue
        title = re.sub(r"\s*\(arXiv:[^)]*\)\s*$", "", raw_title).strip()
        abstract = re.sub(r"<[^>]+>", " ", item.findtext("rss:description", "", ns))
        abstract = re.sub(r"\s+", " ", abstract).strip()
        paper = Paper(f"1808.{n:05d}", 1, title, abstract, (), (label.group(1),), "new", "2018-08-30")
        out.append((paper, label.group(1)))
    return out


def _tokens(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z][a-z0-9-]+", text.lower()) if w not in STOP and len(w) > 2]


def tfidf(texts: list[str]) -> np.ndarray:
    docs = [Counter(_tokens(t)) for t in texts]
    vocab = {w: i for i, w in enumerate(sorted({w for d in docs for w in d}))}
    df = Counter(w for d in docs for w in d)
    m = np.zeros((len(texts), len(vocab)), np.float32)
    for r, d in enumerate(docs):
        for w, c in d.items():
            m[r, vocab[w]] = (1 + math.log(c)) * math.log(len(texts) / df[w])
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1, norms)


def keyword_scores(papers: list[Paper], words: list[str]) -> np.ndarray:
    profile = compile_profile(tuple(Keyword(w) for w in words))
    return np.array([s.score for s in score_all(papers, profile)], np.float32)


def top_words(texts: list[str], n: int = 5) -> list[str]:
    return [w for w, _ in Counter(w for t in texts for w in _tokens(t)).most_common(n)]


def metrics(order: np.ndarray, relevant: np.ndarray) -> tuple[float, float]:
    top = relevant[order[:AT]]
    dcg = sum(1 / math.log2(i + 2) for i, r in enumerate(top) if r)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(AT, int(relevant.sum()))))
    return float(top.mean()), dcg / ideal if ideal else 0.0


def ranked(scores: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    # Ties broken at random, so a method that cannot tell papers apart scores as random.
    return np.lexsort((rng.random(len(scores)), -scores))


def evaluate(trials: int = TRIALS, seed: int = 7) -> dict[str, dict[str, tuple[float, float]]]:
    items = corpus()
    papers = [p for p, _ in items]
    labels = np.array([label for _, label in items])
    texts = [paper_text(p) for p in papers]
    exact = WordLlama(EmbeddingConfig()).embed(texts)
    stored = DayVectors.build("eval", [str(i) for i in range(len(texts))], exact).matrix()
    tf = tfidf(texts)
    cats = [c for c, n in Counter(labels).items() if n >= MIN_PAPERS]
    rng = np.random.default_rng(seed)
    methods = ("random", "keywords", "tf-idf", "embedder (float32)", "embedder (int8, stored)", "hybrid")
    results: dict[str, dict[str, list]] = {task: {m: [] for m in methods} for task in ("like-3", "interest")}

    def run(task: str, scores: dict[str, np.ndarray], relevant: np.ndarray, rest: np.ndarray) -> None:
        for name, s in scores.items():
            results[task][name].append(metrics(ranked(s[rest], rng), relevant[rest]))

    for _ in range(trials):
        cat = cats[rng.integers(len(cats))]
        members = np.flatnonzero(labels == cat)
        liked = rng.choice(members, K, replace=False)
        rest = np.setdiff1d(np.arange(len(papers)), liked)
        relevant = labels == cat
        kw = keyword_scores(papers, top_words([papers[i].title for i in liked]))
        sims = {name: Target.build(None, m[liked], m[[]]).score(m)[0] for name, m in (("f", exact), ("q", stored))}
        run(
            "like-3",
            {
                "random": rng.random(len(papers)),
                "keywords": kw,
                "tf-idf": tf @ tf[liked].mean(axis=0),
                "embedder (float32)": sims["f"],
                "embedder (int8, stored)": sims["q"],
                "hybrid": hybrid(sims["q"], kw),
            },
            relevant,
            rest,
        )
    embedder = WordLlama(EmbeddingConfig())
    everyone = np.arange(len(papers))
    for cat, text in INTERESTS.items():
        if cat not in cats:
            continue
        vec = embedder.embed([text])
        kw = keyword_scores(papers, _tokens(text))
        query_tf = tfidf([*texts, text])
        for _ in range(max(1, trials // 20)):
            sims = {name: Target.build(vec, m[[]], m[[]]).score(m)[0] for name, m in (("f", exact), ("q", stored))}
            run(
                "interest",
                {
                    "random": rng.random(len(papers)),
                    "keywords": kw,
                    "tf-idf": query_tf[:-1] @ query_tf[-1],
                    "embedder (float32)": sims["f"],
                    "embedder (int8, stored)": sims["q"],
                    "hybrid": hybrid(sims["q"], kw),
                },
                labels == cat,
                everyone,
            )
    return {
        task: {m: tuple(float(np.mean([r[i] for r in rs])) for i in (0, 1)) for m, rs in by.items()}
        for task, by in results.items()
    }


def table(results: dict) -> str:
    methods = list(next(iter(results.values())))
    lines = [
        "| method | like-3 P@10 | like-3 nDCG@10 | interest P@10 | interest nDCG@10 |",
        "|---|---|---|---|---|",
    ]
    for m in methods:
        like, interest = results["like-3"][m], results["interest"][m]
        lines.append(f"| {m} | {like[0]:.3f} | {like[1]:.3f} | {interest[0]:.3f} | {interest[1]:.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.eval", description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=TRIALS)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not FIXTURE.exists():
        print(f"the evaluation corpus is missing: {FIXTURE}")
        return 1
    results = evaluate(args.trials, args.seed)
    n = len(corpus())
    print(f"corpus: {n} real arXiv papers (cs listing, 2018-08-30), {args.trials} like-{K} trials, seed {args.seed}")
    print(table(results))
    print(f"vector cost: {256 + 2} bytes per paper stored (int8 + float16 scale) vs {256 * 4} as float32")
    print("learning from votes: python -m benchmarks.learning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
