"""Findings from what propagation found: one per rule a root breaks, in the words of its rule's family.

The trace and the list of uses are the same for every rule; the start of the message and the first
step of the trace come from the :class:`~.base.Boundary` of the root's kind, the hint from the rule.
"""

from __future__ import annotations

from ..analysis.program import Program as Graph
from ..analysis.roots import Root
from ..analysis.templates import is_template
from ..analysis.values import short_name
from ..findings import Finding, Step
from ..model import Module
from ..propagate import Outcome, Violation, walk_back
from . import BOUNDARIES, DEFAULT_BOUNDARY, RULES
from .base import finding_at
from .meta import ParseError
from .threads import proxy_finding


def parse_error_findings(modules: list[Module]) -> list[Finding]:
    """CTX900 for each module that could not be parsed."""
    return [ParseError.finding(m) for m in modules if m.error is not None]


def outcome_findings(graph: Graph, outcome: Outcome) -> list[Finding]:
    root = outcome.root
    found: list[Finding] = []
    if outcome.proxies:
        found.append(proxy_finding(outcome))
    by_code: dict[str, list[Violation]] = {}
    for v in outcome.violations:
        by_code.setdefault(v.code, []).append(v)
    for code in list(by_code):
        if code in by_code:
            for other in RULES[code].supersedes:
                by_code.pop(other, None)
    boundary = BOUNDARIES.get(root.kind, DEFAULT_BOUNDARY)
    for code, vs in by_code.items():
        rule = RULES[code]
        first = vs[0]
        distinct = {(_fn_path(graph, v.state.qual), v.use.pos[0], v.use.text) for v in vs}
        more = len(distinct) - 1
        steps = list(walk_back(outcome, first.state))
        functions = [s[0].qual for s in steps] + [first.state.qual]
        trace = [boundary.step(root, outcome)]
        for state, act in steps:
            trace.append(Step(_fn_path(graph, state.qual), act.pos[0], short_name(state.qual),
                              f"calls {_call_text(act) or 'wrapped function'}"))
        use_path = _fn_path(graph, first.state.qual)
        trace.append(Step(use_path, first.use.pos[0], short_name(first.state.qual), f"uses {first.use.text}"))
        via_names = boundary.shown(root, [short_name(q) + ("" if is_template(q) else "()") for q in functions[1:]])
        via = f" via {' → '.join(via_names)}" if via_names else ""
        reached = f"{first.use.text} ({use_path}:{first.use.pos[0]}{f', +{more} more' if more else ''})"
        hint = rule.hint_for(root, first.use)
        note = f"; {first.use.note}" if first.use.note else ""
        msg = f"{boundary.subject(root, rule, functions, reached)}{via}{rule.suffix}{note}; {hint}"
        found.append(_finding(code, root, msg, hint, trace, graph, vs))
    return found


def _call_text(act: object) -> str:
    """What a step calls: ``helper()``; a template's part by its name (``mail/base.html``, no Python
    call), unless a render call names it (``render_template('mail/welcome.html')``)."""
    text: str = getattr(act, "text", "")
    chain = getattr(act, "chain", None)
    if chain and is_template(chain[-1][0]) and text == short_name(chain[-1][0]) + "()":
        return text[:-2]
    return text


def _fn_path(graph: Graph, qual: str) -> str:
    return graph.module_of(qual).path


def _finding(code: str, root: Root, msg: str, hint: str, trace: list[Step], graph: Graph,
             violations: list[Violation]) -> Finding:
    """The finding at ``root``, with the function it starts and every use reached (for fixes)."""
    f = finding_at(code, root, msg, hint, trace)
    entry = root.chain[-1][0]
    fn = graph.functions.get(entry)
    if fn is not None and root.kind not in ("import", "with", "handover"):
        f.target = (graph.module_of(entry).path, fn.pos[0], entry)
    seen = set()
    for v in violations:
        path = graph.module_of(v.state.qual).path
        p = v.use.pos
        key = (path, p[0], p[1], v.use.text)
        if key not in seen:
            seen.add(key)
            f.uses.append((path, p[0], p[1] + 1, p[2], p[3] + 1, v.use.text, v.state.qual))
    return f
