"""What parameters hold, from the project's call sites (flow-insensitive, to a fixpoint).

A parameter with no annotation takes the instances (and classes) that resolved call
sites pass: plain calls, constructor calls into ``__init__``, ``functools.partial``, the
arguments handed to threads, pools and job queues, and defaults.  A parameter passed on
as an argument carries what it holds to the callee's parameter.  Callees that resolve
only once parameter types are known are found in a further round (at most a few).
"""

from __future__ import annotations

from ..knowledge.base import ARGS_KW, KWARGS_KW, Constructor, Knowledge
from ..model import Attr, CallEvent, CallExpr, DictExpr, Expr, Function, Name, Seq, Str
from ..projectroot import find_project_root
from ..requirements import REQUIRES
from .index import Index, bind_arguments, is_test_path
from .resolve import Resolver, argument
from .values import Cls, Dict, Ext, FAttr, Func, Inst, Param, Query, Rows, Value, merge, options

ParamKey = tuple[str, str]
# Rounds of call-site resolution: the second resolves callees whose receivers the first typed (chains
# of parameters passed on are carried within a round); a third found nothing more on real projects.
MAX_ROUNDS = 2
_HELD = (Inst, Cls, Query, Rows, Dict)


def _held(v: Value) -> bool:
    """A value a parameter takes from its call sites: a project object or class, a query, a dict, or an
    instance of a library class (``BackgroundScheduler()`` handed to ``register_jobs(scheduler)``)."""
    return isinstance(v, _HELD) or isinstance(v, Ext) and v.name.endswith("()")


class ParamInference:
    def __init__(self, index: Index, kb: Knowledge) -> None:
        self.index = index
        self.kb = kb
        self.rounds = 0
        # call sites whose bindings do not depend on what parameters hold (found once, kept)
        self._stable: dict[tuple[str, int], list[tuple[str, str, Expr]]] = {}
        self._values: dict[tuple[str, int], tuple[Value, ...]] = {}

    entry_points: dict[str, tuple[str, ...]] = {}

    def run(self) -> Resolver:
        """A resolver that knows what every parameter holds (the last round's, when it found
        nothing new: what it remembered stays true)."""
        types: dict[ParamKey, tuple[Value, ...]] = {}
        previous: Resolver | None = None
        for _ in range(MAX_ROUNDS):
            self.rounds += 1
            resolver = self._resolver(previous, types)
            direct, edges = self._collect(resolver)
            new = _closure(direct, edges)
            if new == types:
                return resolver
            types, previous = new, resolver
        return self._resolver(previous, types)

    def _resolver(self, previous: Resolver | None, types: dict[ParamKey, tuple[Value, ...]]) -> Resolver:
        resolver = Resolver(self.index, self.kb)
        if previous is not None:
            # classes and their bases do not depend on what parameters hold, nor does any value
            # found without reading one
            resolver._mro, resolver._ext_bases = previous._mro, previous._ext_bases
            resolver.seed(previous)
        resolver.entry_points = self.entry_points
        resolver.param_types = types
        resolver.frozen = True  # what parameters hold is fixed for the round
        return resolver

    def _collect(self, r: Resolver) -> tuple[dict[ParamKey, list[Value]], dict[ParamKey, set[ParamKey]]]:
        direct: dict[ParamKey, list[Value]] = {}
        edges: dict[ParamKey, set[ParamKey]] = {}

        def flow(fn: Function, target: str, param: str, expr: Expr) -> None:
            key = (fn.qual, id(expr))
            found = self._values.get(key)
            if found is None:
                before = r.param_reads
                found = options(r.resolve(expr, fn) or self._rebound(r, expr))
                if r.param_reads == before:
                    self._values[key] = found
            for v in found:
                if _held(v):
                    held = direct.setdefault((target, param), [])
                    if v not in held:
                        held.append(v)
                elif isinstance(v, Param) and v != Param(target, param):
                    edges.setdefault((v.fn, v.name), set()).add((target, param))
                    for known in r.param_values(v.fn, v.name):  # its annotation, or what it held last round
                        held = direct.setdefault((target, param), [])
                        if _held(known) and known not in held:
                            held.append(known)

        for mod in self.index.modules.values():
            if is_test_path(mod.path):
                continue  # what tests pass (mocks, fakes) is not what production code holds
            for fn in mod.functions.values():
                for name, default in fn.default_exprs.items():  # a default is a call site of every round
                    flow(self.index.decorator_scope(fn), fn.qual, name, default)
                for i, ev in enumerate(fn.events):
                    if not isinstance(ev, CallEvent) or not (ev.call.args or ev.call.kws):
                        continue
                    key = (fn.qual, i)
                    if key in self._stable:
                        bindings = self._stable[key]
                    else:
                        before = r.param_reads
                        bindings = self._bindings(r, fn, ev.call)
                        if r.param_reads == before:
                            # nothing a parameter holds went into it: the next round would find the same
                            self._stable[key] = bindings
                    for target, param, expr in bindings:
                        flow(fn, target, param, expr)
        return direct, edges

    def _rebound(self, r: Resolver, expr: Expr) -> Value:
        """What a local bound more than once can hold, passed as an argument (its bindings disagree, so it
        has no one value): each binding is a flow (``rows = db.session.query(X)`` then
        ``rows = page(rows)``)."""
        if not isinstance(expr, Name) or not expr.scope:
            return None
        owner = self.index.functions.get(expr.scope)
        if owner is None or expr.id in owner.params:
            return None
        bound = owner.locals.get(expr.id, ())
        return merge(r.resolve(e, owner) for e in bound) if len(bound) > 1 else None

    def _bindings(self, r: Resolver, fn: Function, call: CallExpr) -> list[tuple[str, str, Expr]]:
        """(function, parameter, argument) for each argument a call hands to a project function."""
        out: list[tuple[str, str, Expr]] = []
        callee = r.resolve(call.func, fn)
        receiver = r.resolve(call.func.value, fn) if isinstance(call.func, Attr) else None
        for c in options(callee):
            if isinstance(c, Func):
                bound = isinstance(call.func, Attr) and r.instance_like(receiver)
                out += self._bind(c.qual, bound, call.args, call.kws)
            elif isinstance(c, Cls):
                init = r.class_attr(c.qual, "__init__", True)
                if isinstance(init, Func):
                    out += self._bind(init.qual, True, call.args, call.kws)
            elif isinstance(c, FAttr):
                mode = self.kb.job_calls.get(c.attr)
                if mode is not None and c.qual in self.index.functions:
                    out += self._handed(c.qual, mode, call, None)
            elif isinstance(c, Ext):
                ctor = self.kb.constructors.get(c.name)
                if ctor is not None:
                    out += self._constructed(r, fn, call, receiver, ctor)
                    continue
                if c.name in self.kb.partials and call.args:
                    target = r.resolve(call.args[0], fn)
                    if isinstance(target, Func):
                        out += self._bind(target.qual, False, call.args[1:], call.kws)
                    continue
                spawner = self.kb.spawner(c.name)
                if spawner is None or spawner.passes == "none":
                    continue
                target_expr = argument(call.args, call.kws, spawner.arg, spawner.kw)
                target = r.resolve(target_expr, fn) if target_expr is not None else None
                if isinstance(target, Func) and target.qual in self.index.functions:
                    out += self._handed(target.qual, spawner.passes, call, spawner.arg, spawner.kw)
        return out

    def _constructed(self, r: Resolver, fn: Function, call: CallExpr, receiver: Value,
                     ctor: Constructor) -> list[tuple[str, str, Expr]]:
        """A library call that constructs a project class with arguments it is given
        (``api.add_resource(Cls, url, resource_class_kwargs={...})``, ``Cls.as_view(name, store)``)."""
        cls_expr = argument(call.args, call.kws, ctor.cls_arg, None) if ctor.cls_arg is not None else None
        target = r.resolve(cls_expr, fn) if cls_expr is not None else receiver
        out: list[tuple[str, str, Expr]] = []
        for c in options(target):
            init = r.class_attr(c.qual, "__init__", True) if isinstance(c, Cls) else None
            if not isinstance(init, Func):
                continue
            if ctor.rest_from is not None:
                out += self._bind(init.qual, True, tuple(call.args[ctor.rest_from:]), call.kws)
            else:
                out += self._bind(init.qual, True, *_packed(call, ctor.args_kw, ctor.kwargs_kw))
        return out

    def _handed(self, qual: str, mode: str, call: CallExpr, index: int | None,
                target_kw: str | None = None) -> list[tuple[str, str, Expr]]:
        """Arguments a spawner or job call hands to its target: after the target (``rest``; the keyword
        naming the target is not one of them), or in ``args=(...)``/``kwargs={...}`` (``args``)."""
        if mode == "rest":
            skip = (index + 1) if index is not None else 0
            return self._bind(qual, False, call.args[skip:], tuple((k, v) for k, v in call.kws if k != target_kw))
        return self._bind(qual, False, *_packed(call, ARGS_KW, KWARGS_KW))

    def _bind(self, qual: str, bound: bool, args: tuple[Expr, ...],
              kws: tuple[tuple[str, Expr], ...]) -> list[tuple[str, str, Expr]]:
        fn = self.index.functions.get(qual)
        if fn is None:
            return []
        passed, extra = bind_arguments(fn, bound, args, kws)
        out = [(qual, param, a) for param, a in passed.items()]
        if extra and fn.star_kwargs:  # what ``**kwargs`` receives: a dict of the keywords no other parameter takes
            out.append((qual, fn.star_kwargs, DictExpr(tuple((Str(k), v) for k, v in extra))))
        return out


def _packed(call: CallExpr, args_kw: str | None,
            kwargs_kw: str | None) -> tuple[tuple[Expr, ...], tuple[tuple[str, Expr], ...]]:
    """The arguments a call passes packed in keywords: ``args=(...)`` and ``kwargs={...}``."""
    args: tuple[Expr, ...] = ()
    kws: tuple[tuple[str, Expr], ...] = ()
    for k, v in call.kws:
        if k == args_kw and isinstance(v, Seq):
            args = v.items
        elif k == kwargs_kw and isinstance(v, DictExpr):
            kws = tuple((key.value, val) for key, val in v.items if isinstance(key, Str))
    return args, kws


def plugin_groups(index: Index, kb: Knowledge,
                  declared: dict[str, tuple[str, ...]] | None) -> dict[str, tuple[str, ...]]:
    """Entry-point groups the project declares (``pyproject.toml``/``setup.cfg``, and the
    ``entry_points=`` of a ``setup()`` call in its ``setup.py``): group -> ``module:attr`` targets."""
    out: dict[str, list[str]] = {g: list(v) for g, v in (declared or {}).items()}
    for mod in index.modules.values():
        if mod.import_name.rsplit(".", 1)[-1] != "setup":
            continue
        for ev in mod.body.events:
            if not isinstance(ev, CallEvent):
                continue
            for k, v in ev.call.kws:
                if k == "install_requires" and isinstance(v, Seq) and mod.path:  # the library versions it runs with
                    out.setdefault(REQUIRES + find_project_root(mod.path), []).extend(
                        e.value for e in v.items if isinstance(e, Str))
                if k != "entry_points" or not isinstance(v, DictExpr):
                    continue
                for group, entries in v.items:
                    if isinstance(group, Str) and isinstance(entries, Seq):
                        out.setdefault(group.value, []).extend(
                            e.value.split("=", 1)[1].strip() for e in entries.items
                            if isinstance(e, Str) and "=" in e.value)
    return {g: tuple(v) for g, v in out.items()}


def _closure(direct: dict[ParamKey, list[Value]], edges: dict[ParamKey, set[ParamKey]]) -> dict[ParamKey,
                                                                                                tuple[Value, ...]]:
    """What each parameter holds: its own call sites' values and, along edges, its callers' parameters'."""
    held: dict[ParamKey, list[Value]] = {k: list(v) for k, v in direct.items()}
    work = list(held)
    while work:
        src = work.pop()
        for dst in edges.get(src, ()):
            have = held.setdefault(dst, [])
            grew = False
            for v in held.get(src, ()):
                if v not in have:
                    have.append(v)
                    grew = True
            if grew:
                work.append(dst)
    return {k: tuple(v) for k, v in held.items() if v}


