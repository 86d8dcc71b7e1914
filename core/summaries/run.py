"""One summary run over the published days: choose, reuse, summarise within budget, write.

    choose (pure) -> day segment has it? -> cache (1 mget) -> failed too often? (1 mget)
                  -> summarise, `max_workers` at once, until the deadline or the token budget
                  -> cache each result as it lands -> write the changed days -> new manifest

Which papers: per announcement day, the top `max_papers_to_summarize` by the deployment's
profile after `include_types` and `min_score` (never a paper below `min_score`), newest
day first. A summary is cached under (id, version, model, language, prompt hash), so a
second run makes no LLM call. The deadline (`time_budget_s` from when the summarizer was
made) stops *starting* papers; a paper already at the model ends within the client's time
limit (`timeout_s` for each of `max_retries + 1` tries, see `llm.OpenAICompatible.complete`).
A failed paper keeps its place in the feeds, its reason and attempt count are stored under
`summary_state_key`, and it is tried again on later runs up to `max_attempts`. A reply with
none of the sections the built-in prompt asks for (a refusal, a chat answer, a page passed
through) fails the paper the same way (`prompt.reply_problem`); its tokens still count.

Report (also the `summaries` entry of the refresh report):

    configured     whether summaries run at all; `message` says why not
    done / cached  summarised now / taken from the cache; `kept` were already in the day
    failed         failed in this run (reasons, shortened, in `errors`)
    pending        still without a summary and due on a later run (deadline, budget, retries)
    skipped_budget not started because `daily_token_budget` was used up
    given_up       not tried: failed `max_attempts` times already
    tokens         prompt/completion tokens spent in this run; `tokens_today` for the UTC day
    deadline_hit   the time budget stopped new work
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from core import calendar, log
from core.calendar import iso_utc
from core.config import Config, Env, SummaryConfig, effective_summary
from core.errors import ArxivRssError, ConfigError, SummaryError
from core.models import Day, Manifest, Scored
from core.rank.prefilter import stored_words
from core.rank.scoring import profile_matches
from core.store.layout import decode, encode, summary_key, summary_state_key, summary_tokens_key
from core.store.publish import DAY, new_version, write_day
from core.summaries.fulltext import PaperText, estimate_tokens, paper_text
from core.summaries.llm import LLM
from core.summaries.prompt import Prompt, abstract_note, build_messages, build_prompt, reply_problem
from core.text.safe_html import RENDERER, with_html

MAX_ERRORS = 10
MAX_REASON = 200
CACHE_EXTRA_DAYS = 30  # a cached summary outlives its paper's retention, for a re-listed paper
# Choosing ------------------------------------------------------------------------------------


def choose_papers(config: Config, day: Day, limit: int) -> list[Scored]:
    """The papers of `day` worth a summary: wanted types, selected by the deployment's
    profile (never below `min_score`), best first, at most `limit`."""
    return profile_matches(config, day.papers)[:limit]


def is_current(record: object, scored: Scored, settings: SummaryConfig, prompt: Prompt) -> bool:
    """Whether a stored summary record answers today's question for this paper version."""
    return (
        isinstance(record, dict)
        and bool(record.get("text"))
        and record.get("model") == settings.model
        and record.get("language") == settings.language
        and record.get("prompt_hash") == prompt.hash
        and record.get("version", scored.paper.version) == scored.paper.version
    )


@dataclass(frozen=True)
class Item:
    """One summary to obtain: a paper version, and the days that list it."""

    dates: tuple[str, ...]
    scored: Scored
    key: str
    state_key: str
    attempts: int = 0


@dataclass
class Outcome:
    kind: str  # done | failed | deadline | budget
    record: dict | None = None
    reason: str = ""
    tokens: dict | None = None  # what the model call cost, whatever came of it


@dataclass
class Tally:
    done: int = 0
    cached: int = 0
    kept: int = 0
    failed: int = 0
    pending: int = 0
    skipped_budget: int = 0
    given_up: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    errors: list[str] = field(default_factory=list)
    deadline_hit: bool = False


# The run -------------------------------------------------------------------------------------


class Summarizer:
    """`summarizer(manifest) -> (new manifest, report)`, the `summarize` step of a refresh.
    The caller holds the refresh lock and publishes the returned manifest. Raises
    StoreError when the store fails; provider and arXiv failures are per paper."""

    def __init__(
        self,
        config: Config,
        settings: SummaryConfig,
        store,
        llm: LLM,
        arxiv,
        prompt: Prompt,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = calendar.now,
    ):
        self.config = config
        self.settings = settings
        self.store = store
        self.llm = llm
        self.arxiv = arxiv
        self.prompt = prompt
        self._monotonic = monotonic
        self._now = now
        self.deadline = monotonic() + settings.time_budget_s
        self._lock = threading.Lock()
        self._tokens_today = 0
        self._today = ""
        self._used = {"prompt": 0, "completion": 0}

    def __enter__(self) -> Summarizer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.llm.close()

    def __call__(self, manifest: Manifest) -> tuple[Manifest, dict]:
        from core.store.reader import Reader

        days = Reader(self.store).days(manifest, len(manifest.days))
        tally = Tally()
        fresh: dict[str, dict[str, dict]] = {}
        todo = self._plan(days, tally)
        todo = self._from_cache(todo, fresh, tally)
        todo = self._retryable(todo, tally)
        self._today = self._now().date().isoformat()
        self._used = self._read_tokens(self._today)
        self._tokens_today = self._used["prompt"] + self._used["completion"]
        self._summarise(todo, fresh, tally)
        manifest = self._write(manifest, days, fresh)
        report = self._report(tally, self._used)
        log.event("summary.run", message=report["message"])
        return manifest, report

    def _plan(self, days: list[Day], tally: Tally) -> list[Item]:
        """The chosen papers of every day, newest day first, that lack a current summary;
        a paper version listed on several days is one item."""
        s, p = self.settings, self.prompt
        items: dict[str, Item] = {}
        for day in days:
            for scored in choose_papers(self.config, day, s.max_papers_to_summarize):
                paper = scored.paper
                if is_current(day.summaries.get(paper.id), scored, s, p):
                    tally.kept += 1
                    continue
                key = summary_key(paper.id, paper.version, s.model, s.language, p.hash)
                if key in items:
                    items[key] = replace(items[key], dates=(*items[key].dates, day.date))
                    continue
                state = summary_state_key(paper.id, paper.version, s.model, s.language, p.hash)
                items[key] = Item((day.date,), scored, key, state)
        return list(items.values())

    def _from_cache(self, items: list[Item], fresh: dict, tally: Tally) -> list[Item]:
        raws = self.store.mget([i.key for i in items]) if items else []
        missing = []
        for item, raw in zip(items, raws, strict=True):
            record = self._decode(raw, "summary")
            if is_current(record, item.scored, self.settings, self.prompt):
                _place(fresh, item, record)
                tally.cached += 1
            else:
                missing.append(item)
        return missing

    def _retryable(self, items: list[Item], tally: Tally) -> list[Item]:
        raws = self.store.mget([i.state_key for i in items]) if items else []
        out = []
        for item, raw in zip(items, raws, strict=True):
            state = self._decode(raw, "summary state")
            attempts = int(state.get("attempts", 0)) if isinstance(state, dict) else 0
            if attempts >= self.settings.max_attempts:
                tally.given_up += 1
            else:
                out.append(replace(item, attempts=attempts))
        return out

    def _decode(self, raw: bytes | None, what: str) -> object:
        if raw is None:
            return None
        try:
            return decode(raw, what)
        except ArxivRssError:
            return None  # an unreadable entry is a miss, not a failed run

    def _summarise(self, items: list[Item], fresh: dict, tally: Tally) -> None:
        """Run the items `max_workers` at a time; each result is stored as it lands, so a
        run cut short by its host loses no summary it has paid for."""
        if not items:
            return
        with ThreadPoolExecutor(max_workers=self.settings.max_workers, thread_name_prefix="summary") as pool:
            futures = {pool.submit(self._work, item): item for item in items}
            for future in as_completed(futures):
                self._settle(futures[future], future.result(), fresh, tally)

    # In a worker thread: no store access, only arXiv (shared client) and the model.
    def _work(self, item: Item) -> Outcome:
        stop = self._stop_reason()
        if stop:
            return Outcome(stop)
        paper = item.scored.paper
        try:
            text = self._text(item)
            stop = self._stop_reason()  # fetching may have waited on arXiv's rate limit
            if stop:
                return Outcome(stop)
            messages = build_messages(self.prompt, paper, text.text, text.source == "fulltext")
            started = time.monotonic()
            completion = self.llm.complete(messages, self.settings.max_output_tokens)
        except SummaryError as exc:
            return Outcome("failed", reason=str(exc))
        except Exception as exc:  # one paper's surprise must not end the run
            log.warning("summary.unexpected", paper=paper.versioned_id, error=exc.__class__.__name__)
            return Outcome("failed", reason=f"unexpected {exc.__class__.__name__}")
        with self._lock:
            self._tokens_today += completion.prompt_tokens + completion.completion_tokens
        tokens = {"prompt": completion.prompt_tokens, "completion": completion.completion_tokens}
        problem = reply_problem(self.prompt, completion.text)
        if problem:  # refused, retried on a later run; it was paid for all the same
            return Outcome("failed", reason=problem, tokens=tokens)
        log.event(
            "summary.done",
            paper=paper.versioned_id,
            source=text.source,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            seconds=round(time.monotonic() - started, 1),
        )
        return Outcome("done", record=self._record(item, text, completion), tokens=tokens)

    def _stop_reason(self) -> str:
        if self._monotonic() >= self.deadline:
            return "deadline"
        budget = self.settings.daily_token_budget
        with self._lock:
            if budget and self._tokens_today >= budget:
                return "budget"
        return ""

    def _text(self, item: Item) -> PaperText:
        paper = item.scored.paper
        if self.settings.source == "abstract":
            return PaperText(paper.abstract, "abstract")
        room = self.settings.max_input_tokens - estimate_tokens(self.prompt.instructions) - 200
        return paper_text(self.arxiv, paper, max(500, room))

    def _record(self, item: Item, text: PaperText, completion) -> dict:
        body = completion.text.strip()
        if text.source == "abstract":
            fallback = self.settings.source == "fulltext"
            body = f"{abstract_note(self.settings.language, fallback)}\n\n{body}"
        record = {
            "text": body,
            "model": self.settings.model,
            "language": self.settings.language,
            "source": text.source,
            "prompt_hash": self.prompt.hash,
            "tokens": {"prompt": completion.prompt_tokens, "completion": completion.completion_tokens},
            "created_at": iso_utc(self._now()),
            "version": item.scored.paper.version,
        }
        return with_html(record)  # rendered and sanitised here, so no feed request runs Markdown

    # Back in the calling thread: the store, the tally.
    def _settle(self, item: Item, outcome: Outcome, fresh: dict, tally: Tally) -> None:
        if outcome.tokens:
            self._spend(outcome.tokens, tally)
        if outcome.kind == "done":
            self.store.set(item.key, encode(outcome.record), ttl=(self.config.retention_days + CACHE_EXTRA_DAYS) * DAY)
            if item.attempts:
                self.store.delete(item.state_key)
            _place(fresh, item, outcome.record)
            tally.done += 1
        elif outcome.kind == "failed":
            self._record_failure(item, outcome.reason, tally)
        else:
            tally.pending += 1
            tally.deadline_hit |= outcome.kind == "deadline"
            tally.skipped_budget += outcome.kind == "budget"

    def _spend(self, tokens: dict, tally: Tally) -> None:
        tally.prompt_tokens += tokens["prompt"]
        tally.completion_tokens += tokens["completion"]
        self._used["prompt"] += tokens["prompt"]
        self._used["completion"] += tokens["completion"]
        self.store.set(summary_tokens_key(self._today), encode(self._used), ttl=3 * DAY)

    def _record_failure(self, item: Item, reason: str, tally: Tally) -> None:
        vid = item.scored.paper.versioned_id
        reason = reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 3] + "..."
        attempts = item.attempts + 1
        state = {"attempts": attempts, "reason": reason, "at": iso_utc(self._now())}
        self.store.set(item.state_key, encode(state), ttl=(self.config.retention_days + 7) * DAY)
        log.warning(
            "summary.failed", paper=vid, attempt=attempts, max_attempts=self.settings.max_attempts, reason=reason
        )
        tally.failed += 1
        if attempts < self.settings.max_attempts:
            tally.pending += 1
        if len(tally.errors) < MAX_ERRORS:
            tally.errors.append(f"{vid}: {reason}")

    def _read_tokens(self, today: str) -> dict:
        used = self._decode(self.store.get(summary_tokens_key(today)), "token count")
        if not isinstance(used, dict):
            return {"prompt": 0, "completion": 0}
        return {"prompt": int(used.get("prompt", 0)), "completion": int(used.get("completion", 0))}

    def _write(self, manifest: Manifest, days: list[Day], fresh: dict) -> Manifest:
        """Write every day that gained summaries; the manifest names the new segments."""
        if not fresh:
            return manifest
        refs = {ref.date: ref for ref in manifest.days}
        for day in days:
            if day.date in fresh:
                updated = Day(day.date, day.papers, {**day.summaries, **fresh[day.date]})
                # Same papers, so the day's vectors stay valid.
                refs[day.date] = write_day(
                    self.store, updated, self.config.retention_days, keep=refs[day.date], words=stored_words
                )
        now = self._now()
        return replace(
            manifest,
            days=tuple(refs[ref.date] for ref in manifest.days),
            version=new_version(now),
            published_at=iso_utc(now),
        )

    def _report(self, t: Tally, used: dict) -> dict:
        report = {
            "configured": True,
            "model": self.settings.model,
            "language": self.settings.language,
            "done": t.done,
            "cached": t.cached,
            "kept": t.kept,
            "failed": t.failed,
            "pending": t.pending,
            "skipped_budget": t.skipped_budget,
            "given_up": t.given_up,
            "tokens": {"prompt": t.prompt_tokens, "completion": t.completion_tokens},
            "tokens_today": used["prompt"] + used["completion"],
            "errors": t.errors,
            "deadline_hit": t.deadline_hit,
        }
        report["message"] = describe(report)
        return report


def describe(report: dict) -> str:
    """A summary report as one line."""
    if not report.get("configured"):
        return report.get("message", "summaries off")
    parts = [f"{report[k]} {k}" for k in ("done", "cached", "failed", "pending") if report.get(k)]
    text = f"{report['model']}: " + (", ".join(parts) or "nothing to do")
    tokens = report["tokens"]
    if tokens["prompt"] or tokens["completion"]:
        text += f"; tokens {tokens['prompt']} in, {tokens['completion']} out"
    if report.get("deadline_hit"):
        text += "; time budget reached, the rest is pending (run `python -m cli summarize`)"
    if report.get("skipped_budget"):
        text += f"; daily token budget reached ({report['skipped_budget']} waiting)"
    if report.get("given_up"):
        text += f"; {report['given_up']} gave up after repeated failures"
    return text


# Wiring --------------------------------------------------------------------------------------


def off_reason(config: Config, env: Env) -> str:
    """Why summaries do not run ("" when they do). Never contains a secret."""
    s = config.ai_summary
    if not s.enabled:
        return "summaries off: ai_summary.enabled is false in the config"
    if s.max_papers_to_summarize == 0:
        return "summaries off: ai_summary.max_papers_to_summarize is 0"
    if not env.secret(s.api_key_env):
        return f"summaries off: set {s.api_key_env} to enable"
    return ""


def off_report(config: Config, env: Env) -> dict:
    """The report of a run where summaries are off: one clear line in `message`."""
    s = effective_summary(config, env)
    return {
        "configured": False,
        "model": s.model,
        "language": s.language,
        "done": 0,
        "cached": 0,
        "kept": 0,
        "failed": 0,
        "pending": 0,
        "skipped_budget": 0,
        "given_up": 0,
        "tokens": {"prompt": 0, "completion": 0},
        "tokens_today": 0,
        "errors": [],
        "deadline_hit": False,
        "message": off_reason(config, env),
    }


def load_prompt(config: Config, settings: SummaryConfig) -> Prompt:
    """The prompt for this deployment: the built-in one, or the text of `prompt_file`
    (relative to the config file). Raises ConfigError when that file cannot be read."""
    template = None
    if settings.prompt_file:
        path = Path(settings.prompt_file)
        path = path if path.is_absolute() else config.base_dir / path
        try:
            template = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError("ai_summary.prompt_file", f"{path} cannot be read ({exc.__class__.__name__})") from None
        if not template.strip():
            raise ConfigError("ai_summary.prompt_file", f"{path} is empty")
    return build_prompt(settings.language, settings.source, template)


@contextlib.contextmanager
def open_summarizer(
    config: Config,
    env: Env,
    store,
    arxiv,
    *,
    llm: LLM | None = None,
    monotonic: Callable[[], float] = time.monotonic,
    now: Callable[[], datetime] = calendar.now,
) -> Iterator[Summarizer | None]:
    """A Summarizer for this deployment, or None when summaries are off (see `off_reason`).
    Its time budget starts now. Raises ConfigError for an unreadable prompt_file."""
    if off_reason(config, env):
        yield None
        return
    settings = effective_summary(config, env)
    prompt = load_prompt(config, settings)
    if llm is None:
        from core.summaries.llm import OpenAICompatible

        llm = OpenAICompatible(
            base_url=settings.base_url,
            api_key=env.secret(settings.api_key_env),
            api_key_env=settings.api_key_env,
            model=settings.model,
            timeout_s=settings.timeout_s,
            max_retries=settings.max_retries,
        )
    with Summarizer(config, settings, store, llm, arxiv, prompt, monotonic=monotonic, now=now) as summarizer:
        yield summarizer


def _place(fresh: dict, item: Item, record: dict) -> None:
    """Put `record` into the days listing the item, with its HTML rendered by this
    version of the renderer (a cached record from before is rendered here, once)."""
    if record.get("html_renderer") != RENDERER or not isinstance(record.get("html"), str):
        record = with_html(record)
    for date in item.dates:
        fresh.setdefault(date, {})[item.scored.paper.id] = record
