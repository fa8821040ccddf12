"""Flask-Babel: the translation and formatting helpers call the project's locale (and timezone) selector.

Checked with Flask-Babel 4.0 (``tests/test_library_babel.py``), and by hand with 2.0: ``gettext``,
``_``, ``ngettext``, ``pgettext``, ``npgettext``, ``get_locale`` and the ``format_*`` helpers call the
locale selector the first time in each application context; ``format_datetime``, ``format_time``,
``to_user_timezone``, ``to_utc``, ``get_timezone`` (and ``format_date`` of a datetime) call the timezone
selector too.  With no application context at all the translation and number helpers call neither and
give the untranslated string (or the default locale's format) silently, so only a caller with an
application context reaches the selector: a selector that reads ``request.accept_languages`` unguarded
breaks every translated string of a CLI command, an app-context task or a thread that pushed an app
context (CTX501).  The date, time and timezone helpers (``format_date``, ``format_datetime``,
``format_time``, ``get_timezone``, ``to_user_timezone``, ``to_utc``) read the application's Babel
configuration first, so with no context they raise Flask's "Working outside of application context":
they are app-bound.  A lazy string (``lazy_gettext``: Flask-Babel's LazyString) calls ``gettext``, and
so the selector, only where it is turned into text (``tests/test_library_babel_lazy.py``): ``str()``,
``format``, an f-string, ``+``, ``%``, comparisons, any attribute, ``jsonify``...  The summary records
those places as ``Text`` events (and calls of ``TEXT_CALLS``); the resolver says whether the value there
is a lazy string.

Selectors are registered with ``Babel(app, locale_selector=f)``, ``babel.init_app(app,
locale_selector=f)`` (Flask-Babel 3+), ``@babel.localeselector`` / ``@babel.timezoneselector`` (before
3, also called by hand: ``babel.localeselector(f)``), or by assignment: ``babel.locale_selector_func = f`` (before 3) or
``get_babel(app).locale_selector = f`` (3+).  A selector belongs to one application: when a repository
registers several of a kind (test modules' own registrations left out), a call reaches the one registered
in its own project (``selector_for``: applications side by side); several there leave it unfollowed.
"""

from __future__ import annotations

import weakref
from typing import Any

from ..analysis.homes import home_of, same_project
from ..analysis.values import Ext, Func, options, render, short_name
from ..model import Attr, CallEvent, CallExpr, DictExpr, Expr, Function, Name, Seq, Star, Sub, WithCond
from .base import APP, NEEDS_APP, Library, Local

LOCALE = "locale"
TIMEZONE = "timezone"

# the helpers, and which selectors they call (with an application context)
_LOCALE_ONLY = ("gettext", "_", "ngettext", "pgettext", "npgettext", "get_locale", "get_translations",
                "format_date", "format_timedelta", "format_number", "format_decimal", "format_currency",
                "format_percent", "format_scientific")
_BOTH = ("format_datetime", "format_time")
_TIMEZONE_ONLY = ("get_timezone", "to_user_timezone", "to_utc")
# the helpers that raise without an application context (they read the app's configuration)
APP_BOUND = ("format_date", "format_datetime", "format_time", "get_timezone", "to_user_timezone", "to_utc")
SELECTOR_CALLS: dict[str, tuple[str, ...]] = {
    **{f"flask_babel.{n}": (LOCALE,) for n in _LOCALE_ONLY},
    **{f"flask_babel.{n}": (LOCALE, TIMEZONE) for n in _BOTH},
    **{f"flask_babel.{n}": (TIMEZONE,) for n in _TIMEZONE_ONLY},
}
# keyword arguments of the constructor and init_app that register a selector
SELECTOR_KEYWORDS = {"locale_selector": LOCALE, "timezone_selector": TIMEZONE}
REGISTERING_CALLS = ("flask_babel.Babel", "flask_babel.Babel().init_app")
# decorators of Flask-Babel before 3
SELECTOR_DECORATORS = {"flask_babel.Babel().localeselector": LOCALE,
                       "flask_babel.Babel().timezoneselector": TIMEZONE}
_DECORATOR_METHODS = {name.rsplit(".", 1)[-1] for name in SELECTOR_DECORATORS}
# attributes a selector is assigned to, on the Babel object (before 3) or its configuration (3+)
SELECTOR_ATTRS = {"locale_selector_func": LOCALE, "timezone_selector_func": TIMEZONE,
                  "locale_selector": LOCALE, "timezone_selector": TIMEZONE}
SELECTOR_OWNERS = ("flask_babel.Babel()", "flask_babel.get_babel()")
# what a lazy string (``lazy_gettext(...)``: a LazyString) calls when it becomes text: its ``__str__``
# (also behind ``__format__``, ``__add__``, ``__mod__``, ``__eq__``, ``__hash__``, ``__len__``, any
# attribute, ...) calls the function it wraps, which calls the locale selector
LAZY = {
    **{f"flask_babel.lazy_{n}()": n for n in ("gettext", "ngettext", "pgettext", "npgettext")},
    **{f"{d}.lazy_{n}()": n for d in ("flask_babel.Domain()", "flask_babel.get_domain()")
       for n in ("gettext", "ngettext", "pgettext", "npgettext")},
}
# calls that turn the values they are given into text (checked with Flask-Babel 4.0 and Flask 3.1);
# ``"".join`` and ``json.dumps`` refuse a lazy string (TypeError), logging catches what it raises
TEXT_CALLS = {
    **{f"builtins.{n}": f"{n}()" for n in ("str", "repr", "format", "len", "hash", "bool", "print")},
    "flask.jsonify": "jsonify()",
    "markupsafe.escape": "escape()",
}
LABEL = {LOCALE: "Flask-Babel locale selector", TIMEZONE: "Flask-Babel timezone selector"}

_SELECTORS: weakref.WeakKeyDictionary[Any, dict[str, list[tuple[str, Any]]]] = weakref.WeakKeyDictionary()


def find_selectors(prog: Any) -> None:
    """Find the selectors once the program's names are resolved (the ``program_ready`` hook)."""
    selectors(prog.resolver)


def selectors(r: Any) -> dict[str, list[tuple[str, Any]]]:
    """The project's selector functions by kind (``r``: the resolver), each with the project it is
    registered in (see analysis.templates.Home); registrations in test modules are left out (a test's
    own selector is not the application's)."""
    found = _SELECTORS.get(r.index)
    if found is not None:
        return found
    found = {LOCALE: [], TIMEZONE: []}
    _SELECTORS[r.index] = found  # (asked again while they are being found: none yet)

    def add(kind: str, value: Any, mod: Any) -> None:
        if isinstance(value, Func) and value.qual in r.functions:
            entry = (value.qual, home_of(mod))
            if entry not in found[kind]:
                found[kind].append(entry)

    for mod in r.index.modules.values():
        if r.index.is_test(mod):
            continue
        for target, value, _, where in mod.attr_assigns:
            if isinstance(target, Attr) and target.attr in SELECTOR_ATTRS:
                scope = r.index.statement_scope(where, mod)
                owner = r.resolve(target.value, scope)
                if isinstance(owner, Ext) and owner.name in SELECTOR_OWNERS:
                    add(SELECTOR_ATTRS[target.attr], r.resolve(value, scope), mod)
        for fn in mod.functions.values():
            for d in fn.decorators:
                scope = r.index.decorator_scope(fn)
                v = r.resolve(d.func if isinstance(d, CallExpr) else d, scope)
                kind = SELECTOR_DECORATORS.get(v.name) if isinstance(v, Ext) else None
                if kind is not None:
                    add(kind, Func(fn.qual), mod)
            for ev in fn.events:
                if not isinstance(ev, CallEvent):
                    continue
                if isinstance(ev.call.func, Attr) and ev.call.func.attr in _DECORATOR_METHODS and ev.call.args:
                    callee = r.resolve(ev.call.func, fn)  # babel.localeselector(f), called by hand
                    if isinstance(callee, Ext) and callee.name in SELECTOR_DECORATORS:
                        add(SELECTOR_DECORATORS[callee.name], r.resolve(ev.call.args[0], fn), mod)
                if not any(k in SELECTOR_KEYWORDS for k, _ in ev.call.kws):
                    continue
                callee = r.resolve(ev.call.func, fn)
                if isinstance(callee, Ext) and callee.name in REGISTERING_CALLS:
                    for k, v in ev.call.kws:
                        if k in SELECTOR_KEYWORDS:
                            add(SELECTOR_KEYWORDS[k], r.resolve(v, fn), mod)
    return found


def selector_for(r: Any, fn: Function, kind: str) -> str | None:
    """The selector of ``kind`` a call in ``fn`` reaches: the project's only one, or among several the one
    registered in ``fn``'s project (two services side by side each have their own); None when that
    leaves several (one per app: which one runs is unknown) or none."""
    found = {q for q, _ in selectors(r)[kind]}
    if len(found) > 1:
        here = home_of(r.index.module_of(fn.qual))
        found = {q for q, home in selectors(r)[kind] if same_project(home, here)}
    return next(iter(found)) if len(found) == 1 else None


def calls_behind(r: Any, name: str, fn: Function, conds: tuple[int, ...], call: CallExpr) -> list[tuple[str, str, int]]:
    """The project functions a call of the library function ``name`` in ``fn`` (under the conditions
    ``conds``) runs in the caller's context: (qualname, how the trace names the call, the contexts
    without which it does not run).  Inside ``with force_locale(...):`` the locale is set: the locale
    selector is not called.  A call that turns its arguments into text (``str(x)``, ``jsonify(x)``)
    or a method of a lazy string (``title.format(...)``) evaluates the lazy strings among them."""
    how = TEXT_CALLS.get(name)
    if how is not None:
        return [found for arg in _passed(call) for found in turned_into_text(r, arg, how, fn, conds)]
    owner, dot, method = name.rpartition(".")
    if dot and owner in LAZY and isinstance(call.func, Attr):
        return turned_into_text(r, call.func.value, f"{render(call.func)}()", fn, conds)
    kinds = SELECTOR_CALLS.get(name)
    if not kinds:
        return []
    if LOCALE in kinds and _forced_locale(r, fn, conds):
        kinds = tuple(k for k in kinds if k != LOCALE)
    short = name.rsplit(".", 1)[-1]
    # a selector belongs to one application: with several of a kind, which one a call reaches is unknown
    return [(q, f"{short}(), which calls the {LABEL[k]} {short_name(q)}()", APP)
            for k in kinds for q in (selector_for(r, fn, k),) if q is not None]


def turned_into_text(r: Any, expr: Expr, how: str, fn: Function, conds: tuple[int, ...]) -> list[tuple[str, str, int]]:
    """A lazy string turned into text (``how``: by what) in ``fn``: the locale selector it calls then,
    with an application context (with none, the string stays untranslated)."""
    if not isinstance(expr, (Name, Attr, CallExpr, Sub)) or not selectors(r)[LOCALE]:
        return []
    base = next((LAZY[o.name] for o in options(r.held(r.resolve(expr, fn))) if isinstance(o, Ext) and o.name in LAZY),
                None)
    q = selector_for(r, fn, LOCALE) if base is not None else None
    if q is None or _forced_locale(r, fn, conds):
        return []
    return [(q, f"{base}() as {how} turns the lazy string {render(expr)} into text, which calls the {LABEL[LOCALE]} "
                f"{short_name(q)}()", APP)]


def _passed(call: CallExpr) -> list[Expr]:
    """The values a call is given, also inside the lists, tuples and dicts it is given."""
    out: list[Expr] = []
    todo: list[Expr] = [*call.args, *(v for _, v in call.kws)]
    while todo:
        e = todo.pop(0)
        if isinstance(e, Star):
            todo.append(e.value)
        elif isinstance(e, Seq):
            todo.extend(e.items)
        elif isinstance(e, DictExpr):
            todo.extend(v for _, v in e.items)
        else:
            out.append(e)
    return out


def add_babel_modules(kb: Any, names: list[str]) -> None:
    """``babel-modules`` in ``[tool.ctxlint]``: packages with Flask-Babel's API (a fork such as
    Flask-BabelEx, or the project's installed wrapper), read as Flask-Babel."""
    for n in names:
        kb.module_aliases[n] = "flask_babel"
        kb.packages = kb.packages | {n.split(".", 1)[0]}
    kb._canonical_cache.clear()


FORCE_LOCALE = "flask_babel.force_locale"


def _forced_locale(r: Any, fn: Function, conds: tuple[int, ...]) -> bool:
    for ci in conds:
        c = fn.conds[ci]
        if isinstance(c, WithCond) and isinstance(c.expr, CallExpr):
            callee = r.resolve(c.expr.func, fn)
            if isinstance(callee, Ext) and callee.name == FORCE_LOCALE:
                return True
    return False


LIBRARY = Library(
    name="flask_babel",
    packages=("flask_babel",),
    module_aliases={"flask_babel.speaklater": "flask_babel"},
    locals={f"flask_babel.{n}": Local(NEEDS_APP, False, function=True) for n in APP_BOUND},
    hooks={"calls_behind": calls_behind, "turned_into_text": turned_into_text, "program_ready": find_selectors,
           "config:babel_modules": add_babel_modules},
)
