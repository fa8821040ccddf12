"""Report building, on a worker thread."""
import logging

log = logging.getLogger(__name__)


def build_report(report_id, *, agent, user_id, lang, account_id):
    log.info("report %s for %s (%s) in %s", report_id, user_id, agent, lang)
    return {"id": report_id, "account": account_id}
