"""Celery (and Flask-CeleryExt): tasks, and which task classes push an application context.

A task runs with no context unless its task class pushes one around the run: a
``ContextTask`` whose ``__call__`` runs the task inside ``app.app_context()``, installed
with ``@celery.task(base=ContextTask)``, ``Celery(task_cls=ContextTask)``,
``celery.Task = ContextTask``, or Flask-CeleryExt (whose tasks always have one) — or unless a
``task_prerun`` signal handler pushes one for good before every task
(``app.app_context().push()``).
"""

from __future__ import annotations

from typing import Any

from ..analysis.values import Cls, Ext, Func, Value
from ..model import Attr, CallEvent, CallExpr, Function, IfCond, ImpRef, Str, WithCond, is_builtin, literal_truth
from .base import APP, NONE, REQUEST, Library, Root, RootClass

TASK_DECORATORS = ("celery.Celery().task", "celery.shared_task")
ALWAYS_APP_CONTEXT = ("flask_celeryext.FlaskCeleryExt().celery.task",)
TASK_CLASS_KW = "task_cls"  # Celery(task_cls=...)
TASK_ATTR = "Task"  # celery.Task = ...
RUN_CALLS = ("run", "__call__")  # what a task class's __call__ calls to run the task
EXTENSION_PACKAGE = "flask_celeryext"
# connecting a handler to this signal runs it in the worker before each task
PRERUN_CONNECT = "celery.signals.task_prerun.connect"
# Signals the worker sends around each task, outside the task class's __call__ (so outside the context a
# FlaskTask pushes there), and signals of the worker's own life: their receivers run with no context.
# (before_task_publish/after_task_publish are sent where the task is queued, in the caller's context.)
TASK_SIGNALS = ("task_prerun", "task_postrun", "task_success", "task_failure", "task_retry", "task_revoked",
                "task_unknown", "task_rejected", "task_internal_error", "task_received")
WORKER_SIGNALS = ("celeryd_init", "celeryd_after_setup", "worker_init", "worker_ready", "worker_process_init",
                  "worker_process_shutdown", "worker_shutting_down", "worker_shutdown", "heartbeat_sent",
                  "beat_init", "beat_embedded_init")
SIGNAL_PREFIX = "celery.signals."
# Methods of a task class the worker calls around the task, outside its __call__ (checked with Celery 5:
# a task class whose __call__ pushes an app context still runs these without one)
TASK_HOOKS = ("before_start", "on_success", "on_failure", "on_retry", "after_return")
TASK_BASES = ("celery.Task", "celery.Celery().Task", "flask_celeryext.AppContextTask")
HOOK_LABEL = "Celery task hook"
RECEIVER_LABELS = {signal: f"Celery {signal} receiver" for signal in TASK_SIGNALS + WORKER_SIGNALS}
# roots a task class pushing a context around the task does not cover (messages and fixes say so)
OUTSIDE_TASK_CLASS = frozenset({HOOK_LABEL, *RECEIVER_LABELS.values()})


def task_context(prog: Any, fn: Function, name: str, call: CallExpr | None, scope: Function) -> int | None:
    """The contexts a decorated Celery task (or a receiver of a worker's signal, or a task class's hook)
    runs with, or None when this is not Celery's to say."""
    if name.startswith(SIGNAL_PREFIX) or name in TASK_BASES:
        # a task_prerun handler that pushes an application context for good leaves it pushed for what the
        # worker runs after it (the task, its hooks, the other task signals' receivers)
        signal = name[len(SIGNAL_PREFIX):].rsplit(".", 1)[0] if name.startswith(SIGNAL_PREFIX) else ""
        return APP if signal not in WORKER_SIGNALS and prerun_pushes(prog) else NONE
    if name in ALWAYS_APP_CONTEXT:
        return APP
    if name not in TASK_DECORATORS and not name.endswith("().task"):
        return None
    base: Value = None
    if call is not None:
        for k, v in call.kws:
            if k == "base":
                base = prog.resolve(v, scope)
    classes: list[str] = []
    if base is not None:
        if isinstance(base, Cls) and is_app_task_class(prog, base.qual):
            classes = [base.qual]
    elif app_task_default(prog):
        classes = _state(prog)["classes"]
        if not classes:
            return APP  # a task_prerun handler or Flask-CeleryExt: no task class to ask for options
    if not classes:
        return None
    options = {k for k, v in (call.kws if call is not None else ()) if literal_truth(v) == "true"}
    if any(options & request_options(prog, c) for c in classes):
        return REQUEST
    return APP


def _state(prog: Any) -> dict[str, Any]:
    return prog.library_state.setdefault("celery", {"default": None, "classes": []})  # type: ignore[no-any-return]


def is_app_task_class(prog: Any, cls: str) -> bool:
    """A task class whose ``__call__`` runs the task inside a pushed context, or one derived from the
    app's ``celery.Task`` where the project replaces that with such a class (timesketch's
    ``class SqlAlchemyTask(celery.Task)`` after ``celery.Task = ContextTask``)."""
    if _pushes(prog, cls):
        return True
    derived = any(b.endswith("()." + TASK_ATTR) for b in prog.resolver.ext_bases(cls))
    return derived and app_task_default(prog)


def _pushes(prog: Any, cls: str) -> bool:
    for c in prog.resolver.mro(cls):
        call = prog.classes[c].methods.get("__call__")
        if call is None:
            continue
        fn = prog.functions[call]
        conds = prog.conditions(fn)
        for ev in fn.events:
            if not isinstance(ev, CallEvent):
                continue
            callee = ev.call.func
            if isinstance(callee, Attr) and callee.attr in RUN_CALLS and any(
                    conds[i][0] == "push" and conds[i][1] for i in ev.conds):
                return True
    return False


def app_task_default(prog: Any) -> bool:
    """Whether the project installs an app-context task class for every task."""
    state = _state(prog)
    if state["default"] is not None:
        return bool(state["default"])
    state["default"] = False  # while computing
    found = False
    classes = state["classes"]
    for mod in prog.modules.values():
        for target, value, _, where in mod.attr_assigns:
            if isinstance(target, Attr) and target.attr == TASK_ATTR:
                v = prog.resolve(value, prog.index.statement_scope(where, mod))
                if isinstance(v, Cls) and _pushes(prog, v.qual):
                    found = True
                    classes.append(v.qual)
        for fn in mod.functions.values():
            for ev in fn.events:
                if not isinstance(ev, CallEvent):
                    continue
                for k, v in ev.call.kws:
                    if k == TASK_CLASS_KW:
                        c = prog.resolve(v, fn) if not isinstance(v, Str) else prog.resolver.dotted_value(v.value)
                        if isinstance(c, Cls) and _pushes(prog, c.qual):
                            found = True
                            classes.append(c.qual)
            if _prerun_handler(prog, fn) and _pushes_for_good(prog, fn):
                found = True
                state["prerun"] = True
        if any(v and isinstance(v[0], ImpRef) and v[0].module.startswith(EXTENSION_PACKAGE)
               for v in mod.globals.values()):
            found = True
    state["default"] = found
    return found


def prerun_pushes(prog: Any) -> bool:
    """Whether a ``task_prerun`` handler pushes an application context for good."""
    app_task_default(prog)
    return bool(_state(prog).get("prerun"))


def _prerun_handler(prog: Any, fn: Function) -> bool:
    """``@task_prerun.connect`` (or ``task_prerun.connect(fn)`` anywhere in the project)."""
    scope = prog.index.decorator_scope(fn)
    for d in fn.decorators:
        v = prog.resolve(d.func if isinstance(d, CallExpr) else d, scope)
        if isinstance(v, Ext) and v.name == PRERUN_CONNECT:
            return True
    return fn.qual in _connected(prog)


def _connected(prog: Any) -> set[str]:
    state = _state(prog)
    if "connected" not in state:
        found: set[str] = set()
        for f in prog.functions.values():
            for ev in f.events:
                if isinstance(ev, CallEvent) and ev.call.args and isinstance(ev.call.func, Attr) \
                        and ev.call.func.attr == "connect":
                    callee = prog.resolve(ev.call.func, f)
                    target = prog.resolve(ev.call.args[0], f)
                    if isinstance(callee, Ext) and callee.name == PRERUN_CONNECT and isinstance(target, Func):
                        found.add(target.qual)
        state["connected"] = found
    return state["connected"]  # type: ignore[no-any-return]


def _pushes_for_good(prog: Any, fn: Function) -> bool:
    """The function pushes an application context it does not pop (``app.app_context().push()``)."""
    return any(kind == "push" and bits & APP and isinstance(c, WithCond) and c.push
               for (kind, bits), c in zip(prog.conditions(fn), fn.conds))


def request_options(prog: Any, cls: str) -> set[str]:
    """Task options (``@celery.task(request_context=True)``) for which the task class pushes a request.

    The option becomes an attribute of the task; the class's ``__call__`` tests it
    (``if getattr(self, "request_context", False):``) around a test_request_context().
    """
    names: set[str] = set()
    push = prog.kb.push_methods
    for c in prog.resolver.mro(cls):
        call = prog.classes[c].methods.get("__call__")
        if call is None:
            continue
        fn = prog.functions[call]
        for ev in fn.events:
            callee = ev.call.func if isinstance(ev, CallEvent) else None
            if not isinstance(callee, Attr) or push.get(callee.attr) != REQUEST:
                continue
            for i in ev.conds:
                cond = fn.conds[i]
                test = cond.test if isinstance(cond, IfCond) and cond.positive else None
                if test is None:
                    continue
                if isinstance(test, CallExpr) and is_builtin(test.func, "getattr") and len(test.args) >= 2 \
                        and isinstance(test.args[1], Str):
                    names.add(test.args[1].value)
                elif isinstance(test, Attr):
                    names.add(test.attr)
    return names


LIBRARY = Library(
    name="celery",
    packages=("celery",),
    module_aliases={"celery.app": "celery", "celery.app.base": "celery", "celery.app.task": "celery"},
    name_aliases={"celery.Task": "celery.Task"},
    roots={
        # the context of a Celery task depends on its task class: see task_context
        "celery.Celery().task": Root("job", "Celery task"),
        "celery.shared_task": Root("job", "Celery task"),
        "flask_celeryext.FlaskCeleryExt().celery.task": Root("job", "Celery task"),
        **{f"{SIGNAL_PREFIX}{signal}.connect": Root("job", label) for signal, label in RECEIVER_LABELS.items()},
    },
    root_classes={base: RootClass(HOOK_LABEL, TASK_HOOKS, kind="job") for base in TASK_BASES},
    # Methods of a task function that hand it (and its arguments) to the queue.
    enqueue_methods=("delay", "apply_async", "s", "si", "signature"),
    job_calls={"delay": "rest", "apply_async": "args", "s": "rest", "si": "rest"},
    hooks={"job_context": task_context},
)
