"""Edit → findings latency of a long-lived :class:`ctxlint.engine.Workspace` (what the language server does).

    python bench/incremental.py                        # 200k and 800k lines, 10 edits of each kind
    python bench/incremental.py --sizes 200k --edits 5 --keep /tmp/ctxbench

For each size, ``bench/generate.py`` writes a project (``--keep DIR`` keeps it and reuses it), one
Workspace analyses it cold (summaries in memory, no disk cache), then each edit is an unsaved buffer
(``overrides``, as an editor sends it) of the helper module that most modules import
(the manifest's ``touch``), analysed by the same Workspace:

* ``comment``: a comment line appended at the end (what ``bench/run.py``'s "one file changed" does);
* ``code``: a line inserted as the first statement of the module's first function
  (``edited_<i> = log.debug("edited")``, a new name each time): the module's summary changes.

Each edit is applied to the generated text (edits do not pile up); each buffer differs from the
last.  Prints wall-clock and CPU seconds (medians over ``--edits``) and the CPU time other processes
used meanwhile (a busy machine skews wall-clock figures).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import generate  # noqa: E402  (bench/generate.py)
from run import cpu_busy_seconds, own_cpu_seconds, parse_size, size_label  # noqa: E402

from ctxlint.engine import Options, Workspace  # noqa: E402


def code_edit(text: bytes, i: int) -> bytes:
    """``text`` with a line inserted as the first statement of its first function (after its docstring)."""
    lines = text.split(b"\n")
    for n, line in enumerate(lines):
        if line.startswith(b"def "):
            at = n + 1
            if lines[at].lstrip().startswith(b'"""'):
                at += 1
            lines.insert(at, b'    edited_%d = log.debug("edited")' % i)
            return b"\n".join(lines)
    raise ValueError("no function to edit")


def comment_edit(text: bytes, i: int) -> bytes:
    return text + b"# edited by bench/incremental.py, %d\n" % i


def bench(size: int, opts: argparse.Namespace, work: str) -> None:
    label = size_label(size)
    tree = os.path.join(opts.keep or work, f"tree-{label}-seed{opts.seed}")
    manifest = None
    if opts.keep and os.path.exists(os.path.join(tree, generate.MANIFEST)):
        with open(os.path.join(tree, generate.MANIFEST)) as fh:
            manifest = json.load(fh)
        if manifest.get("target_lines") != size or manifest.get("seed") != opts.seed:
            manifest = None
    if manifest is None:
        manifest = generate.generate(tree, size, opts.seed)
    path = os.path.join(tree, manifest["touch"])
    with open(path, "rb") as fh:
        original = fh.read()
    ws = Workspace([tree], Options(use_cache=False, jobs=opts.jobs))
    t0, c0 = time.perf_counter(), time.process_time()
    cold = ws.analyse()
    print(f"== {label}: {manifest['lines']} lines in {manifest['files']} files; cold Workspace analysis "
          f"{time.perf_counter() - t0:.2f} s wall, {time.process_time() - c0:.2f} s CPU (this process), "
          f"{len(cold.findings)} findings", flush=True)
    for kind, edit in (("comment", comment_edit), ("code", code_edit)):
        walls: list[float] = []
        cpus: list[float] = []
        busy0, own0, started = cpu_busy_seconds(), own_cpu_seconds(), time.perf_counter()
        for i in range(opts.edits):
            buffer = edit(original, i)
            t0, c0 = time.perf_counter(), time.process_time()
            result = ws.analyse({path: buffer})
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        took = time.perf_counter() - started
        foreign = max(0.0, (cpu_busy_seconds() - busy0) - (own_cpu_seconds() - own0))
        print(f"   {kind:8s} edit → findings: median {statistics.median(walls):.3f} s wall "
              f"({min(walls):.3f}–{max(walls):.3f}), {statistics.median(cpus):.3f} s CPU; "
              f"{len(result.findings)} findings; other processes used "
              f"{foreign / took / (os.cpu_count() or 1) * 100:.0f}% of the machine", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="200k,800k")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--edits", type=int, default=10)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--keep", metavar="DIR", help="generate the projects into DIR, keep them, and reuse them")
    opts = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ctxinc-") as work:
        for size in (parse_size(s) for s in opts.sizes.split(",")):
            bench(size, opts, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
