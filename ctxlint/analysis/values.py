"""What an expression denotes once names are resolved across the project.

Values are small frozen records; ``None`` stands for "unknown" everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Union

from ..model import Attr, CallExpr, Expr, FuncRef, Name, Str, Sub


@dataclass(slots=True, unsafe_hash=True)
class Func:
    """A project function (or lambda)."""

    qual: str


@dataclass(slots=True, unsafe_hash=True)
class Cls:
    """A project class."""

    qual: str


@dataclass(slots=True, unsafe_hash=True)
class Inst:
    """An instance of a project class."""

    cls: str


@dataclass(slots=True, unsafe_hash=True)
class Ext:
    """Something outside the project, by canonical dotted name: ``flask.request``,
    ``flask.Flask().route`` (``X()``: an instance of X), ``?.enqueue`` (a method of an object
    of unknown type)."""

    name: str


@dataclass(slots=True, unsafe_hash=True)
class Mod:
    """A project module."""

    name: str


@dataclass(slots=True, unsafe_hash=True)
class Param:
    """The value of a parameter of a project function."""

    fn: str
    name: str


@dataclass(slots=True, unsafe_hash=True)
class Super:
    """``super()`` in a method of ``cls``."""

    cls: str


@dataclass(slots=True, unsafe_hash=True)
class FAttr:
    """An attribute of a project function (``task.delay``)."""

    qual: str
    attr: str


@dataclass(slots=True, unsafe_hash=True)
class Proxy:
    """A project ``LocalProxy(factory)``."""

    factory: str


@dataclass(slots=True, unsafe_hash=True)
class Query:
    """An ORM query (or select) whose rows are instances of the model ``cls``; ``local`` is the
    context-bound name reading it is (``Model.query`` needs an application context), or ""."""

    cls: str
    local: str = ""
    # the context-bound name the query was made with (``db.session.query(X)``, ``Model.query.filter(...)``):
    # running it later needs what that name needs
    made: str = ""


@dataclass(slots=True, unsafe_hash=True)
class Rows:
    """Rows a query returned (``.all()``): iterating gives instances of ``cls``."""

    cls: str


@dataclass(slots=True, unsafe_hash=True)
class Returns:
    """A callable of a library whose call returns ``value`` (``Model.query.first``)."""

    value: Value


@dataclass(slots=True, unsafe_hash=True)
class Dict:
    """A dict whose string keys hold known values (``{"store": store}``, ``**kwargs``)."""

    items: tuple[tuple[str, Value], ...]

    def get(self, key: str) -> Value:
        return next((v for k, v in self.items if k == key), None)


@dataclass(slots=True, unsafe_hash=True)
class EntryPoints:
    """The entry points of a plugin group (``importlib.metadata.entry_points(group=...)``)."""

    group: str


@dataclass(slots=True, unsafe_hash=True)
class EntryPoint:
    """One entry point of a group: ``.load()`` gives any class or function registered in it."""

    group: str


@dataclass(slots=True, unsafe_hash=True)
class Many:
    """One of several values (a parameter whose callers pass different classes)."""

    options: tuple[Value, ...]


Value = Union[Func, Cls, Inst, Ext, Mod, Param, Super, FAttr, Proxy, Query, Rows, Returns, Dict, EntryPoints,
              EntryPoint, Many, None]


def merge(values: Iterable[Value]) -> Value:
    """One value for several known ones: the value itself, or Many."""
    out: list[Value] = []
    for v in values:
        for o in v.options if isinstance(v, Many) else (v,):
            if o is not None and o not in out:
                out.append(o)
    if not out:
        return None
    return out[0] if len(out) == 1 else Many(tuple(out))


def options(value: Value) -> tuple[Value, ...]:
    """The values a value can be."""
    if isinstance(value, Many):
        return value.options
    return (value,) if value is not None else ()


def render(expr: Expr) -> str:
    """Source-like text of an expression, for messages."""
    if isinstance(expr, Name):
        return expr.id
    if isinstance(expr, Attr):
        return f"{render(expr.value)}.{expr.attr}"
    if isinstance(expr, CallExpr):
        return f"{render(expr.func)}()"
    if isinstance(expr, Sub):
        return f"{render(expr.value)}[...]"
    if isinstance(expr, FuncRef):
        return short_name(expr.qual)
    if isinstance(expr, Str):
        return repr(expr.value)
    return "..."


def short_name(qual: str) -> str:
    """``Class.method`` or ``function`` for a qualname (``module:Class.method``)."""
    if qual.startswith("<jinja>"):  # a template's part (analysis.templates): its name, block or macro
        module, _, part = qual.partition(":")
        name, part = module[len("<jinja>"):], part.split("#", 1)[0]
        return name if part == "<template>" else f"{name} {part.replace(':', ' ')}"
    obj = qual.split(":", 1)[-1]
    if obj == "<module>":
        return "<module>"
    parts = [p for p in obj.split(".") if p not in ("<locals>", "<body>")]
    if parts and parts[-1].startswith("<lambda"):
        return "lambda"
    return ".".join(parts[-2:]) if len(parts) > 1 else (parts[0] if parts else qual)
