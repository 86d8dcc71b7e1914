"""The Jinja2 templates in core/text/templates/: the web page (HTML, autoescaped) and the
Markdown digest (not escaped: its values arrive already made literal Markdown).

    render_html("page.html", **values) -> str
    render_markdown(source, **values) -> str      source: the text of a digest template

Each environment is built once per process, on first use, so a process that only
serves feeds never imports jinja2. Undefined names are errors, not empty strings.
In HTML, every value printed is made XML-safe (`core.text.safe_html.xml_safe`) and then
escaped; only `Markup` (sanitised summary HTML, marked `|safe` in the template) passes.
Filters besides Jinja's own: `one_line` (whitespace folded) and `g` (a number as `{:g}`).

A digest template is the deployment's own file, rendered in Jinja2's sandbox: it can
print and loop over the values it is given, not reach Python objects behind them.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from core.errors import ConfigError
from core.text.safe_html import one_line, xml_safe

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
DIGEST_TEMPLATE = TEMPLATE_DIR / "digest.md"


def render_html(name: str, **values: object) -> str:
    """The HTML template `name` rendered with `values`, escaping on."""
    return _html().get_template(name).render(**values)


def render_markdown(source: str, origin: str, **values: object) -> str:
    """A Markdown template's text rendered with `values`; `origin` names it in errors.
    Raises ConfigError("digest_template", ...) naming the line of a template error."""
    import jinja2

    try:
        return _markdown().from_string(source).render(**values)
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError("digest_template", f"{origin}, line {exc.lineno}: {exc.message}") from None
    except jinja2.TemplateError as exc:  # an undefined value, a sandbox refusal
        raise ConfigError("digest_template", f"{origin}: {exc.message}") from None


@lru_cache(maxsize=1)
def templates_fingerprint() -> str:
    """A hash of every shipped template, read once per process (without jinja2): part of
    the page's ETag, so a deploy that changes the markup is never answered with a 304."""
    digest = hashlib.sha256()
    for path in sorted(p for p in TEMPLATE_DIR.rglob("*") if p.is_file()):
        digest.update(path.relative_to(TEMPLATE_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _printable(value: object) -> object:
    """Every printed value minus what XML cannot carry; markup already made safe (anything
    with `__html__`, as `|safe` and macros return) as it is."""
    if not isinstance(value, str) or hasattr(value, "__html__"):
        return value
    return xml_safe(value)


@lru_cache(maxsize=1)
def _html():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_printable,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(one_line=one_line, g=lambda number: f"{number:g}")
    return env


@lru_cache(maxsize=1)
def _markdown():
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
