"""Resolve names across the project and turn each function into actions.

An action is what running a function does that matters for contexts: it
uses a context-bound name, calls a project function, starts a function
somewhere else (a thread, a job), or hands a generator to a response.  Each
action carries the conditions it sits under, resolved to the contexts they
guarantee.  Callees that cannot be resolved produce no action: nothing is
guessed.
"""

from __future__ import annotations

import builtins
import fnmatch
import os
from dataclasses import dataclass
from typing import Any, Iterable

from . import knowledge as K
from .knowledge import Knowledge
from .model import CALL, DECO, IMPORT, REF, Class, Expr, Function, Module, Pos, literal_truth

Value = tuple[Any, ...] | None
# A call chain: the functions a call enters, outermost decorator wrapper first.
# Each step is (qualname, contexts its wrapper adds, request-bound decorator text or "").
Chain = tuple[tuple[str, int, str], ...]

_BUILTINS = frozenset(dir(builtins))
_MAX_DEPTH = 40
_MAX_CHAIN = 30


@dataclass(frozen=True, slots=True)
class Use:
    needs: str
    text: str
    pos: Pos
    conds: tuple[int, ...]
    proxy: bool


@dataclass(frozen=True, slots=True)
class Call:
    chain: Chain
    pos: Pos
    conds: tuple[int, ...]
    text: str
    # what the call site says of the callee's tested parameters: ((name, "none"|"true"|"false"), ...)
    facts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ParamCall:
    pos: Pos
    conds: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Spawn:
    family: str  # "thread" or "job"
    label: str
    process: bool
    chain: Chain | None  # None: the target is not a project function
    target_text: str
    proxies: tuple[tuple[str, Pos], ...]  # context proxies handed over (CTX203)
    pos: Pos
    conds: tuple[int, ...]
    registers: bool  # registers a job (root at the target's def) rather than starting a thread
    # the target is the function a project decorator wraps (its parameter): the thread runs the rest of
    # the decorated chain, e.g. ``def run_async(f): def wrapper(*a): Thread(target=f, args=a).start()``
    wrapped: bool = False


@dataclass(frozen=True, slots=True)
class Stream:
    chain: Chain
    target_text: str
    pos: Pos
    conds: tuple[int, ...]


Action = Use | Call | ParamCall | Spawn | Stream


@dataclass(frozen=True, slots=True)
class Root:
    """A place where Flask or a job runner starts running project code."""

    kind: str  # "request", "app", "job", "import", "thread", "stream", "with"
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


def render(expr: Expr) -> str:
    kind = expr[0]
    if kind == "name":
        return str(expr[2])
    if kind == "attr":
        return f"{render(expr[1])}.{expr[2]}"
    if kind == "call":
        return f"{render(expr[1])}()"
    if kind == "sub":
        return f"{render(expr[1])}[...]"
    if kind == "func":
        return short_name(expr[1])
    if kind == "str":
        return repr(expr[1])
    return "..."


def short_name(qual: str) -> str:
    obj = qual.split(":", 1)[-1]
    if obj == "<module>":
        return "<module>"
    parts = [p for p in obj.split(".") if p not in ("<locals>", "<body>")]
    if parts and parts[-1].startswith("<lambda"):
        return "lambda"
    return ".".join(parts[-2:]) if len(parts) > 1 else (parts[0] if parts else qual)


class Graph:
    def __init__(self, modules: Iterable[Module], kb: Knowledge) -> None:
        self.kb = kb
        self.modules: dict[str, Module] = {}
        self.functions: dict[str, Function] = {}
        self.classes: dict[str, Class] = {}
        self.by_import: dict[str, list[Module]] = {}
        for m in modules:
            self.modules[m.name] = m
            self.functions.update(m.functions)
            self.classes.update(m.classes)
            for name in _import_names(m):
                self.by_import.setdefault(name, []).append(m)
        self.server_name = any(m.sets_server_name for m in self.modules.values())
        self._globals: dict[tuple[str, str], Value] = {}
        self._returns: dict[str, Value] = {}
        self._actions: dict[str, list[Action]] = {}
        self._conds: dict[str, list[tuple[str, int]]] = {}
        self._chains: dict[str, Chain] = {}
        self._busy: set[Any] = set()
        self._mro: dict[str, list[str]] = {}
        self._param_calls: dict[str, frozenset[str]] = {}
        self._param_spawns: dict[str, dict[str, K.Spawner]] = {}
        self._app_task_default: bool | None = None
        self._app_task_classes: list[str] = []
        self._module_ctx: dict[str, int] | None = None
        self._rq_worker: bool | None = None
        self._proxy_needs: dict[str, K.Local | None] = {}

    # ---- modules ---------------------------------------------------------------------
    def module_of(self, qual: str) -> Module:
        return self.modules[qual.split(":", 1)[0]]

    def find_module(self, dotted: str, importer: Module | None) -> Module | None:
        cands = self.by_import.get(dotted)
        if not cands:
            return None
        if len(cands) == 1 or importer is None:
            return cands[0] if len(cands) == 1 else None
        here = os.path.dirname(importer.path)

        def closeness(m: Module) -> int:
            return len(os.path.commonpath([here, os.path.dirname(m.path)])) if m.path else 0

        ranked = sorted(cands, key=closeness, reverse=True)
        if closeness(ranked[0]) == closeness(ranked[1]):
            return None
        return ranked[0]

    def module_context(self, mod: Module) -> int:
        """Contexts a module's body runs with when it is imported.

        An entry point (imported by no project module) runs with none, unless a tool
        runs it inside one.  A module imported at module level inherits the context of
        its importers (with any ``with app.app_context():`` around the import); one
        imported inside a function is assumed to be imported where a context exists.
        When importers disagree the most context wins: a finding must hold whichever
        import runs first.
        """
        if self._module_ctx is None:
            self._module_ctx = self._module_contexts()
        return self._module_ctx.get(mod.name, K.NONE)

    def _module_contexts(self) -> dict[str, int]:
        sites: dict[str, list[tuple[str | None, int]]] = {}  # target -> (importer or None if lazy, extra ctx)
        for mod in self.modules.values():
            for fn in mod.functions.values():
                for ev in fn.events:
                    if ev[0] != IMPORT:
                        continue
                    lazy = fn.kind != "module"
                    extra = K.NONE
                    if not lazy:
                        conds = self.conditions(fn)
                        if any(fn.conds[i][0] == "main" for i in ev[3]):
                            extra = -1  # only when run as a script: not an import of the target
                        for i in ev[3]:
                            extra = extra | conds[i][1] if extra >= 0 else extra
                    if extra < 0:
                        continue
                    for executed in self._executed_modules(ev[1], mod):
                        if executed.name != mod.name:
                            sites.setdefault(executed.name, []).append((None if lazy else mod.name, extra))
        dynamic = self._dynamic_imports(sites)
        ctx: dict[str, int] = {}
        for name, mod in self.modules.items():
            entry = mod.entry_ctx
            if dynamic and name not in sites and "." in mod.import_name and not mod.import_name.endswith("__main__") \
                    and not any(c[0] == "main" for c in mod.body.conds):
                # imported by no module, in a project that imports modules by computed name inside
                # functions (plugins, token types): assume it is one of those, imported where a context is
                sites[name] = [(None, K.NONE)]
            if any(v and v[0][0] == "imp" and (v[0][1], v[0][2]) in K.APP_CONTEXT_ENTRY_IMPORTS
                   for v in mod.globals.values()):
                entry |= K.APP
            ctx[name] = entry if name not in sites else K.NONE
            if any(imp is None for imp, _ in sites.get(name, ())):
                ctx[name] = K.REQUEST
        # ctx(target) |= ctx(importer) | extra, for every module-level import site, to a fixpoint
        imports: dict[str, list[tuple[str, int]]] = {}
        for target, lst in sites.items():
            for imp, extra in lst:
                if imp is not None:
                    imports.setdefault(imp, []).append((target, extra))
        work = list(self.modules)
        while work:
            imp = work.pop()
            for target, extra in imports.get(imp, ()):
                new = ctx[target] | ctx[imp] | extra
                if new != ctx[target]:
                    ctx[target] = new
                    work.append(target)
        return ctx

    def _dynamic_imports(self, sites: dict[str, list[tuple[str | None, int]]]) -> bool:
        """Record ``importlib.import_module("pkg.mod")`` inside functions as lazy import sites; True if
        some function imports a module whose name is computed."""
        computed = False
        for mod in self.modules.values():
            for fn in mod.functions.values():
                if fn.kind == "module":
                    continue
                for ev in fn.events:
                    if ev[0] != CALL:
                        continue
                    callee = self.resolve(ev[1][1], fn)
                    if callee is None or callee[0] != "ext" or callee[1] not in K.DYNAMIC_IMPORTS:
                        continue
                    arg = _argument(ev[1][2], ev[1][3], 0, "name")
                    if arg is not None and arg[0] == "str":
                        for executed in self._executed_modules((arg[1],), mod):
                            sites.setdefault(executed.name, []).append((None, K.NONE))
                    else:
                        computed = True
        return computed

    def _executed_modules(self, dotted_names: tuple[str, ...], importer: Module) -> list[Module]:
        out: list[Module] = []
        for dotted in dotted_names:
            parts = dotted.split(".")
            for i in range(1, len(parts) + 1):
                m = self.find_module(".".join(parts[:i]), importer)
                if m is not None and m not in out:
                    out.append(m)
        return out

    # ---- values ----------------------------------------------------------------------
    def global_value(self, mod: Module, name: str, depth: int = 0) -> Value:
        key = (mod.name, name)
        if key in self._globals:
            return self._globals[key]
        if key in self._busy or depth > _MAX_DEPTH:
            return None
        configured = self._configured(f"{mod.import_name}.{name}" if mod.import_name else name)
        if configured is not None:
            self._globals[key] = configured
            return configured
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
                    target = self.find_module(star, mod)
                    if target is not None:
                        value = self.global_value(target, name, depth + 1)
                    else:
                        value = None
                    if value is not None:
                        break
                if value is None and name in _BUILTINS:
                    value = ("ext", "builtins." + name)
        finally:
            self._busy.discard(key)
        self._globals[key] = value
        return value

    def _configured(self, dotted: str) -> Value:
        """A project name the knowledge (a user's configuration) describes: it then stands for itself."""
        kb = self.kb
        if dotted in kb.locals or dotted in kb.roots or dotted in kb.spawners or dotted in kb.wrappers \
                or dotted in kb.followers:
            return ("ext", dotted)
        return None

    @staticmethod
    def _agree(values: Iterable[Value]) -> Value:
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
        if expr[0] != "call" or not expr[2]:
            return None
        callee = self.resolve(expr[1], fn)
        proxy_class = callee is not None and (
            callee[0] == "ext" and callee[1] in K.LOCAL_PROXY_CLASSES
            or callee[0] == "class" and any(b in K.LOCAL_PROXY_CLASSES for b in self.ext_bases(callee[1])))
        if not proxy_class:
            return None
        factory = self.resolve(expr[2][0], fn)
        if factory is not None and factory[0] == "func" and factory[1] in self.functions:
            return ("proxy", factory[1])
        return None

    def module_value(self, dotted: str, importer: Module) -> Value:
        m = self.find_module(dotted, importer)
        if m is not None:
            return ("mod", m.name)
        return ("ext", self.kb.canonical(dotted))

    def resolve(self, expr: Expr, fn: Function, depth: int = 0) -> Value:
        """The value an expression evaluated in ``fn`` denotes, or None."""
        if depth > _MAX_DEPTH:
            return None
        kind = expr[0]
        if kind == "name":
            return self.name_value(expr[1], expr[2], fn, depth)
        if kind == "attr":
            return self.attribute(self.resolve(expr[1], fn, depth + 1), expr[2], depth)
        if kind == "call":
            callee = expr[1]
            if callee == ("name", "", "super") and fn.cls is not None \
                    and "super" not in self.module_of(fn.qual).globals:
                return ("super", fn.cls)
            called = self.resolve(callee, fn, depth + 1)
            if called is not None and called[0] == "ext" and called[1] in K.IDENTITY_CALLS:
                arg = _argument(expr[2], expr[3], *K.IDENTITY_CALLS[called[1]])
                return self.resolve(arg, fn, depth + 1) if arg is not None else None
            return self.call_result(called, depth)
        if kind in ("func", "class"):
            return (kind, expr[1])
        if kind == "mod":
            return self.module_value(expr[1], self.module_of(fn.qual))
        if kind == "imp":
            return self.import_value(expr[1], expr[2], self.module_of(fn.qual), depth)
        return None

    def import_value(self, module: str, name: str, importer: Module, depth: int) -> Value:
        m = self.find_module(module, importer)
        if m is not None:
            if name in m.globals or m.star_imports:
                v = self.global_value(m, name, depth + 1)
                if v is not None:
                    return v
            sub = self.find_module(f"{module}.{name}" if module else name, importer)
            if sub is not None:
                return ("mod", sub.name)
            return None
        return ("ext", self.kb.canonical(f"{module}.{name}" if module else name))

    def name_value(self, scope: str, name: str, fn: Function, depth: int) -> Value:
        if scope == "":
            return self.global_value(self.module_of(fn.qual), name, depth + 1)
        owner = self.functions.get(scope)
        if owner is None:
            return None
        if name in owner.params:
            if owner.cls is not None and owner.params[0] == name and owner.kind == "def":
                if ("name", "", "staticmethod") in owner.decorators:
                    return ("param", scope, name)
                if ("name", "", "classmethod") in owner.decorators:
                    return ("class", owner.cls)
                return ("inst", owner.cls)
            return ("param", scope, name)
        exprs = owner.locals.get(name)
        if not exprs:
            return None
        key = ("local", scope, name)
        if key in self._busy:
            return None
        self._busy.add(key)
        try:
            return self._agree(self.resolve(e, owner, depth + 1) for e in exprs)
        finally:
            self._busy.discard(key)

    def attribute(self, base: Value, attr: str, depth: int = 0) -> Value:
        if base is None:
            return None
        kind = base[0]
        if kind == "param":
            return ("ext", "?." + attr)
        if kind == "ext":
            return ("ext", self.kb.canonical(f"{base[1]}.{attr}"))
        if kind == "mod":
            mod = self.modules[base[1]]
            if attr in mod.globals or mod.star_imports:
                v = self.global_value(mod, attr, depth + 1)
                if v is not None:
                    return v
            sub = self.find_module(f"{mod.import_name}.{attr}", mod)
            return ("mod", sub.name) if sub is not None else None
        if kind in ("class", "inst"):
            return self.class_attr(base[1], attr, kind == "inst", depth)
        if kind == "super":
            return self.class_attr(base[1], attr, True, depth, skip_self=True)
        if kind == "func":
            return ("fattr", base[1], attr)
        return None

    def mro(self, cls: str) -> list[str]:
        if cls in self._mro:
            return self._mro[cls]
        self._mro[cls] = [cls]
        order = [cls]
        klass = self.classes[cls]
        fn = self._class_scope(klass)
        for b in klass.bases:
            v = self.resolve(b, fn)
            if v is not None and v[0] == "class" and v[1] in self.classes:
                for c in self.mro(v[1]):
                    if c not in order:
                        order.append(c)
        self._mro[cls] = order
        return order

    def _class_scope(self, klass: Class) -> Function:
        if klass.parent and klass.parent in self.functions:
            return self.functions[klass.parent]
        return self.modules[klass.module].body

    def ext_bases(self, cls: str) -> list[str]:
        out = []
        for c in self.mro(cls):
            klass = self.classes[c]
            scope = self._class_scope(klass)
            for b in klass.bases:
                candidates = [b]
                if b[0] == "name" and b[1] == "":
                    # ``Base = A`` / ``Base = B`` chosen at import time: every choice is a base
                    candidates = list(self.modules[klass.module].globals.get(b[2], ())) or [b]
                for e in candidates:
                    v = self.resolve(e, scope)
                    if v is not None and v[0] == "ext" and v[1] not in out:
                        out.append(v[1])
        return out

    def class_attr(self, cls: str, attr: str, instance: bool, depth: int = 0, skip_self: bool = False) -> Value:
        if cls not in self.classes:
            return None
        order = self.mro(cls)[1 if skip_self else 0:]
        for c in order:
            klass = self.classes[c]
            if attr in klass.methods:
                return ("func", klass.methods[attr])
            if attr in klass.attrs:
                key = ("attr", c, attr)
                if key in self._busy:
                    return None
                self._busy.add(key)
                try:
                    owner = self._class_scope(klass)
                    values = []
                    for e in klass.attrs[attr]:
                        # self.x = ... inside methods was recorded with the method's names
                        values.append(self._resolve_anywhere(e, klass, owner, depth))
                    v = self._agree(values)
                finally:
                    self._busy.discard(key)
                if v is not None:
                    return v
        for b in self.ext_bases(cls) if not skip_self else []:
            return ("ext", self.kb.canonical(f"{b}{'()' if instance else ''}.{attr}"))
        if skip_self:
            for b in self.ext_bases(cls):
                return ("ext", self.kb.canonical(f"{b}().{attr}"))
        return None

    def _resolve_anywhere(self, expr: Expr, klass: Class, owner: Function, depth: int) -> Value:
        # expressions recorded from methods name their own scopes, so any function of the
        # module resolves them; the class's scope is the natural one to use
        return self.resolve(expr, owner, depth + 1)

    def call_result(self, callee: Value, depth: int = 0) -> Value:
        if callee is None:
            return None
        kind = callee[0]
        if kind == "ext":
            return ("ext", callee[1] + "()")
        if kind == "class":
            return ("inst", callee[1])
        if kind == "func":
            return self.return_value(callee[1], depth)
        return None

    def return_value(self, qual: str, depth: int = 0) -> Value:
        if qual in self._returns:
            return self._returns[qual]
        fn = self.functions.get(qual)
        if fn is None or fn.is_generator or ("ret", qual) in self._busy or depth > _MAX_DEPTH:
            return None
        self._busy.add(("ret", qual))
        try:
            value = self._agree(self.resolve(e, fn, depth + 1) for e in fn.returns)
        finally:
            self._busy.discard(("ret", qual))
        self._returns[qual] = value
        return value

    # ---- context locals and chains ---------------------------------------------------------
    def local_of(self, value: Value) -> K.Local | None:
        if value is None:
            return None
        if value[0] == "ext":
            return self.kb.locals.get(value[1])
        if value[0] == "proxy":
            return self.proxy_local(value[1])
        return None

    def proxy_local(self, factory: str) -> K.Local | None:
        """A project's own LocalProxy is context-bound when its factory reaches a context local unguarded."""
        if factory in self._proxy_needs:
            return self._proxy_needs[factory]
        self._proxy_needs[factory] = None  # while computing: a proxy built on itself needs nothing more
        needs = ""
        seen = {factory}
        todo = [factory]
        while todo and needs != K.NEEDS_REQUEST:
            q = todo.pop()
            fn = self.functions.get(q)
            if fn is None:
                continue
            conds = self.conditions(fn)
            for act in self.actions(q):
                if any(conds[i][0] == "guard" and conds[i][1] or conds[i][0] == "push" and conds[i][1]
                       for i in act.conds):
                    continue
                if isinstance(act, Use):
                    if act.needs == K.NEEDS_REQUEST or not needs:
                        needs = act.needs
                elif isinstance(act, Call):
                    for step in act.chain:
                        if step[0] not in seen:
                            seen.add(step[0])
                            todo.append(step[0])
        local = K.Local(needs, True) if needs else None
        self._proxy_needs[factory] = local
        return local

    def needs(self, local: K.Local) -> str:
        if local.needs == K.NEEDS_URL:
            return K.NEEDS_APP if self.server_name else K.NEEDS_REQUEST
        return local.needs

    def scan_chain(self, expr: Expr, fn: Function) -> tuple[Value, Value, list[tuple[Any, ...]]]:
        """Resolve a name/attribute chain step by step.

        Returns (value, receiver, effects); effects are ("use", Local, text, named) for a
        context local met on the way (resolution stops there; ``named``: the chain ends
        there, the proxy itself is the value) and ("prop", qual, text) for properties
        read on the way.
        """
        parts: list[Expr] = []
        e = expr
        while e[0] == "attr":
            parts.append(e)
            e = e[1]
        parts.append(e)
        parts.reverse()
        del parts[_MAX_CHAIN:]  # nothing context-bound hides 30 attributes deep
        effects: list[tuple[Any, ...]] = []
        value = self.resolve(parts[0], fn)
        receiver: Value = None
        local = self.local_of(value)
        if local is not None:
            return value, receiver, [("use", local, _use_text(parts, 0, local), len(parts) == 1)]
        for i, p in enumerate(parts[1:], start=1):
            receiver = value
            value = self.attribute(value, p[2])
            local = self.local_of(value)
            if local is not None:
                return value, receiver, [*effects, ("use", local, _use_text(parts, i, local), i == len(parts) - 1)]
            if value is not None and value[0] == "func" and receiver is not None \
                    and receiver[0] in ("inst", "super") and self.is_property(value[1]):
                effects.append(("prop", value[1], render(p)))
                value = self.return_value(value[1])
            elif i < len(parts) - 1 and value is not None and value[0] == "ext" and receiver is not None \
                    and receiver[0] == "ext" and receiver[1] in self.kb.locals:
                break
        return value, receiver, effects

    def is_property(self, qual: str) -> bool:
        fn = self.functions.get(qual)
        if fn is None:
            return False
        for d in fn.decorators:
            v = self.resolve(d, self.module_of(qual).body) if d[0] != "attr" else None
            if v == ("ext", "builtins.property") or (d[0] == "attr" and d[2] in ("cached_property",)) \
                    or (v is not None and v[0] == "ext" and v[1].endswith("cached_property")):
                return True
        return False

    def chain_for(self, qual: str) -> Chain:
        """What calling the (decorated) function ``qual`` enters."""
        if qual in self._chains:
            return self._chains[qual]
        self._chains[qual] = ((qual, 0, ""),)  # provisional, for recursion
        fn = self.functions.get(qual)
        chain: Chain = ((qual, 0, ""),)
        if fn is not None and fn.decorators:
            chain = self.chain_below(fn, fn.decorators)
        self._chains[qual] = chain
        return chain

    def chain_below(self, fn: Function, decorators: tuple[Expr, ...]) -> Chain:
        """The chain of ``fn`` wrapped by ``decorators`` (outermost first)."""
        scope = self._decorator_scope(fn)
        steps: list[tuple[str, int, str]] = []
        extra = 0
        use = ""
        for d in decorators:
            kind, payload = self.classify_decorator(d, scope)
            if kind == "wrapper":
                steps.append((payload, extra, use))
                extra, use = 0, ""
            elif kind == "ctx":
                extra |= payload
            elif kind == "uses":
                use = payload
        steps.append((fn.qual, extra, use))
        return tuple(steps)

    def _decorator_scope(self, fn: Function) -> Function:
        if fn.parent and fn.parent in self.functions:
            return self.functions[fn.parent]
        return self.module_of(fn.qual).body

    def classify_decorator(self, d: Expr, scope: Function) -> tuple[str, Any]:
        if d[0] == "call":
            callee = self.resolve(d[1], scope)
            if callee is not None and callee[0] == "ext":
                if callee[1] in self.kb.wrappers:
                    return ("ctx", self.kb.wrappers[callee[1]])
                if callee[1] in K.REQUEST_DECORATORS:
                    return ("uses", K.REQUEST_DECORATORS[callee[1]])
                return ("transparent", None)
            value = self.call_result(callee)
        else:
            value = self.resolve(d, scope)
            if value is not None and value[0] == "ext":
                if value[1] in self.kb.wrappers:
                    return ("ctx", self.kb.wrappers[value[1]])
                if value[1] in K.REQUEST_DECORATORS:
                    return ("uses", K.REQUEST_DECORATORS[value[1]])
                return ("transparent", None)
        if value is not None and value[0] == "func":
            wrapper = self.wrapper_of(value[1])
            if wrapper is not None:
                return ("wrapper", wrapper)
        return ("transparent", None)

    def wrapper_of(self, deco: str) -> str | None:
        """The nested function a project decorator returns, if it calls the wrapped one."""
        fn = self.functions.get(deco)
        if fn is None or not fn.params:
            return None
        for r in fn.returns:
            v = self.resolve(r, fn)
            if v is not None and v[0] == "func" and v[1].startswith(deco + "."):
                inner = self.functions.get(v[1])
                if inner is not None and any(isinstance(a, ParamCall) or (isinstance(a, Spawn) and a.wrapped)
                                             for a in self.actions(v[1])):
                    return v[1]
        return None

    def called_params(self, qual: str) -> frozenset[str]:
        """Parameters of ``qual`` that it calls itself (functions passed by name)."""
        if qual in self._param_calls:
            return self._param_calls[qual]
        fn = self.functions.get(qual)
        out: set[str] = set()
        if fn is not None:
            for ev in fn.events:
                if ev[0] == CALL and ev[1][1][0] == "name" and ev[1][1][1] == qual and ev[1][1][2] in fn.params:
                    out.add(ev[1][1][2])
        self._param_calls[qual] = frozenset(out)
        return self._param_calls[qual]

    # ---- conditions ----------------------------------------------------------------------
    def conditions(self, fn: Function) -> list[tuple[str, int]]:
        """Each condition of ``fn`` as ("guard"|"push", contexts), or ("", 0)."""
        cached = self._conds.get(fn.qual)
        if cached is not None:
            return cached
        out: list[tuple[str, int]] = []
        for c in fn.conds:
            if c[0] == "if":
                out.append(("guard", self.guard_bits(c[1], c[2], fn)))
            elif c[0] == "with":
                out.append(("push", self.push_bits(c[1], fn)))
            elif c[0] == "except":
                caught = [self.resolve(e, fn) for e in c[1]]
                ok = any(v is not None and v[0] == "ext" and v[1] in K.GUARD_EXCEPTIONS for v in caught)
                out.append(("guard", K.REQUEST if ok else 0))
            else:
                out.append(("", 0))
        self._conds[fn.qual] = out
        return out

    def guard_bits(self, test: Expr, positive: bool, fn: Function) -> int:
        kind = test[0]
        if kind == "not":
            return self.guard_bits(test[1], not positive, fn)
        if kind == "and":
            if not positive:
                return 0
            bits = 0
            for item in test[1]:
                bits |= self.guard_bits(item, True, fn)
            return bits
        if kind == "or":
            if positive:
                return 0
            bits = 0
            for item in test[1]:
                bits |= self.guard_bits(item, False, fn)
            return bits
        if not positive:
            return 0
        if kind == "call":
            v = self.resolve(test[1], fn)
            if v is not None and v[0] == "ext" and v[1] in K.GUARD_CALLS:
                return K.GUARD_CALLS[v[1]]
            return 0
        if kind in ("name", "attr"):
            local = self.local_of(self.resolve(test, fn))
            if local is not None and local.proxy:
                return K.REQUEST if self.needs(local) == K.NEEDS_REQUEST else K.APP
        return 0

    def push_bits(self, expr: Expr, fn: Function, depth: int = 0) -> int:
        if expr[0] == "call" and expr[1][0] == "attr" and expr[1][2] in K.PUSH_METHODS:
            return K.PUSH_METHODS[expr[1][2]]
        if expr[0] == "name" and expr[1] and depth < 3:
            owner = self.functions.get(expr[1])
            if owner is not None:
                bits = 0
                for e in owner.locals.get(expr[2], ()):
                    bits |= self.push_bits(e, owner, depth + 1)
                return bits
        return 0

    # ---- actions -------------------------------------------------------------------------
    def actions(self, qual: str) -> list[Action]:
        cached = self._actions.get(qual)
        if cached is not None:
            return cached
        self._actions[qual] = []  # recursion guard (wrapper_of asks for actions)
        fn = self.functions.get(qual)
        out: list[Action] = []
        if fn is not None:
            for ev in fn.events:
                try:
                    self._event_actions(fn, ev, out)
                except RecursionError:
                    continue
        self._actions[qual] = out
        return out

    def _event_actions(self, fn: Function, ev: tuple[Any, ...], out: list[Action]) -> None:
        kind = ev[0]
        if kind == REF:
            _, expr, pos, conds = ev
            if expr[0] == "sub":  # session["k"], "k" in session, x = session: the object is read
                _, _, effects = self.scan_chain(expr[1], fn)
                self._effects([e for e in effects if not (e[0] == "use" and e[1].function)], pos, conds, out)
                return
            value, _, effects = self.scan_chain(expr, fn)
            # a proxy only named (stored, passed along: `{"c": g}`, `flask.g`) is not yet used and works
            # anywhere; a captured local alias handed to a thread is CTX203's business
            effects = [e for e in effects if e[0] != "use" or not (e[1].proxy and e[3])]
            # naming a context-bound function is not calling it
            effects = [e for e in effects if not (e[0] == "use" and e[1].function)]
            self._effects(effects, pos, conds, out)
            return
        if kind == CALL:
            self._call_actions(fn, ev[1], ev[2], ev[3], out)
            return
        if kind == DECO:
            _, d, pos, conds, target = ev
            if target in self.functions:
                # applying a project decorator runs it (not the wrapper it returns)
                value = self.resolve(d, fn)
                if value is not None and value[0] == "func" and value[1] in self.functions:
                    out.append(Call(self.chain_for(value[1]), pos, conds, render(d)))
                local = self.local_of(value)
                if local is not None and local.function and not local.decorates_lazily:
                    out.append(Use(self.needs(local), render(d) + "()", pos, conds, False))
            return

    def _effects(self, effects: list[tuple[Any, ...]], pos: Pos, conds: tuple[int, ...], out: list[Action]) -> None:
        for eff in effects:
            if eff[0] == "use":
                local = eff[1]
                out.append(Use(self.needs(local), eff[2], pos, conds, local.proxy))
            elif eff[0] == "prop":
                out.append(Call(self.chain_for(eff[1]), pos, conds, eff[2]))

    def _call_actions(self, fn: Function, expr: Expr, pos: Pos, conds: tuple[int, ...], out: list[Action]) -> None:
        callee_expr, args, kws = expr[1], expr[2], expr[3]
        if callee_expr[0] in ("name", "attr"):
            callee, receiver, effects = self.scan_chain(callee_expr, fn)
            self._effects(effects, pos, conds, out)
            if any(e[0] == "use" for e in effects):
                return
        else:
            callee = self.resolve(callee_expr, fn)
            receiver = None
        if callee is None:
            return
        kind = callee[0]
        text = render(callee_expr)
        if kind == "param":
            owner = callee[1]
            if owner != fn.qual or callee[2] in fn.params:
                out.append(ParamCall(pos, conds))
            return
        if kind == "func":
            bound = callee_expr[0] == "attr" and receiver is not None and receiver[0] in ("inst", "super", "class")
            facts = self.call_facts(callee[1], args, kws, bound)
            out.append(Call(self.chain_for(callee[1]), pos, conds, text + "()", facts))
            self._passed_functions(fn, callee[1], args, kws, pos, conds, out)
            return
        if kind == "class":
            if any(fnmatch.fnmatchcase(b, pat) for b in self.ext_bases(callee[1]) for pat in K.LAZY_CONSTRUCTORS):
                return
            init = self.class_attr(callee[1], "__init__", True)
            if init is not None and init[0] == "func":
                facts = self.call_facts(init[1], args, kws, True)
                out.append(Call(self.chain_for(init[1]), pos, conds, text + "()", facts))
            return
        if kind == "fattr":
            if callee[2] in K.ENQUEUE_METHODS and self._is_task(callee[1]):
                proxies = self._proxies(fn, list(args) + [v for _, v in kws])
                if proxies:
                    out.append(Spawn("job", "job", False, None, short_name(callee[1]), proxies, pos, conds, False))
            return
        if kind != "ext":
            return
        name = callee[1]
        spawner = self.kb.spawners.get(name) or self.kb.spawners.get("?." + name.rsplit(".", 1)[-1])
        if spawner is not None:
            self._spawn(fn, spawner, args, kws, pos, conds, out)
            return
        if name.endswith("().start") and receiver is not None and receiver[0] == "inst":
            base = name[: -len("().start")]
            spec = K.THREAD_CLASSES.get(base)
            run = self.class_attr(receiver[1], "run", True)
            if spec is not None and run is not None and run[0] == "func":
                out.append(Spawn("thread", spec.label, spec.process, self.chain_for(run[1]),
                                 short_name(run[1]), (), pos, conds, False))
            return
        follower = self.kb.followers.get(name)
        if follower is not None and name not in K.PARTIALS:
            target = _argument(args, kws, follower.arg, follower.kw)
            chain = self.target_chain(target, fn) if target is not None else None
            if chain is not None:
                out.append(Call(chain, pos, conds, render(target) if target is not None else text))
            return
        if name in K.RESPONSE_BODY or ("?." + name.rsplit(".", 1)[-1]) in K.RESPONSE_BODY:
            body = _argument(args, kws, 0, "response")
            if body is not None and body[0] == "call":
                gen = self.resolve(body[1], fn)
                if gen is not None and gen[0] == "func" and self.functions.get(gen[1]) is not None \
                        and self.functions[gen[1]].is_generator:
                    out.append(Stream(self.chain_for(gen[1]), render(body[1]) + "()", pos, conds))

    def tested_params(self, qual: str) -> frozenset[str]:
        """Parameters whose value (truth, ``is None``) an ``if`` of the function tests."""
        fn = self.functions.get(qual)
        if fn is None:
            return frozenset()
        names: set[str] = set()
        for c in fn.conds:
            if c[0] == "if":
                todo = [c[1]]
                while todo:
                    e = todo.pop()
                    if e[0] in ("not", "isnone"):
                        todo.append(e[1])
                    elif e[0] in ("and", "or"):
                        todo.extend(e[1])
                    elif e[0] == "name" and e[1] == qual and e[2] in fn.params:
                        names.add(e[2])
        return frozenset(names)

    def call_facts(self, qual: str, args: tuple[Expr, ...], kws: tuple[tuple[str, Expr], ...],
                   bound: bool) -> tuple[tuple[str, str], ...]:
        tested = self.tested_params(qual)
        if not tested:
            return ()
        fn = self.functions[qual]
        if fn.decorators:
            return ()
        params = list(fn.params[1:] if bound and fn.params else fn.params)
        facts: list[tuple[str, str]] = []
        star = any(a[0] == "star" for a in args) or any(k is None for k, _ in kws)
        passed: dict[str, Expr] = {}
        for i, a in enumerate(args):
            if a[0] == "star":
                break
            if i < len(params):
                passed[params[i]] = a
        for k, v in kws:
            passed[k] = v
        for p in sorted(tested):
            if p in passed:
                # a value passed on purpose: taken as not None even when it is not a literal
                truth = literal_truth(passed[p]) or "given"
            elif star:
                truth = None
            else:
                truth = fn.defaults.get(p)
            if truth is not None:
                facts.append((p, truth))
        return tuple(facts)

    def decide(self, test: Expr, facts: dict[str, str], qual: str) -> bool | None:
        """The value of an ``if`` test given what is known of the parameters, or None."""
        kind = test[0]
        if kind == "not":
            d = self.decide(test[1], facts, qual)
            return None if d is None else not d
        if kind == "and":
            ds = [self.decide(t, facts, qual) for t in test[1]]
            return False if False in ds else (True if all(d is True for d in ds) else None)
        if kind == "or":
            ds = [self.decide(t, facts, qual) for t in test[1]]
            return True if True in ds else (False if all(d is False for d in ds) else None)
        if kind == "name" and test[1] == qual and test[2] in facts:
            return None if facts[test[2]] == "given" else facts[test[2]] == "true"
        if kind == "isnone" and test[1][0] == "name" and test[1][1] == qual and test[1][2] in facts:
            return facts[test[1][2]] == "none"
        return None

    def _passed_functions(self, fn: Function, callee: str, args: tuple[Expr, ...], kws: tuple[tuple[str, Expr], ...],
                          pos: Pos, conds: tuple[int, ...], out: list[Action]) -> None:
        called = self.called_params(callee)
        spawned = self.spawned_params(callee)
        if not called and not spawned:
            return
        target_fn = self.functions[callee]
        params = list(target_fn.params)
        if target_fn.cls is not None and params and ("name", "", "staticmethod") not in target_fn.decorators:
            params = params[1:]
        passed = [(params[i], a) for i, a in enumerate(args) if i < len(params) and a[0] != "star"]
        passed += [(k, a) for k, a in kws if k]
        for name, a in passed:
            if name in called or name in spawned:
                chain = self.target_chain(a, fn)
                if chain is None:
                    continue
                if name in called:
                    out.append(Call(chain, pos, conds, render(a)))
                if name in spawned:  # the callee starts it in a thread: a thread root at this call
                    sp = spawned[name]
                    out.append(Spawn(sp.family, sp.label, sp.process, chain, render(a), (), pos, conds, False))

    def spawned_params(self, qual: str) -> dict[str, K.Spawner]:
        """Parameters of ``qual`` that it hands to a thread spawner itself, from its events alone (no
        actions: a call chain thousands deep must not recurse through them)."""
        if qual in self._param_spawns:
            return self._param_spawns[qual]
        fn = self.functions.get(qual)
        out: dict[str, K.Spawner] = {}
        if fn is not None:
            for ev in fn.events:
                if ev[0] != CALL:
                    continue
                callee = self.resolve(ev[1][1], fn)
                if callee is None or callee[0] != "ext":
                    continue
                name = callee[1]
                spawner = self.kb.spawners.get(name) or self.kb.spawners.get("?." + name.rsplit(".", 1)[-1])
                if spawner is None or spawner.family != "thread":
                    continue
                target = _argument(ev[1][2], ev[1][3], spawner.arg, spawner.kw)
                if target is not None and target[0] == "name" and target[1] == qual and target[2] in fn.params:
                    out[target[2]] = spawner
        self._param_spawns[qual] = out
        return out

    def _is_task(self, qual: str) -> bool:
        fn = self.functions.get(qual)
        if fn is None:
            return False
        scope = self._decorator_scope(fn)
        for d in fn.decorators:
            v = self.resolve(d[1] if d[0] == "call" else d, scope)
            if v is not None and v[0] == "ext" and self.kb.roots.get(v[1], None) is not None \
                    and self.kb.roots[v[1]].kind == "job":
                return True
        return False

    def target_chain(self, target: Expr, fn: Function, depth: int = 0) -> Chain | None:
        """The chain a callable expression (handed to a thread, say) enters when called."""
        if depth > 5:
            return None
        if target[0] == "call":
            callee = self.resolve(target[1], fn)
            if callee is not None and callee[0] == "ext":
                if callee[1] in K.PARTIALS and target[2]:
                    return self.target_chain(target[2][0], fn, depth + 1)
                if callee[1] in self.kb.wrappers and target[2]:
                    inner = self.target_chain(target[2][0], fn, depth + 1)
                    if inner is None:
                        return None
                    first = inner[0]
                    return ((first[0], first[1] | self.kb.wrappers[callee[1]], first[2]),) + inner[1:]
            value = self.call_result(callee)
        elif target[0] == "str":
            value = self.dotted_function(target[1])
        else:
            value = self.resolve(target, fn)
        if value is None:
            return None
        if value[0] == "func" and value[1] in self.functions:
            return self.chain_for(value[1])
        if value[0] == "inst":
            call = self.class_attr(value[1], "__call__", True)
            if call is not None and call[0] == "func":
                return self.chain_for(call[1])
        return None

    def dotted_function(self, dotted: str) -> Value:
        mod, _, name = dotted.replace(":", ".").rpartition(".")
        m = self.find_module(mod, None)
        if m is None:
            return None
        v = self.global_value(m, name)
        return v if v is not None and v[0] == "func" else None

    def _proxies(self, fn: Function, exprs: list[Expr]) -> tuple[tuple[str, Pos], ...]:
        found: list[tuple[str, Pos]] = []
        for e in exprs:
            items = [e]
            while items:
                x = items.pop()
                if x[0] in ("tuple",):
                    items.extend(x[1])
                elif x[0] == "dict":
                    items.extend(v for _, v in x[1])
                elif x[0] == "star":
                    items.append(x[1])
                elif x[0] in ("name", "attr"):
                    local = self.local_of(self.resolve(x, fn))
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
            if ev[0] in (REF, CALL):
                e = ev[1] if ev[0] == REF else ev[1][1]
                while e[0] == "attr":
                    e = e[1]
                if e[0] == "name" and e[1] and e[1] != target_qual and not e[1].startswith(target_qual + "."):
                    owner = self.functions.get(e[1])
                    if owner is not None and e[2] in owner.locals:
                        local = self.local_of(self.resolve(e, fn))
                        if local is not None and local.proxy:
                            found.append((e[2], ev[2]))
        return tuple(found)

    def _spawn(self, fn: Function, spawner: K.Spawner, args: tuple[Expr, ...], kws: tuple[tuple[str, Expr], ...],
               pos: Pos, conds: tuple[int, ...], out: list[Action]) -> None:
        target = _argument(args, kws, spawner.arg, spawner.kw)
        chain = self.target_chain(target, fn) if target is not None else None
        if chain is None and target is not None and target[0] == "name" and spawner.family == "thread":
            value = self.resolve(target, fn)
            if value is not None and value[0] == "param" and value[1] != fn.qual:
                # a decorator's wrapper handing the wrapped function to a thread
                out.append(Spawn(spawner.family, spawner.label, spawner.process, None, render(target), (), pos,
                                 conds, False, wrapped=True))
                return
            if value is not None and value[0] == "param" and value[2] in fn.params:
                # ``def run_in_thread(fn, *a): Thread(target=fn, args=a).start()``: each caller that
                # passes a function starts it (spawned_params, _passed_functions)
                return
        rest = [a for i, a in enumerate(args) if i != spawner.arg] + [v for k, v in kws if k != spawner.kw]
        proxies = self._proxies(fn, rest)
        if chain is not None:
            proxies += self._captured_proxies(chain[-1][0], fn)
        text = render(target) if target is not None else "?"
        if chain is None and not proxies:
            return
        # a closure of a decorator's wrapper that calls the wrapped function: def work(): f(*a)
        wrapped = (chain is not None and spawner.family == "thread" and chain[-1][0].startswith(fn.qual + ".")
                   and any(isinstance(a, ParamCall) for a in self.actions(chain[-1][0])))
        out.append(Spawn(spawner.family, spawner.label, spawner.process, chain, text, proxies, pos, conds,
                         spawner.family == "job", wrapped=wrapped))

    # ---- roots -----------------------------------------------------------------------------
    def roots(self) -> list[Root]:
        roots: list[Root] = []
        clicks = _ClickCommands()
        for mod in self.modules.values():
            if mod.error is not None:
                continue
            body = mod.body
            roots.append(Root("import", "module", ((body.qual, 0, ""),), K.NONE, mod.path, body.pos, body.qual))
            for fn in list(mod.functions.values()):
                if fn.decorators:
                    self._decorator_roots(fn, roots, clicks)
                for ev in fn.events:
                    if ev[0] == CALL:
                        self._registration_roots(fn, ev, roots, clicks)
            for klass in mod.classes.values():
                self._class_roots(klass, roots)
        for q, root in clicks.commands.items():
            if clicks.in_app(q):
                roots.append(Root("app", "CLI command", root.chain, root.ctx | K.APP, root.path, root.pos, q))
            else:
                roots.append(root)
        return roots

    def _root_spec(self, d: Expr, scope: Function) -> tuple[K.Root | None, Value, Expr | None]:
        if d[0] == "call":
            callee = self.resolve(d[1], scope)
            call: Expr | None = d
        else:
            callee = self.resolve(d, scope)
            call = None
        if callee is None:
            return None, None, None
        if callee[0] == "ext":
            spec = self.kb.roots.get(callee[1])
            if spec is None and not callee[1].startswith("?."):
                head = callee[1].split(".", 1)[0]
                if head not in K.KNOWN_LIBRARIES:
                    spec = self.kb.roots.get("?." + callee[1].split(".", 1)[-1])
            return spec, callee, call
        if callee[0] == "fattr" and callee[2] in K.CLICK_COMMAND_METHODS and self.click_group_of(callee[1]):
            return K.Root("click", "click command"), callee, call
        return None, callee, call

    def click_group_of(self, qual: str) -> str:
        """For a click group function: "app" if its class pushes an app context, "group" otherwise; else ""."""
        fn = self.functions.get(qual)
        if fn is None:
            return ""
        scope = self._decorator_scope(fn)
        for d in fn.decorators:
            v = self.resolve(d[1] if d[0] == "call" else d, scope)
            if v is None:
                continue
            if v[0] == "ext" and v[1] == K.CLICK_GROUP:
                for k, val in (d[3] if d[0] == "call" else ()):
                    if k == "cls" and self._is_app_group_class(self.resolve(val, scope)):
                        return "app"
                return "group"
            if v[0] == "ext" and v[1] in K.CLICK_APP_GROUP_DECORATORS:
                return "app"
            if v[0] == "fattr" and v[2] == "group" and self.click_group_of(v[1]):
                return "group"
        return ""

    def _is_app_group_class(self, v: Value) -> bool:
        if v is None:
            return False
        if v[0] == "ext":
            return v[1] in K.CLICK_APP_GROUP_CLASSES
        if v[0] == "class":
            return any(b in K.CLICK_APP_GROUP_CLASSES for b in self.ext_bases(v[1]))
        return False

    def _decorator_roots(self, fn: Function, roots: list[Root], clicks: _ClickCommands) -> None:
        scope = self._decorator_scope(fn)
        mod = self.module_of(fn.qual)
        if self.click_group_of(fn.qual) == "app":
            clicks.parents.setdefault(fn.qual, set()).add(_APP)
        for i, d in enumerate(fn.decorators):
            spec, callee, call = self._root_spec(d, scope)
            if spec is None:
                continue
            chain = self.chain_below(fn, fn.decorators[i + 1:])
            if spec.kind == "click":
                if callee is not None and callee[0] == "fattr":
                    clicks.parents.setdefault(fn.qual, set()).add(callee[1])
                if not self.click_group_of(fn.qual):
                    clicks.commands[fn.qual] = Root("job", spec.label, chain, K.NONE, mod.path, fn.pos, fn.qual)
                return
            ctx = {"request": K.REQUEST, "app": K.APP}.get(spec.kind, K.NONE)
            if spec.kind == "job":
                ctx = self._job_context(fn, callee, call, scope)
            roots.append(Root(spec.kind, spec.label, chain, ctx, mod.path, fn.pos, fn.qual, spec.view))
            return

    def _job_context(self, fn: Function, callee: Value, call: Expr | None, scope: Function) -> int:
        name = callee[1] if callee is not None and callee[0] == "ext" else ""
        spec = self.kb.roots.get(name)
        ctx = self.job_context(spec.label if spec is not None else "", fn)
        if name in K.CELERY_ALWAYS_APP_CONTEXT:
            return K.APP
        if name in K.CELERY_TASK_DECORATORS or name.endswith("().task"):
            base = None
            if call is not None:
                for k, v in call[3]:
                    if k == "base":
                        base = self.resolve(v, scope)
            classes: list[str] = []
            if base is not None:
                if base[0] == "class" and self.is_app_task_class(base[1]):
                    classes = [base[1]]
            elif self.app_task_default():
                classes = self._app_task_classes
            if not classes:
                return ctx
            options = {k for k, v in (call[3] if call is not None else ()) if literal_truth(v) == "true"}
            if any(options & self.request_options(c) for c in classes):
                return K.REQUEST
            return K.APP
        return ctx

    def request_options(self, cls: str) -> set[str]:
        """Task options (``@celery.task(request_context=True)``) for which the task class pushes a request.

        The option becomes an attribute of the task; the class's ``__call__`` tests it
        (``if getattr(self, "request_context", False):``) around a test_request_context().
        """
        names: set[str] = set()
        for c in self.mro(cls):
            call = self.classes[c].methods.get("__call__")
            if call is None:
                continue
            fn = self.functions[call]
            for ev in fn.events:
                callee = ev[1][1] if ev[0] == CALL else None
                if callee is None or callee[0] != "attr" or K.PUSH_METHODS.get(callee[2]) != K.REQUEST:
                    continue
                for i in ev[3]:
                    cond = fn.conds[i]
                    test = cond[1] if cond[0] == "if" and cond[2] else None
                    if test is None:
                        continue
                    if test[0] == "call" and test[1] == ("name", "", "getattr") and len(test[2]) >= 2 \
                            and test[2][1][0] == "str":
                        names.add(test[2][1][1])
                    elif test[0] == "attr":
                        names.add(test[2])
        return names

    def rq_worker_built(self) -> bool:
        """Whether the project builds its own RQ worker (whose jobs then share its context)."""
        if self._rq_worker is None:
            self._rq_worker = False
            for fn in self.functions.values():
                for ev in fn.events:
                    if ev[0] == CALL:
                        v = self.resolve(ev[1][1], fn)
                        if v is not None and v[0] == "ext" and v[1] in K.RQ_WORKERS:
                            self._rq_worker = True
                        elif v is not None and v[0] == "class" and any(
                                b in K.RQ_WORKERS for b in self.ext_bases(v[1])):
                            self._rq_worker = True
                    if self._rq_worker:
                        return True
        return self._rq_worker

    def job_context(self, label: str, target: Function) -> int:
        """Contexts a job registered by a call (enqueue, add_job, ...) runs with."""
        if self.module_pushes(self.module_of(target.qual)):
            return K.APP
        if label == K.RQ_LABEL and self.rq_worker_built():
            return K.APP
        return K.NONE

    def module_pushes(self, mod: Module) -> bool:
        """Whether importing the module pushes an app context for good (``app.app_context().push()``)."""
        conds = self.conditions(mod.body)
        return any(kind == "push" and c[0] == "with" and bits and _is_push_stmt(c)
                   for (kind, bits), c in zip(conds, mod.body.conds))

    def is_app_task_class(self, cls: str) -> bool:
        for c in self.mro(cls):
            klass = self.classes[c]
            call = klass.methods.get("__call__")
            if call is None:
                continue
            fn = self.functions[call]
            conds = self.conditions(fn)
            for ev in fn.events:
                if ev[0] != CALL:
                    continue
                callee = ev[1][1]
                if callee[0] == "attr" and callee[2] in K.CELERY_RUN_CALLS and any(
                        conds[i][0] == "push" and conds[i][1] for i in ev[3]):
                    return True
        return False

    def app_task_default(self) -> bool:
        if self._app_task_default is not None:
            return self._app_task_default
        found = False
        classes = self._app_task_classes
        for mod in self.modules.values():
            for target, value, _ in mod.attr_assigns:
                if target[0] == "attr" and target[2] == K.CELERY_TASK_ATTR:
                    v = self.resolve(value, mod.body)
                    if v is None:
                        v = self._resolve_in_any(value, mod)
                    if v is not None and v[0] == "class" and self.is_app_task_class(v[1]):
                        found = True
                        classes.append(v[1])
            for fn in mod.functions.values():
                for ev in fn.events:
                    if ev[0] != CALL:
                        continue
                    for k, v in ev[1][3]:
                        if k == K.CELERY_TASK_CLASS_KW:
                            c = self.resolve(v, fn) if v[0] != "str" else self.dotted_class(v[1])
                            if c is not None and c[0] == "class" and self.is_app_task_class(c[1]):
                                found = True
                                classes.append(c[1])
            if any(v and v[0][0] == "imp" and v[0][1].startswith("flask_celeryext") for v in mod.globals.values()):
                found = True
        self._app_task_default = found
        return found

    def _resolve_in_any(self, expr: Expr, mod: Module) -> Value:
        if expr[0] == "name" and expr[1] in self.functions:
            return self.resolve(expr, self.functions[expr[1]])
        return None

    def dotted_class(self, dotted: str) -> Value:
        mod, _, name = dotted.replace(":", ".").rpartition(".")
        m = self.find_module(mod, None)
        return self.global_value(m, name) if m is not None else None

    def _registration_roots(self, fn: Function, ev: tuple[Any, ...], roots: list[Root],
                            clicks: _ClickCommands) -> None:
        expr = ev[1]
        callee_expr, args, kws = expr[1], expr[2], expr[3]
        call: Expr | None = None
        if callee_expr[0] == "call":
            # X(args)(f): a decorator factory applied by hand
            spec, callee, call = self._root_spec(callee_expr, fn)
            target = args[0] if args else None
        else:
            spec, callee, _ = self._root_spec(callee_expr, fn)
            if callee is not None and callee[0] == "fattr" and callee[2] == "add_command":
                # group.add_command(cmd) on a project click group
                sub = self.resolve(args[0], fn) if args else None
                if sub is not None and sub[0] == "func" and self.click_group_of(callee[1]):
                    clicks.parents.setdefault(sub[1], set()).add(callee[1])
                return
            target = _argument(args, kws, spec.arg, spec.kw) if spec is not None else None
        if spec is None or target is None:
            return
        value = self.resolve(target, fn)
        if value is None or value[0] != "func" or value[1] not in self.functions:
            return
        q = value[1]
        target_fn = self.functions[q]
        if callee is not None and callee[0] == "ext" and callee[1].endswith(".add_command"):
            clicks.parents.setdefault(q, set()).add(_APP)  # app.cli.add_command(cmd)
            return
        ctx = {"request": K.REQUEST, "app": K.APP}.get(spec.kind, K.NONE)
        if spec.kind == "job":
            ctx = self._job_context(target_fn, callee, call, fn)
        roots.append(Root(spec.kind, spec.label, self.chain_for(q), ctx, self.module_of(q).path, target_fn.pos, q,
                          spec.view))

    def _class_roots(self, klass: Class, roots: list[Root]) -> None:
        bases = self.ext_bases(klass.qual)
        for b in bases:
            spec = K.ROOT_CLASSES.get(b)
            if spec is None:
                continue
            label, names, kind = spec
            seen: set[str] = set()
            for c in self.mro(klass.qual):
                for name, q in self.classes[c].methods.items():
                    if name in seen:
                        continue
                    if name in names or any(n.endswith("*") and name.startswith(n[:-1]) for n in names):
                        seen.add(name)
                        fn = self.functions[q]
                        roots.append(Root(kind, label, self.chain_for(q), K.REQUEST, self.module_of(q).path,
                                          fn.pos, q, view=name in K.HTTP_METHODS))
            return


_APP = "<app>"


class _ClickCommands:
    """click commands and the groups they hang from, to tell which ones Flask runs with an app context."""

    def __init__(self) -> None:
        self.commands: dict[str, Root] = {}
        self.parents: dict[str, set[str]] = {}

    def in_app(self, qual: str) -> bool:
        seen: set[str] = set()
        todo = [qual]
        while todo:
            q = todo.pop()
            for parent in self.parents.get(q, ()):
                if parent == _APP:
                    return True
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return False


def _use_text(parts: list[Expr], i: int, local: K.Local) -> str:
    """``request.headers`` for a proxy (one attribute further), ``url_for()`` for a function."""
    if local.proxy and i + 1 < len(parts):
        return render(parts[i + 1])
    return render(parts[i]) + ("" if local.proxy else "()")


def _is_push_stmt(cond: tuple[Any, ...]) -> bool:
    return len(cond) > 3 and cond[3] == "push"


def _argument(args: tuple[Expr, ...], kws: tuple[tuple[str, Expr], ...], index: int | None,
              kw: str | None) -> Expr | None:
    if kw is not None:
        for k, v in kws:
            if k == kw:
                return v
    if index is not None and index < len(args) and all(a[0] != "star" for a in args[: index + 1]):
        return args[index]
    return None


def _import_names(m: Module) -> list[str]:
    return [m.import_name or m.name, *m.aliases]
