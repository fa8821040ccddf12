"""Import-time contexts: the contexts a module's body runs with when it is imported.

An entry point (imported by no project module) runs with none, unless a tool runs it
inside one.  A module imported at module level inherits the context of its importers
(with any ``with app.app_context():`` around the import).  One imported only inside
functions runs with the context of the first of those imports: when a function that
module bodies call while they are imported (an app factory called by ``wsgi.py``) imports
it, with the weakest context such a call gives (startup comes before any request);
otherwise it is assumed to be imported where a context exists.  When module-level
importers disagree the most context wins: a finding must hold whichever import runs first.
"""

from __future__ import annotations

from typing import Callable

from ..knowledge.base import APP, NONE, REQUEST, Knowledge
from ..model import CallEvent, Function, ImportEvent, ImpRef, MainCond, Module, Str
from .guards import Guards
from .index import Index, is_test_path
from .resolve import Resolver, argument
from .values import Ext

# target module -> [(importing module, or None for an import inside a function; contexts around it)]
Sites = dict[str, list[tuple[str | None, int]]]


class ImportContexts:
    def __init__(self, index: Index, resolver: Resolver, guards: Guards, kb: Knowledge,
                 calls: Callable[[str], list[tuple[tuple[str, ...], tuple[int, ...]]]] | None = None,
                 is_factory: Callable[[Function], bool] | None = None) -> None:
        self.index = index
        self.r = resolver
        self.guards = guards
        self.kb = kb
        # the project functions each function calls: (callee chain, conditions of the call)
        self.calls = calls or (lambda qual: [])
        # an application factory: what ``flask run``, ``flask --app pkg`` or a WSGI server calls at startup,
        # with no context, when no module does
        self.is_factory = is_factory or (lambda fn: False)
        self._ctx: dict[str, int] | None = None
        # a module imported only inside functions, first at startup: the function that imports it
        self.startup_importer: dict[str, str] = {}

    def of(self, mod: Module) -> int:
        if self._ctx is None:
            self._ctx = self._compute()
        return self._ctx.get(mod.name, NONE)

    def _compute(self) -> dict[str, int]:
        raw = self._raw_sites()
        dynamic, computed = self._dynamic_imports()
        first = self._contexts(self._sites(raw, {}, dynamic), computed)
        return self._contexts(self._sites(raw, self._startup(first), dynamic), computed)

    def _raw_sites(self) -> list[tuple[str, str | None, int, list[str]]]:
        """Every import statement once: (importing module, the function it sits in or None at module
        level, contexts around it, the project modules it executes)."""
        raw: list[tuple[str, str | None, int, list[str]]] = []
        for mod in self.index.modules.values():
            for fn in mod.functions.values():
                conds: list[tuple[str, int]] | None = None
                for ev in fn.events:
                    if not isinstance(ev, ImportEvent):
                        continue
                    lazy = fn.kind != "module"
                    if not lazy and any(isinstance(fn.conds[i], MainCond) for i in ev.conds):
                        continue  # only when run as a script: not an import of the target
                    if conds is None:
                        conds = self.guards.conditions(fn)
                    extra = NONE
                    for i in ev.conds:
                        extra |= conds[i][1]
                    executed = [m.name for m in self.index.executed_modules(ev.modules, mod)
                                if m.name != mod.name and not (
                                    # a package's own submodule importing it (or an ancestor): the package
                                    # is already being imported, by whoever imported the submodule
                                    m.import_name and mod.import_name.startswith(m.import_name + "."))]
                    if executed:
                        raw.append((mod.name, fn.qual if lazy else None, extra, executed))
        return raw

    def _sites(self, raw: list[tuple[str, str | None, int, list[str]]], startup: dict[str, int],
               dynamic: list[str]) -> Sites:
        """Import sites: (importing module, contexts around the import); an import inside a function is
        (None, REQUEST) — assumed to run where a context exists — unless module bodies call the
        function while they are imported (``startup``: its weakest contexts then), which makes it
        ("", those contexts).  ``importlib.import_module("pkg.mod")`` inside functions counts as an
        import inside a function that runs where a context exists."""
        sites: Sites = {}
        for mod_name, lazy_in, extra, executed in raw:
            importer: str | None = mod_name
            if lazy_in is not None:
                if lazy_in in startup:
                    importer, extra = "", extra | startup[lazy_in]
                    for name in executed:
                        self.startup_importer.setdefault(name, lazy_in)
                else:
                    importer, extra = None, REQUEST
            for name in executed:
                sites.setdefault(name, []).append((importer, extra))
        for name in dynamic:
            sites.setdefault(name, []).append((None, NONE))
        return sites

    def _startup(self, ctx: dict[str, int]) -> dict[str, int]:
        """Functions module bodies call (directly or further down) while they are imported, each with the
        weakest contexts such a call gives; modules assumed imported where a context exists are left out."""
        weakest: dict[str, int] = {}
        todo: list[tuple[str, int]] = []
        for name, mod in self.index.modules.items():
            if mod.error is not None or is_test_path(mod.path):
                continue
            if ctx.get(name, NONE) != REQUEST:
                todo.append((mod.body.qual, ctx.get(name, NONE)))
            for fn in mod.functions.values():
                if fn.kind != "module" and self.is_factory(fn):
                    weakest[fn.qual] = NONE
                    todo.append((fn.qual, NONE))
        while todo:
            qual, c = todo.pop()
            caller = self.index.functions.get(qual)
            if caller is None:
                continue
            conds = self.guards.conditions(caller)
            for chain, call_conds in self.calls(qual):
                eff = c
                for i in call_conds:
                    eff |= conds[i][1]
                if eff == REQUEST:
                    continue
                for callee in chain:
                    if callee in weakest and weakest[callee] & ~eff == 0:
                        continue
                    weakest[callee] = weakest.get(callee, eff) & eff
                    todo.append((callee, weakest[callee]))
        return weakest

    def _contexts(self, sites: Sites, dynamic: bool) -> dict[str, int]:
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
            here = sites.get(name, ())
            # imports inside functions run at startup (app factories): the weakest of their contexts
            startup = [extra for imp, extra in here if imp == ""]
            weakest = REQUEST
            for extra in startup:
                weakest &= extra
            if here and all(imp in (None, "") for imp, _ in here):
                # imported only inside functions: the first of those imports runs at startup, if any does
                ctx[name] = weakest if startup else REQUEST
            elif any(imp is None for imp, _ in here):
                ctx[name] = REQUEST
            elif startup:
                # module-level importers too: the most context wins (their contexts are added below)
                ctx[name] = weakest
        # ctx(target) |= ctx(importer) | extra, for every module-level import site, to a fixpoint
        imports: dict[str, list[tuple[str, int]]] = {}
        for target, lst in sites.items():
            for imp, extra in lst:
                if imp:
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

    def _dynamic_imports(self) -> tuple[list[str], bool]:
        """Modules ``importlib.import_module("pkg.mod")`` inside functions imports; and whether some
        function imports a module whose name is computed."""
        computed = False
        out: list[str] = []
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
                        out.extend(m.name for m in self.index.executed_modules((arg.value,), mod))
                    else:
                        computed = True
        return out, computed
