"""The small subcommands and lookups of the command line: ``ctxlint clean``, and rules by code, prefix or name."""

from __future__ import annotations

import argparse
import os
import shutil
import sys

from .cache import DIRNAME
from .rules import RULES


def rules_matching(query: str) -> list[str]:
    """The codes of the rules ``query`` names: a code (``CTX201``), a prefix of codes (``CTX2``) or a rule's
    name (``request-local-in-thread``); case does not matter."""
    upper = query.strip().upper()
    if upper in RULES:
        return [upper]
    by_name = [code for code, rule in RULES.items() if rule.name == query.strip().lower()]
    if by_name:
        return by_name
    if upper.startswith("CTX"):
        return [code for code in RULES if code.startswith(upper)]
    return []


def clean_main(argv: list[str]) -> int:
    """``ctxlint clean``: remove the caches under the current directory (as ``ruff clean`` does)."""
    p = argparse.ArgumentParser(prog="ctxlint clean",
                                description=f"Remove ctxlint's caches: every {DIRNAME} directory under the current "
                                            "directory, and the one --cache-dir names.")
    p.add_argument("--cache-dir", default=None, metavar="DIR",
                   help="a cache directory given to ctxlint --cache-dir: its ctxlint entries are removed")
    args = p.parse_args(argv)
    found: list[str] = []
    for directory, subdirs, _ in os.walk("."):
        if DIRNAME in subdirs:
            found.append(os.path.join(directory, DIRNAME))
        subdirs[:] = sorted(d for d in subdirs if d not in (DIRNAME, ".git", ".hg", ".svn"))
    failed = False
    for path in found:
        print(f"Removing cache at: {os.path.normpath(path)}", file=sys.stderr)
        failed |= not _remove(path)
    if args.cache_dir is not None and os.path.isdir(args.cache_dir):
        print(f"Removing cache at: {args.cache_dir}", file=sys.stderr)
        failed |= not _remove_entries(args.cache_dir)
    return 1 if failed else 0


def _remove(path: str) -> bool:
    try:
        shutil.rmtree(path)
    except OSError as exc:
        print(f"ctxlint clean: cannot remove {exc.filename or path}: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True


def _remove_entries(directory: str) -> bool:
    """Remove what ctxlint wrote into a directory the user chose (which may hold other things): the
    per-version entry folders and the ``.gitignore`` it created; the directory itself if then empty."""
    ok = True
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        if name.startswith("v") and "-f" in name and "-py" in name and os.path.isdir(path):
            ok &= _remove(path)
    ignore = os.path.join(directory, ".gitignore")
    try:
        with open(ignore, encoding="utf-8") as fh:
            if fh.read().startswith("# created by ctxlint"):
                os.remove(ignore)
        os.rmdir(directory)
    except OSError:
        pass
    return ok
