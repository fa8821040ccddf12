"""The project's modules, functions and classes, and which module an import names."""

from __future__ import annotations

import functools
import os
from typing import Callable, Iterable, TypeVar

from ..model import Class, Expr, Function, Module, Star, is_builtin

T = TypeVar("T")


def nearest(cands: list[T], here: str, path: Callable[[T], str]) -> T | None:
    """The candidate whose ``path`` shares the longest folder path with ``here``; None on a tie."""

    def closeness(c: T) -> int:
        p = path(c)
        return len(os.path.commonpath([here, p])) if p else 0

    ranked = sorted(cands, key=closeness, reverse=True)
    if len(ranked) > 1 and closeness(ranked[0]) == closeness(ranked[1]):
        return None
    return ranked[0]


class Index:
    def __init__(self, modules: Iterable[Module]) -> None:
        self.modules: dict[str, Module] = {}
        self.functions: dict[str, Function] = {}
        self.classes: dict[str, Class] = {}
        self.by_import: dict[str, list[Module]] = {}
        for m in modules:
            self.modules[m.name] = m
            self.functions.update(m.functions)
            self.classes.update(m.classes)
            for name in (m.import_name or m.name, *m.aliases):
                self.by_import.setdefault(name, []).append(m)

    def module_of(self, qual: str) -> Module:
        """The module that defines a function or class, by its qualname."""
        fn = self.functions.get(qual)
        if fn is not None:
            return self.modules[fn.module]
        return self.modules[qual.split(":", 1)[0]]

    def find_module(self, dotted: str, importer: Module | None) -> Module | None:
        """The project module an import of ``dotted`` in ``importer`` executes, if one is unambiguous.

        Two modules of the same dotted name (two services with a ``shop`` package): the one
        whose folder shares the longest path with the importer's.
        """
        cands = self.by_import.get(dotted)
        if not cands:
            return None
        if len(cands) == 1 or importer is None:
            return cands[0] if len(cands) == 1 else None
        return nearest(cands, os.path.dirname(importer.path), lambda m: os.path.dirname(m.path) if m.path else "")

    def executed_modules(self, dotted_names: tuple[str, ...], importer: Module) -> list[Module]:
        """Project modules an import statement executes (``import a.b.c`` runs a, a.b and a.b.c)."""
        out: list[Module] = []
        for dotted in dotted_names:
            parts = dotted.split(".")
            for i in range(1, len(parts) + 1):
                m = self.find_module(".".join(parts[:i]), importer)
                if m is not None and m not in out:
                    out.append(m)
        return out

    def scope_of_class(self, klass: Class) -> Function:
        """The function whose names a class statement's bases and decorators are evaluated with."""
        if klass.parent and klass.parent in self.functions:
            return self.functions[klass.parent]
        return self.modules[klass.module].body

    def is_test(self, mod: Module) -> bool:
        """A test module (see is_test_path)."""
        return is_test_path(mod.path)

    def statement_scope(self, qual: str, mod: Module) -> Function:
        """The function a statement recorded with its function's qualname runs in (``mod``'s body for "")."""
        return self.functions.get(qual, mod.body) if qual else mod.body

    def decorator_scope(self, fn: Function) -> Function:
        """The function a def statement's decorators are evaluated in."""
        if fn.parent and fn.parent in self.functions:
            return self.functions[fn.parent]
        return self.module_of(fn.qual).body


@functools.lru_cache(maxsize=16384)
def is_test_path(path: str) -> bool:
    """A test module (tests mock what production code would reach).  The folders that count are those below the
    module's project root (a checkout inside a folder named ``tests`` is not all tests)."""
    if os.path.isabs(path):
        directory = os.path.dirname(path)
        path = os.path.relpath(path, _project_root(directory))
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    return (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
            or any(p in ("tests", "test", "testing") for p in parts[:-1]))


@functools.lru_cache(maxsize=4096)
def _project_root(directory: str) -> str:
    from ..discover import find_project_root

    return find_project_root(directory)


def bind_arguments(fn: Function, bound: bool, args: tuple[Expr, ...],
                   kws: tuple[tuple[str, Expr], ...]) -> tuple[dict[str, Expr], list[tuple[str, Expr]]]:
    """Which parameter of ``fn`` each argument of a call goes to (positional ones until a ``*arg``,
    keywords by name; ``bound``: called on an object or class, so ``self``/``cls`` is not among them),
    and the keywords no named parameter takes (what ``**kwargs`` receives)."""
    params = list(fn.params)
    if bound and params and fn.cls is not None and not any(is_builtin(d, "staticmethod") for d in fn.decorators):
        params = params[1:]
    passed: dict[str, Expr] = {}
    for i, a in enumerate(args):
        if isinstance(a, Star) or i >= len(params):
            break
        passed[params[i]] = a
    names = set(fn.params) - {fn.star_kwargs}
    extra: list[tuple[str, Expr]] = []
    for k, v in kws:
        if k in names:
            passed[k] = v
        elif k:
            extra.append((k, v))
    return passed, extra
