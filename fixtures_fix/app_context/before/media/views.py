import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint

from .storage import expire_upload, storage_root

bp = Blueprint("media", __name__)
pool = ThreadPoolExecutor()


@bp.post("/<upload_id>")
def upload(upload_id):
    threading.Timer(300, expire_upload, args=(upload_id,)).start()
    return "", 201


@bp.post("/sweep")
def sweep():
    def run():
        for name in os.listdir(storage_root()):
            os.remove(os.path.join(storage_root(), name))

    pool.submit(run)
    return "", 202


@bp.post("/check")
def check():
    pool.submit(lambda: os.path.isdir(storage_root()))
    return "", 202


import os  # noqa: E402
