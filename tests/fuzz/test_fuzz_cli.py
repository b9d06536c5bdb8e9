"""A few fuzz cases through the command line: the exit status is 0, 1 or 2, never 3."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from fuzzing import CASES
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fuzz_grammar import PRELUDE, expressions, statements

from gradcli.cli.main import cli

LIMITS = ["--max-steps", "3000", "--max-depth", "40"]

# gradcli raises Python's recursion limit for deep programs, which hypothesis notes.
pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")


def _run(args, stdin=None):
    CASES["count"] += 1
    result = CliRunner().invoke(cli, args, input=stdin, env={"NO_COLOR": "1"})
    assert result.exit_code in (0, 1, 2), (
        f"exit {result.exit_code} for {args!r}\n{result.output}\n{result.exception!r}")
    assert "Traceback" not in result.output
    return result


# The CLI is slower than a Session: a tenth of the profile's examples.
_CLI = settings(max_examples=max(8, settings().max_examples // 10))


@_CLI
@given(expressions)
def test_a_one_liner_exits_0_1_or_2(source):
    _run([*LIMITS, source])


@_CLI
@given(st.lists(statements, min_size=1, max_size=4))
def test_a_program_on_stdin_exits_0_1_or_2(blocks):
    lines = [*PRELUDE, *(line for block in blocks for line in block)]
    _run([*LIMITS, "run", "-"], "\n".join(lines))


@_CLI
@given(st.binary(max_size=200))
def test_random_bytes_on_stdin_exit_0_1_or_2(data):
    _run([*LIMITS, "run", "-"], data)


@_CLI
@given(st.lists(st.sampled_from(["--tree", "--grads", "--trace", "--ascii", "--format=json",
                                 "--no-echo", "--seed=-1", "--max-steps=0", "--bogus", "check",
                                 "graph", "grad", "run", "-", "x", "ones(2)", "--", "-h"]),
                max_size=4))
def test_odd_arguments_exit_0_1_or_2(args):
    _run(args, "ones(2, requires_grad=True).sum()")


def test_deep_nesting_on_the_command_line_exits_1():
    assert _run([*LIMITS, "(" * 10_000 + "1" + ")" * 10_000]).exit_code in (0, 1)
    assert _run([*LIMITS, "[" * 10_000]).exit_code == 1


def test_undecodable_stdin_exits_0_1_or_2():
    _run([*LIMITS, "run", "-"], b"\xff\xfe\x00x = 1\n\xed\xa0\x80")
