"""``ctxlint PATH...`` and ``ctxlint rule CODE``: a thin shell over the engine.

The engine reports every finding; the shell applies the configuration and the
command line to them: select/ignore, per-file-ignores, suppression comments,
unused-suppression reports and the baseline, then renders them.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from . import __version__
from .baseline import BaselineError
from .baseline import load as load_baseline
from .baseline import write as write_baseline
from .config import ConfigError, Settings, find_config, load_config, parse_per_file_ignore, resolve
from .engine import Options
from .findings import Finding
from .progress import Progress
from .report import (
    FORMATS,
    Fix,
    Fixable,
    concise_report,
    github_report,
    json_report,
    junit_report,
    sarif_report,
    statistics_report,
    text_report,
)
from .rules import RULES, known_code
from .suppression import SourceLines, Suppressions
from .targets import analyse_targets, fix_paths, looks_like_python, under
from .workers import DEFAULT_TIMEOUT


def _codes(value: str) -> list[str]:
    codes = [c.strip().upper() for c in value.split(",") if c.strip()]
    for c in codes:
        if not known_code(c):
            raise argparse.ArgumentTypeError(f"unknown rule code or prefix: {c}")
    return codes


def _patterns(value: str) -> list[str]:
    return [p.strip() for p in value.split(",") if p.strip()]


def _per_file_ignore(value: str) -> tuple[str, list[str]]:
    try:
        return parse_per_file_ignore(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class _Gitignore(argparse.Action):
    """--respect-gitignore / --no-respect-gitignore; remembers that the command line said so."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        setattr(namespace, self.dest, self.const)
        namespace.respect_gitignore_given = True


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ctxlint",
        description="Find Flask request/app context misuse across a whole project.",
        epilog="`ctxlint rule CODE` shows a rule's documentation; `ctxlint rule --all` lists the rules; "
               "`ctxlint explain PATH:LINE` shows where a function runs; `ctxlint map` draws where code runs; "
               "`ctxlint server` is a language server for editors.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="directories to analyse, or files to report on (each analysed with its whole project); "
                        "- reads a file from standard input (default: .)")

    g = p.add_argument_group("rules")
    g.add_argument("--select", type=_codes, default=None, metavar="CODES",
                   help="only report these codes or prefixes, comma separated (e.g. CTX2,CTX401); "
                        "replaces the configuration's whole selection (select, extend-select, ignore, "
                        "extend-ignore)")
    g.add_argument("--extend-select", type=_codes, action="append", default=None, metavar="CODES",
                   help="report these codes or prefixes as well")
    g.add_argument("--ignore", type=_codes, default=None, metavar="CODES",
                   help="do not report these codes or prefixes; replaces the configuration's ignore and "
                        "extend-ignore")
    g.add_argument("--extend-ignore", type=_codes, action="append", default=None, metavar="CODES",
                   help="do not report these codes or prefixes either")
    g.add_argument("--per-file-ignores", type=_per_file_ignore, action="append", default=None,
                   metavar="PATTERN:CODES",
                   help="do not report CODES in files matching PATTERN (gitignore-style, relative to the current "
                        "directory); repeatable; replaces the configuration's table")

    g = p.add_argument_group("files and configuration")
    g.add_argument("--config", default=None, metavar="FILE",
                   help="read the configuration from FILE instead of the nearest pyproject.toml with [tool.ctxlint]")
    g.add_argument("--isolated", action="store_true", help="ignore configuration files")
    g.add_argument("--stdin-filename", default=None, metavar="PATH",
                   help="the path of the file read from standard input (with - or no PATH): it is analysed with "
                        "that file's project, in place of the file on disk")
    g.add_argument("--force-python", action="store_true",
                   help="analyse files named on the command line as Python even without a .py name or a python #! "
                        "line (they are skipped with a warning otherwise)")
    g.add_argument("--exclude", type=_patterns, action="append", default=None, metavar="PATTERNS",
                   help="skip files and directories matching these gitignore-style patterns, comma separated; "
                        "replaces the configuration's exclude")
    g.add_argument("--extend-exclude", type=_patterns, action="append", default=None, metavar="PATTERNS",
                   help="skip these as well")
    g.add_argument("--respect-gitignore", dest="respect_gitignore", action=_Gitignore, nargs=0, const=True,
                   default=True, help="skip files that .gitignore excludes (the default)")
    g.add_argument("--no-respect-gitignore", dest="respect_gitignore", action=_Gitignore, nargs=0, const=False,
                   help="analyse files that .gitignore excludes")

    g = p.add_argument_group("suppression and baseline")
    g.add_argument("--disable-noqa", action="store_true", help="ignore # noqa and # ctxlint: ignore comments")
    g.add_argument("--report-unused-noqa", action="store_true",
                   help="report suppression comments that suppress nothing (CTX001)")
    g.add_argument("--baseline", default=None, metavar="FILE", help="report only findings that FILE does not hold")
    g.add_argument("--write-baseline", default=None, metavar="FILE",
                   help="write the current findings to FILE as a baseline and exit 0")

    g = p.add_argument_group("output")
    g.add_argument("--format", "--output-format", dest="format", choices=FORMATS, default="text",
                   help="output format (default: text)")
    g.add_argument("--output-file", "-o", default=None, metavar="FILE", help="write the report to FILE")
    g.add_argument("--statistics", action="store_true",
                   help="print the number of findings per code instead of the findings (text, concise or json)")
    g.add_argument("--exit-zero", action="store_true", help="exit with status 0 even when there are findings")

    g = p.add_argument_group("fixes")
    g.add_argument("--fix", action="store_true", help="apply the safe fixes in place, then report what remains")
    g.add_argument("--unsafe-fixes", action="store_true",
                   help="with --fix or --diff, also apply the fixes that change behaviour (review them)")
    g.add_argument("--diff", action="store_true",
                   help="print the fixes as a unified diff and change nothing (exit 1 if there is anything to fix)")

    g = p.add_argument_group("performance")
    g.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N",
                   help="processes to parse files with (default, or 0: all cores)")
    g.add_argument("--parse-timeout", type=_seconds, default=None, metavar="SECONDS",
                   help="give up on a file that takes longer than this to parse, reporting CTX900 "
                        f"(default {DEFAULT_TIMEOUT:g}, and as much again per further MiB of source)")
    g.add_argument("--no-cache", dest="use_cache", action="store_false", help="do not read or write the cache")
    g.add_argument("--cache-dir", default=None, metavar="DIR",
                   help="where to keep per-module summaries (default: .ctxlint_cache at the project root)")
    p.add_argument("--version", "-V", action="version", version=f"ctxlint {__version__}")
    return p


def main(argv: list[str] | None = None) -> int:
    return _guarded(lambda: _main(argv))


def pre_commit_main(argv: list[str] | None = None) -> int:
    """``ctxlint-pre-commit FILE...``: analyse the projects of the files pre-commit passes (the changed
    ones) and report only in those files.  Takes the options and the configuration ``ctxlint`` does."""
    return _guarded(lambda: _main(argv, pre_commit=True))


def _guarded(run: Callable[[], int]) -> int:
    try:
        return run()
    except KeyboardInterrupt:
        print("ctxlint: interrupted", file=sys.stderr)
        # exit now: the parser thread may be inside native code, which interpreter
        # shutdown would otherwise wait for (or abort on)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(130)
    except BrokenPipeError:
        # the reader went away (ctxlint src | head -1): exit quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return 1


def _jobs(text: str) -> int | None:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of processes, 0 or more (0: all cores), got {text!r}")
    return value or None


STATISTICS_FORMATS = ("text", "concise", "json")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value


def _flat(values: list[list[str]] | None) -> list[str] | None:
    return None if values is None else [v for group in values for v in group]


def settings_from(args: argparse.Namespace, paths: list[str]) -> Settings:
    """The configuration file (unless --isolated) merged with the command line; raises ConfigError."""
    cfg = None
    if not args.isolated:
        path = args.config or find_config(paths)
        if path is not None:
            cfg = load_config(path)
    return resolve(cfg, paths=paths, select=args.select, extend_select=_flat(args.extend_select),
                   ignore=args.ignore, extend_ignore=_flat(args.extend_ignore),
                   per_file_ignores=args.per_file_ignores, exclude=_flat(args.exclude),
                   extend_exclude=_flat(args.extend_exclude),
                   respect_gitignore=args.respect_gitignore if getattr(args, "respect_gitignore_given", False)
                   else None, parse_timeout=args.parse_timeout)


def _main(argv: list[str] | None, pre_commit: bool = False) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["rule"] and not pre_commit:
        return rule_main(argv[1:])
    if argv[:1] == ["stats"] and not pre_commit:
        from .stats import stats_main

        return stats_main(argv[1:])
    if argv[:1] in (["explain"], ["map"]) and not pre_commit:
        from .contextmap import map_main
        from .explain import explain_main

        return (explain_main if argv[0] == "explain" else map_main)(argv[1:])
    if argv[:1] == ["server"] and not pre_commit:
        try:
            from .server import server_main
        except ImportError as exc:
            print(f"ctxlint server: {exc}; install it with `pip install 'ctxlint[server]'`", file=sys.stderr)
            return 2
        return server_main(argv[1:])
    if argv[:1] == ["clean"] and not pre_commit:
        from .commands import clean_main

        return clean_main(argv[1:])
    parser = build_parser()
    if pre_commit:
        parser.prog = "ctxlint-pre-commit"
        parser.description = ("Analyse the projects of the given files (as pre-commit passes them) and report "
                              "context misuse in those files only.")
    args = parser.parse_args(argv)
    if args.statistics and args.format not in STATISTICS_FORMATS:
        parser.error(f"--statistics cannot be written as {args.format} (it can as {', '.join(STATISTICS_FORMATS)})")
    paths = args.paths or ["."]
    stdin: dict[str, bytes] = {}
    if "-" in args.paths or (args.stdin_filename and not args.paths):
        if args.paths not in ([], ["-"]):
            parser.error("- (standard input) cannot be given with other paths")
        if args.fix or args.diff or args.write_baseline:
            parser.error("--fix, --diff and --write-baseline work on files: name the file instead of -")
        paths = [args.stdin_filename or "-"]
        stdin[os.path.abspath(paths[0])] = sys.stdin.buffer.read()
    elif args.stdin_filename:
        parser.error("--stdin-filename names the file read from standard input: give - or no PATH")
    if not args.force_python:
        for p in [p for p in paths if os.path.isfile(p) and not looks_like_python(p)]:
            print(f"ctxlint: {p}: not a Python file (no .py name, no python #! line); skipped "
                  f"(--force-python analyses it)", file=sys.stderr)
            paths.remove(p)
    if pre_commit:
        if args.fix or args.diff or args.write_baseline:
            parser.error("--fix, --diff and --write-baseline work on whole projects: run ctxlint itself")
        for p in paths:
            if not os.path.isfile(p):
                print(f"ctxlint: {p}: no such file", file=sys.stderr)
        paths = [p for p in paths if os.path.isfile(p)]
        if not paths:
            return 0
    try:
        settings = settings_from(args, paths)
        baseline = load_baseline(args.baseline) if args.baseline else None
    except (ConfigError, BaselineError) as exc:
        print(f"ctxlint: {exc}", file=sys.stderr)
        return 2
    # unused suppressions are reported when asked for, or when CTX001 is selected by name (or CTX0, CTX00)
    report_unused = args.report_unused_noqa or any(len(p) > 3 and "CTX001".startswith(p) for p in settings.select or ())
    if args.report_unused_noqa:
        settings.select = [*(settings.select or ["CTX"]), "CTX001"]

    # the engine reports everything; selection and suppression happen here, after it
    options = Options(select=None, ignore=None, respect_gitignore=settings.respect_gitignore,
                      exclude=settings.exclude, knowledge=settings.knowledge, noqa=False,
                      jobs=args.jobs, cache_dir=args.cache_dir, use_cache=args.use_cache,
                      parse_timeout=settings.parse_timeout or DEFAULT_TIMEOUT)
    fix_status = None
    if args.fix or args.diff:
        from .autofix import run_fixes

        def keep(found: list[Finding], texts: dict[str, bytes]) -> list[Finding]:
            """The findings this run reports, in the files as fixed so far (``texts``)."""
            src = SourceLines(texts)
            sup = Suppressions(src)
            kept = [f for f in found if settings.selected(f.code) and not settings.per_file_ignored(f)
                    and (args.disable_noqa or not sup.suppresses(f))]
            if baseline is not None:
                kept, _ = baseline.filter(kept, src)
            return kept

        # named files are fixed with their projects analysed for context; findings elsewhere are left alone
        fix_targets, named, directories = fix_paths(paths)

        def keep_named(found: list[Finding], texts: dict[str, bytes]) -> list[Finding]:
            return keep([f for f in found if under(f.path, named, directories)], texts)

        with _progress() as shown:
            # the diff and the status lines are written before the run ends: the progress line stops first
            out, err = (shown.quiet(sys.stdout), shown.quiet(sys.stderr)) if shown else (sys.stdout, sys.stderr)
            fix_status, result = run_fixes(fix_targets, options, unsafe=args.unsafe_fixes, diff_only=args.diff,
                                           out=out, err=err, keep=keep_named)
        if named:  # the files reported on are the ones named (and those under the directories given)
            from .discover import discover

            result.files = len(discover(paths, options.respect_gitignore, options.exclude).files)
    else:
        # pre-commit's files and the command line's are the same targets: each file with its project
        with _progress():
            result = analyse_targets(paths, options, overrides=stdin)
    for err in result.errors:
        print(f"ctxlint: {err}", file=sys.stderr)
    if result.files == 0:
        if result.errors:
            print("ctxlint: no Python files to analyse", file=sys.stderr)
            return 2
        # like ruff: a warning, and the (empty) report
        print("ctxlint: warning: no Python files found under the given path(s)", file=sys.stderr)
    if args.diff:  # the diff is the output
        return 0 if args.exit_zero else fix_status or 0

    sources = SourceLines(stdin)
    suppressions = Suppressions(sources)
    found: list[Finding] = list(result.findings)
    if report_unused:
        from .discover import discover

        files = [f.path for f in discover(paths, settings.respect_gitignore, settings.exclude, virtual=stdin).files]
        found += suppressions.unused(result.findings, files)
    findings = [f for f in found if settings.selected(f.code) and not settings.per_file_ignored(f)
                and (args.disable_noqa or f.code == "CTX001" or not suppressions.suppresses(f))]
    findings.sort(key=Finding.sort_key)

    if args.write_baseline:
        try:
            n = write_baseline(args.write_baseline, findings, sources)
        except BaselineError as exc:
            print(f"ctxlint: {exc}", file=sys.stderr)
            return 2
        print(f"ctxlint: wrote {n} finding{'s' if n != 1 else ''} to the baseline {args.write_baseline}",
              file=sys.stderr)
        return 0
    baselined = 0
    if baseline is not None:
        findings, baselined = baseline.filter(findings, sources)

    color = args.output_file is None and _isatty(sys.stdout) and not os.environ.get("NO_COLOR")
    if args.statistics:
        out = statistics_report(findings, "json" if args.format == "json" else "text")
    elif args.format == "json":
        from .fixcache import fixes_json

        out = json_report(findings, fixes_json(findings, paths, options, stdin, result.key))
    elif args.format == "concise":
        out = concise_report(findings, result.files, baselined,
                             _fixable(findings, paths, options, args, stdin, result.key))
    elif args.format == "sarif":
        out = sarif_report(findings, errors=result.errors, sources=sources,
                           fixes_for=_sarif_fixes(findings, paths, options, stdin, result.key))
    elif args.format == "github":
        out = github_report(findings)
    elif args.format == "junit":
        out = junit_report(findings, result.files)
    else:
        out = text_report(findings, result.files, sources=sources, color=color, baselined=baselined,
                          fixable=_fixable(findings, paths, options, args, stdin, result.key))
    if args.output_file:
        try:
            with open(args.output_file, "w", encoding="utf-8") as fh:
                fh.write(out)
        except OSError as exc:
            print(f"ctxlint: {args.output_file}: cannot write: {exc.strerror or exc}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(out)
        sys.stdout.flush()
    if findings and not args.exit_zero:
        return 1
    return 0


def _progress() -> AbstractContextManager[Progress | None]:
    """A status line on stderr while the run works, when stderr is a terminal (never through a pipe)."""
    if not _isatty(sys.stderr):
        return nullcontext()
    return Progress(sys.stderr)


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False


# ---- ctxlint rule ---------------------------------------------------------------------------------

def rule_main(argv: list[str]) -> int:
    """``ctxlint rule CODE...`` prints rule pages; ``ctxlint rule --all`` lists the rules."""
    p = argparse.ArgumentParser(prog="ctxlint rule", description="Show what a rule finds, why it breaks at "
                                "runtime, an example and its fix.")
    p.add_argument("codes", nargs="*", metavar="RULE",
                   help="rule codes (CTX201), prefixes (CTX2: every CTX2xx rule) or names (request-local-in-thread)")
    p.add_argument("--all", action="store_true", help="every rule: a list (text), the README table (markdown), "
                                                      "or every page (json)")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text", help="default: text")
    args = p.parse_args(argv)
    if not args.codes and not args.all:
        p.error("give a rule code (ctxlint rule CTX201) or --all")
    from .commands import rules_matching

    codes: list[str] = []
    for query in args.codes:
        found = rules_matching(query)
        if not found:
            print(f"ctxlint rule: unknown rule code {query} (give a code, a prefix such as CTX2, or a rule's name; "
                  f"known: {', '.join(RULES)}; `ctxlint rule --all` lists them)", file=sys.stderr)
            return 2
        codes += [c for c in found if c not in codes]
    if args.all:
        codes = codes or list(RULES)
    rules = [RULES[c] for c in codes]
    if args.format == "json":
        out = json.dumps([{"code": r.code, "name": r.name, "summary": r.summary, "reported_at": r.reported_at,
                           "why": r.why, "errors": list(r.errors), "example": r.example, "fixed": r.fixed,
                           "fix": r.hint} for r in rules], indent=2, ensure_ascii=False) + "\n"
    elif args.all and not args.codes:
        if args.format == "markdown":
            from .rules import rules_table

            out = rules_table()
        else:
            width = max(len(r.name) for r in rules)
            out = "".join(f"{r.code}  {r.name:<{width}}  {r.summary}\n" for r in rules)
            out += "\n`ctxlint rule CODE` shows a rule's page.\n"
    elif args.format == "markdown":
        out = "\n".join(r.markdown() for r in rules)
    else:
        out = ("\n" + "─" * 92 + "\n\n").join(r.doc() for r in rules)
    sys.stdout.write(out)
    return 0


if __name__ == "__main__":  # pragma: no cover
    signal.signal(signal.SIGPIPE, signal.SIG_DFL) if hasattr(signal, "SIGPIPE") else None
    sys.exit(main())


def _sarif_fixes(findings: list[Finding], paths: list[str], options: Options,
                 stdin: dict[str, bytes], key: str | None) -> Callable[[Finding], list[Fix]]:
    """SARIF ``fixes`` from ctxlint's edits (suggestions carry no edits and give none)."""
    from .fixcache import fixes_json

    by_finding: dict[int, list[Fix]] = {}
    for f, fix in zip(findings, fixes_json(findings, paths, options, stdin, key)):
        edits = [(e["path"], e["start"]["line"], e["start"]["column"], e["end"]["line"], e["end"]["column"],
                  e["replacement"]) for e in fix.get("edits") or []]
        if edits:
            by_finding[id(f)] = [(f"{fix['applicability']} fix: {fix['message']}", edits)]
    return lambda f: by_finding.get(id(f), [])


def _fixable(findings: list[Finding], paths: list[str], options: Options, args: argparse.Namespace,
             stdin: dict[str, bytes], key: str | None) -> Fixable:
    """``[*]`` on the findings --fix fixes, and ruff's "N fixable with `--fix`" line."""
    from .fixcache import fixable

    return fixable(findings, paths, options, args.unsafe_fixes, stdin, key) if findings else Fixable()
