"""``ctxlint PATH...``: a thin shell over the engine."""

from __future__ import annotations

import argparse
import os
import signal
import sys

from . import __version__
from .engine import Options, analyse
from .findings import RULES
from .report import json_report, text_report


def _codes(value: str) -> list[str]:
    codes = [c.strip().upper() for c in value.split(",") if c.strip()]
    for c in codes:
        if not any(code.startswith(c) for code in RULES):
            raise argparse.ArgumentTypeError(f"unknown rule code or prefix: {c}")
    return codes


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ctxlint",
        description="Find Flask request/app context misuse across a whole project.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to analyse (default: .)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("--select", type=_codes, default=None, metavar="CODES",
                   help="only report these codes or prefixes, comma separated (e.g. CTX2,CTX401)")
    p.add_argument("--ignore", type=_codes, default=None, metavar="CODES", help="do not report these codes or prefixes")
    p.add_argument("--exit-zero", action="store_true", help="exit with status 0 even when there are findings")
    p.add_argument("--no-respect-gitignore", dest="respect_gitignore", action="store_false",
                   help="analyse files that .gitignore excludes")
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="processes to summarise files with (default: all cores)")
    p.add_argument("--no-cache", dest="use_cache", action="store_false", help="do not read or write the cache")
    p.add_argument("--cache-dir", default=None, metavar="DIR",
                   help="where to keep per-module summaries (default: .ctxlint_cache at the project root)")
    p.add_argument("--version", action="version", version=f"ctxlint {__version__}")
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("ctxlint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (ctxlint src | head -1): exit quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return 1


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    paths = args.paths or ["."]
    options = Options(select=args.select, ignore=args.ignore, respect_gitignore=args.respect_gitignore,
                      jobs=args.jobs, cache_dir=args.cache_dir, use_cache=args.use_cache)
    result = analyse(paths, options)
    for err in result.errors:
        print(f"ctxlint: {err}", file=sys.stderr)
    if result.files == 0:
        print("ctxlint: no Python files to analyse", file=sys.stderr)
        return 2
    if args.format == "json":
        sys.stdout.write(json_report(result.findings))
    else:
        sys.stdout.write(text_report(result.findings, result.files))
    sys.stdout.flush()
    if result.findings and not args.exit_zero:
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    signal.signal(signal.SIGPIPE, signal.SIG_DFL) if hasattr(signal, "SIGPIPE") else None
    sys.exit(main())
