"""Golden-output testing: the core shared by ``gradcli check`` and the pytest plugin.

Two kinds of target are checked:

* a **program** ``NAME.gc`` with its golden ``NAME.out`` (the exact standard
  output) and, when the program must fail, ``NAME.err`` (the exception class
  name), as in the conformance corpus; a ``NAME.py`` program is the same,
  run with script semantics (only ``print`` writes, as ``python NAME.py``):
  the suffix records the mode its golden was written with;
* a **transcript**: the ```` ```gradcli ```` blocks of a Markdown file, or a
  whole ``.txt`` file, written as an interactive session (``>>> `` and
  ``... `` prompts, each statement followed by its expected output). Each
  block is one case; one session runs the whole file, so names persist from
  block to block.

Everything here is pure: no click, no Rich, nothing printed. Programs run in
this process, each target in a fresh :class:`~gradcli.runtime.Session`, and
every result is plain picklable data, so callers may run targets in worker
processes. Front ends import this module only when they check goldens
(``gradcli check``, the pytest plugin once it meets a gradcli file).

Example:
    >>> blocks = parse_transcript(">>> 1 + 1\\n2\\n", markdown=False)
    >>> [(e.line, e.source, e.want) for e in blocks[0].examples]
    [(1, '1 + 1', '2')]
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import tempfile
import time
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from .errors import format_error
from .runtime import RunOptions, Session, echoes

PROGRAM_SUFFIX = ".gc"
SCRIPT_SUFFIX = ".py"     # a program run with script semantics (only print writes)
GOLDEN_SUFFIX = ".out"
ERROR_SUFFIX = ".err"
MARKDOWN_SUFFIXES = (".md", ".markdown")
TRANSCRIPT_SUFFIXES = (*MARKDOWN_SUFFIXES, ".txt")

PROGRAM = "program"
TRANSCRIPT = "transcript"

# Case statuses. A case is "ok" when it passed, was skipped or was updated.
PASSED = "passed"
FAILED = "failed"
ERROR = "error"        # gradcli itself failed, or the case could not be read
MISSING = "missing"    # a program without its golden NAME.out
SKIPPED = "skipped"
UPDATED = "updated"    # failed or missing, and --update rewrote its golden

PROMPT = ">>>"
CONTINUATION = "..."
INFO_STRING = "gradcli"

# Folders never searched for programs: hidden ones (.git, .venv) and caches.
_SKIPPED_FOLDERS = ("__pycache__", "node_modules")


class GoldenError(ValueError):
    """A path that cannot be checked (unknown kind of file)."""


# ---------------------------------------------------------------------------
# Targets and results
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """One file to check: a program with goldens beside it, or a transcript.

    Attributes:
        path: the file, as given or found (reports show it as is).
        kind: :data:`PROGRAM` or :data:`TRANSCRIPT`.
    """

    path: str
    kind: str

    @property
    def golden_path(self) -> str:
        """``NAME.out`` beside a program."""
        return os.path.splitext(self.path)[0] + GOLDEN_SUFFIX

    @property
    def error_path(self) -> str:
        """``NAME.err`` beside a program."""
        return os.path.splitext(self.path)[0] + ERROR_SUFFIX

    def has_golden(self) -> bool:
        """Whether there is something to compare with (always true for a transcript)."""
        return self.kind == TRANSCRIPT or os.path.isfile(self.golden_path)


@dataclass(frozen=True)
class CaseResult:
    """The verdict on one case: a program, or one block of a transcript.

    Attributes:
        name: what reports call it: ``samples/a.gc``, ``README.md:12``.
        path: the file the case lives in.
        line: the case's first line in ``path`` (1 for a program).
        status: :data:`PASSED`, :data:`FAILED`, :data:`ERROR`, :data:`MISSING`,
            :data:`SKIPPED` or :data:`UPDATED`.
        message: one line saying why it did not pass ('' when it passed).
        details: the diff and error text behind ``message`` ('' when it passed).
        duration: seconds spent running it.
    """

    name: str
    path: str
    line: int
    status: str
    message: str = ""
    details: str = ""
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        """True unless the case failed, errored or lacks its golden."""
        return self.status in (PASSED, SKIPPED, UPDATED)


@dataclass(frozen=True)
class TargetResult:
    """What checking one target found.

    Attributes:
        target: the file checked.
        cases: one result per case, in file order (none for a transcript
            without gradcli blocks).
        updates: ``(path, text)`` pairs that would make the goldens match what
            gradcli printed; ``text`` None means "remove the file". Empty when
            everything matched or when a case could not be run.
    """

    target: Target
    cases: tuple[CaseResult, ...]
    updates: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class Change:
    """A golden file that :func:`apply_updates` wrote or removed."""

    path: str
    action: str  # "created", "updated" or "removed"


# ---------------------------------------------------------------------------
# Discovery
# ---------------------------------------------------------------------------

def target_for_file(path: str) -> Target:
    """The target a file given by name stands for.

    Raises:
        GoldenError: the file is neither a program nor a transcript.

    Example:
        >>> target_for_file("docs/intro.md").kind
        'transcript'
    """
    suffix = os.path.splitext(path)[1].lower()
    if suffix in (PROGRAM_SUFFIX, SCRIPT_SUFFIX):
        return Target(path, PROGRAM)
    if suffix in TRANSCRIPT_SUFFIXES:
        return Target(path, TRANSCRIPT)
    raise GoldenError(f"{path}: cannot check this kind of file "
                      f"(expected .gc, .py, .md, .markdown or .txt)")


def discover(paths: Iterable[str]) -> list[Target]:
    """The targets under ``paths``, sorted by path, each file once.

    A file is taken by its suffix (see :func:`target_for_file`); a folder
    contributes every ``*.gc`` below it, skipping hidden folders and caches.
    Transcripts are checked only when named (``gradcli check README.md
    docs/*.md``), as a folder may hold Markdown that is not meant to run.

    Raises:
        GoldenError: a file named is neither a program nor a transcript.
    """
    found: dict[str, Target] = {}
    for path in paths:
        if os.path.isdir(path):
            candidates = [Target(p, PROGRAM) for p in _programs_under(path)]
        else:
            candidates = [target_for_file(path)]
        for target in candidates:
            found.setdefault(os.path.realpath(target.path), target)
    return sorted(found.values(), key=lambda t: _path_key(t.path))


def _programs_under(folder: str) -> Iterable[str]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIPPED_FOLDERS]
        for name in files:
            if name.endswith(PROGRAM_SUFFIX) or (
                    name.endswith(SCRIPT_SUFFIX)
                    and os.path.isfile(os.path.join(root, name[:-len(SCRIPT_SUFFIX)]
                                                    + GOLDEN_SUFFIX))):
                yield os.path.normpath(os.path.join(root, name))


def _path_key(path: str) -> tuple[str, ...]:
    # By components, so that "a/b/z.gc" sorts with "a/b/y.gc", not between
    # "a/b.gc" and "a/c.gc" as plain string order would put it.
    return tuple(os.path.normpath(path).split(os.sep))


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """What running one piece of source did.

    Attributes:
        output: everything it wrote.
        error_kind: the class name of the error that stopped it, if any.
        error_line: ``Kind: message`` of that error (no location).
        error_report: the error as ``gradcli run`` prints it, with location.
        crash: the traceback when gradcli itself failed (a bug, not an error
            of the program).
    """

    output: str
    error_kind: str | None = None
    error_line: str | None = None
    error_report: str | None = None
    crash: str | None = None


class _Runner:
    """A session whose output is captured statement by statement."""

    def __init__(self, options: RunOptions | None) -> None:
        self._chunks: list[str] = []
        self._session = Session(self._chunks.append, options or RunOptions())

    def run(self, source: str, filename: str) -> Outcome:
        self._chunks.clear()
        try:
            error = self._session.run(source, filename)
        except Exception:  # noqa: BLE001 - a gradcli bug must not stop the other cases
            return Outcome("".join(self._chunks), crash=traceback.format_exc())
        output = "".join(self._chunks)
        if error is None:
            return Outcome(output)
        line = f"{error.kind}: {error.message}" if error.message else error.kind
        return Outcome(output, error.kind, line, format_error(error))


def run_target(target: Target, options: RunOptions | None = None) -> TargetResult:
    """Runs one target in a fresh session and compares it with its goldens.

    Never raises for a problem of the target itself: an unreadable file or
    an internal failure of gradcli becomes an :data:`ERROR` case. A program
    whose golden is missing is still run (its result is :data:`MISSING`, with
    the updates that would create the golden).

    Args:
        target: what to check.
        options: seed and limits; ``RunOptions()`` when None.
    """
    if target.kind == PROGRAM:
        return _run_program(target, options)
    return _run_transcript(target, options)


def run_targets(targets: Sequence[Target], options: RunOptions | None = None
                ) -> list[TargetResult]:
    """:func:`run_target` for each target in turn (one task for a worker process)."""
    return [run_target(target, options) for target in targets]


def warm_up(options: RunOptions | None = None) -> None:
    """Loads the runtime and builds the parser once.

    Worker processes forked afterwards start with them ready instead of each
    building them again on its first case. Only an optimisation: if the
    session cannot start, each case reports that itself.
    """
    with contextlib.suppress(Exception):
        _Runner(options).run("None", "<warm-up>")


def not_run_result(target: Target, *, skipped: bool) -> TargetResult:
    """The result for a program whose golden is missing, without running it."""
    message = f"no golden {target.golden_path}"
    status = SKIPPED if skipped else MISSING
    return TargetResult(target, (CaseResult(target.path, target.path, 1, status, message),))


def error_result(target: Target, message: str, details: str = "") -> TargetResult:
    """A single :data:`ERROR` case standing for the whole target."""
    return TargetResult(target, (CaseResult(target.path, target.path, 1, ERROR, message,
                                            details),))


def _run_program(target: Target, options: RunOptions | None) -> TargetResult:
    path = target.path
    try:
        source = _read_text(path)
        want_out = _read_text(target.golden_path) if target.has_golden() else None
        want_err = (_read_text(target.error_path).strip() or None
                    if os.path.isfile(target.error_path) else None)
    except (OSError, UnicodeDecodeError) as e:
        return error_result(target, f"cannot read: {_reason(e)}")
    start = time.perf_counter()
    options = replace(options or RunOptions(),
                      echo=echoes(path, None if options is None else options.echo))
    try:
        outcome = _Runner(options).run(source, path)
    except Exception:  # noqa: BLE001 - the session could not even start
        outcome = Outcome("", crash=traceback.format_exc())
    duration = time.perf_counter() - start
    if outcome.crash:
        return TargetResult(target, (CaseResult(path, path, 1, ERROR,
                                                "gradcli failed with an internal error",
                                                outcome.crash, duration),))
    updates: list[tuple[str, str | None]] = []
    problems: list[str] = []
    details: list[str] = []
    if want_out is None:
        updates.append((target.golden_path, outcome.output))
        if outcome.error_kind:
            updates.append((target.error_path, outcome.error_kind + "\n"))
        return TargetResult(target, (CaseResult(path, path, 1, MISSING,
                                                f"no golden {target.golden_path}", "",
                                                duration),), tuple(updates))
    if outcome.output != want_out:
        problems.append(f"output differs from {target.golden_path}")
        details.append(unified_diff(want_out, outcome.output,
                                    f"{target.golden_path} (expected)", f"{path} (actual)"))
        updates.append((target.golden_path, outcome.output))
    if outcome.error_kind != want_err:
        problems.append(_error_mismatch(want_err, outcome.error_kind, target.error_path))
        updates.append((target.error_path,
                        outcome.error_kind + "\n" if outcome.error_kind else None))
    if problems and outcome.error_report:
        details.append("the program stopped with:\n" + outcome.error_report + "\n")
    if not problems:
        return TargetResult(target, (CaseResult(path, path, 1, PASSED, duration=duration),))
    case = CaseResult(path, path, 1, FAILED, "; ".join(problems), "".join(details), duration)
    return TargetResult(target, (case,), tuple(updates))


def _error_mismatch(want: str | None, got: str | None, error_path: str) -> str:
    if want is None:
        return f"expected no error, got {got}"
    if got is None:
        return f"expected {want} ({error_path}), but the program finished without error"
    return f"expected {want} ({error_path}), got {got}"


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def _reason(error: Exception) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    return getattr(error, "strerror", None) or str(error)


# ---------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------

_HUNK = re.compile(r"^@@ -(\d+)((?:,\d+)?) \+(\d+)((?:,\d+)?) @@")


def unified_diff(expected: str, actual: str, expected_label: str, actual_label: str,
                 *, first_line: int = 1) -> str:
    """A unified diff from ``expected`` to ``actual`` ('' when they are equal).

    A last line without a newline is marked as ``diff`` does, and a note is
    added when the texts differ only in whitespace at line ends (which a diff
    cannot show). ``first_line`` numbers the hunks from that line of a file.

    Example:
        >>> print(unified_diff("a\\nb\\n", "a\\nc\\n", "want", "got"), end="")
        --- want
        +++ got
        @@ -1,2 +1,2 @@
         a
        -b
        +c
    """
    if expected == actual:
        return ""
    lines = []
    for line in difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                     expected_label, actual_label):
        if first_line != 1 and line.startswith("@@"):
            line = _HUNK.sub(lambda m: (f"@@ -{int(m[1]) + first_line - 1}{m[2]} "
                                        f"+{int(m[3]) + first_line - 1}{m[4]} @@"), line)
        if line.endswith("\n"):
            lines.append(line)
        else:
            lines.append(line + "\n\\ No newline at end of file\n")
    if _strip_line_ends(expected) == _strip_line_ends(actual):
        lines.append("(the texts differ only in whitespace at the ends of lines)\n")
    return "".join(lines)


def _strip_line_ends(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def _transcript_lines(text: str) -> list[str]:
    # What a transcript comparison sees: trailing whitespace and trailing
    # blank lines are not significant (editors strip them from Markdown).
    lines = _strip_line_ends(text)
    while lines and not lines[-1]:
        lines.pop()
    return lines


# ---------------------------------------------------------------------------
# Transcripts
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Example:
    """One statement of a transcript and the output written after it.

    Attributes:
        source: the statement without its prompts (several lines for a block
            statement continued with ``... ``).
        line: the line of its ``>>> `` prompt in the file (from 1).
        indent: the whitespace before the prompt; output lines carry it too.
        want: the expected output, without the indent and trailing blank lines.
        want_start: index of the first expected line in the file's lines.
        want_end: index after the last non-blank expected line.
    """

    source: str
    line: int
    indent: str
    want: str
    want_start: int
    want_end: int


@dataclass(frozen=True)
class Block:
    """A run of examples: a ```` ```gradcli ```` block, or a whole text file.

    Attributes:
        line: the line of its first prompt (names the case: ``README.md:12``).
        start: index of its first line in the file's lines.
        end: index after its last line.
        examples: its statements in order.
    """

    line: int
    start: int
    end: int
    examples: tuple[Example, ...]


_FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})(.*)$")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as transcript line indexes count them.

    Only ``\\n`` (after ``\\r\\n`` became ``\\n``) ends a line; a final newline
    does not start one more line.
    """
    text = text.replace("\r\n", "\n")
    text = text.removesuffix("\n")
    return text.split("\n") if text else []


def parse_transcript(text: str, *, markdown: bool) -> list[Block]:
    """The transcript blocks of a Markdown file, or of a plain text transcript.

    In Markdown, a fenced block whose info string is ``gradcli`` and whose
    first non-blank line starts with ``>>>`` is a transcript; other blocks are
    prose. A text file is one block from its first ``>>>`` line to its end
    (text before that line is a free-form heading).

    Example:
        >>> doc = "Intro\\n```gradcli\\n>>> x = 2\\n>>> x * 3\\n6\\n```\\n"
        >>> [b.line for b in parse_transcript(doc, markdown=True)]
        [3]
    """
    lines = split_lines(text)
    if not markdown:
        block = _parse_block(lines, 0, len(lines), heading=True)
        return [block] if block else []
    blocks = []
    index = 0
    while index < len(lines):
        fence = _FENCE.match(lines[index])
        if not fence or (fence[2][0] == "`" and "`" in fence[3]):
            index += 1
            continue
        marker = fence[2]
        close = index + 1
        while close < len(lines) and not _closes(lines[close], marker):
            close += 1
        info = fence[3].split()
        if info and info[0] == INFO_STRING:
            block = _parse_block(lines, index + 1, close)
            if block:
                blocks.append(block)
        index = close + 1
    return blocks


def _closes(line: str, marker: str) -> bool:
    stripped = line.strip()
    return (stripped.startswith(marker) and stripped == marker[0] * len(stripped))


def _parse_block(lines: Sequence[str], start: int, end: int, *,
                 heading: bool = False) -> Block | None:
    """The examples in ``lines[start:end]``; None when it is not a transcript.

    With ``heading``, lines before the first prompt are skipped (a text file);
    without, the first non-blank line must be a prompt (a Markdown block).
    """
    first = start
    while first < end and not (lines[first].strip() and (
            not heading or _is_prompt(lines[first].lstrip(), PROMPT))):
        first += 1
    if first == end or not _is_prompt(lines[first].lstrip(), PROMPT):
        return None
    examples = []
    index = first
    while index < end:
        line = lines[index]
        indent = line[:len(line) - len(line.lstrip())]
        statement = [_after_prompt(line.lstrip(), PROMPT)]
        prompt_line = index + 1
        index += 1
        while index < end and _is_prompt(_dedent(lines[index], indent), CONTINUATION):
            statement.append(_after_prompt(_dedent(lines[index], indent), CONTINUATION))
            index += 1
        want_start = index
        while index < end and not _is_prompt(lines[index].lstrip(), PROMPT):
            index += 1
        want_end = index
        while want_end > want_start and not lines[want_end - 1].strip():
            want_end -= 1
        want = "\n".join(_dedent(lines[i], indent) for i in range(want_start, want_end))
        examples.append(Example("\n".join(statement), prompt_line, indent, want,
                                want_start, want_end))
    return Block(examples[0].line, start, end, tuple(examples))


def _is_prompt(text: str, prompt: str) -> bool:
    return text == prompt or text.startswith(prompt + " ")


def _after_prompt(text: str, prompt: str) -> str:
    return text[len(prompt) + 1:]


def _dedent(line: str, indent: str) -> str:
    width = 0
    while width < len(indent) and width < len(line) and line[width] in " \t":
        width += 1
    return line[width:]


def _run_transcript(target: Target, options: RunOptions | None) -> TargetResult:
    path = target.path
    try:
        with open(path, encoding="utf-8", newline="") as f:
            raw = f.read()
    except (OSError, UnicodeDecodeError) as e:
        return error_result(target, f"cannot read: {_reason(e)}")
    markdown = os.path.splitext(path)[1].lower() in MARKDOWN_SUFFIXES
    lines = split_lines(raw)
    blocks = parse_transcript(raw, markdown=markdown)
    if not blocks:
        return TargetResult(target, ())
    try:
        runner = _Runner(options)
    except Exception:  # noqa: BLE001 - the session could not even start
        crash = traceback.format_exc()
        return TargetResult(target, tuple(
            CaseResult(f"{path}:{b.line}", path, b.line, ERROR,
                       "gradcli failed with an internal error", crash) for b in blocks))
    cases = []
    new_lines: list[str] = []
    copied = 0
    changed = False
    for block in blocks:
        case, block_lines = _check_block(runner, path, lines, block)
        cases.append(case)
        new_lines += lines[copied:block.start] + block_lines
        copied = block.end
        changed = changed or case.status == FAILED
    updates: tuple[tuple[str, str | None], ...] = ()
    if changed:
        new_lines += lines[copied:]
        newline = "\r\n" if "\r\n" in raw else "\n"
        text = newline.join(new_lines) + (newline if raw.endswith("\n") else "")
        updates = ((path, text),)
    return TargetResult(target, tuple(cases), updates)


def _check_block(runner: _Runner, path: str, lines: list[str],
                 block: Block) -> tuple[CaseResult, list[str]]:
    """Runs one block; returns its verdict and its lines as --update would write them."""
    name = f"{path}:{block.line}"
    start = time.perf_counter()
    crashes = []
    replacements = []
    for example in block.examples:
        outcome = runner.run(example.source, path)
        if outcome.crash:
            crashes.append(f"at line {example.line}: {example.source}\n{outcome.crash}")
            continue
        got = outcome.output
        if outcome.error_line is not None:
            got += outcome.error_line + "\n"
        got_lines = _transcript_lines(got)
        if got_lines != _transcript_lines(example.want):
            replacements.append((example, [example.indent + line if line else ""
                                           for line in got_lines]))
    rewritten = list(lines[block.start:block.end])
    # From the last example up, so that earlier indexes stay valid.
    for example, new in reversed(replacements):
        rewritten[example.want_start - block.start:example.want_end - block.start] = new
    duration = time.perf_counter() - start
    if crashes:
        return CaseResult(name, path, block.line, ERROR, "gradcli failed with an internal error",
                          "\n".join(crashes), duration), lines[block.start:block.end]
    if not replacements:
        return CaseResult(name, path, block.line, PASSED, duration=duration), rewritten
    diff = unified_diff("".join(line + "\n" for line in lines[block.start:block.end]),
                        "".join(line + "\n" for line in rewritten),
                        f"{path} (expected)", f"{path} (actual)", first_line=block.start + 1)
    noun = "statement" if len(replacements) == 1 else "statements"
    message = f"output differs after {len(replacements)} {noun}"
    return CaseResult(name, path, block.line, FAILED, message, diff, duration), rewritten


# ---------------------------------------------------------------------------
# Updating goldens
# ---------------------------------------------------------------------------

def apply_updates(updates: Iterable[tuple[str, str | None]]) -> list[Change]:
    """Writes (or removes) golden files so that they say what gradcli printed.

    A file whose bytes already match is not touched (its mtime stays); others
    are replaced atomically (see :func:`write_atomic`).

    Raises:
        OSError: a file could not be written or removed; files handled before
            it stay written.
    """
    changes = []
    for path, text in updates:
        if text is None:
            if os.path.exists(path):
                os.remove(path)
                changes.append(Change(path, "removed"))
            continue
        data = text.encode("utf-8")
        try:
            with open(path, "rb") as f:
                current: bytes | None = f.read()
        except FileNotFoundError:
            current = None
        if current == data:
            continue
        write_atomic(path, data)
        changes.append(Change(path, "created" if current is None else "updated"))
    return changes


def write_atomic(path: str, data: bytes) -> None:
    """Replaces ``path`` with ``data`` so that no reader ever sees half a file.

    The bytes go to a temporary file in the same folder, which then replaces
    ``path`` in one ``os.replace``. An existing file keeps its permissions; a
    new one gets the usual ones (0o666 less the umask).
    """
    folder = os.path.dirname(os.path.abspath(path))
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def mark_updated(result: TargetResult) -> TargetResult:
    """``result`` after its updates were applied: failed and missing cases become updated."""
    cases = tuple(replace(c, status=UPDATED) if c.status in (FAILED, MISSING) else c
                  for c in result.cases)
    return replace(result, cases=cases, updates=())
