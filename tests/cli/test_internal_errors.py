"""A bug in gradcli is reported as one (exit 3, no traceback unless --debug), never as
the program's error and never as a bare Python traceback."""

import pytest
from click.testing import CliRunner

from gradcli.cli.main import cli
from gradcli.engine.ops import common


class _Broken:
    """Stands in for NumPy so that engine code fails as a bug would (AttributeError)."""


@pytest.fixture
def broken_engine(monkeypatch):
    monkeypatch.setattr(common, "xp", _Broken())
    monkeypatch.delenv("GRADCLI_DEBUG", raising=False)


def _run(*args):
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"})


def test_an_internal_error_exits_3_with_a_report(broken_engine):
    result = _run("tensor([1.]).exp()")
    assert result.exit_code == 3
    assert "gradcli: internal error: AttributeError" in result.output
    assert "bug in gradcli" in result.output and "--debug" in result.output
    assert "Traceback" not in result.output


def test_debug_adds_the_traceback(broken_engine, monkeypatch):
    result = _run("--debug", "tensor([1.]).exp()")
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.output


def test_the_programs_own_errors_stay_exit_1():
    result = _run("x = ones(2); x.nope")
    assert result.exit_code == 1
    assert "AttributeError" in result.output and "internal error" not in result.output
