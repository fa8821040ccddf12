"""Summarise one module: libcst syntax tree → :mod:`ctxlint.model` data.

The summary keeps what the call graph needs and nothing else: the names a
module binds, its functions and classes, and for each function the calls,
name loads and returns it evaluates, in source order, each with the guards
and ``with`` blocks it sits under.  Names are already scoped (local,
enclosing function, module), so later steps never look at syntax again.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import re
import sys
import threading
import warnings
from dataclasses import fields
from typing import Any, Callable, Iterator, Sequence

import libcst as cst
from libcst._nodes.internal import CodegenState

from .collector import PARSING, rarely
from .knowledge.flask import SERVER_NAME_KEY
from .model import (
    UNKNOWN,
    And,
    Attr,
    CallEvent,
    CallExpr,
    Class,
    ClassRef,
    Cond,
    DecoEvent,
    DictExpr,
    ExceptCond,
    Expr,
    FuncRef,
    Function,
    IfCond,
    ImportEvent,
    ImpRef,
    IsNone,
    IterOf,
    Lit,
    MainCond,
    ModRef,
    Module,
    Name,
    Not,
    Or,
    Pos,
    RefEvent,
    ReturnEvent,
    Seq,
    Star,
    Str,
    Sub,
    Text,
    WithCond,
    literal_truth,
)

# Deeper trees than this are reported as CTX900 instead of analysed.
MAX_DEPTH = 4000
# Symbolic expressions deeper than this are cut to UNKNOWN (they must pickle, and nothing
# context-bound hides that deep).
MAX_EXPR_DEPTH = 200
_STACK_SIZE = 512 * 1024 * 1024
_BUILTIN_NAMES = frozenset(dir(builtins))
# what turns a value into text (a lazy string's ``__add__``, ``__mod__``, ``__eq__``, ... call ``str(self)``)
_TEXT_OPERATORS: dict[type, str] = {cst.Add: "concatenation (+)", cst.Modulo: "%-formatting",
                                    cst.Multiply: "repetition (*)"}
_TEXT_COMPARISONS: dict[type, str] = {
    **{op: f"a comparison ({text})" for op, text in ((cst.Equal, "=="), (cst.NotEqual, "!="), (cst.LessThan, "<"),
                                                     (cst.LessThanEqual, "<="), (cst.GreaterThan, ">"),
                                                     (cst.GreaterThanEqual, ">="))},
    cst.In: "a membership test (in)", cst.NotIn: "a membership test (not in)"}
_TEXT_NODES = (cst.FormattedString, cst.BinaryOperation, cst.Comparison, cst.Call)


class TooDeep(Exception):
    pass


# --------------------------------------------------------------------------------------
# positions: libcst's PositionProvider computes a position for every node and is slow;
# this records token spans during one code generation pass and converts the few that
# are asked for.


class _SpanState(CodegenState):
    def __init__(self, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.spans: dict[int, tuple[int, int, Any, Any]] = {}

    def record_syntactic_position(self, node: Any, *, start_node: Any = None,  # type: ignore[override]
                                  end_node: Any = None) -> _Span:
        return _Span(self, node, start_node, end_node)


class _Span:
    """A cheap context manager (contextlib's generator-based one dominates the pass)."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: _SpanState, node: Any, start_node: Any, end_node: Any) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = len(self.state.tokens)

    def __exit__(self, *exc: object) -> None:
        self.state.spans[id(self.node)] = (self.start, len(self.state.tokens), self.start_node, self.end_node)


class Positions:
    def __init__(self, module: cst.Module) -> None:
        state = _SpanState(module)
        module._codegen(state)
        self._spans = state.spans
        offsets = [0]
        total = 0
        for tok in state.tokens:
            total += len(tok)
            offsets.append(total)
        self._offsets = offsets
        code = "".join(state.tokens)
        self._line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", code)]

    def _offset(self, node: Any, end: bool) -> int:
        span = self._spans.get(id(node))
        if span is None:
            return 0
        start_i, end_i, start_node, end_node = span
        if end and end_node is not None and id(end_node) in self._spans:
            return self._offset(end_node, True)
        if not end and start_node is not None and id(start_node) in self._spans:
            return self._offset(start_node, False)
        return self._offsets[end_i if end else start_i]

    def _linecol(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self._line_starts, offset) - 1
        return i + 1, offset - self._line_starts[i]

    def of(self, node: Any) -> Pos:
        line, col = self._linecol(self._offset(node, False))
        end_line, end_col = self._linecol(self._offset(node, True))
        return (line, col, end_line, end_col)


# --------------------------------------------------------------------------------------
# scopes


class _Scope:
    """Bindings of one function (or of the module, for qual == "")."""

    __slots__ = ("qual", "bound", "params", "fn", "globals_decl", "parent", "real")

    def __init__(self, qual: str, fn: Function | None, parent: _Scope | None) -> None:
        self.qual = qual
        self.fn = fn
        self.parent = parent
        self.bound: set[str] = set()
        self.params: set[str] = set()
        self.globals_decl: set[str] = set()
        self.real: _Scope = self  # for a class body: the scope its methods close over


def _target_names(node: Any) -> Iterator[str]:
    if isinstance(node, cst.Name):
        yield node.value
    elif isinstance(node, (cst.Tuple, cst.List)):
        for el in node.elements:
            yield from _target_names(el.value)
    elif isinstance(node, cst.StarredElement):
        yield from _target_names(node.value)


class _Binder:
    """The names a block of statements binds, not descending into nested scopes.

    A plain walk over statements: libcst's visitor machinery costs more than the
    whole rest of the summary.  Walrus targets are bound when the walk meets them.
    """

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.globals_decl: set[str] = set()

    def visit(self, body: Any) -> None:
        stack = [body]
        while stack:
            node = stack.pop()
            if isinstance(node, (cst.IndentedBlock, cst.SimpleStatementSuite, cst.Module)):
                stack.extend(node.body)
            elif isinstance(node, cst.SimpleStatementLine):
                for small in node.body:
                    self.small(small)
            elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                self.names.add(node.name.value)
            elif isinstance(node, cst.If):
                stack.append(node.body)
                if node.orelse is not None:
                    stack.append(node.orelse if isinstance(node.orelse, cst.If) else node.orelse.body)
            elif isinstance(node, (cst.For, cst.While)):
                if isinstance(node, cst.For):
                    self.names.update(_target_names(node.target))
                stack.append(node.body)
                if node.orelse is not None:
                    stack.append(node.orelse.body)
            elif isinstance(node, cst.With):
                for item in node.items:
                    if item.asname is not None:
                        self.names.update(_target_names(item.asname.name))
                stack.append(node.body)
            elif isinstance(node, (cst.Try, cst.TryStar)):
                stack.append(node.body)
                for h in node.handlers:
                    if h.name is not None:
                        self.names.update(_target_names(h.name.name))
                    stack.append(h.body)
                if node.orelse is not None:
                    stack.append(node.orelse.body)
                if node.finalbody is not None:
                    stack.append(node.finalbody.body)
            elif isinstance(node, cst.Match):
                for case in node.cases:
                    stack.append(case.body)

    def small(self, node: Any) -> None:
        if isinstance(node, cst.Assign):
            for t in node.targets:
                self.names.update(_target_names(t.target))
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
            self.names.update(_target_names(node.target))
        elif isinstance(node, cst.Import):
            for alias in node.names:
                if alias.asname is None:
                    self.names.add(_dotted(alias.name).split(".")[0])
                else:
                    self.names.update(_target_names(alias.asname.name))
        elif isinstance(node, cst.ImportFrom):
            if isinstance(node.names, Sequence):
                for alias in node.names:
                    if alias.asname is None:
                        self.names.add(_dotted(alias.name))
                    else:
                        self.names.update(_target_names(alias.asname.name))
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            for n in node.names:
                self.globals_decl.add(n.name.value)


def _dotted(node: Any) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return _dotted(node.value) + "." + node.attr.value
    return ""


_SKIP_FIELDS = frozenset({"lpar", "rpar", "whitespace_before", "whitespace_after", "leading_lines",
                          "lines_after_decorators", "header", "footer", "comma", "semicolon",
                          "trailing_whitespace", "whitespace_after_def", "whitespace_before_colon",
                          "whitespace_after_at", "whitespace_before_params", "whitespace_after_arg",
                          "whitespace_after_star", "whitespace_after_as", "whitespace_before_as",
                          "whitespace_after_param", "whitespace_after_star_arg", "whitespace_after_lambda",
                          "whitespace_after_await", "whitespace_after_indicator", "whitespace_after_equal",
                          "whitespace_before_equal", "whitespace_before_indicator", "operator", "quote",
                          "prefix", "whitespace_after_if", "whitespace_before_if", "whitespace_after_else",
                          "whitespace_before_else", "whitespace_after_for", "whitespace_before_for",
                          "whitespace_after_in", "whitespace_before_in", "whitespace_after_async",
                          "whitespace_after_from", "whitespace_after_yield", "whitespace_after_walrus",
                          "whitespace_before_walrus", "whitespace_after_with", "whitespace_after_while",
                          "whitespace_after_class", "whitespace_after_name", "whitespace_after_return",
                          "whitespace_after_raise", "whitespace_after_assert", "whitespace_after_del",
                          "whitespace_after_import", "whitespace_after_global", "whitespace_after_nonlocal",
                          "whitespace_after_colon", "whitespace_after_keyword", "whitespace_before_value",
                          "whitespace_before_from", "whitespace_after_case", "whitespace_after_match",
                          "whitespace_after_except", "whitespace_before_expression", "whitespace_after_lbracket",
                          "whitespace_before_rbracket", "whitespace_after_lambda_arrow", "asynchronous",
                          "lbrace", "rbrace", "lbracket", "rbracket", "star", "equal", "dot", "arrow",
                          "whitespace_before_arg", "default_comma"})
_FIELD_CACHE: dict[type, tuple[str, ...]] = {}


def _child_nodes(node: Any) -> Iterator[Any]:
    names = _FIELD_CACHE.get(type(node))
    if names is None:
        names = tuple(f.name for f in fields(node) if f.name not in _SKIP_FIELDS
                      and not f.name.startswith("whitespace"))
        _FIELD_CACHE[type(node)] = names
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (tuple, list)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


# --------------------------------------------------------------------------------------
# the summariser


class _Summariser:
    def __init__(self, module_name: str, import_name: str, path: str, is_package: bool,
                 positions: Positions) -> None:
        self.mod = Module(name=module_name, path=path, is_package=is_package, import_name=import_name)
        self.pos = positions
        self.package = import_name if is_package else import_name.rpartition(".")[0]
        self.depth = 0
        self.lambda_count = 0
        # comprehension variables in scope: name -> the local it is bound to (None: not tracked)
        self.comp_names: list[dict[str, tuple[str, str] | None]] = []
        self.comp_count = 0
        self.enc_depth = 0

    # ---- helpers -----------------------------------------------------------------
    def new_function(self, qual: str, name: str, kind: str, pos: Pos, scope_parent: _Scope | None,
                     cls: str | None = None) -> tuple[Function, _Scope]:
        parent_fn = scope_parent.fn if scope_parent is not None else None
        fn = Function(qual=qual, name=name, module=self.mod.name, kind=kind, pos=pos, cls=cls,
                      parent=parent_fn.qual if parent_fn is not None and parent_fn.kind != "module" else None)
        self.mod.functions[qual] = fn
        scope = _Scope(qual, fn, scope_parent)
        return fn, scope

    def resolve_import(self, module: str, level: int) -> str:
        if level == 0:
            return module
        base = self.package.split(".") if self.package else []
        if level > 1:
            base = base[: len(base) - (level - 1)] if level - 1 <= len(base) else []
        return ".".join([*base, module] if module else base)

    def bind(self, scope: _Scope, name: str, value: Expr) -> None:
        if scope.fn is not None and scope.fn.kind == "module" or scope.qual == "":
            target = self.mod.globals
        elif name in scope.globals_decl:
            target = self.mod.globals
        else:
            assert scope.fn is not None
            target = scope.fn.locals
        target[name] = target.get(name, ()) + (value,)

    def lookup(self, scope: _Scope, name: str) -> tuple[str, str]:
        """(scope qualname or "" for module/builtin, name)."""
        for names in reversed(self.comp_names):
            if name in names:
                return names[name] or ("<comprehension>", name)
        s: _Scope | None = scope
        while s is not None:
            if s.qual == "":
                return ("", name)
            if name in s.globals_decl:
                return ("", name)
            if name in s.bound or name in s.params:
                return (s.qual, name)
            s = s.parent
        return ("", name)

    # ---- expressions -------------------------------------------------------------
    def enc(self, node: Any, scope: _Scope) -> Expr:
        """Symbolic form of an expression (no events recorded), at most MAX_EXPR_DEPTH deep."""
        self.enc_depth += 1
        try:
            if self.enc_depth > MAX_EXPR_DEPTH:
                return UNKNOWN
            return self._enc(node, scope)
        finally:
            self.enc_depth -= 1

    def _enc(self, node: Any, scope: _Scope) -> Expr:
        if isinstance(node, cst.Name):
            return Name(*self.lookup(scope, node.value))
        if isinstance(node, cst.Attribute):
            return Attr(self.enc(node.value, scope), node.attr.value)
        if isinstance(node, cst.Call):
            args: list[Expr] = []
            kws: list[tuple[str, Expr]] = []
            for a in node.args:
                v = self.enc(a.value, scope)
                if a.keyword is not None:
                    kws.append((a.keyword.value, v))
                elif a.star:
                    args.append(Star(v))
                else:
                    args.append(v)
            return CallExpr(self.enc(node.func, scope), tuple(args), tuple(kws))
        if isinstance(node, cst.Subscript):
            key = ""
            if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index) \
                    and isinstance(node.slice[0].slice.value, cst.SimpleString):
                index = _string_value(node.slice[0].slice.value)
                key = index.value if isinstance(index, Str) else ""
            return Sub(self.enc(node.value, scope), key)
        if isinstance(node, cst.SimpleString):
            return _string_value(node)
        if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
            return Seq(tuple(self.enc(e.value, scope) for e in node.elements))
        if isinstance(node, cst.Dict):
            return DictExpr(tuple((self.enc(e.key, scope), self.enc(e.value, scope))
                                  for e in node.elements if isinstance(e, cst.DictElement)))
        if isinstance(node, cst.Await):
            return self.enc(node.expression, scope)
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            return Not(self.enc(node.expression, scope))
        if isinstance(node, cst.BooleanOperation):
            op: type[And] | type[Or] = And if isinstance(node.operator, cst.And) else Or
            items: list[Expr] = []
            for side in (node.left, node.right):
                e = self.enc(side, scope)
                items.extend(e.items if isinstance(e, op) else (e,))
            return op(tuple(items))
        if isinstance(node, cst.NamedExpr):
            return self.enc(node.value, scope)
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            comp = node.comparisons[0]
            right = comp.comparator
            if isinstance(right, cst.Name) and right.value == "None":
                if isinstance(comp.operator, (cst.Is, cst.Equal)):
                    return IsNone(self.enc(node.left, scope))
                if isinstance(comp.operator, (cst.IsNot, cst.NotEqual)):
                    return Not(IsNone(self.enc(node.left, scope)))
            return UNKNOWN
        if isinstance(node, (cst.Integer, cst.Float)):
            try:
                return Lit("true" if float(node.value.replace("_", "")) else "false")
            except ValueError:
                return UNKNOWN
        if isinstance(node, cst.StarredElement):
            return Star(self.enc(node.value, scope))
        if isinstance(node, cst.Lambda):
            q = self._lambda_qual(node, scope)
            return FuncRef(q) if q else UNKNOWN
        return UNKNOWN

    def _lambda_qual(self, node: cst.Lambda, scope: _Scope) -> str | None:
        key = id(node)
        return self._lambda_quals.get(key)

    def walk_expr(self, node: Any, scope: _Scope, conds: tuple[int, ...]) -> None:
        """Record the events an expression evaluates."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TooDeep()
        try:
            self._walk_expr(node, scope, conds)
        finally:
            self.depth -= 1

    def _walk_expr(self, node: Any, scope: _Scope, conds: tuple[int, ...]) -> None:
        fn = scope.fn
        assert fn is not None
        if isinstance(node, _TEXT_NODES):
            self.texts(node, scope, conds)
        if isinstance(node, (cst.Name, cst.Attribute)):
            root: Any = node
            while isinstance(root, cst.Attribute):
                root = root.value
            if isinstance(root, cst.Name):
                where, name = self.lookup(scope, root.value)
                if where == "":
                    keep = name not in _BUILTIN_NAMES or name in self.mod.globals
                elif where == fn.qual and name in scope.params:
                    # a parameter: only an attribute of it (a property of its class) can lead anywhere
                    keep = node is not root
                else:
                    keep = where != "<comprehension>"
                if keep:
                    fn.events.append(RefEvent(self.enc(node, scope), self.pos.of(node), conds))
                return
            self.walk_expr(root, scope, conds)
            if isinstance(root, cst.Call) and node is not root:
                # ``Invoice.query.get(i).link``: a property read on what a call returns
                fn.events.append(RefEvent(self.enc(node, scope), self.pos.of(node), conds))
            return
        if isinstance(node, cst.Call):
            self.walk_call_parts(node, scope, conds)
            call = self.enc(node, scope)
            if isinstance(call, CallExpr):
                fn.events.append(CallEvent(call, self.pos.of(node), conds))
            return
        if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name):
            # ``session["k"]``: the proxy is read, not only named
            self._access(node.value, node, scope, conds)
            for el in node.slice:
                self.walk_expr(el, scope, conds)
            return
        if isinstance(node, cst.Comparison) and any(
                isinstance(c.operator, (cst.In, cst.NotIn)) and isinstance(c.comparator, cst.Name)
                for c in node.comparisons):
            # ``"k" in session``
            self.walk_expr(node.left, scope, conds)
            for c in node.comparisons:
                if isinstance(c.operator, (cst.In, cst.NotIn)) and isinstance(c.comparator, cst.Name):
                    self._access(c.comparator, c.comparator, scope, conds)
                else:
                    self.walk_expr(c.comparator, scope, conds)
            return
        if isinstance(node, cst.Lambda):
            self.walk_lambda(node, scope, conds)
            return
        if isinstance(node, (cst.GeneratorExp, cst.ListComp, cst.SetComp, cst.DictComp)):
            self.walk_comprehension(node, scope, conds)
            return
        if isinstance(node, cst.BooleanOperation):
            self.walk_boolop(node, scope, conds)
            return
        if isinstance(node, cst.IfExp):
            self.walk_test(node.test, scope, conds)
            test = self.enc(node.test, scope)
            self.walk_expr(node.body, scope, conds + (self.cond(fn, IfCond(test, True)),))
            self.walk_expr(node.orelse, scope, conds + (self.cond(fn, IfCond(test, False)),))
            return
        if isinstance(node, cst.NamedExpr):
            self.walk_expr(node.value, scope, conds)
            for name in _target_names(node.target):
                scope.bound.add(name)
                self.bind(scope, name, self.enc(node.value, scope))
            return
        if isinstance(node, (cst.Yield,)):
            fn.is_generator = True
            fn.yields.append(conds)
        for child in _child_nodes(node):
            self.walk_expr(child, scope, conds)

    def texts(self, node: Any, scope: _Scope, conds: tuple[int, ...]) -> None:
        """The values an expression turns into text or compares (``Text`` events): the parts of an
        f-string, the operands of ``+``, ``%``, ``*`` and of comparisons, ``"...".format(...)``'s
        arguments."""
        found: list[tuple[Any, str]] = []
        if isinstance(node, cst.FormattedString):
            found = [(p.expression, "an f-string") for p in node.parts if isinstance(p, cst.FormattedStringExpression)]
        elif isinstance(node, cst.BinaryOperation):
            how = _TEXT_OPERATORS.get(type(node.operator))
            if how is None:
                return
            for side in (node.left, node.right):
                if isinstance(side, cst.BinaryOperation) and type(side.operator) is type(node.operator):
                    continue  # ``a + b + c``: the inner operation records its own operands
                if isinstance(node.operator, cst.Modulo) and side is node.right and isinstance(side, cst.Tuple):
                    found.extend((e.value, how) for e in side.elements)
                elif isinstance(node.operator, cst.Modulo) and side is node.right and isinstance(side, cst.Dict):
                    found.extend((e.value, how) for e in side.elements if isinstance(e, cst.DictElement))
                else:
                    found.append((side, how))
        elif isinstance(node, cst.Comparison):
            left = node.left
            for c in node.comparisons:
                how = _TEXT_COMPARISONS.get(type(c.operator))
                if how is not None:
                    found += [(left, how), (c.comparator, how)]
                left = c.comparator
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format" \
                and isinstance(node.func.value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            found = [(a.value, "str.format()") for a in node.args]
        fn = scope.fn
        assert fn is not None
        for part, how in found:
            e = self.enc(part, scope)
            if isinstance(e, (Attr, CallExpr, Sub)) or isinstance(e, Name) and literal_truth(e) is None:
                fn.events.append(RefEvent(Text(e, how), self.pos.of(part), conds))

    def _access(self, name: cst.Name, node: Any, scope: _Scope, conds: tuple[int, ...]) -> None:
        """A name whose object is read (subscripted, searched): Sub(name) as the event."""
        fn = scope.fn
        assert fn is not None
        where, _ = self.lookup(scope, name.value)
        if where != "<comprehension>" and not (where == fn.qual and name.value in scope.params):
            fn.events.append(RefEvent(Sub(self.enc(name, scope)), self.pos.of(node), conds))

    def walk_call_parts(self, node: cst.Call, scope: _Scope, conds: tuple[int, ...]) -> None:
        func = node.func
        # walk the receiver of a method call, not the method itself (the call event covers it)
        if isinstance(func, cst.Attribute):
            base = func.value
            while isinstance(base, cst.Attribute):
                base = base.value
            if not isinstance(base, cst.Name):
                self.walk_expr(base, scope, conds)
        elif not isinstance(func, cst.Name):
            self.walk_expr(func, scope, conds)
        for a in node.args:
            self.walk_expr(a.value, scope, conds)

    def walk_test(self, node: Any, scope: _Scope, conds: tuple[int, ...]) -> None:
        """A truth test: a bare name there (``if request:``) is not a use of it."""
        bare = node.expression if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not) \
            else node
        if isinstance(bare, cst.Name):
            return
        self.walk_expr(node, scope, conds)

    def walk_boolop(self, node: cst.BooleanOperation, scope: _Scope, conds: tuple[int, ...]) -> None:
        fn = scope.fn
        assert fn is not None
        positive = isinstance(node.operator, cst.And)
        self.walk_test(node.left, scope, conds)
        left = self.enc(node.left, scope)
        self.walk_test(node.right, scope, conds + (self.cond(fn, IfCond(left, positive)),))

    def walk_lambda(self, node: cst.Lambda, scope: _Scope, conds: tuple[int, ...]) -> None:
        assert scope.fn is not None
        for p in self._all_params(node.params):
            if p.default is not None:
                self.walk_expr(p.default, scope, conds)
        pos = self.pos.of(node)
        self.lambda_count += 1
        base = scope.fn.qual if scope.fn.kind != "module" else self.mod.name + ":"
        sep = "." if not base.endswith(":") else ""
        qual = f"{base}{sep}<lambda:{pos[0]}:{pos[1]}>"
        self._lambda_quals[id(node)] = qual
        fn, inner = self.new_function(qual, "<lambda>", "lambda", pos, scope)
        fn.params = tuple(p.name.value for p in self._all_params(node.params))
        inner.params = set(fn.params)
        self.walk_expr(node.body, inner, ())
        fn.returns = (self.enc(node.body, inner),)

    def walk_comprehension(self, node: Any, scope: _Scope, conds: tuple[int, ...]) -> None:
        # Comprehension variables are local to it; treat them as bound in the enclosing
        # function's scope only for shadowing purposes.
        fn = scope.fn
        assert fn is not None
        comp = node.for_in
        names: dict[str, tuple[str, str] | None] = {}
        self.comp_names.append(names)
        try:
            c = comp
            while c is not None:
                self.walk_expr(c.iter, scope, conds)
                if isinstance(c.target, cst.Name):
                    # ``x`` of ``for x in rows``: a local of its own, bound to an element of ``rows``
                    self.comp_count += 1
                    local = f"{c.target.value}<comp{self.comp_count}>"
                    self.bind(scope, local, IterOf(self.enc(c.iter, scope)))
                    at_module = fn.kind == "module" or scope.qual == ""
                    names[c.target.value] = ("" if at_module else fn.qual, local)
                else:
                    for name in _target_names(c.target):
                        names[name] = None
                for cond in c.ifs:
                    self.walk_expr(cond.test, scope, conds)
                c = c.inner_for_in
            if isinstance(node, cst.DictComp):
                self.walk_expr(node.key, scope, conds)
                self.walk_expr(node.value, scope, conds)
            else:
                self.walk_expr(node.elt, scope, conds)
        finally:
            self.comp_names.pop()

    @staticmethod
    def _all_params(params: cst.Parameters) -> list[cst.Param]:
        out = list(params.posonly_params) + list(params.params)
        if isinstance(params.star_arg, cst.Param):
            out.append(params.star_arg)
        out += list(params.kwonly_params)
        if params.star_kwarg is not None:
            out.append(params.star_kwarg)
        return out

    def cond(self, fn: Function, c: Cond) -> int:
        fn.conds.append(c)
        return len(fn.conds) - 1

    # ---- statements --------------------------------------------------------------
    def walk_block(self, body: Any, scope: _Scope, conds: tuple[int, ...], cls: Class | None) -> tuple[int, ...]:
        """Walk the statements; the conditions holding at the end of the block."""
        stmts: Sequence[Any]
        if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)):
            stmts = body.body
        else:
            stmts = body
        fn = scope.fn
        assert fn is not None
        for stmt in stmts:
            self.walk_stmt(stmt, scope, conds, cls)
            for extra in self.after_statement(stmt, scope):
                conds = conds + (self.cond(fn, extra),)
        return conds

    def after_statement(self, stmt: Any, scope: _Scope) -> list[Cond]:
        """The conditions that hold for the rest of the block after this statement."""
        if isinstance(stmt, cst.If):
            # ``if a: return`` / ``elif b: return`` / ...: after it, ``not a`` (and ``not b``, which was only
            # tested if ``a`` was false) — as far as the branches all leave the block
            held: list[Cond] = []
            branch: Any = stmt
            while isinstance(branch, cst.If) and _ends_in_exit(branch.body):
                held.append(IfCond(self.enc(branch.test, scope), False))
                branch = branch.orelse
            return held
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
            small = stmt.body[0]
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                call = small.value
                if isinstance(call.func, cst.Attribute) and call.func.attr.value == "push" and not call.args:
                    return [WithCond(self.enc(call.func.value, scope), self.pos.of(stmt), True)]
                if isinstance(call.func, cst.Attribute) and call.func.attr.value == "enter_context" \
                        and len(call.args) == 1:
                    # contextlib.ExitStack: the context stays entered for the rest of the block
                    return [WithCond(self.enc(call.args[0].value, scope), self.pos.of(stmt), True)]
        return []

    def walk_stmt(self, stmt: Any, scope: _Scope, conds: tuple[int, ...], cls: Class | None) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TooDeep()
        try:
            self._walk_stmt(stmt, scope, conds, cls)
        finally:
            self.depth -= 1

    def _walk_stmt(self, stmt: Any, scope: _Scope, conds: tuple[int, ...], cls: Class | None) -> None:
        fn = scope.fn
        assert fn is not None
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self.walk_small(small, scope, conds, cls)
        elif isinstance(stmt, cst.FunctionDef):
            self.walk_def(stmt, scope, conds, cls)
        elif isinstance(stmt, cst.ClassDef):
            self.walk_class(stmt, scope, conds)
        elif isinstance(stmt, cst.If):
            self.walk_test(stmt.test, scope, conds)
            test = self.enc(stmt.test, scope)
            if _is_main_check(stmt.test):
                self.walk_block(stmt.body, scope, conds + (self.cond(fn, MainCond()),), cls)
            else:
                self.walk_block(stmt.body, scope, conds + (self.cond(fn, IfCond(test, True)),), cls)
            if stmt.orelse is not None:
                orelse_conds = conds + (self.cond(fn, IfCond(test, False)),)
                if isinstance(stmt.orelse, cst.If):
                    self.walk_stmt(stmt.orelse, scope, orelse_conds, cls)
                else:
                    self.walk_block(stmt.orelse.body, scope, orelse_conds, cls)
        elif isinstance(stmt, cst.With):
            inner = conds
            for item in stmt.items:
                self.walk_expr(item.item, scope, inner)
                value = self.enc(item.item, scope)
                if item.asname is not None:
                    for name in _target_names(item.asname.name):
                        self.bind(scope, name, value)
                inner = inner + (self.cond(fn, WithCond(value, self.pos.of(stmt))),)
            self.walk_block(stmt.body, scope, inner, cls)
        elif isinstance(stmt, (cst.For, cst.While)):
            if isinstance(stmt, cst.For):
                self.walk_expr(stmt.iter, scope, conds)
                if isinstance(stmt.target, cst.Name):
                    self.bind(scope, stmt.target.value, IterOf(self.enc(stmt.iter, scope)))
                else:
                    for name in _target_names(stmt.target):
                        self.bind(scope, name, UNKNOWN)
            else:
                self.walk_test(stmt.test, scope, conds)
            self.walk_block(stmt.body, scope, conds, cls)
            if stmt.orelse is not None:
                self.walk_block(stmt.orelse.body, scope, conds, cls)
        elif isinstance(stmt, (cst.Try, cst.TryStar)):
            caught: list[Expr] = []
            for h in stmt.handlers:
                if h.type is not None:
                    t = self.enc(h.type, scope)
                    caught.extend(t.items if isinstance(t, Seq) else (t,))
            body_conds = conds
            if caught:
                body_conds = conds + (self.cond(fn, ExceptCond(tuple(caught))),)
            self.walk_block(stmt.body, scope, body_conds, cls)
            for h in stmt.handlers:
                if h.name is not None:
                    for name in _target_names(h.name.name):
                        self.bind(scope, name, UNKNOWN)
                self.walk_block(h.body, scope, conds, cls)
            if stmt.orelse is not None:
                self.walk_block(stmt.orelse.body, scope, conds, cls)
            if stmt.finalbody is not None:
                self.walk_block(stmt.finalbody.body, scope, conds, cls)
        elif isinstance(stmt, cst.Match):
            self.walk_expr(stmt.subject, scope, conds)
            for case in stmt.cases:
                self.walk_block(case.body, scope, conds, cls)
        else:
            for child in _child_nodes(stmt):
                if isinstance(child, cst.BaseExpression):
                    self.walk_expr(child, scope, conds)

    def walk_small(self, small: Any, scope: _Scope, conds: tuple[int, ...], cls: Class | None) -> None:
        fn = scope.fn
        assert fn is not None
        if isinstance(small, cst.Import):
            fn.events.append(ImportEvent(tuple(_dotted(a.name) for a in small.names), self.pos.of(small), conds))
            for alias in small.names:
                full = _dotted(alias.name)
                if alias.asname is not None:
                    for name in _target_names(alias.asname.name):
                        self.bind(scope, name, ModRef(full))
                else:
                    top = full.split(".")[0]
                    self.bind(scope, top, ModRef(top))
            return
        if isinstance(small, cst.ImportFrom):
            level = len(small.relative)
            module = self.resolve_import(_dotted(small.module) if small.module is not None else "", level)
            executed = [module]
            if not isinstance(small.names, cst.ImportStar):
                executed += [f"{module}.{_dotted(a.name)}" if module else _dotted(a.name) for a in small.names]
            fn.events.append(ImportEvent(tuple(executed), self.pos.of(small), conds))
            if isinstance(small.names, cst.ImportStar):
                if scope.qual == "" or fn.kind == "module":
                    self.mod.star_imports += (module,)
                return
            for alias in small.names:
                name = _dotted(alias.name)
                local = name
                if alias.asname is not None:
                    local = next(_target_names(alias.asname.name), name)
                self.bind(scope, local, ImpRef(module, name))
            return
        if isinstance(small, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
            value_node = small.value
            if isinstance(value_node, cst.Name) and isinstance(small, cst.Assign) and fn.kind != "module":
                # ``user = current_user`` in a function: the alias is about to be used (a module-level
                # alias, ``req = request``, only re-exports the proxy and is not evaluated)
                self._access(value_node, value_node, scope, conds)
            elif value_node is not None:
                self.walk_expr(value_node, scope, conds)
            value = self.enc(value_node, scope) if value_node is not None else UNKNOWN
            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
            for target in targets:
                self.assign(target, value, scope, conds, cls, small)
            if isinstance(small, cst.AnnAssign):
                self.annotated(small.target, self.types(small.annotation.annotation, scope), scope, cls)
            if isinstance(small, cst.Assign) and _mentions_server_name(small):
                self.mod.sets_server_name = True
            return
        if isinstance(small, cst.Return):
            if small.value is not None:
                self.walk_expr(small.value, scope, conds)
                value = self.enc(small.value, scope)
                fn.returns = fn.returns + (value,)
                fn.events.append(ReturnEvent(value, self.pos.of(small), conds))
            return
        if isinstance(small, cst.Expr):
            self.walk_expr(small.value, scope, conds)
            stored = _setattr_call(small.value)
            if stored is not None:  # ``object.__setattr__(self, "x", v)`` assigns ``self.x`` as ``self.x = v`` does
                base, attr, value_node = stored
                target = cst.Attribute(value=base, attr=cst.Name(attr))
                self.mod.attr_assigns.append((Attr(self.enc(base, scope), attr), self.enc(value_node, scope),
                                              self.pos.of(small), scope.qual))
                self._self_attr(target, self.enc(value_node, scope), scope)
            if _is_update_with_server_name(small.value):
                self.mod.sets_server_name = True
            return
        for child in _child_nodes(small):
            self.walk_expr(child, scope, conds)

    def assign(self, target: Any, value: Expr, scope: _Scope, conds: tuple[int, ...], cls: Class | None,
               node: Any) -> None:
        if isinstance(target, cst.Name):
            if cls is not None and scope.fn is not None and scope.fn.kind == "classbody":
                cls.attrs[target.value] = cls.attrs.get(target.value, ()) + (value,)
                return
            self.bind(scope, target.value, value)
            return
        if isinstance(target, (cst.Tuple, cst.List)):
            for el in target.elements:
                self.assign(el.value, UNKNOWN, scope, conds, cls, node)
            return
        if isinstance(target, cst.Attribute):
            base = self.enc(target.value, scope)
            self.mod.attr_assigns.append((Attr(base, target.attr.value), value, self.pos.of(node), scope.qual))
            self._self_attr(target, value, scope)
            self._store(target, scope, conds)
            return
        if isinstance(target, cst.Subscript):
            stored = self.enc(target, scope)  # Sub(base, key): the key when it is a string literal
            self.mod.attr_assigns.append((stored, value, self.pos.of(node), scope.qual))
            self._store(target, scope, conds)

    def _self_attr(self, target: cst.Attribute, value: Expr, scope: _Scope) -> None:
        """``self.x = ...`` in a method: an instance attribute of the class."""
        fn = scope.fn
        base = self.enc(target.value, scope)
        if fn is not None and fn.cls is not None and isinstance(base, Name) and base.scope == fn.qual \
                and fn.params and base.id == fn.params[0]:
            owner = self.mod.classes.get(fn.cls)
            if owner is not None:
                owner.attrs[target.attr.value] = owner.attrs.get(target.attr.value, ()) + (value,)

    def _store(self, target: Any, scope: _Scope, conds: tuple[int, ...]) -> None:
        """``g.user = u``, ``session["k"] = v``, ``session["n"] += 1``: storing into an object uses it
        (a proxy raises outside its context exactly as when it is read)."""
        if isinstance(target.value, cst.Name):
            self._access(target.value, target, scope, conds)
        else:
            self.walk_expr(target.value, scope, conds)

    def types(self, node: Any, scope: _Scope, depth: int = 0) -> tuple[Expr, ...]:
        """The classes an annotation names: ``X``, ``Optional[X]``, ``X | Y``, ``"X"``; () for the rest."""
        if depth > 8:
            return ()
        if isinstance(node, cst.SimpleString):
            try:
                text = node.evaluated_value
                parsed = cst.parse_expression(text.strip()) if isinstance(text, str) and len(text) < 200 else None
            except Exception:
                return ()
            return self.types(parsed, scope, depth + 1) if parsed is not None else ()
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return self.types(node.left, scope, depth + 1) + self.types(node.right, scope, depth + 1)
        if isinstance(node, cst.Subscript):
            head = _dotted(node.value).rsplit(".", 1)[-1]
            items = [el.slice.value for el in node.slice if isinstance(el.slice, cst.Index)]
            if head in ("Optional", "Union"):
                return tuple(t for item in items for t in self.types(item, scope, depth + 1))
            if head in ("Annotated", "Final", "ClassVar") and items:
                return self.types(items[0], scope, depth + 1)
            return ()
        if isinstance(node, cst.Name) and node.value == "None":
            return ()
        if isinstance(node, (cst.Name, cst.Attribute)) and _dotted(node):
            return (self.enc(node, scope),)
        return ()

    def annotated(self, target: Any, types: tuple[Expr, ...], scope: _Scope, cls: Class | None) -> None:
        """Record ``x: T`` (module global or class field) and ``self.x: T`` (instance attribute)."""
        if not types:
            return
        fn = scope.fn
        if isinstance(target, cst.Name):
            if cls is not None and fn is not None and fn.kind == "classbody":
                cls.field_types[target.value] = types
            elif fn is not None and fn.kind == "module":
                self.mod.global_types[target.value] = types
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and fn is not None \
                and fn.cls is not None and fn.params and target.value.value == fn.params[0]:
            owner = self.mod.classes.get(fn.cls)
            if owner is not None:
                owner.field_types[target.attr.value] = types

    def walk_def(self, node: cst.FunctionDef, scope: _Scope, conds: tuple[int, ...], cls: Class | None) -> None:
        outer = scope.fn
        assert outer is not None
        # decorators, defaults and annotations run where the def is
        for dec in node.decorators:
            self.walk_expr(dec.decorator, scope, conds)
        params = self._all_params(node.params)
        for p in params:
            if p.default is not None:
                self.walk_expr(p.default, scope, conds)
        name = node.name.value
        if outer.kind == "module":
            base = self.mod.name + ":"
        elif outer.kind == "classbody":
            base = outer.qual.rsplit(".<body>", 1)[0] + "."
        else:
            base = outer.qual + "."
        qual = base + name
        if qual in self.mod.functions:  # redefinition: keep both, the later wins the name
            qual = f"{qual}@{self.pos.of(node)[0]}"
        pos = self._def_pos(node)
        fn, inner = self.new_function(qual, name, "def", pos, scope.real,
                                      cls=cls.qual if cls is not None and outer.kind == "classbody" else None)
        fn.params = tuple(p.name.value for p in params)
        if isinstance(node.params.star_kwarg, cst.Param):
            fn.star_kwargs = node.params.star_kwarg.name.value
        for p in params:
            if p.default is not None:
                default = self.enc(p.default, scope)
                fn.default_exprs[p.name.value] = default
                truth = literal_truth(default)
                if truth is not None:
                    fn.defaults[p.name.value] = truth
            if p.annotation is not None:
                types = self.types(p.annotation.annotation, scope)
                if types:
                    fn.annotations[p.name.value] = types
        if node.returns is not None:
            fn.return_types = self.types(node.returns.annotation, scope)
        fn.is_async = node.asynchronous is not None
        fn.decorators = tuple(self.enc(d.decorator, scope) for d in node.decorators)
        inner.params = set(fn.params)
        binder = _Binder()
        binder.visit(node.body)
        inner.bound = binder.names - inner.params
        inner.globals_decl = binder.globals_decl
        if cls is not None and outer.kind == "classbody":
            cls.methods[name] = qual
        else:
            self.bind(scope, name, FuncRef(qual))
        for dec in node.decorators:
            fn_dec = self.enc(dec.decorator, scope)
            outer.events.append(DecoEvent(fn_dec, self.pos.of(dec.decorator), conds, qual))
        fn.end_conds = self.walk_block(node.body, inner, (), None)

    def _def_pos(self, node: cst.FunctionDef) -> Pos:
        start = self.pos.of(node)
        name = self.pos.of(node.name)
        return (start[0], start[1], name[2], name[3])

    def walk_class(self, node: cst.ClassDef, scope: _Scope, conds: tuple[int, ...]) -> None:
        outer = scope.fn
        assert outer is not None
        for dec in node.decorators:
            self.walk_expr(dec.decorator, scope, conds)
        for arg in node.bases:
            self.walk_expr(arg.value, scope, conds)
        for arg in node.keywords:
            self.walk_expr(arg.value, scope, conds)
        name = node.name.value
        if outer.kind == "module":
            qual = f"{self.mod.name}:{name}"
        elif outer.kind == "classbody":
            qual = outer.qual.rsplit(".<body>", 1)[0] + "." + name
        else:
            qual = f"{outer.qual}.{name}"
        pos = self._class_pos(node)
        klass = Class(qual=qual, name=name, module=self.mod.name, pos=pos,
                      bases=tuple(self.enc(a.value, scope) for a in node.bases),
                      keywords=tuple((a.keyword.value, self.enc(a.value, scope))
                                     for a in node.keywords if a.keyword is not None),
                      decorators=tuple(self.enc(d.decorator, scope) for d in node.decorators),
                      parent=outer.qual if outer.kind != "module" else None)
        self.mod.classes[qual] = klass
        if outer.kind != "classbody":
            self.bind(scope, name, ClassRef(qual))
        for dec in node.decorators:
            outer.events.append(DecoEvent(self.enc(dec.decorator, scope), self.pos.of(dec.decorator), conds, qual))
        # The class body runs where the class statement is: its events belong to the
        # enclosing function, names it binds are class attributes, and its methods
        # close over the enclosing scope (class scopes are not enclosing scopes).
        body_fn = Function(qual=qual + ".<body>", name=name, module=self.mod.name, kind="classbody", pos=pos,
                           parent=outer.qual if outer.kind != "module" else None)
        body_fn.events = outer.events
        body_fn.conds = outer.conds
        real = scope.real
        body_scope = _Scope(real.qual, body_fn, real.parent)
        body_scope.bound, body_scope.params, body_scope.globals_decl = real.bound, real.params, real.globals_decl
        body_scope.real = real
        self.walk_block(node.body, body_scope, conds, klass)

    def _class_pos(self, node: cst.ClassDef) -> Pos:
        start = self.pos.of(node)
        name = self.pos.of(node.name)
        return (start[0], start[1], name[2], name[3])

    # ---- module ------------------------------------------------------------------
    def run(self, tree: cst.Module) -> Module:
        self._lambda_quals: dict[int, str] = {}
        fn, scope = self.new_function(self.mod.name + ":<module>", "<module>", "module", (1, 0, 1, 0), None)
        scope.qual = ""
        binder = _Binder()
        binder.visit(tree)
        scope.bound = binder.names
        self.walk_block(tree.body, scope, (), None)
        return self.mod


def _string_value(node: cst.SimpleString) -> Expr:
    """The value of a plain string literal (cheaply: no escapes, no bytes); UNKNOWN otherwise."""
    text = node.value
    prefix = node.prefix.lower()
    if "b" in prefix or "\\" in text:
        return UNKNOWN
    quote = node.quote
    return Str(text[len(node.prefix) + len(quote): len(text) - len(quote)])


def _ends_in_exit(body: Any) -> bool:
    stmts = body.body if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)) else []
    if not stmts:
        return False
    last: Any = stmts[-1]
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1] if last.body else None
    return isinstance(last, (cst.Return, cst.Raise, cst.Continue, cst.Break))


def _is_main_check(test: Any) -> bool:
    return (isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name)
            and test.left.value == "__name__")


def _mentions_server_name(node: cst.Assign) -> bool:
    for t in node.targets:
        target = t.target
        if isinstance(target, cst.Name) and target.value == SERVER_NAME_KEY:
            return True
        if isinstance(target, cst.Subscript) and len(target.slice) == 1:
            idx = target.slice[0].slice
            if isinstance(idx, cst.Index) and isinstance(idx.value, cst.SimpleString) \
                    and idx.value.evaluated_value == SERVER_NAME_KEY:
                return True
    return False


def _is_update_with_server_name(node: Any) -> bool:
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
            and node.func.attr.value in ("update", "from_mapping"):
        return any(a.keyword is not None and a.keyword.value == SERVER_NAME_KEY for a in node.args) or any(
            isinstance(a.value, cst.Dict) and any(
                isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
                and e.key.evaluated_value == SERVER_NAME_KEY for e in a.value.elements)
            for a in node.args)
    return False


# --------------------------------------------------------------------------------------
# entry point


def _first_line(text: str, limit: int = 120) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[:limit - 3] + "..."


def _describe_parse_error(exc: Exception, source: bytes) -> tuple[str, int, int]:
    if isinstance(exc, cst.ParserSyntaxError):
        # CPython's own parser says where the error is more precisely than libcst does
        try:
            with warnings.catch_warnings():  # the user's SyntaxWarnings are not ours to print
                warnings.simplefilter("ignore")
                compile(source, "<ctxlint>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        except SyntaxError as err:
            if err.lineno:
                return (f"syntax error: {err.msg}", err.lineno, max((err.offset or 1) - 1, 0))
        except (ValueError, RecursionError, MemoryError):
            pass
        else:  # libcst's limits, not the file's fault (e.g. thousands of adjacent string literals)
            return (f"libcst's parser rejects this file, which Python accepts ({_first_line(exc.message)})", 1, 0)
        return (f"syntax error: {exc.message}", exc.editor_line, max(exc.editor_column - 1, 0))
    if isinstance(exc, (UnicodeDecodeError, LookupError)):
        return (f"cannot decode: {exc}", 1, 0)
    if isinstance(exc, TooDeep):
        return (f"nesting deeper than {MAX_DEPTH} levels", 1, 0)
    if isinstance(exc, RecursionError):
        return ("nesting too deep to analyse", 1, 0)
    return (f"{type(exc).__name__}: {exc}".strip(), 1, 0)


def failed_module(module_name: str, import_name: str, path: str, is_package: bool,
            error: tuple[str, int, int]) -> Module:
    mod = Module(name=module_name, path=path, is_package=is_package, import_name=import_name)
    mod.error = error
    mod.functions[module_name + ":<module>"] = Function(
        qual=module_name + ":<module>", name="<module>", module=module_name, kind="module", pos=(1, 0, 1, 0))
    return mod


def _summarise(source: bytes, module_name: str, import_name: str, path: str, is_package: bool) -> Module:
    try:
        if b"\x00" in source:
            raise ValueError("source contains NUL bytes")
        tree = cst.parse_module(source)
        positions = Positions(tree)
        mod = _Summariser(module_name, import_name, path, is_package, positions).run(tree)
        mod.lines = source.count(b"\n") + 1
        return mod
    except Exception as exc:  # every failure of one file becomes CTX900 for that file
        return failed_module(module_name, import_name, path, is_package, _describe_parse_error(exc, source))


def summarise(source: bytes, module_name: str, import_name: str, path: str, is_package: bool) -> Module:
    """Summarise one module's source.  Never raises."""
    return summarise_many([(source, module_name, import_name, path, is_package)])[0]


def summarise_one(item: tuple[bytes, str, str, str, bool]) -> Module:
    """One module's summary, on the calling thread (which needs a big stack: see on_big_stack)."""
    return _summarise(*item)


def summarise_many(items: list[tuple[bytes, str, str, str, bool]]) -> list[Module]:
    """Summarise modules in order.  Never raises."""
    results: list[Module] = []
    with rarely(PARSING):
        on_big_stack(lambda: results.extend(_summarise(*item) for item in items))
    for item in items[len(results):]:
        results.append(failed_module(item[1], item[2], item[3], item[4], ("internal error while summarising", 1, 0)))
    return results


def on_big_stack(work: Callable[[], None]) -> None:
    """Run ``work`` on a thread with a large stack and a high recursion limit, and wait for it.

    libcst's native parser recurses on the C stack; deeply nested input would
    overflow a normal thread's stack.
    """
    def run() -> None:
        old = sys.getrecursionlimit()
        try:
            sys.setrecursionlimit(max(old, 60000))
            work()
        finally:
            sys.setrecursionlimit(old)

    old_size = threading.stack_size()
    try:
        threading.stack_size(_STACK_SIZE)
        t = threading.Thread(target=run, name="ctxlint-summarise", daemon=True)
        t.start()
    finally:
        threading.stack_size(old_size)
    while t.is_alive():  # short waits: Ctrl-C is only seen by the main thread between them
        t.join(0.2)


def _setattr_call(node: Any) -> tuple[Any, str, Any] | None:
    """(object, attribute, value) of ``object.__setattr__(obj, "x", v)`` or ``setattr(obj, "x", v)``."""
    if not isinstance(node, cst.Call) or len(node.args) != 3 or any(a.star or a.keyword for a in node.args):
        return None
    func = node.func
    plain = isinstance(func, cst.Name) and func.value == "setattr"
    dunder = isinstance(func, cst.Attribute) and func.attr.value == "__setattr__" \
        and isinstance(func.value, cst.Name) and func.value.value == "object"
    name = node.args[1].value
    attr = name.evaluated_value if isinstance(name, cst.SimpleString) else None
    if not (plain or dunder) or not isinstance(attr, str) or not attr.isidentifier():
        return None
    return node.args[0].value, attr, node.args[2].value
