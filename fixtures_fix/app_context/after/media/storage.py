import os

from flask import current_app


def storage_root():
    return current_app.config["MEDIA_ROOT"]


def expire_upload(upload_id, *, app):
    """Remove an upload nobody claimed."""
    with app.app_context():
        path = os.path.join(storage_root(), upload_id)
        if os.path.exists(path):
            os.remove(path)
