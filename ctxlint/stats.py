"""``ctxlint stats PATH...``: what the resolver achieves on a project.

For every call site: did it resolve to a project function (or class)?  Method calls
``x.m()`` are split by what their receiver is (``self``, a parameter, a local, an
attribute of ``self``, anything else) — the calls whose receiver's class has to be
inferred — and those whose receiver stayed unknown are counted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from .analysis.program import Program
from .analysis.templates import is_template
from .analysis.values import Cls, Ext, Func, Inst, Mod, Param, Value, options
from .knowledge import Knowledge
from .model import Attr, CallEvent, Function, Name

KINDS = ("self", "parameter", "local", "self attribute", "other")


def _receiver_kind(fn: Function, expr: Any) -> str:
    if isinstance(expr, Name):
        if fn.cls is not None and fn.params and expr.scope == fn.qual and expr.id == fn.params[0]:
            return "self"
        if expr.scope == fn.qual and expr.id in fn.params:
            return "parameter"
        if expr.scope:
            return "local"
        return "other"
    if isinstance(expr, Attr) and isinstance(expr.value, Name) and fn.cls is not None and fn.params \
            and expr.value.scope == fn.qual and expr.value.id == fn.params[0]:
        return "self attribute"
    return "other"


def _resolved(v: Value) -> bool:
    return any(isinstance(o, Func) or isinstance(o, Cls) for o in options(v))


def resolver_stats(p: Program) -> dict[str, Any]:
    """Call sites seen and resolved, overall and for method calls by kind of receiver."""
    r = p.resolver
    calls = resolved = 0
    methods: Counter[str] = Counter()
    methods_resolved: Counter[str] = Counter()
    unknown_receivers = 0
    for fn in p.functions.values():
        if is_template(fn.qual):  # a template's parts are no Python the resolver is measured on
            continue
        for ev in fn.events:
            if not isinstance(ev, CallEvent):
                continue
            calls += 1
            callee = r.resolve(ev.call.func, fn)
            ok = _resolved(callee)
            resolved += ok
            func = ev.call.func
            if isinstance(func, Attr):
                receiver = r.resolve(func.value, fn)
                # calls on modules (mod.f()) and classes (Cls.m()) are not method calls on objects
                if any(isinstance(o, Cls) for o in options(receiver)) or _is_module_level(receiver):
                    continue
                kind = _receiver_kind(fn, func.value)
                methods[kind] += 1
                methods_resolved[kind] += ok
                held = [o for o in options(receiver) if isinstance(o, Inst)
                        or isinstance(o, Param) and r.param_values(o.fn, o.name)]
                if not held:
                    unknown_receivers += 1
    total_methods = sum(methods.values())
    return {
        "functions": len(p.functions),
        "classes": len(p.classes),
        "call_sites": calls,
        "resolved_to_project": resolved,
        "method_calls": total_methods,
        "method_calls_resolved": sum(methods_resolved.values()),
        "method_calls_by_receiver": {k: {"calls": methods[k], "resolved": methods_resolved[k]} for k in KINDS},
        "receivers_unknown": unknown_receivers,
        "inference_rounds": getattr(getattr(p, "inference", None), "rounds", 0),
    }


def _is_module_level(v: Value) -> bool:
    """A module, or a library's module-level object (``flask.request``, ``os.path``): not an object
    whose class the resolver could have inferred."""
    return any(isinstance(o, Mod) or (isinstance(o, Ext) and "(" not in o.name and not o.name.startswith("?."))
               for o in options(v))


def stats_main(argv: list[str]) -> int:
    from .discover import discover
    from .engine import summarise_files

    ap = argparse.ArgumentParser(prog="ctxlint stats", description="What the resolver achieves on a project: call "
                                 "sites resolved to project functions, method calls by kind of receiver.")
    ap.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    ap.add_argument("--format", choices=("text", "json"), default="text")
    args = ap.parse_args(argv)
    found = discover(args.paths, True, ())
    errors: list[str] = list(found.errors)
    modules = summarise_files(found.files, None, errors)
    for e in errors:
        print(f"ctxlint stats: {e}", file=sys.stderr)
    if not modules:
        print("ctxlint stats: no Python files to analyse", file=sys.stderr)
        return 2
    stats = resolver_stats(Program(modules, Knowledge(), found.entry_points))
    if args.format == "json":
        sys.stdout.write(json.dumps(stats, indent=2) + "\n")
        return 0
    pct = lambda a, b: f"{100 * a / b:.1f}%" if b else "-"  # noqa: E731
    lines = [f"{stats['functions']} functions, {stats['classes']} classes",
             f"call sites: {stats['call_sites']}, resolved to project functions or classes: "
             f"{stats['resolved_to_project']} ({pct(stats['resolved_to_project'], stats['call_sites'])})",
             f"method calls x.m(): {stats['method_calls']}, resolved: {stats['method_calls_resolved']} "
             f"({pct(stats['method_calls_resolved'], stats['method_calls'])}); receiver of unknown class: "
             f"{stats['receivers_unknown']}"]
    for k, v in stats["method_calls_by_receiver"].items():
        lines.append(f"  receiver {k + ':':<16} {v['calls']:>7} calls, {v['resolved']:>7} resolved "
                     f"({pct(v['resolved'], v['calls'])})")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
