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
from core.profiles.feed import DISLIKE_BETA, rocchio
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


# Learning from votes -------------------------------------------------------------------------
#
# A simulated reader of one category starts a profile with that category's interest text,
# then each pseudo-day (the corpus less a held-out third, shuffled into LEARN_DAYS days)
# votes on the profile's top VOTES_PER_DAY papers of the day: up when the paper is of the
# category (its held-out label), down otherwise. After 5, 10 and 20 votes the profile ranks
# the held-out papers, and precision@10 counts the category's papers in its top 10.

LEARN_DAYS = 6
VOTES_PER_DAY = 5
LEARN_AT = (0, 5, 10, 20)
CLASSIC_BETA = DISLIKE_BETA  # Rocchio's weight on the mean of the disliked papers
LOGISTIC_PRIOR = 5.0  # the linear model starts at (and is pulled towards) this times the interest
LOGISTIC_L2 = 0.03
LOGISTIC_STEPS = 300


def rocchio_scores(interest, up, down, rows):
    """The `like=` rule (core.rank.similarity.Target): unit mean of interest and each liked
    paper, minus UNLIKE_WEIGHT times the closest disliked cosine."""
    return Target.build(interest, up, down).score(rows)[0]


def classic_rocchio_scores(interest, up, down, rows):
    """Rocchio as profiles learn (core.profiles.feed.rocchio): unit(interest) + mean(liked)
    - beta * mean(disliked), cosine."""
    return rows @ rocchio(interest, up, down, CLASSIC_BETA)


def logistic_scores(interest, up, down, rows):
    """A per-profile logistic regression on the embeddings (numpy gradient descent),
    L2-regularised towards LOGISTIC_PRIOR x the interest, so no votes = rank by interest."""
    w0 = LOGISTIC_PRIOR * interest / np.linalg.norm(interest)
    x = np.concatenate([up, down]) if len(up) + len(down) else np.zeros((0, len(w0)), np.float32)
    y = np.concatenate([np.ones(len(up)), -np.ones(len(down))])
    w, b = w0.copy(), 0.0
    for _ in range(LOGISTIC_STEPS if len(x) else 0):
        margin = y * (x @ w + b)
        g = -y / (1 + np.exp(margin))
        w -= 0.5 * ((x.T @ g) / len(x) + LOGISTIC_L2 * (w - w0))
        b -= 0.5 * g.mean()
    return rows @ w


LEARNERS = {
    "like= rule (mean of interest and each liked, closest disliked)": rocchio_scores,
    "Rocchio (interest + mean liked - 0.5 mean disliked; profiles)": classic_rocchio_scores,
    "logistic regression (per profile, prior: interest)": logistic_scores,
}


def learning(trials: int = TRIALS, seed: int = 7) -> dict[str, dict[int, float]]:
    """Mean precision@10 on held-out papers after 0, 5, 10 and 20 votes, per learner."""
    items = corpus()
    labels = np.array([label for _, label in items])
    texts = [paper_text(p) for p, _ in items]
    embedder = WordLlama(EmbeddingConfig())
    rows = DayVectors.build("eval", [str(i) for i in range(len(texts))], embedder.embed(texts)).matrix()
    cats = [c for c in INTERESTS if (labels == c).sum() >= MIN_PAPERS]
    interests = {c: embedder.embed([INTERESTS[c]])[0] for c in cats}
    rng = np.random.default_rng(seed)
    found: dict[str, dict[int, list[float]]] = {m: {n: [] for n in LEARN_AT} for m in LEARNERS}
    for trial in range(trials):
        cat = cats[trial % len(cats)]
        order = rng.permutation(len(labels))
        test, train = order[: len(order) // 3], order[len(order) // 3 :]
        days = np.array_split(train, LEARN_DAYS)
        for name, learner in LEARNERS.items():
            for n, p in _simulate(learner, interests[cat], rows, labels == cat, days, test).items():
                found[name][n].append(p)
    return {m: {n: float(np.mean(v)) for n, v in by.items()} for m, by in found.items()}


def _simulate(learner, interest, rows, relevant, days, test) -> dict[int, float]:
    up: list[int] = []
    down: list[int] = []

    def precision() -> float:
        scores = learner(interest, rows[up], rows[down], rows[test])
        return float(relevant[test][np.argsort(-scores, kind="stable")[:AT]].mean())

    out = {0: precision()}
    for day in days:
        scores = learner(interest, rows[up], rows[down], rows[day])
        for i in day[np.argsort(-scores, kind="stable")[:VOTES_PER_DAY]]:
            (up if relevant[i] else down).append(int(i))
            if len(up) + len(down) in LEARN_AT:
                out[len(up) + len(down)] = precision()
        if len(up) + len(down) >= max(LEARN_AT):
            break
    return out


def learning_table(results: dict[str, dict[int, float]]) -> str:
    head = " | ".join(f"P@10 after {n} votes" for n in LEARN_AT)
    lines = [f"| learner | {head} |", "|---" * (len(LEARN_AT) + 1) + "|"]
    for name, by in results.items():
        lines.append(f"| {name} | " + " | ".join(f"{by[n]:.3f}" for n in LEARN_AT) + " |")
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
    print()
    print(
        f"learning from votes: {args.trials} simulated readers, {VOTES_PER_DAY} votes a pseudo-day on the "
        f"profile's top papers by held-out labels, precision@10 on the held-out third"
    )
    print(learning_table(learning(args.trials, args.seed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
