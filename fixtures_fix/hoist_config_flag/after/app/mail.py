import threading

from flask import Blueprint, current_app

bp = Blueprint("mail", __name__)


def send_async(recipient, body, *, mail_suppress_send):
    if mail_suppress_send:
        return
    print(f"to {recipient}: {body}")


@bp.post("/send/<recipient>")
def send(recipient):
    threading.Thread(target=send_async, args=(recipient, "hello"), kwargs={"mail_suppress_send": current_app.config.get('MAIL_SUPPRESS_SEND')}).start()
    return "", 202
