"""click, and Flask's CLI on top of it: which commands run with an application context.

A command registered on ``app.cli``, an ``AppGroup``/``FlaskGroup`` (or a click group made
with ``cls=AppGroup``), or a group added to the app's CLI runs with an app context; a plain
click command runs with none.  Commands hang from groups, so the answer comes from the tree.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..analysis.values import Cls, Ext, FAttr, Func, Value
from ..model import CallExpr, Expr, Function
from .base import APP, NONE, Library
from .base import Root as RootSpec

COMMAND_METHODS = ("command", "group")  # ``@cli.command()`` on a project click group
GROUP = "click.group"
APP_GROUP_CLASSES = ("flask.cli.AppGroup",)
# Decorators that make a click group whose commands run with an app context.
APP_GROUP_DECORATORS = ("flask.cli.AppGroup().group", "flask.Flask().cli.group", "flask.Blueprint().cli.group",
                        "?.cli.group")
ADD_COMMAND = "add_command"
_APP = "<app>"
_COMMAND = RootSpec("click", "click command")


def group_kind(prog: Any, qual: str) -> str:
    """For a click group function: "app" if its class pushes an app context, "group" otherwise; else ""."""
    fn = prog.functions.get(qual)
    if fn is None:
        return ""
    scope = prog.index.decorator_scope(fn)
    for d in fn.decorators:
        v = prog.resolve(d.func if isinstance(d, CallExpr) else d, scope)
        if v is None:
            continue
        if isinstance(v, Ext) and v.name == GROUP:
            for k, val in (d.kws if isinstance(d, CallExpr) else ()):
                if k == "cls" and _is_app_group_class(prog, prog.resolve(val, scope)):
                    return "app"
            return "group"
        if isinstance(v, Ext) and v.name in APP_GROUP_DECORATORS:
            return "app"
        if isinstance(v, FAttr) and v.attr == "group" and group_kind(prog, v.qual):
            return "group"
    return ""


def _is_app_group_class(prog: Any, v: Value) -> bool:
    if isinstance(v, Ext):
        return v.name in APP_GROUP_CLASSES
    if isinstance(v, Cls):
        return any(b in APP_GROUP_CLASSES for b in prog.resolver.ext_bases(v.qual))
    return False


class CommandTree:
    """click commands and the groups they hang from, collected while roots are found."""

    def __init__(self, prog: Any) -> None:
        self.p = prog
        self.commands: dict[str, Any] = {}  # qualname -> analysis root
        self.parents: dict[str, set[str]] = {}

    def root_spec(self, callee: Value) -> RootSpec | None:
        if isinstance(callee, FAttr) and callee.attr in COMMAND_METHODS and group_kind(self.p, callee.qual):
            return _COMMAND
        return None

    def on_function(self, fn: Function) -> None:
        if group_kind(self.p, fn.qual) == "app":
            self.parents.setdefault(fn.qual, set()).add(_APP)

    def on_decorator(self, fn: Function, spec: RootSpec, callee: Value, root: Any) -> bool:
        if spec.kind != "click":
            return False
        if isinstance(callee, FAttr):
            self.parents.setdefault(fn.qual, set()).add(callee.qual)
        if not group_kind(self.p, fn.qual):
            self.commands[fn.qual] = dataclasses.replace(root, kind="job", ctx=NONE)
        return True

    def on_registration(self, fn: Function, spec: RootSpec | None, callee: Value, args: tuple[Expr, ...],
                        target: str | None) -> bool:
        if isinstance(callee, FAttr) and callee.attr == ADD_COMMAND:
            # group.add_command(cmd) on a project click group
            sub = self.p.resolve(args[0], fn) if args else None
            if isinstance(sub, Func) and group_kind(self.p, callee.qual):
                self.parents.setdefault(sub.qual, set()).add(callee.qual)
            return True
        if spec is not None and target is not None and isinstance(callee, Ext) \
                and callee.name.endswith("." + ADD_COMMAND):
            self.parents.setdefault(target, set()).add(_APP)  # app.cli.add_command(cmd)
            return True
        return False

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

    def finish(self) -> list[Any]:
        out = []
        for q, root in self.commands.items():
            if self.in_app(q):
                out.append(dataclasses.replace(root, kind="app", label="CLI command", ctx=root.ctx | APP))
            else:
                out.append(root)
        return out


LIBRARY = Library(
    name="click",
    packages=("click",),
    roots={"click.command": RootSpec("click", "click command")},
    hooks={"root_collector": CommandTree},
)
