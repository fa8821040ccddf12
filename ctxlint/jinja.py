"""Summarise one Jinja template: jinja2's parser → the same kind of events a Python function has.

A template is parsed with ``jinja2.Environment().parse`` (never compiled, never rendered) and
becomes *parts*: the top level (``<template>``), each ``{% block %}`` (``block:NAME``) and each
``{% macro %}`` (``macro:NAME``).  Each part is a list of events with the line they are on: the
names it reads that the template does not bind itself (``request.path``, ``session["k"]``,
``url_for(...)``), under the ``{% if %}`` tests they sit in.  What a part hands over to another
template is a *placeholder call* (:func:`placeholder`): ``{% include %}``, ``{% extends %}``,
``{% import %}``, a block's place in its parent, a macro call, ``super()``; the analysis links
them once it knows which file a template name is (:mod:`ctxlint.analysis.templates`).

Jinja's own semantics kept here: ``{% if request %}`` only asks the proxy's truth (an unbound
proxy is false), ``{{ request }}`` prints the object (reads it), ``{% set r = request %}`` only
names it; after ``{% extends %}`` the top level prints nothing.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, TemplateSyntaxError, nodes
from jinja2.ext import Extension

from .model import (
    UNKNOWN,
    And,
    Attr,
    CallEvent,
    CallExpr,
    Cond,
    Event,
    Expr,
    IfCond,
    Lit,
    Name,
    Not,
    Pos,
    RefEvent,
    Seq,
    Str,
    Sub,
)

TOP = "<template>"
PLACEHOLDER_SCOPE = "<jinja>"  # the scope of a placeholder call's name: never a project function


def placeholder(kind: str, *args: str) -> CallExpr:
    """A call the analysis links to another part: ``kind`` is include, extends, import, macro,
    block or super; ``args`` the template names (and the macro or block name)."""
    return CallExpr(Name(PLACEHOLDER_SCOPE, kind), tuple(Str(a) for a in args), ())


def placeholder_of(expr: Expr) -> tuple[str, tuple[str, ...]] | None:
    if isinstance(expr, CallExpr) and isinstance(expr.func, Name) and expr.func.scope == PLACEHOLDER_SCOPE:
        return expr.func.id, tuple(a.value for a in expr.args if isinstance(a, Str))
    return None


def helper_name(kind: str, name: str) -> str:
    """The name a template global (``f``), filter (``|f``) or test (``is f``) is read by in events."""
    return {"global": "", "filter": "|", "test": "is "}[kind] + name


@dataclass(slots=True)
class Part:
    events: list[Event] = field(default_factory=list)
    conds: list[Cond] = field(default_factory=list)
    line: int = 1
    params: tuple[str, ...] = ()


@dataclass(slots=True)
class TemplateSummary:
    """What one template does, picklable (no parts when it does not parse: then ``error`` says why and
    on which line)."""

    parts: dict[str, Part] = field(default_factory=dict)
    error: tuple[str, int] | None = None


# The extensions projects commonly enable (Flask-Babel adds i18n's ``{% trans %}``): parsing with them is a
# superset of parsing without them.
_EXTENSIONS = ["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols", "jinja2.ext.debug"]
_ENV = Environment(extensions=_EXTENSIONS)
_NO_READ_TESTS = frozenset({"defined", "undefined", "none"})


_MAX_UNKNOWN_TAGS = 8
_JINJA_TAGS = ("if", "elif", "else", "for", "block", "extends", "include", "import", "from", "macro", "call",
               "filter", "set", "with", "autoescape", "trans", "pluralize", "do", "break", "continue", "raw")
_UNKNOWN_TAG = re.compile(r"Encountered unknown tag '(\w+)'")
_LENIENT: dict[tuple[frozenset[str], frozenset[str]], Environment] = {}


def _lenient(tags: frozenset[str], blocks: frozenset[str]) -> Environment:
    """An environment that also accepts the tags of Jinja extensions ctxlint does not load (Flask-Caching's
    ``{% cache %}``, webassets' ``{% assets %}``): their arguments are skipped, their body (up to
    ``{% endTAG %}``, when the template has one) is read like the template around it."""
    env = _LENIENT.get((tags, blocks))
    if env is None:
        class _Unknown(Extension):
            def parse(self, parser: Any) -> Any:
                token = next(parser.stream)
                while parser.stream.current.type != "block_end":
                    next(parser.stream)
                body = parser.parse_statements((f"name:end{token.value}",), drop_needle=True) \
                    if token.value in blocks else []
                return nodes.Scope(body, lineno=token.lineno)

        _Unknown.tags = set(tags)
        env = _LENIENT[(tags, blocks)] = Environment(extensions=[*_EXTENSIONS, _Unknown])
    return env


def summarise_template(source: str, line_offset: int = 0) -> TemplateSummary:
    """Summarise a template's source (``line_offset``: lines before it, for a string in a Python file).
    A template jinja2 cannot parse has no parts and its ``error``."""
    out = TemplateSummary()
    env, unknown = _ENV, frozenset[str]()
    while True:
        try:
            tree = env.parse(source)
            break
        except TemplateSyntaxError as exc:
            tag = _UNKNOWN_TAG.match(exc.message or "")
            # ``{% endfi %}``, ``{% els %}`` are typos, not an extension's tags (an extension's end tag is read
            # with its body; a tag one letter off Jinja's own is no extension's)
            if tag is None or tag.group(1).startswith("end") or tag.group(1) in unknown \
                    or difflib.get_close_matches(tag.group(1), _JINJA_TAGS, 1, 0.8) \
                    or len(unknown) >= _MAX_UNKNOWN_TAGS:
                out.error = ((exc.message or "syntax error").splitlines()[0], (exc.lineno or 1) + line_offset)
                return out
            unknown |= {tag.group(1)}
            blocks = frozenset(t for t in unknown if re.search(r"\{%[-+]?\s*end" + t + r"\b", source))
            env = _lenient(unknown, blocks)
        except Exception as exc:  # noqa: BLE001 - jinja2 failing in another way: the template is skipped
            out.error = (f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": "),
                         1 + line_offset)
            return out
    macros = {n.name for n in tree.find_all(nodes.Macro)}
    _Walker(out, macros, line_offset).top(tree)
    return out


class _Walker:
    def __init__(self, out: TemplateSummary, macros: set[str], offset: int) -> None:
        self.out = out
        self.macros = macros
        self.offset = offset
        self.imports: dict[str, str] = {}  # ``{% import 'm.html' as m %}``: m -> template
        self.from_imports: dict[str, tuple[str, str]] = {}  # ``{% from 'm.html' import f as g %}``: g -> (m, f)

    # ---- parts ------------------------------------------------------------------------------
    def top(self, tree: nodes.Template) -> None:
        part = self.out.parts[TOP] = Part()
        self.block(tree.body, part, (), set(), top=True)

    def pos(self, node: nodes.Node) -> Pos:
        line = (getattr(node, "lineno", 1) or 1) + self.offset
        return (line, 0, line, 0)

    def cond(self, part: Part, cond: Cond) -> int:
        part.conds.append(cond)
        return len(part.conds) - 1

    # ---- statements -------------------------------------------------------------------------
    def block(self, body: list[nodes.Node], part: Part, conds: tuple[int, ...], bound: set[str],
              top: bool = False) -> None:
        extended = False
        for node in body:
            if top and extended and isinstance(node, nodes.Output):
                continue  # after {% extends %} the top level prints nothing
            if top and extended and isinstance(node, nodes.Block):
                self.define(node, bound)  # a child's block runs where its parent places it
                continue
            if isinstance(node, nodes.Extends):
                extended = True
            self.stmt(node, part, conds, bound)

    def stmt(self, node: nodes.Node, part: Part, conds: tuple[int, ...], bound: set[str]) -> None:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    self.value(child, part, conds, bound)
        elif isinstance(node, nodes.If):
            self.truth(node.test, part, conds, bound)
            test = self.enc(node.test, bound)
            self.block(node.body, part, conds + (self.cond(part, IfCond(test, True)),), bound)
            rest = conds + (self.cond(part, IfCond(test, False)),)
            for elif_ in node.elif_:
                self.truth(elif_.test, part, rest, bound)
                t = self.enc(elif_.test, bound)
                self.block(elif_.body, part, rest + (self.cond(part, IfCond(t, True)),), bound)
                rest = rest + (self.cond(part, IfCond(t, False)),)
            self.block(node.else_, part, rest, bound)
        elif isinstance(node, nodes.For):
            self.value(node.iter, part, conds, bound)
            inner = bound | _targets(node.target) | {"loop"}
            if node.test is not None:
                self.truth(node.test, part, conds, inner)
            self.block(node.body, part, conds, inner)
            self.block(node.else_, part, conds, bound)
        elif isinstance(node, nodes.Macro):
            macro = self.out.parts["macro:" + node.name] = Part(line=self.pos(node)[0],
                                                                params=tuple(a.name for a in node.args))
            inner = bound | {a.name for a in node.args} | {"caller", "varargs", "kwargs"}
            for d in node.defaults:
                self.value(d, macro, (), inner)
            self.block(node.body, macro, (), inner)
        elif isinstance(node, nodes.CallBlock):
            self.value(node.call, part, conds, bound)
            self.block(node.body, part, conds, bound | {a.name for a in node.args})
        elif isinstance(node, nodes.FilterBlock):
            self.value(node.filter, part, conds, bound)
            self.block(node.body, part, conds, bound)
        elif isinstance(node, nodes.With):
            for v in node.values:
                self.named(v, part, conds, bound)
            inner = set(bound)
            for target in node.targets:
                inner |= _targets(target)
            self.block(node.body, part, conds, inner)
        elif isinstance(node, nodes.Block):
            part.events.append(CallEvent(placeholder("block", node.name), self.pos(node), conds))
            self.define(node, bound)
        elif isinstance(node, (nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)):
            names = _names(node.template)
            kind = {nodes.Include: "include", nodes.Extends: "extends"}.get(type(node), "import")
            if names:
                part.events.append(CallEvent(placeholder(kind, *names), self.pos(node), conds))
            if isinstance(node, nodes.Import):
                bound.add(node.target)
                if names:
                    self.imports[node.target] = names[0]
            elif isinstance(node, nodes.FromImport):
                for item in node.names:
                    name, alias = (item, item) if isinstance(item, str) else item
                    bound.add(alias)
                    if names:
                        self.from_imports[alias] = (names[0], name)
        elif isinstance(node, nodes.Assign):
            self.named(node.node, part, conds, bound)
            bound |= _targets(node.target)
        elif isinstance(node, nodes.AssignBlock):
            self.block(node.body, part, conds, bound)
            bound |= _targets(node.target)
        elif isinstance(node, nodes.ExprStmt):
            self.value(node.node, part, conds, bound)
        elif isinstance(node, (nodes.Scope, nodes.ScopedEvalContextModifier)):
            self.block(node.body, part, conds, set(bound))
        elif isinstance(node, nodes.Stmt):
            for sub in node.iter_child_nodes():
                if isinstance(sub, nodes.Stmt):
                    self.stmt(sub, part, conds, bound)
                elif isinstance(sub, nodes.Expr):
                    self.value(sub, part, conds, bound)

    def define(self, node: nodes.Block, bound: set[str]) -> None:
        if "block:" + node.name not in self.out.parts:
            inner = self.out.parts["block:" + node.name] = Part(line=self.pos(node)[0])
            self.block(node.body, inner, (), set(bound))

    # ---- expressions ------------------------------------------------------------------------
    def value(self, node: nodes.Node, part: Part, conds: tuple[int, ...], bound: set[str]) -> None:
        """An expression whose value is used (printed, passed on, computed with)."""
        self.expr(node, part, conds, bound, read=True)

    def named(self, node: nodes.Node, part: Part, conds: tuple[int, ...], bound: set[str]) -> None:
        """An expression only stored (``{% set r = request %}``): a proxy is named, not read."""
        self.expr(node, part, conds, bound, read=False)

    def truth(self, node: nodes.Node, part: Part, conds: tuple[int, ...], bound: set[str]) -> None:
        """A test: only the truth of a bare name is asked (an unbound proxy is false)."""
        self.expr(node, part, conds, bound, read=False)

    def expr(self, node: nodes.Node, part: Part, conds: tuple[int, ...], bound: set[str], read: bool) -> None:
        pos = self.pos(node)
        if isinstance(node, nodes.Name):
            if node.ctx == "load" and node.name not in bound:
                e: Expr = Name("", node.name)
                part.events.append(RefEvent(Sub(e) if read else e, pos, conds))
            return
        if isinstance(node, (nodes.Getattr, nodes.Getitem)):
            chain = self.enc(node, bound)
            if _rooted_free(chain):
                part.events.append(RefEvent(chain, pos, conds))
                inner: nodes.Node = node
                while isinstance(inner, (nodes.Getattr, nodes.Getitem)):
                    if isinstance(inner, nodes.Getitem):
                        self.value(inner.arg, part, conds, bound)
                    inner = inner.node
                return
            self.value(node.node, part, conds, bound)
            if isinstance(node, nodes.Getitem):
                self.value(node.arg, part, conds, bound)
            return
        if isinstance(node, nodes.Call):
            self.call(node, part, conds, bound)
            return
        if isinstance(node, nodes.CondExpr):
            self.truth(node.test, part, conds, bound)
            test = self.enc(node.test, bound)
            self.expr(node.expr1, part, conds + (self.cond(part, IfCond(test, True)),), bound, read)
            if node.expr2 is not None:
                self.expr(node.expr2, part, conds + (self.cond(part, IfCond(test, False)),), bound, read)
            return
        if isinstance(node, (nodes.And, nodes.Or)):
            self.truth(node.left, part, conds, bound)
            left = self.enc(node.left, bound)
            c = self.cond(part, IfCond(left, isinstance(node, nodes.And)))
            self.expr(node.right, part, conds + (c,), bound, read)
            return
        if isinstance(node, nodes.Not):
            self.truth(node.node, part, conds, bound)
            return
        if isinstance(node, (nodes.Test, nodes.Filter)):
            if node.node is None:  # the filter of a {% filter %} block
                pass
            elif isinstance(node, nodes.Test) and node.name in _NO_READ_TESTS:
                self.truth(node.node, part, conds, bound)
            else:
                self.value(node.node, part, conds, bound)
            for a in [*node.args, *(k.value for k in node.kwargs), node.dyn_args, node.dyn_kwargs]:
                if a is not None:
                    self.value(a, part, conds, bound)
            # a filter or test the project registers is a call of its function (see helper_name)
            helper = helper_name("test" if isinstance(node, nodes.Test) else "filter", node.name)
            part.events.append(CallEvent(CallExpr(Name("", helper), (), ()), pos, conds))
            return
        for child in node.iter_child_nodes():
            self.value(child, part, conds, bound)

    def call(self, node: nodes.Call, part: Part, conds: tuple[int, ...], bound: set[str]) -> None:
        pos = self.pos(node)
        for a in [*node.args, *(k.value for k in node.kwargs)]:
            self.value(a, part, conds, bound)
        for dyn in (node.dyn_args, node.dyn_kwargs):
            if dyn is not None:
                self.value(dyn, part, conds, bound)
        target = node.node
        if isinstance(target, nodes.Name) and target.ctx == "load":
            if target.name in self.from_imports:
                template, macro = self.from_imports[target.name]
                part.events.append(CallEvent(placeholder("macro", template, macro), pos, conds))
                return
            if target.name == "super":
                part.events.append(CallEvent(placeholder("super"), pos, conds))
                return
            if target.name in bound:
                return
            if target.name in self.macros:
                part.events.append(CallEvent(placeholder("macro", "", target.name), pos, conds))
                return
        if isinstance(target, nodes.Getattr) and isinstance(target.node, nodes.Name):
            owner = target.node.name
            if owner in self.imports:
                part.events.append(CallEvent(placeholder("macro", self.imports[owner], target.attr), pos, conds))
                return
            if owner == "self" and owner not in bound:
                part.events.append(CallEvent(placeholder("block", target.attr), pos, conds))
                return
        func = self.enc(target, bound)
        if _rooted_free(func):
            args = tuple(self.enc(a, bound) for a in node.args)
            kws = tuple((k.key, self.enc(k.value, bound)) for k in node.kwargs)
            part.events.append(CallEvent(CallExpr(func, args, kws), pos, conds))
        else:
            self.expr(target, part, conds, bound, read=False)

    def enc(self, node: nodes.Node, bound: set[str]) -> Expr:
        """The symbolic form of an expression (names the template binds stay unknown)."""
        if isinstance(node, nodes.Name):
            return UNKNOWN if node.name in bound else Name("", node.name)
        if isinstance(node, nodes.Getattr):
            return Attr(self.enc(node.node, bound), node.attr)
        if isinstance(node, nodes.Getitem):
            key = node.arg.value if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str) else ""
            return Sub(self.enc(node.node, bound), key)
        if isinstance(node, nodes.Const):
            v = node.value
            if isinstance(v, str):
                return Str(v)
            if v is None or isinstance(v, bool):
                return Name("", repr(v))
            if isinstance(v, (int, float)):
                return Lit("true" if v else "false")
            return UNKNOWN
        if isinstance(node, nodes.Not):
            return Not(self.enc(node.node, bound))
        if isinstance(node, nodes.And):
            return And((self.enc(node.left, bound), self.enc(node.right, bound)))
        if isinstance(node, (nodes.Tuple, nodes.List)):
            return Seq(tuple(self.enc(i, bound) for i in node.items))
        if isinstance(node, nodes.Call):
            return CallExpr(self.enc(node.node, bound), tuple(self.enc(a, bound) for a in node.args),
                            tuple((k.key, self.enc(k.value, bound)) for k in node.kwargs))
        return UNKNOWN


def _rooted_free(expr: Expr) -> bool:
    """A name/attribute/item chain that starts at a name the template does not bind."""
    while isinstance(expr, (Attr, Sub)):
        expr = expr.value
    return isinstance(expr, Name)


def _targets(node: Any) -> set[str]:
    if isinstance(node, nodes.Name):
        return {node.name}
    if isinstance(node, (nodes.Tuple, nodes.List)):
        return {n for item in node.items for n in _targets(item)}
    return set()


def _names(node: Any) -> tuple[str, ...]:
    """The template names an include/extends/import names literally (a list: the first that exists)."""
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, (nodes.Tuple, nodes.List)):
        items = [i.value for i in node.items if isinstance(i, nodes.Const) and isinstance(i.value, str)]
        if items and len(items) == len(node.items):
            return tuple(items)
    return ()
