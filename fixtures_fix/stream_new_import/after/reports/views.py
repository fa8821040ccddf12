"""Reports, streamed from a generator defined in another module."""
import csv  # noqa: F401
from flask import stream_with_context
from werkzeug import Response

from .blueprint import bp
from .rows import report_rows


@bp.route("/report.csv")
def report():
    return Response(stream_with_context(report_rows()), mimetype="text/csv")
