from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint, g, jsonify, request, session

from .tasks import build_report

bp = Blueprint("reports", __name__)
pool = ThreadPoolExecutor(max_workers=2)


@bp.post("/reports/<int:report_id>")
def create(report_id):
    pool.submit(
        build_report,
        report_id,
        agent=request.headers.get("User-Agent", "unknown"),
        user_id=session.get("user_id"),
        lang=request.args.get("lang", "en"),
        account_id=g.account_id,
    )
    return jsonify(queued=report_id), 202
