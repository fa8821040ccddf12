"""Benchmark ctxlint against flake8 and ruff on generated Flask projects.

    python bench/run.py                      # 50k, 200k and 800k lines, 5 runs each; writes bench/RESULTS.md
    python bench/run.py --quick              # smoke: 20k lines, 1 run; writes its table to the temp dir
    python bench/run.py --sizes 50k,200k --runs 3 --keep /tmp/ctxbench
    python bench/run.py --large              # also 2.4M lines (about 20,000 files: an hour or more)

For each size, ``bench/generate.py`` writes a project into a temporary
directory (``--keep DIR`` keeps it there and reuses it next time), and on that
same tree the benchmark times, as medians of ``--runs`` fresh processes:

* ctxlint cold: ``--no-cache`` with ``--jobs 1`` and ``--jobs 2``, and with an
  empty cache (the default ``.ctxlint_cache/`` at the project root, removed
  before each run);
* ctxlint warm: nothing changed since the last run, cache present;
* ctxlint warm cache restored on a fresh checkout: every file's modification time set to now before each
  run, as a CI runner's checkout writes them (the stat index misses, every file is hashed, the summaries and
  findings are found by content);
* ctxlint after one file changed: a comment line appended to a helper module
  that many modules import, before each run;
* ctxlint cold with ``--format json`` (every finding's fix computed), ``--no-cache``;
* flake8 with its default plugins and the ctxlint plugin turned off
  (``--select E,F,W,C90``: the plugin does not analyse anything when no CTX
  code is selected), ``-j 1`` and ``-j 2``;
* flake8 with the ctxlint plugin (``--extend-select CTX``), ``-j 2``, with
  ctxlint's cache warm (after a ctxlint run) and cold (cache removed; up to
  ``--flake8-cold-max``, 200k lines by default);
* ``ruff check`` with its cache warm and with ``--no-cache``.

Each command runs under ``/usr/bin/time -f %M`` (peak RSS of the largest
process) while a thread samples the RSS of the whole process tree every 50 ms
(the sum over the main process and its workers).  A measurement whose first
run is long is repeated fewer times (``--max-seconds``; never fewer than
``--min-runs``); the table says how many runs each median is of.  The
findings of a cold ctxlint run are checked against the bugs the generator
planted.  The report goes to stdout and, as markdown with the issue's targets
marked met or not met, to ``bench/RESULTS.md`` (``--out``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import generate  # noqa: E402  (bench/generate.py)

GNU_TIME = "/usr/bin/time"
FINDING = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) ")


# ------------------------------------------------------------------ measuring
def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                kids += [int(x) for x in fh.read().split()]
    except (OSError, ValueError):
        pass
    return kids


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """Peak of the summed RSS of a process and all its descendants, sampled every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kib = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            total, stack, seen = 0, [self.pid], set()
            while stack:
                p = stack.pop()
                if p in seen:
                    continue
                seen.add(p)
                total += _rss_kib(p)
                stack += _children(p)
            self.peak_kib = max(self.peak_kib, total)
            self.done.wait(self.interval)


@dataclass
class Run:
    seconds: float
    max_rss_kib: int  # largest single process (GNU time)
    tree_rss_kib: int  # sampled sum over the process tree
    returncode: int
    stdout: str


# Measured commands run with bytecode caching on, as on a user's machine (this sandbox sets
# PYTHONDONTWRITEBYTECODE, which would make every run compile ctxlint's modules again).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(cmd: list[str], cwd: str, scratch: str, env: dict[str, str] | None = None) -> Run:
    out_path = os.path.join(scratch, "stdout.txt")
    err_path = os.path.join(scratch, "stderr.txt")
    time_path = os.path.join(scratch, "time.txt")
    full = [GNU_TIME, "-f", "%M", "-o", time_path, *cmd] if os.path.exists(GNU_TIME) else cmd
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        # its own process group, so that an interrupted benchmark stops the command and its workers too
        proc = subprocess.Popen(full, cwd=cwd, stdout=out, stderr=err, env=env or ENV, start_new_session=True)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        try:
            rc = proc.wait()
        except BaseException:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        elapsed = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
    max_rss = 0
    if full is not cmd:
        try:
            with open(time_path) as fh:
                lines = [ln for ln in fh.read().split() if ln.isdigit()]
            max_rss = int(lines[-1]) if lines else 0
        except OSError:
            pass
    with open(out_path, encoding="utf-8", errors="replace") as fh:
        stdout = fh.read()
    if rc not in (0, 1):
        with open(err_path, encoding="utf-8", errors="replace") as fh:
            err_text = fh.read()
        raise RuntimeError(f"{' '.join(cmd)} exited with {rc}:\n{err_text[-3000:]}")
    # the tree's sum is at least its largest process (a run shorter than the sampling interval may go unsampled)
    return Run(elapsed, max_rss, max(sampler.peak_kib, max_rss), rc, stdout)


@dataclass
class Measure:
    key: str
    label: str
    runs: list[Run] = field(default_factory=list)
    error: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(r.seconds for r in self.runs) if self.runs else None

    @property
    def max_rss(self) -> int:
        return max((r.max_rss_kib for r in self.runs), default=0)

    @property
    def tree_rss(self) -> int:
        return max((r.tree_rss_kib for r in self.runs), default=0)


def measure(key: str, label: str, cmd: list[str], cwd: str, scratch: str, runs: int, min_runs: int,
            max_seconds: float, before=None, log=print) -> Measure:
    """Run ``cmd`` ``runs`` times (fewer when the first run shows they would take over ``max_seconds``)."""
    m = Measure(key, label)
    want = runs
    i = 0
    while i < want:
        if before is not None:
            before(i)
        try:
            r = run_once(cmd, cwd, scratch)
        except RuntimeError as exc:
            m.error = str(exc)
            log(f"    {label}: FAILED\n{exc}")
            return m
        m.runs.append(r)
        if i == 0 and r.seconds * runs > max_seconds:
            want = max(min_runs, min(runs, math.ceil(max_seconds / max(r.seconds, 1e-9))))
        i += 1
    times = " ".join(f"{r.seconds:.2f}" for r in m.runs)
    log(f"    {label:<46} median {m.median:8.3f} s  [{times}]  rss {mib(m.max_rss)} / tree {mib(m.tree_rss)}")
    return m


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB" if kib else "-"


# --------------------------------------------------------------------- helpers
def parse_size(text: str) -> int:
    t = text.strip().lower().replace("_", "")
    mult = 1
    if t.endswith("k"):
        t, mult = t[:-1], 1000
    elif t.endswith("m"):
        t, mult = t[:-1], 1_000_000
    return int(float(t) * mult)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 100_000 == 0:
        return f"{n / 1_000_000:g}M"
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


LARGE = 2_400_000  # --large: the size past the default ones (bench/generate.py --lines 2400000)


def tool_version(cmd: list[str]) -> str:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=ENV)
        return (p.stdout or p.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def find_ruff(log=print) -> list[str]:
    exe = shutil.which("ruff")
    if exe:
        return [exe]
    log("ruff not found: installing it with pip")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "ruff"], check=True)
    exe = shutil.which("ruff")
    return [exe] if exe else [sys.executable, "-m", "ruff"]


def machine() -> dict[str, str]:
    cpu, mem = "?", "?"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal"):
                    mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                    break
    except OSError:
        pass
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "memory": mem, "os": platform.platform(),
            "python": platform.python_version()}


def ctxlint_revision() -> str:
    try:
        rev = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h %cd", "--date=format:%Y-%m-%d %H:%M"],
                             capture_output=True, text=True, check=True).stdout.strip()
        last = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h %s", "--", "ctxlint"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "ctxlint"], capture_output=True,
                               text=True, check=True).stdout.strip()
        last = last if len(last) <= 90 else last[:89] + "…"
        return (f"checkout {rev}; last change to ctxlint/: {last}"
                + ("; with uncommitted changes in ctxlint/" if dirty else ""))
    except (OSError, subprocess.CalledProcessError):
        return "?"


def cpu_busy_seconds() -> float:
    """CPU time spent by the whole machine (all processes, all cores) since boot, from /proc/stat."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU time of this process and the children it has waited for."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def read_all(tree: str) -> int:
    """Read every file once, so that every measurement starts with the tree in the page cache."""
    n = 0
    for dirpath, _, files in os.walk(tree):
        for f in files:
            with open(os.path.join(dirpath, f), "rb") as fh:
                n += len(fh.read())
    return n


def findings_of(text: str) -> set[tuple[str, int, str]]:
    got = set()
    for line in text.splitlines():
        m = FINDING.match(line)
        if m:
            got.add((os.path.normpath(m["path"]).replace(os.sep, "/"), int(m["line"]), m["code"]))
    return got


# ------------------------------------------------------------------- one size
@dataclass
class SizeResult:
    size: int
    manifest: dict
    measures: dict[str, Measure]
    check: str  # how ctxlint's findings compare with the planted bugs
    flake8_ctx: str
    seconds: float = 0.0  # wall-clock time of the size's measurements
    foreign_cpu: float = 0.0  # CPU seconds other processes used meanwhile (a busy machine skews the figures)


def bench_size(size: int, opts: argparse.Namespace, work: str, ruff: list[str], log=print) -> SizeResult:
    label = size_label(size)
    tree = os.path.join(opts.keep or work, f"tree-{label}-seed{opts.seed}")
    manifest_path = os.path.join(tree, generate.MANIFEST)
    manifest = None
    if opts.keep and os.path.exists(manifest_path):
        with open(manifest_path) as fh:
            manifest = json.load(fh)
        if manifest.get("target_lines") != size or manifest.get("seed") != opts.seed:
            manifest = None
        else:
            log(f"\n== {label}: reusing {tree}")
    if manifest is None:
        manifest = generate.generate(tree, size, opts.seed)
        log(f"\n== {label}: generated {tree} in {manifest['seconds']} s")
    log(f"   {manifest['lines']} lines in {manifest['files']} files, {manifest['blueprints']} blueprints, "
        f"{len(manifest['bugs'])} planted bugs")
    for stale in (".ctxlint_cache", ".ruff_cache"):
        shutil.rmtree(os.path.join(tree, stale), ignore_errors=True)
    read_all(tree)
    started, busy0, own0 = time.perf_counter(), cpu_busy_seconds(), own_cpu_seconds()
    scratch = os.path.join(work, f"scratch-{label}")
    os.makedirs(scratch, exist_ok=True)
    touch_path = os.path.join(tree, manifest["touch"])
    with open(touch_path, "rb") as fh:
        touch_original = fh.read()

    py = sys.executable
    ctx = [py, "-m", "ctxlint", "."]
    flake8 = [py, "-m", "flake8"]
    j = str(opts.jobs)
    runs, mn, mx = opts.runs, min(opts.min_runs, opts.runs), opts.max_seconds
    ms: dict[str, Measure] = {}

    def go(key: str, lbl: str, cmd: list[str], before=None) -> Measure:
        ms[key] = measure(key, lbl, cmd, tree, scratch, runs, mn, mx, before, log)
        return ms[key]

    def clear_default_cache(_: int = 0) -> None:
        shutil.rmtree(os.path.join(tree, ".ctxlint_cache"), ignore_errors=True)

    def touch(i: int) -> None:
        with open(touch_path, "ab") as fh:
            fh.write(f"# touched by bench/run.py, run {i}\n".encode())

    go("ctx_cold_j1", "ctxlint cold --no-cache --jobs 1", [*ctx, "--no-cache", "--jobs", "1"])
    m = go("ctx_cold", f"ctxlint cold --no-cache --jobs {j}", [*ctx, "--no-cache", "--jobs", j])
    go("ctx_cold_json", f"ctxlint cold --no-cache --format json --jobs {j}",
       [*ctx, "--no-cache", "--format", "json", "--jobs", j])
    expected = {(b["path"], b["line"], b["code"]) for b in manifest["bugs"]}
    if m.runs:
        got = findings_of(m.runs[0].stdout)
        missing, extra = expected - got, got - expected
        check = (f"{len(got)} findings = the {len(expected)} planted bugs" if not missing and not extra else
                 f"MISMATCH: {len(got)} findings, {len(expected)} planted, {len(missing)} missed, "
                 f"{len(extra)} unexpected")
    else:
        check = "not checked (the run failed)"
    log(f"    findings check: {check}")
    # cold with an empty cache: the default cache (.ctxlint_cache/ at the project root) removed before each run;
    # the last run leaves it filled for the warm runs
    go("ctx_cold_dir", f"ctxlint cold, empty cache, --jobs {j}", [*ctx, "--jobs", j], clear_default_cache)
    if not ms["ctx_cold_dir"].runs:
        try:
            run_once([*ctx, "--jobs", j], tree, scratch)
        except RuntimeError as exc:
            log(f"    filling the cache failed: {exc}")
    go("ctx_warm", f"ctxlint warm (cache present), --jobs {j}", [*ctx, "--jobs", j])

    def fresh_checkout(_: int) -> None:
        now = time.time()
        for dirpath, dirnames, filenames in os.walk(tree):
            dirnames[:] = [d for d in dirnames if d not in (".ctxlint_cache", ".ruff_cache")]
            for name in filenames:
                os.utime(os.path.join(dirpath, name), (now, now))

    go("ctx_restored", f"ctxlint warm cache on a fresh checkout, --jobs {j}", [*ctx, "--jobs", j], fresh_checkout)
    go("ctx_touch", f"ctxlint, one file changed, --jobs {j}", [*ctx, "--jobs", j], touch)
    with open(touch_path, "wb") as fh:  # back to the generated text, and the cache up to date with it
        fh.write(touch_original)
    try:
        run_once([*ctx, "--jobs", j], tree, scratch)
    except RuntimeError as exc:
        log(f"    re-warm failed: {exc}")
    go("flake8_j1", "flake8 -j 1 (ctxlint plugin off)", [*flake8, "-j", "1", "--select", "E,F,W,C90", "."])
    go("flake8", f"flake8 -j {j} (ctxlint plugin off)", [*flake8, "-j", j, "--select", "E,F,W,C90", "."])
    m = go("flake8_ctx", f"flake8 -j {j} --extend-select CTX (cache warm)",
           [*flake8, "-j", j, "--extend-select", "CTX", "."])
    flake8_ctx = "-"
    if m.runs:
        n = sum(1 for line in m.runs[0].stdout.splitlines() if ": CTX" in line)
        others = sum(1 for line in m.runs[0].stdout.splitlines() if line.strip()) - n
        flake8_ctx = f"{n} CTX results ({len(expected)} planted), {others} other results"
        log(f"    flake8 with ctxlint: {flake8_ctx}")
    if size <= opts.flake8_cold_max:
        go("flake8_ctx_cold", f"flake8 -j {j} --extend-select CTX (cache cold)",
           [*flake8, "-j", j, "--extend-select", "CTX", "."], clear_default_cache)
    ruff_cache = os.path.join(tree, ".ruff_cache")
    try:
        run_once([*ruff, "check", "--cache-dir", ruff_cache, "."], tree, scratch)
    except RuntimeError as exc:
        log(f"    ruff warm-up failed: {exc}")
    go("ruff_warm", "ruff check (cache warm)", [*ruff, "check", "--cache-dir", ruff_cache, "."])
    go("ruff_cold", "ruff check --no-cache", [*ruff, "check", "--no-cache", "."])
    seconds = time.perf_counter() - started
    foreign = max(0.0, (cpu_busy_seconds() - busy0) - (own_cpu_seconds() - own0))
    log(f"    {seconds:.0f} s; other processes used {foreign:.0f} CPU-seconds meanwhile "
        f"({foreign / seconds / (os.cpu_count() or 1) * 100:.0f}% of the machine)")
    if not opts.keep:
        shutil.rmtree(tree, ignore_errors=True)
    return SizeResult(size, manifest, ms, check, flake8_ctx, seconds, foreign)


# --------------------------------------------------------------------- report
ROWS = [
    ("ctx_cold_j1", "ctxlint cold, `--no-cache --jobs 1`"),
    ("ctx_cold", "ctxlint cold, `--no-cache --jobs {j}`"),
    ("ctx_cold_dir", "ctxlint cold, empty cache, `--jobs {j}`"),
    ("ctx_cold_json", "ctxlint cold, `--no-cache --format json --jobs {j}`"),
    ("ctx_warm", "ctxlint warm (nothing changed), `--jobs {j}`"),
    ("ctx_restored", "ctxlint warm cache restored on a fresh checkout (all timestamps new), `--jobs {j}`"),
    ("ctx_touch", "ctxlint, one file changed, `--jobs {j}`"),
    ("flake8_j1", "flake8 `-j 1` (ctxlint plugin off)"),
    ("flake8", "flake8 `-j {j}` (ctxlint plugin off)"),
    ("flake8_ctx", "flake8 `-j {j} --extend-select CTX` (ctxlint cache warm)"),
    ("flake8_ctx_cold", "flake8 `-j {j} --extend-select CTX` (ctxlint cache cold)"),
    ("ruff_warm", "ruff check (cache warm)"),
    ("ruff_cold", "ruff check `--no-cache`"),
]


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def fmt_s(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def fmt_r(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}×"


def med(r: SizeResult, key: str) -> float | None:
    m = r.measures.get(key)
    return m.median if m is not None else None


def targets(results: list[SizeResult], j: str) -> list[tuple[str, str, str]]:
    """(target, figure, verdict) for each target of the issue."""
    by = {r.size: r for r in results}
    out: list[tuple[str, str, str]] = []

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else "**met**" if ok else "**not met**"

    for key, fkey, what in (("ctx_cold", "flake8", "same `-j`"), ("ctx_cold_j1", "flake8_j1", "`-j 1`")):
        rs = [(r.size, ratio(med(r, key), med(r, fkey))) for r in results]
        rs = [(s, x) for s, x in rs if x is not None]
        fig = ", ".join(f"{size_label(s)}: {x:.2f}×" for s, x in rs) or "-"
        ok = all(x <= 1.0 for _, x in rs) if rs else None
        aim = " (aim ≤ 0.5×: " + ("reached" if rs and all(x <= 0.5 for _, x in rs) else "not reached") + ")"
        out.append((f"cold ≤ 1.0× flake8, {what}", fig + (aim if rs else ""), verdict(ok)))
    r200 = by.get(200_000)
    w = med(r200, "ctx_warm") if r200 else None
    out.append(("warm ≤ 0.1 s at 200k lines", f"{w:.3f} s" if w is not None else "200k not measured",
                verdict(None if w is None else w <= 0.1)))
    rs = [(r.size, ratio(med(r, "ctx_warm"), med(r, "ruff_warm"))) for r in results]
    rs = [(s, x) for s, x in rs if x is not None]
    out.append(("warm ≤ 1.5× ruff cached", ", ".join(f"{size_label(s)}: {x:.2f}×" for s, x in rs) or "-",
                verdict(all(x <= 1.5 for _, x in rs) if rs else None)))
    t = med(r200, "ctx_touch") if r200 else None
    out.append(("one file changed ≤ 1 s at 200k lines", f"{t:.3f} s" if t is not None else "200k not measured",
                verdict(None if t is None else t <= 1.0)))
    small, big = by.get(50_000), by.get(800_000)
    largest = by.get(LARGE)
    for key, what in (("ctx_cold", f"cold `--jobs {j}`"), ("ctx_cold_json", f"cold `--format json --jobs {j}`")):
        if small and largest and med(small, key) and med(largest, key):
            a = med(small, key) / small.manifest["lines"]
            b = med(largest, key) / largest.manifest["lines"]
            out.append((f"growth, {what}: time per line at {size_label(LARGE)} ≤ 1.3× that at 50k",
                        f"{b / a:.2f}× ({a * 1e6:.1f} → {b * 1e6:.1f} µs/line)", verdict(b / a <= 1.3)))
    for key, what in (("ctx_cold", f"cold `--jobs {j}`"), ("ctx_cold_j1", "cold `--jobs 1`")):
        if small and big and med(small, key) and med(big, key):
            a = med(small, key) / small.manifest["lines"]
            b = med(big, key) / big.manifest["lines"]
            out.append((f"growth, {what}: time per line at 800k ≤ 1.5× that at 50k",
                        f"{b / a:.2f}× ({a * 1e6:.1f} → {b * 1e6:.1f} µs/line)", verdict(b / a <= 1.5)))
        else:
            out.append((f"growth, {what}: time per line at 800k ≤ 1.5× that at 50k", "50k and 800k not both measured",
                        "n/a"))
    if big:
        peak = max((big.measures[k].tree_rss for k in ("ctx_cold_j1", "ctx_cold", "ctx_cold_dir", "ctx_warm",
                                                        "ctx_touch") if k in big.measures), default=0)
        single = max((big.measures[k].max_rss for k in ("ctx_cold_j1", "ctx_cold", "ctx_cold_dir", "ctx_warm",
                                                         "ctx_touch") if k in big.measures), default=0)
        out.append(("peak memory < 1 GiB at 800k lines (ctxlint, all its runs)",
                    f"{mib(peak)} summed over the process tree; {mib(single)} largest process",
                    verdict(peak < 1024 * 1024 if peak else None)))
    else:
        out.append(("peak memory < 1 GiB at 800k lines", "800k not measured", "n/a"))
    return out


def report(results: list[SizeResult], opts: argparse.Namespace, info: dict[str, str], elapsed: float) -> str:
    j = str(opts.jobs)
    sizes = [size_label(r.size) for r in results]
    L: list[str] = []
    L.append("# ctxlint benchmark")
    L.append("")
    L.append(f"Generated by `python bench/run.py{' ' + ' '.join(opts.argv) if opts.argv else ''}` on "
             f"{info['date']} ({elapsed / 60:.1f} minutes). Medians of {opts.runs} runs in fresh processes "
             f"(fewer where the table's *n* says so), wall-clock seconds.")
    L.append("")
    L.append(f"* machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM, {info['os']}")
    L.append(f"* Python {info['python']}; ctxlint {info['ctxlint']} (`{info['revision']}`); {info['flake8']}; "
             f"{info['ruff']}")
    L.append(f"* projects: `bench/generate.py --seed {opts.seed}`; ctxlint and flake8 use {j} processes "
             f"(`--jobs {j}` / `-j {j}`), ruff uses all {info['nproc']} cores (it has no job option)")
    L.append("")
    L.append("| project | lines | files | blueprints | planted bugs | ctxlint's findings | flake8 + ctxlint "
             "| other load |")
    L.append("|---|---:|---:|---:|---:|---|---|---:|")
    for r in results:
        m = r.manifest
        load = r.foreign_cpu / r.seconds / (os.cpu_count() or 1) * 100 if r.seconds else 0
        L.append(f"| {size_label(r.size)} | {m['lines']} | {m['files']} | {m['blueprints']} | {len(m['bugs'])} | "
                 f"{r.check} | {r.flake8_ctx} | {load:.0f}% |")
    L.append("")
    L.append("## Times (s)")
    L.append("")
    L.append("| command | " + " | ".join(f"{s} | n" for s in sizes) + " |")
    L.append("|---|" + "---:|---:|" * len(sizes))
    for key, label in ROWS:
        if not any(key in r.measures for r in results):
            continue
        cells = []
        for r in results:
            m = r.measures.get(key)
            if m is None:
                cells += ["-", ""]
            elif m.error:
                cells += ["failed", ""]
            else:
                cells += [fmt_s(m.median), str(len(m.runs))]
        L.append(f"| {label.format(j=j)} | " + " | ".join(cells) + " |")
    L.append("")
    L.append("## Ratios")
    L.append("")
    L.append("| ratio | " + " | ".join(sizes) + " | target |")
    L.append("|---|" + "---:|" * len(sizes) + "---|")
    rows = [
        (f"ctxlint cold / flake8, `-j {j}`", lambda r: fmt_r(ratio(med(r, "ctx_cold"), med(r, "flake8"))),
         "≤ 1.0× (aim 0.5×)"),
        ("ctxlint cold / flake8, `-j 1`", lambda r: fmt_r(ratio(med(r, "ctx_cold_j1"), med(r, "flake8_j1"))),
         "≤ 1.0× (aim 0.5×)"),
        (f"ctxlint cold `--jobs 1` / `--jobs {j}`",
         lambda r: fmt_r(ratio(med(r, "ctx_cold_j1"), med(r, "ctx_cold"))), "(speed-up)"),
        ("flake8 with ctxlint / without (cache warm)",
         lambda r: fmt_r(ratio(med(r, "flake8_ctx"), med(r, "flake8"))), ""),
        ("flake8 with ctxlint / without (cache cold)",
         lambda r: fmt_r(ratio(med(r, "flake8_ctx_cold"), med(r, "flake8"))), ""),
        ("ctxlint warm, s", lambda r: fmt_s(med(r, "ctx_warm")), "≤ 0.1 s at 200k"),
        ("ctxlint warm / ruff cached", lambda r: fmt_r(ratio(med(r, "ctx_warm"), med(r, "ruff_warm"))), "≤ 1.5×"),
        ("ctxlint warm cache on a fresh checkout, s", lambda r: fmt_s(med(r, "ctx_restored")), ""),
        ("ctxlint one file changed, s", lambda r: fmt_s(med(r, "ctx_touch")), "≤ 1 s at 200k"),
        ("ctxlint cold / ruff `--no-cache`", lambda r: fmt_r(ratio(med(r, "ctx_cold"), med(r, "ruff_cold")), 1), ""),
        (f"ctxlint cold `--jobs {j}`, µs per line",
         lambda r: f"{med(r, 'ctx_cold') / r.manifest['lines'] * 1e6:.1f}" if med(r, "ctx_cold") else "-",
         "800k ≤ 1.5× 50k"),
        (f"ctxlint cold `--format json --jobs {j}`, µs per line",
         lambda r: f"{med(r, 'ctx_cold_json') / r.manifest['lines'] * 1e6:.1f}" if med(r, "ctx_cold_json") else "-",
         f"{size_label(LARGE)} ≤ 1.3× 50k"),
        ("ctxlint cold `--jobs 1`, µs per line",
         lambda r: f"{med(r, 'ctx_cold_j1') / r.manifest['lines'] * 1e6:.1f}" if med(r, "ctx_cold_j1") else "-",
         "800k ≤ 1.5× 50k"),
        ("flake8 `-j 1`, µs per line",
         lambda r: f"{med(r, 'flake8_j1') / r.manifest['lines'] * 1e6:.1f}" if med(r, "flake8_j1") else "-", ""),
    ]
    for label, f, target in rows:
        L.append(f"| {label} | " + " | ".join(f(r) for r in results) + f" | {target} |")
    L.append("")
    L.append("## Peak memory (RSS)")
    L.append("")
    L.append("Largest single process (`/usr/bin/time -f %M`, over all runs) / sum over the process tree "
             "(sampled every 50 ms; pages shared by forked workers count once per process).")
    L.append("")
    L.append("| command | " + " | ".join(sizes) + " |")
    L.append("|---|" + "---:|" * len(sizes))
    for key, label in ROWS:
        if not any(key in r.measures for r in results):
            continue
        cells = []
        for r in results:
            m = r.measures.get(key)
            cells.append("-" if m is None or not m.runs else f"{mib(m.max_rss)} / {mib(m.tree_rss)}")
        L.append(f"| {label.format(j=j)} | " + " | ".join(cells) + " |")
    L.append("")
    L.append("## Targets (issues 6 and 16)")
    L.append("")
    L.append("| target | measured | |")
    L.append("|---|---|---|")
    for t, fig, v in targets(results, j):
        L.append(f"| {t} | {fig} | {v} |")
    L.append("")
    notes = [
        "Cold runs use `--no-cache`, or the default cache (`.ctxlint_cache/` at the project root) removed before "
        "each run (*empty cache*: the run writes the cache); *warm* runs follow those with nothing changed; "
        "*one file changed* appends "
        f"a comment line to `{results[0].manifest['touch'] if results else ''}` (a helper module that many "
        "modules import) before each run.",
        "flake8 runs with its default plugins (pycodestyle, pyflakes, mccabe). With `--select E,F,W,C90` the "
        "ctxlint plugin is loaded but analyses nothing (no CTX code is selected); `--extend-select CTX` turns it "
        "on. *cache cold* removes ctxlint's default cache before each run.",
        "ruff runs with its default rules (the generated `pyproject.toml` only sets `line-length = 79`); "
        "its cache is in the generated tree.",
        "*other load*: the share of the machine's CPU time that processes other than the benchmark's used while "
        "a size was measured (from /proc/stat); figures taken on a busy machine are slower than they should be.",
        "The measured commands run with Python's bytecode cache on (this sandbox sets PYTHONDONTWRITEBYTECODE, "
        "which the benchmark removes from their environment), after an untimed warm-up on a small project.",
        "A measurement whose first run was long is repeated fewer times (`--max-seconds "
        f"{opts.max_seconds:g}`, at least {opts.min_runs} run{'' if opts.min_runs == 1 else 's'}); "
        "*n* is the number of runs of each median.",
    ]
    skipped = [size_label(r.size) for r in results if r.size > opts.flake8_cold_max]
    if skipped:
        notes.append(f"flake8 with ctxlint and a cold cache was not measured at {', '.join(skipped)} "
                     f"(`--flake8-cold-max {size_label(opts.flake8_cold_max)}`).")
    failed = [(size_label(r.size), m.label, m.error) for r in results for m in r.measures.values() if m.error]
    for s, lbl, err in failed:
        notes.append(f"{s}: `{lbl}` failed: {err.splitlines()[-1] if err.splitlines() else err}")
    L.append("Notes:")
    L.append("")
    L += [f"* {n}" for n in notes]
    L.append("")
    return "\n".join(L)


def snapshot_ctxlint(work: str) -> str:
    """Copy the ctxlint package and make every measured command import that copy.

    Work on ctxlint may go on while the benchmark runs; the copy keeps all the figures of one run on one version.
    The flake8 plugin is found through its entry point and imports ``ctxlint`` from the copy as well.
    """
    snap = os.path.join(work, "ctxlint-snapshot")
    shutil.copytree(os.path.join(ROOT, "ctxlint"), os.path.join(snap, "ctxlint"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    ENV["PYTHONPATH"] = os.pathsep.join(p for p in (snap, ENV.get("PYTHONPATH", "")) if p)
    where = subprocess.run([sys.executable, "-c", "import ctxlint, flake8.plugins.finder; print(ctxlint.__file__)"],
                           capture_output=True, text=True, env=ENV, cwd=work).stdout.strip()
    if not where.startswith(snap):
        sys.exit(f"the measured commands would not import the snapshot of ctxlint but {where!r}")
    return snap


def warm_up(work: str, ruff: list[str]) -> None:
    """Run every tool once on a small project: compiles their bytecode, fills the OS caches."""
    tree = os.path.join(work, "warm-up")
    generate.generate(tree, 2000, 1)
    scratch = os.path.join(work, "scratch-warm-up")
    os.makedirs(scratch, exist_ok=True)
    py = sys.executable
    for cmd in ([py, "-m", "ctxlint", ".", "--no-cache"], [py, "-m", "ctxlint", "."], [py, "-m", "ctxlint", "."],
                [py, "-m", "flake8", "--select", "E,F,W,C90", "."], [py, "-m", "flake8", "--extend-select", "CTX", "."],
                [*ruff, "check", "--no-cache", "."]):
        try:
            run_once(cmd, tree, scratch)
        except RuntimeError as exc:
            print(f"warm-up: {exc}")
    shutil.rmtree(tree, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="50k,200k,800k", help="project sizes in lines, comma separated (50k,200k,800k)")
    p.add_argument("--runs", type=int, default=5, help="runs per measurement; the median counts (default 5)")
    p.add_argument("--min-runs", type=int, default=1,
                   help="fewest runs of a measurement cut short by --max-seconds (default 1)")
    p.add_argument("--max-seconds", type=float, default=150,
                   help="time one measurement may take, judged from its first run, before it is repeated fewer "
                        "times (default 150)")
    p.add_argument("--jobs", type=int, default=2, help="processes for ctxlint and flake8 (default 2)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", metavar="DIR", help="generate the projects into DIR, keep them, and reuse them")
    p.add_argument("--flake8-cold-max", type=parse_size, default=parse_size("200k"), metavar="SIZE",
                   help="time flake8 with ctxlint and an empty ctxlint cache up to this size (default 200k: above, "
                        "it costs as much as a cold ctxlint run plus a flake8 run)")
    p.add_argument("--quick", action="store_true", help="smoke run: 20k lines, 1 run (unless given)")
    p.add_argument("--large", action="store_true",
                   help=f"also {size_label(LARGE)} lines (about 20,000 files; not in the default run: it takes long)")
    p.add_argument("--out", help="markdown report (default: bench/RESULTS.md; with --quick, in the temp dir)")
    opts = p.parse_args(argv)
    opts.argv = argv
    if opts.quick:
        if "--sizes" not in " ".join(argv):
            opts.sizes = "20k"
        if "--runs" not in argv:
            opts.runs = 1
    sizes = [parse_size(s) for s in opts.sizes.split(",") if s.strip()]
    if opts.large and LARGE not in sizes:
        sizes.append(LARGE)
    work = tempfile.mkdtemp(prefix="ctxlint-bench-")
    out = opts.out or (os.path.join(work, "RESULTS.md") if opts.quick else os.path.join(HERE, "RESULTS.md"))
    if opts.keep:
        os.makedirs(opts.keep, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ruff = find_ruff()
    info = machine()
    info["revision"] = ctxlint_revision()  # before the copy, so that it describes the copy
    snapshot_ctxlint(work)
    info["date"] = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    info["ctxlint"] = tool_version([sys.executable, "-m", "ctxlint", "--version"]).split()[-1]
    info["flake8"] = "flake8 " + tool_version([sys.executable, "-m", "flake8", "--version"]).split()[0]
    info["ruff"] = tool_version([*ruff, "--version"])
    print(f"ctxlint {info['ctxlint']} ({info['revision']}), {info['flake8']}, {info['ruff']}; "
          f"{info['nproc']} CPUs, Python {info['python']}; work dir {work}")
    warm_up(work, ruff)
    started = time.perf_counter()
    results: list[SizeResult] = []
    try:
        for size in sizes:
            results.append(bench_size(size, opts, work, ruff))
    finally:
        if not opts.quick:
            shutil.rmtree(work, ignore_errors=True)
    text = report(results, opts, info, time.perf_counter() - started)
    print()
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
