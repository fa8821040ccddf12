import flask as fl

bp = fl.Blueprint("feed", __name__)


@bp.route("/tail")
def tail():
    return fl.stream_with_context(tail_log())


def tail_log():
    with open(fl.current_app.config["LOG_PATH"], encoding="utf-8") as fh:
        yield from fh


@bp.route("/events")
def events():
    def generate():
        for n in range(3):
            yield f"{fl.g.user}:{n}\n"

    return fl.Response(fl.stream_with_context(generate()), mimetype="text/plain")
