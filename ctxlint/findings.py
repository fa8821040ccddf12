"""Rules and findings.

Each rule is a small class: its code, a one-line summary, the page of
documentation it carries (what it finds, why it breaks, an example, the
fix), and the template of its message.  A finding is plain data.
"""

from __future__ import annotations

import textwrap
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
    process: bool = False  # the boundary starts another process, not a thread

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)


class Rule:
    """One rule's documentation page, written once.

    ``ctxlint rule CODE`` prints :meth:`doc`, the README's rule table is
    :func:`rules_table`, and SARIF's help text is :meth:`doc` and :meth:`markdown`.
    """

    code = ""
    name = ""
    summary = ""  # what it finds: one sentence, the README table's "finding" column
    reported_at = ""  # where the finding points
    why = ""  # why it breaks at runtime
    errors: tuple[str, ...] = ()  # the exceptions Flask raises, verbatim
    example = ""  # code that has the problem
    fixed = ""  # the same code fixed
    hint = ""  # the fix, as the end of every message

    @classmethod
    def why_heading(cls) -> str:
        return "Why it breaks at runtime" if cls.errors else "Why it matters"

    @classmethod
    def doc(cls) -> str:
        """The rule's page as plain text."""
        out = [f"{cls.code} {cls.name}", "", _fill(_sentence(cls.summary), ""),
               _fill(f"Reported at: {cls.reported_at}.", ""), "", cls.why_heading(), _fill(cls.why, "  ")]
        for err in cls.errors:
            out += ["", _indent(err, "      ")]
        out += ["", "Example", "", _indent(cls.example, "      "), "", "Fix", _fill(_sentence(cls.hint), "  "),
                "", _indent(cls.fixed, "      ")]
        return "\n".join(out) + "\n"

    @classmethod
    def markdown(cls) -> str:
        """The rule's page as Markdown (SARIF ``help.markdown``)."""
        out = [f"## {cls.code} {cls.name}", "", f"**What it finds.** {_sentence(cls.summary)} "
               f"Reported at: {cls.reported_at}.", "", f"**{cls.why_heading()}.** {cls.why}"]
        for err in cls.errors:
            out += ["", "```", err, "```"]
        out += ["", "**Example**", "", "```python", cls.example, "```", "",
                f"**Fix.** {_sentence(cls.hint)}", "", "```python", cls.fixed, "```"]
        return "\n".join(out) + "\n"


def _sentence(text: str) -> str:
    return _capital(text) if text.endswith(".") else _capital(text) + "."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fill(text: str, indent: str) -> str:
    return textwrap.fill(text, width=92, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else "" for line in text.splitlines())


# What Flask raises, verbatim (``str(exc)`` of the RuntimeError, prefixed as a traceback shows it).
REQUEST_ERROR = "RuntimeError: Working outside of request context."
APP_ERROR = "RuntimeError: Working outside of application context."
REQUEST_ERROR_TEXT = (REQUEST_ERROR + "\n\n"
                      "This typically means that you attempted to use functionality that needed\n"
                      "an active HTTP request. Consult the documentation on testing for\n"
                      "information about how to avoid this problem.")
APP_ERROR_TEXT = (APP_ERROR + "\n\n"
                  "This typically means that you attempted to use functionality that needed\n"
                  "the current application. To solve this, set up an application context\n"
                  "with app.app_context(). See the documentation for more information.")


class ImportTime(Rule):
    code = "CTX101"
    name = "context-local-at-import-time"
    summary = ("a context local is evaluated at import time (module level, class bodies, decorator arguments, "
               "default values, `__main__` blocks)")
    reported_at = "the access, or the module-level call that reaches it"
    why = ("Module-level code, class bodies, decorator arguments and default argument values run once, when the "
           "module is imported: before the application has handled a request and, unless the import happens "
           "inside `with app.app_context():`, without an application context either. The import fails, so the "
           "worker or the `flask` command never starts. `current_app`, `g` and the functions that need the "
           "application raise the second error below, `request`, `session` and the request-bound functions the "
           "first.")
    errors = (REQUEST_ERROR_TEXT, APP_ERROR_TEXT)
    example = ("from flask import current_app\n\n"
               "PAGE_SIZE = current_app.config[\"PAGE_SIZE\"]\n\n\n"
               "def list_orders():\n"
               "    return Order.query.limit(PAGE_SIZE).all()")
    fixed = ("from flask import current_app\n\n\n"
             "def list_orders():\n"
             "    page_size = current_app.config[\"PAGE_SIZE\"]\n"
             "    return Order.query.limit(page_size).all()")
    hint = "move the access into a function that runs during a request (or inside `with app.app_context():`)"


class ThreadRequest(Rule):
    code = "CTX201"
    name = "request-local-in-thread"
    summary = "a function run in another thread or process reaches a request-bound local"
    reported_at = "the spawn call"
    why = ("Flask keeps the current request in a context variable of the thread (or greenlet) that handles it. "
           "A function handed to `threading.Thread`, a thread or process pool, `multiprocessing`, gevent or "
           "`start_background_task` starts with no request, so its first use of `request`, `session`, `flash` "
           "or `current_user` raises, in the worker: the exception ends the thread or waits in an unread "
           "future, far from the view that started it. By then the view may have returned and its request "
           "been torn down anyway.")
    errors = (REQUEST_ERROR_TEXT,)
    example = ("@app.post(\"/reports\")\n"
               "def create_report():\n"
               "    pool.submit(build_report, request.json[\"ids\"])\n"
               "    return \"\", 202\n\n\n"
               "def build_report(ids):\n"
               "    agent = request.headers[\"User-Agent\"]  # runs in the pool's thread: no request\n"
               "    ...")
    fixed = ("@app.post(\"/reports\")\n"
             "def create_report():\n"
             "    pool.submit(build_report, request.json[\"ids\"], request.headers[\"User-Agent\"])\n"
             "    return \"\", 202\n\n\n"
             "def build_report(ids, agent):\n"
             "    ...")
    hint = ("the request context does not follow into worker threads — read the data in the view and pass it "
            "as an argument, or wrap the target in copy_current_request_context")


class ThreadApp(Rule):
    code = "CTX202"
    name = "app-local-in-thread"
    summary = ("a function run in another thread or process reaches an app-bound local (and nothing "
               "request-bound)")
    reported_at = "the spawn call"
    why = ("The application context (`current_app`, `g`, `url_for`, `render_template`, `jsonify`, "
           "Flask-SQLAlchemy's `db.session`) lives in a context variable too, and does not follow a function "
           "into a worker thread or process.")
    errors = (APP_ERROR_TEXT,)
    example = ("def export(rows):\n"
               "    pool.submit(write_export, rows)\n\n\n"
               "def write_export(rows):\n"
               "    directory = current_app.config[\"EXPORT_DIR\"]  # no application context in the worker\n"
               "    ...")
    fixed = ("def export(rows):\n"
             "    app = current_app._get_current_object()\n"
             "    pool.submit(write_export, app, rows)\n\n\n"
             "def write_export(app, rows):\n"
             "    with app.app_context():\n"
             "        directory = current_app.config[\"EXPORT_DIR\"]\n"
             "        ...")
    hint = ("the application context does not follow into worker threads — pass "
            "current_app._get_current_object() to the worker and push app.app_context() there")


class ProxyHandedOver(Rule):
    code = "CTX203"
    name = "context-proxy-handed-to-thread"
    summary = ("a context proxy itself is handed to another thread or job (as an argument, or captured by a "
               "spawned closure)")
    reported_at = "the spawn or enqueue call"
    why = ("`request`, `session`, `g` and `current_app` are proxies: each attribute access looks the real object "
           "up in the context of the thread that makes it. Handed to a worker, the proxy looks in the worker's "
           "context, finds nothing and raises (a job queue cannot even pickle it). A request proxy raises the "
           "first error below, an application proxy the second.")
    errors = (REQUEST_ERROR_TEXT, APP_ERROR_TEXT)
    example = ("@app.get(\"/\")\n"
               "def index():\n"
               "    pool.submit(audit, request)\n"
               "    return render_template(\"index.html\")\n\n\n"
               "def audit(req):\n"
               "    log.info(\"%s %s\", req.method, req.path)")
    fixed = ("@app.get(\"/\")\n"
             "def index():\n"
             "    pool.submit(audit, request.method, request.path)\n"
             "    return render_template(\"index.html\")\n\n\n"
             "def audit(method, path):\n"
             "    log.info(\"%s %s\", method, path)")
    hint = ("a context proxy only works in the context that created it — pass the data it holds "
            "(or current_app._get_current_object()) instead of the proxy")


class JobRequest(Rule):
    code = "CTX301"
    name = "request-local-in-job"
    summary = ("a background job, scheduler job, atexit/signal handler or plain click command, run with no "
               "context, reaches a request-bound local")
    reported_at = "the job's `def`"
    why = ("Celery, RQ, Huey and Dramatiq workers and APScheduler run the function in another process or "
           "thread, usually long after the request that queued it has ended; atexit and signal handlers and "
           "plain click commands run outside any request as well. There is no request to read, and pushing an "
           "application context does not make one.")
    errors = (REQUEST_ERROR_TEXT,)
    example = ("@celery.task\n"
               "def send_receipt(order_id):\n"
               "    email = session[\"email\"]  # the worker has no session\n"
               "    ...\n\n\n"
               "send_receipt.delay(order.id)")
    fixed = ("@celery.task\n"
             "def send_receipt(order_id, email):\n"
             "    ...\n\n\n"
             "send_receipt.delay(order.id, session[\"email\"])")
    hint = "it runs with no request — pass the data it needs as arguments when you start it"


class JobApp(Rule):
    code = "CTX302"
    name = "app-local-in-job"
    summary = ("a background job, scheduler job, atexit/signal handler or plain click command, run with no "
               "context, reaches an app-bound local (and nothing request-bound)")
    reported_at = "the job's `def`"
    why = ("Job runners do not push a Flask application context unless the project makes them: a Celery task "
           "class whose `__call__` runs the task inside `app.app_context()`, Flask-CeleryExt, an RQ worker started "
           "from a Flask CLI command. Without one, `current_app`, `g` and `db.session` raise in the worker.")
    errors = (APP_ERROR_TEXT,)
    example = ("celery = Celery(app.import_name)\n\n\n"
               "@celery.task\n"
               "def purge_sessions():\n"
               "    db.session.execute(delete(UserSession).where(UserSession.expired))\n"
               "    db.session.commit()")
    fixed = ("class FlaskTask(Task):\n"
             "    def __call__(self, *args, **kwargs):\n"
             "        with app.app_context():\n"
             "            return self.run(*args, **kwargs)\n\n\n"
             "celery = Celery(app.import_name, task_cls=FlaskTask)")
    hint = ("it runs without an application context — push one inside it (`with app.app_context():`), "
            "or give Celery a task class that does")


class StreamBody(Rule):
    code = "CTX401"
    name = "context-local-in-streamed-body"
    summary = ("a generator handed to a response as its streaming body reaches a context local without "
               "`stream_with_context`")
    reported_at = "the expression handing it over"
    why = ("The view returns the response object; the WSGI server iterates the generator afterwards, when Flask "
           "has already popped the request context and the application context with it. The status line and "
           "headers are already sent, so the client gets a 200 with a truncated body. A request-bound local "
           "raises the first error below, an app-bound one the second.")
    errors = (REQUEST_ERROR_TEXT, APP_ERROR_TEXT)
    example = ("@app.get(\"/export.csv\")\n"
               "def export_csv():\n"
               "    def generate():\n"
               "        for row in search(request.args[\"q\"]):\n"
               "            yield \",\".join(row) + \"\\n\"\n"
               "    return Response(generate(), mimetype=\"text/csv\")")
    fixed = ("@app.get(\"/export.csv\")\n"
             "def export_csv():\n"
             "    def generate():\n"
             "        for row in search(request.args[\"q\"]):\n"
             "            yield \",\".join(row) + \"\\n\"\n"
             "    return Response(stream_with_context(generate()), mimetype=\"text/csv\")")
    hint = "the body is iterated after the view returned — wrap the generator in stream_with_context(...)"


class AppOnly(Rule):
    code = "CTX501"
    name = "request-local-with-app-context-only"
    summary = ("a request-bound local is reached where only an application context exists (CLI commands, "
               "`with app.app_context():`, `teardown_appcontext`, shell context processors, app-context Celery "
               "tasks)")
    reported_at = "the `def`, or the `with` line"
    why = ("`flask` CLI commands, `with app.app_context():` blocks, `teardown_appcontext` handlers, shell context "
           "processors and Celery tasks whose task class pushes `app.app_context()` have an application "
           "context, so `current_app`, `g` and `db.session` work, but there is no request: `request`, "
           "`session`, `flash`, `current_user` and `url_for` without `SERVER_NAME` raise.")
    errors = (REQUEST_ERROR_TEXT,)
    example = ("@app.cli.command()\n"
               "def reindex():\n"
               "    for order in Order.query:\n"
               "        record_event(\"reindex\", order.id)  # record_event() reads request.headers")
    fixed = ("@app.cli.command()\n"
             "def reindex():\n"
             "    for order in Order.query:\n"
             "        record_event(\"reindex\", order.id, agent=\"flask reindex\")  # the caller passes the data")
    hint = ("only an application context is active here, there is no request — pass the data in, "
            "or push app.test_request_context() if a request is really needed")


class ParseError(Rule):
    code = "CTX900"
    name = "cannot-parse"
    summary = ("a file could not be parsed (syntax error, bad encoding, NUL bytes, or past its parse deadline); "
               "the rest of the project is still analysed")
    reported_at = "the error's location"
    why = ("ctxlint reads source without importing it. A file it cannot parse adds no functions, calls or roots "
           "to the analysis, so context misuse in it, or reached through it, goes unreported. Python cannot "
           "import it either, unless it is not Python 3 source at all (a template, a Python 2 script): then "
           "exclude it. A file that takes libcst longer than the parse deadline (`--parse-timeout`, 30 s per MiB) "
           "is given up on, and reported here, so that one generated file cannot stall every run.")
    example = "print \"hello\""
    fixed = "print(\"hello\")"
    hint = "fix the syntax error or the encoding"


class UnusedSuppression(Rule):
    code = "CTX001"
    name = "unused-suppression"
    summary = ("a `# noqa: CTX…` code or a `# ctxlint: ignore` comment suppresses no finding (reported with "
               "`--report-unused-noqa`, or when CTX001 is selected by name)")
    reported_at = "the comment"
    why = ("A suppression outlives the code it was written for. Left in place, it silently hides the next "
           "finding on that line. A bare `# noqa` and other tools' codes are left alone: they may be "
           "another linter's.")
    example = "pool.submit(build_report, ids, agent)  # noqa: CTX201"
    fixed = "pool.submit(build_report, ids, agent)"
    hint = "remove the comment, or the codes in it that match nothing"


RULES: dict[str, type[Rule]] = {r.code: r for r in (ImportTime, ThreadRequest, ThreadApp, ProxyHandedOver,
                                                     JobRequest, JobApp, StreamBody, AppOnly, ParseError,
                                                     UnusedSuppression)}


def rules_table() -> str:
    """The README's rule table, made from the rules' pages (``ctxlint rule --all --format markdown``)."""
    rows = ["| code | name | finding | reported at |", "|---|---|---|---|"]
    for r in RULES.values():
        cells = [r.code, f"`{r.name}`", r.summary, r.reported_at]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows) + "\n"


def selected(code: str, select: list[str] | None, ignore: list[str] | None) -> bool:
    """ruff/flake8 semantics: the longest matching prefix of select and ignore wins."""
    best_sel = max((len(p) for p in (select or ["CTX"]) if code.startswith(p)), default=-1)
    best_ign = max((len(p) for p in (ignore or []) if code.startswith(p)), default=-1)
    return best_sel >= 0 and best_sel > best_ign
