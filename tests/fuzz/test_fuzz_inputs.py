"""Mutated samples, random bytes, odd Unicode, deep nesting, long lines, huge literals."""

from __future__ import annotations

import pathlib
import re

import pytest
from fuzzing import check_program
from hypothesis import given
from hypothesis import strategies as st

SAMPLES = sorted(pathlib.Path(__file__).resolve().parents[2].joinpath("samples").glob("*.*"))
SAMPLES = [p for p in SAMPLES if p.suffix in (".gc", ".py")]
TOKEN = re.compile(r"\w+|\s+|.", re.DOTALL)
POWER = re.compile(r"\*\*\s*\(?\s*\w+\s*\*\*")  # no int tower such as 10**10**10

# gradcli raises Python's recursion limit for deep programs, which hypothesis notes.
pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")


def _tokens(path):
    return TOKEN.findall(path.read_text(encoding="utf-8"))


@st.composite
def mutated_samples(draw):
    path = draw(st.sampled_from(SAMPLES))
    tokens = _tokens(path)
    for _ in range(draw(st.integers(1, 4))):
        if not tokens:
            break
        i = draw(st.integers(0, len(tokens) - 1))
        j = draw(st.integers(0, len(tokens) - 1))
        kind = draw(st.sampled_from(["delete", "swap", "duplicate", "truncate", "copy"]))
        if kind == "delete":
            del tokens[i]
        elif kind == "swap":
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif kind == "duplicate":
            tokens.insert(i, tokens[i])
        elif kind == "truncate":
            tokens = tokens[:i]
        else:
            tokens.insert(i, tokens[j])
    source = "".join(tokens)
    return path.suffix, source


def test_there_are_samples_to_mutate():
    assert len(SAMPLES) > 20


@given(mutated_samples())
def test_a_mutated_sample_never_breaks_gradcli(case):
    suffix, source = case
    if POWER.search(source):
        return
    check_program(source, f"<fuzz>{suffix}")


@given(st.binary(max_size=300))
def test_random_bytes_never_break_gradcli(data):
    check_program(data.decode("utf-8", errors="replace"))
    check_program(data.decode("latin-1"))


ODD = st.sampled_from(["\x00", "\ufeff", "\u2028", "\u2029", "\u200b", "\u202e", "\u0301",
                       "\t", "\r", "\x0c", "\x0b", "\x1b", "１", "ℌ", "ﬁ", "µ", "𝔵", "\ud800",
                       "\U0010ffff", "ǅ", "٣", "⁰", "x", "(", ")", "'", '"', "\\", "\n", " ",
                       "=", "1", ".", ":", "#", "[", "]", "{", "}", "f'", "b'", "r'", "@", "$",
                       "?", "!", "`", "lambda", "ones(2)", "tensor([1.])"])


@given(st.lists(ODD, max_size=30).map("".join))
def test_odd_unicode_never_breaks_gradcli(source):
    check_program(source)


@given(st.text(max_size=80))
def test_random_text_never_breaks_gradcli(source):
    check_program(source)


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40))
def test_text_with_surrogates_never_breaks_gradcli(source):
    check_program(f"x = {source!r}\nprint(x)\nx")
    check_program(source)


N = 10_000
DEEP = {
    "parentheses": "(" * N + "1" + ")" * N,
    "lists": "[" * N + "]" * N,
    "unclosed": "(" * N,
    "unmatched": ")" * N,
    "braces": "{" * N + "}" * N,
    "subscripts": "x = [1]\nx" + "[0]" * N,
    "unary minus": "-" * N + "1",
    "not": "not " * N + "True",
    "tilde": "~" * N + "1",
    "calls": "abs(" * N + "1" + ")" * N,
    "tensor lists": "tensor(" + "[" * N + "1." + "]" * N + ")",
    "lambdas": "lambda: " * N + "1",
    "attributes": "x = ones(2)\nx" + ".T" * N,
    "method chain": "ones(2)" + ".abs()" * N,
    "additions": "1" + " + 1" * N,
    "powers": "2" + " ** 1" * N,
    "comparisons": "1" + " < 2" * N,
    "conditional": "1 if True else " * N + "0",
    "blocks": "".join("    " * i + "if True:\n" for i in range(200)) + "    " * 200 + "pass\n",
    "deep blocks": "".join(" " * i + "if 1:\n" for i in range(N)) + " " * N + "1\n",
    "dicts": "{1: " * N + "1" + "}" * N,
    "strings": "'" * N,
    "fstrings": "f'{" * 50 + "1" + "}'" * 50,
    "ones shape": "ones(" + "1, " * N + "1)",
}


@pytest.mark.parametrize("name", list(DEEP))
def test_deep_nesting_never_breaks_gradcli(name):
    check_program(DEEP[name])


LONG = {
    "long line": "x = " + " + ".join(["1"] * 20_000),
    "long name": "a" * 1_000_000 + " = 1",
    "long string": "s = '" + "a" * 1_000_000 + "'\nlen(s)",
    "long comment": "#" + "x" * 1_000_000 + "\n1",
    "many statements": "x = 0\n" + "x = x + 1\n" * 5_000 + "x",
    "many semicolons": "x = 0; " * 5_000,
    "long list": "[" + ", ".join(["1"] * 20_000) + "]",
    "long tensor": "tensor([" + ", ".join(["1.5"] * 20_000) + "]).sum()",
    "huge int": "1" * 100_000,
    "huge int in tensor": "tensor([" + "9" * 5000 + "])",
    "huge int arithmetic": "x = " + "7" * 4000 + "\nx * x",
    "huge int printed": "x = 10 ** 5000\nx",
    "huge int str": "str(10 ** 5000)",
    "huge int parsed": "int('" + "1" * 5000 + "')",
    "huge float": "1" * 400 + ".0",
    "huge exponent": "1e99999999999999999999",
    "tiny exponent": "1e-99999999999999999999",
    "huge hex": "0x" + "f" * 10_000,
    "huge binary": "0b" + "1" * 10_000,
    "huge imaginary": "1" * 1000 + "j",
    "huge shape": "ones(" + "9" * 100 + ")",
    "huge shapes": "ones(10**6, 10**6)",
    "huge arange": "arange(10**30)",
    "huge float shape": "ones(1e300)",
    "huge index": "ones(3)[" + "9" * 100 + "]",
    "huge slice": "ones(3)[" + "9" * 100 + ":-" + "9" * 100 + "]",
    "huge dim": "ones(3).sum(" + "9" * 100 + ")",
    "huge view": "ones(4).view(-1, " + "9" * 30 + ")",
    "huge repeat": "ones(2).repeat(" + "9" * 30 + ")",
    "huge expand": "ones(1).expand(" + "9" * 30 + ")",
    "huge range": "range(10**100)[5]",
    "huge round": "round(1.5, " + "9" * 30 + ")",
    "huge shift": "1 << 10**2",
    "huge float int": "int(1e308) + 1",
    "float of huge int": "float(10 ** 400)",
    "huge int tensor": "tensor(2**64)",
    "huge int tensor neg": "tensor(-2**63 - 1)",
    "huge int fill": "ones(2, dtype=int64).fill_(2**70)",
    "huge int add": "ones(2, dtype=int64) + 2**70",
    "huge int full": "full((2,), 2**70)",
}


@pytest.mark.parametrize("name", list(LONG))
def test_long_lines_and_huge_literals_never_break_gradcli(name):
    check_program(LONG[name])
