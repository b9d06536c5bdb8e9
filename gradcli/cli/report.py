"""How ``gradcli check`` shows its results: plain lines, or Rich on a terminal.

Plain text whenever colour is off (not a terminal, or ``NO_COLOR``); Rich
(through :mod:`.console`, which owns it) colours the diffs and draws the
progress bar. The text is the same either way, so CI logs read like the terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from ..golden import ERROR, FAILED, MISSING, PASSED, SKIPPED, UPDATED, CaseResult, Change
from .console import make_console, progress_bar, styled_text

if TYPE_CHECKING:
    from typing_extensions import Self

_LABELS = {PASSED: "PASS", FAILED: "FAIL", ERROR: "ERROR", MISSING: "MISSING",
           SKIPPED: "SKIP", UPDATED: "UPDATED"}
_STYLES = {PASSED: "green", FAILED: "bold red", ERROR: "bold red", MISSING: "bold red",
           SKIPPED: "yellow", UPDATED: "cyan"}
_DIFF_STYLES = (("---", "bold"), ("+++", "bold"), ("@@", "cyan"), ("-", "red"),
                ("+", "green"), ("\\", "dim"))
_MISSING_HINT = " (--update writes it, --missing-ok skips it)"


def summary_line(passed: int, failed: int, skipped: int = 0, updated: int = 0) -> str:
    """``N passed, N failed``, then ``, N skipped`` and ``, N updated`` when there are any.

    Example:
        >>> summary_line(3, 1, skipped=2)
        '3 passed, 1 failed, 2 skipped'
    """
    text = f"{passed} passed, {failed} failed"
    if skipped:
        text += f", {skipped} skipped"
    if updated:
        text += f", {updated} updated"
    return text


class Reporter:
    """Writes case verdicts, golden changes and the summary to ``stream``.

    Args:
        stream: where everything goes (standard output).
        color: colour the output (the caller decides; see ``console.use_color``).
        width: the width Rich lays out for (None: the terminal's).
        verbose: list passed and skipped cases too, not only failures.
        progress_total: draw a progress bar over that many files (0: none);
            only for a terminal.

    Use it as a context manager, which starts and stops the progress bar.
    """

    def __init__(self, stream: TextIO, *, color: bool, width: int | None = None,
                 verbose: bool = False, progress_total: int = 0) -> None:
        self._stream = stream
        self._verbose = verbose
        self._progress_total = progress_total
        self._progress = None
        self._task = None
        self._console = None
        if color or progress_total:
            self._console = make_console(stream, width=width, color=color)

    def __enter__(self) -> Self:
        if self._progress_total and self._console is not None:
            self._progress = progress_bar(self._console)
            self._progress.start()
            self._task = self._progress.add_task("checking", total=self._progress_total)
            self._progress.refresh()
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def advance(self) -> None:
        """One more file done."""
        if self._progress is not None:
            self._progress.advance(self._task)
            self._progress.refresh()

    def case(self, case: CaseResult) -> None:
        """Reports one case: failures with their details; the rest only when verbose."""
        shown_always = case.status in (FAILED, ERROR, MISSING)
        if not (shown_always or self._verbose) or case.status == UPDATED:
            return
        label = _LABELS[case.status]
        head = f"{label} {case.name}"
        if case.message:
            head += f": {case.message}"
        if case.status == MISSING:
            head += _MISSING_HINT
        details = case.details if shown_always else ""
        if details and not details.endswith("\n"):
            details += "\n"
        if self._console is None:
            self._write(head + "\n" + (details + "\n" if details else ""))
            return
        text = styled_text(head + "\n")
        text.stylize(_STYLES[case.status], 0, len(label))
        for line in details.splitlines(True):
            text.append(line, style=_diff_style(line))
        if details:
            text.append("\n")
        # One print per case, so that a progress bar redraws once around it.
        self._console.print(text, end="", soft_wrap=True)

    def change(self, change: Change) -> None:
        """Reports a golden file that --update wrote or removed."""
        self._styled_line(f"{change.action} {change.path}", "cyan", len(change.action))

    def problem(self, text: str) -> None:
        """Reports something that went wrong outside any one case."""
        self._styled_line(text, "bold red", len(text))

    def note(self, text: str) -> None:
        """A line of information."""
        self._write(text + "\n")

    def summary(self, passed: int, failed: int, skipped: int = 0, updated: int = 0) -> None:
        """The closing ``N passed, N failed`` line."""
        text = summary_line(passed, failed, skipped, updated)
        self._styled_line(text, "bold red" if failed else "bold green", len(text))

    def _write(self, text: str) -> None:
        if self._console is None:
            self._stream.write(text)
        else:
            self._console.out(text, end="", highlight=False)

    def _styled_line(self, text: str, style: str, styled_chars: int) -> None:
        if self._console is None:
            self._write(text + "\n")
            return
        line = styled_text(text)
        line.stylize(style, 0, styled_chars)
        self._console.print(line, soft_wrap=True)


def _diff_style(line: str) -> str:
    for prefix, style in _DIFF_STYLES:
        if line.startswith(prefix):
            return style
    return ""
