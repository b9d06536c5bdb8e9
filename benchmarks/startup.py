#!/usr/bin/env python3
"""Start-up cost of a one-liner, as ratios against references measured in the same run.

    python benchmarks/startup.py [--runs N]

Prints the median wall time of each command over N runs (alternating, so machine
load affects all alike) and the ratios of the gradcli one-liner to
`python -c "import numpy"` and to importing all of gradcli's dependencies.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

ONE_LINER = "tensor([1., 2.]) * 2"

COMMANDS = {
    "gradcli one-liner": [sys.executable, "-m", "gradcli", ONE_LINER],
    "import numpy": [sys.executable, "-c", "import numpy"],
    "import numpy, click, lark, rich": [sys.executable, "-c",
                                        "import numpy, click, lark, rich.console"],
}


def measure(runs: int) -> dict[str, float]:
    times = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, cmd in COMMANDS.items():
            start = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    subprocess.run(COMMANDS["gradcli one-liner"], check=True, stdout=subprocess.DEVNULL)
    medians = measure(args.runs)
    for name, seconds in medians.items():
        print(f"{name:<34} {seconds * 1000:8.1f} ms")
    one = medians["gradcli one-liner"]
    print(f"ratio to import numpy:              {one / medians['import numpy']:.2f}")
    print(f"ratio to importing the dependencies: "
          f"{one / medians['import numpy, click, lark, rich']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
