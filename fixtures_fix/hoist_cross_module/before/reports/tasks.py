"""Report building, on a worker thread."""
import logging

from flask import g, request, session

log = logging.getLogger(__name__)


def build_report(report_id):
    agent = request.headers.get("User-Agent", "unknown")
    log.info("report %s for %s (%s) in %s", report_id, session.get("user_id"), agent, request.args.get("lang", "en"))
    return {"id": report_id, "account": g.account_id}
