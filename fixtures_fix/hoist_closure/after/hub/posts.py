import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint, request

bp = Blueprint("posts", __name__)
pool = ThreadPoolExecutor()


def search_index(post_id, lang):
    return post_id, lang


def send_push(post_id, message):
    return post_id, message


@bp.post("/<int:post_id>/reindex")
def reindex(post_id):
    lang = request.args.get("lang", "en")
    pool.submit(lambda: search_index(post_id, lang))
    return "", 202


@bp.post("/<int:post_id>/share")
def share(post_id):
    def push():
        send_push(post_id, message)

    message = request.form["message"]
    # hand it to a thread
    threading.Thread(
        target=push,
        daemon=True,
    ).start()
    return "", 202
