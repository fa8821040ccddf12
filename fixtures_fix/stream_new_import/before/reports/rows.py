from flask import request


def report_rows():
    yield "id,total\n"
    for n in range(int(request.args.get("limit", "5"))):
        yield f"{n},0\n"
