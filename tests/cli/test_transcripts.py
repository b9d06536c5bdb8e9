"""Transcripts: parsing ```gradcli blocks and .txt sessions, and checking them with gradcli check."""

import os
import pathlib

import pytest
from click.testing import CliRunner

from gradcli.cli.main import cli
from gradcli.golden import parse_transcript

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args):
    return CliRunner().invoke(cli, ["check", *args], env={"NO_COLOR": None, "FORCE_COLOR": None})


def examples(text, markdown=True):
    """``(line, statement, expected output)`` of every example, block by block."""
    return [[(e.line, e.source, e.want) for e in block.examples]
            for block in parse_transcript(text, markdown=markdown)]


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

def test_only_gradcli_blocks_with_prompts_are_transcripts():
    text = ("# Title\n"
            "```python\n>>> 1 + 1\n2\n```\n"
            "```gradcli\nx = ones(2)\n```\n"          # a program listing, no prompts
            "```gradclix\n>>> 1\n1\n```\n"
            "```gradcli title=demo\n>>> 1\n1\n```\n"
            "~~~gradcli\n>>> 2\n2\n~~~\n")
    assert examples(text) == [[(14, "1", "1")], [(18, "2", "2")]]


def test_statements_continuations_and_outputs():
    text = ("```gradcli\n"
            ">>> x = 1\n"
            ">>> for i in range(2):\n"
            "...     print(i)\n"
            "...\n"
            "0\n"
            "1\n"
            ">>> ones(2, 1, 1)\n"
            "tensor([[[1.]],\n"
            "\n"
            "        [[1.]]])\n"
            "\n"
            "\n"
            ">>> x\n"
            "1\n"
            "```\n")
    assert examples(text) == [[
        (2, "x = 1", ""),
        (3, "for i in range(2):\n    print(i)\n", "0\n1"),
        (8, "ones(2, 1, 1)", "tensor([[[1.]],\n\n        [[1.]]])"),
        (14, "x", "1"),
    ]]


def test_indented_blocks_lose_the_indentation_of_their_prompt():
    text = ("1. A list item:\n"
            "\n"
            "   ```gradcli\n"
            "   >>> for i in range(1):\n"
            "   ...     i\n"
            "   0\n"
            "   ```\n")
    assert examples(text) == [[(4, "for i in range(1):\n    i", "0")]]


def test_text_transcript_is_one_block_after_its_heading():
    text = "Heading\n=======\n\n>>> 1 + 1\n2\n>>> print('a')\na\n"
    assert examples(text, markdown=False) == [[(4, "1 + 1", "2"), (6, "print('a')", "a")]]
    assert examples("no prompts here\n", markdown=False) == []


def test_an_unclosed_fence_runs_to_the_end_and_crlf_is_understood():
    assert examples("```gradcli\r\n>>> 1\r\n1\r\n") == [[(2, "1", "1")]]


# ---------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------

SESSION = """\
# Notes

```gradcli
>>> x = tensor([1, 2])
>>> x * 2
tensor([2, 4])
```

Names persist from one block to the next.

```gradcli
>>> for i in range(2):
...     print(i)
0
1
>>> x + 1
tensor([2, 3])

>>> y
NameError: name 'y' is not defined
>>> print("after the error")
after the error
```
"""


def test_transcript_passes_with_names_kept_across_blocks_and_expected_errors(project):
    (project / "notes.md").write_text(SESSION)
    result = check("-v", "notes.md")
    assert result.exit_code == 0, result.output
    assert result.stdout == "PASS notes.md:4\nPASS notes.md:12\n2 passed, 0 failed\n"


def test_each_file_has_a_session_of_its_own(project):
    (project / "a.md").write_text("```gradcli\n>>> secret = 1\n```\n")
    (project / "b.md").write_text("```gradcli\n>>> secret\n1\n```\n")
    result = check("a.md", "b.md")
    assert result.exit_code == 1
    assert "+NameError: name 'secret' is not defined" in result.stdout


def test_whitespace_at_line_ends_and_trailing_blank_lines_do_not_count(project):
    (project / "t.md").write_text("```gradcli\n>>> print('a  ')\na\n\n\n>>> print('b\\n\\n')\nb   \n```\n")
    assert check("t.md").exit_code == 0


def test_mismatch_shows_a_diff_numbered_by_file_lines(project):
    (project / "notes.md").write_text(SESSION.replace("tensor([2, 3])", "tensor([2, 9])"))
    result = check("notes.md")
    assert result.exit_code == 1
    assert result.stdout == (
        "FAIL notes.md:12: output differs after 1 statement\n"
        "--- notes.md (expected)\n"
        "+++ notes.md (actual)\n"
        "@@ -14,7 +14,7 @@\n"
        " 0\n"
        " 1\n"
        " >>> x + 1\n"
        "-tensor([2, 9])\n"
        "+tensor([2, 3])\n"
        " \n"
        " >>> y\n"
        " NameError: name 'y' is not defined\n"
        "\n"
        "1 passed, 1 failed\n")


def test_update_rewrites_only_the_outputs_that_differ(project):
    broken = (SESSION.replace("tensor([2, 4])\n", "")
              .replace("tensor([2, 3])", "tensor([2, 9])")
              .replace("NameError: name 'y' is not defined", "RuntimeError: wrong"))
    path = project / "notes.md"
    path.write_text(broken)
    other = project / "fine.md"
    other.write_text("```gradcli\n>>> 1 + 1\n2\n```\n")
    past = 1_600_000_000 * 1_000_000_000
    os.utime(other, ns=(past, past))

    result = check("--update", "notes.md", "fine.md")
    assert result.exit_code == 0, result.output
    assert result.stdout == "updated notes.md\n1 passed, 0 failed, 2 updated\n"
    assert path.read_text() == SESSION
    assert other.stat().st_mtime_ns == past
    assert check("notes.md").exit_code == 0


def test_update_keeps_crlf_line_ends(project):
    path = project / "win.md"
    path.write_bytes(b"Intro\r\n```gradcli\r\n>>> 2 * 3\r\n5\r\n```\r\n")
    assert check("--update", "win.md").exit_code == 0
    assert path.read_bytes() == b"Intro\r\n```gradcli\r\n>>> 2 * 3\r\n6\r\n```\r\n"


def test_text_transcripts_are_checked(project):
    (project / "session.txt").write_text("A session\n\n>>> tensor([1.5])\ntensor([1.5000])\n")
    result = check("-v", "session.txt")
    assert result.stdout == "PASS session.txt:3\n1 passed, 0 failed\n"


def test_markdown_without_transcripts_alone_is_nothing_to_check(project):
    (project / "plain.md").write_text("# Nothing to run\n")
    assert check("plain.md").exit_code == 2


def test_the_transcripts_documentation_passes_its_own_check():
    result = check(str(DOCS / "transcripts.md"))
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(" passed, 0 failed\n")
