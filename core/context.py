"""Wiring: the validated config, the environment and the store, built once per process."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from core.config import Config, Env, load_config
from core.store.base import Store

DEFAULT_CONFIG = "config.json"


@dataclass
class Context:
    config: Config
    env: Env

    @cached_property
    def store(self) -> Store:
        from core.store.factory import open_store

        return open_store(self.env)

    def arxiv_client(self):
        from core.ingest.client import ArxivClient

        return ArxivClient(
            self.env, self.config.contact, max_attempts=self.env.arxiv_max_attempts, repository=self.config.repository
        )


def config_path(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    return explicit or environ.get("ARXIV_RSS_CONFIG") or DEFAULT_CONFIG


def load_context(path: str | None = None, environ: Mapping[str, str] | None = None) -> Context:
    """Read config and environment once. Raises ConfigError naming the bad key."""
    return Context(load_config(config_path(path, environ)), Env.from_environ(environ))
