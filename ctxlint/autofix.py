"""``--fix`` and ``--diff``: analyse, fix in memory until nothing more applies, then print the diff or
write the files (only those still holding the bytes the fixes were computed from) and analyse again."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from . import fixes
from .discover import discover
from .engine import Options, Result, analyse
from .fixes import Applied, Keep, kept
from .fixing import FixError, SourceText, unified_diff, write_fixed


def _read_all(paths: list[str], options: Options) -> dict[str, SourceText]:
    texts: dict[str, SourceText] = {}
    for sf in discover(paths, options.respect_gitignore, options.exclude).files:
        try:
            texts[sf.abspath] = SourceText.read(sf.abspath)
        except FixError:
            continue
    return texts


def run_fixes(paths: list[str], options: Options | None = None, unsafe: bool = False, diff_only: bool = False,
              out: TextIO | None = None, err: TextIO | None = None, keep: Keep | None = None) -> tuple[int, Result]:
    """``--fix`` / ``--diff``: analyse, fix in memory until nothing more applies, then print the unified diff
    (``diff_only``: exit 1 if there is anything to fix) or write the files and analyse again.

    ``keep(findings, overrides)`` is the caller's selection, suppression and baseline: only the findings it
    keeps are fixed and reported; ``overrides`` maps absolute paths to the text the findings point into (the
    files as fixed so far, in memory), to read ``# noqa`` comments from.

    Returns the exit status and the result to report: with ``diff_only`` the analysis as it is, otherwise
    what remains after fixing.  Status messages go to ``err``.
    """
    options = options or Options()
    out = out or sys.stdout
    err = err or sys.stderr
    originals = _read_all(paths, options)
    current, applied, first, hidden, failed = fixes.plan_fixes(paths, options, unsafe, originals, keep,
                                                               analyse=analyse)
    changed = sorted(p for p in current if current[p].text != originals[p].text)
    note = (f" ({hidden} unsafe fix{'es' if hidden != 1 else ''} available with `--fix --unsafe-fixes`)"
            if hidden else "")
    for x in failed:  # never dropped without a word
        err.write(f"ctxlint: a fix cannot be applied: {x.describe()}\n")
    if diff_only:
        for p in changed:
            out.write(unified_diff(os.path.relpath(p), originals[p].text, current[p].text))
        out.flush()
        n = len(applied)
        err.write(f"ctxlint: {n} fix{'es' if n != 1 else ''} available in {len(changed)} "
                  f"file{'s' if len(changed) != 1 else ''}{note}\n")
        return (1 if changed else 0), first
    refused = _write_all(changed, applied, originals, current, err)
    result = kept(analyse(paths, options), keep, {}) if changed else first
    n = sum(1 for a in applied if not a.files & refused)
    written = len([p for p in changed if p not in refused])
    err.write(f"ctxlint: fixed {n} problem{'s' if n != 1 else ''} in {written} file{'s' if written != 1 else ''}"
              f"{note}\n")
    return (1 if result.findings or refused else 0), result


def _write_all(changed: list[str], applied: list[Applied], originals: dict[str, SourceText],
               current: dict[str, SourceText], err: TextIO) -> set[str]:
    """Write every changed file; a file that cannot be written holds back every file a fix shares with it."""
    group = {p: p for p in changed}

    def find(p: str) -> str:
        while group[p] != p:
            group[p] = group[group[p]]
            p = group[p]
        return p

    for a in applied:
        files = [p for p in a.files if p in group]
        for p in files[1:]:
            group[find(p)] = find(files[0])
    bad: set[str] = set()
    for p in changed:
        try:
            with open(p, "rb") as fh:
                same = fh.read() == originals[p].data
        except OSError:
            same = False
        if not same:
            err.write(f"ctxlint: {os.path.relpath(p)} changed on disk since it was read; not fixed\n")
            bad.add(find(p))
    refused: set[str] = set()
    for p in changed:
        if find(p) in bad:
            refused.add(p)
            continue
        try:
            write_fixed(originals[p], current[p].text)
        except FixError as exc:
            err.write(f"ctxlint: {exc}\n")
            refused.add(p)
    return refused
