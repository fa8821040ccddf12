"""``ctxlint explain TARGET``: where a function runs, and why a finding was reported.

TARGET is ``path:line`` (the function holding that line; a finding's line explains the finding too)
or ``module:function``.  A thin shell over :mod:`ctxlint.whereruns`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Any

from .config import ConfigError, Settings, find_config, load_config, resolve
from .discover import find_project_root
from .findings import Finding
from .knowledge import base as K
from .options import Options
from .rules import RULES
from .suppression import SourceLines, Suppressions
from .whereruns import CONTEXT_NAMES, CONTEXT_WORDS, NEEDS_WORDS, FindingInfo, Hop, WhereRuns, analyse_project
from .workers import DEFAULT_TIMEOUT

SHOWN_ROOTS = 10  # roots listed per context in text (JSON lists every one)


class TargetError(Exception):
    """A target that names nothing: exit 2 with its message."""


def add_project_options(p: argparse.ArgumentParser) -> None:
    """The options ``explain`` and ``map`` share with ``ctxlint`` for finding and reading the project."""
    p.add_argument("--config", default=None, metavar="FILE",
                   help="read the configuration from FILE instead of the nearest pyproject.toml with [tool.ctxlint]")
    p.add_argument("--isolated", action="store_true", help="ignore configuration files")
    p.add_argument("--no-cache", dest="use_cache", action="store_false", help="do not read or write the cache")
    p.add_argument("--cache-dir", default=None, metavar="DIR", help="where to keep per-module summaries")


def project_settings(args: argparse.Namespace, paths: list[str]) -> tuple[Settings, Options]:
    """The configuration for ``paths`` and the engine's options from it (raises ConfigError)."""
    cfg = None
    if not args.isolated:
        path = args.config or find_config(paths)
        if path is not None:
            cfg = load_config(path)
    settings = resolve(cfg, paths=paths)
    options = Options(select=None, ignore=None, respect_gitignore=settings.respect_gitignore,
                      exclude=settings.exclude, knowledge=settings.knowledge, noqa=False, jobs=None,
                      cache_dir=args.cache_dir, use_cache=args.use_cache,
                      parse_timeout=settings.parse_timeout or DEFAULT_TIMEOUT)
    return settings, options


def status_of(f: Finding, settings: Settings, suppressions: Suppressions) -> str:
    """Whether ``ctxlint`` reports a finding: "reported", or why not."""
    if not settings.selected(f.code) or settings.per_file_ignored(f):
        return "not selected by the configuration"
    if suppressions.suppresses(f):
        return "suppressed by a noqa comment"
    return "reported"


_PATH_LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+)$")
_MODULE_FUNCTION = re.compile(r"^(?P<module>[\w.]+):(?P<function>[\w.<>]+)$")


def parse_target(target: str) -> tuple[str, int] | tuple[str, str]:
    """``(path, line)`` or ``(module, function)``; raises TargetError."""
    m = _PATH_LINE.match(target)
    if m and (os.path.exists(m["path"]) or m["path"].endswith(".py") or os.sep in m["path"]):
        if not os.path.isfile(m["path"]):
            raise TargetError(f"{m['path']}: no such file")
        return m["path"], int(m["line"])
    m = _MODULE_FUNCTION.match(target)
    if m:
        return m["module"], m["function"]
    raise TargetError(f"{target}: expected path:line (app/views.py:12) or module:function (app.views:index)")


def resolve_target(w: WhereRuns, target: tuple[str, int] | tuple[str, str]) -> tuple[str, int | None]:
    """The function a target names, and the line asked about (path:line); raises TargetError."""
    if isinstance(target[1], int):
        path, line = target[0], target[1]
        if w.module_at(path) is None:
            raise TargetError(f"{path}: not a Python file of the analysed project")
        qual = w.function_at(path, line)
        n = _line_count(path)
        if qual is None or line < 1 or line > n:
            raise TargetError(f"{path}:{line}: no such line (the file has {n})")
        return qual, line
    module, name = target
    if not w.has_module(module):
        raise TargetError(f"{module}: no such module in the analysed project")
    found = w.functions_named(module, name)
    if not found:
        raise TargetError(f"{module}:{name}: no function {name} in {module}")
    if len(found) > 1:
        raise TargetError(f"{module}:{name}: several functions are called {name}: "
                          + ", ".join(q.split(':', 1)[-1] for q in found) + " (give one of these names)")
    return found[0], None


def _line_count(path: str) -> int:
    try:
        with open(path, "rb") as fh:
            return len(fh.read().splitlines())
    except OSError:
        return 0


# ---- the answer, as data (JSON) and as text --------------------------------------------------------

def explanation(w: WhereRuns, qual: str, line: int | None, settings: Settings) -> dict[str, Any]:
    info = w.functions[qual]
    suppressions = Suppressions(SourceLines({}))
    show = w.show

    def hops(path: list[Hop]) -> list[dict[str, Any]]:
        return [{"function": h.function, "path": show(h.path), "line": h.line, "note": h.note} for h in path]

    def finding(fi: FindingInfo) -> dict[str, Any]:
        f = fi.finding
        rule = RULES.get(f.code)
        return {"code": f.code, "name": rule.name if rule else "", "path": f.path, "line": f.line,
                "column": f.column, "message": f.message, "status": status_of(f, settings, suppressions),
                "trace": [{"path": s.path, "line": s.line, "function": s.function, "note": s.note} for s in f.trace],
                "functions": fi.functions}

    contexts = []
    for ctx, reaches in w.roots_of(qual):
        contexts.append({"context": CONTEXT_NAMES.get(ctx, str(ctx)), "roots": [
            {"kind": r.kind, "category": r.category, "label": r.label, "function": r.entry,
             "path": show(r.path), "line": r.line, "path_from_root": hops(reach.path)} for r, reach in reaches]})
    run_in = set(info.contexts)
    uses = []
    for u in w.uses_reached(qual):
        need = K.REQUEST if u.needs == K.NEEDS_REQUEST or u.needs == K.NEEDS_URL and not w.graph.server_name \
            else K.APP
        uses.append({"text": u.text, "needs": u.needs, "path": show(u.path), "line": u.line, "function": u.function,
                     "via": hops(u.via),
                     "missing_in": [CONTEXT_NAMES[c] for c in sorted(run_in, reverse=True) if c & need != need]})
    here = w.findings_at(info.path, line) if line is not None else []
    through = [fi for fi in w.findings_through(qual) if fi not in here]
    return {
        "function": {"qualname": qual, "name": info.name, "module": info.module, "path": show(info.path),
                     "line": info.line, "kind": info.kind},
        "line": line,
        "reached": bool(info.reached),
        "contexts": contexts,
        "uses": uses,
        "findings_on_line": [finding(fi) for fi in here],
        "findings_through": [finding(fi) for fi in through],
    }


def text(data: dict[str, Any]) -> str:
    fn = data["function"]
    title = fn["name"] + ("" if fn["kind"] == "module" else "()")
    out = [f"{title}  {fn['qualname']}  {fn['path']}:{fn['line']}"]
    for f in data["findings_on_line"]:
        out += ["", f"{f['path']}:{f['line']}:{f['column']}: {f['code']} {f['name']} ({f['status']})",
                f"  {f['message']}", "  Why: the path from where the code starts running to the use:"]
        out += _steps(f["trace"], "    ")
    if not data["reached"]:
        out += ["", f"No root reaches {title}: no view, hook, command, job, thread or import ctxlint knows of runs "
                "it, so it is not checked as running in any context (its callers may be code ctxlint cannot "
                "follow, or it is unused)."]
    for c in data["contexts"]:
        roots = c["roots"]
        out += ["", f"Runs with {_ctx_words(c['context'])} — {len(roots)} root{'s' if len(roots) != 1 else ''}:"]
        for r in roots[:SHOWN_ROOTS]:
            out.append(f"  {r['label']} {_short(r['function'])}() ({r['path']}:{r['line']})")
            out += _steps(r["path_from_root"], "    ")
        if len(roots) > SHOWN_ROOTS:
            out.append(f"  … and {len(roots) - SHOWN_ROOTS} more (--format json lists every one)")
    if data["uses"]:
        out += ["", "Context-bound uses it reaches:"]
        for u in data["uses"]:
            via = [h["function"] for h in u["via"][1:]]
            out.append(f"  {u['text']} ({u['path']}:{u['line']}) needs {NEEDS_WORDS.get(u['needs'], u['needs'])}"
                       + (f", via {' → '.join(_short(q) + '()' for q in via)}" if via else ""))
            if u["missing_in"]:
                out.append("    missing where it runs with " + ", ".join(_ctx_words(c) for c in u["missing_in"]))
    else:
        out += ["", "It reaches no context-bound use."]
    if data["findings_through"]:
        out += ["", "Findings whose path passes through it:"]
        for f in data["findings_through"]:
            out.append(f"  {f['path']}:{f['line']}:{f['column']}: {f['code']} ({f['status']}) {f['message']}")
    return "\n".join(out) + "\n"


def _ctx_words(name: str) -> str:
    by_name = {v: k for k, v in CONTEXT_NAMES.items()}
    return CONTEXT_WORDS.get(by_name.get(name, -1), name)


def _short(qual: str) -> str:
    from .analysis.values import short_name

    return short_name(qual)


def _steps(steps: list[dict[str, Any]], indent: str) -> list[str]:
    width = max((len(f"{s['path']}:{s['line']}") for s in steps), default=0)
    return [f"{indent}{(s['path'] + ':' + str(s['line'])):<{width}}  {_short(s['function'])}: {s['note']}"
            for s in steps]


def explain_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="ctxlint explain",
        description="Where a function runs: the contexts it runs in, the roots that reach it with a shortest path "
                    "from each, the context-bound uses it reaches; on a finding's line, why it was reported.")
    p.add_argument("target", metavar="TARGET", help="path:line (app/views.py:12) or module:function (app.views:index, "
                                                    "app.views:Report.get)")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="the project (default: the project of TARGET's file, found as ctxlint finds it; or .)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="default: text")
    add_project_options(p)
    args = p.parse_args(argv)
    try:
        target = parse_target(args.target)
        if args.paths:
            paths = list(args.paths)
        elif isinstance(target[1], int):
            root = find_project_root(target[0])
            paths = [root, target[0]] if os.path.isdir(root) else [target[0]]
        else:
            paths = ["."]
        settings, options = project_settings(args, paths)
        errors: list[str] = []
        w = analyse_project(paths, options, errors)
        if w is None:
            raise TargetError("no Python files to analyse")
        qual, line = resolve_target(w, target)
    except (TargetError, ConfigError) as exc:
        print(f"ctxlint explain: {exc}", file=sys.stderr)
        return 2
    for err in errors:
        print(f"ctxlint: {err}", file=sys.stderr)
    data = explanation(w, qual, line, settings)
    data["target"] = args.target
    if args.format == "json":
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(text(data))
    return 0
