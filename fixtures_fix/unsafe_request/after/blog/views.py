import threading
from concurrent.futures import ThreadPoolExecutor

import flask as fl

from .audit import record

bp = fl.Blueprint("blog", __name__)
pool = ThreadPoolExecutor()


def log_view(post_id):
    record(f"viewed {post_id}")


def notify(post_id, *, user_id):
    return post_id, user_id


@bp.get("/<int:post_id>")
def show(post_id):
    pool.submit(fl.copy_current_request_context(log_view), post_id)
    return "", 200


@bp.post("/<int:post_id>/notify")
def notify_view(post_id):
    threading.Thread(target=notify, args=(post_id,), kwargs={"user_id": fl.session.get("user_id")}).start()
    return "", 202


@bp.post("/<int:post_id>/notify-now")
def notify_now(post_id):
    return str(notify(post_id))
