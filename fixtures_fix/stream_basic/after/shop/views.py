"""CSV and NDJSON exports, streamed."""
from flask import Blueprint, Response, request, stream_with_context

bp = Blueprint("shop", __name__)


@bp.get("/orders.csv")
def orders_csv():
    def rows():
        yield "id,total\n"
        for n in range(int(request.args.get("limit", "10"))):
            yield f"{n},0\n"

    return Response(stream_with_context(rows()), mimetype="text/csv")  # the body runs after the view returned


@bp.get("/orders.ndjson")
def orders_ndjson():
    return Response(  # a call over several lines
        stream_with_context(ndjson_rows(
            request.args.get("since"),
        )),
        mimetype="application/x-ndjson",
    )


def ndjson_rows(since):
    for n in range(3):
        yield f'{{"n": {n}, "since": "{since}", "by": "{request.remote_addr}"}}\n'
