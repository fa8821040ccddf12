"""How much the ctxlint plugin adds to a flake8 run.

    python bench/flake8_overhead.py PATH [--repeat N] [-- FLAKE8 ARGS...]

Runs ``flake8 PATH`` with every installed plugin, ctxlint included, and once
more with ctxlint left out (the same flake8, the same plugins, the same
options), each ``--repeat`` times, in fresh processes, and prints the best
wall-clock times and their ratio; by default once with ``-j 1`` and once with
flake8's default job count.  Needs ctxlint installed (``pip install -e .``) so
that flake8 finds the plugin.  Not a test.

Leaving the plugin out works by filtering flake8's plugin list in the process
that starts flake8; its worker processes inherit that with ``fork`` (Linux).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

# Starts flake8 with or without the ctxlint plugin.
LAUNCHER = """
import sys
from flake8.plugins import finder
mode = sys.argv.pop(1)
_find = finder.find_plugins
def find_plugins(cfg, opts):
    plugins = _find(cfg, opts)
    if not any(p.package == "ctxlint" for p in plugins):
        sys.exit("ctxlint is not registered with flake8: pip install -e . first")
    return [p for p in plugins if mode == "with" or p.package != "ctxlint"]
finder.find_plugins = find_plugins
from flake8.main.cli import main
main(sys.argv[1:])
"""


def run(mode: str, args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", LAUNCHER, mode, *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"flake8 failed ({proc.returncode}):\n{proc.stderr}")
    return elapsed, proc.stdout


def best(mode: str, args: list[str], repeat: int) -> tuple[float, str]:
    times, out = [], ""
    for _ in range(repeat):
        t, out = run(mode, args)
        times.append(t)
    return min(times), out


def main() -> int:
    argv = sys.argv[1:]
    extra: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("path", help="the directory (or file) to run flake8 on")
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best counts (default 3)")
    p.add_argument("--jobs", action="append", default=None,
                   help="flake8 -j values to measure (default: 1 and flake8's default, auto)")
    opts = p.parse_args(argv)
    if not os.path.exists(opts.path):
        sys.exit(f"{opts.path}: no such file or directory")
    jobs = opts.jobs or ["1", "auto"]
    lines = sum(1 for root, _, files in os.walk(opts.path) for f in files if f.endswith(".py")
                for _ in open(os.path.join(root, f), "rb"))
    print(f"flake8 on {opts.path} ({lines} lines of Python), best of {opts.repeat}, cpus: {os.cpu_count()}")
    worst = 0.0
    for j in jobs:
        args = [*extra, "-j", j, opts.path]
        run("with", args)  # warm the file system cache
        base, base_out = best("without", args, opts.repeat)
        plugged, out = best("with", args, opts.repeat)
        ctx = sum(1 for line in out.splitlines() if ": CTX" in line)
        others = len(base_out.splitlines())
        ratio = plugged / base
        worst = max(worst, ratio)
        print(f"  -j {j:>4}: flake8 {base:6.2f}s ({others} results)   with ctxlint {plugged:6.2f}s "
              f"({ctx} CTX results)   ratio {ratio:.2f}x")
    print(f"overhead ratio: {worst:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
