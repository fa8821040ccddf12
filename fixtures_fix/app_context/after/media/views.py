import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint, current_app

from .storage import expire_upload, storage_root

bp = Blueprint("media", __name__)
pool = ThreadPoolExecutor()


@bp.post("/<upload_id>")
def upload(upload_id):
    threading.Timer(300, expire_upload, args=(upload_id,), kwargs={"app": current_app._get_current_object()}).start()
    return "", 201


@bp.post("/sweep")
def sweep():
    def run():
        with app.app_context():
            for name in os.listdir(storage_root()):
                os.remove(os.path.join(storage_root(), name))

    app = current_app._get_current_object()
    pool.submit(run)
    return "", 202


@bp.post("/check")
def check():
    app = current_app._get_current_object()

    def run_with_app():
        with app.app_context():
            return os.path.isdir(storage_root())

    pool.submit(run_with_app)
    return "", 202


import os  # noqa: E402
