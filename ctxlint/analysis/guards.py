"""Guards and pushes: the contexts the conditions an action sits under guarantee.

``if has_request_context():``, ``if request:``, ``except RuntimeError:`` guard (the
code under them runs only where the context exists); ``with app.app_context():`` and
``ctx.push()`` push one.  Call-site facts (a parameter passed as ``None`` or a literal)
decide ``if`` tests on parameters.
"""

from __future__ import annotations

from typing import Callable, Iterator

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
    ReturnEvent,
    Star,
    Sub,
    WithCond,
    is_builtin,
    literal_truth,
)
from .index import bind_arguments
from .resolve import Resolver, UseEffect, argument
from .values import Cls, Ext, Func

# A condition resolved: ("guard" | "push" | "", contexts)
Resolved = tuple[str, int]
Facts = tuple[tuple[str, str], ...]  # (parameter, "none" | "true" | "false" | "given" | "set")
# a fact about an attribute of ``self`` (set from a constructor parameter) is keyed "self.<attr>"
SELF = "self."


class Guards:
    def __init__(self, resolver: Resolver, kb: Knowledge, needs: Callable[[Local], str]) -> None:
        self.r = resolver
        self.kb = kb
        self.needs = needs
        self._conds: dict[str, list[Resolved]] = {}
        self._entered: dict[str, int] = {}  # project context managers: the contexts their ``with`` pushes
        self._tested_attrs: dict[str, dict[str, str]] = {}
        self._probes: dict[str, int] = {}  # project functions whose true result vouches for contexts

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
            if isinstance(v, Func) and v.qual in self.r.functions and depth < 3:
                return self.probe_bits(v.qual, depth + 1)
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

    def probe_bits(self, qual: str, depth: int = 0) -> int:
        """The contexts a project function's true result vouches for: every value it returns is false, or
        starts by reading a context-bound name (``def logged_in(): try: return g.user is not None / except
        RuntimeError: return False``), or is a guard (``return has_request_context() and ...``)."""
        found = self._probes.get(qual)
        if found is not None:
            return found
        self._probes[qual] = 0  # provisional, for recursion
        fn = self.r.functions[qual]
        bits = REQUEST
        returns = [ev for ev in fn.events if isinstance(ev, ReturnEvent)]
        # a read that raises is the helper's own use (reported where it is not caught); what the helper vouches
        # for is that a true result could only come from a read that succeeded
        vouching = 0
        for ev in returns:
            if literal_truth(ev.expr) in ("false", "none"):
                continue
            bits &= self._first_read(ev.expr, fn) or self.guard_bits(ev.expr, True, fn, depth)
            vouching += 1
        bits = bits if vouching else 0  # a helper returning only false values vouches for nothing
        self._probes[qual] = bits
        return bits

    def _first_read(self, expr: Expr, fn: Function, depth: int = 0) -> int:
        """The contexts without which ``expr`` cannot give a true value: it starts by reading a context-bound
        name (``g.user is not None``, ``hasattr(g, "user") and ...``), or it tests a local every value of which
        is false or such a read (``user = None; try: user = g.user ...; return user is not None``)."""
        while True:
            if isinstance(expr, (Not, IsNone)):
                expr = expr.operand
            elif isinstance(expr, Sub):  # ``session["user"]`` reads ``session`` first
                expr = expr.value
            elif isinstance(expr, And) and expr.items:
                expr = expr.items[0]
            elif isinstance(expr, CallExpr):
                callee = self.r.resolve(expr.func, fn)
                if isinstance(callee, Ext) and callee.name in self.kb.reading_calls:  # ``hasattr(g, "user")``
                    read = argument(expr.args, expr.kws, self.kb.reading_calls[callee.name], None)
                    if read is None:
                        return 0
                    expr = read
                else:
                    expr = expr.func  # ``session.get("user_id")`` reads ``session`` first
            else:
                break
        if isinstance(expr, Name) and expr.scope == fn.qual and expr.id not in fn.params and depth < 2:
            # (a local only ever assigned false values may be filled in place: ``found = []; found.append(x)``)
            values = [e for e in fn.locals.get(expr.id, ()) if literal_truth(e) not in ("false", "none")]
            bits = REQUEST if values else 0
            for e in values:
                bits &= self._first_read(e, fn, depth + 1)
            return bits
        if not isinstance(expr, (Name, Attr)):
            return 0
        _, _, effects = self.r.scan_chain(expr, fn)
        first = next((e for e in effects if isinstance(e, UseEffect)), None)
        if first is None or first is not effects[0]:
            return 0
        return REQUEST if self.needs(first.local) == NEEDS_REQUEST else APP

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
        return frozenset(e.id for c in fn.conds if isinstance(c, IfCond) for e in tested_operands(c.test)
                         if isinstance(e, Name) and e.scope == qual and e.id in fn.params)

    def call_facts(self, qual: str, args: tuple[Expr, ...], kws: tuple[tuple[str, Expr], ...],
                   bound: bool, caller: Function | None = None) -> Facts:
        """What a call site says of the callee's tested parameters."""
        tested = self.tested_params(qual)
        if not tested:
            return ()
        fn = self.r.functions[qual]
        passed, _ = bind_arguments(fn, bound, args, kws)
        star = any(isinstance(a, Star) for a in args) or any(k is None for k, _ in kws)
        found = ((p, self._passed_truth(fn, p, passed, star, caller)) for p in sorted(tested))
        return tuple((p, t) for p, t in found if t is not None)

    def _passed_truth(self, fn: Function, param: str, passed: dict[str, Expr], star: bool,
                      caller: Function | None, handed_on_unknown: bool = False) -> str | None:
        """What a call tells of one parameter of ``fn``: the truth of the value passed (one passed on purpose is
        taken as not None even when it is not a literal), or of the default when none is; None when unknown
        (``*args`` may hold it; with ``handed_on_unknown``, a parameter of the caller passed on, which may be
        its own None default)."""
        if param not in passed:
            return None if star else fn.defaults.get(param)
        given = passed[param]
        if handed_on_unknown and caller is not None and isinstance(given, Name) and given.scope == caller.qual \
                and given.id in caller.params:
            return None
        return self.truth(given, caller) or ("set" if fn.defaults.get(param) == "none" else "given")

    # ---- facts about ``self``: attributes a constructor parameter sets ---------------------------------------
    def tested_attrs(self, cls: str) -> dict[str, str]:
        """Attributes of ``self`` that an ``if`` (or ``self.x or ...``) in the methods of ``cls`` and its
        bases tests, each with the ``__init__`` parameter that alone sets it (``self._config = config``)."""
        found = self._tested_attrs.get(cls)
        if found is not None:
            return found
        out: dict[str, str] = {}
        init = self.r.class_attr(cls, "__init__", True) if cls in self.r.classes else None
        init_fn = self.r.functions.get(init.qual) if isinstance(init, Func) else None
        if init_fn is not None and init_fn.kind == "def" and len(init_fn.params) > 1:
            order = self.r.mro(cls)
            tested: set[str] = set()
            for c in order:
                for method in self.r.classes[c].methods.values():
                    m = self.r.functions.get(method)
                    if m is not None and m.params:
                        tested.update(self._self_tests(m))
            in_methods = self._method_assigns(order)
            for attr in sorted(tested):
                exprs = [e for c in order for e in self.r.classes[c].attrs.get(attr, ())]
                params = {e.id for e in exprs if isinstance(e, Name) and e.scope == init_fn.qual
                          and e.id in init_fn.params[1:]}
                # set by __init__ from one of its parameters, and otherwise only by a literal in the class body
                # (a default); a method that sets it (``self.app = None``) makes the construction say nothing
                if len(params) == 1 and all(isinstance(e, Name) and e.scope == init_fn.qual and e.id in params
                                            for e in in_methods.get(attr, ())) \
                        and all(isinstance(e, Name) and e.scope == init_fn.qual and e.id in params
                                or literal_truth(e) is not None for e in exprs):
                    out[attr] = params.pop()
        self._tested_attrs[cls] = out
        return out

    def _method_assigns(self, classes: list[str]) -> dict[str, list[Expr]]:
        """What the methods of ``classes`` assign to attributes of ``self``, by attribute."""
        out: dict[str, list[Expr]] = {}
        for c in classes:
            klass = self.r.classes[c]
            methods = set(klass.methods.values())
            for target, value, _, _ in self.r.index.modules[klass.module].attr_assigns:
                # by the ``self`` it names (a closure inside a method assigns through the method's ``self``)
                base = target.value if isinstance(target, Attr) else None
                m = self.r.functions.get(base.scope) if isinstance(base, Name) and base.scope in methods else None
                if m is not None and isinstance(target, Attr) and self.is_self(target.value, m):
                    out.setdefault(target.attr, []).append(value)
        return out

    @staticmethod
    def _self_tests(fn: Function) -> list[str]:
        """The attributes of ``self`` that ``fn``'s ``if`` tests read."""
        me = fn.params[0]
        return [e.attr for c in fn.conds if isinstance(c, IfCond) for e in tested_operands(c.test)
                if isinstance(e, Attr) and isinstance(e.value, Name) and e.value.scope == fn.qual and e.value.id == me]

    def self_facts(self, receiver: Expr, fn: Function, cls: str) -> Facts:
        """What the construction of a receiver of class ``cls`` says of the attributes of ``self`` its methods
        test: ``IndicoConfig(app.config["INDICO"]).DEBUG``, or a local or global bound once to that call."""
        tested = self.tested_attrs(cls) if cls else {}
        if not tested:
            return ()
        made = self._construction(receiver, fn)
        if made is None:
            return ()
        call, scope = made
        if self.r.resolve(call.func, scope) != Cls(cls):
            return ()
        init = self.r.class_attr(cls, "__init__", True)
        init_fn = self.r.functions[init.qual] if isinstance(init, Func) else None
        if init_fn is None or init_fn.decorators:
            return ()
        star = any(isinstance(a, Star) for a in call.args) or any(k is None for k, _ in call.kws)
        passed, _ = bind_arguments(init_fn, True, call.args, call.kws)
        found = ((SELF + attr, self._passed_truth(init_fn, p, passed, star, scope, handed_on_unknown=True))
                 for attr, p in sorted(tested.items()))
        return tuple((k, t) for k, t in found if t is not None)

    def _construction(self, expr: Expr, fn: Function) -> tuple[CallExpr, Function] | None:
        """The one constructor call an expression is (or a local or module global is bound to)."""
        if isinstance(expr, CallExpr):
            return expr, fn
        if not isinstance(expr, Name):
            return None
        if expr.scope == "":
            mod = self.r.index.module_of(fn.qual)
            bound, scope = mod.globals.get(expr.id, ()), mod.body
        else:
            owner = self.r.functions.get(expr.scope)
            if owner is None or expr.id in owner.params:
                return None
            bound = owner.locals.get(expr.id, ())
            scope = owner
        if len(bound) == 1 and isinstance(bound[0], CallExpr):
            return bound[0], scope
        return None

    @staticmethod
    def is_self(expr: Expr, fn: Function) -> bool:
        """``expr`` is the ``self`` of the method ``fn``."""
        return isinstance(expr, Name) and fn.cls is not None and fn.kind == "def" and bool(fn.params) \
            and expr.scope == fn.qual and expr.id == fn.params[0] \
            and not any(is_builtin(d, "staticmethod") or is_builtin(d, "classmethod") for d in fn.decorators)

    def truth(self, expr: Expr, fn: Function | None, depth: int = 0) -> str | None:
        """"none", "true" or "false" for a value known without running anything: a literal, a module global
        bound once to one (``DATA_DIR = "/var/lib/app"``), ``x or "default"`` (true)."""
        found = literal_truth(expr)
        if found is not None or fn is None or depth > 3:
            return found
        if isinstance(expr, Or) and expr.items and self.truth(expr.items[-1], fn, depth + 1) == "true":
            return "true"
        if isinstance(expr, Name) and expr.scope == "":
            bound = self.r.index.module_of(fn.qual).globals.get(expr.id, ())
            if len(bound) == 1:
                return self.truth(bound[0], self.r.index.module_of(fn.qual).body, depth + 1)
        return None

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
        attr = self._self_attr(test.operand if isinstance(test, IsNone) else test, qual)
        if attr is not None and SELF + attr in facts:
            truth = facts[SELF + attr]
            if isinstance(test, IsNone):
                return truth == "none"
            return None if truth == "given" else truth in ("true", "set")
        return None

    def _self_attr(self, test: Expr, qual: str) -> str | None:
        """``x`` when ``test`` is ``self.x`` in the method ``qual``."""
        if isinstance(test, Attr) and isinstance(test.value, Name) and test.value.scope == qual:
            fn = self.r.functions.get(qual)
            if fn is not None and self.is_self(test.value, fn):
                return test.attr
        return None


def tested_operands(test: Expr) -> Iterator[Expr]:
    """What an ``if`` test reads through ``not``/``and``/``or``/``is None``."""
    todo = [test]
    while todo:
        e = todo.pop()
        if isinstance(e, (Not, IsNone)):
            todo.append(e.operand)
        elif isinstance(e, (And, Or)):
            todo.extend(e.items)
        else:
            yield e
