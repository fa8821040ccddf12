"""Decorator chains: what calling a decorated function enters.

A project decorator whose wrapper calls the wrapped function is a step of the chain
(the wrapper runs first, and may push a context around the call); a known wrapper
(``copy_current_request_context``, ``with_appcontext``) adds contexts; a decorator whose
wrapper reads the request (``login_required``) is a use at the call.
"""

from __future__ import annotations

from typing import Callable

from ..knowledge.base import Knowledge
from ..model import CallEvent, CallExpr, Expr, Function, Name
from .index import Index
from .resolve import Resolver
from .values import Ext, Func

# A call chain: the functions a call enters, outermost decorator wrapper first.
# Each step is (qualname, contexts its wrapper adds, request-bound decorator text or "").
Step = tuple[str, int, str]
Chain = tuple[Step, ...]


class Decorators:
    def __init__(self, index: Index, resolver: Resolver, kb: Knowledge) -> None:
        self.index = index
        self.r = resolver
        self.kb = kb
        self._chains: dict[str, Chain] = {}
        self._param_calls: dict[str, frozenset[str]] = {}
        # set by the program: whether a nested function calls (or starts a thread on) the function
        # its enclosing decorator wraps
        self.calls_wrapped: Callable[[str], bool] = lambda qual: False

    def chain_for(self, qual: str) -> Chain:
        """What calling the (decorated) function ``qual`` enters."""
        if qual in self._chains:
            return self._chains[qual]
        self._chains[qual] = ((qual, 0, ""),)  # provisional, for recursion
        fn = self.r.functions.get(qual)
        chain: Chain = ((qual, 0, ""),)
        if fn is not None and fn.decorators:
            chain = self.chain_below(fn, fn.decorators)
        self._chains[qual] = chain
        return chain

    def chain_below(self, fn: Function, decorators: tuple[Expr, ...]) -> Chain:
        """The chain of ``fn`` wrapped by ``decorators`` (outermost first)."""
        scope = self.index.decorator_scope(fn)
        steps: list[Step] = []
        extra = 0
        use = ""
        for d in decorators:
            kind, payload = self.classify(d, scope)
            if kind == "wrapper":
                steps.append((str(payload), extra, use))
                extra, use = 0, ""
            elif kind == "ctx" and isinstance(payload, int):
                extra |= payload
            elif kind == "uses":
                use = str(payload)
        steps.append((fn.qual, extra, use))
        return tuple(steps)

    def classify(self, d: Expr, scope: Function) -> tuple[str, str | int | None]:
        """("wrapper", qual) | ("ctx", contexts) | ("uses", text) | ("transparent", None)."""
        if isinstance(d, CallExpr):
            callee = self.r.resolve(d.func, scope)
            if isinstance(callee, Ext):
                if callee.name in self.kb.request_decorators and any(
                        hook(callee.name, d) is False for hook in self.kb.hook("decorator_reads_request")):
                    return ("transparent", None)  # configured not to read the request (a constant cache key)
                return self._known(callee.name)
            value = self.r.call_result(callee)
        else:
            value = self.r.resolve(d, scope)
            if isinstance(value, Ext):
                return self._known(value.name)
        if isinstance(value, Func):
            wrapper = self.wrapper_of(value.qual)
            if wrapper is not None:
                return ("wrapper", wrapper)
        return ("transparent", None)

    def _known(self, name: str) -> tuple[str, str | int | None]:
        if name in self.kb.wrappers:
            return ("ctx", self.kb.wrappers[name])
        if name in self.kb.request_decorators:
            return ("uses", self.kb.request_decorators[name])
        return ("transparent", None)

    def wrapper_of(self, deco: str) -> str | None:
        """The nested function a project decorator returns, if it calls the wrapped one."""
        fn = self.r.functions.get(deco)
        if fn is None or not fn.params:
            return None
        for ret in fn.returns:
            v = self.r.resolve(ret, fn)
            if isinstance(v, Func) and v.qual.startswith(deco + "."):
                if v.qual in self.r.functions and self.calls_wrapped(v.qual):
                    return v.qual
        return None

    def called_params(self, qual: str) -> frozenset[str]:
        """Parameters of ``qual`` that it calls itself (functions passed by name)."""
        if qual in self._param_calls:
            return self._param_calls[qual]
        fn = self.r.functions.get(qual)
        out: set[str] = set()
        if fn is not None:
            for ev in fn.events:
                if isinstance(ev, CallEvent):
                    f = ev.call.func
                    if isinstance(f, Name) and f.scope == qual and f.id in fn.params:
                        out.add(f.id)
        self._param_calls[qual] = frozenset(out)
        return self._param_calls[qual]
