"""Flask-Mail: building and sending a message reads the application.

Checked with Flask-Mail 0.10 (``tests/test_library_mail.py``): ``mail.send(msg)``,
``mail.send_message(...)``, ``msg.send(connection)`` and ``msg.as_string()``/``as_bytes()`` read
``current_app`` (also when the extension was built with ``Mail(app)``), so they raise "Working outside of
application context" in a thread or a job with no context; ``Message(...)`` reads it for the default
sender unless ``sender=`` is given.
"""

from __future__ import annotations

from typing import Any

from ..model import Expr, literal_truth
from .base import NEEDS_APP, Library, Local

MESSAGE = "flask_mail.Message"
SENDER_KW = "sender"
SENDER_POSITION = 5  # Message(subject, recipients, body, html, alts, sender, ...)

_APP_BOUND = Local(NEEDS_APP, False, function=True)


def message_given_sender(kb: Any, local: Local, args: tuple[Expr, ...], kws: tuple[tuple[str, Expr], ...]) -> bool:
    """``Message(..., sender=...)`` does not read the application's default sender."""
    if local is not kb.locals.get(MESSAGE):
        return False
    sender = dict(kws).get(SENDER_KW, args[SENDER_POSITION] if len(args) > SENDER_POSITION else None)
    return sender is not None and literal_truth(sender) not in ("none", "false")


LIBRARY = Library(
    name="flask_mail",
    packages=("flask_mail",),
    locals={
        MESSAGE: Local(NEEDS_APP, False, function=True),
        **{f"flask_mail.{name}": _APP_BOUND for name in (
            "Mail().send", "Mail().send_message", "Message().send", "Message().as_string", "Message().as_bytes",
            "Connection().send")},
    },
    hooks={"call_needs_no_context": message_given_sender},
)
