"""Templates: which files a project renders, made functions of the call graph.

The folders come from the app's and each blueprint's constructor (``Flask(__name__)`` has
``templates/`` next to its module, a ``Blueprint`` only the ``template_folder=`` it is given);
the templates from the literal names render calls pass (``render_template("mail/welcome.html")``,
a list of names, ``render_template_string("...")``, ``get_template_attribute``).  Each template
file is summarised once (:mod:`ctxlint.jinja`) and becomes a module of functions whose path is
the template file: its top level, its blocks and its macros, with the events of the lines they
read.  Its names resolve through module globals that bind what Flask's Jinja environment
provides (``request`` is ``flask.request``), so the rest of the analysis needs nothing new: a
render call is a call of the template (and of every app-wide context processor), and a finding's
call path goes through the template's lines.

``{% extends %}`` is followed with Jinja's block rules: a template's blocks replace its parents'
(``super()`` reaches the parent's), so a parent's top level and blocks become a separate function
for each child that extends it.  Names that are not literal, or that name no file in a known
folder, are skipped: nothing is guessed.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterable

from ..knowledge.base import Knowledge, TemplateRender
from ..model import (
    And,
    Attr,
    CallEvent,
    CallExpr,
    DictExpr,
    Event,
    Expr,
    FuncRef,
    Function,
    IfCond,
    ImpRef,
    Module,
    Name,
    Not,
    Or,
    Pos,
    RefEvent,
    Seq,
    Str,
    Sub,
)
from .homes import Home, home_of, same_project
from .index import Index, bind_arguments, nearest
from .resolve import Resolver, argument
from .values import Cls, Ext, Func, render

if TYPE_CHECKING:  # jinja2 is imported only when a project renders a template
    from ..jinja import TemplateSummary

TOP = "<template>"  # the part of a template that is its top level (as ctxlint.jinja names it)
PREFIX = "<jinja>"  # template modules' names start with it (see values.short_name)
_MAX_EXTENDS = 20
_TRUTHY = "<truthy in>"  # a template module's name for a proxy a test stands for (see Templates._truthy)


def is_template(qual: str) -> bool:
    return qual.startswith(PREFIX)


class Templates:
    def __init__(self, index: Index, resolver: Resolver, kb: Knowledge) -> None:
        self.index = index
        self.r = resolver
        self.t = kb.templates
        self.app_folders: list[str] = []
        self.bp_folders: list[str] = []
        self.folder_home: dict[str, Home] = {}
        self.file_home: dict[str, Home] = {}
        self.processors: list[tuple[str, Home]] = []
        self.helpers: list[tuple[str, str, Home]] = []  # (name in events, function, project)
        self._renders: dict[tuple[str, Pos], list[tuple[str, str]]] = {}
        # helpers that render the template named by one of their parameters: qual -> (parameter, render, name)
        self._param_renders: dict[str, list[tuple[str, TemplateRender, str]]] = {}
        self._summaries: dict[str, TemplateSummary | None] = {}
        self._modules: dict[str, Module] = {}
        self._quals: dict[tuple[str, str, str], str | None] = {}
        self._found: dict[tuple[str, Home, str], str | None] = {}
        self._globals = {name: (ImpRef(*dotted.rsplit(".", 1)),) for name, dotted in self.t.globals.items()}
        self._globals.update({_TRUTHY + dotted: (ImpRef(*dotted.rsplit(".", 1)),)
                              for dotted in self.t.truthy_in.values()})
        if self.t.renders:
            self._scan()

    # ---- what the analysis asks --------------------------------------------------------------
    def calls(self, fn: Function, pos: Pos) -> list[tuple[str, str]]:
        """What a render call at ``pos`` in ``fn`` calls: (function, text) for the template and each
        app-wide context processor."""
        return self._renders.get((fn.qual, pos), [])

    def parse_errors(self) -> list[tuple[str, int, str]]:
        """(path, line, message) of each template the project renders that jinja2 cannot parse (a template
        string's error is on its line of the Python file)."""
        out: list[tuple[str, int, str]] = []
        for key, summary in self._summaries.items():
            if summary is not None and summary.error is not None:
                out.append((key.split("\0", 1)[0], summary.error[1], summary.error[0]))
        return sorted(out)

    # ---- the project's apps, blueprints, context processors and render calls ------------------
    def _scan(self) -> None:
        renders: list[tuple[Function, CallEvent, TemplateRender, str]] = []
        registering = {p.rsplit(".", 1)[-1] for p in self.t.processors}
        helping = {h.rsplit(".", 1)[-1] for h in self.t.helpers}
        for fn in list(self.index.functions.values()):
            for d in fn.decorators:
                if isinstance(d, Attr) and d.attr in registering \
                        and self._is_processor(self.r.resolve(d, self.index.decorator_scope(fn))):
                    self.processors.append((fn.qual, self._home(fn)))
                deco = d.func if isinstance(d, CallExpr) else d
                if isinstance(deco, Attr) and deco.attr in helping:
                    self._helper(self.r.resolve(deco, self.index.decorator_scope(fn)), d, fn, fn.qual, True)
            for ev in fn.events:
                if not isinstance(ev, CallEvent):
                    continue
                func = ev.call.func
                if isinstance(func, Attr) and func.attr == "update" and self.t.env_tables:
                    self._env_update(fn, ev.call)
                if isinstance(func, Attr) and func.attr in helping and ev.call.args:
                    target = self.r.resolve(ev.call.args[0], fn)
                    if isinstance(target, Func) and target.qual in self.index.functions:
                        self._helper(self.r.resolve(func, fn), ev.call, fn, target.qual, False)
                    continue
                if isinstance(func, Attr) and func.attr in registering and ev.call.args:
                    if self._is_processor(self.r.resolve(func, fn)):
                        target = self.r.resolve(ev.call.args[0], fn)
                        if isinstance(target, Func) and target.qual in self.index.functions:
                            self.processors.append((target.qual, self._home(fn)))
                    continue
                if not _worth_resolving(ev.call) and not _passes_parameter(ev.call, fn):
                    continue
                callee = self.r.resolve(func, fn)
                if isinstance(callee, Ext) and callee.name in self.t.renders:
                    renders.append((fn, ev, self.t.renders[callee.name], callee.name))
                else:
                    self._folder(fn, ev.call, callee)
        if self.t.env_tables:
            for mod in self.index.modules.values():
                for stored, assigned, _, scope in mod.attr_assigns:
                    if isinstance(stored, Sub) and stored.key and isinstance(stored.value, Attr):
                        self._env_helper(self.index.statement_scope(scope, mod), stored.value, stored.key, assigned)
        for fn, ev, spec, name in renders:
            self._render(fn, ev, spec, name)
        if self._param_renders:
            self._helper_renders()

    def _env_update(self, fn: Function, call: CallExpr) -> None:
        """``app.jinja_env.globals.update(name=f)`` (or ``update({"name": f})``)."""
        assert isinstance(call.func, Attr)
        items = [(k, v) for k, v in call.kws if k]
        if call.args and isinstance(call.args[0], DictExpr):
            items += [(k.value, v) for k, v in call.args[0].items if isinstance(k, Str)]
        for k, v in items:
            self._env_helper(fn, call.func.value, k, v)

    def _env_helper(self, where: Function, table: Expr, name: str, value: Expr) -> None:
        """A project function stored under ``name`` in a table of the Jinja environment (``table``)."""
        owner = self.r.resolve(table, where)
        kind = self.t.env_tables.get(owner.name) if isinstance(owner, Ext) else None
        target = self.r.resolve(value, where) if kind is not None else None
        if kind is not None and isinstance(target, Func) and target.qual in self.index.functions:
            from ..jinja import helper_name
            self.helpers.append((helper_name(kind, name), target.qual, self._home(where)))

    def _helper(self, callee: object, expr: Expr, where: Function, qual: str, decorator: bool) -> None:
        """Record a project function registered as a template global, filter or test."""
        spec = self.t.helpers.get(callee.name) if isinstance(callee, Ext) else None
        if spec is None or spec.decorator != decorator:
            return
        name: Expr | None = None
        if isinstance(expr, CallExpr):
            name = argument(expr.args, expr.kws, 0 if decorator else 1, "name")
        if name is None:
            name = Str(self.index.functions[qual].name)
        if isinstance(name, Str):
            from ..jinja import helper_name
            self.helpers.append((helper_name(spec.kind, name.value), qual, self._home(where)))

    def _is_processor(self, value: object) -> bool:
        return isinstance(value, Ext) and value.name in self.t.processors

    def _folder(self, fn: Function, call: CallExpr, callee: object) -> None:
        """Record the template folder of an app or blueprint a call constructs."""
        spec = None
        if isinstance(callee, Ext):
            spec = self.t.folders.get(callee.name)
        elif isinstance(callee, Cls):
            spec = next((self.t.folders[b] for b in self.r.ext_bases(callee.qual) if b in self.t.folders), None)
        if spec is None:
            return
        import_name = argument(call.args, call.kws, spec.import_arg, spec.import_kw)
        module = self.index.module_of(fn.qual)
        if isinstance(import_name, Name) and import_name.id == "__name__" and import_name.scope == "":
            root = os.path.dirname(module.path)
        elif isinstance(import_name, Str):
            named = self.index.find_module(import_name.value, module)
            if named is None:
                return
            root = os.path.dirname(named.path)
        else:
            return
        root_path = dict(call.kws).get("root_path")
        if root_path is not None:
            if not isinstance(root_path, Str) or not os.path.isabs(root_path.value):
                return  # Flask keeps a relative root_path as it is: the working directory's at run time
            root = root_path.value
        folder_kw = dict(call.kws).get("template_folder")
        if folder_kw is None:
            folder = spec.default
        elif isinstance(folder_kw, Str):
            folder = folder_kw.value
        else:
            return  # None (no folder) or not a literal
        if folder is None:
            return
        path = os.path.normpath(os.path.join(root, folder))
        target = self.app_folders if spec.default is not None else self.bp_folders
        if path not in self.folder_home:
            self.folder_home[path] = self._home(fn)
            target.append(path)

    def _helper_renders(self) -> None:
        """A helper that renders the template its caller names (``def send(to, template):
        render_template(template, ...)``): each call passing a literal name renders that template there,
        in the caller's context (only when the helper renders it unconditionally, under no ``with``)."""
        for fn in list(self.index.functions.values()):
            for ev in fn.events:
                if not isinstance(ev, CallEvent) or not _worth_resolving(ev.call):
                    continue
                callee = self.r.resolve(ev.call.func, fn)
                if not isinstance(callee, Func) or callee.qual not in self._param_renders:
                    continue
                helper = self.index.functions[callee.qual]
                bound = isinstance(ev.call.func, Attr) and self.r.instance_like(self.r.resolve(ev.call.func.value, fn))
                passed, _ = bind_arguments(helper, bound, ev.call.args, ev.call.kws)
                for param, spec, name in self._param_renders[callee.qual]:
                    names = _names(passed.get(param))
                    if names:
                        self._render_names(fn, ev.pos, helper, names, spec, name,
                                           f"{render(ev.call.func)}(), which calls ")

    def _render(self, fn: Function, ev: CallEvent, spec: TemplateRender, name: str) -> None:
        arg = argument(ev.call.args, ev.call.kws, spec.arg, spec.kw)
        if isinstance(arg, Name) and arg.scope == fn.qual and arg.id in fn.params and not ev.conds \
                and not spec.source and spec.macro is None and not fn.is_generator:
            self._param_renders.setdefault(fn.qual, []).append((arg.id, spec, name))
            return
        here = self.index.module_of(fn.qual).path
        home = self._home(fn)
        entry: str | None = None
        label = name.rsplit(".", 1)[-1]
        macro: str | None = None
        if spec.source:
            if isinstance(arg, Str):
                entry = self._string_template(arg.value, here, ev.pos[0], home)
                label += "(...)"
        else:
            attribute = argument(ev.call.args, ev.call.kws, *spec.macro) if spec.macro is not None else None
            self._render_names(fn, ev.pos, fn, _names(arg), spec, name, "",
                               attribute.value if isinstance(attribute, Str) else None)
            return
        self._add_render(fn, ev.pos, entry, macro, label, spec, home)

    def _render_names(self, fn: Function, pos: Pos, where: Function, names: tuple[str, ...], spec: TemplateRender,
                      name: str, prefix: str, macro_name: str | None = None) -> None:
        """A render of the first template of ``names`` that exists, found from ``where`` (the function with
        the render call), as a call at ``pos`` in ``fn``."""
        here = self.index.module_of(where.qual).path
        home = self._home(where)
        file = next((f for f in (self._find(n, home, here) for n in names) if f is not None), None)
        if file is None:
            return
        label = prefix + name.rsplit(".", 1)[-1]
        label += f"({names[0]!r})" if len(names) == 1 else f"({list(names)!r})"
        entry = self._fn(file, TOP, file)
        macro = self._fn(file, "macro:" + macro_name, file) if macro_name is not None else None
        self._add_render(fn, pos, entry, macro, label, spec, home)

    def _add_render(self, fn: Function, pos: Pos, entry: str | None, macro: str | None, label: str,
                    spec: TemplateRender, home: Home) -> None:
        if entry is None:
            return
        out = self._renders.setdefault((fn.qual, pos), [])
        out.append((entry, label))
        if macro is not None:
            out.append((macro, label))
        if spec.processors:
            out.extend((p, label) for p, where in self.processors if same_project(where, home))

    # ---- template files ------------------------------------------------------------------------
    def _home(self, fn: Function) -> Home:
        mod = self.index.module_of(fn.qual)
        return home_of(mod)

    def _find(self, name: str, home: Home, near: str) -> str | None:
        """The file Flask loads for a template name: the app's folders first, then blueprints' (of the
        same project as ``home``); among several of one kind, the one nearest ``near``; None on a tie."""
        key = (name, home, os.path.dirname(near))
        if key in self._found:
            return self._found[key]
        found: str | None = None
        # as jinja2's FileSystemLoader splits a name: empty and "." pieces dropped, ".." refused
        pieces = [p for p in name.split("/") if p not in ("", ".")]
        if pieces and not any(p == ".." or os.sep in p for p in pieces):
            for folders in (self.app_folders, self.bp_folders):
                cands = [p for p in (os.path.join(f, *pieces) for f in folders
                                     if same_project(self.folder_home[f], home)) if os.path.isfile(p)]
                if cands:
                    found = nearest(cands, os.path.dirname(os.path.abspath(near)), os.path.abspath)
                    if found is not None:
                        folder = next(f for f in folders if found.startswith(f + os.sep))
                        self.file_home.setdefault(found, self.folder_home[folder])
                    break
        self._found[key] = found
        return found

    def _summary(self, file: str) -> TemplateSummary | None:
        if file not in self._summaries:
            self._summaries[file] = _parsed(file)
        return self._summaries[file]

    def _string_template(self, source: str, path: str, line: int, home: Home) -> str | None:
        key = f"{path}\0{line}\0{source}"
        self.file_home[key] = home
        if key not in self._summaries:
            from ..jinja import summarise_template
            self._summaries[key] = summarise_template(source, line - 1)
            self._module(key, path, f"template string at line {line}")
        return self._fn(key, TOP, key)

    def _module(self, file: str, path: str = "", display: str = "") -> Module:
        mod = self._modules.get(file)
        if mod is None:
            display = display or self._display(file)
            name = PREFIX + display
            n = 1
            while name in self.index.modules:
                n += 1
                name = f"{PREFIX}{display}#{n}"
            mod = Module(name=name, path=path or file, is_package=False, import_name=name)
            mod.globals = dict(self._globals)
            home = self.file_home.get(file)
            for helper, qual, where in self.helpers:
                if home is not None and same_project(where, home):
                    mod.globals[helper] = (FuncRef(qual),)
            mod.functions[name + ":<module>"] = Function(name + ":<module>", "<module>", name, "module", (1, 0, 1, 0))
            self.index.modules[name] = mod
            self.index.functions.update(mod.functions)
            self._modules[file] = mod
        return mod

    def _display(self, file: str) -> str:
        """The template's name as its folder knows it."""
        for folder in self.app_folders + self.bp_folders:
            if file.startswith(folder + os.sep):
                return file[len(folder) + 1:].replace(os.sep, "/")
        return os.path.basename(file)

    def _fn(self, file: str, part: str, child: str) -> str | None:
        """The function of one part of a template file, as it runs when ``child`` (a template that
        extends it, or the file itself) is rendered."""
        key = (file, part, child)
        if key in self._quals:
            return self._quals[key]
        summary = self._summary(file)
        if summary is None or part not in summary.parts:
            self._quals[key] = None
            return None
        mod = self._module(file)
        qual = f"{mod.name}:{part}"
        if child != file:
            qual += f"#{self._module(child).name[len(PREFIX):]}"
        self._quals[key] = qual
        p = summary.parts[part]
        conds = [IfCond(self._truthy(c.test), c.positive) if isinstance(c, IfCond) else c for c in p.conds]
        fn = Function(qual, part, mod.name, "def", (p.line, 0, p.line, 0), params=p.params, conds=conds)
        mod.functions[qual] = fn
        self.index.functions[qual] = fn
        from ..jinja import placeholder_of
        events: list[Event] = []
        for ev in p.events:
            link = placeholder_of(ev.call) if isinstance(ev, CallEvent) else None
            if link is None:
                events.append(ev)
                continue
            target = self._link(file, part, child, *link)
            if target is not None:
                events.append(CallEvent(CallExpr(FuncRef(target), (), ()), ev.pos, ev.conds))
        fn.events = events
        return qual

    def _truthy(self, test: Expr) -> Expr:
        """An ``{% if %}`` test with each name that is true only in a request (``current_user.x``) read
        as that request proxy, which the guards know."""
        if isinstance(test, Not):
            return Not(self._truthy(test.operand))
        if isinstance(test, (And, Or)):
            return type(test)(tuple(self._truthy(t) for t in test.items))
        root: Expr = test
        while isinstance(root, Attr):
            root = root.value
        if isinstance(root, Name) and root.scope == "" and root.id in self.t.truthy_in:
            return Name("", _TRUTHY + self.t.truthy_in[root.id])  # bound in every template module
        return test

    def _link(self, file: str, part: str, child: str, kind: str, args: tuple[str, ...]) -> str | None:
        home = self.file_home[file]
        if kind in ("include", "import"):
            found = next((f for f in (self._find(n, home, file) for n in args) if f is not None), None)
            return self._fn(found, TOP, found) if found is not None else None
        if kind == "extends":
            parent = self._find(args[0], home, file) if args else None
            return self._fn(parent, TOP, child) if parent is not None else None
        if kind == "macro":
            target = file if not args[0] else self._find(args[0], home, file)
            return self._fn(target, "macro:" + args[1], target) if target is not None else None
        chain = self._ancestry(child)
        if kind == "block" and args:
            owner = next((f for f in chain if self._has(f, "block:" + args[0])), None)
            return self._fn(owner, "block:" + args[0], child) if owner is not None else None
        if kind == "super" and part.startswith("block:") and file in chain:
            later = chain[chain.index(file) + 1:]
            owner = next((f for f in later if self._has(f, part)), None)
            return self._fn(owner, part, child) if owner is not None else None
        return None

    def _has(self, file: str, part: str) -> bool:
        summary = self._summary(file)
        return summary is not None and part in summary.parts

    def _ancestry(self, file: str) -> list[str]:
        """``file`` and the templates it extends, most derived first."""
        from ..jinja import placeholder_of
        out = [file]
        while len(out) < _MAX_EXTENDS:
            summary = self._summary(out[-1])
            top = summary.parts.get(TOP) if summary is not None else None
            parent = None
            for ev in top.events if top is not None else ():
                link = placeholder_of(ev.call) if isinstance(ev, CallEvent) else None
                if link is not None and link[0] == "extends" and link[1]:
                    parent = self._find(link[1][0], self.file_home[out[-1]], out[-1])
                    break
            if parent is None or parent in out:
                break
            out.append(parent)
        return out


# Summaries of template files this process has read, by (path, size, mtime): an editor's language
# server analyses the same project over and over.
_PARSED: dict[tuple[str, int, int], TemplateSummary | None] = {}
_PARSED_MAX = 10000


def _parsed(file: str) -> TemplateSummary | None:
    try:
        st = os.stat(file)
    except OSError:
        return None
    key = (os.path.abspath(file), st.st_size, st.st_mtime_ns)
    if key not in _PARSED:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        try:
            with open(file, encoding="utf-8") as fh:
                source = fh.read()
        except (OSError, UnicodeDecodeError):
            _PARSED[key] = None
        else:
            from ..jinja import summarise_template
            _PARSED[key] = summarise_template(source)
    return _PARSED[key]


def _names(arg: Expr | None) -> tuple[str, ...]:
    if isinstance(arg, Str):
        return (arg.value,)
    if isinstance(arg, Seq) and arg.items and all(isinstance(i, Str) for i in arg.items):
        return tuple(i.value for i in arg.items if isinstance(i, Str))
    return ()


_MAX_PRINT_SEARCH = 200


def prints(functions: dict[str, Function], entries: list[str], name: str) -> bool:
    """Whether the template parts ``entries`` (and those they include, extend or call) print the variable
    ``name`` the render passes (``{{ name }}``, ``{{ name|e }}``, ``{{ name.upper() }}``): Jinja turns it
    into text there.  Only asking its truth (``{% if name %}``) or naming it is not counted."""
    seen: set[str] = set()
    todo = [q for q in entries if is_template(q)]
    while todo and len(seen) < _MAX_PRINT_SEARCH:
        q = todo.pop()
        fn = functions.get(q)
        if q in seen or fn is None:
            continue
        seen.add(q)
        for ev in fn.events:
            if isinstance(ev, CallEvent):
                if isinstance(ev.call.func, FuncRef):
                    todo.append(ev.call.func.qual)
                elif _rooted_at(ev.call.func, name, 1):
                    return True
            elif isinstance(ev, RefEvent) and (isinstance(ev.expr, Sub) and ev.expr.value == Name("", name)
                                               or _rooted_at(ev.expr, name, 1)):
                return True
    return False


def _rooted_at(expr: Expr, name: str, depth: int) -> bool:
    """``expr`` is an attribute or item chain at least ``depth`` long starting at the template variable ``name``."""
    n = 0
    while isinstance(expr, (Attr, Sub)):
        expr, n = expr.value, n + 1
    return n >= depth and isinstance(expr, Name) and expr.scope == "" and expr.id == name


def _passes_parameter(call: CallExpr, fn: Function) -> bool:
    """A call whose first argument is a parameter of ``fn`` (a helper rendering the template it is given)."""
    first = call.args[0] if call.args else None
    return isinstance(first, Name) and first.scope == fn.qual and first.id in fn.params


def _worth_resolving(call: CallExpr) -> bool:
    """A call that may render a template or make an app or blueprint: it passes a string, a list of
    strings or ``__name__`` (cheap to tell; resolving every call is not)."""
    items: Iterable[Expr] = (*call.args[:2], *(v for _, v in call.kws))
    for a in items:
        if isinstance(a, (Str, Seq)) or isinstance(a, Name) and a.id == "__name__":
            return True
    return False
