import threading

from flask import Blueprint, current_app

bp = Blueprint("mail", __name__)


def send_async(recipient, body):
    if current_app.config.get('MAIL_SUPPRESS_SEND'):
        return
    print(f"to {recipient}: {body}")


@bp.post("/send/<recipient>")
def send(recipient):
    threading.Thread(target=send_async, args=(recipient, "hello")).start()
    return "", 202
