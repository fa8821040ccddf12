"""A fix for every finding: an edit where one is right, a precise suggestion where none is.

Each rule's fix maker is in its family's module (``ctxlint/rules/``) and uses the
rewriting library (:mod:`ctxlint.rewrite`); this module runs them, turns their fixes
into JSON, and plans ``--fix``: fix in memory, analyse again, until nothing more applies
(:mod:`ctxlint.autofix` writes the result).

* ``safe``: what the user surely wants (``stream_with_context`` around a streamed
  generator, the real app object instead of the ``current_app`` proxy, request data
  read in the view and passed to a worker used only there).  ``--fix`` applies them.
* ``unsafe``: changes behaviour the user should review (``copy_current_request_context``
  keeps the request alive in the worker, a worker that gets the app and pushes its
  context, a changed signature of a function called elsewhere).  ``--unsafe-fixes``.
* ``suggestion``: no edit, a message naming what to change and where.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import libcst as cst

from .discover import discover
from .findings import Finding
from .fixing import (
    SAFE,
    SUGGESTION,
    UNSAFE,
    Edit,
    Fix,
    FixError,
    NoFix,
    SourceText,
    apply_edits,
    check_compiles,
    check_parses,
    overlaps,
    target_name,
)
from .options import Options, Result
from .report import Fixable
from .rewrite import FixContext, Sources, imports_left_unused_removed
from .rules import RULES

__all__ = ["SAFE", "SUGGESTION", "UNSAFE", "Applied", "Failed", "Fix", "FixContext", "NoFix", "Plan", "Sources",
           "fix_as_json", "fix_for", "fixable", "fixes_as_json", "plan_fixes"]

Analyse = Callable[[list[str], Options, dict[str, bytes]], Result]  # the engine's analyse(paths, options, overrides)


def fix_for(f: Finding, context: FixContext | None = None) -> Fix:
    """The fix of one finding: edits with their applicability, or a suggestion."""
    ctx = context or _default_context()
    rule = RULES.get(f.code)
    try:
        fix = rule.fix(f, ctx) if rule is not None else None
    except NoFix as exc:
        return Fix(SUGGESTION, exc.message)
    except (FixError, RecursionError, cst.ParserSyntaxError, ValueError, TypeError) as exc:
        return Fix(SUGGESTION, f"{f.fix_hint} (no automatic fix: {exc})")
    if fix is None:
        return Fix(SUGGESTION, f.fix_hint or "see the message")
    if fix.applicability != SUGGESTION and not fix.edits:
        return Fix(SUGGESTION, fix.message)
    error = _cannot_apply(fix, ctx)
    if error:  # never advertise edits that --fix would have to drop
        return Fix(SUGGESTION, f"{fix.message} (the automatic fix cannot be applied: {error})", error=error)
    return fix


def _cannot_apply(fix: Fix, ctx: FixContext) -> str:
    """Why ``fix``'s edits cannot be applied to the texts they were computed from ("" when they can)."""
    by_file: dict[str, list[Edit]] = {}
    for e in fix.edits:
        by_file.setdefault(os.path.abspath(e.path), []).append(e)
    for path, edits in by_file.items():
        try:
            check_compiles(apply_edits(ctx.sources.text(path).text, edits), path)
        except FixError as exc:
            return str(exc)
    return ""


def _default_context() -> FixContext:
    """A context reading files from disk, for findings reported without one."""
    return FixContext()


def fix_as_json(finding: Finding, context: FixContext | None = None) -> dict[str, Any]:
    """The JSON ``fix`` object of a finding: ``applicability``, ``message`` and ``edits``."""
    return fix_for(finding, context).as_json()


def fixes_as_json(findings: Sequence[Finding], paths: Sequence[str] | None = None,
                  options: Options | None = None, overrides: dict[str, bytes] | None = None) -> list[dict[str, Any]]:
    """``fix_as_json`` for every finding of one analysis of ``paths``, sharing the parsed files; ``overrides``:
    the texts analysed instead of the files on disk (standard input)."""
    ctx = _expecting(_context(paths, options, overrides), findings)
    return [fx.as_json() for fx in _each_fix(findings, ctx)]


_KEPT_UNITS = 200  # parsed files kept between fixes (findings come sorted by file: neighbours share them)


def _each_fix(findings: Sequence[Finding], ctx: FixContext) -> Iterator[Fix]:
    """``fix_for`` of each finding, the parsed files dropped between fixes when they grow many."""
    for f in findings:
        yield fix_for(f, ctx)
        ctx.sources.forget_units(_KEPT_UNITS)


def _expecting(ctx: FixContext, findings: Sequence[Finding]) -> FixContext:
    """``ctx``, told which names the fixes of ``findings`` may count the references of (their targets'):
    the project's files are then scanned once for all of them, not once per finding."""
    ctx.references.expect(target_name(f) for f in findings)
    return ctx


def _context(paths: Sequence[str] | None, options: Options | None,
             overrides: dict[str, bytes] | None = None) -> FixContext:
    """The fix context of one analysis of ``paths``: the files it analysed (with the texts of ``overrides``
    in place of those on disk), parsed once for all fixes."""
    if paths is None:
        return FixContext()
    from .targets import fix_paths

    options = options or Options()
    overrides = overrides or {}
    texts: dict[str, SourceText] = {}
    for path, data in overrides.items():
        try:
            texts[path] = SourceText.from_bytes(path, data)
        except FixError:
            pass  # the engine cannot read it either: it has no findings to fix
    # a named file is analysed with its project: what the fix may touch or find used is the project's
    files = discover(fix_paths(list(paths), overrides)[0], options.respect_gitignore, options.exclude,
                     virtual=overrides).files
    return FixContext(Sources(texts), files=[f.abspath for f in files])


def fixable(findings: Sequence[Finding], paths: Sequence[str], options: Options, unsafe: bool,
            overrides: dict[str, bytes] | None = None) -> Fixable:
    """Which findings ``--fix`` (with ``unsafe``: ``--fix --unsafe-fixes``) fixes, and the unsafe fixes it
    leaves out, for the text report."""
    ctx = _expecting(_context(paths, options, overrides), findings)  # as the JSON output's
    applicabilities = [fx.applicability if fx.edits else SUGGESTION for fx in _each_fix(findings, ctx)]
    return Fixable([a == SAFE or unsafe and a == UNSAFE for a in applicabilities],
                   0 if unsafe else applicabilities.count(UNSAFE), unsafe)


# ---- --fix and --diff ------------------------------------------------------------------------

MAX_PASSES = 8


@dataclass
class Applied:
    fix: Fix
    code: str
    files: set[str]


Keep = Callable[[list[Finding], dict[str, bytes]], list[Finding]]


def kept(result: Result, keep: Keep | None, overrides: dict[str, bytes]) -> Result:
    return result if keep is None else dataclasses.replace(result, findings=keep(list(result.findings), overrides))


@dataclass
class Failed:
    """A fix that ``--fix`` would apply but cannot: the finding, and why."""
    finding: Finding
    reason: str

    def describe(self) -> str:
        f = self.finding
        return f"{f.code} at {f.path}:{f.line}:{f.column}: {self.reason}"


class Plan(NamedTuple):
    texts: dict[str, SourceText]  # every file, as fixed
    applied: list[Applied]
    first: Result  # the analysis before any fix
    hidden: int  # unsafe fixes left out (no --unsafe-fixes)
    failed: list[Failed]  # fixes wanted in the last analysis that could not be applied


def plan_fixes(paths: list[str], options: Options, unsafe: bool, texts: dict[str, SourceText],
               keep: Keep | None = None, *, analyse: Analyse) -> Plan:
    """Fix in memory until nothing more applies.  ``analyse(paths, options, overrides)`` is the engine's
    analysis of the texts as fixed so far."""
    current = dict(texts)
    applied: list[Applied] = []
    first: Result | None = None
    hidden = 0
    failed: list[Failed] = []
    for _ in range(MAX_PASSES):
        overrides = {p: s.data for p, s in current.items()}
        result = kept(analyse(paths, options, overrides), keep, overrides)
        ctx = _expecting(FixContext(Sources(current), files=list(current)), result.findings)
        fixes = [(f, fix_for(f, ctx)) for f in result.findings]
        if first is None:
            first = result
            hidden = sum(1 for _, fx in fixes if fx.applicability == UNSAFE and fx.edits and not unsafe)
        failed = [Failed(f, fx.error) for f, fx in fixes if fx.error]
        wanted = [(f, fx) for f, fx in fixes
                  if fx.edits and (fx.applicability == SAFE or unsafe and fx.applicability == UNSAFE)]
        pending: dict[str, list[Edit]] = {}
        made = 0
        for f, fx in wanted:
            by_file: dict[str, list[Edit]] = {}
            for e in fx.edits:
                by_file.setdefault(os.path.abspath(e.path), []).append(e)
            outside = [p for p in by_file if p not in current]
            if outside:
                failed.append(Failed(f, f"it edits {os.path.relpath(outside[0])}, which is not among the files "
                                        f"being fixed"))
                continue
            if any(overlaps(e, o) for p, es in by_file.items() for e in es for o in pending.get(p, [])):
                continue  # another fix of this pass edits the same place: the next pass sees its result
            try:
                for p, es in by_file.items():
                    trial = apply_edits(current[p].text, pending.get(p, []) + es)
                    check_parses(trial, p)
                    current[p].encode(trial)
            except FixError as exc:
                failed.append(Failed(f, str(exc)))
                continue
            for p, es in by_file.items():
                pending.setdefault(p, []).extend(es)
            applied.append(Applied(fx, f.code, set(by_file)))
            made += 1
        for p, es in pending.items():
            current[p] = current[p].with_text(apply_edits(current[p].text, es))
        if not made:
            break
    for p, src in list(current.items()):
        if src.text != texts[p].text:
            cleaned = imports_left_unused_removed(texts[p].text, src.text, p)
            if cleaned != src.text:
                try:
                    check_parses(cleaned, p)
                    current[p] = src.with_text(cleaned)
                except FixError:
                    pass
    assert first is not None
    return Plan(current, applied, first, hidden, failed)
