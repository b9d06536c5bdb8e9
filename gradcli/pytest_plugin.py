"""pytest plugin: gradcli golden programs and transcripts as test items.

Installed with gradcli (the ``pytest11`` entry point), so in any project:

* every ``NAME.gc`` (or ``NAME.py``, run as a script) that pytest walks past
  and that has a golden ``NAME.out`` beside it is one test item
  (``samples/a.gc::golden``), compared as ``gradcli check`` compares it
  (``NAME.err`` included); a program without a golden is not collected;
* the ```` ```gradcli ```` blocks of Markdown files, and ``.txt``
  transcripts, are one item per block (``README.md::line-12``) when the file
  is listed in the ini option ``gradcli_transcripts`` (files or folders,
  relative to the ini file) or named on the command line::

      [tool.pytest.ini_options]
      gradcli_transcripts = ["README.md", "docs"]

A failure shows the diff. The hooks look at a file's suffix before anything
else and import gradcli's engine only when an item runs, so projects without
gradcli files pay nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .golden import CaseResult

TRANSCRIPTS_INI = "gradcli_transcripts"
_PROGRAM_SUFFIXES = (".gc", ".py")
_GOLDEN_SUFFIX = ".out"
_TRANSCRIPT_SUFFIXES = (".md", ".markdown", ".txt")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(TRANSCRIPTS_INI, type="paths", default=[],
                  help="Markdown/text files and folders whose ```gradcli transcript blocks "
                       "are collected as tests.")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    suffix = file_path.suffix
    if suffix in _PROGRAM_SUFFIXES:
        if file_path.with_suffix(_GOLDEN_SUFFIX).is_file():
            return GoldenProgramFile.from_parent(parent, path=file_path)
        return None
    if suffix.lower() in _TRANSCRIPT_SUFFIXES and _is_transcript(file_path, parent):
        return TranscriptFile.from_parent(parent, path=file_path)
    return None


def _is_transcript(path: Path, parent: pytest.Collector) -> bool:
    listed = parent.config.getini(TRANSCRIPTS_INI)
    if any(path == entry or entry in path.parents for entry in listed):
        return True
    return parent.session.isinitpath(path)


class GoldenFailure(Exception):
    """A case that did not pass; carries its verdict for the report."""

    def __init__(self, case: CaseResult) -> None:
        super().__init__(case.message)
        self.case = case

    def report(self) -> str:
        text = f"{self.case.name}: {self.case.message}"
        if self.case.details:
            text += "\n" + self.case.details.rstrip("\n")
        return text


class _GoldenItem(pytest.Item):
    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, GoldenFailure):
            return excinfo.value.report()
        return super().repr_failure(excinfo, style=style)


class GoldenProgramFile(pytest.File):
    """A ``.gc`` program with its goldens."""

    def collect(self):
        yield GoldenProgramItem.from_parent(self, name="golden")


def _golden():
    """gradcli.golden, imported when the first gradcli item is collected or runs."""
    from . import golden  # lazy: projects without gradcli files never import the engine
    return golden


class GoldenProgramItem(_GoldenItem):
    """Runs the program in a fresh session; passes when it matches NAME.out/NAME.err."""

    def runtest(self) -> None:
        golden = _golden()
        result = golden.run_target(golden.Target(_display_path(self.path), golden.PROGRAM))
        case = result.cases[0]
        if not case.ok:
            raise GoldenFailure(case)

    def reportinfo(self):
        return self.path, 0, f"gradcli golden {self.path.name}"


class TranscriptFile(pytest.File):
    """A Markdown or text file whose transcript blocks run in one session."""

    def collect(self):
        golden = _golden()
        with open(self.path, encoding="utf-8", newline="") as f:
            text = f.read()
        markdown = self.path.suffix.lower() in golden.MARKDOWN_SUFFIXES
        for block in golden.parse_transcript(text, markdown=markdown):
            yield TranscriptBlockItem.from_parent(self, name=f"line-{block.line}",
                                                  line=block.line)

    def case(self, line: int) -> CaseResult:
        """The verdict on the block at ``line``; the whole file runs once, on first use."""
        golden = _golden()
        results = getattr(self, "_results", None)
        if results is None:
            target = golden.Target(_display_path(self.path), golden.TRANSCRIPT)
            result = golden.run_target(target)
            results = self._results = {case.line: case for case in result.cases}
        if line in results:
            return results[line]
        # The file could not be read, or it changed since it was collected.
        errors = [case for case in results.values() if case.status == golden.ERROR]
        return errors[0] if errors else golden.CaseResult(
            f"{self.path.name}:{line}", str(self.path), line, golden.ERROR,
            "no transcript block starts here any more; the file changed since collection")


class TranscriptBlockItem(_GoldenItem):
    """One transcript block: passes when every statement prints what it shows."""

    def __init__(self, *, line: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.line = line

    def runtest(self) -> None:
        case = self.parent.case(self.line)
        if not case.ok:
            raise GoldenFailure(case)

    def reportinfo(self):
        return self.path, self.line - 1, f"gradcli transcript {self.path.name}:{self.line}"


def _display_path(path: Path) -> str:
    # Relative to where pytest runs, as reports and diffs show it.
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
