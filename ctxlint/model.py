"""Plain, picklable data produced by summarising one module.

A module summary holds no syntax tree: only names, symbolic expressions and
events with their positions.  Everything later in the pipeline (call graph,
propagation, findings) works from these summaries, so they can be computed in
worker processes and cached on disk.

Symbolic expressions are small tuples:

    ("name", scope, id)        a name load; scope "" is the module, otherwise
                               the qualname of the function that binds it
    ("attr", expr, attr)       attribute access
    ("call", expr, args, kws)  call; args a tuple of exprs, kws ((name, expr), ...)
    ("sub", expr)              subscript of expr
    ("str", value)             string constant
    ("func", qualname)         a lambda or def evaluated in place
    ("tuple", items)           tuple/list/set display
    ("dict", ((key, value), ...)) dict display
    ("not", expr) / ("and", items) / ("or", items)
    ("isnone", expr)           ``expr is None``
    ("lit", truth)             a number literal: "true" or "false"
    ("star", expr)             *expr / **expr argument
    ("mod", dotted)            module bound by ``import``
    ("imp", module, name)      name bound by ``from module import name``
    ("?",)                     anything else
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Expr = tuple[Any, ...]
Pos = tuple[int, int, int, int]  # line (1-based), col (0-based), end_line, end_col

UNKNOWN: Expr = ("?",)

# Event kinds recorded in a function body, in source order.
CALL = "call"  # (CALL, call_expr, pos, conds)
REF = "ref"  # (REF, expr, pos, conds): a name/attribute chain that is loaded
RET = "ret"  # (RET, expr, pos, conds): a return statement's value
DECO = "deco"  # (DECO, decorator_expr, pos, conds, function_qualname): decorator applied
IMPORT = "import"  # (IMPORT, (module, ...), pos, conds): modules an import statement executes


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
    events: list[tuple[Any, ...]] = field(default_factory=list)
    # Conditions that events can sit under: ("if", expr, positive),
    # ("with", expr) for context managers and ``ctx.push()``, ("except", names).
    conds: list[tuple[Any, ...]] = field(default_factory=list)
    returns: tuple[Expr, ...] = ()
    # literal defaults of parameters, as their truth: "none", "true" or "false"
    defaults: dict[str, str] = field(default_factory=dict)


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
    functions: dict[str, Function] = field(default_factory=dict)
    classes: dict[str, Class] = field(default_factory=dict)
    # ``x.attr = value`` assignments anywhere: (target_expr, value_expr, pos)
    attr_assigns: list[tuple[Expr, Expr, Pos]] = field(default_factory=list)
    sets_server_name: bool = False
    error: tuple[str, int, int] | None = None  # message, line, col
    # the error belongs to this run, not to the source (a deadline, a crashed worker): not cached
    transient: bool = False
    lines: int = 0

    @property
    def body(self) -> Function:
        return self.functions[self.name + ":<module>"]


def literal_truth(expr: Expr) -> str | None:
    """"none", "true" or "false" for a literal; None for anything else."""
    if expr[0] == "name" and expr[1] == "" and expr[2] in ("None", "True", "False"):
        return {"None": "none", "True": "true", "False": "false"}[expr[2]]
    if expr[0] == "str":
        return "true" if expr[1] else "false"
    if expr[0] == "lit":
        return str(expr[1])
    if expr[0] in ("tuple", "dict") and not expr[1]:
        return "false"
    return None
