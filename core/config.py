"""Configuration: `config.json` and the environment, read once into frozen values.

A bad value raises `ConfigError` naming its key; nothing runs on a bad config.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.errors import ConfigError
from core.models import ANNOUNCE_TYPES

CATEGORY_RE = re.compile(r"^[a-z]+(-[a-z]+)?(\.[A-Za-z]+(-[a-z]+)?)?$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LANGUAGES = {
    "zh": "Chinese",
    "en": "English",
    "ja": "Japanese",
    "ko": "Korean",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "pt": "Portuguese",
    "ru": "Russian",
    "it": "Italian",
}


@dataclass(frozen=True)
class Keyword:
    """One keyword of a profile; a trailing `*` asks for prefix matching."""

    text: str
    weight: float = 1.0


@dataclass(frozen=True)
class SummaryConfig:
    enabled: bool = True
    api_key_env: str = "DASHSCOPE_API_KEY"
    base_url: str = "https://dashscope.aliyuncs.com/compatible-mode/v1"
    model: str = "qwen-long"
    prompt_file: str = ""
    max_papers_to_summarize: int = 15
    max_workers: int = 3
    language: str = "zh"
    source: str = "fulltext"
    max_input_tokens: int = 24000
    max_output_tokens: int = 2048
    timeout_s: float = 45.0
    max_retries: int = 1
    time_budget_s: float = 150.0
    daily_token_budget: int = 0
    max_attempts: int = 3


@dataclass(frozen=True)
class EmbeddingConfig:
    """The one embedder of a deployment: papers and interest texts use the same model.
    `provider` is `wordllama` (the static model inside its wheel, no network) or `openai`
    (any OpenAI-compatible /embeddings endpoint, with the summaries' key discipline)."""

    provider: str = "wordllama"
    model: str = "l2_supercat_256"
    base_url: str = ""
    api_key_env: str = "OPENAI_API_KEY"
    dimensions: int = 0
    batch_size: int = 64
    timeout_s: float = 30.0
    time_budget_s: float = 120.0
    daily_interest_budget: int = 500


@dataclass(frozen=True)
class Config:
    categories: tuple[str, ...]
    keywords: tuple[Keyword, ...]
    exclude_keywords: tuple[str, ...] = ()
    max_papers: int = 30
    days_back: int = 7
    min_score: float = 0.0
    include_types: tuple[str, ...] = ("new", "cross")
    retention_days: int = 14
    contact: str = ""
    repository: str = ""
    digest_template: str = ""
    ai_summary: SummaryConfig = field(default_factory=SummaryConfig)
    embeddings: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    base_dir: Path = Path(".")


def load_config(path: str | os.PathLike) -> Config:
    """Read and validate a config file. Raises ConfigError naming the bad key."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"cannot be read ({exc.__class__.__name__})") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(str(path), f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    return parse_config(raw, base_dir=path.resolve().parent)


def parse_config(raw: object, base_dir: Path = Path(".")) -> Config:
    """Validate a decoded config document. Raises ConfigError naming the bad key."""
    if not isinstance(raw, dict):
        raise ConfigError("(top level)", "must be a JSON object")
    _no_unknown(raw, _TOP_KEYS, "")
    categories = _categories(raw.get("categories"))
    return Config(
        categories=categories,
        keywords=_keywords(raw.get("keywords", [])),
        exclude_keywords=tuple(_str_list(raw, "exclude_keywords", [])),
        max_papers=_int(raw, "max_papers", 30, 1, 1000),
        days_back=_int(raw, "days_back", 7, 1, 60),
        min_score=_number(raw, "min_score", 0.0, 0.0, 1000.0),
        include_types=_types(raw.get("include_types", ["new", "cross"])),
        retention_days=_int(raw, "retention_days", 14, 1, 90),
        contact=_contact(raw.get("contact", "")),
        repository=_str(raw, "repository", ""),
        digest_template=_template_path(raw, base_dir),
        ai_summary=_summary(raw.get("ai_summary", {})),
        embeddings=_embeddings(raw.get("embeddings", {})),
        base_dir=base_dir,
    )


_TOP_KEYS = {
    "categories",
    "keywords",
    "exclude_keywords",
    "max_papers",
    "days_back",
    "min_score",
    "include_types",
    "retention_days",
    "contact",
    "repository",
    "digest_template",
    "ai_summary",
    "embeddings",
}
_SUMMARY_KEYS = set(SummaryConfig.__dataclass_fields__)
_EMBEDDING_KEYS = set(EmbeddingConfig.__dataclass_fields__)


def _no_unknown(raw: dict, known: set[str], prefix: str) -> None:
    for key in raw:
        if key not in known and not str(key).startswith("_"):
            raise ConfigError(prefix + str(key), f"unknown key (known: {', '.join(sorted(known))})")


def _categories(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError("categories", 'must be a non-empty list of arXiv categories such as "cs.AI"')
    for i, cat in enumerate(value):
        if not isinstance(cat, str) or not CATEGORY_RE.match(cat):
            raise ConfigError(f"categories[{i}]", f'{cat!r} is not an arXiv category such as "cs.AI"')
    return tuple(dict.fromkeys(value))


def _keywords(value: object) -> tuple[Keyword, ...]:
    if not isinstance(value, list):
        raise ConfigError("keywords", 'must be a list of strings or {"keyword", "weight"} objects')
    out = []
    for i, item in enumerate(value):
        key = f"keywords[{i}]"
        if isinstance(item, str):
            text, weight = item, 1.0
        elif isinstance(item, dict):
            _no_unknown(item, {"keyword", "weight"}, key + ".")
            text = item.get("keyword")
            weight = item.get("weight", 1.0)
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 < weight <= 100:
                raise ConfigError(key + ".weight", "must be a number above 0 and at most 100")
        else:
            raise ConfigError(key, 'must be a string or {"keyword": ..., "weight": ...}')
        if not isinstance(text, str) or not text.strip().rstrip("*").strip():
            raise ConfigError(key, "must be a non-empty keyword")
        if len(text) > 100:
            raise ConfigError(key, "is longer than 100 characters")
        out.append(Keyword(text.strip(), float(weight)))
    return tuple(out)


def _types(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError("include_types", f"must be a non-empty list drawn from {', '.join(ANNOUNCE_TYPES)}")
    for i, t in enumerate(value):
        if t not in ANNOUNCE_TYPES:
            raise ConfigError(f"include_types[{i}]", f"{t!r} is not one of {', '.join(ANNOUNCE_TYPES)}")
    return tuple(dict.fromkeys(value))


def _contact(value: object) -> str:
    if value in ("", None):
        return ""
    if not isinstance(value, str) or not EMAIL_RE.match(value):
        raise ConfigError("contact", f"{value!r} is not an e-mail address")
    return value


def _template_path(raw: dict, base_dir: Path) -> str:
    """The digest template's path (relative to the config file's folder), checked readable
    as UTF-8 text; "" for the shipped template."""
    value = _str(raw, "digest_template", "")
    if not value.strip():
        return ""
    path = base_dir / value
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("digest_template", f"{path} cannot be read ({exc.__class__.__name__})") from None
    if not text.strip():
        raise ConfigError("digest_template", f"{path} is empty")
    return str(path)


def _summary(value: object) -> SummaryConfig:
    if not isinstance(value, dict):
        raise ConfigError("ai_summary", "must be a JSON object")
    _no_unknown(value, _SUMMARY_KEYS, "ai_summary.")
    p = "ai_summary."
    d = SummaryConfig()
    cfg = SummaryConfig(
        enabled=_bool(value, "enabled", d.enabled, p),
        api_key_env=_str(value, "api_key_env", d.api_key_env, p),
        base_url=_str(value, "base_url", d.base_url, p),
        model=_str(value, "model", d.model, p),
        prompt_file=_str(value, "prompt_file", d.prompt_file, p),
        max_papers_to_summarize=_int(value, "max_papers_to_summarize", d.max_papers_to_summarize, 0, 200, p),
        max_workers=_int(value, "max_workers", d.max_workers, 1, 16, p),
        language=_str(value, "language", d.language, p),
        source=_str(value, "source", d.source, p),
        max_input_tokens=_int(value, "max_input_tokens", d.max_input_tokens, 500, 1_000_000, p),
        max_output_tokens=_int(value, "max_output_tokens", d.max_output_tokens, 64, 32_000, p),
        timeout_s=_number(value, "timeout_s", d.timeout_s, 1, 600, p),
        max_retries=_int(value, "max_retries", d.max_retries, 0, 5, p),
        time_budget_s=_number(value, "time_budget_s", d.time_budget_s, 1, 3600, p),
        daily_token_budget=_int(value, "daily_token_budget", d.daily_token_budget, 0, 10**10, p),
        max_attempts=_int(value, "max_attempts", d.max_attempts, 1, 20, p),
    )
    if cfg.source not in ("fulltext", "abstract"):
        raise ConfigError(p + "source", f"{cfg.source!r} is not one of fulltext, abstract")
    if not re.match(r"^[a-z]{2}(-[A-Za-z]{2,4})?$", cfg.language):
        raise ConfigError(p + "language", f'{cfg.language!r} is not a language code such as "zh" or "en"')
    if cfg.enabled and not re.match(r"^https?://", cfg.base_url):
        raise ConfigError(p + "base_url", f"{cfg.base_url!r} is not an http(s) URL")
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", cfg.api_key_env):
        raise ConfigError(p + "api_key_env", "must be the name of an environment variable")
    return cfg


def _embeddings(value: object) -> EmbeddingConfig:
    if not isinstance(value, dict):
        raise ConfigError("embeddings", "must be a JSON object")
    _no_unknown(value, _EMBEDDING_KEYS, "embeddings.")
    p = "embeddings."
    d = EmbeddingConfig()
    provider = _str(value, "provider", d.provider, p)
    if provider not in ("wordllama", "openai"):
        raise ConfigError(p + "provider", f"{provider!r} is not one of wordllama, openai")
    cfg = EmbeddingConfig(
        provider=provider,
        model=_str(value, "model", d.model if provider == "wordllama" else "text-embedding-3-small", p),
        base_url=_str(value, "base_url", "https://api.openai.com/v1" if provider == "openai" else "", p),
        api_key_env=_str(value, "api_key_env", d.api_key_env, p),
        dimensions=_int(value, "dimensions", d.dimensions, 0, 4096, p),
        batch_size=_int(value, "batch_size", d.batch_size, 1, 2048, p),
        timeout_s=_number(value, "timeout_s", d.timeout_s, 1, 600, p),
        time_budget_s=_number(value, "time_budget_s", d.time_budget_s, 1, 3600, p),
        daily_interest_budget=_int(value, "daily_interest_budget", d.daily_interest_budget, 0, 10**7, p),
    )
    if provider == "wordllama" and cfg.model != d.model:
        raise ConfigError(p + "model", f"{cfg.model!r}: the wordllama wheel ships only {d.model!r}")
    if provider == "openai" and not re.match(r"^https?://", cfg.base_url):
        raise ConfigError(p + "base_url", f"{cfg.base_url!r} is not an http(s) URL")
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", cfg.api_key_env):
        raise ConfigError(p + "api_key_env", "must be the name of an environment variable")
    return cfg


def _str(raw: dict, key: str, default: str, prefix: str = "") -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(prefix + key, "must be a string")
    return value


def _str_list(raw: dict, key: str, default: list) -> list[str]:
    value = raw.get(key, default)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(key, "must be a list of non-empty strings")
    return [v.strip() for v in value]


def _bool(raw: dict, key: str, default: bool, prefix: str = "") -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(prefix + key, "must be true or false")
    return value


def _int(raw: dict, key: str, default: int, low: int, high: int, prefix: str = "") -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(prefix + key, f"must be a whole number from {low} to {high}")
    return value


def _number(raw: dict, key: str, default: float, low: float, high: float, prefix: str = "") -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ConfigError(prefix + key, f"must be a number from {low:g} to {high:g}")
    return float(value)


@dataclass(frozen=True)
class Env:
    """Everything read from the environment, once. Outside base URLs live here so
    tests and offline runs can point them at local servers."""

    arxiv_rss_base: str = "https://rss.arxiv.org"
    arxiv_api_base: str = "https://export.arxiv.org/api/query"
    arxiv_web_base: str = "https://arxiv.org"
    arxiv_min_interval: float = 3.0
    arxiv_max_attempts: int = 5
    db_path: str = ".data/arxiv_rss.sqlite3"
    llm_base_url: str = ""
    llm_model: str = ""
    embeddings_base_url: str = ""
    cron_secret: str = field(default="", repr=False)
    redis_url: str = field(default="", repr=False)
    upstash_url: str = ""
    upstash_token: str = field(default="", repr=False)
    upstash_url_var: str = "UPSTASH_REDIS_REST_URL"
    upstash_token_var: str = "UPSTASH_REDIS_REST_TOKEN"
    on_vercel: bool = False
    # `owner/name` of the GitHub repository Vercel deployed from (its system variables), or "".
    repository: str = ""
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Env:
        e = os.environ if environ is None else environ
        interval = e.get("ARXIV_MIN_INTERVAL", "3")
        try:
            min_interval = float(interval)
            if min_interval < 0:
                raise ValueError
        except ValueError:
            raise ConfigError("ARXIV_MIN_INTERVAL", f"{interval!r} is not a number of seconds >= 0") from None
        attempts = e.get("ARXIV_MAX_ATTEMPTS", "5")
        if not re.fullmatch(r"[0-9]{1,2}", attempts) or not 1 <= int(attempts) <= 10:  # ASCII digits only
            raise ConfigError("ARXIV_MAX_ATTEMPTS", f"{attempts!r} is not a whole number from 1 to 10")
        url_var, token_var = "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"
        if not e.get(url_var) and e.get("KV_REST_API_URL"):
            url_var, token_var = "KV_REST_API_URL", "KV_REST_API_TOKEN"
        return cls(
            arxiv_rss_base=e.get("ARXIV_RSS_BASE", cls.arxiv_rss_base).rstrip("/"),
            arxiv_api_base=e.get("ARXIV_API_BASE", cls.arxiv_api_base),
            arxiv_web_base=e.get("ARXIV_WEB_BASE", cls.arxiv_web_base).rstrip("/"),
            arxiv_min_interval=min_interval,
            arxiv_max_attempts=int(attempts),
            # Vercel's deployment folder is read-only; only /tmp is writable there.
            db_path=e.get("ARXIV_RSS_DB") or ("/tmp/arxiv_rss.sqlite3" if e.get("VERCEL") else cls.db_path),
            llm_base_url=e.get("LLM_BASE_URL", ""),
            llm_model=e.get("LLM_MODEL", ""),
            embeddings_base_url=e.get("EMBEDDINGS_BASE_URL", "").rstrip("/"),
            cron_secret=e.get("CRON_SECRET", ""),
            redis_url=e.get("REDIS_URL", ""),
            upstash_url=e.get(url_var, "").rstrip("/"),
            upstash_token=e.get(token_var, ""),
            upstash_url_var=url_var,
            upstash_token_var=token_var,
            on_vercel=bool(e.get("VERCEL")),
            repository=_deployed_repository(e),
            secrets=dict(e),
        )

    def secret(self, name: str) -> str:
        """The value of the environment variable `name` (e.g. the one `api_key_env` names)."""
        return self.secrets.get(name, "")


def _deployed_repository(e: Mapping[str, str]) -> str:
    owner, slug = e.get("VERCEL_GIT_REPO_OWNER", "").strip(), e.get("VERCEL_GIT_REPO_SLUG", "").strip()
    return f"{owner}/{slug}" if e.get("VERCEL_GIT_PROVIDER") == "github" and owner and slug else ""


def effective_summary(config: Config, env: Env) -> SummaryConfig:
    """The summary settings after env overrides (LLM_BASE_URL, LLM_MODEL)."""
    s = config.ai_summary
    return replace(s, base_url=env.llm_base_url or s.base_url, model=env.llm_model or s.model)
