"""The resolver: what a symbolic expression denotes, anywhere in the project.

It is the one place that binds names: module globals and imports (absolute, relative,
re-exported, star), locals and parameters, attributes through classes and their MRO,
instances and the values functions return.  Everything that asks "what is this?" —
actions, roots, guards, fixes — asks here.  Unknown is ``None``: nothing is guessed.
"""

from __future__ import annotations

import builtins
from typing import Any, Callable, Iterable

from ..knowledge.base import NEEDS_APP, NEEDS_REQUEST, NEEDS_URL, Knowledge, Local
from ..model import (
    Attr,
    CallExpr,
    ClassRef,
    DictExpr,
    Expr,
    FuncRef,
    Function,
    ImpRef,
    IterOf,
    ModRef,
    Module,
    Name,
    Star,
    Str,
    Sub,
    Types,
    is_builtin,
)
from .index import Index, bind_arguments
from .values import (
    Cls,
    Dict,
    EntryPoint,
    EntryPoints,
    Ext,
    FAttr,
    Func,
    Inst,
    Many,
    Mod,
    Param,
    Proxy,
    Query,
    Returns,
    Rows,
    Super,
    Value,
    merge,
    options,
    render,
)

_BUILTINS = frozenset(dir(builtins))
MAX_DEPTH = 40
_MAX_CHAIN = 30


class Effect:
    """Something met while resolving a name/attribute chain."""

    __slots__ = ()


class UseEffect(Effect):
    """A context local: resolution stops there.  ``named``: the chain ends there (the proxy itself
    is the value)."""

    __slots__ = ("local", "text", "named")

    def __init__(self, local: Local, text: str, named: bool) -> None:
        self.local, self.text, self.named = local, text, named


class PropertyEffect(Effect):
    """A property read on the way."""

    __slots__ = ("qual", "text", "receiver")

    def __init__(self, qual: str, text: str, receiver: Expr | None = None) -> None:
        # ``receiver``: the expression of the object the property is read on
        self.qual, self.text, self.receiver = qual, text, receiver


class Resolver:
    def __init__(self, index: Index, kb: Knowledge) -> None:
        self.index = index
        self.kb = kb
        self.functions = index.functions
        self.classes = index.classes
        # remembered values, each with the number of parameter reads its computation made (a value
        # computed with none holds whatever parameters hold: see ``seed``)
        self._globals: dict[tuple[str, str], tuple[Value, int]] = {}
        self._returns: dict[str, tuple[Value, int]] = {}
        self._busy: set[Any] = set()
        self._mro: dict[str, list[str]] = {}
        self._ext_bases: dict[str, list[str]] = {}
        self._proxy_needs: dict[str, Local | None] = {}
        # the values each parameter receives from the project's call sites (see analysis.types)
        self.param_types: dict[tuple[str, str], tuple[Value, ...]] = {}
        self._param_values: dict[tuple[str, str], tuple[Value, ...]] = {}
        self._none = Ext("builtins.None")
        # in an overlay: the class ``self`` is (a subclass of the method's own class)
        self.self_cls = ""
        # what a call site passes, while the callee's return value is evaluated for it
        self._env: list[tuple[str, dict[str, Value]]] = []
        self.entry_points: dict[str, tuple[str, ...]] = {}  # the project's plugin groups (analysis.types)
        self._uses_params: dict[str, bool] = {}
        self._results: dict[tuple[str, tuple[tuple[str, Value], ...]], tuple[Value, int]] = {}
        self._properties: dict[str, bool] = {}
        self._memo: dict[tuple[int, str], tuple[Value, int]] = {}
        self._class_attrs: dict[tuple[str, str, bool, bool], tuple[Value, int]] = {}
        # what a library's hooks work out once for the program (shared with overlays)
        self.hook_state: dict[str, Any] = {}
        # set while what parameters hold does not change (a round of analysis.types, then for good):
        # resolve() and class_attr() then remember values
        self.frozen = False
        self.param_reads = 0  # how often a parameter's value was asked for (analysis.types watches it)
        # set by the program: the context-bound name a project proxy's factory reaches, if any
        self.factory_needs: Callable[[str], str] = lambda qual: ""

    def overlay(self, self_cls: str) -> Resolver:
        """A resolver of the same program in which ``self`` in the methods of ``self_cls``'s bases is a
        ``self_cls`` (what a method reaches when it runs for a subclass)."""
        r = Resolver(self.index, self.kb)
        r.self_cls = self_cls
        r.param_types = self.param_types
        r._param_values = self._param_values
        r._mro = self._mro
        r._ext_bases = self._ext_bases
        r._globals = self._globals
        r.factory_needs = self.factory_needs
        r._proxy_needs = self._proxy_needs
        r.hook_state = self.hook_state
        r.entry_points = self.entry_points
        r.frozen = self.frozen
        return r

    def seed(self, other: Resolver) -> None:
        """Take over what ``other`` (the same program, other parameter types) remembered without
        reading a parameter: those values do not depend on what parameters hold."""
        pairs: list[tuple[dict[Any, tuple[Value, int]], dict[Any, tuple[Value, int]]]] = [
            (self._memo, other._memo), (self._class_attrs, other._class_attrs),
            (self._globals, other._globals), (self._returns, other._returns), (self._results, other._results)]
        for mine, theirs in pairs:
            mine.update((k, v) for k, v in theirs.items() if not v[1])

    # ---- modules and globals ---------------------------------------------------------------
    def global_value(self, mod: Module, name: str, depth: int = 0) -> Value:
        key = (mod.name, name)
        found = self._globals.get(key)
        if found is not None:
            self.param_reads += found[1]
            return found[0]
        if key in self._busy or depth > MAX_DEPTH:
            return None
        configured = self._configured(f"{mod.import_name}.{name}" if mod.import_name else name)
        if configured is not None:
            self._globals[key] = (configured, 0)
            return configured
        before = self.param_reads
        self._busy.add(key)
        try:
            value: Value = None
            exprs = mod.globals.get(name)
            if exprs is not None:
                # the binding that stands once the module has been imported: the last one
                for e in reversed(exprs):
                    value = self._proxy_value(e, mod.body) or self.resolve(e, mod.body, depth + 1)
                    if value is not None:
                        break
            else:
                for star in mod.star_imports:
                    target = self.index.find_module(star, mod)
                    value = self.global_value(target, name, depth + 1) if target is not None else None
                    if value is not None:
                        break
                if value is None and name in _BUILTINS:
                    value = Ext("builtins." + name)
            if (value is None or value == self._none) and name in mod.global_types:
                value = self.instances(mod.global_types[name], mod.body)
            for hook in self.kb.hook("global_value"):  # what a library makes of the object (its version)
                value = hook(self, mod, name, value)
        finally:
            self._busy.discard(key)
        self._globals[key] = (value, self.param_reads - before)
        return value

    def _configured(self, dotted: str) -> Value:
        """A project name the knowledge (a user's configuration) describes: it then stands for itself."""
        kb = self.kb
        if dotted in kb.locals or dotted in kb.roots or dotted in kb.spawners or dotted in kb.wrappers \
                or dotted in kb.followers:
            return Ext(dotted)
        return None

    @staticmethod
    def agree(values: Iterable[Value]) -> Value:
        """The one value all known values are, or None."""
        found: Value = None
        for v in values:
            if v is None:
                continue
            if found is None:
                found = v
            elif v != found:
                return None
        return found

    def _proxy_value(self, expr: Expr, fn: Function) -> Value:
        """``request = LocalProxy(_get_request)``: a proxy whose object the factory looks up."""
        if not isinstance(expr, CallExpr) or not expr.args:
            return None
        callee = self.resolve(expr.func, fn)
        classes = self.kb.local_proxy_classes
        proxy_class = (isinstance(callee, Ext) and callee.name in classes
                       or isinstance(callee, Cls) and any(b in classes for b in self.ext_bases(callee.qual)))
        if not proxy_class:
            return None
        factory = self.resolve(expr.args[0], fn)
        if isinstance(factory, Func) and factory.qual in self.functions:
            return Proxy(factory.qual)
        return None

    def module_value(self, dotted: str, importer: Module) -> Value:
        m = self.index.find_module(dotted, importer)
        if m is not None:
            return Mod(m.name)
        return Ext(self.kb.canonical(dotted))

    def import_value(self, module: str, name: str, importer: Module, depth: int) -> Value:
        m = self.index.find_module(module, importer)
        if m is not None:
            if name in m.globals or m.star_imports:
                v = self.global_value(m, name, depth + 1)
                if v is not None:
                    return v
            sub = self.index.find_module(f"{module}.{name}" if module else name, importer)
            if sub is not None:
                return Mod(sub.name)
            return None
        if module:
            # ``from . import helpers`` in a namespace package (a folder without __init__.py): the submodule
            sub = self.index.find_module(f"{module}.{name}", importer)
            if sub is not None:
                return Mod(sub.name)
        return Ext(self.kb.canonical(f"{module}.{name}" if module else name))

    # ---- expressions -------------------------------------------------------------------------
    def resolve(self, expr: Expr, fn: Function, depth: int = 0) -> Value:
        """The value an expression evaluated in ``fn`` denotes, or None."""
        if depth > MAX_DEPTH:
            return None
        if self._env or not self.frozen or depth > 10:
            return self._resolve(expr, fn, depth)
        # once what parameters hold is settled, an expression's value is too: remembered (by the
        # summary's own expression object, which lives as long as the run)
        key = (id(expr), fn.qual)
        found = self._memo.get(key)
        if found is None:
            before = self.param_reads
            value = self._resolve(expr, fn, depth)
            self._memo[key] = (value, self.param_reads - before)
            return value
        # a remembered value counts the parameter reads its computation made (analysis.types watches them)
        self.param_reads += found[1]
        return found[0]

    def _resolve(self, expr: Expr, fn: Function, depth: int) -> Value:
        if isinstance(expr, Name):
            return self.name_value(expr.scope, expr.id, fn, depth)
        if isinstance(expr, Attr):
            return self.attribute(self.resolve(expr.value, fn, depth + 1), expr.attr, depth)
        if isinstance(expr, CallExpr):
            callee = expr.func
            if is_builtin(callee, "super") and fn.cls is not None \
                    and "super" not in self.index.module_of(fn.qual).globals:
                return Super(fn.cls)
            called = self.resolve(callee, fn, depth + 1)
            if isinstance(called, Func) and called.qual in self.functions:
                found = self._result_for(called.qual, expr, fn, depth)
                if found is not None:
                    return found
            if isinstance(expr.func, Attr) and expr.func.attr == "get" and expr.args and isinstance(expr.args[0], Str):
                # ``kwargs.get("store")`` of a dict whose keys are known
                base = self.held(self.resolve(expr.func.value, fn, depth + 1))
                if any(isinstance(o, Dict) for o in options(base)):
                    key = expr.args[0].value
                    return merge(o.get(key) for o in options(base) if isinstance(o, Dict))
            if isinstance(called, Ext):
                if called.name in self.kb.module_calls:
                    named = argument(expr.args, expr.kws, self.kb.module_calls[called.name], "name")
                    if isinstance(named, Str) and named.value and not named.value.startswith("."):
                        return self.module_value(named.value, self.index.module_of(fn.qual))
                if called.name in self.kb.identity_calls:
                    arg = argument(expr.args, expr.kws, *self.kb.identity_calls[called.name])
                    return self.resolve(arg, fn, depth + 1) if arg is not None else None
                orm = self._orm_call(called.name, expr, fn, depth)
                if orm is not None:
                    return orm
                if called.name in self.kb.entry_point_calls:
                    index, kw = self.kb.entry_point_calls[called.name]
                    group = argument(expr.args, expr.kws, index, kw)
                    return EntryPoints(group.value if isinstance(group, Str) else "")
            return self.call_result(called, depth)
        if isinstance(expr, Sub) and expr.key:
            base = self.resolve(expr.value, fn, depth + 1)
            if isinstance(base, EntryPoints) and not base.group:
                return EntryPoints(expr.key)  # entry_points()["group"]
            return merge(o.get(expr.key) for o in options(self.held(self.resolve(expr.value, fn, depth + 1)))
                         if isinstance(o, Dict))
        if isinstance(expr, DictExpr):
            items = tuple((k.value, v) for k, v in ((k, self.resolve(e, fn, depth + 1)) for k, e in expr.items)
                          if isinstance(k, Str) and v is not None)
            return Dict(items) if items else None
        if isinstance(expr, IterOf):
            return merge(self._element(v) for v in options(self.held(self.resolve(expr.value, fn, depth + 1))))
        if isinstance(expr, FuncRef):
            return Func(expr.qual)
        if isinstance(expr, ClassRef):
            return Cls(expr.qual)
        if isinstance(expr, ModRef):
            return self.module_value(expr.dotted, self.index.module_of(fn.qual))
        if isinstance(expr, ImpRef):
            return self.import_value(expr.module, expr.name, self.index.module_of(fn.qual), depth)
        return None

    def _result_for(self, qual: str, expr: CallExpr, fn: Function, depth: int) -> Value:
        """What a call returns for the arguments this call site passes, when the callee's return value
        depends on its parameters (``def first_or_404(stmt): return session.execute(stmt).scalar()``)."""
        target = self.functions[qual]
        if target.return_types or target.is_generator or not target.returns or not self._returns_use_params(qual):
            return None
        if not expr.args and not expr.kws:
            return None
        bound = isinstance(expr.func, Attr) and self.instance_like(self.resolve(expr.func.value, fn, depth + 1))
        passed, _ = bind_arguments(target, bound, expr.args, expr.kws)
        env: dict[str, Value] = {k: v for k, v in ((k, self.resolve(a, fn, depth + 1)) for k, a in passed.items())
                                 if v is not None and not isinstance(v, Param)}
        key = ("env", qual)
        if not env or key in self._busy or depth > MAX_DEPTH:
            return None
        memo = (qual, tuple(sorted(env.items(), key=lambda kv: kv[0])))
        found = self._results.get(memo) if not self._env else None
        if found is not None:
            self.param_reads += found[1]
            return found[0]
        before = self.param_reads
        self._busy.add(key)
        self._env.append((qual, env))
        try:
            value = self.agree(self.resolve(e, target, depth + 1) for e in target.returns)
        finally:
            self._env.pop()
            self._busy.discard(key)
        if not self._env:
            self._results[memo] = (value, self.param_reads - before)
        return value

    def _returns_use_params(self, qual: str) -> bool:
        """Whether what a function returns is computed from its parameters (through its locals)."""
        cached = self._uses_params.get(qual)
        if cached is not None:
            return cached
        fn = self.functions[qual]
        params = set(fn.params)
        seen: set[str] = set()
        todo: list[Expr] = list(fn.returns)
        found = False
        while todo and not found:
            e = todo.pop()
            if isinstance(e, Name):
                if e.scope == qual:
                    if e.id in params:
                        found = True
                    elif e.id not in seen:
                        seen.add(e.id)
                        todo.extend(fn.locals.get(e.id, ()))
            elif isinstance(e, tuple):
                todo.extend(_subexpressions(e))
        self._uses_params[qual] = found
        return found

    def held(self, value: Value) -> Value:
        """A value with each parameter replaced by what it is known to hold."""
        if not any(isinstance(o, Param) for o in options(value)):
            return value
        return merge(merge(self.param_values(o.fn, o.name)) if isinstance(o, Param) else o for o in options(value))

    def _orm_call(self, name: str, expr: CallExpr, fn: Function, depth: int) -> Value:
        """What an ORM call returns: ``session.get(Model, id)``, ``select(Model)``, ..."""
        orm = self.kb.orm
        for table in (orm.instance_calls, orm.query_calls, orm.through_calls, orm.first_calls):
            if name in table:
                arg = argument(expr.args, expr.kws, table[name], None)
                v = self.held(self.resolve(arg, fn, depth + 1)) if arg is not None else None
                if table is orm.instance_calls:
                    return Inst(v.qual) if isinstance(v, Cls) else None
                if table is orm.query_calls:
                    return Query(v.qual, "", orm.bound_queries.get(name, "")) if isinstance(v, Cls) else None
                if table is orm.first_calls:
                    return Inst(v.cls) if isinstance(v, Query) else None
                return v if isinstance(v, Query) else None
        return None

    @staticmethod
    def _element(v: Value) -> Value:
        """An element of an iterated value."""
        if isinstance(v, (Query, Rows)):
            return Inst(v.cls)
        if isinstance(v, EntryPoints) and v.group:
            return EntryPoint(v.group)
        return None

    def plugins(self, group: str) -> Value:
        """What loading an entry point of a project's plugin group gives: any class or function
        registered in that group."""
        return merge(self.dotted_value(t.strip()) for t in self.entry_points.get(group, ()))

    def instances(self, types: Types, fn: Function) -> Value:
        """Instances of the project classes an annotation names."""
        return merge(Inst(v.qual) for v in (self.resolve(t, fn) for t in types) if isinstance(v, Cls))

    def param_values(self, qual: str, name: str) -> tuple[Value, ...]:
        """What a parameter can hold: the classes its annotation names, and what call sites pass."""
        key = (qual, name)
        cached = self._param_values.get(key)
        if cached is not None:
            return cached
        fn = self.functions.get(qual)
        found: list[Value] = []
        if fn is not None and name in fn.annotations:
            found.extend(options(self.instances(fn.annotations[name], fn)))
        for v in self.param_types.get(key, ()):
            if v not in found:
                found.append(v)
        self._param_values[key] = tuple(found)
        return self._param_values[key]

    def receiver_class(self, receiver: Value, attr: str, target: str) -> str:
        """The class of an object whose ``attr`` is the method ``target`` (its ``self``), if one is known."""
        for o in options(receiver):
            held = self.param_values(o.fn, o.name) if isinstance(o, Param) else (o,)
            for v in held:
                if isinstance(v, Inst) and self.class_attr(v.cls, attr, True) == Func(target):
                    return v.cls
        return ""

    def instance_like(self, value: Value) -> bool:
        """Whether a receiver is an object of a known project class (its methods are bound)."""
        for o in options(value):
            if isinstance(o, (Inst, Super, Cls)):
                return True
            if isinstance(o, Param) and any(isinstance(v, (Inst, Cls)) for v in self.param_values(o.fn, o.name)):
                return True
        return False

    def name_value(self, scope: str, name: str, fn: Function, depth: int) -> Value:
        if scope == "":
            return self.global_value(self.index.module_of(fn.qual), name, depth + 1)
        owner = self.functions.get(scope)
        if owner is None:
            return None
        if name in owner.params:
            self.param_reads += 1
            for env_fn, env in reversed(self._env):
                if env_fn == scope:
                    if name in env:
                        return env[name]
                    break
            if owner.cls is not None and owner.params[0] == name and owner.kind == "def":
                if any(is_builtin(d, "staticmethod") for d in owner.decorators):
                    return Param(scope, name)
                cls = owner.cls
                if self.self_cls and cls in self.mro(self.self_cls):
                    cls = self.self_cls
                if any(is_builtin(d, "classmethod") for d in owner.decorators):
                    return Cls(cls)
                return Inst(cls)
            return Param(scope, name)
        exprs = owner.locals.get(name)
        if not exprs:
            return None
        key = ("local", scope, name)
        if key in self._busy:
            return None
        self._busy.add(key)
        try:
            return self.agree(self.resolve(e, owner, depth + 1) for e in exprs)
        finally:
            self._busy.discard(key)

    def attribute(self, base: Value, attr: str, depth: int = 0) -> Value:
        if base is None:
            return None
        if isinstance(base, Param):
            held = self.param_values(base.fn, base.name)
            if held:
                return merge(self.attribute(v, attr, depth + 1) for v in held)
            return Ext("?." + attr)
        if isinstance(base, Many):
            return merge(self.attribute(v, attr, depth + 1) for v in base.options)
        if isinstance(base, EntryPoint):
            return Returns(self.plugins(base.group)) if attr == "load" else None
        if isinstance(base, EntryPoints):
            return Returns(base) if attr == "select" else None
        if isinstance(base, Query):
            orm = self.kb.orm
            if attr in orm.chain:
                return Returns(Query(base.cls, "", base.made or base.local))
            if attr in orm.one:
                return Returns(Inst(base.cls))
            if attr in orm.many:
                return Returns(Rows(base.cls))
            return None
        if isinstance(base, Ext):
            return Ext(self.kb.canonical(f"{base.name}.{attr}"))
        if isinstance(base, Mod):
            mod = self.index.modules[base.name]
            if attr in mod.globals or mod.star_imports:
                v = self.global_value(mod, attr, depth + 1)
                if v is not None:
                    return v
            sub = self.index.find_module(f"{mod.import_name}.{attr}", mod)
            return Mod(sub.name) if sub is not None else None
        if isinstance(base, Cls):
            return self.class_attr(base.qual, attr, False, depth)
        if isinstance(base, Inst):
            return self.class_attr(base.cls, attr, True, depth)
        if isinstance(base, Super):
            return self.class_attr(base.cls, attr, True, depth, skip_self=True)
        if isinstance(base, Func):
            return FAttr(base.qual, attr)
        return None

    # ---- classes --------------------------------------------------------------------------------
    def mro(self, cls: str) -> list[str]:
        """The project classes of ``cls``'s MRO (depth first, each once)."""
        if cls in self._mro:
            return self._mro[cls]
        self._mro[cls] = [cls]
        order = [cls]
        klass = self.classes[cls]
        fn = self.index.scope_of_class(klass)
        for b in klass.bases:
            v = self.resolve(b, fn)
            if isinstance(v, Cls) and v.qual in self.classes:
                for c in self.mro(v.qual):
                    if c not in order:
                        order.append(c)
        self._mro[cls] = order
        return order

    def ext_bases(self, cls: str) -> list[str]:
        """The external classes among the bases of ``cls`` and of its project bases."""
        cached = self._ext_bases.get(cls)
        if cached is not None:
            return cached
        out: list[str] = []
        for c in self.mro(cls):
            klass = self.classes[c]
            scope = self.index.scope_of_class(klass)
            for b in klass.bases:
                candidates = [b]
                if isinstance(b, Name) and b.scope == "":
                    # ``Base = A`` / ``Base = B`` chosen at import time: every choice is a base
                    candidates = list(self.index.modules[klass.module].globals.get(b.id, ())) or [b]
                for e in candidates:
                    v = self.resolve(e, scope)
                    if isinstance(v, Ext) and v.name not in out:
                        out.append(v.name)
        self._ext_bases[cls] = out
        return out

    def class_attr(self, cls: str, attr: str, instance: bool, depth: int = 0, skip_self: bool = False) -> Value:
        if cls not in self.classes:
            return None
        if not self.frozen or self._env:
            return self._class_attr(cls, attr, instance, depth, skip_self)
        key = (cls, attr, instance, skip_self)
        found = self._class_attrs.get(key)
        if found is None:
            before = self.param_reads
            value = self._class_attr(cls, attr, instance, depth, skip_self)
            self._class_attrs[key] = (value, self.param_reads - before)
            return value
        self.param_reads += found[1]
        return found[0]

    def _class_attr(self, cls: str, attr: str, instance: bool, depth: int, skip_self: bool) -> Value:
        order = self.mro(cls)[1 if skip_self else 0:]
        for c in order:
            klass = self.classes[c]
            if attr in klass.methods:
                return Func(klass.methods[attr])
            if attr in klass.attrs:
                key = ("attr", c, attr)
                if key in self._busy:
                    return None
                self._busy.add(key)
                try:
                    # self.x = ... inside methods was recorded with the methods' own scopes, so the
                    # class's scope resolves them
                    owner = self.index.scope_of_class(klass)
                    # ``self.x = None`` until it is set: None has no methods to call
                    v = self.agree([r for r in (self.resolve(e, owner, depth + 1) for e in klass.attrs[attr])
                                    if r != self._none])
                finally:
                    self._busy.discard(key)
                if v is not None:
                    return v
            if attr in klass.field_types:
                v = self.instances(klass.field_types[attr], self.index.scope_of_class(klass))
                if v is not None:
                    return v
        for b in self.ext_bases(cls):
            query_attr = self.kb.orm.model_bases.get(b)
            if query_attr and attr == query_attr:
                return Query(cls, self.kb.canonical(f"{b}.{attr}"))
            return Ext(self.kb.canonical(f"{b}{'()' if instance or skip_self else ''}.{attr}"))
        return None

    # ---- calls ------------------------------------------------------------------------------------
    def call_result(self, callee: Value, depth: int = 0) -> Value:
        if isinstance(callee, Ext):
            return Ext(callee.name + "()")
        if isinstance(callee, Cls):
            return Inst(callee.qual)
        if isinstance(callee, Func):
            return self.return_value(callee.qual, depth)
        if isinstance(callee, Returns):
            return callee.value
        if isinstance(callee, Many):
            return merge(self.call_result(v, depth + 1) for v in callee.options)
        return None

    def return_value(self, qual: str, depth: int = 0) -> Value:
        found = self._returns.get(qual)
        if found is not None:
            self.param_reads += found[1]
            return found[0]
        fn = self.functions.get(qual)
        if fn is None or fn.is_generator or ("ret", qual) in self._busy or depth > MAX_DEPTH:
            return None
        before = self.param_reads
        self._busy.add(("ret", qual))
        try:
            value = self.instances(fn.return_types, fn) if fn.return_types else None
            if value is None:
                value = self.agree(self.resolve(e, fn, depth + 1) for e in fn.returns)
        finally:
            self._busy.discard(("ret", qual))
        self._returns[qual] = (value, self.param_reads - before)
        return value

    def dotted_function(self, dotted: str) -> Value:
        """A project function named by a dotted string (``"pkg.mod.func"`` or ``"pkg.mod:func"``)."""
        v = self.dotted_value(dotted)
        return v if isinstance(v, Func) else None

    def dotted_value(self, dotted: str) -> Value:
        mod, _, name = dotted.replace(":", ".").rpartition(".")
        m = self.index.find_module(mod, None)
        return self.global_value(m, name) if m is not None else None

    # ---- context locals ---------------------------------------------------------------------------
    def local_of(self, value: Value) -> Local | None:
        """The context-bound name a value is, if it is one."""
        if isinstance(value, Ext):
            return self.kb.locals.get(value.name)
        if isinstance(value, Proxy):
            return self.proxy_local(value.factory)
        if isinstance(value, Query) and value.local:
            return self.kb.locals.get(value.local)
        return None

    def proxy_local(self, factory: str) -> Local | None:
        """A project's own LocalProxy is context-bound when its factory reaches a context local unguarded."""
        if factory in self._proxy_needs:
            return self._proxy_needs[factory]
        self._proxy_needs[factory] = None  # while computing: a proxy built on itself needs nothing more
        needs = self.factory_needs(factory)
        local = Local(needs, True) if needs else None
        self._proxy_needs[factory] = local
        return local

    def scan_chain(self, expr: Expr, fn: Function) -> tuple[Value, Value, list[Effect]]:
        """Resolve a name/attribute chain step by step: (value, receiver, effects met on the way)."""
        parts: list[Expr] = []
        e = expr
        while isinstance(e, Attr):
            parts.append(e)
            e = e.value
        parts.append(e)
        parts.reverse()
        del parts[_MAX_CHAIN:]  # nothing context-bound hides 30 attributes deep
        effects: list[Effect] = []
        value = self.resolve(parts[0], fn)
        receiver: Value = None
        local = self.local_of(value)
        if local is not None:
            return value, receiver, [UseEffect(local, _use_text(parts, 0, local), len(parts) == 1)]
        if len(parts) > 1 and (isinstance(value, Param)
                               or isinstance(value, Query) and self._made_elsewhere(parts[0], fn)):
            # a query made elsewhere (a view's ``db.session.query(X)``, handed in or held by the enclosing
            # function) is run here
            held = self.param_values(value.fn, value.name) if isinstance(value, Param) else (value,)
            ran = self._runs_bound_query(held, parts[1])
            if ran is not None:
                return value, receiver, [UseEffect(ran, render(parts[1]) + "()", False)]
        for i, p in enumerate(parts[1:], start=1):
            assert isinstance(p, Attr)
            receiver = value
            value = self.attribute(value, p.attr)
            if value is None:
                # an attribute the class does not define: its ``__getattr__`` answers (a project
                # object wrapping a proxy: ``request = RequestWrapper()``)
                hooks = [h for h in (self.class_attr(o.cls, "__getattr__", True) for o in options(receiver)
                                     if isinstance(o, Inst)) if isinstance(h, Func)]
                if hooks:
                    for h in hooks:
                        effects.append(PropertyEffect(h.qual, render(p), parts[i - 1]))
                    value = merge(self.return_value(h.qual) for h in hooks)
                    continue
            local = self.local_of(value)
            if local is not None:
                return value, receiver, [*effects, UseEffect(local, _use_text(parts, i, local), i == len(parts) - 1)]
            props = [o for o in options(value) if isinstance(o, Func) and self.is_property(o.qual)] \
                if value is not None and not isinstance(value, Ext) and not isinstance(receiver, Cls) \
                and self.instance_like(receiver) else []
            if props:
                for o in props:
                    effects.append(PropertyEffect(o.qual, render(p), parts[i - 1]))
                value = merge(self.return_value(o.qual) if o in props else o for o in options(value))
            elif i < len(parts) - 1 and isinstance(value, Ext) and isinstance(receiver, Ext) \
                    and receiver.name in self.kb.locals:
                break
        return value, receiver, effects

    def _made_elsewhere(self, expr: Expr, fn: Function) -> bool:
        """Whether the query ``expr`` evaluates to was made outside ``fn``: it starts from a parameter or from a
        local of the enclosing function (``query.filter(...)`` on a query handed in)."""
        while isinstance(expr, (Attr, CallExpr, Sub)):
            expr = expr.func if isinstance(expr, CallExpr) else expr.value
        if not isinstance(expr, Name) or not expr.scope:
            return False
        return expr.scope != fn.qual or isinstance(self.resolve(expr, fn), Param)

    def _runs_bound_query(self, held: Iterable[Value], step: Expr) -> Local | None:
        """The context-bound name a query (among ``held``) needs when ``step`` (``q.all``) runs it."""
        if not isinstance(step, Attr) or step.attr in self.kb.orm.chain:
            return None  # building a further query runs nothing
        for v in held:
            if isinstance(v, Query) and (v.made or v.local):
                local = self.kb.locals.get(v.made or v.local)
                if local is not None:
                    return local
        return None

    def is_property(self, qual: str) -> bool:
        found = self._properties.get(qual)
        if found is None:
            found = self._properties[qual] = self._is_property(qual)
        return found

    def _is_property(self, qual: str) -> bool:
        fn = self.functions.get(qual)
        if fn is None:
            return False
        names = self.kb.property_decorators
        for d in fn.decorators:
            if isinstance(d, Attr):
                if d.attr in names:
                    return True
                continue
            v = self.resolve(d, self.index.module_of(qual).body)
            if isinstance(v, Ext) and (v.name in names or v.name.rsplit(".", 1)[-1] in names):
                return True
        return False

    def needs(self, local: Local, server_name: bool) -> str:
        if local.needs == NEEDS_URL:
            return NEEDS_APP if server_name else NEEDS_REQUEST
        return local.needs


def _use_text(parts: list[Expr], i: int, local: Local) -> str:
    """``request.headers`` for a proxy (one attribute further), ``url_for()`` for a function, ``db.engine`` for
    an attribute."""
    if local.proxy and i + 1 < len(parts):
        return render(parts[i + 1])
    return render(parts[i]) + ("()" if local.function else "")


def argument(args: tuple[Expr, ...], kws: tuple[tuple[str, Expr], ...], index: int | None,
             kw: str | None) -> Expr | None:
    """The argument at position ``index`` or keyword ``kw`` of a call, if it can be told."""
    if kw is not None:
        for k, v in kws:
            if k == kw:
                return v
    if index is not None and index < len(args) and all(not _is_star(a) for a in args[: index + 1]):
        return args[index]
    return None


def _subexpressions(e: tuple[object, ...]) -> list[Expr]:
    """The expressions directly inside one (through tuples of them and keyword pairs)."""
    out: list[Expr] = []
    for x in e:
        if isinstance(x, tuple):
            if type(x) is tuple:
                out.extend(_subexpressions(x))
            else:
                out.append(x)  # type: ignore[arg-type]
    return out


def _is_star(e: Expr) -> bool:
    return isinstance(e, Star)


__all__ = ["Resolver", "Effect", "UseEffect", "PropertyEffect", "argument"]
