"""Parsed files and their rewriting, the library every rule's fix maker uses.

Edits are made with libcst: the file is parsed, the nodes at the finding (the spawn
call, the target function, the uses it reaches) are found by position, replaced by
new nodes, and the module is rendered again; the text edits are the spans where the
old and new text differ, so formatting and comments elsewhere stay as they were.
"""

from __future__ import annotations

import bisect
import keyword
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import libcst as cst

from .cstwalk import children
from .fixing import Edit, FixError, NoFix, SourceText, edits_between
from .summary import Positions

if TYPE_CHECKING:
    from .references import References

Pos = tuple[int, int, int, int]


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
        self._collect()
        self.flask: dict[str, str] = {}  # local name -> "flask" (the module) or "flask.<member>"
        self.imports: dict[str, str] = {}  # local name -> the dotted thing it imports
        self.names: set[str] = set()  # every name bound at module level
        self._scan_module()

    def _scan_module(self) -> None:
        for node in preorder(self.module, into_scopes=False):
            if isinstance(node, cst.Import):
                for alias in node.names:
                    full = dotted(alias.name)
                    local = dotted(alias.asname.name) if alias.asname else full.split(".")[0]
                    target = full if alias.asname else full.split(".")[0]
                    self.imports[local] = target
                    self.names.add(local)
                    if target == "flask":
                        self.flask[local] = "flask"
            elif isinstance(node, cst.ImportFrom):
                mod = dotted(node.module) if node.module is not None else ""
                if isinstance(node.names, cst.ImportStar):
                    continue
                for alias in node.names:
                    name = dotted(alias.name)
                    local = dotted(alias.asname.name) if alias.asname else name
                    self.names.add(local)
                    if not node.relative:
                        self.imports[local] = f"{mod}.{name}"
                        if mod == "flask" or mod.startswith("flask."):
                            self.flask[local] = f"flask.{name}"
            elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                self.names.add(node.name.value)
            elif isinstance(node, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.NamedExpr)):
                tgt = node.target
                for n in preorder(tgt):
                    if isinstance(n, cst.Name):
                        self.names.add(n.value)
            elif isinstance(node, cst.AsName):
                for n in preorder(node.name):
                    if isinstance(n, cst.Name):
                        self.names.add(n.value)

    def _collect(self) -> None:
        """Every node in preorder (a node before the nodes inside it), with its parent.  Read from the nodes'
        fields: libcst's visitor rebuilds every node it passes, which cost most of a fix's time.  Siblings
        come in the order of their fields, not always the order of the text: nothing here depends on it."""
        nodes, parent, index = self.nodes, self.parent, self.index
        stack: list[cst.CSTNode] = [self.module]
        while stack:
            node = stack.pop()
            index[id(node)] = len(nodes)
            nodes.append(node)
            kids = children(node)
            for kid in kids:
                parent[id(kid)] = node
            stack.extend(reversed(kids))

    def range(self, node: cst.CSTNode) -> Pos:
        return self.pos.of(node)

    def starting_at(self, line: int, col: int) -> list[cst.CSTNode]:
        return [n for n in self.nodes if self.range(n)[:2] == (line, col)]

    def spanning(self, pos: Pos, within: cst.CSTNode | None = None) -> cst.BaseExpression | None:
        """The outermost expression exactly at ``pos`` (inside ``within``)."""
        nodes = preorder(within) if within is not None else iter(self.nodes)
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
            if bound.startswith("flask.") and not (scope is not None and expr.value in local_names(scope)):
                return bound[len("flask."):]
            return None
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            if self.flask.get(expr.value.value) == "flask" and not (
                    scope is not None and expr.value.value in local_names(scope)):
                return expr.attr.value
        return None


def preorder(node: cst.CSTNode, into_scopes: bool = True) -> Iterator[cst.CSTNode]:
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if not into_scopes and n is not node and isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        stack.extend(reversed(n.children))


def dotted(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted(node.value)}.{node.attr.value}"
    return ""


def last_name(expr: cst.CSTNode) -> str:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return ""


def local_names(scope: cst.CSTNode) -> set[str]:
    """Names a function binds itself (parameters, assignments, imports, nested defs)."""
    out: set[str] = set()
    if isinstance(scope, (cst.FunctionDef, cst.Lambda)):
        for p in param_list(scope.params):
            out.add(p.name.value)
    body = scope.body if isinstance(scope, (cst.FunctionDef, cst.Lambda)) else scope
    for n in preorder(body, into_scopes=False):
        if isinstance(n, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.NamedExpr)):
            for m in preorder(n.target):
                if isinstance(m, cst.Name):
                    out.add(m.value)
        elif isinstance(n, cst.AsName):
            for m in preorder(n.name):
                if isinstance(m, cst.Name):
                    out.add(m.value)
        elif isinstance(n, (cst.FunctionDef, cst.ClassDef)) and n is not scope:
            out.add(n.name.value)
        elif isinstance(n, cst.ImportAlias) and n.asname is None:
            out.add(dotted(n.name).split(".")[0])
    return out


def param_list(params: cst.Parameters) -> list[cst.Param]:
    out = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
    if isinstance(params.star_arg, cst.Param):
        out.append(params.star_arg)
    if isinstance(params.star_kwarg, cst.Param):
        out.append(params.star_kwarg)
    return out


def all_names(node: cst.CSTNode) -> set[str]:
    """The variable names used anywhere in ``node`` (not attribute names or keywords of calls)."""
    skip: set[int] = set()
    out: set[str] = set()
    for n in preorder(node):
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

    def forget_units(self, keep: int) -> None:
        """Drop the parsed files when there are more than ``keep`` of them (between two fixes: within one, a
        file must stay the same tree), so that the fixes of a big project do not hold every tree they parsed."""
        if len(self._units) > keep:
            self._units.clear()

    def has_unit(self, path: str) -> bool:
        return os.path.abspath(path) in self._units

    def parse(self, path: str) -> Unit:
        """The file parsed, without keeping the tree (nor the text, when it was not kept already)."""
        ap = os.path.abspath(path)
        try:
            return Unit(path, self.texts.get(ap) or SourceText.read(ap))
        except (FixError, RecursionError) as exc:
            raise NoFix(f"{path} cannot be fixed: {exc}") from exc


class FixContext:
    """What fixes are computed against: the source texts and the project's files."""

    def __init__(self, sources: Sources | None = None, files: Iterable[str] | None = None) -> None:
        self.sources = sources or Sources()
        self.files = [os.path.abspath(f) for f in files] if files is not None else None
        self._references: References | None = None

    @property
    def references(self) -> References:
        """The project's references to names, indexed once for all the fixes of this context."""
        if self._references is None:
            from .references import References

            self._references = References(self)
        return self._references

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


def becomes(node: cst.CSTNode) -> Replacer:
    return lambda _: node.deep_clone()


def adds_kwonly(names: list[str]) -> Replacer:
    return lambda fn: fn.with_changes(params=add_kwonly(fn.params, names))


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
                name = dotted(imp.module) if imp.module is not None else ""
                sec = 0 if name == "__future__" else 3 if imp.relative else _section(name)
                block.append((s, sec, (True, name)))
            else:
                name = dotted(imp.names[0].name)
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
        return without_unused_flask_imports(self.unit.module, new, self.unit.path, self.unit.src.text)

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
                        and dotted(x.module) == "flask" and not isinstance(x.names, cst.ImportStar)):
                    return x
    return None


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _multiline(comma: Any) -> bool:
    return isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)


_SPACE_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def append_items(items: list[Any], new: list[Any], opening: Any = None) -> list[Any]:
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
    keys = [_import_key(dotted(a.name)) for a in items]
    if keys != sorted(keys) or any(a.asname is not None for a in items):
        return append_items(items, [cst.ImportAlias(cst.Name(x)) for x in names])
    for name in sorted(names, key=_import_key):
        keys = [_import_key(dotted(a.name)) for a in items]
        at = bisect.bisect(keys, _import_key(name))
        if at == len(items):
            items = append_items(items, [cst.ImportAlias(cst.Name(name))])
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


def add_kwonly(params: cst.Parameters, names: list[str]) -> cst.Parameters:
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


def wrap_body(fn: cst.FunctionDef, app: str) -> cst.FunctionDef:
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


def fresh_name(base: str, taken: set[str], prefix: str = "") -> str:
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


# ---- imports a fix leaves unused ------------------------------------------------------------------

def without_unused_flask_imports(old: cst.Module, new: cst.Module, path: str, old_code: str) -> str:
    """The code of ``new`` without the module-level imports from flask that ``old`` used and ``new`` no longer uses
    (a read moved out of a worker leaves ``from flask import request`` behind: pyflakes' F401).

    Only flask's names are removed (importing flask has no effect a project relies on), never in an
    ``__init__.py`` (a package may re-export them) nor a name listed in ``__all__``; a name still written
    anywhere in the module, even as a parameter or in a string annotation, is kept."""
    new_code = new.code
    if os.path.basename(path) == "__init__.py":
        return new_code
    bound = _flask_import_names(new)
    fewer = {n for n in bound if _words(n, new_code) < _words(n, old_code)}  # cheap: most fixes remove no use
    if not fewer:
        return new_code
    before, after = _name_uses(old), _name_uses(new)
    gone = {n for n in fewer if before.get(n, 0) and not after.get(n, 0)} - _exported(new)
    if not gone:
        return new_code
    body: list[cst.BaseStatement] = []
    carried: list[cst.EmptyLine] = []  # comment lines above a removed import go to the next statement
    for stmt in new.body:
        if carried:
            stmt = stmt.with_changes(leading_lines=carried + list(stmt.leading_lines))
            carried = []
        if isinstance(stmt, cst.SimpleStatementLine):
            small = [x for x in (_without_names(x, gone) for x in stmt.body) if x is not None]
            if not small:
                lines = list(stmt.leading_lines)
                if any(e.comment is not None for e in lines):
                    carried = lines
                continue
            if len(small) < len(stmt.body):  # `import os; from flask import g` → `import os`
                small[-1] = small[-1].with_changes(semicolon=stmt.body[-1].semicolon)
            if any(a is not b for a, b in zip(small, stmt.body)) or len(small) < len(stmt.body):
                stmt = stmt.with_changes(body=small)
        body.append(stmt)
    if carried:
        return new.with_changes(body=body, footer=carried + list(new.footer)).code
    return new.with_changes(body=body).code


def imports_left_unused_removed(old: str, new: str, path: str) -> str:
    """:func:`without_unused_flask_imports` on texts: after several fixes of one file, the imports that all of
    them together left unused (each fix alone still saw the others' uses)."""
    try:
        return without_unused_flask_imports(cst.parse_module(old), cst.parse_module(new), path, old)
    except (cst.ParserSyntaxError, RecursionError):
        return new


def _is_flask_import(x: cst.CSTNode) -> bool:
    if isinstance(x, cst.ImportFrom):
        mod = dotted(x.module) if x.module is not None else ""
        return not x.relative and (mod == "flask" or mod.startswith("flask.")) and not isinstance(
            x.names, cst.ImportStar)
    return isinstance(x, cst.Import)


def _alias_local(x: cst.CSTNode, alias: cst.ImportAlias) -> str | None:
    """The name an alias of a flask import binds (``import flask`` / ``import flask as fl``; any from-import)."""
    if isinstance(x, cst.ImportFrom):
        return dotted(alias.asname.name) if alias.asname else dotted(alias.name)
    if dotted(alias.name) != "flask":
        return None
    return dotted(alias.asname.name) if alias.asname else "flask"


def _flask_import_names(module: cst.Module) -> set[str]:
    out: set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for x in stmt.body:
                if _is_flask_import(x):
                    for alias in x.names:  # type: ignore[attr-defined, union-attr]
                        local = _alias_local(x, alias)
                        if local is not None:
                            out.add(local)
    return out


def _without_names(x: cst.BaseSmallStatement, gone: set[str]) -> cst.BaseSmallStatement | None:
    """An import without the aliases binding ``gone`` (None when none is left)."""
    if not _is_flask_import(x):
        return x
    aliases = list(x.names)  # type: ignore[attr-defined]
    keep = [a for a in aliases if _alias_local(x, a) not in gone]
    if len(keep) == len(aliases):
        return x
    if not keep:
        return None
    if keep[-1] is not aliases[-1]:
        rpar = x.rpar if isinstance(x, cst.ImportFrom) else None
        own = keep[-1].comma
        if (rpar is not None and not isinstance(aliases[-1].comma, cst.Comma) and isinstance(own, cst.Comma)
                and isinstance(own.whitespace_after, cst.ParenthesizedWhitespace)
                and isinstance(rpar.whitespace_before, cst.ParenthesizedWhitespace)):
            # `(\n    g,  # the user\n    request\n)` → `(\n    g,  # the user\n)`: the comment stays on its line
            keep[-1] = keep[-1].with_changes(comma=own.with_changes(whitespace_after=cst.SimpleWhitespace("")))
            before = rpar.whitespace_before.with_changes(first_line=own.whitespace_after.first_line)
            return x.with_changes(names=keep, rpar=rpar.with_changes(whitespace_before=before))
        keep[-1] = keep[-1].with_changes(comma=_last_comma(own, aliases[-1].comma, rpar is not None))
    return x.with_changes(names=keep)


def _last_comma(own: Any, removed: Any, bracketed: bool) -> Any:
    """The comma of the name that is now last: ``g, request`` → ``g``; in brackets ``g,`` keeps its comma and
    comment, and the line break before the closing bracket is the removed name's."""
    if not bracketed or not isinstance(own, cst.Comma) or not isinstance(own.whitespace_after,
                                                                          cst.ParenthesizedWhitespace):
        return removed  # on one line: `(g, request)` → `(g)`
    if not isinstance(removed, cst.Comma):
        return own.with_changes(whitespace_after=cst.SimpleWhitespace(""))
    if isinstance(own.whitespace_after, cst.ParenthesizedWhitespace) and isinstance(
            removed.whitespace_after, cst.ParenthesizedWhitespace):
        return own.with_changes(whitespace_after=own.whitespace_after.with_changes(
            last_line=removed.whitespace_after.last_line))
    return own.with_changes(whitespace_after=removed.whitespace_after)


def _words(name: str, text: str) -> int:
    return len(re.findall(rf"(?<![\w.]){re.escape(name)}\b", text))


def _name_uses(module: cst.Module) -> dict[str, int]:
    """How often each name is written in ``module`` other than where an import binds it, as an attribute's
    name or a call's keyword; names in string annotations count too."""
    counter = _NameUses()
    module.visit(counter)
    return counter.out


class _NameUses(cst.CSTVisitor):
    def __init__(self) -> None:
        self.out: dict[str, int] = {}
        self.annotations = 0

    def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self.annotations += 1

    def leave_Annotation(self, original_node: cst.Annotation) -> None:
        self.annotations -= 1

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self.annotations:
            for word in re.findall(r"[A-Za-z_]\w*", node.value):
                self.out[word] = self.out.get(word, 0) + 1

    def visit_Name(self, node: cst.Name) -> None:
        self.out[node.value] = self.out.get(node.value, 0) + 1


def _exported(module: cst.Module) -> set[str]:
    """The strings of ``__all__ = [...]`` / ``__all__ += [...]`` at module level."""
    out: set[str] = set()
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for x in stmt.body:
            targets = ([t.target for t in x.targets] if isinstance(x, cst.Assign)
                       else [x.target] if isinstance(x, (cst.AugAssign, cst.AnnAssign)) else [])
            if any(isinstance(t, cst.Name) and t.value == "__all__" for t in targets):
                for m in preorder(x):
                    if isinstance(m, cst.SimpleString) and isinstance(m.evaluated_value, str):
                        out.add(m.evaluated_value)
    return out


# ---- suggestions ---------------------------------------------------------------------------------

def statement_at(u: Unit, line: int, col: int) -> cst.CSTNode | None:
    for n in u.starting_at(line, col):
        for a in [n, *u.ancestors(n)]:
            if isinstance(a, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
                return a
    return None


def is_keyword(u: Unit, n: cst.CSTNode) -> bool:
    p = u.up(n)
    return isinstance(p, cst.Arg) and p.keyword is n


def between(u: Unit, node: cst.CSTNode, top: cst.CSTNode) -> Iterator[cst.CSTNode]:
    for a in u.ancestors(node):
        if a is top:
            return
        yield a
