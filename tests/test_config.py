"""config.json and the environment: the shipped file loads; every bad value names its key."""

import json

import pytest

from core.config import Env, Keyword, effective_summary, load_config, parse_config
from core.errors import ConfigError
from tests.conftest import ROOT

MINIMAL = {"categories": ["cs.AI"], "keywords": ["LLM"]}


def test_the_shipped_config_keeps_the_existing_bots_values():
    config = load_config(ROOT / "config.json")
    assert config.categories == ("cs.AI", "cs.CL", "cs.DC", "cs.LG")
    assert len(config.keywords) == 30 and config.keywords[0] == Keyword("LLM", 1.0)
    assert config.exclude_keywords == ("survey", "review", "tutorial")
    assert (config.max_papers, config.days_back, config.min_score) == (30, 7, 2.5)
    s = config.ai_summary
    assert (s.enabled, s.api_key_env, s.model, s.max_papers_to_summarize) == (
        True,
        "DASHSCOPE_API_KEY",
        "qwen-long",
        15,
    )
    assert s.base_url == "https://dashscope.aliyuncs.com/compatible-mode/v1"


def test_weighted_keywords_sit_beside_plain_strings():
    config = parse_config({**MINIMAL, "keywords": ["LLM", {"keyword": "Quantiz*", "weight": 2}]})
    assert config.keywords == (Keyword("LLM", 1.0), Keyword("Quantiz*", 2.0))


BAD = [
    ({"keywords": ["x"]}, "categories"),
    ({**MINIMAL, "categories": []}, "categories"),
    ({**MINIMAL, "categories": ["cs.AI", "cs AI"]}, "categories[1]"),
    ({**MINIMAL, "categories": ["../etc"]}, "categories[0]"),
    ({**MINIMAL, "keywords": "LLM"}, "keywords"),
    ({**MINIMAL, "keywords": ["LLM", ""]}, "keywords[1]"),
    ({**MINIMAL, "keywords": ["*"]}, "keywords[0]"),
    ({**MINIMAL, "keywords": [{"keyword": "LLM", "weight": 0}]}, "keywords[0].weight"),
    ({**MINIMAL, "keywords": [{"keyword": "LLM", "wieght": 2}]}, "keywords[0].wieght"),
    ({**MINIMAL, "keywords": ["x" * 101]}, "keywords[0]"),
    ({**MINIMAL, "exclude_keywords": [3]}, "exclude_keywords"),
    ({**MINIMAL, "max_papers": 0}, "max_papers"),
    ({**MINIMAL, "max_papers": "30"}, "max_papers"),
    ({**MINIMAL, "days_back": True}, "days_back"),
    ({**MINIMAL, "min_score": -1}, "min_score"),
    ({**MINIMAL, "include_types": ["new", "old"]}, "include_types[1]"),
    ({**MINIMAL, "retention_days": 400}, "retention_days"),
    ({**MINIMAL, "contact": "not-an-email"}, "contact"),
    ({**MINIMAL, "colour": "blue"}, "colour"),
    ({**MINIMAL, "ai_summary": []}, "ai_summary"),
    ({**MINIMAL, "ai_summary": {"enabled": "yes"}}, "ai_summary.enabled"),
    ({**MINIMAL, "ai_summary": {"base_url": "ftp://x"}}, "ai_summary.base_url"),
    ({**MINIMAL, "ai_summary": {"api_key_env": "MY KEY"}}, "ai_summary.api_key_env"),
    ({**MINIMAL, "ai_summary": {"language": "Chinese"}}, "ai_summary.language"),
    ({**MINIMAL, "ai_summary": {"source": "pdf"}}, "ai_summary.source"),
    ({**MINIMAL, "ai_summary": {"max_workers": 0}}, "ai_summary.max_workers"),
    ({**MINIMAL, "ai_summary": {"time_budget_s": 0}}, "ai_summary.time_budget_s"),
    ({**MINIMAL, "ai_summary": {"modle": "x"}}, "ai_summary.modle"),
]


@pytest.mark.parametrize("raw,key", BAD, ids=[k for _, k in BAD])
def test_a_bad_value_is_refused_with_one_line_naming_its_key(raw, key):
    with pytest.raises(ConfigError) as info:
        parse_config(raw)
    assert info.value.key == key
    message = str(info.value)
    assert message.startswith(f"config: {key}: ") and "\n" not in message


def test_a_missing_or_broken_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.json")
    broken = tmp_path / "config.json"
    broken.write_text('{"categories": ["cs.AI"],}')
    with pytest.raises(ConfigError, match=r"not valid JSON \(line 1"):
        load_config(broken)
    broken.write_text(json.dumps(["cs.AI"]))
    with pytest.raises(ConfigError, match="must be a JSON object"):
        load_config(broken)


def test_environment_overrides_are_read_once_into_env():
    env = Env.from_environ(
        {
            "ARXIV_RSS_BASE": "http://127.0.0.1:9/",
            "ARXIV_MIN_INTERVAL": "0.5",
            "LLM_MODEL": "m2",
            "KV_REST_API_URL": "https://kv.example/",
            "KV_REST_API_TOKEN": "t0k",
            "DASHSCOPE_API_KEY": "sk-1",
        }
    )
    assert env.arxiv_rss_base == "http://127.0.0.1:9" and env.arxiv_min_interval == 0.5
    assert (env.upstash_url, env.upstash_token, env.upstash_token_var) == (
        "https://kv.example",
        "t0k",
        "KV_REST_API_TOKEN",
    )
    assert env.secret("DASHSCOPE_API_KEY") == "sk-1"
    assert "sk-1" not in repr(env) and "t0k" not in repr(env)
    assert effective_summary(parse_config(MINIMAL), env).model == "m2"


def test_a_bad_interval_is_named():
    with pytest.raises(ConfigError, match="ARXIV_MIN_INTERVAL"):
        Env.from_environ({"ARXIV_MIN_INTERVAL": "-1"})
