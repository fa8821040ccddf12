"""The analysed program: the passes over the project's summaries, wired together.

index → resolve → guards, decorators → actions → roots, import contexts.  The passes
ask each other through this object; propagation and findings read it.
"""

from __future__ import annotations

from typing import Iterable

from ..knowledge.base import APP, NEEDS_REQUEST, NONE, Knowledge, Local
from ..model import CallEvent, Expr, Function, Module
from .actions import Action, Actions, Call, ParamCall, Spawn, Use
from .decorators import Chain, Decorators
from .guards import Guards, Resolved
from .imports import ImportContexts
from .index import Index
from .resolve import Resolver
from .roots import Root, Roots
from .templates import Templates
from .types import ParamInference, plugin_groups
from .values import Cls, Ext, Value


class Program:
    def __init__(self, modules: Iterable[Module], kb: Knowledge,
                 entry_points: dict[str, tuple[str, ...]] | None = None) -> None:
        self.kb = kb
        self.index = Index(modules)
        self.modules = self.index.modules
        self.functions = self.index.functions
        self.classes = self.index.classes
        self.server_name = any(m.sets_server_name for m in self.modules.values())
        self.inference = ParamInference(self.index, kb)
        self.inference.entry_points = plugin_groups(self.index, kb, entry_points)
        self.declared = entry_points or {}  # as discovery read them (and the process commands, discover.COMMANDS)
        self.resolver: Resolver = self.inference.run()
        self.templates = Templates(self.index, self.resolver, kb)
        self.guards = Guards(self.resolver, kb, self.needs)
        self.decorators = Decorators(self.index, self.resolver, kb)
        self.actions_pass = Actions(self.resolver, self.guards, self.decorators, kb, self.needs)
        self.actions_pass.library_calls = self.templates.calls
        self.imports = ImportContexts(self.index, self.resolver, self.guards, kb, self._calls, self.is_app_factory)
        self.roots_pass = Roots(self, kb)
        self.resolver.factory_needs = self._factory_needs
        self.decorators.calls_wrapped = self._calls_wrapped
        self._overlays: dict[str, Actions] = {}
        self._factories: dict[str, bool] = {}
        # state a library hook keeps for one program (memoised answers)
        self.library_state: dict[str, object] = {}
        # libraries that read the whole program once, before the passes ask them (resolving then, not in
        # the middle of another resolution, whose unfinished values would be remembered)
        for hook in kb.hook("program_ready"):
            hook(self)

    # ---- what propagation and findings ask -----------------------------------------------------
    def module_of(self, qual: str) -> Module:
        return self.index.module_of(qual)

    def resolve(self, expr: Expr, fn: Function) -> Value:
        return self.resolver.resolve(expr, fn)

    def conditions(self, fn: Function) -> list[Resolved]:
        return self.guards.conditions(fn)

    def actions(self, qual: str, self_cls: str = "") -> list[Action]:
        """The actions of a function; with ``self_cls``, as it runs for an object of that class."""
        if self_cls:
            fn = self.functions.get(qual)
            if fn is not None and fn.cls is not None and fn.cls != self_cls \
                    and self_cls in self.classes and fn.cls in self.resolver.mro(self_cls):
                overlay = self._overlays.get(self_cls)
                if overlay is None:
                    overlay = Actions(self.resolver.overlay(self_cls), self.guards, self.decorators, self.kb,
                                      self.needs)
                    overlay.library_calls = self.templates.calls
                    self._overlays[self_cls] = overlay
                return overlay.of(qual)
        return self.actions_pass.of(qual)

    def chain_for(self, qual: str) -> Chain:
        return self.decorators.chain_for(qual)

    def tested_params(self, qual: str) -> frozenset[str]:
        return self.guards.tested_params(qual)

    def is_app_factory(self, fn: Function) -> bool:
        """Whether ``fn`` makes an application (``app = Flask(__name__)``, or a subclass of it)."""
        known = self._factories.get(fn.qual)
        if known is None:
            known = self._factories[fn.qual] = self._makes_app(fn)
        return known

    def _makes_app(self, fn: Function) -> bool:
        for ev in fn.events:
            if isinstance(ev, CallEvent):
                v = self.resolver.resolve(ev.call.func, fn)
                if isinstance(v, Ext) and v.name in self.kb.app_classes or isinstance(v, Cls) and any(
                        b in self.kb.app_classes for b in self.resolver.ext_bases(v.qual)):
                    return True
        return False

    def decide(self, test: Expr, facts: dict[str, str], qual: str) -> bool | None:
        return self.guards.decide(test, facts, qual)

    def roots(self) -> list[Root]:
        return self.roots_pass.all()

    def module_context(self, mod: Module) -> int:
        return self.imports.of(mod)

    def startup_importer(self, mod: Module) -> str:
        """The function that first imports a module imported only inside functions, at startup ("" if none)."""
        self.imports.of(mod)
        return self.imports.startup_importer.get(mod.name, "")

    def needs(self, local: Local) -> str:
        return self.resolver.needs(local, self.server_name)

    def registered_job_context(self, label: str, target: Function) -> int:
        """Contexts a job registered by a call (enqueue, add_job, ...) or a decorator runs with."""
        if self.guards.module_pushes(self.module_of(target.qual).body):
            return APP
        for hook in self.kb.hook("registered_job_context"):
            found = hook(self, label, target)
            if found is not None:
                return int(found)
        return NONE

    # ---- late-bound questions between passes ----------------------------------------------------
    def _factory_needs(self, factory: str) -> str:
        """What a project LocalProxy's factory reaches unguarded: "request", "app" or ""."""
        needs = ""
        seen = {factory}
        todo = [factory]
        while todo and needs != NEEDS_REQUEST:
            q = todo.pop()
            fn = self.functions.get(q)
            if fn is None:
                continue
            conds = self.conditions(fn)
            for act in self.actions(q):
                if any(conds[i][0] in ("guard", "push") and conds[i][1] for i in act.conds):
                    continue
                if isinstance(act, Use):
                    if act.needs == NEEDS_REQUEST or not needs:
                        needs = act.needs
                elif isinstance(act, Call):
                    for step in act.chain:
                        if step[0] not in seen:
                            seen.add(step[0])
                            todo.append(step[0])
        return needs

    def _calls(self, qual: str) -> list[tuple[tuple[str, ...], tuple[int, ...]]]:
        """The project functions ``qual`` calls: each call's chain of functions and its conditions."""
        return [(tuple(step[0] for step in a.chain), a.conds) for a in self.actions(qual) if isinstance(a, Call)]

    def _calls_wrapped(self, qual: str) -> bool:
        return any(isinstance(a, ParamCall) or (isinstance(a, Spawn) and a.wrapped) for a in self.actions(qual))
