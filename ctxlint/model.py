"""Plain, picklable data produced by summarising one module.

A module summary holds no syntax tree: only names, symbolic expressions and
events with their positions.  Everything later in the pipeline (the analysis
passes, propagation, findings) works from these summaries, so they can be
computed in worker processes and cached on disk.

Symbolic expressions, events and conditions are small named tuples (cheap to
build and to pickle).  Tuples of different types can compare equal when
their fields do, so code tests them with ``isinstance``, never with ``==``
against another type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, Union

Pos = tuple[int, int, int, int]  # line (1-based), col (0-based), end_line, end_col


# ---- symbolic expressions -------------------------------------------------------------------


class Name(NamedTuple):
    """A name load; ``scope`` "" is the module (or a builtin), otherwise the qualname of the
    function that binds it ("<comprehension>" for a comprehension variable)."""

    scope: str
    id: str


class Attr(NamedTuple):
    value: Expr
    attr: str


class CallExpr(NamedTuple):
    func: Expr
    args: tuple[Expr, ...]
    kws: tuple[tuple[str, Expr], ...]


class Sub(NamedTuple):
    """``value[...]``: the object is read (``key``: a string literal index, else "")."""

    value: Expr
    key: str = ""


class Str(NamedTuple):
    value: str


class FuncRef(NamedTuple):
    """A lambda or def evaluated in place."""

    qual: str


class ClassRef(NamedTuple):
    """A class statement's name."""

    qual: str


class Seq(NamedTuple):
    """A tuple, list or set display."""

    items: tuple[Expr, ...]


class DictExpr(NamedTuple):
    items: tuple[tuple[Expr, Expr], ...]


class Not(NamedTuple):
    operand: Expr


class And(NamedTuple):
    items: tuple[Expr, ...]


class Or(NamedTuple):
    items: tuple[Expr, ...]


class IsNone(NamedTuple):
    """``operand is None``."""

    operand: Expr


class Lit(NamedTuple):
    """A number literal, as its truth: "true" or "false"."""

    truth: str


class Star(NamedTuple):
    """``*value`` / ``**value`` argument."""

    value: Expr


class ModRef(NamedTuple):
    """A module bound by ``import dotted``."""

    dotted: str


class ImpRef(NamedTuple):
    """A name bound by ``from module import name``."""

    module: str
    name: str


class IterOf(NamedTuple):
    """An element of ``value`` (the target of ``for x in value``)."""

    value: Expr


class Text(NamedTuple):
    """``value`` turned into text, or compared, where it stands (``f"{value}"``, ``value + "s"``,
    ``"%s" % value``, ``value == x``, ``"{}".format(value)``): recorded as a RefEvent for what becomes
    text only then (a lazy string, ``lazy_gettext``'s); ``how`` names the operation for messages."""

    value: Expr
    how: str


class Unknown(NamedTuple):
    """Anything else."""


UNKNOWN = Unknown()

Expr = Union[Name, Attr, CallExpr, Sub, Str, FuncRef, ClassRef, Seq, DictExpr, Not, And, Or, IsNone, Lit, Star,
             ModRef, ImpRef, IterOf, Text, Unknown]
Types = tuple[Expr, ...]  # the classes an annotation names (a union flattened, ``None`` left out)
Conds = tuple[int, ...]  # indexes into the function's ``conds``


# ---- events, in source order within a function ---------------------------------------------------


class CallEvent(NamedTuple):
    call: CallExpr
    pos: Pos
    conds: Conds


class RefEvent(NamedTuple):
    """A name/attribute chain that is loaded (``Sub(chain)``: the object itself is read)."""

    expr: Expr
    pos: Pos
    conds: Conds


class ReturnEvent(NamedTuple):
    expr: Expr
    pos: Pos
    conds: Conds


class DecoEvent(NamedTuple):
    """A decorator applied to the function or class ``target``."""

    expr: Expr
    pos: Pos
    conds: Conds
    target: str


class ImportEvent(NamedTuple):
    """The modules an import statement executes."""

    modules: tuple[str, ...]
    pos: Pos
    conds: Conds


Event = Union[CallEvent, RefEvent, ReturnEvent, DecoEvent, ImportEvent]


# ---- conditions events sit under ------------------------------------------------------------------


class IfCond(NamedTuple):
    test: Expr
    positive: bool


class WithCond(NamedTuple):
    """A context manager (``with x:``), or ``x.push()`` / ``stack.enter_context(x)`` for the rest
    of the block (``push``)."""

    expr: Expr
    pos: Pos
    push: bool = False


class ExceptCond(NamedTuple):
    caught: tuple[Expr, ...]


class MainCond(NamedTuple):
    """``if __name__ == "__main__":``."""


Cond = Union[IfCond, WithCond, ExceptCond, MainCond]


# ---- functions, classes, modules -------------------------------------------------------------------


@dataclass(slots=True)
class Function:
    """A def, a lambda, or the module body (``<module>``)."""

    qual: str
    name: str
    module: str
    kind: str  # "def", "lambda" or "module"
    pos: Pos
    cls: str | None = None  # qualname of the class that owns this method
    parent: str | None = None  # qualname of the enclosing function
    params: tuple[str, ...] = ()
    decorators: tuple[Expr, ...] = ()
    is_generator: bool = False
    is_async: bool = False
    locals: dict[str, tuple[Expr, ...]] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    conds: list[Cond] = field(default_factory=list)
    returns: tuple[Expr, ...] = ()
    # literal defaults of parameters, as their truth: "none", "true" or "false"
    defaults: dict[str, str] = field(default_factory=dict)
    default_exprs: dict[str, Expr] = field(default_factory=dict)  # every default, evaluated where the def is
    annotations: dict[str, Types] = field(default_factory=dict)  # parameter -> classes it is annotated with
    star_kwargs: str = ""  # the name of the ``**kwargs`` parameter
    return_types: Types = ()
    yields: list[Conds] = field(default_factory=list)  # the conditions each ``yield`` sits under
    end_conds: Conds = ()  # the conditions still holding where the body ends (``ctx.push()`` on its own line)


@dataclass(slots=True)
class Class:
    qual: str
    name: str
    module: str
    pos: Pos
    bases: tuple[Expr, ...] = ()
    keywords: tuple[tuple[str, Expr], ...] = ()
    decorators: tuple[Expr, ...] = ()
    methods: dict[str, str] = field(default_factory=dict)
    attrs: dict[str, tuple[Expr, ...]] = field(default_factory=dict)
    parent: str | None = None
    # annotated attributes: class-level ``x: T`` (dataclass fields) and ``self.x: T = ...`` in methods
    field_types: dict[str, Types] = field(default_factory=dict)


@dataclass(slots=True)
class Module:
    name: str  # unique key of the module in this run (the dotted name, or name@N on a clash)
    path: str
    is_package: bool
    import_name: str = ""  # the dotted name imports use
    aliases: tuple[str, ...] = ()  # further names (namespace packages), set at discovery
    entry_ctx: int = 0  # contexts a tool runs this file with when it is an entry point (set at discovery)
    globals: dict[str, tuple[Expr, ...]] = field(default_factory=dict)
    star_imports: tuple[str, ...] = ()
    global_types: dict[str, Types] = field(default_factory=dict)  # module-level ``x: T = ...``
    functions: dict[str, Function] = field(default_factory=dict)
    classes: dict[str, Class] = field(default_factory=dict)
    # ``x.attr = value`` and ``x[...] = value`` assignments anywhere: (target, value, pos, the function the
    # statement is in: "" at module level)
    attr_assigns: list[tuple[Expr, Expr, Pos, str]] = field(default_factory=list)
    sets_server_name: bool = False
    error: tuple[str, int, int] | None = None  # message, line, col
    # the error belongs to this run, not to the source (a deadline, a crashed worker): not cached
    transient: bool = False
    lines: int = 0

    @property
    def body(self) -> Function:
        return self.functions[self.name + ":<module>"]


_NAMED_TRUTH = {"None": "none", "True": "true", "False": "false"}


def literal_truth(expr: Expr) -> str | None:
    """"none", "true" or "false" for a literal; None for anything else."""
    if isinstance(expr, Name):
        return _NAMED_TRUTH.get(expr.id) if expr.scope == "" else None
    if isinstance(expr, Str):
        return "true" if expr.value else "false"
    if isinstance(expr, Lit):
        return expr.truth
    if isinstance(expr, (Seq, DictExpr)) and not expr.items:
        return "false"
    return None


def is_builtin(expr: Expr, name: str) -> bool:
    """``expr`` is the module-level (builtin) name ``name``."""
    return isinstance(expr, Name) and expr.scope == "" and expr.id == name
