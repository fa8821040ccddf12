"""Quart, the asyncio Flask: the same locals and registrations under its own names.

Checked with Quart 0.22 and quart-trio 0.12 (``tests/test_library_quart.py``): ``before_serving``,
``after_serving`` and ``while_serving`` functions run with only an application context; a task started
with ``app.add_background_task(f)`` runs in a copy of the caller's context (plus an application context),
and so do quart-trio's ``app.nursery.start_soon(f)`` and asyncio's ``create_task``/``ensure_future``
(whose coroutine is made by an ordinary call): started from a request they can still read it, started
from ``before_serving`` they cannot.
"""

from __future__ import annotations

from .base import APP, NEEDS_APP, NEEDS_REQUEST, REQUEST, Follower, Library, Local, Root

# Quart is aliased to flask.Flask: its own methods are named on flask.Flask()
_APP = "flask.Flask()"
SERVING_HOOKS = {"before_serving": "before_serving hook", "after_serving": "after_serving hook",
                 "while_serving": "while_serving hook"}

LIBRARY = Library(
    name="quart",
    packages=("quart", "quart_trio"),
    module_aliases={f"quart.{m}": "quart" for m in ("globals", "helpers", "templating", "wrappers", "app",
                                                     "blueprints", "ctx")},
    name_aliases={
        "quart.Quart": "flask.Flask",
        "quart.Blueprint": "flask.Blueprint",
        "quart_trio.QuartTrio": "flask.Flask",
        "quart_trio.app.QuartTrio": "flask.Flask",
    },
    roots={f"{_APP}.{hook}": Root("app", label) for hook, label in SERVING_HOOKS.items()},
    # run the function in a copy of the caller's context
    followers={
        f"{_APP}.add_background_task": Follower(0, "func"),
        f"{_APP}.nursery.start_soon": Follower(0, "async_fn"),
    },
    locals={
        "quart.request": Local(NEEDS_REQUEST, True),
        "quart.websocket": Local(NEEDS_REQUEST, True),
        "quart.session": Local(NEEDS_REQUEST, True),
        "quart.copy_current_request_context": Local(NEEDS_REQUEST, False, function=True),
        "quart.current_app": Local(NEEDS_APP, True),
        "quart.g": Local(NEEDS_APP, True),
    },
    wrappers={
        "quart.copy_current_request_context": REQUEST,
        "quart.copy_current_app_context": APP,
        "quart.copy_current_websocket_context": REQUEST,
    },
    guard_calls={
        "quart.has_request_context": REQUEST,
        "quart.has_app_context": APP,
        "quart.has_websocket_context": REQUEST,
    },
)
