"""The command line's spinner: frames and a cleared line on a terminal, nothing elsewhere,
and a terminal that goes away ends it quietly."""

from __future__ import annotations

import io

from cli.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class GoneTerminal(Terminal):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_terminal_sees_the_text_with_a_frame_then_a_cleared_line():
    stream = Terminal()
    with Progress("Refreshing from arXiv", stream=stream):
        pass
    out = stream.getvalue()
    assert out.startswith("\r| Refreshing from arXiv")
    assert out.endswith("\r\x1b[2K")


def test_anything_but_a_terminal_gets_nothing():
    stream = io.StringIO()
    with Progress("Summarising", stream=stream):
        pass
    assert stream.getvalue() == ""


def test_a_terminal_that_goes_away_ends_the_spinner_without_an_error():
    with Progress("Summarising", stream=GoneTerminal()) as progress:
        pass
    assert progress._thread is not None and not progress._thread.is_alive()


def test_an_error_in_the_step_still_clears_the_line_and_propagates():
    stream = Terminal()
    try:
        with Progress("Summarising", stream=stream):
            raise KeyError("boom")
    except KeyError:
        pass
    else:
        raise AssertionError("the step's error was swallowed")
    assert stream.getvalue().endswith("\r\x1b[2K")
