"""App context only: CTX501, a request-bound local reached where only an application context exists
(CLI commands, ``with app.app_context():``, ``teardown_appcontext``, shell context processors,
app-context Celery tasks).

The fix is a suggestion: pass the data in, or push a test request context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..analysis.actions import Use
from ..analysis.roots import Root
from ..analysis.values import short_name
from ..findings import Finding, Step
from ..fixing import SUGGESTION, Fix, uses_text
from .base import REQUEST_ERROR_TEXT, Boundary, Rule, url_for_hint

if TYPE_CHECKING:
    from ..propagate import Outcome
    from ..rewrite import FixContext


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
    assumes = ("from flask import Flask, request\n\n"
               "app = Flask(__name__)\n\n\n"
               "def record_event(name, key, agent=None):\n"
               "    return name, key, agent or request.headers[\"User-Agent\"]")
    hint = ("only an application context is active here, there is no request — pass the data in, "
            "or push app.test_request_context() if a request is really needed")

    @classmethod
    def hint_for(cls, root: Root, use: Use) -> str:
        return url_for_hint(cls.hint, use)

    @classmethod
    def subject(cls, root: Root, entry: str, reached: str) -> str:
        return f"{root.label} {entry} has only an application context but reaches {reached}"

    @staticmethod
    def fix(f: Finding, ctx: FixContext) -> Fix:
        return suggest_app_only(f, ctx)


RULES = (AppOnly,)


class WithBoundary(Boundary):
    kinds = ("with",)

    def step(self, root: Root, outcome: Outcome) -> Step:
        return Step(root.path, root.pos[0], short_name(root.func), "pushes an application context")

    def subject(self, root: Root, rule: type[Rule], functions: list[str], reached: str) -> str:
        where = "at module level" if root.func.endswith(":<module>") else f"in {short_name(root.func)}()"
        return f"`with` block {where} has only an application context but reaches {reached}"


BOUNDARIES = (WithBoundary(),)


def suggest_app_only(f: Finding, ctx: FixContext) -> Fix:
    where = f"{f.path}:{f.line}"
    if f.kind == "with":
        return Fix(SUGGESTION, f"the `with app.app_context():` at {where} has no request but reaches {uses_text(f)}:"
                               f" pass those values in, or use `with app.test_request_context():` there if a request "
                               f"is really needed")
    name = f.function or "the function"
    return Fix(SUGGESTION, f"{name}() ({where}) has only an application context but reaches {uses_text(f)}: pass "
                           f"the values in as arguments or options of {name}() instead of reading them from the "
                           f"request")
