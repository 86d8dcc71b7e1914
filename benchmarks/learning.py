"""Learning from votes (`make eval`): simulated readers on real arXiv corpora, every learner side by side.

Corpora (real arXiv metadata, read from where they lie, never copied into the repository):
- `all`: ../shared/eval/arxiv_2007-04_all_fields_2000.jsonl, 2,000 papers of every field; a
  paper's field is its primary category (fields of at least MIN_FIELD papers);
- `cs`: ../shared/eval/arxiv_cs_ml_cv_multilabel_1000.jsonl, 993 cs papers with several labels
  each; a paper is of a field when it carries the label;
- `cs-primary`: the same papers, a paper's field its primary category only (its other labels
  are cross-lists the reader does not want), as arXiv's announcements label a field;
- `2018`: the 185 papers of arXiv's cs listing of 2018-08-30 (../shared/fixtures/arxiv/),
  labelled by the primary category each title carries (fields of at least 8 papers).

A simulated reader looks at its feed's top 10 again and again, and each time clicks "more like
this" on up to 3 papers of its taste and "less like this" on up to 2 others, voting only on
what it was shown; voted papers are not shown again. Its score after 0, 5, 10 and 20 votes is
precision@10 normalised by what is left to find: hits / min(10, papers of its taste not yet
voted on). Readers:
- loose: the interest loosely names the field ("robots", "stars and galaxies");
- wrong: the interest names another field of the corpus (each of two others in turn);
- narrow: a taste inside a field (cs: papers labelled both cs.LG and cs.RO, both cs.CV and
  eess.IV), starting from the broad field's loose interest;
- two: two fields at once, starting from the first one's loose interest;
- topic: a taste that is not a category, the papers whose title or abstract has a word that
  several categories share ("black hole", "adversarial"), starting from a loose name for it;
- down-only: a wrong start, and a reader who only ever turns papers down; scored by how many
  of the top 10 after 5 down-votes it had not been shown before.
Each paper's arXiv categories are known to the learners, as the store knows them; on these
corpora a field *is* a category, so the categories' gain is at its best there, and the
vectors-only row and the topic readers show what is left without it.
The ceiling ranks by the centroid of all the taste's papers (the labels), centred as the
shipped learner centres.

The shipped learner is core.profiles.learn through core.rank.similarity (the functions the
profile feed ranks with); the others are today's alternatives, measured the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from benchmarks import eval as ranking_eval
from benchmarks.workload import ROOT
from core.models import Paper
from core.profiles.learn import category_affinity, centre_of, interest_spread, learn
from core.rank.meaning import EXPLORE_FROM
from core.rank.similarity import Target, explore_first
from core.store.vectors import DayVectors, normalise, quantise

EVAL_DIR = Path(os.environ.get("ARXIV_EVAL_DIR") or ROOT.parent / "shared" / "eval")
ALL_FIELDS = "arxiv_2007-04_all_fields_2000.jsonl"
CS_MULTILABEL = "arxiv_cs_ml_cv_multilabel_1000.jsonl"
AT = 10
LEARN_AT = (0, 5, 10, 20)
UPS, DOWNS = 3, 2  # votes a look, at most
MAX_LOOKS = 40
MIN_FIELD = 40
LOOSE = {
    "astro-ph": "stars and galaxies",
    "hep-ph": "particle physics",
    "hep-th": "string theory",
    "quant-ph": "quantum computing",
    "cond-mat.str-el": "strongly correlated electrons",
    "cond-mat.mtrl-sci": "materials",
    "gr-qc": "gravity and black holes",
    "cond-mat.mes-hall": "nanostructures",
    "nucl-th": "nuclear physics",
    "cond-mat.stat-mech": "statistical mechanics",
    "cond-mat.supr-con": "superconductivity",
    "cs.CV": "images",
    "cs.LG": "learning",
    "stat.ML": "statistics",
    "cs.RO": "robots",
    "cs.CL": "language",
    "cs.AI": "reasoning and planning",
    "cs.IT": "coding and channels",
    "cs.CR": "security",
    "cs.IR": "search",
}
NARROW = {"cs": [(("cs.LG", "cs.RO"), "cs.LG"), (("cs.CV", "eess.IV"), "cs.CV")]}
TWO = {"all": [("hep-th", "gr-qc"), ("quant-ph", "cond-mat.supr-con")], "cs": [("cs.RO", "cs.CL")], "2018": []}
# Tastes that are not a category: the papers whose title or abstract has the word, which
# several categories share, starting from an interest that names it loosely.
TOPICS = {
    "all": [
        ("black hole", "collapsed stars"),
        ("cosmolog", "the early universe"),
        ("lattice", "crystal models"),
        ("magnetic", "magnets"),
        ("neutrino", "weakly interacting particles"),
    ],
    "cs": [
        ("reinforcement", "agents and rewards"),
        ("adversarial", "attacks on models"),
        ("graph", "relational data"),
        ("transformer", "sequence models"),
        ("language", "text"),
    ],
}
MIN_TOPIC = 30


@dataclass(frozen=True)
class Corpus:
    name: str
    rows: np.ndarray  # unit vectors, one per paper (rounded to int8, as stored)
    labels: tuple[frozenset[str], ...]  # the fields each paper is of
    fields: tuple[str, ...]  # the fields readers are drawn from
    categories: tuple[tuple[str, ...], ...] = ()  # each paper's arXiv categories, primary first
    texts: tuple[str, ...] = ()  # each paper's title and abstract, lower case (topic readers)
    papers: tuple[Paper, ...] = ()  # the papers themselves (benchmarks.learning_app serves them)

    def categories_of(self, idx) -> tuple[tuple[str, ...], ...]:
        return tuple(self.categories[i] for i in idx) if self.categories else ((),) * len(idx)


@dataclass(frozen=True)
class Reader:
    kind: str
    interest: str
    relevant: np.ndarray  # bool per paper
    name: str


@dataclass(frozen=True)
class Look:
    """What a learner sees when the reader looks: the papers it may show (`rows`, unit
    vectors, and their `categories`) and the papers voted on so far."""

    rows: np.ndarray
    categories: tuple[tuple[str, ...], ...]
    up: np.ndarray
    down: np.ndarray
    up_categories: tuple[tuple[str, ...], ...] = ()
    down_categories: tuple[tuple[str, ...], ...] = ()
    library: tuple[tuple[str, int], ...] = ()  # an imported library's (category, entries)
    library_size: int = 0
    held: np.ndarray | None = None  # every paper held (voted ones too): the centre is theirs; None: `rows`


# Learners: (interest vector, Look) -> the top AT indices into look.rows ----------------------


def shipped(interest, look: Look) -> list[int]:
    """core.profiles.learn: centred, an interest weight that falls as votes disagree, the
    categories the votes favour, exploring."""
    affinity = category_affinity(look.up_categories, look.down_categories, look.library, look.library_size)
    return _top(replace(_learned(interest, look), affinity=affinity), look)


def meaning_only(interest, look: Look) -> list[int]:
    """The shipped learner without the categories: vectors alone."""
    return _top(_learned(interest, look), look)


def _learned(interest, look: Look) -> Target:
    """The profile's target as the profile feed makes it (core.profiles.feed.profile_target): centred
    on every paper held, voted ones included."""
    held = look.rows if look.held is None else look.held
    days = [DayVectors.build("eval", [str(i) for i in range(len(held))], held)]
    centre = centre_of(days)
    return learn(interest, look.up, look.down, centre, interest_spread(days, interest, centre))


def rocchio(interest, look: Look) -> list[int]:
    """The rule profiles had before: unit(interest) + mean(liked) - 0.5 mean(disliked), uncentred."""
    q = normalise(interest)[0]
    if len(look.up):
        q = q + normalise(look.up).mean(axis=0)
    if len(look.down):
        q = q - 0.5 * normalise(look.down).mean(axis=0)
    return _best(look.rows @ normalise(q)[0])


def like_rule(interest, look: Look) -> list[int]:
    """The `like=` rule (core.rank.similarity.Target.build): the unit mean of the interest and
    each liked paper, minus half the closest disliked cosine."""
    return _best(Target.build(interest, look.up, look.down).score(look.rows)[0])


LOGISTIC_PRIOR = 5.0  # the linear model starts at (and is pulled towards) this times the interest
LOGISTIC_L2 = 0.03
LOGISTIC_STEPS = 300


def logistic(interest, look: Look) -> list[int]:
    """A per-profile logistic regression on the embeddings (numpy gradient descent),
    L2-regularised towards LOGISTIC_PRIOR x the interest, so no votes = rank by interest."""
    up, down = look.up, look.down
    w0 = LOGISTIC_PRIOR * interest / np.linalg.norm(interest)
    x = np.concatenate([up, down]) if len(up) + len(down) else np.zeros((0, len(w0)), np.float32)
    y = np.concatenate([np.ones(len(up)), -np.ones(len(down))])
    w, b = w0.copy(), 0.0
    for _ in range(LOGISTIC_STEPS if len(x) else 0):
        margin = y * (x @ w + b)
        g = -y / (1 + np.exp(margin))
        w -= 0.5 * ((x.T @ g) / len(x) + LOGISTIC_L2 * (w - w0))
        b -= 0.5 * g.mean()
    return _best(look.rows @ w)


LEARNERS: dict[str, Callable] = {
    "shipped (centred, interest weight falls, categories, explores)": shipped,
    "shipped without categories (vectors only)": meaning_only,
    "Rocchio as before (interest + mean liked - 0.5 mean disliked)": rocchio,
    "like= rule (mean of interest and liked, closest disliked)": like_rule,
    "logistic regression (prior: interest)": logistic,
}


def _top(target: Target | None, look: Look) -> list[int]:
    """The top AT as core.rank.meaning.rank_by_target orders them: similarity plus the
    categories' bonus, the first slots by maximal marginal relevance while exploring."""
    values = target.score(look.rows)[0]
    if target.affinity is not None:
        values = values + target.affinity.bonuses(look.categories)
    order = np.argsort(-values, kind="stable")
    if not target.explore:
        return order[:AT].tolist()
    head = order[:EXPLORE_FROM]
    return head[explore_first(target, look.rows[head], values[head], AT)].tolist()


def _best(scores: np.ndarray) -> list[int]:
    return np.argsort(-scores, kind="stable")[:AT].tolist()


# The simulation --------------------------------------------------------------------------------


def simulate(learner: Callable, interest: np.ndarray, corpus: Corpus, relevant: np.ndarray, down_only=False):
    """({votes: normalised P@10}, papers new in the top 10 after 5 down-votes or None) of a
    reader of `relevant` whose feed `learner` ranks."""
    rows = corpus.rows

    def show(up: list[int], down: list[int]) -> list[int]:
        left = np.ones(len(rows), bool)
        left[up + down] = False
        idx = np.flatnonzero(left)
        look = Look(
            rows[idx],
            corpus.categories_of(idx),
            rows[up],
            rows[down],
            corpus.categories_of(up),
            corpus.categories_of(down),
            held=rows,
        )
        return idx[learner(interest, look)].tolist()

    return read(show, relevant, down_only)


def read(show: Callable, relevant: np.ndarray, down_only: bool = False, vote: Callable | None = None):
    """One simulated reader's looks and clicks, and its scores as `simulate` gives them.
    `show(up, down)` is the top AT (paper indices) its feed shows after those votes (voted
    papers are never shown again); `vote(i, liked)` casts one vote, when casting is more
    than recording it (benchmarks.learning_app clicks the item's signed link)."""
    up: list[int] = []
    down: list[int] = []
    shown: set[int] = set()
    scores: dict[int, float] = {}
    fresh = None
    for _ in range(MAX_LOOKS):
        top = show(up, down)
        votes = len(up) + len(down)
        if votes in LEARN_AT and votes not in scores:
            left = np.ones(len(relevant), bool)
            left[up + down] = False
            findable = int(relevant[left].sum())
            scores[votes] = float(relevant[top].sum()) / min(AT, findable) if findable else 1.0
        if down_only and len(down) == 5 and fresh is None:
            fresh = sum(1 for i in top if i not in shown)
        shown |= set(top)
        if votes >= max(LEARN_AT):
            break
        clicks = ([] if down_only else [i for i in top if relevant[i]][:UPS]) + [i for i in top if not relevant[i]][
            :DOWNS
        ]
        if not clicks:
            break
        for i in clicks:
            if vote is not None:
                vote(i, bool(relevant[i]))
            (up if relevant[i] else down).append(int(i))
            if len(up) + len(down) in LEARN_AT:
                break  # look again at each count that is scored
    for n in LEARN_AT:  # a reader that stopped voting keeps its last score
        scores.setdefault(n, scores[max(k for k in scores if k <= n)])
    return scores, fresh


def ceiling(corpus: Corpus, relevant: np.ndarray) -> float:
    """Normalised P@10 of the centroid of all the taste's papers (centred)."""
    centred = normalise(corpus.rows - corpus.rows.mean(axis=0))
    top = np.argsort(-(centred @ normalise(centred[relevant].mean(axis=0))[0]))[:AT]
    return float(relevant[top].sum()) / min(AT, int(relevant.sum()))


def readers(corpus: Corpus) -> list[Reader]:
    def of(field: str) -> np.ndarray:
        return np.array([field in labels for labels in corpus.labels])

    out = []
    fields = corpus.fields
    for n, field in enumerate(fields):
        others = [fields[(n + k) % len(fields)] for k in (1, 2) if len(fields) > k]
        out.append(Reader("loose", LOOSE[field], of(field), field))
        out += [Reader("wrong", LOOSE[o], of(field), f"{field} from {o}") for o in others]
        if others:
            out.append(Reader("down-only", LOOSE[others[0]], of(field), f"{field} from {others[0]}"))
    for (a, b), broad in NARROW.get(corpus.name, []):
        out.append(Reader("narrow", LOOSE[broad], of(a) & of(b), f"{a} and {b}"))
    for a, b in TWO.get(corpus.name, []):
        out.append(Reader("two", LOOSE[a], of(a) | of(b), f"{a} or {b}"))
    for word, start in TOPICS.get(corpus.name, []) if corpus.texts else []:
        has = np.array([word in text for text in corpus.texts])
        if has.sum() >= MIN_TOPIC:
            out.append(Reader("topic", start, has, f'"{word}" from "{start}"'))
    return out


KINDS = ("loose", "wrong", "narrow", "two", "topic", "down-only")


def evaluate(corpus: Corpus, embed: Callable[[list[str]], np.ndarray]) -> dict:
    """{kind: {learner: ({votes: mean score}, mean new papers or None)}, "ceiling": {kind: mean}}."""
    found: dict = {}
    ceilings: dict[str, list[float]] = {}
    people = readers(corpus)
    texts = sorted({r.interest for r in people})
    interests = dict(zip(texts, embed(texts), strict=True))
    for r in people:
        ceilings.setdefault(r.kind, []).append(ceiling(corpus, r.relevant))
        for name, learner in LEARNERS.items():
            scores, fresh = simulate(learner, interests[r.interest], corpus, r.relevant, r.kind == "down-only")
            found.setdefault(r.kind, {}).setdefault(name, []).append((scores, fresh))
    out: dict = {"ceiling": {k: float(np.mean(v)) for k, v in ceilings.items()}, "readers": {}}
    for kind, by in found.items():
        out["readers"][kind] = sum(1 for r in people if r.kind == kind)
        out[kind] = {}
        for name, runs in by.items():
            mean = {n: float(np.mean([s[n] for s, _ in runs])) for n in LEARN_AT}
            fresh = [f for _, f in runs if f is not None]
            out[kind][name] = (mean, float(np.mean(fresh)) if fresh else None)
    return out


def table(name: str, results: dict) -> str:
    head = " | ".join(f"{n} votes" for n in LEARN_AT)
    lines = [
        f"| {name} | reader | learner | {head} | new in top 10 after 5 downs |",
        "|---" * (len(LEARN_AT) + 4) + "|",
    ]
    for kind in KINDS:
        if kind not in results:
            continue
        for learner, (mean, fresh) in results[kind].items():
            cells = " | ".join(f"{mean[n]:.2f}" for n in LEARN_AT)
            new = "" if fresh is None else f"{fresh:.1f}"
            lines.append(f"| | {kind} ({results['readers'][kind]}) | {learner} | {cells} | {new} |")
        lines.append(f"| | {kind} | ceiling (centroid of the taste, labels) | {results['ceiling'][kind]:.2f} | | | | |")
    return "\n".join(lines)


def targets(results: dict) -> list[tuple[str, bool, str]]:
    """The issue's targets for the shipped learner on one corpus: (target, met, figures)."""
    name = next(iter(LEARNERS))
    out = []
    if "loose" in results:
        s, _ = results["loose"][name]
        drop = s[0] - min(s.values())
        out.append(
            (
                "loose start: >= 0.75 after 20, never below its start by > 0.05",
                s[20] >= 0.75 and drop <= 0.05,
                f"{s[20]:.2f} after 20, largest fall {drop:.2f}",
            )
        )
    if "wrong" in results:
        s, _ = results["wrong"][name]
        out.append(
            (
                "wrong start: >= 0.40 after 10, >= 0.60 after 20",
                s[10] >= 0.40 and s[20] >= 0.60,
                f"{s[10]:.2f} / {s[20]:.2f}",
            )
        )
    if "narrow" in results:
        s, _ = results["narrow"][name]
        out.append(("narrow taste: >= +0.20 after 20", s[20] - s[0] >= 0.20, f"{s[0]:.2f} -> {s[20]:.2f}"))
    if "down-only" in results:
        _, fresh = results["down-only"][name]
        out.append(
            ("5 down-votes: >= 5 of the top 10 not shown before", fresh is not None and fresh >= 5, f"{fresh:.1f}")
        )
    return out


def library_import(corpus: Corpus, learner: Callable = shipped, trials: int = 20, seed: int = 7) -> dict[str, float]:
    """Papers of the field in the top 10 when a profile starts from a library of 3 to 5 of
    the field's papers (their mean, as core.profiles.library.library_vector makes it, is the
    profile's interest; their categories are the library's, as the store holds them), per
    field; the rest of the corpus is ranked."""
    rng = np.random.default_rng(seed)
    out = {}
    none = corpus.rows[:0]
    for field in corpus.fields:
        relevant = np.array([field in labels for labels in corpus.labels])
        hits = []
        for _ in range(trials):
            library = rng.choice(np.flatnonzero(relevant), int(rng.integers(3, 6)), replace=False)
            rest = np.setdiff1d(np.arange(len(relevant)), library)
            interest = normalise(corpus.rows[library].mean(axis=0))[0]
            shelf = Counter(c for cs in corpus.categories_of(library) for c in dict.fromkeys(cs))
            look = Look(
                corpus.rows[rest], corpus.categories_of(rest), none, none, (), (), tuple(shelf.items()), len(library)
            )
            hits.append(int(relevant[rest][learner(interest, look)].sum()))
        out[field] = float(np.mean(hits))
    return out


# Corpora ----------------------------------------------------------------------------------------


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def corpora(embed: Callable[[list[str]], np.ndarray]) -> tuple[list[Corpus], list[str]]:
    """The corpora that are present, and a line for each that is not."""

    out, missing = [], []
    for name, file in (("all", ALL_FIELDS), ("cs", CS_MULTILABEL)):
        path = EVAL_DIR / file
        if not path.exists():
            missing.append(f"{name}: {path} not found, skipped (the evaluation corpora live in ../shared/eval)")
            continue
        records = load_jsonl(path)
        papers = [Paper(r["id"], 1, r["title"], r["abstract"], (), tuple(r["categories"]), "new", "") for r in records]
        primary = tuple(frozenset(r["categories"][:1]) for r in records)
        if name == "all":
            out.append(_corpus(name, papers, primary, embed, MIN_FIELD))
            continue
        every = _corpus(name, papers, tuple(frozenset(r["categories"]) for r in records), embed, MIN_FIELD)
        out.append(every)
        fields = tuple(f for f in every.fields if sum(f in labels for labels in primary) >= MIN_FIELD)
        out.append(replace(every, name="cs-primary", labels=primary, fields=fields))
    if ranking_eval.FIXTURE.exists():
        items = ranking_eval.corpus()
        out.append(_corpus("2018", [p for p, _ in items], tuple(frozenset([c]) for _, c in items), embed, 8))
    else:
        missing.append(f"2018: {ranking_eval.FIXTURE} not found, skipped")
    return out, missing


def _corpus(name, papers, labels, embed, least) -> Corpus:
    from core.embed.embedder import paper_text

    q, scale = quantise(normalise(embed([paper_text(p) for p in papers])))
    rows = q.astype(np.float32) * scale.astype(np.float32)[:, None]  # as the store holds them (int8)
    counts: dict[str, int] = {}
    for ls in labels:
        for label in ls:
            counts[label] = counts.get(label, 0) + 1
    fields = tuple(f for f in LOOSE if counts.get(f, 0) >= least)
    categories = tuple(tuple(p.categories) for p in papers)
    texts = tuple(f"{p.title} {p.abstract}".lower() for p in papers)
    return Corpus(name, rows, labels, fields, categories, texts, tuple(papers))


def default_embed() -> Callable[[list[str]], np.ndarray]:
    from core.config import EmbeddingConfig
    from core.embed.embedder import WordLlama

    model = WordLlama(EmbeddingConfig())
    return lambda texts: np.asarray(model.embed(texts), np.float32)


def main(argv: list[str] | None = None, embed: Callable | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.learning", description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    embed = embed or default_embed()
    found, missing = corpora(embed)
    for line in missing:
        print(line)
    if not found:
        print("learning from votes: no corpus found, nothing measured")
        return 0
    for corpus in found:
        results = evaluate(corpus, embed)
        print(f"\ncorpus {corpus.name}: {len(corpus.rows)} papers, fields {', '.join(corpus.fields)}")
        print(table(corpus.name, results))
        for what, met, figures in targets(results):
            print(f"  {'met' if met else 'NOT met'}: {what} ({figures})")
        imported = library_import(corpus)
        mean = float(np.mean(list(imported.values())))
        vectors_only = float(np.mean(list(library_import(corpus, meaning_only).values())))
        print(
            f"  library of 3 to 5 papers of a field: {mean:.1f} of the top 10 in the field "
            f"({', '.join(f'{f} {h:.1f}' for f, h in imported.items())}; without categories {vectors_only:.1f}); "
            f"target 6: {'met' if mean >= 6 else 'NOT met'}"
        )
        if corpus.name in THROUGH_THE_APP:
            print(app_table(corpus, results))
    return 0


THROUGH_THE_APP = ("all", "2018")  # corpora whose readers are also run through the real app


def app_table(corpus: Corpus, results: dict) -> str:
    """The shipped learner's rows again, measured through the real app (benchmarks.learning_app)."""
    from benchmarks.learning_app import through_the_app

    name = next(iter(LEARNERS))
    lines = [f"  through the real app (one day of {len(corpus.papers)} papers, profile feeds and signed vote links):"]
    for kind in ("loose", "wrong", "down-only"):
        people = [r for r in readers(corpus) if r.kind == kind]
        if not people:
            continue
        app = through_the_app(corpus.papers, people, down_only=kind == "down-only")
        harness, fresh = results[kind][name]
        cells = " / ".join(f"{app['scores'][n]:.2f}" for n in LEARN_AT)
        same = " / ".join(f"{harness[n]:.2f}" for n in LEARN_AT)
        new = f"; new after 5 downs {app['fresh']:.1f} (harness {fresh:.1f})" if app["fresh"] is not None else ""
        lines.append(f"    {kind} ({len(people)}): {cells} (harness: {same}){new}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
