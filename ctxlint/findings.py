"""Rules and findings.

Each rule is a small class: its code, a one-line summary, the page of
documentation it carries (what it finds, why it breaks, an example, the
fix), and the template of its message.  A finding is plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Step:
    path: str
    line: int
    function: str
    note: str


@dataclass(slots=True)
class Finding:
    code: str
    path: str
    line: int
    column: int  # 1-based
    end_line: int
    end_column: int
    message: str
    fix_hint: str
    trace: list[Step] = field(default_factory=list)
    function: str = ""  # the function the boundary is in (for baselines)
    # For fixes: where the root runs ("thread", "job", "import", "stream", "with", "app", "handover"),
    # the function started at the boundary (path, def line, qualified name), and every use reached
    # without its context as
    # (path, line, column, end_line, end_column, text, qualified name of the function it is in), 1-based columns.
    kind: str = ""
    target: tuple[str, int, str] | None = None
    uses: list[tuple[str, int, int, int, int, str, str]] = field(default_factory=list)
    proxies: list[str] = field(default_factory=list)  # CTX203: the proxies handed over

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)


class Rule:
    code = ""
    name = ""
    summary = ""
    why = ""
    example = ""
    fixed = ""
    hint = ""

    @classmethod
    def doc(cls) -> str:
        return (f"{cls.code} ({cls.name})\n\n{cls.summary}\n\nWhy is this bad?\n{cls.why}\n\n"
                f"Example:\n{cls.example}\n\nUse instead:\n{cls.fixed}\n")


REQUEST_ERROR = "RuntimeError: Working outside of request context."
APP_ERROR = "RuntimeError: Working outside of application context."


class ImportTime(Rule):
    code = "CTX101"
    name = "context-local-at-import-time"
    summary = "A context local is evaluated at import time."
    why = (f"Module level code, class bodies, decorator arguments and default values run when the module is "
           f"imported, before any request or application context exists: `{APP_ERROR}`")
    example = "from flask import current_app\n\nPAGE_SIZE = current_app.config['PAGE_SIZE']"
    fixed = "def page_size():\n    return current_app.config['PAGE_SIZE']"
    hint = "move the access into a function that runs during a request (or inside `with app.app_context():`)"


class ThreadRequest(Rule):
    code = "CTX201"
    name = "request-local-in-thread"
    summary = "A function run in another thread or process reaches a request-bound local."
    why = (f"Flask keeps the request in a context variable of the thread handling it; a worker thread or "
           f"process starts without it: `{REQUEST_ERROR}`")
    example = "pool.submit(build_report, order_ids)   # build_report reads request.headers"
    fixed = "pool.submit(build_report, order_ids, request.headers.get('User-Agent'))"
    hint = ("the request context does not follow into worker threads — read the data in the view and pass it "
            "as an argument, or wrap the target in copy_current_request_context")


class ThreadApp(Rule):
    code = "CTX202"
    name = "app-local-in-thread"
    summary = "A function run in another thread or process reaches an app-bound local (and nothing request-bound)."
    why = f"The application context does not follow into a worker thread or process either: `{APP_ERROR}`"
    example = "pool.submit(export_report, rows)   # export_report reads current_app.config"
    fixed = ("app = current_app._get_current_object()\npool.submit(export_report, app, rows)\n\n"
             "def export_report(app, rows):\n    with app.app_context():\n        ...")
    hint = ("the application context does not follow into worker threads — pass "
            "current_app._get_current_object() to the worker and push app.app_context() there")


class ProxyHandedOver(Rule):
    code = "CTX203"
    name = "context-proxy-handed-to-thread"
    summary = "A context proxy itself is handed to another thread or job."
    why = (f"`request`, `session`, `g` and `current_app` are proxies that look the object up in the current "
           f"context each time they are used; in the worker there is none: `{REQUEST_ERROR}`")
    example = "pool.submit(write_log, request)"
    fixed = "pool.submit(write_log, request.path, request.remote_addr)"
    hint = ("a context proxy only works in the context that created it — pass the data it holds "
            "(or current_app._get_current_object()) instead of the proxy")


class JobRequest(Rule):
    code = "CTX301"
    name = "request-local-in-job"
    summary = ("A background job, scheduler job, atexit/signal handler or plain CLI command, run with no context, "
               "reaches a request-bound local.")
    why = f"Job runners call the function outside any request: `{REQUEST_ERROR}`"
    example = "@celery.task\ndef notify(order_id):\n    send(session['email'])"
    fixed = "@celery.task\ndef notify(order_id, email):\n    send(email)\n\nnotify.delay(order_id, session['email'])"
    hint = "it runs with no request — pass the data it needs as arguments when you start it"


class JobApp(Rule):
    code = "CTX302"
    name = "app-local-in-job"
    summary = "The same as CTX301 for an app-bound local (and nothing request-bound)."
    why = f"Job runners do not push an application context unless told to: `{APP_ERROR}`"
    example = "@celery.task\ndef cleanup():\n    db.session.execute(...)"
    fixed = ("class FlaskTask(Task):\n    def __call__(self, *args, **kwargs):\n        with app.app_context():\n"
             "            return self.run(*args, **kwargs)\n\ncelery = Celery(app.name, task_cls=FlaskTask)")
    hint = ("it runs without an application context — push one inside it (`with app.app_context():`), "
            "or give Celery a task class that does")


class StreamBody(Rule):
    code = "CTX401"
    name = "context-local-in-streamed-body"
    summary = ("A generator handed to a response as its streaming body reaches a context local without "
               "stream_with_context.")
    why = (f"The body is iterated after the view returned and its contexts were popped: `{REQUEST_ERROR}`")
    example = "return Response(generate())   # generate() reads request.args"
    fixed = "return Response(stream_with_context(generate()))"
    hint = "the body is iterated after the view returned — wrap the generator in stream_with_context(...)"


class AppOnly(Rule):
    code = "CTX501"
    name = "request-local-with-app-context-only"
    summary = "A request-bound local is reached from a root that has only an application context."
    why = (f"CLI commands, `with app.app_context():` blocks, teardown_appcontext, shell context processors and "
           f"app-context tasks have an application context but no request: `{REQUEST_ERROR}`")
    example = "@app.cli.command()\ndef seed():\n    create_user(request.args['name'])"
    fixed = "@app.cli.command()\n@click.argument('name')\ndef seed(name):\n    create_user(name)"
    hint = ("only an application context is active here, there is no request — pass the data in, "
            "or push app.test_request_context() if a request is really needed")


class ParseError(Rule):
    code = "CTX900"
    name = "cannot-parse"
    summary = "A file could not be read or parsed; it was not analysed."
    why = "ctxlint cannot see what a file it cannot parse does; the rest of the project is still analysed."
    example = "def broken(:"
    fixed = "def fixed():"
    hint = "fix the syntax error or the encoding"


RULES: dict[str, type[Rule]] = {r.code: r for r in (ImportTime, ThreadRequest, ThreadApp, ProxyHandedOver,
                                                     JobRequest, JobApp, StreamBody, AppOnly, ParseError)}


def selected(code: str, select: list[str] | None, ignore: list[str] | None) -> bool:
    """ruff/flake8 semantics: the longest matching prefix of select and ignore wins."""
    best_sel = max((len(p) for p in (select or ["CTX"]) if code.startswith(p)), default=-1)
    best_ign = max((len(p) for p in (ignore or []) if code.startswith(p)), default=-1)
    return best_sel >= 0 and best_sel > best_ign
