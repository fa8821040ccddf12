"""Signals (blinker): which of Flask's signals run their receivers in which context, and which calls send
a signal.

Checked with Flask 3.1 and blinker 1.9 (``tests/test_library_signals.py``): receivers of
``request_started``, ``request_finished``, ``got_request_exception``, ``request_tearing_down`` and
``message_flashed`` run with the request context; ``appcontext_pushed`` and ``appcontext_tearing_down``
receivers with only an application context, also during a request (the request context is pushed after
the application context and gone before it tears down); ``appcontext_popped`` receivers with no context
at all.  ``template_rendered`` and ``before_render_template`` receivers run in whatever context rendered
the template, so they are no root of their own.

A receiver is connected with ``signal.connect(f)``, ``signal.connect(f, sender)``, ``@signal.connect``
or ``@signal.connect_via(sender)``.  Blinker calls only the receivers connected for the very object
sent as the sender (or for any sender): a context proxy sent as the sender (``sig.send(current_app)``)
is not the application, so receivers connected for the application never run (CTX204).
"""

from __future__ import annotations

from typing import Any

from .base import Library, Root

# Flask's signals: the context their receivers run with ("request", "app", or "job": none at all)
FLASK_SIGNALS: dict[str, str] = {
    "request_started": "request",
    "request_finished": "request",
    "got_request_exception": "request",
    "request_tearing_down": "request",
    "message_flashed": "request",
    "appcontext_pushed": "app",
    "appcontext_tearing_down": "app",
    "appcontext_popped": "job",
}
# Flask-Login's signals: sent from login_user, logout_user, confirm_login and the request loader, all
# during a request (checked with Flask-Login 0.6)
FLASK_LOGIN_SIGNALS = ("user_logged_in", "user_logged_out", "user_login_confirmed", "user_unauthorized",
                       "user_needs_refresh", "user_accessed", "user_loaded_from_cookie",
                       "user_loaded_from_request", "session_protected")
# Flask's signals whose receivers run in the caller's context (where the template is rendered)
CALLER_CONTEXT_SIGNALS = ("template_rendered", "before_render_template")

CONNECT = "connect"  # signal.connect(receiver, sender=ANY) and @signal.connect
CONNECT_VIA = "connect_via"  # @signal.connect_via(sender)
RECEIVER_KW = "receiver"


def receiver_roots(signal: str, kind: str, label: str = "") -> dict[str, Root]:
    """The roots connecting a receiver to ``signal`` (a canonical dotted name) makes."""
    label = label or f"{signal.rsplit('.', 1)[-1]} receiver"
    return {
        f"{signal}.{CONNECT}": Root(kind, label, 0, RECEIVER_KW),
        f"{signal}.{CONNECT_VIA}": Root(kind, label, call=False),
    }


def _flask_roots() -> dict[str, Root]:
    roots: dict[str, Root] = {}
    for name, kind in FLASK_SIGNALS.items():
        roots.update(receiver_roots(f"flask.{name}", kind))
    for name in FLASK_LOGIN_SIGNALS:
        roots.update(receiver_roots(f"flask_login.{name}", "request"))
    return roots


# The methods that send a signal: (canonical name of the method, position of the sender)
SEND_METHODS = ("send", "send_async")
SIGNAL_OBJECTS = (
    "blinker.Signal()", "blinker.NamedSignal()", "blinker.signal()", "blinker.Namespace().signal()",
    *(f"flask.{s}" for s in (*FLASK_SIGNALS, *CALLER_CONTEXT_SIGNALS)),
    *(f"flask_login.{s}" for s in FLASK_LOGIN_SIGNALS),
)
SENDER_KW = "sender"


def _sends(objects: tuple[str, ...] | list[str]) -> dict[str, int]:
    return {f"{o}.{m}": 0 for o in objects for m in SEND_METHODS}


def add_request_signals(kb: Any, names: list[str]) -> None:
    """``request-signals`` in ``[tool.ctxlint]``: another library's signals sent during a request."""
    for n in names:
        kb.roots.update(receiver_roots(kb.canonical(n), "request"))
        kb.signal_sends.update(_sends([kb.canonical(n)]))


def add_app_signals(kb: Any, names: list[str]) -> None:
    """``app-signals``: signals sent with only an application context."""
    for n in names:
        kb.roots.update(receiver_roots(kb.canonical(n), "app"))
        kb.signal_sends.update(_sends([kb.canonical(n)]))


def add_signal_classes(kb: Any, names: list[str]) -> None:
    """``signal-classes``: classes whose instances are signals (their ``send`` takes the sender first)."""
    for n in names:
        kb.signal_sends.update(_sends([kb.canonical(n) + "()"]))


LIBRARY = Library(
    name="signals",
    packages=("blinker",),
    module_aliases={"flask.signals": "flask", "blinker.base": "blinker", "flask_login.signals": "flask_login"},
    name_aliases={"flask.Namespace": "blinker.Namespace"},
    roots=_flask_roots(),
    signal_sends=_sends(SIGNAL_OBJECTS),
    hooks={
        "config:request_signals": add_request_signals,
        "config:app_signals": add_app_signals,
        "config:signal_classes": add_signal_classes,
    },
)
