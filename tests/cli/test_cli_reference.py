"""docs/cli.md is generated from click's help by tools/gen_cli_reference.py and kept current."""

import difflib
import importlib.util
import os
import pathlib
import subprocess
import sys

import click
import pytest

from gradcli.cli import main as cli_main

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "gen_cli_reference.py"
REFERENCE = ROOT / "docs" / "cli.md"


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("gen_cli_reference", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _same_across_click(text: str) -> str:
    """click 8.5 writes a group's usage as ``[COMMAND]``, earlier versions ``COMMAND``:
    the reference is written with the newest click, and compared modulo that."""
    return text.replace("[OPTIONS] [COMMAND] [ARGS]...", "[OPTIONS] COMMAND [ARGS]...")


def test_reference_is_up_to_date(gen):
    want = _same_across_click(gen.render())
    have = _same_across_click(REFERENCE.read_text(encoding="utf-8"))
    if have != want:
        diff = "".join(difflib.unified_diff(have.splitlines(True), want.splitlines(True),
                                            "docs/cli.md", "generated", n=1))
        pytest.fail("docs/cli.md is out of date with the CLI's help: run "
                    f"tools/gen_cli_reference.py\n{diff}", pytrace=False)


def test_a_new_option_makes_the_reference_stale(gen, monkeypatch):
    run = cli_main.cli.get_command(click.Context(cli_main.cli), "run")
    extra = click.Option(["--brand-new-flag"], is_flag=True, help="An option nobody documented.")
    monkeypatch.setattr(run, "params", [*run.params, extra])
    text = gen.render()
    assert "--brand-new-flag" in text
    assert text != REFERENCE.read_text(encoding="utf-8")


def test_check_mode_names_the_fix(gen, tmp_path, monkeypatch, capsys):
    stale = tmp_path / "cli.md"
    stale.write_text("# an old reference\n", encoding="utf-8")
    monkeypatch.setattr(gen, "REFERENCE", str(stale))
    assert gen.main(["--check"]) == 1
    assert "run tools/gen_cli_reference.py" in capsys.readouterr().err
    assert gen.main([]) == 0
    assert gen.main(["--check"]) == 0
    assert stale.read_text(encoding="utf-8") == gen.render()


def test_every_visible_command_has_a_section(gen):
    text = REFERENCE.read_text(encoding="utf-8")
    assert gen.commands() == ["check", "completion", "grad", "graph", "run"]
    for name in gen.commands():
        assert f"## `gradcli {name}`" in text
        assert f"Usage: gradcli {name} [OPTIONS]" in text
    assert "gradcli eval" not in text  # hidden: the one-liner's implementation


def test_help_does_not_depend_on_the_terminal(gen, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    assert (_same_across_click(gen.render())
            == _same_across_click(REFERENCE.read_text(encoding="utf-8")))


def test_documented_exit_statuses_and_environment_are_real(gen):
    assert cli_main.EXIT_INTERRUPTED == 130
    assert "| 130 | interrupted" in gen.FOOTER
    for status in ("0", "1", "2", "3"):
        assert f"\n| {status} | " in gen.FOOTER
    sources = "".join(p.read_text(encoding="utf-8")
                      for p in (ROOT / "gradcli").rglob("*.py"))
    for variable in ("NO_COLOR", "FORCE_COLOR", "GRADCLI_MAX_ELEMENTS", "GRADCLI_DEBUG"):
        assert f"`{variable}`" in gen.FOOTER
        assert variable in sources, variable
    assert os.access(SCRIPT, os.X_OK)


@pytest.mark.parametrize("args", [[], ["run"], ["check"], ["grad"], ["graph"], ["completion"]])
def test_reference_shows_what_the_command_prints(gen, args):
    result = subprocess.run([sys.executable, "-m", "gradcli", *args, "--help"],
                            capture_output=True, text=True, check=False, timeout=60,
                            env={**os.environ, "COLUMNS": str(gen.WIDTH), "NO_COLOR": "1"})
    assert result.returncode == 0
    title = " ".join(["gradcli", *args])
    assert f"## `{title}`\n\n```text\n{result.stdout.rstrip()}\n```\n" in gen.render()
