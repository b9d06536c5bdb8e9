"""The pytest plugin: .gc goldens and transcript blocks collected as test items."""

import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]

DOUBLE = "x = tensor([1, 2])\nx * 2\n"
# Unrelated plugins that make every in-process run slow (absent ones are fine).
QUIET = ("-p", "no:hypothesispytest", "-p", "no:benchmark", "-p", "no:cacheprovider")

README = """\
# Project

```gradcli
>>> x = tensor([1, 2])
>>> x * 2
tensor([2, 4])
```

```gradcli
>>> x + 1
tensor([2, 3])
```
"""


@pytest.fixture(autouse=True, scope="module")
def _engine_loaded_first():
    # pytester's in-process runs unload the modules imported during them, and
    # NumPy cannot be imported twice in one process: load everything first.
    from gradcli.runtime import run_program
    run_program("1", "<warm-up>", lambda text: None)


def write(pytester, files):
    """Writes ``{path: text}`` as is (``pytester.makefile`` strips the last newline)."""
    for name, text in files.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def make_samples(pytester):
    write(pytester, {"samples/good.gc": DOUBLE, "samples/good.out": "tensor([2, 4])\n",
                     "samples/bad.gc": DOUBLE, "samples/bad.out": "tensor([2, 5])\n",
                     "samples/nogolden.gc": DOUBLE})


def test_the_plugin_is_registered_through_its_entry_point(pytester):
    config = pytester.parseconfig()
    assert config.pluginmanager.hasplugin("gradcli")


def test_gc_programs_with_goldens_are_collected_one_item_each(pytester):
    make_samples(pytester)
    result = pytester.runpytest(*QUIET, "--collect-only", "-q", "samples")
    result.stdout.fnmatch_lines(["samples/bad.gc::golden", "samples/good.gc::golden",
                                 "2 tests collected*"])
    assert "nogolden" not in result.stdout.str()


def test_gc_goldens_run_and_a_failure_shows_the_diff(pytester):
    make_samples(pytester)
    result = pytester.runpytest(*QUIET, "samples")
    result.assert_outcomes(passed=1, failed=1)
    output = result.stdout.str()
    assert "samples/bad.gc: output differs from samples/bad.out" in output
    assert "--- samples/bad.out (expected)\n+++ samples/bad.gc (actual)" in output
    assert "-tensor([2, 5])\n+tensor([2, 4])" in output
    # The diff is the whole report: no Python traceback from the plugin.
    assert "pytest_plugin.py" not in output


def test_err_golden_is_honoured(pytester):
    write(pytester, {"fails.gc": 'print("before")\nundefined_name\n', "fails.out": "before\n",
                     "fails.err": "NameError\n"})
    pytester.runpytest(*QUIET).assert_outcomes(passed=1)


def test_transcript_blocks_listed_in_the_ini_option_are_items(pytester):
    pytester.makeini("[pytest]\ngradcli_transcripts = README.md docs\n")
    write(pytester, {"README.md": README,
                     "docs/guide.md": "```gradcli\n>>> ones(2)\ntensor([1., 1.])\n```\n",
                     "docs/session.txt": ">>> 2 + 2\n4\n",
                     "other.md": "```gradcli\n>>> 1\n2\n```\n"})

    result = pytester.runpytest(*QUIET, "--collect-only", "-q")
    result.stdout.fnmatch_lines(["README.md::line-4", "README.md::line-10",
                                 "docs/guide.md::line-2", "docs/session.txt::line-1",
                                 "4 tests collected*"])
    assert "other.md" not in result.stdout.str()

    pytester.runpytest(*QUIET).assert_outcomes(passed=4)


def test_a_failing_transcript_block_shows_its_diff(pytester):
    pytester.makeini("[pytest]\ngradcli_transcripts = README.md\n")
    write(pytester, {"README.md": README.replace("tensor([2, 3])", "tensor([2, 9])")})
    result = pytester.runpytest(*QUIET, "-v")
    result.assert_outcomes(passed=1, failed=1)
    output = result.stdout.str()
    assert "README.md::line-4 PASSED" in output
    assert "README.md::line-10 FAILED" in output
    assert "@@ -10,2 +10,2 @@\n >>> x + 1\n-tensor([2, 9])\n+tensor([2, 3])" in output


def test_a_markdown_file_named_on_the_command_line_is_collected(pytester):
    write(pytester, {"README.md": README})
    pytester.runpytest(*QUIET, "README.md").assert_outcomes(passed=2)


def test_projects_without_gradcli_files_are_untouched(pytester):
    pytester.makepyfile(test_plain="def test_one():\n    assert True\n")
    write(pytester, {"README.md": README})  # not listed: not collected
    result = pytester.runpytest(*QUIET, "-q")
    result.assert_outcomes(passed=1)


def test_loading_the_plugin_imports_no_engine():
    code = ("import sys, gradcli.pytest_plugin\n"
            "print(sorted(m for m in ('numpy', 'gradcli.golden', 'gradcli.runtime', 'lark')"
            " if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
