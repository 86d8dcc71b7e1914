"""The most expensive queries a client can write are bounded: a prefix needs three letters
before its `*`, a list holds at most five prefixes, and each is a 400 naming the parameter."""

from __future__ import annotations

import pytest

from core.config import parse_config
from core.errors import BadQuery
from core.rank.query import MAX_PREFIXES, MIN_PREFIX, parse_query

CONFIG = parse_config({"categories": ["cs.LG"], "keywords": ["LLM", "Quantiz*"]})


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"keywords": "a*"}, "keywords"),
        ({"keywords": "ab*"}, "keywords"),
        ({"keywords": "machine l*"}, "keywords"),
        ({"keywords": ",".join(f"{w}*" for w in ("abc", "bcd", "cde", "def", "efg", "fgh"))}, "keywords"),
        ({"exclude": "su*"}, "exclude"),
    ],
)
def test_too_short_or_too_many_prefixes_are_a_400_naming_the_parameter(params, parameter):
    with pytest.raises(BadQuery) as info:
        parse_query(params, CONFIG)
    assert info.value.parameter == parameter and info.value.status == 400


def test_prefixes_within_the_limits_are_taken():
    query = parse_query(
        {"keywords": ",".join(f"{w}*" for w in ("abc", "bcd", "cde", "def", "efg")[:MAX_PREFIXES])}, CONFIG
    )
    assert len(query.keywords) == MAX_PREFIXES
    assert parse_query({"keywords": "qua" + "*"}, CONFIG).keywords[0].text == "qua*"
    assert MIN_PREFIX == 3
    assert parse_query({}, CONFIG).keywords[1].text == "Quantiz*"  # the config's own prefix is untouched


def test_the_command_line_and_the_environment_take_ascii_digits_only(capsys):
    import cli.main as cli
    from core.config import Env
    from core.errors import ConfigError

    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["refresh", "--days", "\u0661\u0660"])
    assert "ASCII digits" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="ARXIV_MAX_ATTEMPTS"):
        Env.from_environ({"ARXIV_MAX_ATTEMPTS": "\u0663"})
    assert cli.build_parser().parse_args(["serve", "--port", "8001"]).port == 8001
