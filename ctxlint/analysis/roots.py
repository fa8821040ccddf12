"""Roots: the places where Flask, a CLI or a job runner starts running project code.

Roots come from decorators (``@app.route``), registration calls (``app.add_url_rule``),
base classes (``MethodView``) and module bodies (import time).  Which context each root
runs with is the knowledge's word; procedures a table cannot say (Celery task classes,
click command trees) are library hooks the pass calls by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ..knowledge.base import APP, NONE, REQUEST, Knowledge
from ..knowledge.base import Root as RootSpec
from ..model import CallEvent, CallExpr, Expr, Function, Name, Pos, is_builtin
from .decorators import Chain
from .resolve import argument
from .values import Ext, Func, Value


@dataclass(frozen=True, slots=True)
class Root:
    """A place where Flask or a job runner starts running project code."""

    kind: str  # "request", "app", "job", "import", "thread", "stream", "with", "handover"
    label: str
    chain: Chain
    ctx: int
    path: str
    pos: Pos
    func: str  # qualname of the function the boundary line is in (or the root itself)
    view: bool = False  # a view: a generator it returns streams (CTX401)
    process: bool = False  # a thread root that is really another process
    # a thread a project decorator starts for the function it wraps: the decorator's name and where
    # its wrapper starts the thread (path, line, function)
    via: str = ""
    via_at: tuple[str, int, str] = ("", 0, "")
    self_cls: str = ""  # the class of ``self`` in the root function, when known


class Collector(Protocol):
    """A library's hook into root discovery (click's command trees, say)."""

    def root_spec(self, callee: Value) -> RootSpec | None: ...

    def on_function(self, fn: Function) -> None: ...

    def on_decorator(self, fn: Function, spec: RootSpec, callee: Value, root: Root) -> bool: ...

    def on_registration(self, fn: Function, spec: RootSpec | None, callee: Value, args: tuple[Expr, ...],
                        target: str | None) -> bool: ...

    def finish(self) -> list[Root]: ...


_CONTEXT = {"request": REQUEST, "app": APP}


class Roots:
    def __init__(self, prog: Any, kb: Knowledge) -> None:
        # ``prog`` is the analysis.program.Program (the hooks get it too)
        self.p = prog
        self.kb = kb
        self._registers: dict[str, tuple[RootSpec, Value, CallExpr | None, Function] | None] = {}

    def all(self) -> list[Root]:
        p = self.p
        roots: list[Root] = []
        collectors: list[Collector] = [make(p) for make in self.kb.hook("root_collector")]
        for mod in p.index.modules.values():
            if mod.error is not None:
                continue
            body = mod.body
            roots.append(Root("import", "module", ((body.qual, 0, ""),), NONE, mod.path, body.pos, body.qual))
            for fn in list(mod.functions.values()):
                if fn.decorators:
                    self._decorator_roots(fn, roots, collectors)
                for ev in fn.events:
                    if isinstance(ev, CallEvent):
                        self._registration_roots(fn, ev.call, roots, collectors)
            for klass in mod.classes.values():
                self._class_roots(klass.qual, roots)
        for c in collectors:
            roots.extend(c.finish())
        return roots

    def spec(self, d: Expr, scope: Function,
             collectors: list[Collector]) -> tuple[RootSpec | None, Value, CallExpr | None]:
        """The root a decorator (or the callee of a registration call) makes, with its callee."""
        call = d if isinstance(d, CallExpr) else None
        callee = self.p.resolve(d.func if isinstance(d, CallExpr) else d, scope)
        if callee is None:
            return None, None, None
        if isinstance(callee, Ext):
            return self._spec_of(callee), callee, call
        for c in collectors:
            spec = c.root_spec(callee)
            if spec is not None:
                return spec, callee, call
        return None, callee, call

    def _decorator_roots(self, fn: Function, roots: list[Root], collectors: list[Collector]) -> None:
        p = self.p
        scope = p.index.decorator_scope(fn)
        mod = p.index.module_of(fn.qual)
        for c in collectors:
            c.on_function(fn)
        for i, d in enumerate(fn.decorators):
            spec, callee, call = self.spec(d, scope, collectors)
            where = scope
            if spec is None and isinstance(callee, Func) and callee.qual in p.index.functions:
                # a project decorator standing for a library's: ``def task(**kw): return celery.task(**kw)``,
                # or one that registers the function it is given (``def deco(f): return celery.task(f)``)
                spec, callee, call, where = self._through_project(d, callee, scope)
            if spec is None or not spec.decorator:
                continue
            chain = p.decorators.chain_below(fn, fn.decorators[i + 1:])
            ctx = _CONTEXT.get(spec.kind, NONE)
            if spec.kind == "job":
                ctx = self.job_context(fn, callee, call, where, spec.label)
            root = Root(spec.kind, spec.label, chain, ctx, mod.path, fn.pos, fn.qual, spec.view)
            if not any(c.on_decorator(fn, spec, callee, root) for c in collectors):
                roots.append(root)
            return

    def _through_project(self, d: Expr, callee: Func, scope: Function
                         ) -> tuple[RootSpec | None, Value, CallExpr | None, Function]:
        """The library root a project decorator ``d`` (resolved to ``callee``) makes of the function below it:
        a factory returning a library's decorator (``return bp.route(rule, **kw)``), or a decorator (given
        directly, or returned by a factory) that registers its parameter (``celery.task(**opts)(f)``,
        ``self.task(f, ...)``)."""
        p = self.p
        applied: Value = callee
        if isinstance(d, CallExpr):
            applied = p.resolve(d, scope)  # what the factory returns for these arguments
            if isinstance(applied, Ext) and applied.name.endswith("()"):
                made = Ext(applied.name[:-2])
                spec = self._spec_of(made)
                if spec is not None:
                    return spec, made, None, scope
        if isinstance(applied, Func) and applied.qual in p.index.functions:
            found = self.registers(applied.qual)
            if found is not None:
                return found
        return None, callee, None, scope

    def registers(self, qual: str, depth: int = 0) -> tuple[RootSpec, Value, CallExpr | None, Function] | None:
        """The library root a project function makes of its first parameter, if it registers it: ``X(f)``,
        ``X(..., kw=f)`` or ``X(...)(f)`` for a root ``X``, or a project function that does (a few deep)."""
        memo = self._registers
        if qual in memo:
            return memo[qual]
        memo[qual] = None  # while computing (a decorator registering through itself registers nothing)
        p = self.p
        fn = p.index.functions[qual]
        params = list(fn.params[1:]) if fn.cls is not None and not any(
            is_builtin(d, "staticmethod") for d in fn.decorators) else list(fn.params)
        if not params:
            return None
        mine = params[0]

        def is_mine(e: Expr | None) -> bool:
            return isinstance(e, Name) and e.scope == qual and e.id == mine

        found: tuple[RootSpec, Value, CallExpr | None, Function] | None = None
        for ev in fn.events:
            if not isinstance(ev, CallEvent):
                continue
            expr = ev.call
            if isinstance(expr.func, CallExpr):  # X(...)(f)
                if expr.args and is_mine(expr.args[0]):
                    spec, lib, call = self.spec(expr.func, fn, [])
                    if spec is not None and spec.decorator:
                        found = (spec, lib, call, fn)
            else:
                spec, lib, _ = self.spec(expr.func, fn, [])
                if spec is not None and spec.call:
                    if any(is_mine(argument(expr.args, expr.kws, i, k)) for i, k in spec.slots):
                        found = (spec, lib, None, fn)
                elif isinstance(lib, Func) and lib.qual in p.index.functions and depth < 4 \
                        and expr.args and is_mine(expr.args[0]):
                    found = self.registers(lib.qual, depth + 1)
            if found is not None:
                break
        memo[qual] = found
        return found

    def _spec_of(self, callee: Ext) -> RootSpec | None:
        spec = self.kb.roots.get(callee.name)
        if spec is None and not callee.name.startswith("?."):
            head = callee.name.split(".", 1)[0]
            if head not in self.kb.packages:
                spec = self.kb.roots.get("?." + callee.name.split(".", 1)[-1])
        return spec

    def _registration_roots(self, fn: Function, expr: CallExpr, roots: list[Root],
                            collectors: list[Collector]) -> None:
        p = self.p
        callee_expr, args, kws = expr.func, expr.args, expr.kws
        call: CallExpr | None = None
        targets: list[Expr | None] = []
        if isinstance(callee_expr, CallExpr):
            # X(args)(f): a decorator factory applied by hand
            spec, callee, call = self.spec(callee_expr, fn, collectors)
            if args:
                targets = [args[0]]
        else:
            spec, callee, _ = self.spec(callee_expr, fn, collectors)
            if spec is not None and spec.call:
                targets = [t for t in (argument(args, kws, i, k) for i, k in spec.slots) if t is not None]
        for target in targets or [None]:
            value = p.resolve(target, fn) if target is not None else None
            q = value.qual if isinstance(value, Func) and value.qual in p.index.functions else None
            if any(c.on_registration(fn, spec, callee, args, q) for c in collectors):
                return
            if spec is None or q is None:
                continue
            target_fn = p.index.functions[q]
            ctx = _CONTEXT.get(spec.kind, NONE)
            if spec.kind == "job":
                ctx = self.job_context(target_fn, callee, call, fn, spec.label)
            roots.append(Root(spec.kind, spec.label, p.decorators.chain_for(q), ctx, p.index.module_of(q).path,
                              target_fn.pos, q, spec.view))

    def job_context(self, fn: Function, callee: Value, call: CallExpr | None, scope: Function,
                    label: str) -> int:
        """Contexts a job registered by a decorator runs with (a library may know better)."""
        ctx = self.p.registered_job_context(label, fn)
        name = callee.name if isinstance(callee, Ext) else ""
        for hook in self.kb.hook("job_context"):
            found = hook(self.p, fn, name, call, scope)
            if found is not None:
                return int(found)
        return ctx

    def _class_roots(self, cls: str, roots: list[Root]) -> None:
        p = self.p
        for b in p.resolver.ext_bases(cls):
            spec = self.kb.root_classes.get(b)
            if spec is None:
                continue
            seen: set[str] = set()
            for c in p.resolver.mro(cls):
                for name, q in p.index.classes[c].methods.items():
                    if name in seen:
                        continue
                    if name in spec.methods or any(n.endswith("*") and name.startswith(n[:-1]) for n in spec.methods):
                        seen.add(name)
                        fn = p.index.functions[q]
                        ctx = _CONTEXT.get(spec.kind, NONE)
                        if spec.kind == "job":
                            ctx = self.job_context(fn, Ext(b), None, fn, spec.label)
                        roots.append(Root(spec.kind, spec.label, p.decorators.chain_for(q), ctx,
                                          p.index.module_of(q).path, fn.pos, q, view=name in spec.views,
                                          self_cls=cls))
            return
