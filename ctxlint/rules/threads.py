"""Threads and processes: CTX201 (request-bound local), CTX202 (app-bound local), CTX203 (a proxy
handed over); and CTX204, a proxy handed to blinker as a signal's sender.

A function handed to ``threading.Thread``, a pool, ``multiprocessing``, gevent or
``start_background_task`` starts with no context.  The fixes read request data in the
code that starts the worker and pass it in (safe where the target is used only there),
hand over the real application object instead of the ``current_app`` proxy, or wrap
the target in ``copy_current_request_context`` (unsafe).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..analysis.actions import Use
from ..analysis.roots import Root
from ..analysis.values import short_name
from ..findings import Finding, Step
from ..fixing import SAFE, UNSAFE, Fix, NoFix, target_name, uses_text, worker_label
from .base import (
    APP_ERROR_TEXT,
    REQUEST_ERROR_TEXT,
    Boundary,
    Rule,
    article,
    entry_name,
    finding_at,
    handover_step,
    url_for_hint,
)

if TYPE_CHECKING:
    from ..propagate import Outcome
    from ..rewrite import FixContext


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
               "    agent = request.headers[\"User-Agent\"]\n"
               "    ...")
    fixed = ("@app.post(\"/reports\")\n"
             "def create_report():\n"
             "    pool.submit(build_report, request.json[\"ids\"], agent=request.headers[\"User-Agent\"])\n"
             "    return \"\", 202\n\n\n"
             "def build_report(ids, *, agent):\n"
             "    ...")
    assumes = ("from concurrent.futures import ThreadPoolExecutor\n\n"
               "from flask import Flask, request\n\n"
               "app = Flask(__name__)\n"
               "pool = ThreadPoolExecutor()")
    hint = ("the request context does not follow into worker threads — read the data in the view and pass it "
            "as an argument, or wrap the target in copy_current_request_context")
    supersedes = ("CTX202",)

    @classmethod
    def hint_for(cls, root: Root, use: Use) -> str:
        if root.process:
            return ("the request context does not exist in another process — read the data in the view and "
                    "pass it as an argument")
        return url_for_hint(cls.hint, use)

    @staticmethod
    def fix(f: Finding, ctx: FixContext) -> Fix:
        return fix_request_thread(f, ctx)


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
               "    body = render_template(\"export.csv\", rows=rows)  # no application context in the worker\n"
               "    ...")
    fixed = ("def export(rows):\n"
             "    app = current_app._get_current_object()\n"
             "    pool.submit(write_export, app, rows)\n\n\n"
             "def write_export(app, rows):\n"
             "    with app.app_context():\n"
             "        body = render_template(\"export.csv\", rows=rows)\n"
             "        ...")
    assumes = ("from concurrent.futures import ThreadPoolExecutor\n\n"
               "from flask import current_app, render_template\n\n"
               "pool = ThreadPoolExecutor()")
    hint = ("the application context does not follow into worker threads — pass "
            "current_app._get_current_object() to the worker and push app.app_context() there")

    @classmethod
    def hint_for(cls, root: Root, use: Use) -> str:
        if root.process:
            return ("the application context does not exist in another process — create or import the app "
                    "there and push app.app_context() in the worker")
        return cls.hint

    @staticmethod
    def fix(f: Finding, ctx: FixContext) -> Fix:
        return fix_app_thread(f, ctx)


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
    assumes = ("import logging\n"
               "from concurrent.futures import ThreadPoolExecutor\n\n"
               "from flask import Flask, render_template, request\n\n"
               "app = Flask(__name__)\n"
               "log = logging.getLogger(__name__)\n"
               "pool = ThreadPoolExecutor()")
    hint = ("a context proxy only works in the context that created it — pass the data it holds "
            "(or current_app._get_current_object()) instead of the proxy")

    @staticmethod
    def fix(f: Finding, ctx: FixContext) -> Fix:
        return fix_proxy(f, ctx)


class ThreadBoundary(Boundary):
    kinds = ("thread",)

    def step(self, root: Root, outcome: Outcome) -> Step:
        if root.via:  # a project decorator starts the thread for the function it wraps
            path, line, func = root.via_at
            return Step(path, line, func, f"{root.via} hands {entry_name(root)} to {article(root.label)} {root.label}")
        return handover_step(root, outcome)

    def subject(self, root: Root, rule: type[Rule], functions: list[str], reached: str) -> str:
        if root.via:
            return f"{entry_name(root)} runs in a thread (its {root.via} decorator starts one) and reaches {reached}"
        return f"{root.label} {entry_name(root)} reaches {reached}"

    def shown(self, root: Root, names: list[str]) -> list[str]:
        decorated = entry_name(root)
        if root.via and decorated in names:  # the decorator's closure and the function are the subject
            return names[names.index(decorated) + 1:]
        return names


BOUNDARIES = (ThreadBoundary(),)


def proxy_finding(outcome: Outcome) -> Finding:
    """CTX203 for a root that hands context proxies themselves over."""
    root = outcome.root
    names = sorted({p[0] for p in outcome.proxies})
    what = " and ".join(f"the `{n}` proxy" for n in names)
    target = outcome.boundary_text
    hint = ProxyHandedOver.hint
    msg = f"{what} is handed to {article(root.label)} {root.label} ({target}); {hint}"
    f = finding_at("CTX203", root, msg, hint,
                   [Step(root.path, root.pos[0], short_name(root.func), f"hands {names[0]} to {target}")])
    f.proxies = names
    return f


# ---- the fixes -------------------------------------------------------------------------------------
# (the rewriting library, and libcst, are imported when a fix is made: the engine never needs them)

def fix_request_thread(f: Finding, ctx: FixContext) -> Fix:
    import libcst as cst

    from ..hoisting import hoist, spawn_site
    from ..rewrite import Change, last_name

    spawn = spawn_site(f, ctx)
    process = f.process
    label = worker_label(f)
    target = f"{target_name(f)}()" if f.target else "the target"
    try:
        return hoist(f, ctx, spawn, process)
    except NoFix as exc:
        reason = exc.message
    if process:
        raise NoFix(f"read {uses_text(f)} in the view before starting the {label} at line {f.line} and pass the "
                    f"values to {target} as arguments (a request cannot reach another process; {reason})")
    if spawn.arg is None:
        raise NoFix(f"read {uses_text(f)} before the {label} starts at {f.path}:{f.line} and pass the values in, "
                    f"or start it with copy_current_request_context ({reason})")
    value = spawn.arg.value
    p = spawn.unit.up(spawn.arg)
    if isinstance(value, cst.Call) and last_name(value.func) == "copy_current_request_context" or (
            isinstance(p, cst.Call) and last_name(p.func) == "copy_current_request_context"):
        raise NoFix("already wrapped in copy_current_request_context")
    ch = Change(spawn.unit)
    cc = ch.flask("copy_current_request_context")
    ch.sub(value, lambda n: cst.Call(cst.parse_expression(cc), [cst.Arg(n)]))
    return Fix(UNSAFE, f"wrap {spawn.unit.code(value)} in {cc}(...) at line {spawn.unit.line_of(value)}: the {label} "
                       f"then runs in a copy of the request context and keeps the request alive until it ends "
                       f"(a safe edit is not possible: {reason})", ch.edits())


def fix_app_thread(f: Finding, ctx: FixContext) -> Fix:
    import libcst as cst

    from ..hoisting import SPAWN_KEYWORDS, hoist, pass_values, references, spawn_site, target_def
    from ..rewrite import Change, add_kwonly, all_names, becomes, fresh_name, wrap_body

    spawn = spawn_site(f, ctx)
    label = worker_label(f)
    try:  # config values and g attributes read up front need no application context at all
        return hoist(f, ctx, spawn, f.process)
    except NoFix:
        pass
    if f.process:
        raise NoFix(f"the {label} at line {f.line} runs in another process: create or import the app there and "
                    f"wrap the body of {target_name(f)}() in `with app.app_context():`")
    try:
        tu, tnode, where = target_def(f, ctx, spawn)
    except NoFix as exc:
        raise NoFix(f"pass current_app._get_current_object() to the {label} at line {f.line} and push "
                    f"`with app.app_context():` in it ({exc.message})") from exc
    ch = Change(spawn.unit)
    real = f"{ch.flask('current_app')}._get_current_object()"
    caller = spawn.function()
    if where == "module":
        assert isinstance(tnode, cst.FunctionDef)
        app = fresh_name("app", all_names(tnode) | SPAWN_KEYWORDS)
        tch = ch if tu is spawn.unit else Change(tu)
        tch.sub(tnode, lambda fn: wrap_body(fn, app).with_changes(params=add_kwonly(fn.params, [app])))
        how = pass_values(spawn, ch, [(app, cst.parse_expression(real))])
        edits = ch.edits() + (tch.edits() if tch is not ch else [])
        msg = (f"pass {real} to {tnode.name.value}() as {app} ({how}) and run its body in "
               f"`with {app}.app_context():`")
        if references(ctx, tnode.name.value, tu.path) != 1:
            msg += f"; other callers of {tnode.name.value}() must pass {app} too"
    else:
        if caller is None:
            raise NoFix("the spawn call is not in a function")
        stmt, _ = spawn.statement()
        taken = all_names(caller) | spawn.unit.names
        app = fresh_name("app", taken)
        new: list[cst.BaseStatement] = [cst.parse_statement(f"{app} = {real}\n")]
        if where == "closure":
            assert isinstance(tnode, cst.FunctionDef)
            ch.sub(tnode, lambda fn: wrap_body(fn, app))
            what = f"{tnode.name.value}()"
        else:
            assert isinstance(tnode, cst.Lambda)
            fname = fresh_name("run_with_app", taken)
            body = tnode.body
            if "\n" in spawn.unit.code(body) and not body.lpar:
                body = body.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
            fn = cst.FunctionDef(cst.Name(fname), tnode.params,
                                 cst.IndentedBlock([cst.SimpleStatementLine([cst.Return(body)])]),
                                 leading_lines=[cst.EmptyLine(indent=False)])
            new.append(wrap_body(fn, app))
            ch.sub(tnode, becomes(cst.Name(fname)))
            what = f"the lambda (now {fname}())"
        ch.insert_before(stmt, new, separate=where == "lambda")
        edits = ch.edits()
        msg = f"take {real} as {app} before starting the {label} and run {what} in `with {app}.app_context():`"
    return Fix(UNSAFE, msg, edits)


def fix_proxy(f: Finding, ctx: FixContext) -> Fix:
    import libcst as cst

    from ..hoisting import process_pool
    from ..rewrite import Change, between, is_keyword, preorder

    u = ctx.unit(f.path)
    proxies = f.proxies or []
    plain = ", ".join(f"`{p}`" for p in proxies) or "the proxy"
    calls = [n for n in u.starting_at(f.line, f.column - 1) if isinstance(n, cst.Call)]
    if f.kind == "handover" or not calls:
        raise NoFix(f"pass the plain values the job needs instead of {plain} at line {f.line} (a proxy is bound to "
                    f"the request or app context that created it)")
    call = calls[-1]
    for c in reversed(calls):
        if any(u.code(n) in proxies for n in preorder(c) if isinstance(n, (cst.Name, cst.Attribute))):
            call = c
            break
    fn = u.enclosing_function(call)
    ch = Change(u)
    fixed: list[str] = []
    for proxy in proxies:
        direct = [n for n in preorder(call) if isinstance(n, (cst.Name, cst.Attribute)) and u.code(n) == proxy
                  and not isinstance(u.up(n), cst.Attribute) and not is_keyword(u, n)]
        member = next((u.flask_member(n, fn) for n in direct if u.flask_member(n, fn)), None)
        if member is None and fn is not None and proxy.isidentifier():
            assigns = [a for a in preorder(fn.body) if isinstance(a, cst.Assign)
                       and any(isinstance(t.target, cst.Name) and t.target.value == proxy for t in a.targets)]
            if len(assigns) == 1 and len(assigns[0].targets) == 1 and u.flask_member(assigns[0].value, fn):
                alias = assigns[0]
                if u.flask_member(alias.value, fn) == "current_app" and not f.process:
                    ch.sub(alias.value, lambda n: cst.parse_expression(f"{u.code(n)}._get_current_object()"))
                    fixed.append(f"`{proxy} = {u.code(alias.value)}` (line {u.line_of(alias)})")
                    continue
        if member != "current_app" or f.process or process_pool(u, call):
            what = {"request": "the request data the worker needs (e.g. request.path, request.get_json())",
                    "session": "the session values the worker needs (e.g. session.get('user_id'))",
                    "g": "the values of g the worker needs"}.get(member or "", "the plain values the worker needs")
            raise NoFix(f"pass {what} instead of {plain} at {f.path}:{f.line}: a proxy only works in the context "
                        f"that created it")
        outside = [n for n in direct if not any(isinstance(a, cst.Lambda) for a in between(u, n, call))]
        if len(outside) != len(direct) or not direct:
            raise NoFix(f"pass {plain}._get_current_object() instead of {plain} at line {f.line}")
        for n in direct:
            ch.sub(n, lambda x: cst.parse_expression(f"{u.code(x)}._get_current_object()"))
            fixed.append(f"`{proxy}` (line {u.line_of(n)})")
    return Fix(SAFE, f"hand the real application object over instead of the proxy: "
                     f"{', '.join(fixed)} → ._get_current_object()", ch.edits())


# ---- CTX204: a context proxy sent as a signal's sender ----------------------------------------------

class ProxySender(Rule):
    code = "CTX204"
    name = "context-proxy-as-signal-sender"
    summary = "a context proxy (`current_app`, `request`, ...) is sent as a signal's sender"
    silent = True
    reported_at = "the `send` call"
    why = ("Blinker runs the receivers connected for the very object sent as the sender (and those connected "
           "for any sender), comparing by identity. `current_app` is a proxy, not the application: "
           "`report_ready.send(current_app)` sends the proxy, so every receiver connected for the real "
           "application (`report_ready.connect(handler, app)`, `@report_ready.connect_via(app)`) silently never "
           "runs. Flask's documentation says to send `current_app._get_current_object()`.")
    example = ("@app.post(\"/reports\")\n"
               "def create_report():\n"
               "    report_ready.send(current_app, report_id=1)\n"
               "    return \"\", 202")
    fixed = ("@app.post(\"/reports\")\n"
             "def create_report():\n"
             "    report_ready.send(current_app._get_current_object(), report_id=1)\n"
             "    return \"\", 202")
    assumes = ("from blinker import Namespace\n"
               "from flask import Flask, current_app\n\n"
               "app = Flask(__name__)\n"
               "report_ready = Namespace().signal(\"report-ready\")")
    hint = "send current_app._get_current_object(), the object the proxy stands for, not the proxy"

    @staticmethod
    def fix(f: Finding, ctx: FixContext) -> Fix:
        return fix_sender(f, ctx)


RULES = (ThreadRequest, ThreadApp, ProxyHandedOver, ProxySender)


def proxy_sender_findings(graph: Any) -> list[Finding]:
    """CTX204 at every call that sends a signal with a context proxy as its sender."""
    from ..analysis.resolve import argument
    from ..analysis.values import Ext, render
    from ..knowledge.signals import SENDER_KW
    from ..model import Attr, CallEvent

    kb = graph.kb
    sends = kb.signal_sends
    methods = {name.rsplit(".", 1)[-1] for name in sends}
    out: list[Finding] = []
    for fn in graph.functions.values():
        for ev in fn.events:
            if not isinstance(ev, CallEvent) or not isinstance(ev.call.func, Attr) or ev.call.func.attr not in methods:
                continue
            callee = graph.resolve(ev.call.func, fn)
            if not isinstance(callee, Ext) or callee.name not in sends:
                continue
            sender = argument(ev.call.args, ev.call.kws, sends[callee.name], SENDER_KW)
            if sender is None:
                continue
            value = graph.resolve(sender, fn)
            local = kb.locals.get(value.name) if isinstance(value, Ext) else None
            if local is None or not local.proxy:
                continue
            proxy = value.name.rsplit(".", 1)[-1]
            signal = render(ev.call.func.value)
            path = graph.module_of(fn.qual).path
            line, col, end_line, end_col = ev.pos
            if end_line != line:
                end_line, end_col = line, col + 1
            hint = ProxySender.hint.replace("current_app", proxy)
            msg = (f"the `{proxy}` proxy is sent as the sender of {signal}: blinker runs only the receivers "
                   f"connected for that very object (or for any sender), so those connected for the real one "
                   f"({signal}.connect(f, app), @{signal}.connect_via(app)) never run; {hint}")
            f = Finding("CTX204", path, line, col + 1, end_line, end_col + 1, msg, hint,
                        [Step(path, line, short_name(fn.qual), f"sends {render(sender)} as the sender of {signal}")],
                        short_name(fn.qual))
            f.kind = "sender"
            f.proxies = [render(sender)]
            out.append(f)
    return out


def fix_sender(f: Finding, ctx: FixContext) -> Fix:
    """``sig.send(current_app)`` → ``sig.send(current_app._get_current_object())``: the same object the
    receivers were connected for (safe: in the context the call runs in, the proxy stands for it)."""
    import libcst as cst

    from ..rewrite import Change

    u = ctx.unit(f.path)
    proxy = f.proxies[0] if f.proxies else ""
    calls = [n for n in u.starting_at(f.line, f.column - 1) if isinstance(n, cst.Call)]
    for call in reversed(calls):
        for i, arg in enumerate(call.args):
            if arg.star or (arg.keyword is not None and arg.keyword.value != "sender") or \
                    (arg.keyword is None and i != 0):
                continue
            if isinstance(arg.value, (cst.Name, cst.Attribute)) and u.code(arg.value) == proxy:
                ch = Change(u)
                ch.sub(arg.value, lambda n: cst.parse_expression(f"{u.code(n)}._get_current_object()"))
                return Fix(SAFE, f"send the real object instead of the proxy: `{proxy}` (line {f.line}) → "
                                 f"{proxy}._get_current_object()", ch.edits())
    raise NoFix(f"send {proxy}._get_current_object() instead of {proxy} at line {f.line}")
