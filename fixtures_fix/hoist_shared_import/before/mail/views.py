import threading

from flask import Blueprint

from .workers import send_goodbye, send_welcome

bp = Blueprint("mail", __name__)


@bp.post("/users/<int:user_id>/welcome")
def welcome(user_id):
    threading.Thread(target=send_welcome, args=(user_id,)).start()
    return "", 202


@bp.post("/users/<int:user_id>/goodbye")
def goodbye(user_id):
    threading.Thread(target=send_goodbye, args=(user_id,)).start()
    return "", 202
