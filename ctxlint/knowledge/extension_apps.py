"""Flask extensions constructed with the application: ``Cache(app)``, ``Limiter(app=app)``.

An extension's ``__init__`` calls ``init_app(app)`` at once when it is given an application.  Given the
``current_app`` proxy at import time (``cache = Cache(current_app)``), there is no application yet:
checked with the real libraries (``tests/test_library_extension_apps.py``), Flask-Caching's ``Cache``,
Flask-Mail's ``Mail``, Flask-Babel's ``Babel`` and Flask-Login's ``LoginManager`` raise Flask's
"Working outside of application context" at import; Flask-Limiter's ``Limiter`` tests ``if app:``, finds
the unbound proxy falsy and silently skips ``init_app``: no error, and no limit is ever enforced.  Both
are CTX101; the message says which happens.
"""

from __future__ import annotations

from typing import Any

from .base import AppArgument, Library

SKIPS = ("{cls} skips init_app when its app is falsy, and the unbound proxy is: no error at import, but the "
         "extension is never set up for the application")
RAISES = "{cls} calls init_app(app) at once, which raises at import"
UNKNOWN = ("depending on the extension this raises at import, or the falsy unbound proxy makes it skip "
           "init_app silently")


def _raises(cls: str, arg: int | None = 0) -> AppArgument:
    return AppArgument(arg, "app", RAISES.format(cls=cls))


def add_extensions(kb: Any, names: list[str]) -> None:
    """``app-extensions`` in ``[tool.ctxlint]``: extension classes whose constructor takes the app first
    (or as ``app=``) and sets the extension up at once."""
    for n in names:
        kb.app_arguments[kb.canonical(n)] = AppArgument(0, "app", UNKNOWN)


LIBRARY = Library(
    name="extension constructors",
    packages=("flask_caching", "flask_mail", "flask_babel", "flask_login", "flask_limiter"),
    module_aliases={"flask_limiter.extension": "flask_limiter", "flask_limiter._extension": "flask_limiter"},
    app_arguments={
        "flask_caching.Cache": _raises("Flask-Caching's Cache"),
        "flask_mail.Mail": _raises("Flask-Mail's Mail"),
        "flask_babel.Babel": _raises("Flask-Babel's Babel"),
        "flask_login.LoginManager": _raises("Flask-Login's LoginManager"),
        # Flask-Limiter 3+: the key function comes first, the app only as a keyword
        "flask_limiter.Limiter": AppArgument(None, "app", SKIPS.format(cls="Flask-Limiter's Limiter")),
    },
    hooks={"config:app_extensions": add_extensions},
)
