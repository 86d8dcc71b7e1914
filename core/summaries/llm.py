"""The one LLM interface: chat messages in, text and token usage out.

`LLM` is the protocol the summary run depends on; `OpenAICompatible` implements it with
the official `openai` SDK against any OpenAI-compatible endpoint (DashScope, OpenAI,
vLLM, Ollama, ...). The SDK's defaults (600 s, 2 retries) would outlive a serverless
function, so timeout and retries always come from the config.

Every provider failure becomes one `SummaryError` with a short reason fit for a report;
the API key never appears in a reason, a log line or a repr.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import openai

from core.errors import SummaryError

CONNECT_TIMEOUT = 5.0
MAX_DETAIL = 160
NOT_A_COMPLETION = "the provider's reply is not a chat completion"


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int


class LLM(Protocol):
    model: str

    def complete(self, messages: list[dict], max_tokens: int) -> Completion:
        """The model's reply to `messages`. Raises SummaryError."""
        ...

    def close(self) -> None: ...


class OpenAICompatible:
    """An OpenAI-compatible chat completions endpoint. Thread-safe; call `close()` when done."""

    def __init__(
        self, *, base_url: str, api_key: str, api_key_env: str, model: str, timeout_s: float, max_retries: int
    ):
        self.model = model
        self.base_url = base_url
        self.api_key_env = api_key_env
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self._key = api_key
        self._client = openai.OpenAI(
            api_key=api_key,
            base_url=base_url,
            timeout=openai.Timeout(timeout_s, connect=min(CONNECT_TIMEOUT, timeout_s)),
            max_retries=max_retries,
        )

    def __repr__(self) -> str:
        return f"OpenAICompatible(base_url={self.base_url!r}, model={self.model!r}, key from ${self.api_key_env})"

    def close(self) -> None:
        self._client.close()

    @property
    def time_limit_s(self) -> float:
        """How long one `complete` call may take in all: `timeout_s` for each try."""
        return self.timeout_s * (self.max_retries + 1)

    def complete(self, messages: list[dict], max_tokens: int) -> Completion:
        """One chat completion, within `time_limit_s` whatever the provider does. Raises
        SummaryError with a short reason on any failure, including a reply with no text.

        The SDK's timeouts bound each network read, not the call, and its retries wait as
        long as a Retry-After asks (up to a minute): a provider that trickles its reply or
        asks to wait would hold the call, and the refresh, far past its deadline. So the
        call runs in a daemon thread and is abandoned at the limit."""
        outcome: list = []

        def call() -> None:
            try:
                outcome.append(self._complete(messages, max_tokens))
            except Exception as exc:  # handed over to the waiting thread
                outcome.append(exc)

        worker = threading.Thread(target=call, name="llm-call", daemon=True)
        worker.start()
        worker.join(self.time_limit_s)
        if not outcome:
            raise SummaryError(
                f"timeout: no complete reply within {self.time_limit_s:g} s "
                "(the provider kept the call open or asked to wait longer)"
            )
        if isinstance(outcome[0], Exception):
            raise outcome[0]
        return outcome[0]

    def _complete(self, messages: list[dict], max_tokens: int) -> Completion:
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=messages,
                max_tokens=max_tokens,
            )
        except openai.APIError as exc:
            raise SummaryError(self._reason(exc)) from None
        except ValueError:  # a 200 whose body is not JSON: a proxy's page, not the provider
            raise SummaryError(f"{NOT_A_COMPLETION} (not JSON)") from None
        try:
            return _completion(response)
        except (AttributeError, TypeError, ValueError, IndexError, KeyError) as exc:
            raise SummaryError(f"{NOT_A_COMPLETION} ({exc.__class__.__name__})") from None

    def _reason(self, exc: openai.APIError) -> str:
        tries = f" after {self.max_retries + 1} tries" if self.max_retries else ""
        if isinstance(exc, openai.APITimeoutError):
            return f"timeout: no reply within {self.timeout_s:g} s{tries}"
        if isinstance(exc, openai.APIConnectionError):
            return f"cannot connect to {urlsplit(self.base_url).netloc or self.base_url}{tries}"
        if isinstance(exc, openai.AuthenticationError):
            return f"the provider rejected the API key (HTTP 401): check {self.api_key_env}"
        if isinstance(exc, openai.PermissionDeniedError):
            return f"access denied (HTTP 403): check {self.api_key_env} and access to model {self.model!r}"
        if isinstance(exc, openai.RateLimitError):
            return f"rate limited or out of quota (HTTP 429){tries}{self._detail(exc)}"
        if isinstance(exc, openai.NotFoundError):
            return f"not found (HTTP 404): check ai_summary.model {self.model!r} and base_url{self._detail(exc)}"
        if isinstance(exc, openai.APIStatusError):
            if exc.status_code >= 500:
                return f"provider error (HTTP {exc.status_code}){tries}{self._detail(exc)}"
            return f"request refused (HTTP {exc.status_code}){self._detail(exc)}"
        return f"unreadable reply from the provider ({exc.__class__.__name__})"

    def _detail(self, exc: openai.APIStatusError) -> str:
        """The provider's own message, one short line, with the key scrubbed should it echo it."""
        body = exc.body
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, str) or not message.strip():
            return ""
        message = " ".join(message.split())
        if self._key:
            message = message.replace(self._key, "***")
        if len(message) > MAX_DETAIL:
            message = message[: MAX_DETAIL - 3] + "..."
        return f": {message}"


def _completion(response) -> Completion:
    """The text and token counts of a chat completion; raises SummaryError when it has no
    text, and AttributeError, TypeError or ValueError when it is not a chat completion."""
    choices = response.choices or []
    text = (choices[0].message.content or "").strip() if choices else ""
    if not text:
        finish = choices[0].finish_reason if choices else "no choices"
        raise SummaryError(f"empty reply from the model (finish_reason: {finish})")
    usage = response.usage
    return Completion(
        text, int(getattr(usage, "prompt_tokens", 0) or 0), int(getattr(usage, "completion_tokens", 0) or 0)
    )
