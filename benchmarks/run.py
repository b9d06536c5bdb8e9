#!/usr/bin/env python3
"""gradcli's performance kit: whole-process timings as ratios against references.

    python benchmarks/run.py [WORKLOAD ...] [--runs N] [--threads N]

Each workload is a gradcli program (written to a temporary folder) and its
references: the same program run by PyTorch when it is installed, a hand-written
NumPy equivalent where one makes sense, and for ``startup`` the floor of
importing gradcli's own dependencies. Processes are timed in interleaved pairs
(A B A B ...) after one warm-up each; the table shows, per reference, the median
of the paired ratios (gradcli / reference) with their min-max spread, and the
peak memory (max RSS) of each side. BLAS is pinned to ``--threads`` threads
(default 1) in every process.

Workloads: startup, dispatch, deep, mlp, bigfile, check.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PRELUDE_TORCH = "import torch\n"

WORKLOADS = {}


def workload(name: str):
    def register(fn):
        WORKLOADS[name] = fn
        return fn
    return register


@workload("startup")
def _startup(folder: str) -> dict:
    return {"gradcli": [sys.executable, "-m", "gradcli", "tensor([1., 2.]) * 2"],
            "floor (import numpy, rich, click, lark)":
                [sys.executable, "-c", "import numpy, rich.console, click, lark"],
            "PyTorch": [sys.executable, "-c",
                        "import torch; print(torch.tensor([1., 2.]) * 2)"]}


DISPATCH = """\
x = torch.tensor(0.5, requires_grad=True)
for rep in range(10):
    y = torch.tensor(1.0)
    for i in range(5000):
        y = y * 1.0001 + x * 0.0001
    y.backward()
print(x.grad)
"""


@workload("dispatch")
def _dispatch(folder: str) -> dict:
    return _program(folder, "dispatch", DISPATCH)


DEEP = """\
x = torch.tensor(1.0, requires_grad=True)
y = x
for i in range(100000):
    y = y + x
y.backward()
print(x.grad)
"""


@workload("deep")
def _deep(folder: str) -> dict:
    return _program(folder, "deep", DEEP)


MLP = """\
torch.manual_seed(0)
x = torch.randn(512, 1024)
target = torch.randn(512, 10)
w1 = (torch.randn(1024, 1024) * 0.03).requires_grad_()
w2 = (torch.randn(1024, 10) * 0.03).requires_grad_()
for step in range(20):
    h = (x @ w1).relu()
    loss = ((h @ w2 - target) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w1 -= 0.01 * w1.grad
        w2 -= 0.01 * w2.grad
        w1.grad = None
        w2.grad = None
print(round(loss.item(), 4))
"""

MLP_NUMPY = """\
import numpy as np
rng = np.random.default_rng(0)
x = rng.standard_normal((512, 1024), dtype=np.float32)
target = rng.standard_normal((512, 10), dtype=np.float32)
w1 = (rng.standard_normal((1024, 1024), dtype=np.float32) * np.float32(0.03))
w2 = (rng.standard_normal((1024, 10), dtype=np.float32) * np.float32(0.03))
for step in range(20):
    a = x @ w1
    h = np.maximum(a, 0)
    out = h @ w2 - target
    loss = (out ** 2).mean()
    g_out = out * np.float32(2 / out.size)
    g_w2 = h.T @ g_out
    g_h = g_out @ w2.T
    g_h[a <= 0] = 0
    g_w1 = x.T @ g_h
    w1 -= np.float32(0.01) * g_w1
    w2 -= np.float32(0.01) * g_w2
print(round(float(loss), 4))
"""


@workload("mlp")
def _mlp(folder: str) -> dict:
    commands = _program(folder, "mlp", MLP)
    path = os.path.join(folder, "mlp_numpy.py")
    with open(path, "w", encoding="utf-8") as f:
        f.write(MLP_NUMPY)
    commands["NumPy by hand"] = [sys.executable, path]
    return commands


@workload("bigfile")
def _bigfile(folder: str) -> dict:
    lines = ["x = torch.ones(3)"]
    for i in range(1, 20000):
        lines.append("x" if i % 100 == 0 else f"y{i % 50} = x * {i % 7 + 1} + {i % 3}")
    return _program(folder, "bigfile", "\n".join(lines) + "\n", echo=True)


@workload("check")
def _check(folder: str) -> dict:
    goldens = os.path.join(folder, "goldens")
    os.makedirs(goldens, exist_ok=True)
    for i in range(500):
        with open(os.path.join(goldens, f"p{i:03d}.gc"), "w", encoding="utf-8") as f:
            f.write(f"x = arange({i % 7 + 2}).float() * {i % 5 + 1}\n(x + 1).sum()\n")
    subprocess.run([sys.executable, "-m", "gradcli", "check", "--update", goldens],
                   check=True, capture_output=True)
    files = sorted(os.path.join(goldens, n) for n in os.listdir(goldens) if n.endswith(".gc"))
    return {"gradcli check -j 1": [sys.executable, "-m", "gradcli", "check", "-j", "1",
                                   goldens],
            "gradcli run, one process per file":
                [sys.executable, "-c", _ONE_PROCESS_EACH, *files[:50]]}


# 50 files run one process each, scaled to 500: what `check` saves by staying in process.
_ONE_PROCESS_EACH = (
    "import subprocess, sys\n"
    "for path in sys.argv[1:]:\n"
    "    subprocess.run([sys.executable, '-m', 'gradcli', 'run', path], check=True,\n"
    "                   capture_output=True)\n")


def _program(folder: str, name: str, source: str, echo: bool = False) -> dict:
    path = os.path.join(folder, f"{name}.gc")
    with open(path, "w", encoding="utf-8") as f:
        f.write(source)
    commands = {"gradcli": [sys.executable, "-m", "gradcli", "run", path]}
    if _has_torch():
        script = os.path.join(folder, f"{name}_torch.py")
        with open(script, "w", encoding="utf-8") as f:
            body = source
            if echo:  # bare expressions would print in gradcli's REPL semantics
                body = "\n".join(f"print({line})" if line == "x" else line
                                 for line in source.splitlines())
            f.write(PRELUDE_TORCH + "torch.set_num_threads(THREADS)\n" + body)
        commands["PyTorch"] = [sys.executable, script]
    return commands


def _has_torch() -> bool:
    return subprocess.run([sys.executable, "-c", "import torch"], check=False,
                          capture_output=True).returncode == 0


def _time(cmd: list, env: dict) -> float:
    """Seconds of one whole process."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
    return time.perf_counter() - start


def _peak(cmd: list, env: dict) -> float:
    """Peak memory (MiB) of one run, measured alone so it is not the max of all so far."""
    probe = ("import resource, subprocess, sys\n"
             "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], check=True, env=env, cwd=ROOT,
                         capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def run(name: str, runs: int, threads: int) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads),
           "MKL_NUM_THREADS": str(threads), "NO_COLOR": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode
    with tempfile.TemporaryDirectory() as folder:
        commands = WORKLOADS[name](folder)
        for cmd in commands.values():
            for part in cmd:
                if part.endswith("_torch.py"):
                    with open(part, encoding="utf-8") as f:
                        text = f.read().replace("THREADS", str(threads))
                    with open(part, "w", encoding="utf-8") as f:
                        f.write(text)
        ours_key = next(iter(commands))
        for cmd in commands.values():  # warm-up: bytecode, parser cache
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
        times = {key: [] for key in commands}
        for _ in range(runs):
            for key, cmd in commands.items():
                times[key].append(_time(cmd, env))
        peaks = {key: _peak(cmd, env) for key, cmd in commands.items()}
        ours = times[ours_key]
        print(f"{name}: {ours_key} {statistics.median(ours):.3f}s, peak {peaks[ours_key]:.0f} MiB")
        for key in list(commands)[1:]:
            ratios = [a / b for a, b in zip(ours, times[key])]
            print(f"  vs {key}: {statistics.median(times[key]):.3f}s, peak {peaks[key]:.0f} MiB"
                  f" -> ratio {statistics.median(ratios):.2f} "
                  f"({min(ratios):.2f}-{max(ratios):.2f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", metavar="WORKLOAD",
                        help=f"any of {', '.join(WORKLOADS)} (default: all)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload {unknown[0]!r}; choose from {', '.join(WORKLOADS)}")
    for name in args.workloads or list(WORKLOADS):
        run(name, args.runs, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
