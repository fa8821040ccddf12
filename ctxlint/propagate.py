"""Propagate contexts from the roots through the call graph.

Every root (a view, a hook, a CLI command, a job, a thread target, the body
of a module, a ``with app.app_context():`` block, a streamed generator) is
explored breadth first over states ``(function, contexts, pending wrapper
chain, region)``.  Exploring finds two things: the context-bound names
reached where their context is missing (violations, with the shortest path
to each) and further roots (threads spawned, jobs registered, generators
streamed, blocks that push a context).  States that have every context can
violate nothing, so roots with a full request context share one visited set.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Iterator, NamedTuple

from .analysis.actions import Action, Call, ParamCall, Spawn, Stream, Use, streamed_generators
from .analysis.decorators import Chain
from .analysis.guards import SELF, tested_operands
from .analysis.index import is_test_path
from .analysis.program import Program
from .analysis.roots import Root
from .analysis.values import short_name
from .knowledge import base as K
from .model import CallExpr, IfCond, MainCond, Name, Pos, ReturnEvent, Seq, WithCond


class State(NamedTuple):
    """Where exploration stands: a function entered with some contexts."""

    qual: str
    ctx: int
    bound: Chain  # the decorated chain still to enter when a wrapper calls the function it wraps
    region: int  # only the events under this ``with`` condition (-1: the whole function)
    facts: tuple[tuple[str, str], ...] = ()  # what the call site said of tested parameters
    self_cls: str = ""  # the class of ``self`` when known: ``self.m()`` dispatches on it
    # what the call site said of the parameters of the decorated function at the end of ``bound``, for a
    # wrapper that passes its arguments on (``f(*args, **kwargs)``)
    pending: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class Violation:
    code: str
    use: Use
    state: State


@dataclass(slots=True)
class Outcome:
    """What one root reaches: violations in BFS order and how to walk back from each."""

    root: Root
    violations: list[Violation]
    parents: dict[State, tuple[State, Action] | None]
    proxies: tuple[tuple[str, Pos], ...] = ()
    boundary_text: str = ""


def entry_states(chain: Chain, ctx: int, facts: tuple[tuple[str, str], ...] = (),
                 self_cls: str = "") -> tuple[State, str]:
    first = chain[0]
    last = len(chain) == 1
    return State(first[0], ctx | first[1], chain[1:], -1, facts if last else (), self_cls if last else "",
                 () if last else facts), first[2]


def code_for(kind: str, needs: str, eff: int) -> str | None:
    """The rule a use breaks, given where its root runs and the contexts it has."""
    need = K.REQUEST if needs == K.NEEDS_REQUEST else K.APP
    if eff & need == need:
        return None
    if kind == "thread":
        return "CTX201" if need == K.REQUEST else "CTX202"
    if kind == "job":
        if eff & K.APP:
            return "CTX501"
        return "CTX301" if need == K.REQUEST else "CTX302"
    if kind == "import":
        return "CTX101" if not eff & K.APP else "CTX501"
    if kind == "stream":
        return "CTX401"
    return "CTX501"


class Propagator:
    def __init__(self, graph: Program, every_root: bool = False) -> None:
        """``every_root``: keep each root's whole exploration (no visited set shared between roots with a
        request context, and module-body calls that reach nothing bad kept too), so that its ``parents``
        hold a shortest path from it to every function it reaches (``ctxlint explain``, ``ctxlint map``).
        The findings are the same; the exploration costs more."""
        self.g = graph
        self.every_root = every_root
        self.shared_seen: set[State] = set()
        self.root_keys: set[Any] = set()
        self.queue: deque[tuple[Root, tuple[tuple[str, Pos], ...], str]] = deque()
        self.outcomes: list[Outcome] = []

    def add_root(self, root: Root, proxies: tuple[tuple[str, Pos], ...] = (), text: str = "") -> None:
        key = (root.kind, root.path, root.pos, root.chain, root.ctx, root.func)
        if key in self.root_keys:
            return
        self.root_keys.add(key)
        self.queue.append((root, proxies, text))

    def run(self) -> list[Outcome]:
        for root in self.g.roots():
            self.add_root(root)
        self._drain()
        # a thread starts with no context, and a job runs with its runner's, whoever runs the code that
        # starts or queues it, so boundaries in functions no root reaches (an app factory only a WSGI
        # server calls, an extension's init_app) are checked too — unless a parameter of the function
        # decides whether the boundary is crossed (``if start_scheduler:``): no known caller enables it.
        # So is a ``with app.app_context():`` block in an app factory (the app it pushes was made there:
        # no request of it can be active).
        reached = self._reached()
        for qual in sorted(self.g.functions):
            if is_test_path(self.g.module_of(qual).path):  # tests mock what the thread would reach
                continue
            if qual in reached:
                continue  # its boundaries were found where its callers' facts are known
            flagged = self.g.tested_params(qual)
            fn = self.g.functions[qual]
            for act in self.g.actions(qual):
                if flagged and self._under_param_test(fn, act, flagged):
                    continue
                if isinstance(act, Spawn) and act.chain is not None and not act.wrapped:
                    self._discover(qual, act)
            if self.g.is_app_factory(fn):
                conds = self.g.conditions(fn)
                for ci, (kind, bits) in enumerate(conds):
                    if kind == "push" and bits and not (flagged and self._cond_tests(fn, ci, flagged)):
                        self._push_root(qual, K.NONE, (), ci)
        self._drain()
        return self.outcomes

    def _reached(self) -> set[str]:
        """Functions some root's exploration entered."""
        out = {s.qual for s in self.shared_seen}
        for o in self.outcomes:
            out.update(s.qual for s in o.parents)
        return out

    def _under_param_test(self, fn: Any, act: Action, params: frozenset[str]) -> bool:
        return any(self._cond_tests(fn, ci, params) for ci in act.conds)

    @staticmethod
    def _cond_tests(fn: Any, ci: int, params: frozenset[str]) -> bool:
        """Whether condition ``ci`` of ``fn`` (or one it sits under) tests one of ``params``."""
        c = fn.conds[ci]
        return isinstance(c, IfCond) and any(isinstance(e, Name) and e.scope == fn.qual and e.id in params
                                             for e in tested_operands(c.test))

    def _drain(self) -> None:
        while self.queue:
            root, proxies, text = self.queue.popleft()
            if root.kind == "import":
                self.explore_module(root)
                continue
            if root.kind == "handover":
                self.outcomes.append(Outcome(root, [], {}, proxies, text))
                continue
            outcome = self.explore(root)
            outcome.proxies = proxies
            outcome.boundary_text = text
            self.outcomes.append(outcome)

    # ---- module bodies: each top-level use or call is its own boundary ------------------
    def explore_module(self, root: Root) -> None:
        qual = root.chain[0][0]
        fn = self.g.functions[qual]
        conds = self.g.conditions(fn)
        module = self.g.module_of(qual)
        module_ctx = self.g.module_context(module)
        importer = self.g.startup_importer(module)
        label = f"imported inside {short_name(importer)}() at startup" if importer else root.label
        for act in self.g.actions(qual):
            ctx = K.NONE if any(isinstance(fn.conds[i], MainCond) for i in act.conds) else module_ctx
            if isinstance(act, (Spawn, Stream)) or not isinstance(act, (Use, Call)):
                self._discover(fn.qual, act)
                continue
            eff, push = self._effective(ctx, act, conds, -1, ())
            if push is not None:
                self._push_root(qual, ctx, (), push)
                continue
            if eff == K.REQUEST or eff < 0 or isinstance(act, Call) and act.only_with & ~eff:
                continue
            sub = Root("import", label, root.chain, K.NONE, root.path, act.pos, qual)
            parents: dict[State, tuple[State, Action] | None] = {}
            start = State(qual, ctx, (), -1)
            parents[start] = None
            violations: list[Violation] = []
            if isinstance(act, Use):
                code = code_for("import", act.needs, eff)
                if code is not None:
                    violations.append(Violation(code, act, start))
            elif act.chain:
                state, use = entry_states(act.chain, eff, act.facts, act.receiver)
                if state not in parents:
                    parents[state] = (start, act)
                    if use:
                        self._decorator_use(sub, state, use, violations)
                    violations += self._bfs(sub, deque([state]), parents, per_root=True)
            if violations or self.every_root:
                self.outcomes.append(Outcome(sub, violations, parents))

    # ---- everything else ---------------------------------------------------------------
    def explore(self, root: Root) -> Outcome:
        if root.kind == "with":
            # chain[0] is (function, 0, region): see _push_root
            state = State(root.chain[0][0], root.ctx, root.chain[1:], int(root.chain[0][2]))
            use = ""
        else:
            state, use = entry_states(root.chain, root.ctx, (), root.self_cls)
        parents: dict[State, tuple[State, Action] | None] = {state: None}
        violations: list[Violation] = []
        if use:
            self._decorator_use(root, state, use, violations)
        if root.view:
            self._streamed_returns(root)
        per_root = root.ctx != K.REQUEST or self.every_root
        if not per_root:
            if state in self.shared_seen:
                return Outcome(root, [], parents)
            self.shared_seen.add(state)
        violations += self._bfs(root, deque([state]), parents, per_root)
        return Outcome(root, violations, parents)

    def _decorator_use(self, root: Root, state: State, text: str, violations: list[Violation]) -> None:
        fn = self.g.functions[state.qual]
        use = Use(K.NEEDS_REQUEST, text, fn.pos, (), False, self.g.kb.decorator_notes.get(text, ""))
        code = code_for(root.kind, use.needs, state.ctx)
        if code is not None:
            violations.append(Violation(code, use, state))

    def _streamed_returns(self, root: Root) -> None:
        qual = root.chain[-1][0]
        fn = self.g.functions[qual]
        for ev in fn.events:
            if not isinstance(ev, ReturnEvent):
                continue
            value = ev.expr
            if isinstance(value, Seq) and value.items:
                value = value.items[0]
            if not isinstance(value, CallExpr):
                continue
            for gen, _ in streamed_generators(self.g.resolver, value, fn, self.g.chain_for):
                chain = self.g.chain_for(gen)
                self.add_root(Root("stream", "streamed generator", chain, K.NONE, root.path, ev.pos, qual),
                              text=short_name(gen) + "()")

    def _effective(self, ctx: int, act: Action, conds: list[tuple[str, int]], region: int,
                   bound: Chain, state: State | None = None) -> tuple[int, int | None]:
        """Contexts an action runs with (-1: it cannot run); or the condition that starts a ``with`` root."""
        if state is not None and state.facts and act.conds:
            fn = self.g.functions[state.qual]
            facts = dict(state.facts)
            for ci in act.conds:
                c = fn.conds[ci]
                if isinstance(c, IfCond):
                    d = self.g.decide(c.test, facts, fn.qual)
                    if d is not None and d != c.positive:
                        return -1, None
        eff = ctx
        for ci in act.conds:
            kind, bits = conds[ci]
            if kind == "guard":
                eff |= bits
        for ci in act.conds:
            kind, bits = conds[ci]
            if kind != "push" or not bits or ci == region:
                continue
            if bits & ~eff:
                if bound:  # a decorator's wrapper: the push belongs to the wrapped call
                    eff |= bits
                else:
                    return eff, ci
        return eff, None

    def _push_root(self, qual: str, eff: int, bound: Chain, ci: int) -> None:
        fn = self.g.functions[qual]
        cond = fn.conds[ci]
        assert isinstance(cond, WithCond)
        bits = self.g.conditions(fn)[ci][1]
        pos = cond.pos
        ctx = eff | bits
        path = self.g.module_of(qual).path
        # encode the region in the chain's first step (see explore)
        chain: Chain = ((qual, 0, str(ci)),) + bound
        self.add_root(Root("with", "with block", chain, ctx, path, (pos[0], pos[1], pos[0], pos[1] + 4), qual))

    def _discover(self, qual: str, act: Action, bound: Chain = ()) -> None:
        path = self.g.module_of(qual).path
        if isinstance(act, Spawn) and act.wrapped and bound:
            # a decorator's wrapper runs the decorated function in a thread (directly, or from a closure
            # that calls it): the root is at the decorated function's def
            target = self.g.functions[bound[-1][0]]
            wrapper = self.g.functions[qual]
            deco = short_name(wrapper.parent) if wrapper.parent else short_name(qual)
            self.add_root(Root("thread", act.label, (act.chain or ()) + bound, K.NONE,
                               self.g.module_of(target.qual).path, target.pos, target.qual, process=act.process,
                               via=f"@{deco}", via_at=(path, act.pos[0], short_name(qual))))
            return
        if isinstance(act, Spawn) and act.wrapped and act.chain is None:
            return  # started by a decorator's wrapper: the root is made where the decorated chain is known
        if isinstance(act, Spawn):
            if act.registers:
                if act.chain is not None:
                    target = self.g.functions[act.chain[-1][0]]
                    ctx = self.g.registered_job_context(act.label, target)
                    self.add_root(Root("job", act.label, act.chain, ctx, self.g.module_of(target.qual).path,
                                       target.pos, target.qual, self_cls=act.receiver))
                if act.proxies:
                    self.add_root(Root("handover", act.label, ((qual, 0, ""),), K.REQUEST, path, act.pos, qual),
                                  act.proxies, act.target_text)
                return
            chain = act.chain if act.chain is not None else ((qual, 0, ""),)
            kind = "thread" if act.chain is not None else "handover"
            self.add_root(Root(kind, act.label, chain, K.NONE if kind == "thread" else K.REQUEST, path, act.pos,
                               qual, process=act.process, self_cls=act.receiver), act.proxies, act.target_text)
        elif isinstance(act, Stream):
            self.add_root(Root("stream", "streamed generator", act.chain, K.NONE, path, act.pos, qual),
                          text=act.target_text)

    def _dispatch(self, act: Call, state: State) -> tuple[Chain, str]:
        """The chain a call enters from ``state``, and the class of ``self`` there.

        ``obj.m()`` on an object of a known class enters ``m`` with ``self`` of that class, so that
        ``self.m()`` there goes to ``m`` as that class defines it (a subclass's override).
        """
        callee = self.g.functions.get(act.chain[-1][0]) if act.chain else None
        if callee is None or callee.cls == act.receiver:
            return act.chain, ""  # self is the method's own class: no need to tell it apart
        return act.chain, act.receiver

    def _bfs(self, root: Root, queue: deque[State], parents: dict[State, tuple[State, Action] | None],
             per_root: bool) -> list[Violation]:
        violations: list[Violation] = []
        kind = "thread" if root.kind in ("thread",) else root.kind
        while queue:
            state = queue.popleft()
            qual, ctx, bound, region = state.qual, state.ctx, state.bound, state.region
            fn = self.g.functions.get(qual)
            if fn is None:
                continue
            conds = self.g.conditions(fn)
            for act in self.g.actions(qual, state.self_cls):
                if region >= 0 and region not in act.conds:
                    continue
                eff, push = self._effective(ctx, act, conds, region, bound, state)
                if push is not None:
                    self._push_root(qual, eff, bound, push)
                    continue
                if eff < 0:
                    continue
                if isinstance(act, Use):
                    code = code_for(kind, act.needs, eff)
                    if code is not None:
                        violations.append(Violation(code, act, state))
                    continue
                nxt: State | None = None
                use = ""
                if isinstance(act, Call):
                    if act.only_with & ~eff:
                        continue
                    chain, self_cls = self._dispatch(act, state)
                    if chain:
                        facts = act.facts
                        if act.keeps_self and state.facts:  # ``self.m()``: the same object, the same attributes
                            facts += tuple(f for f in state.facts if f[0].startswith(SELF))
                        nxt, use = entry_states(chain, eff, facts, self_cls)
                elif isinstance(act, ParamCall):
                    if bound:
                        nxt, use = entry_states(bound, eff, state.pending if act.forwards else ())
                else:
                    self._discover(qual, act, bound)
                    continue
                if nxt is None or nxt in parents:
                    continue
                if not per_root:
                    if nxt in self.shared_seen:
                        continue
                    self.shared_seen.add(nxt)
                parents[nxt] = (state, act)
                if use:
                    self._decorator_use(root, nxt, use, violations)
                queue.append(nxt)
        return violations


def walk_back(outcome: Outcome, state: State) -> Iterator[tuple[State, Action]]:
    """The (state, action) steps from the root to ``state``, root first."""
    steps: list[tuple[State, Action]] = []
    link = outcome.parents.get(state)
    while link is not None:
        prev, act = link
        steps.append((prev, act))
        link = outcome.parents.get(prev)
    return reversed(steps)
