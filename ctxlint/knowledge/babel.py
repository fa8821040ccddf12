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
they are app-bound.  A lazy string (``lazy_gettext``) calls the selector only when it is turned into
text; that is not followed.

Selectors are registered with ``Babel(app, locale_selector=f)``, ``babel.init_app(app,
locale_selector=f)`` (Flask-Babel 3+), ``@babel.localeselector`` / ``@babel.timezoneselector`` (before
3, also called by hand: ``babel.localeselector(f)``), or by assignment: ``babel.locale_selector_func = f`` (before 3) or
``get_babel(app).locale_selector = f`` (3+).  A selector belongs to one application: when a project
registers several of a kind, which one a call reaches is not known and none is followed.
"""

from __future__ import annotations

import weakref
from typing import Any

from ..analysis.values import Ext, Func, short_name
from ..model import Attr, CallEvent, CallExpr, Function, Name, WithCond
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
LABEL = {LOCALE: "Flask-Babel locale selector", TIMEZONE: "Flask-Babel timezone selector"}

_SELECTORS: weakref.WeakKeyDictionary[Any, dict[str, list[str]]] = weakref.WeakKeyDictionary()


def find_selectors(prog: Any) -> None:
    """Find the selectors once the program's names are resolved (the ``program_ready`` hook)."""
    selectors(prog.resolver)


def selectors(r: Any) -> dict[str, list[str]]:
    """The project's selector functions by kind (``r``: the resolver)."""
    found = _SELECTORS.get(r.index)
    if found is not None:
        return found
    found = {LOCALE: [], TIMEZONE: []}
    _SELECTORS[r.index] = found  # (asked again while they are being found: none yet)

    def add(kind: str, value: Any) -> None:
        if isinstance(value, Func) and value.qual in r.functions and value.qual not in found[kind]:
            found[kind].append(value.qual)

    for mod in r.index.modules.values():
        for target, value, _ in mod.attr_assigns:
            if isinstance(target, Attr) and target.attr in SELECTOR_ATTRS:
                scope = r.functions.get(target.value.scope, mod.body) \
                    if isinstance(target.value, Name) and target.value.scope else mod.body
                owner = r.resolve(target.value, scope)
                if isinstance(owner, Ext) and owner.name in SELECTOR_OWNERS:
                    add(SELECTOR_ATTRS[target.attr], r.resolve(value, scope))
        for fn in mod.functions.values():
            for d in fn.decorators:
                scope = r.index.decorator_scope(fn)
                v = r.resolve(d.func if isinstance(d, CallExpr) else d, scope)
                kind = SELECTOR_DECORATORS.get(v.name) if isinstance(v, Ext) else None
                if kind is not None:
                    found[kind].append(fn.qual)
            for ev in fn.events:
                if not isinstance(ev, CallEvent):
                    continue
                if isinstance(ev.call.func, Attr) and ev.call.func.attr in _DECORATOR_METHODS and ev.call.args:
                    callee = r.resolve(ev.call.func, fn)  # babel.localeselector(f), called by hand
                    if isinstance(callee, Ext) and callee.name in SELECTOR_DECORATORS:
                        add(SELECTOR_DECORATORS[callee.name], r.resolve(ev.call.args[0], fn))
                if not any(k in SELECTOR_KEYWORDS for k, _ in ev.call.kws):
                    continue
                callee = r.resolve(ev.call.func, fn)
                if isinstance(callee, Ext) and callee.name in REGISTERING_CALLS:
                    for k, v in ev.call.kws:
                        if k in SELECTOR_KEYWORDS:
                            add(SELECTOR_KEYWORDS[k], r.resolve(v, fn))
    return found


def calls_behind(r: Any, name: str, fn: Function, conds: tuple[int, ...]) -> list[tuple[str, str, int]]:
    """The project functions a call of the library function ``name`` in ``fn`` (under the conditions
    ``conds``) runs in the caller's context: (qualname, how the trace names the call, the contexts
    without which it does not run).  Inside ``with force_locale(...):`` the locale is set: the locale
    selector is not called."""
    kinds = SELECTOR_CALLS.get(name)
    if not kinds:
        return []
    if LOCALE in kinds and _forced_locale(r, fn, conds):
        kinds = tuple(k for k in kinds if k != LOCALE)
    found = selectors(r)
    short = name.rsplit(".", 1)[-1]
    # a selector belongs to one application: with several of a kind, which one a call reaches is unknown
    return [(q, f"{short}(), which calls the {LABEL[k]} {short_name(q)}()", APP)
            for k in kinds if len(found[k]) == 1 for q in found[k]]


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
    hooks={"calls_behind": calls_behind, "program_ready": find_selectors, "config:babel_modules": add_babel_modules},
)
