import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint, current_app

bp = Blueprint("feed", __name__)
pool = ThreadPoolExecutor()


def warm_cache(app):
    with app.app_context():
        return app.name


@bp.post("/warm")
def warm():
    pool.submit(warm_cache, current_app._get_current_object())
    return "", 202


@bp.post("/warm-later")
def warm_later():
    app = current_app._get_current_object()
    pool.submit(lambda: warm_cache(app))
    return "", 202


@bp.post("/rebuild")
def rebuild():
    threading.Thread(target=warm_cache, args=(current_app._get_current_object(),)).start()
    return "", 202
