from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint, jsonify

from .tasks import build_report

bp = Blueprint("reports", __name__)
pool = ThreadPoolExecutor(max_workers=2)


@bp.post("/reports/<int:report_id>")
def create(report_id):
    pool.submit(
        build_report,
        report_id,
    )
    return jsonify(queued=report_id), 202
