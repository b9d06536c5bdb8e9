"""``gradcli check``: golden-output tests for CI.

    gradcli check samples/                   every NAME.gc below, against NAME.out/NAME.err
    gradcli check README.md docs/*.md        ```gradcli transcript blocks
    gradcli check -j 4 --junit-xml report.xml samples/
    gradcli check --update samples/          accept what gradcli prints now

The ``gradcli`` command loads this module only when ``check`` runs (or help
lists it); the work happens in :mod:`gradcli.golden` and the output in
:mod:`gradcli.cli.report`.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import platform
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing

import click

from .. import golden
from ..golden import CaseResult, Target, TargetResult
from ..runtime import RunOptions
from .console import use_color
from .options import run_limits
from .report import Reporter

# A progress bar is drawn on a terminal when there are more files than this.
PROGRESS_THRESHOLD = 20

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

# The most files a worker process gets in one task.
_MAX_CHUNK = 16


@click.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-k", "pattern", metavar="PATTERN",
              help="Only files whose path contains PATTERN.")
@click.option("-x", "--exitfirst", "exit_first", is_flag=True,
              help="Stop at the first failure.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=1, show_default=True,
              help="Worker processes; 0 means one per CPU.")
@click.option("--update", is_flag=True,
              help="Rewrite the goldens of cases that differ or have none, and list them.")
@click.option("--missing-ok", is_flag=True,
              help="Skip programs without a NAME.out instead of failing.")
@click.option("--junit-xml", metavar="FILE", type=click.Path(dir_okay=False),
              help="Also write a JUnit XML report to FILE.")
@run_limits
@click.option("--width", type=click.IntRange(min=20), metavar="N",
              help="Terminal width for diffs and the progress bar (default: the terminal's).")
@click.option("-v", "--verbose", is_flag=True, help="List every case, not only failures.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: one JSON document a line per case, then totals.")
def check_command(paths: Sequence[str], pattern: str | None, exit_first: bool, jobs: int,
                  update: bool, missing_ok: bool, junit_xml: str | None, seed: int,
                  max_steps: int, max_depth: int, echo: bool | None, width: int | None,
                  verbose: bool, fmt: str = "text") -> None:
    """Run programs and transcripts, comparing what they print with golden files.

    \b
    NAME.gc   runs in a fresh session; its stdout must equal NAME.out, and
              when NAME.err exists it must fail with the error class named there
    NAME.py   the same, run as a script (only print() writes); --echo/--no-echo
              forces one mode for every program
    FILE.md   ```gradcli blocks written as a session (>>> and ... prompts,
              each statement followed by its output) must print what they show;
              a FILE.txt is one such transcript
    Folders are searched for *.gc, and for *.py that have a NAME.out. Exit status: 0 all passed, 1 a case failed,
    2 usage error or a missing NAME.out.
    """
    try:
        targets = golden.discover(paths)
    except golden.GoldenError as error:
        raise click.UsageError(str(error)) from None
    if pattern is not None:
        targets = [t for t in targets if pattern in t.path]
    options = RunOptions(seed=seed, max_steps=max_steps, max_depth=max_depth, echo=echo)
    as_json = fmt == "json"
    stream = io.StringIO() if as_json else sys.stdout
    show_progress = _is_terminal(stream) and len(targets) > PROGRESS_THRESHOLD
    reporter = Reporter(stream, color=use_color(stream), width=width, verbose=verbose,
                        progress_total=len(targets) if show_progress else 0)
    cases: list[CaseResult] = []
    stopped = False
    started = time.perf_counter()
    with reporter, closing(_results(targets, options, jobs or os.cpu_count() or 1,
                                    run_missing=update, missing_ok=missing_ok)) as results:
        for result in results:
            if update and result.updates:
                try:
                    changes = golden.apply_updates(result.updates)
                except OSError as error:
                    reporter.problem(f"cannot update {error.filename}: {error.strerror}")
                else:
                    result = golden.mark_updated(result)
                    for change in changes:
                        reporter.change(change)
            for case in result.cases:
                reporter.case(case)
                cases.append(case)
                if as_json:
                    doc = {"case": case.name, "outcome": "failed" if case.status == golden.MISSING
                           else case.status}
                    if case.message:
                        doc["message"] = case.message
                    click.echo(json.dumps(doc, ensure_ascii=False))
            reporter.advance()
            if exit_first and not all(case.ok for case in result.cases):
                stopped = True
                break
    elapsed = time.perf_counter() - started
    if not cases:
        click.echo(f"gradcli check: nothing to check in {' '.join(paths)} "
                   f"(no .gc programs, no ```gradcli transcript blocks)", err=True)
        sys.exit(EXIT_USAGE)
    if stopped:
        reporter.note("stopped at the first failure (-x)")
    if junit_xml:
        try:
            write_junit_xml(junit_xml, cases, elapsed)
        except OSError as error:
            click.echo(f"gradcli check: cannot write {junit_xml}: {error.strerror}", err=True)
            sys.exit(EXIT_USAGE)
    count = Counter(case.status for case in cases)
    failed = count[golden.FAILED] + count[golden.ERROR] + count[golden.MISSING]
    reporter.summary(count[golden.PASSED], failed, count[golden.SKIPPED], count[golden.UPDATED])
    if as_json:
        click.echo(json.dumps({"passed": count[golden.PASSED], "failed": failed}))
    if count[golden.MISSING]:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


def _is_terminal(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _results(targets: list[Target], options: RunOptions, jobs: int, *,
             run_missing: bool, missing_ok: bool) -> Iterator[TargetResult]:
    """Checks ``targets``, yielding their results in the order of ``targets``.

    With ``jobs`` > 1 the targets run in that many worker processes, each
    target in a fresh session; results still come in order, whatever order
    the workers finish in. Closing the iterator early cancels what has not
    started.
    """
    # A program without its golden is not run unless --update is to write one.
    ready = [None if run_missing or t.has_golden() else
             golden.not_run_result(t, skipped=missing_ok) for t in targets]
    to_run = sum(r is None for r in ready)
    if jobs <= 1 or to_run <= 1:
        for target, result in zip(targets, ready):
            yield result if result is not None else golden.run_target(target, options)
        return
    runnable = [i for i, r in enumerate(ready) if r is None]
    workers = min(jobs, to_run)
    # Several files per task: one round trip per file costs as much as a small program.
    size = max(1, min(_MAX_CHUNK, to_run // (workers * 4)))
    chunks = [runnable[k:k + size] for k in range(0, to_run, size)]
    golden.warm_up(options)
    pool = ProcessPoolExecutor(workers)
    try:
        pending = {chunk[0]: (chunk, pool.submit(golden.run_targets,
                                                 [targets[i] for i in chunk], options))
                   for chunk in chunks}
        for index in range(len(targets)):
            if index in pending:
                chunk, future = pending.pop(index)
                try:
                    results = future.result()
                except Exception as error:  # noqa: BLE001 - a worker died (killed, out of memory)
                    results = [golden.error_result(targets[i], f"worker process failed: {error!r}")
                               for i in chunk]
                for i, result in zip(chunk, results):
                    ready[i] = result
            yield ready[index]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# ---------------------------------------------------------------------------
# JUnit XML
# ---------------------------------------------------------------------------

def write_junit_xml(path: str, cases: Sequence[CaseResult], seconds: float) -> None:
    """Writes ``cases`` as JUnit XML: one ``testsuite``, one ``testcase`` per case.

    A failed case carries a ``failure`` (its diff as text), an internal error
    or a missing golden an ``error``, a skipped case ``skipped``; updated cases
    count as passed. Layout as pytest's ``--junitxml`` writes it, which CI
    systems (Jenkins, GitLab, GitHub actions) read.
    """
    def count(*statuses: str) -> str:
        return str(sum(c.status in statuses for c in cases))

    totals = {"tests": str(len(cases)), "failures": count(golden.FAILED),
              "errors": count(golden.ERROR, golden.MISSING), "skipped": count(golden.SKIPPED),
              "time": f"{seconds:.3f}"}
    root = ET.Element("testsuites", {"name": "gradcli check", **totals})
    suite = ET.SubElement(root, "testsuite", {
        "name": "gradcli check", **totals,
        "timestamp": datetime.datetime.now().isoformat(timespec="seconds"),
        "hostname": platform.node()})
    for case in cases:
        folder = os.path.dirname(case.path)
        element = ET.SubElement(suite, "testcase", {
            "classname": ".".join(p for p in folder.split(os.sep) if p not in ("", ".", ".."))
                         or "gradcli",
            "name": os.path.basename(case.name),
            "file": case.path, "line": str(case.line), "time": f"{case.duration:.3f}"})
        kind = {golden.FAILED: ("failure", "golden mismatch"),
                golden.ERROR: ("error", "internal error"),
                golden.MISSING: ("error", "missing golden"),
                golden.SKIPPED: ("skipped", None)}.get(case.status)
        if kind is None:
            continue
        tag, type_ = kind
        attributes = {"message": _xml_safe(case.message)}
        if type_:
            attributes["type"] = type_
        child = ET.SubElement(element, tag, attributes)
        if case.details:
            child.text = _xml_safe(case.details)
    ET.indent(root)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _xml_safe(text: str) -> str:
    # XML 1.0 cannot hold most control characters, even escaped.
    return "".join(c if c in "\t\n\r" or " " <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd"
                   or c >= "\U00010000" else f"\\x{ord(c):02x}" for c in text)
