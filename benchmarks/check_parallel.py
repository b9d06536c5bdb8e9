#!/usr/bin/env python3
"""Benchmark: ``gradcli check`` over many small golden programs, serial against parallel.

usage: python benchmarks/check_parallel.py [--files 500] [--jobs 2] [--repeat 3]

Writes FILES small programs to a temporary folder, lets ``gradcli check
--update`` write their goldens (not timed), then times ``gradcli check -j 1``
and ``gradcli check -j JOBS`` in fresh processes, as CI runs them (best of
REPEAT). Both runs must pass. Prints the times and the ratio serial/parallel:
above 1 means the parallel run is faster.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

PROGRAM = """\
x = arange({n}).float() * {scale}
x
(x + 1).sum()
y = ones({n}, requires_grad=True)
(y * x).sum().backward()
y.grad
"""


def write_programs(folder: str, count: int) -> None:
    for i in range(count):
        sub = os.path.join(folder, f"group{i % 10}")
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"case{i:04d}.gc"), "w", encoding="utf-8") as f:
            f.write(PROGRAM.format(n=i % 9 + 1, scale=i % 5 + 1))


def gradcli_check(folder: str, *args: str) -> float:
    """Seconds one ``gradcli check`` takes; raises if it does not exit 0."""
    command = [sys.executable, "-m", "gradcli", "check", *args, folder]
    start = time.perf_counter()
    result = subprocess.run(command, check=False, capture_output=True, text=True,
                            env={**os.environ, "NO_COLOR": "1"})
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} exited {result.returncode}:\n"
                 f"{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gradcli-check-bench-") as folder:
        write_programs(folder, args.files)
        gradcli_check(folder, "--update")
        serial = min(gradcli_check(folder, "-j", "1") for _ in range(args.repeat))
        parallel = min(gradcli_check(folder, "-j", str(args.jobs)) for _ in range(args.repeat))
    print(f"gradcli check, {args.files} programs (best of {args.repeat}, "
          f"{os.cpu_count()} CPUs)")
    print(f"  -j 1: {serial:7.3f} s")
    print(f"  -j {args.jobs}: {parallel:7.3f} s")
    print(f"  ratio (-j 1 / -j {args.jobs}): {serial / parallel:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
