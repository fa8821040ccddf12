"""Quart, the asyncio Flask: the same locals and registrations under its own names."""

from __future__ import annotations

from .base import APP, NEEDS_APP, NEEDS_REQUEST, REQUEST, Library, Local

LIBRARY = Library(
    name="quart",
    packages=("quart",),
    module_aliases={f"quart.{m}": "quart" for m in ("globals", "helpers", "templating", "wrappers", "app",
                                                     "blueprints", "ctx")},
    name_aliases={
        "quart.Quart": "flask.Flask",
        "quart.Blueprint": "flask.Blueprint",
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
