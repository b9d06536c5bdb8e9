#!/usr/bin/env python3
"""Drawing 10**7 random numbers: gradcli against PyTorch, as ratios in the same run.

    python benchmarks/random_draws.py [--runs N] [--size N]

Both draw the same stream (gradcli reproduces PyTorch's CPU generator bit for
bit); PyTorch is pinned to one thread. Prints the median seconds of each and the
median of the paired ratios (gradcli / PyTorch) with its min-max spread. Needs
PyTorch installed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--size", type=int, default=10**7)
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: nothing to compare with", file=sys.stderr)
        return 2
    from gradcli.api import torch as api

    torch.set_num_threads(1)
    ours = api.build()["torch"]
    rows = [("randn float32", lambda T: T.randn(args.size)),
            ("rand float32", lambda T: T.rand(args.size)),
            ("randn float64", lambda T: T.randn(args.size, dtype=T.float64))]
    print(f"{'workload':<16} {'gradcli':>9} {'PyTorch':>9} {'ratio':>7}  spread")
    for name, draw in rows:
        mine, theirs = [], []
        for _ in range(args.runs):
            for T, times in ((ours, mine), (torch, theirs)):
                T.manual_seed(0)
                start = time.perf_counter()
                draw(T)
                times.append(time.perf_counter() - start)
        ratios = [a / b for a, b in zip(mine, theirs)]
        print(f"{name:<16} {statistics.median(mine):8.3f}s {statistics.median(theirs):8.3f}s "
              f"{statistics.median(ratios):6.2f}x  {min(ratios):.2f}-{max(ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
