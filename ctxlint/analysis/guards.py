"""Guards and pushes: the contexts the conditions an action sits under guarantee.

``if has_request_context():``, ``if request:``, ``except RuntimeError:`` guard (the
code under them runs only where the context exists); ``with app.app_context():`` and
``ctx.push()`` push one.  Call-site facts (a parameter passed as ``None`` or a literal)
decide ``if`` tests on parameters.
"""

from __future__ import annotations

from typing import Callable

from ..knowledge.base import APP, NEEDS_REQUEST, REQUEST, Knowledge, Local
from ..model import (
    And,
    Attr,
    CallExpr,
    ExceptCond,
    Expr,
    Function,
    IfCond,
    IsNone,
    Name,
    Not,
    Or,
    Star,
    WithCond,
    literal_truth,
)
from .index import bind_arguments
from .resolve import Resolver
from .values import Cls, Ext, Func

# A condition resolved: ("guard" | "push" | "", contexts)
Resolved = tuple[str, int]
Facts = tuple[tuple[str, str], ...]  # (parameter, "none" | "true" | "false" | "given" | "set")


class Guards:
    def __init__(self, resolver: Resolver, kb: Knowledge, needs: Callable[[Local], str]) -> None:
        self.r = resolver
        self.kb = kb
        self.needs = needs
        self._conds: dict[str, list[Resolved]] = {}
        self._entered: dict[str, int] = {}  # project context managers: the contexts their ``with`` pushes

    def conditions(self, fn: Function) -> list[Resolved]:
        """Each condition of ``fn`` as ("guard"|"push", contexts), or ("", 0)."""
        cached = self._conds.get(fn.qual)
        if cached is not None:
            return cached
        out: list[Resolved] = []
        for c in fn.conds:
            if isinstance(c, IfCond):
                out.append(("guard", self.guard_bits(c.test, c.positive, fn)))
            elif isinstance(c, WithCond):
                out.append(("push", self.push_bits(c.expr, fn)))
            elif isinstance(c, ExceptCond):
                caught = [self.r.resolve(e, fn) for e in c.caught]
                ok = any(isinstance(v, Ext) and v.name in self.kb.guard_exceptions for v in caught)
                out.append(("guard", REQUEST if ok else 0))
            else:
                out.append(("", 0))
        self._conds[fn.qual] = out
        return out

    def guard_bits(self, test: Expr, positive: bool, fn: Function, depth: int = 0) -> int:
        if isinstance(test, Not):
            return self.guard_bits(test.operand, not positive, fn, depth)
        if isinstance(test, And):
            if not positive:
                return 0
            bits = 0
            for item in test.items:
                bits |= self.guard_bits(item, True, fn, depth)
            return bits
        if isinstance(test, Or):
            if positive:
                return 0
            bits = 0
            for item in test.items:
                bits |= self.guard_bits(item, False, fn, depth)
            return bits
        if not positive:
            return 0
        if isinstance(test, CallExpr):
            v = self.r.resolve(test.func, fn)
            if isinstance(v, Ext) and v.name in self.kb.guard_calls:
                return self.kb.guard_calls[v.name]
            return 0
        if isinstance(test, (Name, Attr)):
            local = self.r.local_of(self.r.resolve(test, fn))
            if local is not None and local.proxy:
                return REQUEST if self.needs(local) == NEEDS_REQUEST else APP
            if isinstance(test, Name) and test.scope == fn.qual and test.id not in fn.params and depth < 3:
                # a local flag: ``has_user = has_request_context() and current_user ...`` then ``if has_user:``
                # guards as its value does, when every value assigned to it does
                assigned = fn.locals.get(test.id, ())
                bits = REQUEST if assigned else 0
                for e in assigned:
                    bits &= self.guard_bits(e, True, fn, depth + 1)
                return bits
        return 0

    def push_bits(self, expr: Expr, fn: Function, depth: int = 0) -> int:
        if isinstance(expr, CallExpr) and isinstance(expr.func, Attr) and expr.func.attr in self.kb.push_methods:
            return self.kb.push_methods[expr.func.attr]
        if isinstance(expr, Or) and depth < 3:
            # ``with context or app_context():``: whichever item is entered, each must push
            bits = REQUEST
            for item in expr.items:
                bits &= self.push_bits(item, fn, depth + 1)
            return bits
        if isinstance(expr, Name) and expr.scope == fn.qual and expr.id in fn.annotations:
            # a parameter annotated as a Flask context object (``context: Optional[AppContext]``)
            bits = 0
            scope = self.r.index.decorator_scope(fn)
            for t in fn.annotations[expr.id]:
                v = self.r.resolve(t, scope)
                if isinstance(v, Ext):
                    bits |= self.kb.context_classes.get(self.kb.canonical(v.name), 0)
            if bits:
                return bits
        if isinstance(expr, Name) and expr.scope and depth < 3:
            owner = self.r.functions.get(expr.scope)
            if owner is not None:
                bits = 0
                for e in owner.locals.get(expr.id, ()):
                    bits |= self.push_bits(e, owner, depth + 1)
                return bits
        if isinstance(expr, Attr) and isinstance(expr.value, Name) and fn.cls is not None and fn.params \
                and expr.value.scope == fn.qual and expr.value.id == fn.params[0] and depth < 3:
            # ``self.ctx.push()``: what the class stores in ``self.ctx``
            bits = 0
            for c in self.r.mro(fn.cls):
                for e in self.r.classes[c].attrs.get(expr.attr, ()):
                    bits |= self.push_bits(e, fn, depth + 1)
            return bits
        if isinstance(expr, CallExpr) and depth < 3:
            # ``with app_ctx():`` / ``with AppScope(app):``: a project context manager
            v = self.r.resolve(expr.func, fn)
            if isinstance(v, (Func, Cls)):
                return self.entered_bits(v)
        return 0

    def entered_bits(self, v: Func | Cls) -> int:
        """The contexts entering a project context manager pushes for its ``with`` block: a
        ``@contextmanager`` function's pushes around every ``yield``, or a class's ``__enter__``
        pushes that stay pushed when it returns."""
        key = f"{type(v).__name__}:{v.qual}"
        if key in self._entered:
            return self._entered[key]
        self._entered[key] = 0  # provisional, for recursion
        bits = 0
        if isinstance(v, Func):
            cm = self.r.functions.get(v.qual)
            if cm is not None and cm.yields and self._is_context_manager(cm):
                conds = self.conditions(cm)
                bits = REQUEST
                for at in cm.yields:
                    pushed = 0
                    for i in at:
                        if conds[i][0] == "push":
                            pushed |= conds[i][1]
                    bits &= pushed
        else:
            for method in ("__enter__", "__aenter__"):
                enter = self.r.class_attr(v.qual, method, True)
                if isinstance(enter, Func) and enter.qual in self.r.functions:
                    efn = self.r.functions[enter.qual]
                    conds = self.conditions(efn)
                    for i in efn.end_conds:
                        c = efn.conds[i]
                        if conds[i][0] == "push" and isinstance(c, WithCond) and c.push:
                            bits |= conds[i][1]
                    break
        self._entered[key] = bits
        return bits

    def _is_context_manager(self, fn: Function) -> bool:
        scope = self.r.index.decorator_scope(fn)
        for d in fn.decorators:
            v = self.r.resolve(d, scope)
            if isinstance(v, Ext) and v.name in self.kb.context_manager_decorators:
                return True
        return False

    def module_pushes(self, body: Function) -> bool:
        """Whether a module body pushes an app context for good (``app.app_context().push()``)."""
        conds = self.conditions(body)
        return any(kind == "push" and bits and isinstance(c, WithCond) and c.push
                   for (kind, bits), c in zip(conds, body.conds))

    # ---- call-site facts ----------------------------------------------------------------------
    def tested_params(self, qual: str) -> frozenset[str]:
        """Parameters whose value (truth, ``is None``) an ``if`` of the function tests."""
        fn = self.r.functions.get(qual)
        if fn is None:
            return frozenset()
        names: set[str] = set()
        for c in fn.conds:
            if isinstance(c, IfCond):
                todo = [c.test]
                while todo:
                    e = todo.pop()
                    if isinstance(e, (Not, IsNone)):
                        todo.append(e.operand)
                    elif isinstance(e, (And, Or)):
                        todo.extend(e.items)
                    elif isinstance(e, Name) and e.scope == qual and e.id in fn.params:
                        names.add(e.id)
        return frozenset(names)

    def call_facts(self, qual: str, args: tuple[Expr, ...], kws: tuple[tuple[str, Expr], ...],
                   bound: bool) -> Facts:
        """What a call site says of the callee's tested parameters."""
        tested = self.tested_params(qual)
        if not tested:
            return ()
        fn = self.r.functions[qual]
        if fn.decorators:
            return ()
        facts: list[tuple[str, str]] = []
        star = any(isinstance(a, Star) for a in args) or any(k is None for k, _ in kws)
        passed, _ = bind_arguments(fn, bound, args, kws)
        for p in sorted(tested):
            if p in passed:
                # a value passed on purpose: taken as not None even when it is not a literal
                truth = literal_truth(passed[p]) or ("set" if fn.defaults.get(p) == "none" else "given")
            elif star:
                truth = None
            else:
                truth = fn.defaults.get(p)
            if truth is not None:
                facts.append((p, truth))
        return tuple(facts)

    def decide(self, test: Expr, facts: dict[str, str], qual: str) -> bool | None:
        """The value of an ``if`` test given what is known of the parameters, or None."""
        if isinstance(test, Not):
            d = self.decide(test.operand, facts, qual)
            return None if d is None else not d
        if isinstance(test, And):
            ds = [self.decide(t, facts, qual) for t in test.items]
            return False if False in ds else (True if all(d is True for d in ds) else None)
        if isinstance(test, Or):
            ds = [self.decide(t, facts, qual) for t in test.items]
            return True if True in ds else (False if all(d is False for d in ds) else None)
        if isinstance(test, Name) and test.scope == qual and test.id in facts:
            # "set": a value passed on purpose for a parameter that defaults to None is there to be
            # used (``if not tz: tz = session.tzinfo`` is the fallback for callers that pass none);
            # "given": passed, truth unknown (``ping(n - 1)``)
            return None if facts[test.id] == "given" else facts[test.id] in ("true", "set")
        if isinstance(test, IsNone) and isinstance(test.operand, Name) and test.operand.scope == qual \
                and test.operand.id in facts:
            return facts[test.operand.id] == "none"
        return None
