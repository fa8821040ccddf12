"""A fix for every finding: an edit where one is right, a precise suggestion where none is.

Edits are made with libcst: the file is parsed, the nodes at the finding (the spawn
call, the target function, the uses it reaches) are found by position, replaced by
new nodes, and the module is rendered again; the text edits are the spans where the
old and new text differ, so formatting and comments elsewhere stay as they were.

* ``safe``: what the user surely wants (``stream_with_context`` around a streamed
  generator, the real app object instead of the ``current_app`` proxy, request data
  read in the view and passed to a worker used only there).  ``--fix`` applies them.
* ``unsafe``: changes behaviour the user should review (``copy_current_request_context``
  keeps the request alive in the worker, a worker that gets the app and pushes its
  context, a changed signature of a function called elsewhere).  ``--unsafe-fixes``.
* ``suggestion``: no edit, a message naming what to change and where.
"""

from __future__ import annotations

import bisect
import dataclasses
import keyword
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import libcst as cst

from .engine import Options, Result, analyse
from .findings import Finding
from .fixing import (
    Edit,
    FixError,
    SourceText,
    apply_edits,
    check_parses,
    edits_between,
    overlaps,
    unified_diff,
    write_fixed,
)
from .summary import Positions

SAFE = "safe"
UNSAFE = "unsafe"
SUGGESTION = "suggestion"

Pos = tuple[int, int, int, int]


@dataclass
class Fix:
    applicability: str
    message: str
    edits: list[Edit] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"applicability": self.applicability, "message": self.message,
                "edits": [e.as_json() for e in self.edits]}


class NoFix(Exception):
    """No edit is right here; the message is the suggestion."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---- parsed files ---------------------------------------------------------------------------------

_FLASK_MEMBERS = ("request", "session", "g", "current_app", "stream_with_context", "copy_current_request_context")


class Unit:
    """One parsed file: its tree, the position and parent of every node, and its module-level names."""

    def __init__(self, path: str, src: SourceText) -> None:
        self.path = path
        self.src = src
        try:
            self.module = cst.parse_module(src.text)
        except cst.ParserSyntaxError as exc:
            raise NoFix(f"{path} does not parse: {exc.message}") from exc
        self.pos = Positions(self.module)
        self.parent: dict[int, cst.CSTNode] = {}
        self.nodes: list[cst.CSTNode] = []
        self.index: dict[int, int] = {}
        self.module.visit(_Collect(self))
        self.flask: dict[str, str] = {}  # local name -> "flask" (the module) or "flask.<member>"
        self.imports: dict[str, str] = {}  # local name -> the dotted thing it imports
        self.names: set[str] = set()  # every name bound at module level
        self._scan_module()

    def _scan_module(self) -> None:
        for node in _preorder(self.module, into_scopes=False):
            if isinstance(node, cst.Import):
                for alias in node.names:
                    full = _dotted(alias.name)
                    local = _dotted(alias.asname.name) if alias.asname else full.split(".")[0]
                    target = full if alias.asname else full.split(".")[0]
                    self.imports[local] = target
                    self.names.add(local)
                    if target == "flask":
                        self.flask[local] = "flask"
            elif isinstance(node, cst.ImportFrom):
                mod = _dotted(node.module) if node.module is not None else ""
                if isinstance(node.names, cst.ImportStar):
                    continue
                for alias in node.names:
                    name = _dotted(alias.name)
                    local = _dotted(alias.asname.name) if alias.asname else name
                    self.names.add(local)
                    if not node.relative:
                        self.imports[local] = f"{mod}.{name}"
                        if mod == "flask" or mod.startswith("flask."):
                            self.flask[local] = f"flask.{name}"
            elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                self.names.add(node.name.value)
            elif isinstance(node, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.NamedExpr)):
                tgt = node.target
                for n in _preorder(tgt):
                    if isinstance(n, cst.Name):
                        self.names.add(n.value)
            elif isinstance(node, cst.AsName):
                for n in _preorder(node.name):
                    if isinstance(n, cst.Name):
                        self.names.add(n.value)

    def range(self, node: cst.CSTNode) -> Pos:
        return self.pos.of(node)

    def starting_at(self, line: int, col: int) -> list[cst.CSTNode]:
        return [n for n in self.nodes if self.range(n)[:2] == (line, col)]

    def spanning(self, pos: Pos, within: cst.CSTNode | None = None) -> cst.BaseExpression | None:
        """The outermost expression exactly at ``pos`` (inside ``within``)."""
        nodes = _preorder(within) if within is not None else iter(self.nodes)
        for n in nodes:
            if isinstance(n, cst.BaseExpression) and self.range(n) == pos:
                return n
        return None

    def up(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parent.get(id(node))

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        p = self.up(node)
        while p is not None:
            yield p
            p = self.up(p)

    def enclosing_function(self, node: cst.CSTNode) -> cst.FunctionDef | None:
        for a in self.ancestors(node):
            if isinstance(a, cst.FunctionDef):
                return a
        return None

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def line_of(self, node: cst.CSTNode) -> int:
        return self.range(node)[0]

    def flask_member(self, expr: cst.BaseExpression, scope: cst.CSTNode | None = None) -> str | None:
        """``request`` when ``expr`` is flask's request (``request``, ``req`` imported as it, ``fl.request``)."""
        if isinstance(expr, cst.Name):
            bound = self.flask.get(expr.value, "")
            if bound.startswith("flask.") and not (scope is not None and expr.value in _local_names(scope)):
                return bound[len("flask."):]
            return None
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            if self.flask.get(expr.value.value) == "flask" and not (
                    scope is not None and expr.value.value in _local_names(scope)):
                return expr.attr.value
        return None


class _Collect(cst.CSTVisitor):
    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.stack:
            self.unit.parent[id(node)] = self.stack[-1]
        self.unit.index[id(node)] = len(self.unit.nodes)
        self.unit.nodes.append(node)
        self.stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()


def _preorder(node: cst.CSTNode, into_scopes: bool = True) -> Iterator[cst.CSTNode]:
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if not into_scopes and n is not node and isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        stack.extend(reversed(n.children))


def _dotted(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _last_name(expr: cst.CSTNode) -> str:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return ""


def _local_names(scope: cst.CSTNode) -> set[str]:
    """Names a function binds itself (parameters, assignments, imports, nested defs)."""
    out: set[str] = set()
    if isinstance(scope, (cst.FunctionDef, cst.Lambda)):
        for p in _params(scope.params):
            out.add(p.name.value)
    body = scope.body if isinstance(scope, (cst.FunctionDef, cst.Lambda)) else scope
    for n in _preorder(body, into_scopes=False):
        if isinstance(n, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.NamedExpr)):
            for m in _preorder(n.target):
                if isinstance(m, cst.Name):
                    out.add(m.value)
        elif isinstance(n, cst.AsName):
            for m in _preorder(n.name):
                if isinstance(m, cst.Name):
                    out.add(m.value)
        elif isinstance(n, (cst.FunctionDef, cst.ClassDef)) and n is not scope:
            out.add(n.name.value)
        elif isinstance(n, cst.ImportAlias) and n.asname is None:
            out.add(_dotted(n.name).split(".")[0])
    return out


def _params(params: cst.Parameters) -> list[cst.Param]:
    out = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
    if isinstance(params.star_arg, cst.Param):
        out.append(params.star_arg)
    if isinstance(params.star_kwarg, cst.Param):
        out.append(params.star_kwarg)
    return out


def _all_names(node: cst.CSTNode) -> set[str]:
    """The variable names used anywhere in ``node`` (not attribute names or keywords of calls)."""
    skip: set[int] = set()
    out: set[str] = set()
    for n in _preorder(node):
        if isinstance(n, cst.Attribute):
            skip.add(id(n.attr))
        elif isinstance(n, cst.Arg) and n.keyword is not None:
            skip.add(id(n.keyword))
        elif isinstance(n, cst.Name) and id(n) not in skip:
            out.add(n.value)
    return out


class Sources:
    """Source texts by absolute path (what the fixes are computed from) and their parsed units."""

    def __init__(self, texts: dict[str, SourceText] | None = None) -> None:
        self.texts: dict[str, SourceText] = dict(texts or {})
        self._units: dict[str, Unit] = {}

    def text(self, path: str) -> SourceText:
        ap = os.path.abspath(path)
        if ap not in self.texts:
            self.texts[ap] = SourceText.read(ap)
        return self.texts[ap]

    def unit(self, path: str) -> Unit:
        ap = os.path.abspath(path)
        if ap in self._units and self._units[ap].path != path and not os.path.isabs(path):
            self._units[ap].path = path  # edits name files as the findings do
        if ap not in self._units:
            try:
                self._units[ap] = Unit(path, self.text(path))
            except (FixError, RecursionError) as exc:
                raise NoFix(f"{path} cannot be fixed: {exc}") from exc
        return self._units[ap]


class FixContext:
    """What fixes are computed against: the source texts and the project's files."""

    def __init__(self, sources: Sources | None = None, files: Iterable[str] | None = None) -> None:
        self.sources = sources or Sources()
        self.files = [os.path.abspath(f) for f in files] if files is not None else None

    def unit(self, path: str) -> Unit:
        return self.sources.unit(path)

    def project_files(self, path: str) -> list[str]:
        if self.files is None:
            from .discover import discover, find_project_root

            self.files = [f.abspath for f in discover([find_project_root(path)]).files]
        return self.files


# ---- one fix's changes to one file ---------------------------------------------------------------

Replacer = Callable[[Any], Any]


def _then(first: Replacer, second: Replacer) -> Replacer:
    return lambda n: second(first(n))


def _changes(**fields: Any) -> Replacer:
    return lambda n: n.with_changes(**fields)


def _becomes(node: cst.CSTNode) -> Replacer:
    return lambda _: node.deep_clone()


def _adds_kwonly(names: list[str]) -> Replacer:
    return lambda fn: fn.with_changes(params=_add_kwonly(fn.params, names))


class Change:
    """Node replacements and statement insertions in one file, applied in one libcst pass."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.replace: dict[int, Replacer] = {}
        self.before: dict[int, list[cst.BaseStatement]] = {}
        self.after: dict[int, list[cst.BaseStatement]] = {}
        self.remove: set[int] = set()
        self.flask_imports: list[str] = []
        self.module_imports: list[str] = []

    def sub(self, node: cst.CSTNode, fn: Replacer) -> None:
        prev = self.replace.get(id(node))
        self.replace[id(node)] = fn if prev is None else _then(prev, fn)

    def insert_before(self, stmt: cst.CSTNode, new: list[cst.BaseStatement], separate: bool = False) -> None:
        """Insert ``new`` before ``stmt``; the blank lines above ``stmt`` move above the first of them
        (``separate``: ``stmt`` keeps one blank line)."""
        if not new:
            return
        if id(stmt) not in self.before and isinstance(stmt, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            lines = list(stmt.leading_lines)
            blank = 0
            while blank < len(lines) and lines[blank].comment is None:
                blank += 1
            if blank or separate:
                new = [new[0].with_changes(leading_lines=lines[:blank])] + new[1:]  # type: ignore[call-arg]
                gap = [cst.EmptyLine(indent=False)] if separate else []
                self.sub(stmt, _changes(leading_lines=gap + lines[blank:]))
        self.before.setdefault(id(stmt), []).extend(new)

    def flask(self, member: str) -> str:
        """How this file names ``flask.<member>``, importing it if needed."""
        u = self.unit
        for local, bound in u.flask.items():
            if bound == f"flask.{member}":
                return local
        if member in self.flask_imports:
            return member
        if member in u.names or member in self.flask_imports:
            raise NoFix(f"{u.path} already binds `{member}` to something else")
        if _from_flask(u) is None:
            aliases = [local for local, bound in u.flask.items() if bound == "flask"]
            if aliases:
                return f"{aliases[0]}.{member}"
        self.flask_imports.append(member)
        return member

    def functools_partial(self) -> str:
        u = self.unit
        for local, bound in u.imports.items():
            if bound == "functools.partial":
                return local
            if bound == "functools":
                return f"{local}.partial"
        if "functools" in u.names:
            raise NoFix(f"{u.path} binds `functools` to something else")
        if "functools" not in self.module_imports:
            self.module_imports.append("functools")
        return "functools.partial"

    def _plan_imports(self) -> None:
        for mod in self.module_imports:  # the standard library's section comes first
            stmt = cst.parse_statement(f"import {mod}\n")
            assert isinstance(stmt, cst.SimpleStatementLine)
            self._add_import_statement(stmt, mod, False)
        if self.flask_imports:
            node = _from_flask(self.unit)
            names = sorted(self.flask_imports, key=_import_key)
            if node is not None:
                self.sub(node, lambda n: n.with_changes(names=_add_aliases(list(n.names), names)))
            else:
                stmt = cst.parse_statement(f"from flask import {', '.join(names)}\n")
                assert isinstance(stmt, cst.SimpleStatementLine)
                self._add_import_statement(stmt, "flask", True)

    def _add_import_statement(self, stmt: cst.SimpleStatementLine, module: str, is_from: bool) -> None:
        """Put a new import where isort would: in its section (stdlib, third party), in order."""
        body = list(self.unit.module.body)
        block: list[tuple[cst.SimpleStatementLine, int, tuple[bool, str]]] = []
        start = 0
        for i, s in enumerate(body):
            if i == 0 and _is_docstring(s):
                start = 1
                continue
            if not (isinstance(s, cst.SimpleStatementLine) and len(s.body) == 1
                    and isinstance(s.body[0], (cst.Import, cst.ImportFrom))):
                break
            imp = s.body[0]
            if isinstance(imp, cst.ImportFrom):
                name = _dotted(imp.module) if imp.module is not None else ""
                sec = 0 if name == "__future__" else 3 if imp.relative else _section(name)
                block.append((s, sec, (True, name)))
            else:
                name = _dotted(imp.names[0].name)
                block.append((s, _section(name), (False, name)))
        mine, key = _section(module), (is_from, module)
        same = [b for b in block if b[1] == mine]
        for s, _, k in same:
            if k > key:
                self.insert_before(s, [stmt])
                return
        if same:
            self.after.setdefault(id(same[-1][0]), []).append(stmt)
            return
        later = [b for b in block if b[1] > mine]
        if later:
            self.insert_before(later[0][0], [stmt], separate=True)
        elif block:
            self.after.setdefault(id(block[-1][0]), []).append(
                stmt.with_changes(leading_lines=[cst.EmptyLine(indent=False)]))
        elif len(body) > start:
            self.insert_before(body[start], [stmt], separate=True)
        else:
            self.after.setdefault(-1, []).append(stmt)

    def new_text(self) -> str:
        self._plan_imports()
        try:
            new = self.unit.module.visit(_Apply(self))
        except RecursionError as exc:
            raise NoFix(f"{self.unit.path} is nested too deeply to rewrite") from exc
        assert isinstance(new, cst.Module)
        if -1 in self.after:
            new = new.with_changes(body=list(new.body) + self.after[-1])
        return new.code

    def edits(self) -> list[Edit]:
        return edits_between(self.unit.path, self.unit.src.text, self.new_text())


class _Apply(cst.CSTTransformer):
    def __init__(self, change: Change) -> None:
        self.change = change

    def on_leave(self, original_node: Any, updated_node: Any) -> Any:
        ch = self.change
        fn = ch.replace.get(id(original_node))
        if fn is not None:
            updated_node = fn(updated_node)
        if isinstance(original_node, (cst.Module, cst.IndentedBlock)) and (ch.before or ch.after or ch.remove):
            old = list(original_node.body)
            new = list(updated_node.body)
            if len(old) == len(new):
                body: list[Any] = []
                for o, n in zip(old, new):
                    body.extend(ch.before.get(id(o), []))
                    if id(o) not in ch.remove:
                        body.append(n)
                    body.extend(ch.after.get(id(o), []))
                if body != new:
                    updated_node = updated_node.with_changes(body=body)
        return updated_node


def _section(module: str) -> int:
    """isort's section of a module: 1 the standard library, 2 third party."""
    top = module.split(".")[0]
    std = getattr(sys, "stdlib_module_names", None)
    return 1 if std is not None and top in std else 2


def _from_flask(u: Unit) -> cst.ImportFrom | None:
    for stmt in u.module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for x in stmt.body:
                if (isinstance(x, cst.ImportFrom) and not x.relative and x.module is not None
                        and _dotted(x.module) == "flask" and not isinstance(x.names, cst.ImportStar)):
                    return x
    return None


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _multiline(comma: Any) -> bool:
    return isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)


_SPACE_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _append_items(items: list[Any], new: list[Any], opening: Any = None) -> list[Any]:
    """Arguments, dict elements or imported names with ``new`` appended in the same layout (``opening``: the
    whitespace after the opening bracket, for brackets whose closing line is not in the last comma)."""
    if not new:
        return items
    if not items:
        return [x.with_changes(comma=_SPACE_COMMA) for x in new[:-1]] + [new[-1]]
    last = items[-1]
    if isinstance(last.comma, cst.Comma) and not _multiline(last.comma) and (
            isinstance(opening, cst.ParenthesizedWhitespace) or any(_multiline(x.comma) for x in items[:-1])):
        sep = next((x.comma for x in items[:-1] if _multiline(x.comma)), None) or cst.Comma(whitespace_after=opening)
        return (items[:-1] + [last.with_changes(comma=sep)] + [x.with_changes(comma=sep) for x in new[:-1]]
                + [new[-1].with_changes(comma=last.comma)])
    if _multiline(last.comma):
        sep = next((x.comma for x in items[:-1] if _multiline(x.comma)), last.comma)
        if not _multiline(sep) or len(items) == 1:
            sep = last.comma.with_changes(whitespace_after=last.comma.whitespace_after.with_changes(
                last_line=_indent_of(items, last)))
        return (items[:-1] + [last.with_changes(comma=sep)] + [x.with_changes(comma=sep) for x in new[:-1]]
                + [new[-1].with_changes(comma=last.comma)])
    trailing = isinstance(last.comma, cst.Comma)
    out = items[:-1] + [last.with_changes(comma=_SPACE_COMMA)] + [x.with_changes(comma=_SPACE_COMMA) for x in new]
    if not trailing:
        out[-1] = out[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return out


def _import_key(name: str) -> tuple[int, str, str]:
    """isort's and ruff's default order of imported names: CONSTANTS, Classes, functions; case-insensitive."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower(), name


def _add_aliases(items: list[cst.ImportAlias], names: list[str]) -> list[cst.ImportAlias]:
    """``names`` added to an import's names: in order when the names are sorted, else at the end."""
    keys = [_import_key(_dotted(a.name)) for a in items]
    if keys != sorted(keys) or any(a.asname is not None for a in items):
        return _append_items(items, [cst.ImportAlias(cst.Name(x)) for x in names])
    for name in sorted(names, key=_import_key):
        keys = [_import_key(_dotted(a.name)) for a in items]
        at = bisect.bisect(keys, _import_key(name))
        if at == len(items):
            items = _append_items(items, [cst.ImportAlias(cst.Name(name))])
        else:
            sep = items[at - 1].comma if at > 0 else (items[0].comma if len(items) > 1 else _SPACE_COMMA)
            if not isinstance(sep, cst.Comma):
                sep = _SPACE_COMMA
            items = items[:at] + [cst.ImportAlias(cst.Name(name), comma=sep)] + items[at:]
    return items


def _indent_of(items: list[Any], last: Any) -> cst.SimpleWhitespace:
    """The indentation of the items of a one-item multi-line list (the bracket's line + 4 spaces)."""
    ws = last.comma.whitespace_after
    return cst.SimpleWhitespace(ws.last_line.value + "    ")


def _add_kwonly(params: cst.Parameters, names: list[str]) -> cst.Parameters:
    new = [cst.Param(cst.Name(n)) for n in names]
    star = params.star_arg
    elems: list[Any] = (list(params.posonly_params) + list(params.params)
                        + ([star] if not isinstance(star, cst.MaybeSentinel) else []) + list(params.kwonly_params)
                        + ([params.star_kwarg] if params.star_kwarg is not None else []))
    if elems and _multiline(elems[-1].comma):
        last = elems[-1]
        sep = next((x.comma for x in elems[:-1] if _multiline(x.comma)), last.comma)
        new = [p.with_changes(comma=sep) for p in new]
        kwonly = list(params.kwonly_params)
        if params.star_kwarg is not None:
            return params.with_changes(star_arg=star if not isinstance(star, cst.MaybeSentinel)
                                       else cst.ParamStar(comma=sep), kwonly_params=kwonly + new)
        new[-1] = new[-1].with_changes(comma=last.comma)
        if isinstance(star, cst.MaybeSentinel):
            star = cst.ParamStar(comma=sep)
            plist = list(params.params)
            if plist:
                plist[-1] = plist[-1].with_changes(comma=sep)
            return params.with_changes(params=plist, star_arg=star, kwonly_params=new)
        if kwonly:
            kwonly[-1] = kwonly[-1].with_changes(comma=sep)
        else:
            star = star.with_changes(comma=sep)
        return params.with_changes(star_arg=star, kwonly_params=kwonly + new)
    if isinstance(star, cst.MaybeSentinel):
        star = cst.ParamStar()
    return params.with_changes(star_arg=star, kwonly_params=list(params.kwonly_params) + new)


def _wrap_body(fn: cst.FunctionDef, app: str) -> cst.FunctionDef:
    body = fn.body
    if not isinstance(body, cst.IndentedBlock):
        raise NoFix(f"{fn.name.value}() is written on one line")
    stmts = list(body.body)
    head = [stmts.pop(0)] if stmts and _is_docstring(stmts[0]) else []
    if not stmts:
        raise NoFix(f"{fn.name.value}() has no body to wrap")
    with_ = cst.With(items=[cst.WithItem(cst.parse_expression(f"{app}.app_context()"))],
                     body=cst.IndentedBlock(body=stmts))
    return fn.with_changes(body=body.with_changes(body=head + [with_]))


def _fresh(base: str, taken: set[str], prefix: str = "") -> str:
    """A new name from ``base`` (then ``prefix_base``, then numbered) that is not in ``taken``."""
    name = re.sub(r"[^0-9a-zA-Z_]+", "_", base).strip("_").lower() or "value"
    if name[0].isdigit():
        name = "_" + name
    if keyword.iskeyword(name) or name in _BUILTINS:
        name += "_value"
    candidates = [name] + ([f"{prefix}_{name}"] if prefix and not name.startswith(prefix) else [])
    out = next((c for c in candidates if c not in taken), "")
    n = 2
    while not out:
        out = f"{name}_{n}" if f"{name}_{n}" not in taken else ""
        n += 1
    taken.add(out)
    return out


_BUILTINS = frozenset(dir(__import__("builtins")))


# ---- the spawn site ---------------------------------------------------------------------------

@dataclass
class Spawn:
    unit: Unit
    call: cst.Call
    arg: cst.Arg | None  # the argument holding the target
    partial: cst.Call | None  # functools.partial(target, ...) holding it
    lam: cst.Lambda | None  # a lambda target written in the call
    target_name: str

    @property
    def callee(self) -> str:
        return _last_name(self.call.func)

    def statement(self) -> tuple[cst.CSTNode, cst.CSTNode]:
        """The statement the spawn call is evaluated in, and its block."""
        u = self.unit
        node: cst.CSTNode = self.call
        for a in u.ancestors(self.call):
            if isinstance(a, (cst.Lambda, cst.FunctionDef, cst.ClassDef, cst.ListComp, cst.SetComp, cst.DictComp,
                              cst.GeneratorExp)):
                raise NoFix(f"the call at {u.path}:{u.line_of(self.call)} is not a statement of its own")
            if isinstance(a, (cst.IndentedBlock, cst.Module)):
                return node, a
            if isinstance(a, cst.SimpleStatementSuite):
                raise NoFix(f"the call at {u.path}:{u.line_of(self.call)} shares its line with a compound statement")
            node = a
        raise NoFix("no statement")

    def function(self) -> cst.FunctionDef | None:
        return self.unit.enclosing_function(self.call)


_LAMBDA = re.compile(r"<lambda:(\d+):(\d+)>$")
_THREAD_CLASSES = ("Thread", "Timer", "Process")
_FORWARDS_KWARGS = ("submit", "spawn", "spawn_later", "spawn_n", "spawn_after", "start_background_task")
# parameters of the spawners whose extra keyword arguments go to the target (submit, spawn, start_background_task)
_SPAWN_KEYWORDS = frozenset({"fn", "func", "target", "run", "seconds"})


def _target_name(f: Finding) -> str:
    if f.target is None:
        return ""
    return f.target[2].split(":", 1)[-1].split(".")[-1]


def _spawn(f: Finding, ctx: FixContext) -> Spawn:
    u = ctx.unit(f.path)
    name = _target_name(f)
    lam_at = _LAMBDA.match(name)
    calls = [n for n in u.starting_at(f.line, f.column - 1) if isinstance(n, cst.Call)]
    if not calls:
        raise NoFix(f"no call at {f.path}:{f.line}:{f.column}")
    for call in reversed(calls):  # innermost first: Thread(...) before Thread(...).start()
        for arg in call.args:
            v = arg.value
            if lam_at and isinstance(v, cst.Lambda) and u.range(v)[:2] == (int(lam_at[1]), int(lam_at[2])):
                return Spawn(u, call, arg, None, v, name)
            if name and _last_name(v) == name:
                return Spawn(u, call, arg, None, None, name)
            if (isinstance(v, cst.Call) and _last_name(v.func) == "partial" and v.args
                    and _last_name(v.args[0].value) == name and name):
                return Spawn(u, call, arg, v, None, name)
    return Spawn(u, calls[-1], None, None, None, name)


def _is_process(f: Finding) -> bool:
    return f.process


def _pass_values(spawn: Spawn, ch: Change, pairs: list[tuple[str, cst.BaseExpression]]) -> str:
    """Hand ``name=value`` pairs to the target at the spawn call; returns how, for the message."""
    if spawn.arg is None:
        raise NoFix("the target is not an argument of the call")
    kws = [cst.Arg(value=v, keyword=cst.Name(n), equal=cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))) for n, v in pairs]
    if spawn.partial is not None:
        ch.sub(spawn.partial, lambda c: c.with_changes(args=_append_items(list(c.args), kws)))
        return "keyword arguments of functools.partial"
    positional = sum(1 for a in spawn.call.args if a.keyword is None and not a.star)
    if spawn.callee in _THREAD_CLASSES and positional < (4 if spawn.callee == "Timer" else 5):
        existing = next((a for a in spawn.call.args if a.keyword is not None and a.keyword.value == "kwargs"), None)
        elems = [cst.DictElement(cst.SimpleString(f'"{n}"'), v) for n, v in pairs]
        if existing is None:
            ch.sub(spawn.call, lambda c: c.with_changes(args=_append_items(list(c.args), [cst.Arg(
                value=cst.Dict(elems), keyword=cst.Name("kwargs"), equal=kws[0].equal)])))
            return "kwargs="
        if isinstance(existing.value, cst.Dict):
            ch.sub(existing.value, lambda d: d.with_changes(elements=_append_items(
                list(d.elements), elems, d.lbrace.whitespace_after)))
            return "kwargs="
    elif spawn.callee in _FORWARDS_KWARGS and spawn.arg.keyword is None and spawn.lam is None:
        ch.sub(spawn.call, lambda c: c.with_changes(args=_append_items(list(c.args), kws)))
        return "keyword arguments"
    partial = ch.functools_partial()
    target = spawn.arg.value
    ch.sub(target, lambda t: cst.Call(cst.parse_expression(partial), [cst.Arg(t.with_changes(
        lpar=[], rpar=[]) if isinstance(t, cst.Name) else t)] + kws))
    return partial


# ---- reads that can be made in the caller ------------------------------------------------------

_READ_METHODS = frozenset({"get", "getlist", "get_json", "get_data", "to_dict", "best_match", "copy"})
_MAY_RAISE = frozenset({"json", "form", "data", "values", "get_json", "get_data"})
_NOT_PORTABLE = frozenset({"files", "stream", "input_stream", "environ", "_get_current_object"})
_GENERIC = frozenset({"args", "form", "json", "data", "values", "headers", "cookies", "method", "path", "url",
                      "get_json", "get_data", "environ", "view_args", "endpoint", "host", "scheme"})
_CONDITIONAL = (cst.If, cst.Else, cst.For, cst.While, cst.Try, cst.TryStar, cst.ExceptHandler, cst.Finally, cst.With,
                cst.Match, cst.IfExp, cst.BooleanOperation, cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp,
                cst.GeneratorExp)


@dataclass
class Read:
    node: cst.BaseExpression  # the whole read, e.g. request.args.get("lang", "en")
    root: cst.BaseExpression  # request / fl.request / req
    member: str  # the flask member it starts from
    name: str  # a parameter name for it
    may_raise: bool
    conditional: bool
    text: str
    names: set[str]  # module-level names its arguments use


def _literal(node: cst.CSTNode, unit: Unit, names: set[str]) -> bool:
    if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float, cst.ConcatenatedString)):
        return True
    if isinstance(node, cst.Name):
        if node.value in ("None", "True", "False"):
            return True
        if node.value in unit.names:
            names.add(node.value)
            return True
        return False
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return all(_literal(e.value, unit, names) for e in node.elements if isinstance(e, cst.Element))
    if isinstance(node, cst.UnaryOperation):
        return _literal(node.expression, unit, names)
    return False


def _key(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.SimpleString):
        v = node.evaluated_value
        return v if isinstance(v, str) else None
    return None


def _read(u: Unit, use: cst.BaseExpression, scope: cst.FunctionDef | cst.Lambda) -> Read | None:
    node = use
    parent = u.up(node)
    names: set[str] = set()
    if (isinstance(parent, cst.Subscript) and parent.value is node and len(parent.slice) == 1
            and isinstance(parent.slice[0].slice, cst.Index)
            and _literal(parent.slice[0].slice.value, u, names)):
        node = parent
    # stores and deletions are not reads
    for a in u.ancestors(node):
        if isinstance(a, (cst.AssignTarget, cst.Del)) or (
                isinstance(a, (cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr)) and _inside(u, node, a.target)):
            return None
        if isinstance(a, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
            break
    steps: list[str] = []
    key: str | None = None
    cur: cst.BaseExpression = node
    if isinstance(cur, cst.Subscript):
        key = _key(cur.slice[0].slice.value)  # type: ignore[attr-defined]
        steps.append("[]")
        cur = cur.value
    if isinstance(cur, cst.Call):
        if not isinstance(cur.func, cst.Attribute) or cur.func.attr.value not in _READ_METHODS:
            return None
        if any(a.star or not _literal(a.value, u, names) for a in cur.args):
            return None
        method = cur.func.attr.value
        if method in ("get", "getlist") and cur.args:
            key = key or _key(cur.args[0].value)
        steps.append(method)
        cur = cur.func.value
    member = u.flask_member(cur, scope)
    while member is None and isinstance(cur, cst.Attribute):
        steps.append(cur.attr.value)
        cur = cur.value
        member = u.flask_member(cur, scope)
    if member not in ("request", "session", "g", "current_app") or not steps or steps == ["[]"] and member != "session":
        return None
    attrs = [s for s in reversed(steps) if s != "[]"]
    if any(s in _NOT_PORTABLE or s.startswith("_") for s in attrs):
        return None
    may_raise = bool(set(attrs) & _MAY_RAISE) or "[]" in steps or (member == "g" and attrs[0] not in _READ_METHODS)
    conditional = False
    for a in u.ancestors(node):
        if a is scope:
            break
        if isinstance(a, _CONDITIONAL) or isinstance(a, (cst.FunctionDef, cst.ClassDef)):
            conditional = True
    if key:
        name = key
    else:
        plain = [s for s in attrs if s not in ("get", "getlist")]
        last = plain[-1].replace("get_", "") if plain else member
        name = f"{member}_{last}" if member == "request" and last in _GENERIC or member == "session" else last
        if len(plain) > 1 and plain[-1] in _READ_METHODS:
            name = "_".join(plain[-2:])
    return Read(node, cur, member, name, may_raise, conditional, u.code(node), names)


def _inside(u: Unit, node: cst.CSTNode, container: cst.CSTNode) -> bool:
    return node is container or any(a is container for a in u.ancestors(node))


def _target_def(f: Finding, ctx: FixContext, spawn: Spawn) -> tuple[Unit, cst.FunctionDef | cst.Lambda, str]:
    """The target's node and where it lives: "module" (a top-level def), "closure" (a def in the spawning
    function), "lambda" (written in the spawn call)."""
    if f.target is None:
        raise NoFix("the target is not a project function")
    tpath, tline, tqual = f.target
    if spawn.lam is not None:
        return spawn.unit, spawn.lam, "lambda"
    tu = ctx.unit(tpath)
    name = _target_name(f)
    for n in tu.nodes:
        if isinstance(n, cst.FunctionDef) and n.name.value == name and tu.range(n)[0] == tline:
            parent = tu.up(n)
            if isinstance(parent, cst.Module):
                return tu, n, "module"
            holder = tu.enclosing_function(n)
            if (holder is not None and tu is spawn.unit and holder is spawn.function()
                    and isinstance(parent, cst.IndentedBlock) and tu.up(parent) is holder):
                return tu, n, "closure"
            raise NoFix(f"{name}() is a method or nested function; move the reads into its caller by hand")
    raise NoFix(f"cannot find {tqual} at {tpath}:{tline}")


def _references(ctx: FixContext, name: str, where: str) -> int:
    """How often the project refers to ``name`` besides defining and importing it."""
    word = re.compile(rf"\b{re.escape(name)}\b")
    count = 0
    for path in ctx.project_files(where):
        try:
            text = ctx.sources.text(path).text
        except FixError:
            continue
        if not word.search(text):
            continue
        try:
            u = ctx.unit(path)
        except NoFix:
            count += 1
            continue
        for n in u.nodes:
            if isinstance(n, cst.Name) and n.value == name:
                p = u.up(n)
                if isinstance(p, (cst.ImportAlias, cst.AsName, cst.Param)):
                    continue
                if isinstance(p, (cst.FunctionDef, cst.ClassDef)) and p.name is n:
                    continue
                if isinstance(p, cst.Arg) and p.keyword is n:
                    continue
                if isinstance(p, cst.Attribute) and p.attr is n and isinstance(u.up(p), cst.ImportAlias):
                    continue
                count += 1
    return count


def _hoist(f: Finding, ctx: FixContext, spawn: Spawn, process: bool) -> Fix:
    """Read the request data in the caller and hand it to the target as new parameters."""
    tu, tnode, where = _target_def(f, ctx, spawn)
    tqual = f.target[2] if f.target else ""
    label = _label(f)
    if any(q != tqual for *_, q in f.uses):
        inner = sorted({_short(q) for *_, q in f.uses if q != tqual})
        raise NoFix(f"{_short(tqual)}() reaches the request through {', '.join(x + '()' for x in inner)}")
    reads: list[Read] = []
    for path, line, col, end_line, end_col, text, _ in f.uses:
        node = tu.spanning((line, col - 1, end_line, end_col - 1), tnode)
        r = _read(tu, node, tnode) if node is not None else None
        if r is None:
            raise NoFix(f"`{text}` at {path}:{line} is not a plain read that can be made before the {label} starts")
        reads.append(r)
    safe = not process
    why: list[str] = []
    if process:
        why.append("the values must be picklable to reach another process")
    if any(r.conditional and r.may_raise for r in reads):
        safe = False
        why.append("a read that only happened on some paths (and may raise) now always happens in the caller")
    caller = spawn.function()
    caller_name = caller.name.value if caller is not None else "the module"
    ch = Change(spawn.unit)
    if where == "module":
        assert isinstance(tnode, cst.FunctionDef)
        if tu is not spawn.unit and any(r.names for r in reads):
            raise NoFix("the reads use names of the target's module")
        taken = _all_names(tnode) | _SPAWN_KEYWORDS
        params: dict[str, str] = {}
        tch = ch if tu is spawn.unit else Change(tu)
        for r in reads:  # `token = request.headers.get(...)`: the parameter takes the variable's place
            found = _only_assignment(tu, tnode, r)
            if found is not None and r.text not in params and found[0] not in params.values():
                params[r.text] = found[0]
                tch.remove.add(id(found[1]))
        for r in reads:
            if r.text not in params:
                params[r.text] = _fresh(r.name, taken, r.member)
        for r in reads:
            tch.sub(r.node, _becomes(cst.Name(params[r.text])))
        tch.sub(tnode, _adds_kwonly(list(params.values())))
        pairs: list[tuple[str, cst.BaseExpression]] = []
        done: set[str] = set()
        for r in reads:
            if r.text in done:
                continue
            done.add(r.text)
            root = cst.parse_expression(ch.flask(r.member)) if tu is not spawn.unit else r.root
            pairs.append((params[r.text], r.node.deep_replace(r.root, root)))  # type: ignore[arg-type]
        how = _pass_values(spawn, ch, pairs)
        if tnode.decorators:
            safe = False
            why.append(f"{tnode.name.value}() is decorated")
        refs = _references(ctx, tnode.name.value, tu.path)
        if refs != 1:
            safe = False
            why.append(f"{tnode.name.value}() is used elsewhere too: those callers must pass the new "
                       f"argument{'s' if len(params) > 1 else ''}")
        edits = ch.edits() + (tch.edits() if tch is not ch else [])
        plist = ", ".join(params.values())
        msg = (f"read {', '.join(sorted(params))} in {caller_name}() before starting the {label} and pass "
               f"{'it' if len(params) == 1 else 'them'} to {tnode.name.value}() as {plist} ({how})")
    else:
        if caller is None:
            raise NoFix("the spawn call is not in a function")
        stmt, _ = spawn.statement()
        taken = _all_names(caller) | tu.names
        locals_: dict[str, str] = {}
        new_stmts: list[cst.BaseStatement] = []
        for r in reads:
            if r.text not in locals_:
                locals_[r.text] = _fresh(r.name, taken, r.member)
                new_stmts.append(cst.SimpleStatementLine([cst.Assign(
                    [cst.AssignTarget(cst.Name(locals_[r.text]))], r.node)]))
            ch.sub(r.node, _becomes(cst.Name(locals_[r.text])))
        ch.insert_before(stmt, new_stmts)
        if where == "closure":
            assert isinstance(tnode, cst.FunctionDef)
            uses = sum(1 for n in _preorder(caller) if isinstance(n, cst.Name) and n.value == tnode.name.value
                       and n is not tnode.name)
            if uses != 1:
                safe = False
                why.append(f"{tnode.name.value}() is used elsewhere in {caller_name}() too")
        edits = ch.edits()
        what = "the lambda" if where == "lambda" else f"{_last(tqual)}()"
        msg = (f"read {', '.join(sorted(locals_))} in {caller_name}() before starting the {label} and let "
               f"{what} use the local{'s' if len(locals_) > 1 else ''} {', '.join(locals_.values())}")
    if why:
        msg += f" [unsafe: {'; '.join(why)}]"
    return Fix(SAFE if safe else UNSAFE, msg, edits)


def _only_assignment(u: Unit, fn: cst.FunctionDef, r: Read) -> tuple[str, cst.SimpleStatementLine] | None:
    """``(name, statement)`` when ``r`` is the whole value of ``name = <read>``, a plain statement of ``fn``'s
    body that is the only binding of ``name`` and comes before every use of it."""
    stmt = u.up(r.node)
    line = u.up(stmt) if stmt is not None else None
    if not (isinstance(stmt, cst.Assign) and stmt.value is r.node and len(stmt.targets) == 1
            and isinstance(stmt.targets[0].target, cst.Name) and isinstance(line, cst.SimpleStatementLine)
            and len(line.body) == 1 and u.up(line) is fn.body and line.trailing_whitespace.comment is None
            and all(e.comment is None for e in line.leading_lines)):
        return None
    name = stmt.targets[0].target.value
    if name in _SPAWN_KEYWORDS or name in {p.name.value for p in _params(fn.params)}:
        return None
    at = u.range(line)[:2]
    if name in _local_names_except(fn, line):
        return None
    for n in _preorder(fn.body):
        if isinstance(n, (cst.Global, cst.Nonlocal)) and any(x.name.value == name for x in n.names):
            return None
        if isinstance(n, cst.Name) and n.value == name and n is not stmt.targets[0].target:
            p = u.up(n)
            if isinstance(p, cst.Attribute) and p.attr is n or isinstance(p, cst.Arg) and p.keyword is n:
                continue
            if u.range(n)[:2] <= at:
                return None
    return name, line


def _local_names_except(fn: cst.FunctionDef, line: cst.CSTNode) -> set[str]:
    """Names ``fn`` binds other than in ``line``."""
    inside = {id(x) for x in _preorder(line)}
    out: set[str] = set()
    for n in _preorder(fn.body, into_scopes=False):
        if id(n) in inside:
            continue
        if isinstance(n, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.NamedExpr)):
            out |= {m.value for m in _preorder(n.target) if isinstance(m, cst.Name)}
        elif isinstance(n, cst.AsName):
            out |= {m.value for m in _preorder(n.name) if isinstance(m, cst.Name)}
        elif isinstance(n, (cst.FunctionDef, cst.ClassDef)):
            out.add(n.name.value)
    return out


def _short(qual: str) -> str:
    from .graph import short_name

    return short_name(qual)


def _last(qual: str) -> str:
    return qual.split(":", 1)[-1].split(".")[-1]


def _label(f: Finding) -> str:
    head = f.message.split(";")[0]
    m = re.match(r"(.*?) \S+\(\) reaches", head)
    return m.group(1) if m else "worker"


def _uses_text(f: Finding) -> str:
    seen: list[str] = []
    for path, line, *_rest in f.uses:
        text = _rest[3]
        item = f"`{text}` ({path}:{line})"
        if item not in seen:
            seen.append(item)
    if not seen:
        return "the context locals it uses"
    return ", ".join(seen[:3]) + (f" and {len(seen) - 3} more" if len(seen) > 3 else "")


# ---- the fixes, one per code --------------------------------------------------------------------

def _fix_stream(f: Finding, ctx: FixContext) -> Fix:
    u = ctx.unit(f.path)
    name = _target_name(f)
    starts = u.starting_at(f.line, f.column - 1)
    if not starts:
        raise NoFix(f"wrap the generator handed over at {f.path}:{f.line} in stream_with_context(...)")
    outer = starts[0]
    node: cst.BaseExpression | None = None
    for n in _preorder(outer):
        if isinstance(n, cst.Call) and name and _last_name(n.func) == name:
            node = n
            break
    if node is None:
        for n in starts:
            if isinstance(n, cst.Call):
                arg = next((a for a in n.args if a.keyword is None or a.keyword.value == "response"), None)
                if arg is not None:
                    node = arg.value
                    break
            if isinstance(n, cst.Return) and n.value is not None:
                node = n.value
                if isinstance(node, cst.Tuple) and node.elements:  # return body, status, headers
                    node = node.elements[0].value
                break
    if node is None:
        raise NoFix(f"wrap the generator handed over at {f.path}:{f.line} in stream_with_context(...)")
    p = u.up(node)
    if isinstance(p, cst.Arg) and isinstance(u.up(p), cst.Call):
        holder = u.up(p)
        assert isinstance(holder, cst.Call)
        if u.flask_member(holder.func) == "stream_with_context" or _last_name(holder.func) == "stream_with_context":
            raise NoFix("already wrapped in stream_with_context")
    ch = Change(u)
    swc = ch.flask("stream_with_context")
    ch.sub(node, lambda n: cst.Call(cst.parse_expression(swc), [cst.Arg(n)]))
    return Fix(SAFE, f"wrap {u.code(node)} in {swc}(...) so the body keeps the request context while it streams "
                     f"(line {u.line_of(node)})", ch.edits())


def _fix_request_thread(f: Finding, ctx: FixContext) -> Fix:
    spawn = _spawn(f, ctx)
    process = _is_process(f)
    label = _label(f)
    target = f"{_target_name(f)}()" if f.target else "the target"
    try:
        return _hoist(f, ctx, spawn, process)
    except NoFix as exc:
        reason = exc.message
    if process:
        raise NoFix(f"read {_uses_text(f)} in the view before starting the {label} at line {f.line} and pass the "
                    f"values to {target} as arguments (a request cannot reach another process; {reason})")
    if spawn.arg is None:
        raise NoFix(f"read {_uses_text(f)} before the {label} starts at {f.path}:{f.line} and pass the values in, "
                    f"or start it with copy_current_request_context ({reason})")
    value = spawn.arg.value
    p = spawn.unit.up(spawn.arg)
    if isinstance(value, cst.Call) and _last_name(value.func) == "copy_current_request_context" or (
            isinstance(p, cst.Call) and _last_name(p.func) == "copy_current_request_context"):
        raise NoFix("already wrapped in copy_current_request_context")
    ch = Change(spawn.unit)
    cc = ch.flask("copy_current_request_context")
    ch.sub(value, lambda n: cst.Call(cst.parse_expression(cc), [cst.Arg(n)]))
    return Fix(UNSAFE, f"wrap {spawn.unit.code(value)} in {cc}(...) at line {spawn.unit.line_of(value)}: the {label} "
                       f"then runs in a copy of the request context and keeps the request alive until it ends "
                       f"(a safe edit is not possible: {reason})", ch.edits())


def _fix_app_thread(f: Finding, ctx: FixContext) -> Fix:
    spawn = _spawn(f, ctx)
    label = _label(f)
    try:  # config values and g attributes read up front need no application context at all
        return _hoist(f, ctx, spawn, _is_process(f))
    except NoFix:
        pass
    if _is_process(f):
        raise NoFix(f"the {label} at line {f.line} runs in another process: create or import the app there and "
                    f"wrap the body of {_target_name(f)}() in `with app.app_context():`")
    try:
        tu, tnode, where = _target_def(f, ctx, spawn)
    except NoFix as exc:
        raise NoFix(f"pass current_app._get_current_object() to the {label} at line {f.line} and push "
                    f"`with app.app_context():` in it ({exc.message})") from exc
    ch = Change(spawn.unit)
    real = f"{ch.flask('current_app')}._get_current_object()"
    caller = spawn.function()
    if where == "module":
        assert isinstance(tnode, cst.FunctionDef)
        app = _fresh("app", _all_names(tnode) | _SPAWN_KEYWORDS)
        tch = ch if tu is spawn.unit else Change(tu)
        tch.sub(tnode, lambda fn: _wrap_body(fn, app).with_changes(params=_add_kwonly(fn.params, [app])))
        how = _pass_values(spawn, ch, [(app, cst.parse_expression(real))])
        edits = ch.edits() + (tch.edits() if tch is not ch else [])
        msg = (f"pass {real} to {tnode.name.value}() as {app} ({how}) and run its body in "
               f"`with {app}.app_context():`")
        if _references(ctx, tnode.name.value, tu.path) != 1:
            msg += f"; other callers of {tnode.name.value}() must pass {app} too"
    else:
        if caller is None:
            raise NoFix("the spawn call is not in a function")
        stmt, _ = spawn.statement()
        taken = _all_names(caller) | spawn.unit.names
        app = _fresh("app", taken)
        new: list[cst.BaseStatement] = [cst.parse_statement(f"{app} = {real}\n")]
        if where == "closure":
            assert isinstance(tnode, cst.FunctionDef)
            ch.sub(tnode, lambda fn: _wrap_body(fn, app))
            what = f"{tnode.name.value}()"
        else:
            assert isinstance(tnode, cst.Lambda)
            fname = _fresh("run_with_app", taken)
            body = tnode.body
            if "\n" in spawn.unit.code(body) and not body.lpar:
                body = body.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
            fn = cst.FunctionDef(cst.Name(fname), tnode.params,
                                 cst.IndentedBlock([cst.SimpleStatementLine([cst.Return(body)])]),
                                 leading_lines=[cst.EmptyLine(indent=False)])
            new.append(_wrap_body(fn, app))
            ch.sub(tnode, _becomes(cst.Name(fname)))
            what = f"the lambda (now {fname}())"
        ch.insert_before(stmt, new, separate=where == "lambda")
        edits = ch.edits()
        msg = f"take {real} as {app} before starting the {label} and run {what} in `with {app}.app_context():`"
    return Fix(UNSAFE, msg, edits)


def _fix_proxy(f: Finding, ctx: FixContext) -> Fix:
    u = ctx.unit(f.path)
    proxies = f.proxies or []
    plain = ", ".join(f"`{p}`" for p in proxies) or "the proxy"
    calls = [n for n in u.starting_at(f.line, f.column - 1) if isinstance(n, cst.Call)]
    if f.kind == "handover" or not calls:
        raise NoFix(f"pass the plain values the job needs instead of {plain} at line {f.line} (a proxy is bound to "
                    f"the request or app context that created it)")
    call = calls[-1]
    for c in reversed(calls):
        if any(u.code(n) in proxies for n in _preorder(c) if isinstance(n, (cst.Name, cst.Attribute))):
            call = c
            break
    fn = u.enclosing_function(call)
    ch = Change(u)
    fixed: list[str] = []
    for proxy in proxies:
        direct = [n for n in _preorder(call) if isinstance(n, (cst.Name, cst.Attribute)) and u.code(n) == proxy
                  and not isinstance(u.up(n), cst.Attribute) and not _is_keyword(u, n)]
        member = next((u.flask_member(n, fn) for n in direct if u.flask_member(n, fn)), None)
        if member is None and fn is not None and proxy.isidentifier():
            assigns = [a for a in _preorder(fn.body) if isinstance(a, cst.Assign)
                       and any(isinstance(t.target, cst.Name) and t.target.value == proxy for t in a.targets)]
            if len(assigns) == 1 and len(assigns[0].targets) == 1 and u.flask_member(assigns[0].value, fn):
                alias = assigns[0]
                if u.flask_member(alias.value, fn) == "current_app" and not _is_process(f):
                    ch.sub(alias.value, lambda n: cst.parse_expression(f"{u.code(n)}._get_current_object()"))
                    fixed.append(f"`{proxy} = {u.code(alias.value)}` (line {u.line_of(alias)})")
                    continue
        if member != "current_app" or _is_process(f) or _process_pool(u, call):
            what = {"request": "the request data the worker needs (e.g. request.path, request.get_json())",
                    "session": "the session values the worker needs (e.g. session.get('user_id'))",
                    "g": "the values of g the worker needs"}.get(member or "", "the plain values the worker needs")
            raise NoFix(f"pass {what} instead of {plain} at {f.path}:{f.line}: a proxy only works in the context "
                        f"that created it")
        outside = [n for n in direct if not any(isinstance(a, cst.Lambda) for a in _between(u, n, call))]
        if len(outside) != len(direct) or not direct:
            raise NoFix(f"pass {plain}._get_current_object() instead of {plain} at line {f.line}")
        for n in direct:
            ch.sub(n, lambda x: cst.parse_expression(f"{u.code(x)}._get_current_object()"))
            fixed.append(f"`{proxy}` (line {u.line_of(n)})")
    return Fix(SAFE, f"hand the real application object over instead of the proxy: "
                     f"{', '.join(fixed)} → ._get_current_object()", ch.edits())


def _is_keyword(u: Unit, n: cst.CSTNode) -> bool:
    p = u.up(n)
    return isinstance(p, cst.Arg) and p.keyword is n


def _between(u: Unit, node: cst.CSTNode, top: cst.CSTNode) -> Iterator[cst.CSTNode]:
    for a in u.ancestors(node):
        if a is top:
            return
        yield a


def _process_pool(u: Unit, call: cst.Call) -> bool:
    text = u.code(call.func)
    return "Process" in text or "multiprocessing" in text


# ---- suggestions ---------------------------------------------------------------------------------

def _statement_at(u: Unit, line: int, col: int) -> cst.CSTNode | None:
    for n in u.starting_at(line, col):
        for a in [n, *u.ancestors(n)]:
            if isinstance(a, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
                return a
    return None


def _suggest_import_time(f: Finding, ctx: FixContext) -> Fix:
    use = f"`{f.uses[0][5]}`" if f.uses else "the context local"
    where = f"line {f.line}"
    try:
        u = ctx.unit(f.path)
    except NoFix:
        return Fix(SUGGESTION, f"move {use} at {where} into a function that runs during a request")
    nodes = u.starting_at(f.line, f.column - 1)
    node = nodes[0] if nodes else None
    if node is not None:
        for a in u.ancestors(node):
            if isinstance(a, cst.Param):
                fn = u.enclosing_function(a) or u.up(u.up(a) or a)
                name = fn.name.value if isinstance(fn, cst.FunctionDef) else "the function"
                return Fix(SUGGESTION, f"the default of `{a.name.value}` ({where}) is evaluated at import time: "
                                       f"default it to None and read {use} inside {name}()")
            if isinstance(a, cst.Decorator):
                fn = u.up(a)
                name = fn.name.value if isinstance(fn, (cst.FunctionDef, cst.ClassDef)) else "the function"
                return Fix(SUGGESTION, f"the decorator argument at {where} is evaluated at import time: read {use} "
                                       f"inside {name}() instead (or configure the decorator from the app factory)")
            if isinstance(a, cst.ClassDef):
                return Fix(SUGGESTION, f"the class body of {a.name.value} runs at import time: move {use} ({where}) "
                                       f"into a method or property of {a.name.value}")
            if isinstance(a, cst.If) and "__main__" in u.code(a.test):
                return Fix(SUGGESTION, f"wrap the code at {where} in `with app.app_context():` (it runs as a "
                                       f"script, with no context)")
        stmt = _statement_at(u, f.line, f.column - 1)
        if isinstance(stmt, (cst.Assign, cst.AnnAssign)) and stmt.value is not None:
            targets = [t.target for t in stmt.targets] if isinstance(stmt, cst.Assign) else [stmt.target]
            if len(targets) == 1 and isinstance(targets[0], cst.Name):
                var = targets[0].value
                func = var.lower() if var.isupper() else f"get_{var}"
                return Fix(SUGGESTION, f"`{var}` ({where}) is computed at import time from {use}: turn it into a "
                                       f"function, `def {func}(): return {u.code(stmt.value)}`, and call it where "
                                       f"`{var}` is used (or compute it inside `with app.app_context():` in the app "
                                       f"factory)")
        if f.uses and f.uses[0][6].split(":")[-1] != "<module>":
            callee = _short(f.uses[0][6]) if len(f.trace) <= 2 else f.trace[1].note.replace("calls ", "")
            return Fix(SUGGESTION, f"the module-level call at {where} runs at import time and reaches {use} "
                                   f"({f.uses[0][0]}:{f.uses[0][1]}): call {callee.rstrip('()')}() from the view or "
                                   f"function that needs it, or inside `with app.app_context():`")
    return Fix(SUGGESTION, f"move {use} at {where} into a function that runs during a request (or inside "
                           f"`with app.app_context():`)")


def _suggest_job(f: Finding, ctx: FixContext) -> Fix:
    name = f.function or "the job"
    where = f"{f.path}:{f.line}"
    if f.code == "CTX301":
        return Fix(SUGGESTION, f"{name}() ({where}) runs with no request: read {_uses_text(f)} where the job is "
                               f"started and pass the values to {name}() as arguments")
    return Fix(SUGGESTION, f"{name}() ({where}) runs without an application context and reaches {_uses_text(f)}: "
                           f"wrap its body in `with app.app_context():` with your app object (from the app factory), "
                           f"or give the job runner a task class that pushes one")


def _suggest_app_only(f: Finding, ctx: FixContext) -> Fix:
    where = f"{f.path}:{f.line}"
    if f.kind == "with":
        return Fix(SUGGESTION, f"the `with app.app_context():` at {where} has no request but reaches {_uses_text(f)}:"
                               f" pass those values in, or use `with app.test_request_context():` there if a request "
                               f"is really needed")
    name = f.function or "the function"
    return Fix(SUGGESTION, f"{name}() ({where}) has only an application context but reaches {_uses_text(f)}: pass "
                           f"the values in as arguments or options of {name}() instead of reading them from the "
                           f"request")


def _fallback(f: Finding) -> Fix:
    if f.code == "CTX900":
        return Fix(SUGGESTION, f"fix the syntax or encoding error at {f.path}:{f.line}:{f.column}")
    return Fix(SUGGESTION, f.fix_hint or "see the message")


_MAKERS: dict[str, Callable[[Finding, FixContext], Fix]] = {
    "CTX101": _suggest_import_time,
    "CTX201": _fix_request_thread,
    "CTX202": _fix_app_thread,
    "CTX203": _fix_proxy,
    "CTX301": _suggest_job,
    "CTX302": _suggest_job,
    "CTX401": _fix_stream,
    "CTX501": _suggest_app_only,
}


def fix_for(f: Finding, context: FixContext | None = None) -> Fix:
    """The fix of one finding: edits with their applicability, or a suggestion."""
    ctx = context or _default_context()
    maker = _MAKERS.get(f.code)
    if maker is None:
        return _fallback(f)
    try:
        fix = maker(f, ctx)
    except NoFix as exc:
        return Fix(SUGGESTION, exc.message)
    except (FixError, RecursionError, cst.ParserSyntaxError, ValueError, TypeError) as exc:
        return Fix(SUGGESTION, f"{f.fix_hint} (no automatic fix: {exc})")
    if fix.applicability != SUGGESTION and not fix.edits:
        return Fix(SUGGESTION, fix.message)
    return fix


def _default_context() -> FixContext:
    """A context reading files from disk, for findings reported without one."""
    return FixContext()


def fix_as_json(finding: Finding, context: FixContext | None = None) -> dict[str, Any]:
    """The JSON ``fix`` object of a finding: ``applicability``, ``message`` and ``edits``."""
    return fix_for(finding, context).as_json()


def fixes_as_json(findings: Sequence[Finding], paths: Sequence[str] | None = None,
                  options: Options | None = None) -> list[dict[str, Any]]:
    """``fix_as_json`` for every finding of one analysis of ``paths``, sharing the parsed files."""
    files = None
    if paths is not None:
        from .discover import discover

        options = options or Options()
        files = [f.abspath for f in discover(list(paths), options.respect_gitignore, options.exclude).files]
    ctx = FixContext(files=files)
    return [fix_as_json(f, ctx) for f in findings]


# ---- --fix and --diff ------------------------------------------------------------------------

MAX_PASSES = 8


@dataclass
class Applied:
    fix: Fix
    code: str
    files: set[str]


Keep = Callable[[list[Finding], dict[str, bytes]], list[Finding]]


def _kept(result: Result, keep: Keep | None, overrides: dict[str, bytes]) -> Result:
    return result if keep is None else dataclasses.replace(result, findings=keep(list(result.findings), overrides))


def plan_fixes(paths: list[str], options: Options, unsafe: bool, texts: dict[str, SourceText],
               keep: Keep | None = None) -> tuple[dict[str, SourceText], list[Applied], Result, int]:
    """Fix in memory until nothing more applies: the new texts, the fixes made, the first analysis and the
    number of unsafe fixes left out."""
    current = dict(texts)
    applied: list[Applied] = []
    first: Result | None = None
    hidden = 0
    for _ in range(MAX_PASSES):
        overrides = {p: s.data for p, s in current.items()}
        result = _kept(analyse(paths, options, overrides=overrides), keep, overrides)
        ctx = FixContext(Sources(current), files=list(current))
        fixes = [(f, fix_for(f, ctx)) for f in result.findings]
        if first is None:
            first = result
            hidden = sum(1 for _, fx in fixes if fx.applicability == UNSAFE and fx.edits and not unsafe)
        wanted = [(f, fx) for f, fx in fixes
                  if fx.edits and (fx.applicability == SAFE or unsafe and fx.applicability == UNSAFE)]
        pending: dict[str, list[Edit]] = {}
        made = 0
        for f, fx in wanted:
            by_file: dict[str, list[Edit]] = {}
            for e in fx.edits:
                by_file.setdefault(os.path.abspath(e.path), []).append(e)
            if any(p not in current for p in by_file):
                continue
            if any(overlaps(e, o) for p, es in by_file.items() for e in es for o in pending.get(p, [])):
                continue
            try:
                for p, es in by_file.items():
                    trial = apply_edits(current[p].text, pending.get(p, []) + es)
                    check_parses(trial, p)
                    current[p].encode(trial)
            except FixError:
                continue
            for p, es in by_file.items():
                pending.setdefault(p, []).extend(es)
            applied.append(Applied(fx, f.code, set(by_file)))
            made += 1
        for p, es in pending.items():
            current[p] = current[p].with_text(apply_edits(current[p].text, es))
        if not made:
            break
    assert first is not None
    return current, applied, first, hidden


def _read_all(paths: list[str], options: Options) -> dict[str, SourceText]:
    from .discover import discover

    texts: dict[str, SourceText] = {}
    for sf in discover(paths, options.respect_gitignore, options.exclude).files:
        try:
            texts[sf.abspath] = SourceText.read(sf.abspath)
        except FixError:
            continue
    return texts


def run_fixes(paths: list[str], options: Options | None = None, unsafe: bool = False, diff_only: bool = False,
              out: TextIO | None = None, err: TextIO | None = None, keep: Keep | None = None) -> tuple[int, Result]:
    """``--fix`` / ``--diff``: analyse, fix in memory until nothing more applies, then print the unified diff
    (``diff_only``: exit 1 if there is anything to fix) or write the files and analyse again.

    ``keep(findings, overrides)`` is the caller's selection, suppression and baseline: only the findings it
    keeps are fixed and reported; ``overrides`` maps absolute paths to the text the findings point into (the
    files as fixed so far, in memory), to read ``# noqa`` comments from.

    Returns the exit status and the result to report: with ``diff_only`` the analysis as it is, otherwise
    what remains after fixing.  Status messages go to ``err``.
    """
    options = options or Options()
    out = out or sys.stdout
    err = err or sys.stderr
    originals = _read_all(paths, options)
    current, applied, first, hidden = plan_fixes(paths, options, unsafe, originals, keep)
    changed = sorted(p for p in current if current[p].text != originals[p].text)
    note = (f" ({hidden} more with --unsafe-fixes)" if hidden else "")
    if diff_only:
        for p in changed:
            out.write(unified_diff(os.path.relpath(p), originals[p].text, current[p].text))
        out.flush()
        n = len(applied)
        err.write(f"ctxlint: {n} fix{'es' if n != 1 else ''} available in {len(changed)} "
                  f"file{'s' if len(changed) != 1 else ''}{note}\n")
        return (1 if changed else 0), first
    refused = _write_all(changed, applied, originals, current, err)
    result = _kept(analyse(paths, options), keep, {}) if changed else first
    n = sum(1 for a in applied if not a.files & refused)
    written = len([p for p in changed if p not in refused])
    err.write(f"ctxlint: fixed {n} problem{'s' if n != 1 else ''} in {written} file{'s' if written != 1 else ''}"
              f"{note}\n")
    return (1 if result.findings or refused else 0), result


def _write_all(changed: list[str], applied: list[Applied], originals: dict[str, SourceText],
               current: dict[str, SourceText], err: TextIO) -> set[str]:
    """Write every changed file; a file that cannot be written holds back every file a fix shares with it."""
    group = {p: p for p in changed}

    def find(p: str) -> str:
        while group[p] != p:
            group[p] = group[group[p]]
            p = group[p]
        return p

    for a in applied:
        files = [p for p in a.files if p in group]
        for p in files[1:]:
            group[find(p)] = find(files[0])
    bad: set[str] = set()
    for p in changed:
        try:
            with open(p, "rb") as fh:
                same = fh.read() == originals[p].data
        except OSError:
            same = False
        if not same:
            err.write(f"ctxlint: {os.path.relpath(p)} changed on disk since it was read; not fixed\n")
            bad.add(find(p))
    refused: set[str] = set()
    for p in changed:
        if find(p) in bad:
            refused.add(p)
            continue
        try:
            write_fixed(originals[p], current[p].text)
        except FixError as exc:
            err.write(f"ctxlint: {exc}\n")
            refused.add(p)
    return refused
