"""Everything ctxlint knows about Flask and its ecosystem, as data.

The engine never names a Flask API in code: it asks these tables.  Names are
canonical dotted paths of what they denote once imports are resolved;
``X()`` stands for "an instance of X", and ``?.`` for an object of unknown
type (a parameter, say), used only for method names that are distinctive
enough to recognise on their own.  A user's configuration can extend every
table (see :func:`extend`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Context bits.  A request context always comes with an application context.
NONE = 0
APP = 1
REQUEST = 3
CTX_NAMES = {NONE: "no context", APP: "an application context", REQUEST: "a request context"}

# What a context-bound name needs.  "url" is url_for: a request, or only an
# application context when the project configures SERVER_NAME.
NEEDS_REQUEST = "request"
NEEDS_APP = "app"
NEEDS_URL = "url"


@dataclass(frozen=True)
class Local:
    needs: str
    proxy: bool  # an object that can be handed to another thread (CTX203)
    function: bool = False  # only calling it needs the context, not naming it
    decorates_lazily: bool = False  # used as a decorator it needs no context until the function is called


@dataclass(frozen=True)
class Root:
    """A decorator or registration call that makes Flask (or a job runner) run a function."""

    kind: str  # "request", "app", "job", "click"
    label: str  # how messages name such a function
    arg: int | None = 0  # position of the function when registered by a call
    kw: str | None = None
    view: bool = False  # its return value is the response (a returned generator streams)


@dataclass(frozen=True)
class Spawner:
    """A call that runs a function somewhere the caller's context does not follow."""

    family: str  # "thread" (CTX2xx at the call) or "job" (CTX3xx at the def)
    label: str
    arg: int | None = 0
    kw: str | None = None
    process: bool = False  # another process: copy_current_request_context cannot help


@dataclass(frozen=True)
class Follower:
    """A call that runs a function in the caller's own context (it is an ordinary call edge)."""

    arg: int | None = 0
    kw: str | None = None


_FLASK_MODULES = ("globals", "helpers", "templating", "json", "wrappers", "app", "blueprints", "ctx",
                  "sansio.app", "sansio.blueprints", "sansio.scaffold", "scaffold")

# Module paths that re-export under a shorter public name.
MODULE_ALIASES: dict[str, str] = {
    **{f"flask.{m}": "flask" for m in _FLASK_MODULES},
    **{f"quart.{m}": "quart" for m in ("globals", "helpers", "templating", "wrappers", "app", "blueprints", "ctx")},
    "flask_login.utils": "flask_login",
    "flask_login.login_manager": "flask_login",
    "flask_sqlalchemy.extension": "flask_sqlalchemy",
    "flask_sqlalchemy.model": "flask_sqlalchemy",
    "flask_caching.__init__": "flask_caching",
    "concurrent.futures.thread": "concurrent.futures",
    "concurrent.futures.process": "concurrent.futures",
    "concurrent.futures._base": "concurrent.futures",
    "multiprocessing.pool": "multiprocessing",
    "multiprocessing.context": "multiprocessing",
    "multiprocessing.process": "multiprocessing",
    "werkzeug.wrappers.response": "werkzeug.wrappers",
    "rq.queue": "rq",
    "rq.decorators": "rq",
    "celery.app": "celery",
    "celery.app.base": "celery",
    "celery.app.task": "celery",
    "flask_socketio.namespace": "flask_socketio",
    "flask_restful.__init__": "flask_restful",
    "gevent.greenlet": "gevent",
    "flask_apscheduler.scheduler": "flask_apscheduler",
    "huey.api": "huey",
    "huey.contrib.mini": "huey",
}

# Whole names that are the same thing under another name.
NAME_ALIASES: dict[str, str] = {
    **{f"apscheduler.schedulers.{m}.{c}": "apscheduler.Scheduler"
       for m, c in (("background", "BackgroundScheduler"), ("blocking", "BlockingScheduler"),
                    ("asyncio", "AsyncIOScheduler"), ("gevent", "GeventScheduler"),
                    ("tornado", "TornadoScheduler"), ("twisted", "TwistedScheduler"), ("qt", "QtScheduler"))},
    **{f"huey.{c}": "huey.Huey" for c in ("RedisHuey", "SqliteHuey", "MemoryHuey", "FileHuey", "PriorityRedisHuey",
                                          "RedisExpireHuey", "MiniHuey")},
    "threading._start_new_thread": "_thread.start_new_thread",
    "werkzeug.Response": "werkzeug.wrappers.Response",
    "thread.start_new_thread": "_thread.start_new_thread",
    "multiprocessing.ThreadPool": "multiprocessing.pool.ThreadPool",
    "flask.cli.FlaskGroup": "flask.cli.AppGroup",
    "celery.Task": "celery.Task",
    "quart.Quart": "flask.Flask",
    "quart.Blueprint": "flask.Blueprint",
    "apiflask.APIFlask": "flask.Flask",
    "apiflask.APIBlueprint": "flask.Blueprint",
    "flask_smorest.Blueprint": "flask.Blueprint",
    "flask_openapi3.OpenAPI": "flask.Flask",
    "flask_openapi3.APIBlueprint": "flask.Blueprint",
    "flask.views.MethodView": "flask.views.MethodView",
    "flask_restx.Resource": "flask_restful.Resource",
    "flask_restplus.Resource": "flask_restful.Resource",
    "concurrent.futures.Executor": "concurrent.futures.Executor",
    "gevent.Greenlet.spawn": "gevent.spawn",
    "gevent.Greenlet.spawn_later": "gevent.spawn_later",
}

LOCALS: dict[str, Local] = {
    # request-bound proxies
    "flask.request": Local(NEEDS_REQUEST, True),
    "flask.session": Local(NEEDS_REQUEST, True),
    "quart.request": Local(NEEDS_REQUEST, True),
    "quart.websocket": Local(NEEDS_REQUEST, True),
    "quart.session": Local(NEEDS_REQUEST, True),
    "flask_login.current_user": Local(NEEDS_REQUEST, True),
    # request-bound functions (they fail when called without a request)
    "flask.flash": Local(NEEDS_REQUEST, False, function=True),
    "flask.get_flashed_messages": Local(NEEDS_REQUEST, False, function=True),
    "flask.after_this_request": Local(NEEDS_REQUEST, False, function=True),
    "flask.copy_current_request_context": Local(NEEDS_REQUEST, False, function=True),
    "flask.stream_with_context": Local(NEEDS_REQUEST, False, function=True, decorates_lazily=True),
    "flask.send_file": Local(NEEDS_REQUEST, False, function=True),
    "flask.send_from_directory": Local(NEEDS_REQUEST, False, function=True),
    "flask_login.login_user": Local(NEEDS_REQUEST, False, function=True),
    "flask_login.logout_user": Local(NEEDS_REQUEST, False, function=True),
    "flask_login.confirm_login": Local(NEEDS_REQUEST, False, function=True),
    "quart.copy_current_request_context": Local(NEEDS_REQUEST, False, function=True),
    # Flask-SocketIO's module-level helpers take the namespace and sid from the request
    # (SocketIO().emit, the server's method, needs neither)
    **{f"flask_socketio.{name}": Local(NEEDS_REQUEST, False, function=True)
       for name in ("emit", "send", "join_room", "leave_room", "close_room", "rooms", "disconnect")},
    # application-bound proxies
    "flask.current_app": Local(NEEDS_APP, True),
    "flask.g": Local(NEEDS_APP, True),
    "quart.current_app": Local(NEEDS_APP, True),
    "quart.g": Local(NEEDS_APP, True),
    # application-bound functions and objects
    "flask.url_for": Local(NEEDS_URL, False, function=True),
    "flask.render_template": Local(NEEDS_APP, False, function=True),
    "flask.render_template_string": Local(NEEDS_APP, False, function=True),
    "flask.stream_template": Local(NEEDS_APP, False, function=True),
    "flask.stream_template_string": Local(NEEDS_APP, False, function=True),
    "flask.jsonify": Local(NEEDS_APP, False, function=True),
    "flask.make_response": Local(NEEDS_APP, False, function=True),
    "flask_sqlalchemy.SQLAlchemy().session": Local(NEEDS_APP, False, function=True),
    "flask_sqlalchemy.SQLAlchemy().engine": Local(NEEDS_APP, False),
    "flask_sqlalchemy.SQLAlchemy().create_all": Local(NEEDS_APP, False),
    "flask_sqlalchemy.SQLAlchemy().drop_all": Local(NEEDS_APP, False),
    "flask_sqlalchemy.SQLAlchemy().Model.query": Local(NEEDS_APP, False),
}

# A project global built as ``LocalProxy(factory)`` is a context local when its factory
# reaches one (CKAN's ``request = CKANRequest(_get_request)``).
LOCAL_PROXY_CLASSES = ("werkzeug.local.LocalProxy", "werkzeug.LocalProxy")

# Objects whose methods register views and hooks.
APP_LIKE = ("flask.Flask()", "flask.Blueprint()")

_REQUEST_HOOKS = {
    "before_request": "before_request hook", "after_request": "after_request hook",
    "teardown_request": "teardown_request hook", "errorhandler": "error handler",
    "context_processor": "context processor", "url_value_preprocessor": "URL value preprocessor",
    "url_defaults": "URL defaults function", "before_app_request": "before_app_request hook",
    "after_app_request": "after_app_request hook", "teardown_app_request": "teardown_app_request hook",
    "app_errorhandler": "error handler", "app_context_processor": "context processor",
    "app_url_value_preprocessor": "URL value preprocessor", "app_url_defaults": "URL defaults function",
    "template_filter": "template filter", "template_global": "template global", "template_test": "template test",
    "app_template_filter": "template filter", "app_template_global": "template global",
    "app_template_test": "template test", "before_first_request": "before_first_request hook",
    "before_app_first_request": "before_first_request hook", "before_websocket": "before_websocket hook",
}
_VIEW_METHODS = ("route", "get", "post", "put", "patch", "delete", "websocket")
_REGISTRATIONS = {
    "add_url_rule": Root("request", "view", 2, "view_func", view=True),
    "register_error_handler": Root("request", "error handler", 1, "f"),
    "add_template_filter": Root("request", "template filter", 0, "f"),
    "add_template_global": Root("request", "template global", 0, "f"),
    "add_template_test": Root("request", "template test", 0, "f"),
    "add_app_template_filter": Root("request", "template filter", 0, "f"),
    "add_app_template_global": Root("request", "template global", 0, "f"),
    "add_app_template_test": Root("request", "template test", 0, "f"),
}
_APP_HOOKS = {
    "teardown_appcontext": "teardown_appcontext hook",
    "shell_context_processor": "shell context processor",
}

ROOTS: dict[str, Root] = {}
for _app in APP_LIKE + ("?",):
    for _m in _VIEW_METHODS:
        if _app == "?" and _m != "route":
            continue  # .get/.post on an unknown object is not recognisably Flask
        ROOTS[f"{_app}.{_m}"] = Root("request", "view", view=True)
    for _m, _label in _REQUEST_HOOKS.items():
        ROOTS[f"{_app}.{_m}"] = Root("request", _label)
    for _m, _root in _REGISTRATIONS.items():
        ROOTS[f"{_app}.{_m}"] = _root
    for _m, _label in _APP_HOOKS.items():
        ROOTS[f"{_app}.{_m}"] = Root("app", _label)
    ROOTS[f"{_app}.cli.command"] = Root("app", "CLI command")
    ROOTS[f"{_app}.cli.add_command"] = Root("app", "CLI command", 0, "cmd")
ROOTS.update({
    "flask.cli.AppGroup().command": Root("app", "CLI command"),
    "flask.cli.AppGroup().add_command": Root("app", "CLI command", 0, "cmd"),
    "flask.cli.with_appcontext": Root("app", "CLI command"),
    "flask.after_this_request": Root("request", "after_this_request callback"),
    "flask_login.LoginManager().user_loader": Root("request", "Flask-Login user loader"),
    "flask_login.LoginManager().request_loader": Root("request", "Flask-Login request loader"),
    "flask_login.LoginManager().header_loader": Root("request", "Flask-Login header loader"),
    "flask_login.LoginManager().unauthorized_handler": Root("request", "Flask-Login unauthorized handler"),
    "flask_login.LoginManager().needs_refresh_handler": Root("request", "Flask-Login refresh handler"),
    "?.user_loader": Root("request", "Flask-Login user loader"),
    "?.request_loader": Root("request", "Flask-Login request loader"),
    "flask_socketio.SocketIO().on": Root("request", "Socket.IO event handler"),
    "flask_socketio.SocketIO().event": Root("request", "Socket.IO event handler"),
    "flask_socketio.SocketIO().on_error": Root("request", "Socket.IO error handler"),
    "flask_socketio.SocketIO().on_error_default": Root("request", "Socket.IO error handler"),
    "flask_socketio.SocketIO().on_event": Root("request", "Socket.IO event handler", 1, "handler"),
    "flask_restful.Api().resource": Root("request", "resource"),
    # background jobs; the context of a Celery task depends on its task class
    "celery.Celery().task": Root("job", "Celery task"),
    "celery.shared_task": Root("job", "Celery task"),
    "flask_celeryext.FlaskCeleryExt().celery.task": Root("job", "Celery task"),
    "rq.job": Root("job", "RQ job"),
    "huey.Huey().task": Root("job", "Huey task"),
    "huey.Huey().periodic_task": Root("job", "Huey periodic task"),
    "huey.Huey().on_startup": Root("job", "Huey startup hook"),
    "dramatiq.actor": Root("job", "Dramatiq actor"),
    "apscheduler.Scheduler().scheduled_job": Root("job", "APScheduler job"),
    "flask_apscheduler.APScheduler().task": Root("job", "APScheduler job"),
    "atexit.register": Root("job", "atexit handler"),
    "click.command": Root("click", "click command"),
})

# Classes whose methods Flask calls to handle a request (or an event).
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "dispatch_request")
ROOT_CLASSES: dict[str, tuple[str, tuple[str, ...], str]] = {
    # base class: (label, method names ("on_*" means a prefix), kind)
    "flask.views.MethodView": ("view method", HTTP_METHODS, "request"),
    "flask.views.View": ("view method", ("dispatch_request",), "request"),
    "flask_restful.Resource": ("resource method", HTTP_METHODS, "request"),
    "flask_socketio.Namespace": ("Socket.IO event handler", ("on_*",), "request"),
}

SPAWNERS: dict[str, Spawner] = {
    "threading.Thread": Spawner("thread", "thread target", 1, "target"),
    "threading.Timer": Spawner("thread", "timer function", 1, "function"),
    "_thread.start_new_thread": Spawner("thread", "thread function", 0, "function"),
    "?.start_new_thread": Spawner("thread", "thread function", 0, "function"),
    "concurrent.futures.ThreadPoolExecutor().submit": Spawner("thread", "thread pool task", 0, "fn"),
    "concurrent.futures.ThreadPoolExecutor().map": Spawner("thread", "thread pool task", 0, "fn"),
    "concurrent.futures.ProcessPoolExecutor().submit": Spawner("thread", "process pool task", 0, "fn", True),
    "concurrent.futures.ProcessPoolExecutor().map": Spawner("thread", "process pool task", 0, "fn", True),
    "?.run_in_executor": Spawner("thread", "executor task", 1, "func"),
    "multiprocessing.Process": Spawner("thread", "process target", 1, "target", True),
    "gevent.spawn": Spawner("thread", "greenlet", 0, "run"),
    "gevent.spawn_later": Spawner("thread", "greenlet", 1, None),
    "gevent.spawn_raw": Spawner("thread", "greenlet", 0, None),
    "eventlet.spawn": Spawner("thread", "green thread", 0, "func"),
    "eventlet.spawn_n": Spawner("thread", "green thread", 0, "func"),
    "eventlet.spawn_after": Spawner("thread", "green thread", 1, "func"),
    "flask_socketio.SocketIO().start_background_task": Spawner("thread", "background task", 0, "target"),
    "?.start_background_task": Spawner("thread", "background task", 0, "target"),
    "rq.Queue().enqueue": Spawner("job", "RQ job", 0, "f"),
    "rq.Queue().enqueue_call": Spawner("job", "RQ job", 0, "func"),
    "rq.Queue().enqueue_in": Spawner("job", "RQ job", 1, "func"),
    "rq.Queue().enqueue_at": Spawner("job", "RQ job", 1, "f"),
    "?.enqueue": Spawner("job", "RQ job", 0, "f"),
    "?.enqueue_call": Spawner("job", "RQ job", 0, "func"),
    "apscheduler.Scheduler().add_job": Spawner("job", "APScheduler job", 0, "func"),
    "flask_apscheduler.APScheduler().add_job": Spawner("job", "APScheduler job", 1, "func"),
    "atexit.register": Spawner("job", "atexit handler", 0, "func"),
    "signal.signal": Spawner("job", "signal handler", 1, "handler"),
}
for _pool, _process in (("multiprocessing.Pool()", True), ("multiprocessing.pool.ThreadPool()", False)):
    for _m in ("apply", "apply_async", "map", "map_async", "imap", "imap_unordered", "starmap", "starmap_async"):
        SPAWNERS[f"{_pool}.{_m}"] = Spawner("thread", "process pool task" if _process else "thread pool task",
                                            0, "func", _process)

# Subclasses of these run their ``run`` method elsewhere once ``start()`` is called.
THREAD_CLASSES: dict[str, Spawner] = {
    "threading.Thread": Spawner("thread", "thread", None),
    "multiprocessing.Process": Spawner("thread", "process", None, None, True),
}

# Methods of a project function that hand it (and its arguments) to a job queue.
ENQUEUE_METHODS = ("delay", "apply_async", "s", "si", "signature", "send", "send_with_options", "schedule")

# Calls that run their argument in the caller's own context.
FOLLOWERS: dict[str, Follower] = {
    "asyncio.to_thread": Follower(0, "func"),
    "contextvars.copy_context().run": Follower(0, None),
    "contextvars.Context().run": Follower(0, None),
    "flask_executor.Executor().submit": Follower(0, "fn"),
    "flask_executor.Executor().map": Follower(0, "fn"),
    "flask_executor.Executor().submit_stored": Follower(1, "fn"),
    "builtins.map": Follower(0, None),
    "builtins.filter": Follower(0, None),
    "builtins.sorted": Follower(None, "key"),
    "builtins.min": Follower(None, "key"),
    "builtins.max": Follower(None, "key"),
    "functools.reduce": Follower(0, None),
    "functools.partial": Follower(None, None),  # a target, not a call: see PARTIALS
}

# Constructing a subclass of these does not run ``__init__``: WTForms fields built in a
# form's class body are UnboundFields until the form is instantiated.
LAZY_CONSTRUCTORS = ("wtforms.*Field", "wtforms.fields.*Field", "flask_wtf.*Field", "wtforms_*.*Field")

# Calls that make a new callable from their first argument (for spawn targets).
PARTIALS = ("functools.partial",)

# Wrappers that run the wrapped function inside a context.
WRAPPERS: dict[str, int] = {
    "flask.copy_current_request_context": REQUEST,
    "flask.stream_with_context": REQUEST,
    "flask.cli.with_appcontext": APP,
    "quart.copy_current_request_context": REQUEST,
    "quart.copy_current_app_context": APP,
    "quart.copy_current_websocket_context": REQUEST,
}

# Decorators whose wrapper reads the request each time the function is called.
REQUEST_DECORATORS: dict[str, str] = {
    "flask_login.login_required": "login_required",
    "flask_login.fresh_login_required": "fresh_login_required",
    "flask_caching.Cache().cached": "cache.cached()",
}

# ``with X.<method>():`` and ``ctx = X.<method>(); ctx.push()`` push these contexts.
PUSH_METHODS: dict[str, int] = {
    "app_context": APP,
    "test_request_context": REQUEST,
    "request_context": REQUEST,
}

# ``if <call>():`` guards.
GUARD_CALLS: dict[str, int] = {
    "flask.has_request_context": REQUEST,
    "flask.has_app_context": APP,
    "quart.has_request_context": REQUEST,
    "quart.has_app_context": APP,
    "quart.has_websocket_context": REQUEST,
}
# Calls that return one of their arguments unchanged: (position, keyword) of that argument.
# ``sxng_request = typing.cast(SXNG_Request, flask.request)`` is still the request proxy.
IDENTITY_CALLS: dict[str, tuple[int, str]] = {
    "typing.cast": (1, "val"),
    "typing_extensions.cast": (1, "val"),
}

# Calls that import a module by name at run time (plugin loaders).
DYNAMIC_IMPORTS = ("importlib.import_module", "__import__", "builtins.__import__")

# ``except RuntimeError:`` around a use means the author handles the missing context.
GUARD_EXCEPTIONS = ("RuntimeError", "builtins.RuntimeError")

# Calls whose first argument becomes the body of a response.
RESPONSE_BODY: tuple[str, ...] = (
    "flask.Response", "werkzeug.wrappers.Response", "flask.make_response",
    "flask.Flask().response_class", "flask.current_app.response_class", "?.response_class",
)

# Celery: a task class that pushes an app context, installed project-wide by one of these.
CELERY_APP = "celery.Celery"
CELERY_TASK_CLASS_KW = "task_cls"
CELERY_TASK_ATTR = "Task"
CELERY_TASK_DECORATORS = ("celery.Celery().task", "celery.shared_task")
CELERY_ALWAYS_APP_CONTEXT = ("flask_celeryext.FlaskCeleryExt().celery.task",)
CELERY_RUN_CALLS = ("run", "__call__")

# click groups that push an application context for their commands.
# Decorators of a project click group function that register a command (``@cli.command()``).
CLICK_COMMAND_METHODS = ("command", "group")
CLICK_GROUP = "click.group"
CLICK_APP_GROUP_CLASSES = ("flask.cli.AppGroup",)
# Decorators that make a click group whose commands run with an app context.
CLICK_APP_GROUP_DECORATORS = ("flask.cli.AppGroup().group", "flask.Flask().cli.group", "flask.Blueprint().cli.group",
                              "?.cli.group")

# Files a tool runs as entry points inside an application context: Flask-Migrate runs
# Alembic's migrations/env.py from ``flask db`` (file name, a sibling file that marks it).
# (pattern on the file's trailing path, marker file relative to the file's directory)
APP_CONTEXT_ENTRY_FILES = (("env.py", "script.py.mako"), ("versions/*.py", "../script.py.mako"))

# An entry script importing one of these is run by that tool, inside Flask-Migrate's app
# context (an Alembic env.py without the usual script.py.mako beside it).
APP_CONTEXT_ENTRY_IMPORTS = (("alembic", "context"),)

# An RQ worker the project builds itself (usually in a Flask CLI command) runs jobs in
# the process that built it, so they inherit its application context.
RQ_WORKERS = ("rq.Worker", "rq.worker.Worker", "rq.SimpleWorker", "rq.worker.SimpleWorker", "rq.worker.HerokuWorker",
              "rq.HerokuWorker")
RQ_LABEL = "RQ job"

# Names of config keys that, once set, let url_for work with an app context alone.
SERVER_NAME_KEY = "SERVER_NAME"


@dataclass
class Knowledge:
    """The tables above plus a user's additions, as one object the engine reads."""

    locals: dict[str, Local] = field(default_factory=lambda: dict(LOCALS))
    roots: dict[str, Root] = field(default_factory=lambda: dict(ROOTS))
    spawners: dict[str, Spawner] = field(default_factory=lambda: dict(SPAWNERS))
    followers: dict[str, Follower] = field(default_factory=lambda: dict(FOLLOWERS))
    wrappers: dict[str, int] = field(default_factory=lambda: dict(WRAPPERS))

    def canonical(self, dotted: str) -> str:
        """The canonical spelling of an external dotted name."""
        if dotted in NAME_ALIASES:
            return NAME_ALIASES[dotted]
        head, _, tail = dotted.partition("(")
        parts = head.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:cut])
            if prefix in MODULE_ALIASES:
                head = ".".join([MODULE_ALIASES[prefix], *parts[cut:]])
                break
        name = head + ("(" + tail if tail else "")
        # canonicalise the class part of "pkg.Class().attr"
        if "()" in name:
            cls, _, rest = name.partition("()")
            cls = NAME_ALIASES.get(cls, cls)
            name = cls + "()" + rest
        return NAME_ALIASES.get(name, name)

    def extend(self, *, request: list[str] = (), app: list[str] = (),  # type: ignore[assignment]
               request_roots: list[str] = (), app_roots: list[str] = (),  # type: ignore[assignment]
               job_roots: list[str] = (), thread_spawners: list[str] = (),  # type: ignore[assignment]
               wrappers_request: list[str] = (), wrappers_app: list[str] = ()) -> None:  # type: ignore[assignment]
        """Add names from configuration (``module:attr`` or dotted)."""

        def dotted(name: str) -> str:
            return name.replace(":", ".")

        for n in request:
            self.locals[dotted(n)] = Local(NEEDS_REQUEST, True)
        for n in app:
            self.locals[dotted(n)] = Local(NEEDS_APP, True)
        for n in request_roots:
            self.roots[dotted(n)] = Root("request", "request handler")
        for n in app_roots:
            self.roots[dotted(n)] = Root("app", "app-context function")
        for n in job_roots:
            self.roots[dotted(n)] = Root("job", "background job")
        for n in thread_spawners:
            self.spawners[dotted(n)] = Spawner("thread", "thread target", 0, None)
        for n in wrappers_request:
            self.wrappers[dotted(n)] = REQUEST
        for n in wrappers_app:
            self.wrappers[dotted(n)] = APP


# Libraries whose decorators ctxlint knows by their full names (ROOTS).  A decorator of any other
# library, or of a project object, may still be a root by its method name alone (ROOTS' "?.route").
KNOWN_LIBRARIES = frozenset({
    "flask", "quart", "celery", "rq", "click", "flask_login", "flask_socketio", "flask_sqlalchemy",
    "flask_caching", "apscheduler", "flask_apscheduler", "huey", "dramatiq", "atexit", "signal",
    "threading", "concurrent", "multiprocessing", "gevent", "eventlet", "asyncio", "builtins",
    "flask_restful", "flask_executor", "functools", "contextvars", "werkzeug", "os", "sys",
    "fastapi", "bottle", "sanic", "django", "starlette", "aiohttp", "tornado", "falcon"})
