#!/usr/bin/env python3
"""Write the outputs of Markdown transcripts with PyTorch, and compare them with gradcli.

    python tools/transcript_oracle.py docs/tutorial.md [more.md ...]

For each ```gradcli block, every statement runs in PyTorch as the project's oracle
runs a program (../shared/tools/oracle.py: REPL semantics, torch's names bare, seed 0,
addresses removed), one namespace per file; what PyTorch prints replaces the expected
output in the file. A statement that raises gets `Class: message` with PyTorch's class
and gradcli's message (messages are gradcli's own words) when gradcli raises the same
class. Every statement where gradcli prints something else is listed, and the exit
status is 1: gradcli, not the page, needs fixing then (or the example).
Needs PyTorch (`pip install torch==2.13.0`).
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, ROOT)
ORACLE = os.path.join(ROOT, "..", "shared", "tools")

from gradcli import golden


def pytorch_outputs(path: str, blocks) -> list[tuple[str, str | None]]:
    """(printed text, exception class or None) for each statement, in order."""
    sys.path.insert(0, ORACLE)
    import oracle  # the project's reference runner (lazy: only here is PyTorch needed)
    import torch

    torch.manual_seed(0)  # as oracle.run starts every program
    namespace = oracle.namespace()
    results = []
    for block in blocks:
        for example in block.examples:
            out, error = io.StringIO(), None
            with contextlib.redirect_stdout(out):
                try:
                    for statement in ast.parse(example.source + "\n", path).body:
                        code = compile(ast.Interactive(body=[statement]), path, "single")
                        exec(code, namespace)  # noqa: S102 - the page's own example
                except BaseException as e:  # noqa: BLE001 - any error is an output
                    error = type(e).__name__
            results.append((oracle.ADDR.sub(">", out.getvalue()).rstrip("\n"), error))
    return results


def gradcli_outputs(raw: str) -> list[str]:
    """What gradcli prints for each statement: `gradcli check --update` on a copy."""
    folder = tempfile.mkdtemp()
    try:
        copy = os.path.join(folder, "page.md")
        with open(copy, "w", encoding="utf-8") as f:
            f.write(raw)
        subprocess.run([sys.executable, "-m", "gradcli", "check", "--update", copy],
                       capture_output=True, check=False, env={**os.environ, "NO_COLOR": "1"})
        with open(copy, encoding="utf-8") as f:
            updated = f.read()
    finally:
        shutil.rmtree(folder)
    return [e.want for b in golden.parse_transcript(updated, markdown=True) for e in b.examples]


def fill(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    lines = golden.split_lines(raw)
    blocks = golden.parse_transcript(raw, markdown=True)
    examples = [e for b in blocks for e in b.examples]
    torch_results = pytorch_outputs(path, blocks)
    ours = gradcli_outputs(raw)
    mismatches = 0
    for example, (text, error), got in reversed(list(zip(examples, torch_results, ours))):
        want = text
        if error:
            got_lines = got.split("\n")
            if got_lines[-1].startswith(error + ":") and "\n".join(got_lines[:-1]) == text:
                want = got
            else:
                want = (text + "\n" if text else "") + f"{error}: ..."
        if want != got:
            mismatches += 1
            print(f"{path}:{example.line}: gradcli differs from PyTorch\n"
                  f"  PyTorch:\n{_indent(want)}\n  gradcli:\n{_indent(got)}")
        new = [example.indent + line if line else "" for line in want.split("\n")] if want else []
        lines[example.want_start:example.want_end] = new
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{path}: {len(examples)} statements, {mismatches} where gradcli differs")
    return mismatches


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.split("\n"))


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return 1 if sum(fill(path) for path in argv) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
