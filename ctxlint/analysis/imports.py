"""Import-time contexts: the contexts a module's body runs with when it is imported.

An entry point (imported by no project module) runs with none, unless a tool runs it
inside one.  A module imported at module level inherits the context of its importers
(with any ``with app.app_context():`` around the import); one imported inside a
function is assumed to be imported where a context exists.  When importers disagree the
most context wins: a finding must hold whichever import runs first.
"""

from __future__ import annotations

from ..knowledge.base import APP, NONE, REQUEST, Knowledge
from ..model import CallEvent, ImportEvent, ImpRef, MainCond, Module, Str
from .guards import Guards
from .index import Index
from .resolve import Resolver, argument
from .values import Ext

# target module -> [(importing module, or None for an import inside a function; contexts around it)]
Sites = dict[str, list[tuple[str | None, int]]]


class ImportContexts:
    def __init__(self, index: Index, resolver: Resolver, guards: Guards, kb: Knowledge) -> None:
        self.index = index
        self.r = resolver
        self.guards = guards
        self.kb = kb
        self._ctx: dict[str, int] | None = None

    def of(self, mod: Module) -> int:
        if self._ctx is None:
            self._ctx = self._compute()
        return self._ctx.get(mod.name, NONE)

    def _compute(self) -> dict[str, int]:
        sites: Sites = {}
        for mod in self.index.modules.values():
            for fn in mod.functions.values():
                for ev in fn.events:
                    if not isinstance(ev, ImportEvent):
                        continue
                    lazy = fn.kind != "module"
                    extra = NONE
                    if not lazy:
                        conds = self.guards.conditions(fn)
                        if any(isinstance(fn.conds[i], MainCond) for i in ev.conds):
                            extra = -1  # only when run as a script: not an import of the target
                        for i in ev.conds:
                            extra = extra | conds[i][1] if extra >= 0 else extra
                    if extra < 0:
                        continue
                    for executed in self.index.executed_modules(ev.modules, mod):
                        if executed.name != mod.name:
                            sites.setdefault(executed.name, []).append((None if lazy else mod.name, extra))
        dynamic = self._dynamic_imports(sites)
        entry_imports = set(self.kb.entry_imports)
        ctx: dict[str, int] = {}
        for name, mod in self.index.modules.items():
            entry = mod.entry_ctx
            if dynamic and name not in sites and "." in mod.import_name and not mod.import_name.endswith("__main__") \
                    and not any(isinstance(c, MainCond) for c in mod.body.conds):
                # imported by no module, in a project that imports modules by computed name inside
                # functions (plugins, token types): assume it is one of those, imported where a context is
                sites[name] = [(None, NONE)]
            if any(v and isinstance(v[0], ImpRef) and (v[0].module, v[0].name) in entry_imports
                   for v in mod.globals.values()):
                entry |= APP
            ctx[name] = entry if name not in sites else NONE
            if any(imp is None for imp, _ in sites.get(name, ())):
                ctx[name] = REQUEST
        # ctx(target) |= ctx(importer) | extra, for every module-level import site, to a fixpoint
        imports: dict[str, list[tuple[str, int]]] = {}
        for target, lst in sites.items():
            for imp, extra in lst:
                if imp is not None:
                    imports.setdefault(imp, []).append((target, extra))
        work = list(self.index.modules)
        while work:
            imp = work.pop()
            for target, extra in imports.get(imp, ()):
                new = ctx[target] | ctx[imp] | extra
                if new != ctx[target]:
                    ctx[target] = new
                    work.append(target)
        return ctx

    def _dynamic_imports(self, sites: Sites) -> bool:
        """Record ``importlib.import_module("pkg.mod")`` inside functions as lazy import sites; True if
        some function imports a module whose name is computed."""
        computed = False
        for mod in self.index.modules.values():
            for fn in mod.functions.values():
                if fn.kind == "module":
                    continue
                for ev in fn.events:
                    if not isinstance(ev, CallEvent):
                        continue
                    callee = self.r.resolve(ev.call.func, fn)
                    if not isinstance(callee, Ext) or callee.name not in self.kb.dynamic_imports:
                        continue
                    arg = argument(ev.call.args, ev.call.kws, 0, "name")
                    if isinstance(arg, Str):
                        for executed in self.index.executed_modules((arg.value,), mod):
                            sites.setdefault(executed.name, []).append((None, NONE))
                    else:
                        computed = True
        return computed
