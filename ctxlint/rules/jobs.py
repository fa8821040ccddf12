"""Jobs: CTX301 (request-bound local) and CTX302 (app-bound local) in background jobs, scheduler
jobs, atexit/signal handlers and plain click commands, which run with no context.

The fix is a suggestion: pass the request data in as arguments, or push an
application context inside the job (or give the job runner a task class that does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..analysis.actions import Use
from ..analysis.roots import Root
from ..findings import Finding
from ..fixing import SUGGESTION, Fix, uses_text
from ..knowledge.celery import OUTSIDE_TASK_CLASS
from .base import APP_ERROR_TEXT, REQUEST_ERROR_TEXT, Rule, url_for_hint

if TYPE_CHECKING:
    from ..rewrite import FixContext


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
               "@app.post(\"/orders/<int:order_id>/pay\")\n"
               "def pay(order_id):\n"
               "    send_receipt.delay(order_id)\n"
               "    return \"\", 202")
    fixed = ("@celery.task\n"
             "def send_receipt(order_id, email):\n"
             "    ...\n\n\n"
             "@app.post(\"/orders/<int:order_id>/pay\")\n"
             "def pay(order_id):\n"
             "    send_receipt.delay(order_id, session[\"email\"])\n"
             "    return \"\", 202")
    assumes = ("from celery import Celery\n"
               "from flask import Flask, session\n\n"
               "app = Flask(__name__)\n"
               "celery = Celery(app.import_name)")
    hint = "it runs with no request — pass the data it needs as arguments when you start it"
    supersedes = ("CTX302",)

    @classmethod
    def hint_for(cls, root: Root, use: Use) -> str:
        return url_for_hint(cls.hint, use)

    @staticmethod
    def fix(f: Finding, ctx: FixContext) -> Fix:
        return suggest_job(f, ctx)


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
    assumes = ("from celery import Celery, Task\n"
               "from flask import Flask\n"
               "from flask_sqlalchemy import SQLAlchemy\n"
               "from sqlalchemy import delete\n\n"
               "app = Flask(__name__)\n"
               "db = SQLAlchemy(app)")
    hint = ("it runs without an application context — push one inside it (`with app.app_context():`), "
            "or give Celery a task class that does")

    @classmethod
    def hint_for(cls, root: Root, use: Use) -> str:
        if root.label in OUTSIDE_TASK_CLASS:
            return ("it runs without an application context, even where the task class pushes one around the "
                    "task — push one inside it (`with app.app_context():`)")
        if "Celery" in root.label:
            return cls.hint
        return "it runs without an application context — push one inside it (`with app.app_context():`)"

    @staticmethod
    def fix(f: Finding, ctx: FixContext) -> Fix:
        return suggest_job(f, ctx)


RULES = (JobRequest, JobApp)
BOUNDARIES = ()  # a job's message is its rule's: "<label> <job>() runs with no context but reaches ..."


def suggest_job(f: Finding, ctx: FixContext) -> Fix:
    name = f.function or "the job"
    where = f"{f.path}:{f.line}"
    if f.code == "CTX301":
        return Fix(SUGGESTION, f"{name}() ({where}) runs with no request: read {uses_text(f)} where the job is "
                               f"started and pass the values to {name}() as arguments")
    # the boundary step's note is "<label> <function>()"
    note = f.trace[0].note if f.trace else ""
    outside = any(note.startswith(label + " ") for label in OUTSIDE_TASK_CLASS)
    runner = "" if outside else ", or give the job runner a task class that pushes one"
    return Fix(SUGGESTION, f"{name}() ({where}) runs without an application context and reaches {uses_text(f)}: "
                           f"wrap its body in `with app.app_context():` with your app object (from the app factory)"
                           f"{runner}")
