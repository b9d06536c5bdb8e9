"""The shell examples of the README and of docs/*.md print what they say they print."""

import os
import pathlib
import re
import shlex
import subprocess
import sys

import pytest

from gradcli.golden import parse_transcript

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONSOLE_BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)


DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def shell_examples(path=ROOT / "README.md"):
    """(command, expected output) for each `$ gradcli ...` line of a console block."""
    text = path.read_text(encoding="utf-8")
    examples = []
    for block in CONSOLE_BLOCK.findall(text):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if not line.startswith("$ "):
                continue
            command = line[2:]
            output = []
            for follower in lines[i + 1:]:
                if follower.startswith("$ "):
                    break
                output.append(follower)
            examples.append((command, "\n".join(output) + "\n"))
    return examples


def runnable(command: str) -> bool:
    # Skip the interactive session, the golden checker (its output is summarised
    # with '...') and commands that only show a file.
    words = shlex.split(command.split("|")[-1])
    return words[0] == "gradcli" and len(words) > 1 and words[1] != "check"


EXAMPLES = [e for e in shell_examples() if runnable(e[0])]
DOC_EXAMPLES = [(path.name, *e) for path in DOCUMENTS[1:] for e in shell_examples(path)
                if runnable(e[0])]


def test_the_readme_has_shell_examples():
    assert len(EXAMPLES) >= 4


def test_the_docs_have_shell_examples():
    assert {name for name, _, _ in DOC_EXAMPLES} >= {"cookbook.md"}


@pytest.mark.parametrize("command, expected", EXAMPLES, ids=[e[0][:40] for e in EXAMPLES])
def test_shell_example(command, expected):
    run_example(command, expected)


@pytest.mark.parametrize("name, command, expected", DOC_EXAMPLES,
                         ids=[f"{e[0]}:{e[1][:40]}" for e in DOC_EXAMPLES])
def test_docs_shell_example(name, command, expected):
    run_example(command, expected)


def run_example(command, expected):
    gradcli = f"{shlex.quote(sys.executable)} -m gradcli"
    shell_command = re.sub(r"(^|\| )gradcli\b", lambda m: m.group(1) + gradcli, command)
    result = subprocess.run(shell_command, shell=True, cwd=ROOT, capture_output=True, check=False,
                            text=True, env={**os.environ, "NO_COLOR": "1"})
    assert result.stdout + result.stderr == expected


def test_goldens_and_transcripts_pass_gradcli_check():
    docs = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))
    result = subprocess.run([sys.executable, "-m", "gradcli", "check", "samples", "README.md",
                             *docs], cwd=ROOT, capture_output=True, text=True, check=False,
                            env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^\d+ passed, 0 failed", result.stdout, re.MULTILINE)


# Pages without runnable examples, and what checks them instead.
PAGES_WITHOUT_EXAMPLES = {
    "cli.md": "generated from the commands' help; tests/cli/test_cli_reference.py",
    "ENGINE.md": "internals for contributors",
    "NN_AND_OPTIM.md": "internals for contributors",
}


def test_every_docs_page_has_examples_the_suite_runs():
    for path in DOCUMENTS[1:]:
        text = path.read_text(encoding="utf-8")
        blocks = parse_transcript(text, markdown=True)
        if path.name in PAGES_WITHOUT_EXAMPLES:
            assert not blocks, f"{path.name} has transcripts now: drop it from the list"
        else:
            assert blocks, f"docs/{path.name} has no ```gradcli transcript for the suite to run"
    for name in ("tutorial.md", "cookbook.md", "differences.md", "transcripts.md", "cli.md"):
        assert (ROOT / "docs" / name).exists(), name
