"""Per-function actions: what running a function does that matters for contexts.

An action uses a context-bound name, calls a project function, calls a function it was
handed (a parameter), starts a function somewhere else (a thread, a job), or hands a
generator to a response.  Each carries the conditions it sits under.  Callees that
cannot be resolved produce no action: nothing is guessed.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Callable, Union

from ..knowledge.base import NEEDS_APP, Knowledge, Local, Spawner
from ..model import (
    Attr,
    CallEvent,
    CallExpr,
    Conds,
    DecoEvent,
    DictExpr,
    Event,
    Expr,
    Function,
    ImportEvent,
    Name,
    Pos,
    RefEvent,
    Seq,
    Star,
    Str,
    Sub,
    Text,
    is_builtin,
)
from .decorators import Chain, Decorators
from .guards import Facts, Guards
from .resolve import Effect, PropertyEffect, Resolver, UseEffect, argument
from .templates import prints
from .values import Cls, Ext, FAttr, Func, Inst, Param, Value, options, render, short_name


@dataclass(frozen=True, slots=True)
class Use:
    needs: str
    text: str
    pos: Pos
    conds: Conds
    proxy: bool
    note: str = ""  # what happens there instead of Flask's RuntimeError, when the knowledge says


@dataclass(frozen=True, slots=True)
class Call:
    chain: Chain
    pos: Pos
    conds: Conds
    text: str
    # what the call site says of the callee's tested parameters
    facts: Facts = ()
    # ``obj.m()`` on an object of one known class: that class (``self`` in the callee, so that
    # ``self.m()`` there dispatches to a subclass's override)
    receiver: str = ""
    # contexts without which the call does not enter the callee (a library that calls a project function
    # only when an application context exists: Flask-Babel's selectors)
    only_with: int = 0
    # ``self.m()``: the callee runs on the caller's own object, so what is known of its attributes holds there
    keeps_self: bool = False


@dataclass(frozen=True, slots=True)
class ParamCall:
    """A call of a parameter: in a decorator's wrapper, the wrapped function."""

    pos: Pos
    conds: Conds
    # it passes on exactly what the wrapper was given (``f(*args, **kwargs)``): what the wrapper's caller
    # said of the wrapped function's parameters still holds there
    forwards: bool = False


@dataclass(frozen=True, slots=True)
class Spawn:
    family: str  # "thread" or "job"
    label: str
    process: bool
    chain: Chain | None  # None: the target is not a project function
    target_text: str
    proxies: tuple[tuple[str, Pos], ...]  # context proxies handed over (CTX203)
    pos: Pos
    conds: Conds
    registers: bool  # registers a job (root at the target's def) rather than starting a thread
    # the target is the function a project decorator wraps (its parameter): the thread runs the rest of
    # the decorated chain, e.g. ``def run_async(f): def wrapper(*a): Thread(target=f, args=a).start()``
    wrapped: bool = False
    receiver: str = ""  # ``Thread(target=obj.run)``: the class of ``obj``, when one is known


@dataclass(frozen=True, slots=True)
class Stream:
    chain: Chain
    target_text: str
    pos: Pos
    conds: Conds


Action = Union[Use, Call, ParamCall, Spawn, Stream]


def streamed_generators(r: Resolver, call: CallExpr, fn: Function, chain_for: Callable[[str], Chain],
                        depth: int = 0) -> list[tuple[str, str]]:
    """The project generators whose bodies run only while a response made from ``call`` streams: the
    generator it calls and, when that is one, the generator objects it is given (made in the view but
    started only by the outer generator, which starts streaming): ``Response(to_ndjson(rows(query)))``.
    ``chain_for``: what calling a (decorated) function enters."""
    gen = r.resolve(call.func, fn)
    if not (isinstance(gen, Func) and gen.qual in r.functions and r.functions[gen.qual].is_generator):
        return []
    out = [(gen.qual, render(call.func) + "()")]
    if depth > 8 or any(step[1] for step in chain_for(gen.qual)):
        # decorated to keep the context it was made in (``@stream_with_context``): the generators it is given
        # run while it runs, inside that context
        return out
    for a in (*call.args, *(v for _, v in call.kws)):
        if isinstance(a, Name) and a.scope == fn.qual and a.id not in fn.params and fn.locals.get(a.id):
            # ``rows = fetch(query)`` then ``Response(stream(rows))``: the generator object its last binding made
            a = fn.locals[a.id][-1]
        if isinstance(a, CallExpr):
            out += [g for g in streamed_generators(r, a, fn, chain_for, depth + 1) if g not in out]
    return out


class Actions:
    def __init__(self, resolver: Resolver, guards: Guards, decorators: Decorators, kb: Knowledge,
                 needs: Callable[[Local], str]) -> None:
        self.r = resolver
        self.guards = guards
        self.deco = decorators
        self.kb = kb
        self.needs = needs
        self.functions = resolver.functions
        self._actions: dict[str, list[Action]] = {}
        self._param_spawns: dict[str, dict[str, Spawner]] = {}
        self._stored: dict[tuple[str, str], tuple[str, ...]] | None = None
        # what a library call runs besides itself (a render call: the template, the context processors)
        self.library_calls: Callable[[Function, Pos], list[tuple[str, str]]] | None = None

    def of(self, qual: str) -> list[Action]:
        """The actions of one function, in source order."""
        cached = self._actions.get(qual)
        if cached is not None:
            return cached
        self._actions[qual] = []  # recursion guard (wrapper_of asks for actions)
        fn = self.functions.get(qual)
        out: list[Action] = []
        if fn is not None:
            for ev in fn.events:
                try:
                    self._event(fn, ev, out)
                except RecursionError:
                    continue
        self._actions[qual] = out
        return out

    def _event(self, fn: Function, ev: Event, out: list[Action]) -> None:
        if isinstance(ev, RefEvent):
            expr = ev.expr
            if isinstance(expr, Text):  # a value turned into text (f-string, ``+``, ``==``, ...)
                self._text(fn, expr.value, expr.how, ev.pos, ev.conds, out)
                return
            if isinstance(expr, Sub):  # session["k"], "k" in session, x = session: the object is read
                _, _, effects = self.r.scan_chain(expr.value, fn)
                self._effects([e for e in effects if not (isinstance(e, UseEffect) and e.local.function)],
                              ev.pos, ev.conds, out, fn)
                return
            _, _, effects = self.r.scan_chain(expr, fn)
            # a proxy only named (stored, passed along: `{"c": g}`, `flask.g`) is not yet used and works
            # anywhere; a captured local alias handed to a thread is CTX203's business; naming a
            # context-bound function is not calling it
            effects = [e for e in effects
                       if not (isinstance(e, UseEffect) and (e.local.proxy and e.named or e.local.function))]
            self._effects(effects, ev.pos, ev.conds, out, fn)
        elif isinstance(ev, CallEvent):
            self._call(fn, ev.call, ev.pos, ev.conds, out)
        elif isinstance(ev, DecoEvent):
            if ev.target in self.functions:
                # applying a project decorator runs it (not the wrapper it returns)
                value = self.r.resolve(ev.expr, fn)
                if isinstance(value, Func) and value.qual in self.functions:
                    out.append(Call(self.deco.chain_for(value.qual), ev.pos, ev.conds, render(ev.expr)))
                local = self.r.local_of(value)
                if local is not None and local.function and not local.decorates_lazily:
                    out.append(Use(self.needs(local), render(ev.expr) + "()", ev.pos, ev.conds, False))

    def _effects(self, effects: list[Effect], pos: Pos, conds: Conds, out: list[Action], fn: Function) -> None:
        for eff in effects:
            if isinstance(eff, UseEffect):
                out.append(Use(self.needs(eff.local), eff.text, pos, conds, eff.local.proxy, eff.local.outside))
            elif isinstance(eff, PropertyEffect):
                facts, keeps = self._on_object(eff.receiver, fn, eff.qual)
                out.append(Call(self.deco.chain_for(eff.qual), pos, conds, eff.text, facts, keeps_self=keeps))

    def _on_object(self, receiver: Expr | None, fn: Function, method: str) -> tuple[Facts, bool]:
        """For a method called (or property read) on ``receiver``: what its construction says of the attributes
        of ``self`` the method's class tests, or that it is the caller's own ``self``."""
        if receiver is None:
            return (), False
        if self.guards.is_self(receiver, fn):
            return (), True
        target = self.functions.get(method)
        if target is None or target.cls is None:
            return (), False
        classes = {o.cls for o in options(self.r.resolve(receiver, fn)) if isinstance(o, Inst)}
        if len(classes) != 1:
            return (), False
        return self.guards.self_facts(receiver, fn, classes.pop()), False

    def _call(self, fn: Function, expr: CallExpr, pos: Pos, conds: Conds, out: list[Action]) -> None:
        callee_expr, args, kws = expr.func, expr.args, expr.kws
        receiver: Value = None
        if isinstance(callee_expr, (Name, Attr)):
            callee, receiver, effects = self.r.scan_chain(callee_expr, fn)
            exempt = self.kb.hook("call_needs_no_context")  # a library function that needs no context with these
            if exempt:  # arguments (``Message(..., sender=...)``)
                effects = [e for e in effects if not (isinstance(e, UseEffect) and e.local.function and any(
                    hook(self.kb, e.local, args, kws) for hook in exempt))]
            self._effects(effects, pos, conds, out, fn)
            if any(isinstance(e, UseEffect) for e in effects):
                if self.library_calls is not None:
                    rendered = self.library_calls(fn, pos)
                    out.extend(Call(self.deco.chain_for(q), pos, conds, text) for q, text in rendered)
                    for k, v in kws if rendered else ():
                        # a value the rendered template prints (``{{ title }}``) becomes text there
                        if k and prints(self.functions, [q for q, _ in rendered], k):
                            self._text(fn, v, f"{rendered[0][1]} printing {{{{ {k} }}}}", pos, conds, out)
                self._behind(self.r.resolve(callee_expr, fn), fn, pos, conds, out, expr)
                return
        else:
            callee = self.r.resolve(callee_expr, fn)
        for option in options(callee):
            self._call_value(fn, option, callee_expr, receiver, args, kws, pos, conds, out)



    def _call_value(self, fn: Function, callee: Value, callee_expr: Expr, receiver: Value, args: tuple[Expr, ...],
                    kws: tuple[tuple[str, Expr], ...], pos: Pos, conds: Conds, out: list[Action]) -> None:
        if callee is None:
            return
        text = render(callee_expr)
        if isinstance(callee, Param):
            if callee.fn != fn.qual or callee.name in fn.params:
                out.append(ParamCall(pos, conds, _forwards(self.functions, args, kws)))
            return
        if isinstance(callee, Func):
            bound = isinstance(callee_expr, Attr) and self.r.instance_like(receiver)
            facts = self.guards.call_facts(callee.qual, args, kws, bound, fn)
            held = self.r.receiver_class(receiver, callee_expr.attr, callee.qual) \
                if isinstance(callee_expr, Attr) else ""
            keeps = False
            if isinstance(callee_expr, Attr) and bound:
                on, keeps = self._on_object(callee_expr.value, fn, callee.qual)
                facts += on
            out.append(Call(self.deco.chain_for(callee.qual), pos, conds, text + "()", facts, held, keeps_self=keeps))
            if self.library_calls is not None:  # a helper rendering the template this call names
                out.extend(Call(self.deco.chain_for(q), pos, conds, t) for q, t in self.library_calls(fn, pos))
            self._passed_functions(fn, callee.qual, args, kws, pos, conds, out)
            return
        if isinstance(callee, Cls):
            if any(fnmatch.fnmatchcase(b, pat) for b in self.r.ext_bases(callee.qual)
                   for pat in self.kb.lazy_constructors):
                return
            init = self.r.class_attr(callee.qual, "__init__", True)
            if isinstance(init, Func):
                facts = self.guards.call_facts(init.qual, args, kws, True, fn)
                out.append(Call(self.deco.chain_for(init.qual), pos, conds, text + "()", facts))
            return
        if isinstance(callee, FAttr):
            if callee.attr in self.kb.enqueue_methods and self.is_job(callee.qual):
                proxies = self._proxies(fn, list(args) + [v for _, v in kws])
                if proxies:
                    out.append(Spawn("job", "job", False, None, short_name(callee.qual), proxies, pos, conds, False))
            return
        if not isinstance(callee, Ext):
            return
        name = callee.name
        self._behind(callee, fn, pos, conds, out, CallExpr(callee_expr, args, kws))
        if name in self.kb.app_arguments:
            self._app_argument(fn, name, args, kws, pos, conds, out)
            return
        if name in self.kb.reading_calls:
            read = argument(args, kws, self.kb.reading_calls[name], None)
            if isinstance(read, (Name, Attr)):
                _, _, effects = self.r.scan_chain(read, fn)
                for e in effects:
                    if isinstance(e, UseEffect) and e.local.proxy:
                        out.append(Use(self.needs(e.local), f"{name.rsplit('.', 1)[-1]}({e.text})", pos, conds, True))
            return
        spawner = self.kb.spawner(name)
        if spawner is not None:
            self._spawn(fn, spawner, args, kws, pos, conds, out)
            return
        namespace, _, attr = name.rpartition(".")
        if namespace in self.kb.namespaces:
            # ``args.func(args)``: every function stored under ``func`` by the parsers of this module or
            # of a module it imports (another script's parsers are not this one's)
            stored = self.namespace_functions()
            mod = self.r.index.module_of(fn.qual)
            seen = {mod.name}
            for f in mod.functions.values():
                for ev in f.events:
                    if isinstance(ev, ImportEvent):
                        seen.update(m.name for m in self.r.index.executed_modules(ev.modules, mod))
            for m in sorted(seen):
                for q in stored.get((m, attr), ()):
                    out.append(Call(self.deco.chain_for(q), pos, conds, text + "()"))
            return
        if "()." in name and any(isinstance(o, Inst) for o in options(receiver)):
            base, _, method = name.rpartition("().")
            tc = self.kb.thread_classes.get(base)
            if tc is not None and method == tc.start:
                for o in options(receiver):
                    run = self.r.class_attr(o.cls, tc.run, True) if isinstance(o, Inst) else None
                    if isinstance(run, Func):
                        sp = tc.spawner
                        out.append(Spawn("thread", sp.label, sp.process, self.deco.chain_for(run.qual),
                                         short_name(run.qual), (), pos, conds, False))
                return
        follower = self.kb.followers.get(name)
        if follower is not None and name not in self.kb.partials:
            target = argument(args, kws, follower.arg, follower.kw)
            chain = self.target_chain(target, fn) if target is not None else None
            if chain is not None:
                out.append(Call(chain, pos, conds, render(target) if target is not None else text))
            return
        if self.kb.is_response_body(name):
            body = argument(args, kws, 0, "response")
            if isinstance(body, CallExpr):
                for qual, text in streamed_generators(self.r, body, fn, self.deco.chain_for):
                    out.append(Stream(self.deco.chain_for(qual), text, pos, conds))

    def _app_argument(self, fn: Function, name: str, args: tuple[Expr, ...], kws: tuple[tuple[str, Expr], ...],
                      pos: Pos, conds: Conds, out: list[Action]) -> None:
        """An extension given an application proxy uses it at once (``Cache(current_app)``)."""
        spec = self.kb.app_arguments[name]
        given = argument(args, kws, spec.arg, spec.kw)
        value = self.r.resolve(given, fn) if isinstance(given, (Name, Attr)) else None
        local = self.kb.locals.get(value.name) if isinstance(value, Ext) else None
        if local is not None and local.proxy and self.needs(local) == NEEDS_APP:
            keyword = f"{spec.kw}=" if spec.kw is not None and any(k == spec.kw for k, _ in kws) else ""
            text = f"{name.rsplit('.', 1)[-1]}({keyword}{render(given)})" if given is not None else name
            out.append(Use(NEEDS_APP, text, pos, conds, True, spec.outside))

    def _text(self, fn: Function, expr: Expr, how: str, pos: Pos, conds: Conds, out: list[Action]) -> None:
        """A value turned into text (``how``: by what): what a library's object calls then (a lazy string)."""
        for hook in self.kb.hook("turned_into_text"):
            for qual, text, only_with in hook(self.r, expr, how, fn, conds):
                out.append(Call(self.deco.chain_for(qual), pos, conds, text, only_with=only_with))

    def _behind(self, callee: Value, fn: Function, pos: Pos, conds: Conds, out: list[Action], call: CallExpr) -> None:
        """Project functions a library function calls in the caller's context (Flask-Babel's selectors)."""
        if isinstance(callee, Ext):
            for hook in self.kb.hook("calls_behind"):
                for qual, text, only_with in hook(self.r, callee.name, fn, conds, call):
                    out.append(Call(self.deco.chain_for(qual), pos, conds, text, only_with=only_with))

    def _passed_functions(self, fn: Function, callee: str, args: tuple[Expr, ...], kws: tuple[tuple[str, Expr], ...],
                          pos: Pos, conds: Conds, out: list[Action]) -> None:
        """Functions passed to a project function that calls them (or starts them in a thread)."""
        called = self.deco.called_params(callee)
        spawned = self.spawned_params(callee)
        if not called and not spawned:
            return
        target_fn = self.functions[callee]
        params = list(target_fn.params)
        if target_fn.cls is not None and params and not any(is_builtin(d, "staticmethod")
                                                             for d in target_fn.decorators):
            params = params[1:]
        passed: list[tuple[str, Expr]] = [(params[i], a) for i, a in enumerate(args)
                                          if i < len(params) and not isinstance(a, Star)]
        passed += [(k, a) for k, a in kws if k]
        for name, a in passed:
            if name in called or name in spawned:
                chain = self.target_chain(a, fn)
                if chain is None:
                    continue
                if name in called:
                    out.append(Call(chain, pos, conds, render(a)))
                if name in spawned:  # the callee starts it in a thread (a root at this call) or queues it as a
                    sp = spawned[name]  # job (a root at the function's def)
                    out.append(Spawn(sp.family, sp.label, sp.process, chain, render(a), (), pos, conds,
                                     sp.family == "job"))

    def namespace_functions(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """The project functions stored on a parsed namespace, by the storing module and the attribute
        (``set_defaults(func=f)``)."""
        if self._stored is not None:
            return self._stored
        methods = {p.rsplit(".", 1)[-1] for p in self.kb.namespace_stores}
        stored: dict[tuple[str, str], list[str]] = {}
        for fn in self.functions.values():
            for ev in fn.events:
                if not (isinstance(ev, CallEvent) and isinstance(ev.call.func, Attr) and ev.call.func.attr in methods):
                    continue
                callee = self.r.resolve(ev.call.func, fn)
                if not (isinstance(callee, Ext) and any(fnmatch.fnmatchcase(callee.name, p)
                                                        for p in self.kb.namespace_stores)):
                    continue
                for k, v in ev.call.kws:
                    target = self.r.resolve(v, fn) if k else None
                    if isinstance(target, Func) and target.qual in self.functions:
                        into = stored.setdefault((fn.module, k), [])
                        if target.qual not in into:
                            into.append(target.qual)
        self._stored = {k: tuple(v) for k, v in stored.items()}
        return self._stored

    def spawned_params(self, qual: str) -> dict[str, Spawner]:
        """Parameters of ``qual`` that it hands to a thread spawner or a job queue itself, from its events
        alone (no actions: a call chain thousands deep must not recurse through them)."""
        if qual in self._param_spawns:
            return self._param_spawns[qual]
        fn = self.functions.get(qual)
        out: dict[str, Spawner] = {}
        if fn is not None:
            for ev in fn.events:
                if not isinstance(ev, CallEvent):
                    continue
                callee = self.r.resolve(ev.call.func, fn)
                if not isinstance(callee, Ext):
                    continue
                spawner = self.kb.spawner(callee.name)
                if spawner is None:
                    continue
                target = argument(ev.call.args, ev.call.kws, spawner.arg, spawner.kw)
                if isinstance(target, Name) and target.scope == qual and target.id in fn.params:
                    out[target.id] = spawner
        self._param_spawns[qual] = out
        return out

    def is_job(self, qual: str) -> bool:
        """A project function decorated as a background job (``@celery.task``)."""
        fn = self.functions.get(qual)
        if fn is None:
            return False
        scope = self.r.index.decorator_scope(fn)
        for d in fn.decorators:
            v = self.r.resolve(d.func if isinstance(d, CallExpr) else d, scope)
            if isinstance(v, Ext) and v.name in self.kb.roots and self.kb.roots[v.name].kind == "job":
                return True
        return False

    def target_chain(self, target: Expr, fn: Function, depth: int = 0) -> Chain | None:
        """The chain a callable expression (handed to a thread, say) enters when called."""
        if depth > 5:
            return None
        value: Value
        if isinstance(target, CallExpr):
            callee = self.r.resolve(target.func, fn)
            if isinstance(callee, Ext):
                if callee.name in self.kb.partials and target.args:
                    return self.target_chain(target.args[0], fn, depth + 1)
                if callee.name in self.kb.wrappers and target.args:
                    inner = self.target_chain(target.args[0], fn, depth + 1)
                    if inner is None:
                        return None
                    first = inner[0]
                    return ((first[0], first[1] | self.kb.wrappers[callee.name], first[2]),) + inner[1:]
            value = self.r.call_result(callee)
        elif isinstance(target, Str):
            value = self.r.dotted_function(target.value)
        else:
            value = self.r.resolve(target, fn)
        if isinstance(value, Func) and value.qual in self.functions:
            return self.deco.chain_for(value.qual)
        if isinstance(value, Inst):
            call = self.r.class_attr(value.cls, "__call__", True)
            if isinstance(call, Func):
                return self.deco.chain_for(call.qual)
        return None

    def _proxies(self, fn: Function, exprs: list[Expr]) -> tuple[tuple[str, Pos], ...]:
        """Context proxies among values handed over (inside tuples, dicts and ``*args`` too)."""
        found: list[tuple[str, Pos]] = []
        for e in exprs:
            items = [e]
            while items:
                x = items.pop()
                if isinstance(x, Seq):
                    items.extend(x.items)
                elif isinstance(x, DictExpr):
                    items.extend(v for _, v in x.items)
                elif isinstance(x, Star):
                    items.append(x.value)
                elif isinstance(x, (Name, Attr)):
                    local = self.r.local_of(self.r.resolve(x, fn))
                    if local is not None and local.proxy:
                        found.append((render(x), fn.pos))
        return tuple(found)

    def _captured_proxies(self, target_qual: str, spawner_fn: Function) -> tuple[tuple[str, Pos], ...]:
        """Proxies bound to locals of the spawning function and read by a spawned closure."""
        found: list[tuple[str, Pos]] = []
        fn = self.functions.get(target_qual)
        if fn is None or not target_qual.startswith(spawner_fn.qual + "."):
            return ()
        for ev in fn.events:
            if isinstance(ev, (RefEvent, CallEvent)):
                e = ev.expr if isinstance(ev, RefEvent) else ev.call.func
                while isinstance(e, Attr):
                    e = e.value
                if isinstance(e, Name) and e.scope and e.scope != target_qual \
                        and not e.scope.startswith(target_qual + "."):
                    owner = self.functions.get(e.scope)
                    if owner is not None and e.id in owner.locals:
                        local = self.r.local_of(self.r.resolve(e, fn))
                        if local is not None and local.proxy:
                            found.append((e.id, ev.pos))
        return tuple(found)

    def _spawn(self, fn: Function, spawner: Spawner, args: tuple[Expr, ...], kws: tuple[tuple[str, Expr], ...],
               pos: Pos, conds: Conds, out: list[Action]) -> None:
        target = argument(args, kws, spawner.arg, spawner.kw)
        chains: list[Chain | None] = [self.target_chain(target, fn) if target is not None else None]
        if chains == [None] and isinstance(target, Attr) and spawner.family == "thread":
            # ``Thread(target=worker.run)`` with ``worker`` of one of several classes: each class's method is a
            # thread of its own (what each caller passes is a real flow)
            methods = [o for o in options(self.r.resolve(target, fn))
                       if isinstance(o, Func) and o.qual in self.functions]
            if len(methods) > 1:
                chains = [self.deco.chain_for(m.qual) for m in methods]
        if chains == [None] and isinstance(target, Name):
            value = self.r.resolve(target, fn)
            if isinstance(value, Param) and value.fn != fn.qual and spawner.family == "thread":
                # a decorator's wrapper handing the wrapped function to a thread
                out.append(Spawn(spawner.family, spawner.label, spawner.process, None, render(target), (), pos,
                                 conds, False, wrapped=True))
                return
            if isinstance(value, Param) and value.name in fn.params:
                # ``def run_in_thread(fn, *a): Thread(target=fn, args=a).start()`` (or ``queue.enqueue(fn,
                # *a)``): each caller that passes a function starts it (spawned_params, _passed_functions)
                return
        rest = [a for i, a in enumerate(args) if i != spawner.arg] + [v for k, v in kws if k != spawner.kw]
        text = render(target) if target is not None else "?"
        for chain in chains:
            proxies = self._proxies(fn, rest)
            if chain is not None:
                proxies += self._captured_proxies(chain[-1][0], fn)
            if chain is None and not proxies:
                continue
            # a closure of a decorator's wrapper that calls the wrapped function: def work(): f(*a)
            wrapped = (chain is not None and spawner.family == "thread" and chain[-1][0].startswith(fn.qual + ".")
                       and any(isinstance(a, ParamCall) for a in self.of(chain[-1][0])))
            held = ""
            if chain is not None and isinstance(target, Attr):
                held = self.r.receiver_class(self.r.resolve(target.value, fn), target.attr, chain[-1][0])
            out.append(Spawn(spawner.family, spawner.label, spawner.process, chain, text, proxies, pos, conds,
                             spawner.family == "job", wrapped=wrapped, receiver=held))


def _forwards(functions: dict[str, Function], args: tuple[Expr, ...], kws: tuple[tuple[str, Expr], ...]) -> bool:
    """Whether a call's arguments are only a function's own ``*args``/``**kwargs`` passed on."""
    def own(e: Expr) -> bool:
        return isinstance(e, Name) and e.scope in functions and e.id in functions[e.scope].params

    parts = [a.value if isinstance(a, Star) else None for a in args] + [v if k is None else None for k, v in kws]
    return bool(parts) and all(p is not None and own(p) for p in parts)
