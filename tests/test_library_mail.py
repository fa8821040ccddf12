"""Flask-Mail, run for real: which of its calls need an application context (knowledge.mail)."""

from __future__ import annotations

import textwrap

import pytest

from ctxlint.engine import analyse
from ctxlint.knowledge.mail import LIBRARY

pytest.importorskip("flask_mail")


def _setup(init_app: bool):  # noqa: ANN202
    from flask import Flask
    from flask_mail import Mail

    app = Flask(__name__)
    app.config.update(MAIL_SUPPRESS_SEND=True, MAIL_DEFAULT_SENDER="shop@example.com")
    if init_app:
        mail = Mail()
        mail.init_app(app)
    else:
        mail = Mail(app)
    return app, mail


CALLS = {
    "flask_mail.Message": lambda mail, msg, conn: __import__("flask_mail").Message("s", recipients=["a@example.com"]),
    "flask_mail.Mail().send": lambda mail, msg, conn: mail.send(msg),
    "flask_mail.Mail().send_message": lambda mail, msg, conn: mail.send_message("s", recipients=["a@example.com"]),
    "flask_mail.Message().send": lambda mail, msg, conn: msg.send(conn),
    "flask_mail.Message().as_string": lambda mail, msg, conn: msg.as_string(),
    "flask_mail.Message().as_bytes": lambda mail, msg, conn: msg.as_bytes(),
    "flask_mail.Connection().send": lambda mail, msg, conn: conn.send(msg),
}


def test_the_table_covers_what_is_run_here() -> None:
    assert set(CALLS) == set(LIBRARY.locals)


@pytest.mark.parametrize("init_app", [False, True])
@pytest.mark.parametrize("name", sorted(CALLS))
def test_each_call_the_knowledge_lists_raises_without_an_app_context_and_works_with_one(name: str,
                                                                                        init_app: bool) -> None:
    from flask_mail import Message

    app, mail = _setup(init_app)
    msg = Message("s", recipients=["a@example.com"], body="b", sender="shop@example.com")
    with app.app_context():
        conn = mail.connect()  # (connect() of an extension set up by init_app reads current_app too)
    with pytest.raises(RuntimeError, match="application context"):
        CALLS[name](mail, msg, conn)
    with app.app_context():
        CALLS[name](mail, msg, conn)


def test_a_message_with_a_sender_needs_no_context() -> None:
    from flask_mail import Message

    msg = Message("s", recipients=["a@example.com"], body="b", sender="shop@example.com")
    assert msg.sender == "shop@example.com"


PROJECT = """
import threading
from flask import Flask
from flask_mail import Mail, Message

app = Flask(__name__)
mail = Mail(app)


def notify(address):
    mail.send(Message("hi", recipients=[address], sender="shop@example.com"))


def draft(address):
    return Message("hi", recipients=[address], sender="shop@example.com")


@app.post("/")
def index():
    threading.Thread(target=notify, args=("a@example.com",)).start()
    threading.Thread(target=draft, args=("a@example.com",)).start()
    return ""
"""


def test_sending_from_a_thread_is_reported_and_a_message_with_a_sender_is_not(tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "app.py").write_text(textwrap.dedent(PROJECT), encoding="utf-8")
    findings = analyse([str(tmp_path)]).findings
    assert [(f.code, f.line, f.uses[0][5]) for f in findings] == [("CTX202", 20, "mail.send()")]
