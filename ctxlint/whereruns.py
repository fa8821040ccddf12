"""Where each function of a project runs: the query ``ctxlint explain`` and ``ctxlint map`` are made of.

The propagation is run once with every root's exploration kept (:class:`~ctxlint.propagate.Propagator`
with ``every_root``): each root's ``parents`` then hold a shortest path from it to every function it
reaches, with the contexts the function is entered with.  From that, for every project function:

* the contexts it runs in, and for each the roots that reach it with one shortest path from each;
* the context-bound uses it reaches (a propagation from the function itself, with no context);
* the findings, each with the functions on its path.

Paths inside are absolute, as the engine's are; :attr:`WhereRuns.show` gives the form shown to the user.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from typing import Callable

from .analysis.actions import Call, Use
from .analysis.program import Program
from .analysis.roots import Root
from .analysis.values import short_name
from .discover import discover, display_path
from .findings import Finding
from .knowledge import base as K
from .model import Function, Module
from .options import Options
from .propagate import Outcome, Propagator, State, walk_back
from .rules import BOUNDARIES, CHECKS, DEFAULT_BOUNDARY
from .rules.messages import outcome_findings, parse_error_findings
from .shown import shown_findings

CONTEXT_NAMES = {K.NONE: "none", K.APP: "app", K.REQUEST: "request"}
CONTEXT_WORDS = {K.NONE: "no context", K.APP: "an application context only", K.REQUEST: "a request context"}
NEEDS_WORDS = {K.NEEDS_REQUEST: "a request context", K.NEEDS_APP: "an application context",
               K.NEEDS_URL: "a request context (url_for without SERVER_NAME)"}

# how roots are grouped, in the order they are listed
CATEGORIES = ("view", "request handler", "CLI command", "app context", "job", "thread", "import time",
              "streamed body", "with block")


def category(root: Root) -> str:
    """The group a root is shown in: views, other request handlers, CLI commands, jobs, threads, ..."""
    if root.kind == "request":
        return "view" if root.view else "request handler"
    if "command" in root.label.lower():
        return "CLI command"
    return {"app": "app context", "job": "job", "thread": "thread", "import": "import time",
            "stream": "streamed body", "with": "with block"}.get(root.kind, root.kind)


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a path: in ``function`` at ``path:line``, what happens there."""

    function: str  # qualified name
    path: str
    line: int
    note: str


@dataclass(slots=True)
class RootInfo:
    index: int
    kind: str  # Root.kind
    category: str
    label: str
    entry: str  # the qualified name of the function it runs
    boundary: str  # the function the boundary is written in (the spawner of a thread, the module of an import)
    path: str
    line: int
    context: int  # the contexts it starts with


@dataclass(slots=True)
class Reach:
    """A root reaches a function with some contexts, along a shortest path."""

    root: int
    context: int
    path: list[Hop]


@dataclass(slots=True)
class UseInfo:
    """A context-bound use a function reaches, unguarded, and how."""

    text: str
    needs: str
    path: str
    line: int
    function: str
    via: list[Hop]  # from the function asked about to the use


@dataclass(slots=True)
class FunctionInfo:
    qual: str
    name: str
    module: str
    path: str
    line: int
    kind: str
    reached: list[Reach] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)  # callee -> line of the first call
    uses: list[tuple[str, str, int]] = field(default_factory=list)  # (text, needs, line) in the function itself

    @property
    def contexts(self) -> list[int]:
        return sorted({r.context for r in self.reached}, reverse=True)


@dataclass(slots=True)
class FindingInfo:
    finding: Finding
    functions: list[str]  # qualified names on its path, boundary first


@dataclass
class WhereRuns:
    graph: Program
    roots: list[RootInfo]
    functions: dict[str, FunctionInfo]
    findings: list[FindingInfo]
    show: Callable[[str], str] = display_path

    def roots_of(self, qual: str) -> list[tuple[int, list[tuple[RootInfo, Reach]]]]:
        """The contexts ``qual`` runs in (most first), each with the roots that reach it and a shortest path."""
        info = self.functions[qual]
        out: list[tuple[int, list[tuple[RootInfo, Reach]]]] = []
        for ctx in info.contexts:
            reaches = [(self.roots[r.root], r) for r in info.reached if r.context == ctx]
            reaches.sort(key=lambda p: (CATEGORIES.index(p[0].category) if p[0].category in CATEGORIES
                                        else len(CATEGORIES), len(p[1].path), p[0].path, p[0].line))
            out.append((ctx, reaches))
        return out

    def uses_reached(self, qual: str) -> list[UseInfo]:
        """The context-bound uses ``qual`` reaches unguarded, each with a shortest path: the propagation from
        ``qual`` as if it ran with no context (every use it reaches is then one that needs a context)."""
        g = self.graph
        fn = g.functions[qual]
        chain = g.chain_for(qual) if fn.kind != "module" else ((qual, 0, ""),)
        root = Root("job", "explained function", chain, K.NONE, g.module_of(qual).path, fn.pos, qual)
        if fn.kind == "module":
            outcome = _module_uses(g, root)
        else:
            outcome = Propagator(g).explore(root)
        out: list[UseInfo] = []
        seen: set[tuple[str, int, str]] = set()
        for v in outcome.violations:
            path = g.module_of(v.state.qual).path
            key = (path, v.use.pos[0], v.use.text)
            if key in seen:
                continue
            seen.add(key)
            via = [Hop(s.qual, g.module_of(s.qual).path, a.pos[0], f"calls {_call_text(a)}")
                   for s, a in walk_back(outcome, v.state)]
            via.append(Hop(v.state.qual, path, v.use.pos[0], f"uses {v.use.text}"))
            out.append(UseInfo(v.use.text, v.use.needs, path, v.use.pos[0], v.state.qual, via))
        return out

    def findings_at(self, path: str, line: int) -> list[FindingInfo]:
        full = os.path.abspath(path)
        return [f for f in self.findings if os.path.abspath(f.finding.path) == full and f.finding.line == line]

    def findings_through(self, qual: str) -> list[FindingInfo]:
        return [f for f in self.findings if qual in f.functions]

    # ---- finding a function from what the user typed ------------------------------------------------
    def function_at(self, path: str, line: int) -> str | None:
        """The innermost function (def) whose lines hold ``line`` of ``path``; the module's body outside any."""
        mod = self.module_at(path)
        if mod is None:
            return None
        spans = _def_spans(mod.path)
        best: tuple[int, str] | None = None
        for fn in mod.functions.values():
            if fn.kind != "def":
                continue
            span = spans.get(fn.pos[0])
            if span is None or not span[0] <= line <= span[1]:
                continue
            if best is None or span[0] >= best[0]:
                best = (span[0], fn.qual)
        return best[1] if best is not None else mod.body.qual

    def module_at(self, path: str) -> Module | None:
        full = os.path.realpath(path)
        for mod in self.graph.modules.values():
            if os.path.realpath(mod.path) == full:
                return mod
        return None

    def functions_named(self, module: str, name: str) -> list[str]:
        """Functions of ``module`` (its dotted name) called ``name``: a qualified name within the module
        (``Class.method``), or a short name when only one function has it."""
        mods = [m for m in self.graph.modules.values() if module in (m.name, m.import_name, *m.aliases)]
        found: list[str] = []
        for mod in mods:
            exact = [q for q in mod.functions if q.split(":", 1)[-1] == name]
            if exact:
                found += exact
                continue
            found += [q for q, fn in mod.functions.items() if fn.kind == "def"
                      and (short_name(q) == name or fn.name == name)]
        return found

    def has_module(self, module: str) -> bool:
        return any(module in (m.name, m.import_name, *m.aliases) for m in self.graph.modules.values())


def _module_uses(g: Program, root: Root) -> Outcome:
    """The uses a module body reaches, as :meth:`Propagator.explore_module` finds them (at import time)."""
    prop = Propagator(g, every_root=True)
    prop.explore_module(root)
    merged = Outcome(root, [], {})
    for o in prop.outcomes:
        for state, link in o.parents.items():
            merged.parents.setdefault(state, link)
        merged.violations += o.violations
    return merged


def _def_spans(path: str) -> dict[int, tuple[int, int]]:
    """For each def of a file: the line its summary gives (its first decorator or ``def``) -> (first line,
    last line).  Parsed with :mod:`ast`; nothing when the file does not parse."""
    try:
        with open(path, "rb") as fh:
            tree = ast.parse(fh.read())
    except (OSError, SyntaxError, ValueError):
        return {}
    out: dict[int, tuple[int, int]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            span = (first, node.end_lineno or node.lineno)
            for start in range(first, node.lineno + 1):
                out.setdefault(start, span)
    return out


def where_runs(modules: list[Module], knowledge: K.Knowledge,
               entry_points: dict[str, tuple[str, ...]] | None = None,
               names: dict[str, str] | None = None) -> WhereRuns:
    """Analyse ``modules`` as one project and answer where each function runs.  ``names`` maps absolute
    paths to the ones shown (the findings are given with those, as the engine's are)."""
    g = Program(modules, knowledge, entry_points)
    prop = Propagator(g, every_root=True)
    outcomes = prop.run()
    functions: dict[str, FunctionInfo] = {}
    for qual, fn in g.functions.items():
        functions[qual] = _function_info(g, fn)
    roots: list[RootInfo] = []
    root_index: dict[tuple[object, ...], int] = {}
    reached_by: dict[int, set[tuple[str, int]]] = {}  # root -> (function, contexts) already given a path
    for outcome in outcomes:
        root = outcome.root
        if root.kind == "handover" or not outcome.parents:
            continue
        key = (root.kind, root.label, root.chain, root.ctx, root.path, root.pos[0], root.func)
        ri = root_index.get(key)
        if ri is None:
            ri = root_index[key] = len(roots)
            roots.append(RootInfo(ri, root.kind, category(root), root.label, root.chain[-1][0], root.func,
                                  root.path, root.pos[0], root.ctx))
        first = _boundary_hop(g, outcome)
        done = reached_by.setdefault(ri, set())
        for state in outcome.parents:
            key2 = (state.qual, state.ctx)
            if key2 in done or state.qual not in functions:
                continue
            done.add(key2)
            path = [first, *_hops(g, outcome, state)]
            if (path[-2].function, path[-2].line) == (path[-1].function, path[-1].line):
                del path[-1]  # the root's own function: its boundary step says it all
            functions[state.qual].reached.append(Reach(ri, state.ctx, path))
    found = _findings(g, outcomes)
    for fi in found:
        fi.finding = shown_findings([fi.finding], names or {})[0]
    return WhereRuns(g, roots, functions, found, lambda p: (names or {}).get(p) or display_path(p))


def _function_info(g: Program, fn: Function) -> FunctionInfo:
    path = g.module_of(fn.qual).path
    info = FunctionInfo(fn.qual, short_name(fn.qual), fn.module, path, fn.pos[0], fn.kind)
    for act in g.actions(fn.qual):
        if isinstance(act, Call) and act.chain:
            for step in act.chain:
                if step[0] != fn.qual:
                    info.calls.setdefault(step[0], act.pos[0])
        elif isinstance(act, Use):
            info.uses.append((act.text, act.needs, act.pos[0]))
    return info


def _boundary_hop(g: Program, outcome: Outcome) -> Hop:
    root = outcome.root
    step = BOUNDARIES.get(root.kind, DEFAULT_BOUNDARY).step(root, outcome)
    if root.kind == "import":
        return Hop(root.func, root.path, root.pos[0], f"imported ({root.label})" if root.label != "module"
                   else "runs when the module is imported")
    return Hop(root.func, step.path, step.line, step.note)


def _hops(g: Program, outcome: Outcome, state: State) -> list[Hop]:
    hops = [Hop(s.qual, g.module_of(s.qual).path, a.pos[0], f"calls {_call_text(a)}")
            for s, a in walk_back(outcome, state)]
    fn = g.functions.get(state.qual)
    hops.append(Hop(state.qual, g.module_of(state.qual).path, fn.pos[0] if fn is not None else 0, "runs"))
    return hops


def _call_text(act: object) -> str:
    text = getattr(act, "text", "")
    return str(text) if text else "the wrapped function"


def _findings(g: Program, outcomes: list[Outcome]) -> list[FindingInfo]:
    """Every finding (as the engine's, before selection and suppression), with the functions on its path."""
    out: list[FindingInfo] = [FindingInfo(f, []) for f in parse_error_findings(list(g.modules.values()))]
    for outcome in outcomes:
        made = outcome_findings(g, outcome)
        for f in made:
            first = next((v for v in outcome.violations if v.code == f.code), None)
            quals = [outcome.root.func]
            if first is not None:
                quals += [s.qual for s, _ in walk_back(outcome, first.state)] + [first.state.qual]
            elif outcome.root.chain:
                quals.append(outcome.root.chain[-1][0])
            out.append(FindingInfo(f, list(dict.fromkeys(q for q in quals if q in g.functions))))
    for check in CHECKS:
        out += [FindingInfo(f, []) for f in check(g)]
    uniq: dict[tuple[str, int, str], FindingInfo] = {}
    for fi in out:
        uniq.setdefault((fi.finding.path, fi.finding.line, fi.finding.code), fi)
    return sorted(uniq.values(), key=lambda fi: fi.finding.sort_key())


def analyse_project(paths: list[str], options: Options, errors: list[str]) -> WhereRuns | None:
    """Discover and summarise ``paths`` as the engine does (with its cache) and answer where each function
    runs; None when there is no Python file (``errors`` says why)."""
    from .engine import summarise_files

    found = discover(paths, options.respect_gitignore, options.exclude)
    errors += found.errors
    modules = summarise_files(found.files, None, errors, options, paths)
    if not modules:
        return None
    return where_runs(modules, options.knowledge, found.entry_points, {f.abspath: f.path for f in found.files})
