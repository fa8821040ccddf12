"""Streaming: CTX401, a generator handed to a response reaches a context local without
``stream_with_context``.

The fix (safe) wraps the generator in ``stream_with_context(...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..analysis.roots import Root
from ..findings import Finding, Step
from ..fixing import SAFE, Fix, NoFix, target_name
from .base import APP_ERROR_TEXT, REQUEST_ERROR_TEXT, Boundary, Rule, entry_name, handover_step

if TYPE_CHECKING:
    from ..propagate import Outcome
    from ..rewrite import FixContext


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
    assumes = "from flask import Flask, Response, request, stream_with_context\n\napp = Flask(__name__)"
    hint = "the body is iterated after the view returned — wrap the generator in stream_with_context(...)"
    suffix = " after the view returned"

    @staticmethod
    def fix(f: Finding, ctx: FixContext) -> Fix:
        return fix_stream(f, ctx)


RULES = (StreamBody,)


class StreamBoundary(Boundary):
    kinds = ("stream",)

    def step(self, root: Root, outcome: Outcome) -> Step:
        return handover_step(root, outcome)

    def subject(self, root: Root, rule: type[Rule], functions: list[str], reached: str) -> str:
        return f"streamed generator {entry_name(root)} reaches {reached}"


BOUNDARIES = (StreamBoundary(),)


# ---- the fix ---------------------------------------------------------------------------------------
# (the rewriting library, and libcst, are imported when a fix is made: the engine never needs them)

def fix_stream(f: Finding, ctx: FixContext) -> Fix:
    import libcst as cst

    from ..rewrite import Change, last_name, preorder

    u = ctx.unit(f.path)
    name = target_name(f)
    starts = u.starting_at(f.line, f.column - 1)
    if not starts:
        raise NoFix(f"wrap the generator handed over at {f.path}:{f.line} in stream_with_context(...)")
    outer = starts[0]
    node: cst.BaseExpression | None = None
    for n in preorder(outer):
        if isinstance(n, cst.Call) and name and last_name(n.func) == name:
            node = n
            break
    if node is None:
        for n in starts:
            if isinstance(n, cst.Call):
                arg = next((a for a in n.args if a.keyword is None or a.keyword.value == "response"), None)
                if arg is not None:
                    node = arg.value
                    break
            if isinstance(n, cst.Return) and n.value is not None:
                node = n.value
                if isinstance(node, cst.Tuple) and node.elements:  # return body, status, headers
                    node = node.elements[0].value
                break
    if node is None:
        raise NoFix(f"wrap the generator handed over at {f.path}:{f.line} in stream_with_context(...)")
    p = u.up(node)
    if isinstance(p, cst.Arg) and isinstance(u.up(p), cst.Call):
        holder = u.up(p)
        assert isinstance(holder, cst.Call)
        if u.flask_member(holder.func) == "stream_with_context" or last_name(holder.func) == "stream_with_context":
            raise NoFix("already wrapped in stream_with_context")
    ch = Change(u)
    swc = ch.flask("stream_with_context")
    ch.sub(node, lambda n: cst.Call(cst.parse_expression(swc), [cst.Arg(n)]))
    return Fix(SAFE, f"wrap {u.code(node)} in {swc}(...) so the body keeps the request context while it streams "
                     f"(line {u.line_of(node)})", ch.edits())
