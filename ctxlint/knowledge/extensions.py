"""Flask extensions: Flask-Login, Flask-SQLAlchemy, Flask-SocketIO, Flask-Caching, Flask-RESTful and
RESTX, Flask-Executor, Flask-Migrate, API frameworks built on Flask, WTForms."""

from __future__ import annotations

from typing import Any

from ..analysis.values import Ext
from ..model import Attr, CallExpr, FuncRef, ImpRef, Module, Name, Star, Str, literal_truth
from ..requirements import below_major, requires_of
from .base import NEEDS_APP, NEEDS_REQUEST, Constructor, Follower, Library, Local, Root, RootClass, Spawner, Templates
from .flask import HTTP_METHODS
from .orm import FLASK_SQLALCHEMY_DB, LEGACY_DB

LOGIN = Library(
    name="flask_login",
    packages=("flask_login",),
    module_aliases={"flask_login.utils": "flask_login", "flask_login.login_manager": "flask_login"},
    locals={
        # checked with Flask-Login 0.6.3: outside a request the proxy gives None instead of raising
        "flask_login.current_user": Local(NEEDS_REQUEST, True, outside=(
            "Flask-Login's current_user is None outside a request, so this raises AttributeError "
            "(or reads a falsy user) instead of RuntimeError")),
        "flask_login.login_user": Local(NEEDS_REQUEST, False, function=True),
        "flask_login.logout_user": Local(NEEDS_REQUEST, False, function=True),
        "flask_login.confirm_login": Local(NEEDS_REQUEST, False, function=True),
    },
    roots={
        "flask_login.LoginManager().user_loader": Root("request", "Flask-Login user loader"),
        "flask_login.LoginManager().request_loader": Root("request", "Flask-Login request loader"),
        "flask_login.LoginManager().header_loader": Root("request", "Flask-Login header loader"),
        "flask_login.LoginManager().unauthorized_handler": Root("request", "Flask-Login unauthorized handler"),
        "flask_login.LoginManager().needs_refresh_handler": Root("request", "Flask-Login refresh handler"),
        "?.user_loader": Root("request", "Flask-Login user loader"),
        "?.request_loader": Root("request", "Flask-Login request loader"),
    },
    # Decorators whose wrapper reads the request each time the function is called.
    request_decorators={
        "flask_login.login_required": "login_required",
        "flask_login.fresh_login_required": "fresh_login_required",
    },
    # In a template, LoginManager's context processor gives ``current_user`` = None outside a request, and
    # Jinja makes any attribute of None undefined (false, printed empty): no error, and
    # ``{% if current_user.is_authenticated %}`` runs its body only in a request (tests/test_template_behaviour.py).
    templates=Templates(truthy_in={"current_user": "flask.request"}),
)

def bound_version_2(r: Any, mod: Module, name: str, value: object) -> object:
    """A Flask-SQLAlchemy 2 object bound to an app needs no context: ``db = SQLAlchemy(app)``, or any
    ``db.app = app`` in the project (checked with Flask 2.2 and Flask-SQLAlchemy 2.5.1: queries,
    ``db.session`` and ``create_all`` then work in a thread with no context; an object given its app only by
    ``db.init_app(app)`` raises "No application found").  Taken so only where every declaration of the
    library in the project caps it below 3 (3.0 dropped both: an app context is always needed).  Such an
    object is then the legacy one, whose models are typed and whose names are not context-bound."""
    if not (isinstance(value, Ext) and value.name == FLASK_SQLALCHEMY_DB):
        return value
    if not mod.path or not below_major(requires_of(r.entry_points, mod.path), "flask-sqlalchemy", 3):
        return value
    state = r.hook_state
    bound = mod.globals.get(name, ())
    last = bound[-1] if bound else None
    if isinstance(last, CallExpr) and (last.args and not isinstance(last.args[0], Star)
                                       or any(k == "app" for k, _ in last.kws)):
        return Ext(LEGACY_DB)
    if "fsa2_app_set" not in state:
        state["fsa2_app_set"] = _app_assigned(r.index)
    return Ext(LEGACY_DB) if (mod.name, name) in state["fsa2_app_set"] else value


def _app_assigned(index: Any) -> set[tuple[str, str]]:
    """The module globals some statement assigns ``.app`` to (``db.app = app``, also through an import of
    ``db``): (module, name)."""
    out: set[tuple[str, str]] = set()
    for m in index.modules.values():
        for target, _, _, _ in m.attr_assigns:
            if isinstance(target, Attr) and target.attr == "app" and isinstance(target.value, Name) \
                    and target.value.scope == "":
                out.add(_defined(index, m, target.value.id))
    return out


def _defined(index: Any, mod: Module, name: str, depth: int = 0) -> tuple[str, str]:
    """The module and global an imported name comes from (through re-exports)."""
    bound = mod.globals.get(name, ())
    if depth < 8 and len(bound) == 1 and isinstance(bound[0], ImpRef):
        source = index.find_module(bound[0].module, mod)
        if source is not None:
            return _defined(index, source, bound[0].name, depth + 1)
    return mod.name, name


SQLALCHEMY = Library(
    name="flask_sqlalchemy",
    packages=("flask_sqlalchemy",),
    module_aliases={"flask_sqlalchemy.extension": "flask_sqlalchemy", "flask_sqlalchemy.model": "flask_sqlalchemy"},
    hooks={"global_value": bound_version_2},
    locals={
        "flask_sqlalchemy.SQLAlchemy().session": Local(NEEDS_APP, False, function=True),
        "flask_sqlalchemy.SQLAlchemy().engine": Local(NEEDS_APP, False),
        "flask_sqlalchemy.SQLAlchemy().create_all": Local(NEEDS_APP, False, function=True),
        "flask_sqlalchemy.SQLAlchemy().drop_all": Local(NEEDS_APP, False, function=True),
        "flask_sqlalchemy.SQLAlchemy().Model.query": Local(NEEDS_APP, False),
    },
)

SOCKETIO = Library(
    name="flask_socketio",
    packages=("flask_socketio",),
    module_aliases={"flask_socketio.namespace": "flask_socketio"},
    locals={
        # Flask-SocketIO's module-level helpers take the namespace and sid from the request
        # (SocketIO().emit, the server's method, needs neither)
        **{f"flask_socketio.{name}": Local(NEEDS_REQUEST, False, function=True)
           for name in ("emit", "send", "join_room", "leave_room", "close_room", "rooms", "disconnect")},
    },
    roots={
        "flask_socketio.SocketIO().on": Root("request", "Socket.IO event handler"),
        "flask_socketio.SocketIO().event": Root("request", "Socket.IO event handler"),
        "flask_socketio.SocketIO().on_error": Root("request", "Socket.IO error handler"),
        "flask_socketio.SocketIO().on_error_default": Root("request", "Socket.IO error handler"),
        "flask_socketio.SocketIO().on_event": Root("request", "Socket.IO event handler", 1, "handler"),
    },
    root_classes={
        "flask_socketio.Namespace": RootClass("Socket.IO event handler", ("on_*",)),
    },
    spawners={
        "flask_socketio.SocketIO().start_background_task": Spawner("thread", "background task", 0, "target"),
        "?.start_background_task": Spawner("thread", "background task", 0, "target"),
    },
)

CACHED = "flask_caching.Cache().cached"


def cached_reads_request(name: str, call: CallExpr) -> bool | None:
    """Whether ``@cache.cached(...)`` builds its key from the request (checked with Flask-Caching 2.5,
    ``tests/test_library_caching.py``): ``make_cache_key=`` decides the key itself; else
    ``query_string=True`` reads ``request.path`` and ``request.args``; else a callable ``key_prefix``
    decides; else a ``key_prefix`` with ``%s`` (the default, ``"view/%s"``) reads ``request.path`` and
    a constant one nothing.  None: not known from the call."""
    if name != CACHED:
        return None
    if len(call.args) > 2:
        return None  # past timeout and key_prefix: not told apart here
    kws = dict(call.kws)
    if len(call.args) == 2:
        kws.setdefault("key_prefix", call.args[1])
    if "make_cache_key" in kws and literal_truth(kws["make_cache_key"]) != "none":
        return False
    query = literal_truth(kws["query_string"]) if "query_string" in kws else "false"
    if query == "true":
        return True
    if query is None:
        return None
    prefix = kws.get("key_prefix")
    if prefix is None:
        return True
    if isinstance(prefix, Str):
        return "%s" in prefix.value
    if isinstance(prefix, FuncRef):
        return False  # a lambda makes the key (what it reads is its own business)
    return None


CACHING = Library(
    name="flask_caching",
    packages=("flask_caching",),
    module_aliases={"flask_caching.__init__": "flask_caching"},
    request_decorators={CACHED: "cache.cached()"},
    decorator_notes={"cache.cached()": (
        "outside a request Flask-Caching logs the RuntimeError and calls the function uncached (it raises "
        "only when app.debug is on)")},
    hooks={"decorator_reads_request": cached_reads_request},
)

RESTFUL = Library(
    name="flask_restful",
    packages=("flask_restful",),
    module_aliases={"flask_restful.__init__": "flask_restful"},
    name_aliases={
        "flask_restx.Resource": "flask_restful.Resource",
        "flask_restplus.Resource": "flask_restful.Resource",
    },
    roots={"flask_restful.Api().resource": Root("request", "resource")},
    # the resource class is constructed for each request with these arguments
    constructors={"flask_restful.Api().add_resource": Constructor(0, "resource_class_args", "resource_class_kwargs")},
    root_classes={"flask_restful.Resource": RootClass("resource method", HTTP_METHODS, views=HTTP_METHODS)},
)

API_FRAMEWORKS = Library(
    name="flask-based API frameworks",
    name_aliases={
        "apiflask.APIFlask": "flask.Flask",
        "apiflask.APIBlueprint": "flask.Blueprint",
        "flask_smorest.Blueprint": "flask.Blueprint",
        "flask_openapi3.OpenAPI": "flask.Flask",
        "flask_openapi3.APIBlueprint": "flask.Blueprint",
    },
)

EXECUTOR = Library(
    name="flask_executor",
    packages=("flask_executor",),
    # Flask-Executor copies the request and app contexts into its workers
    followers={
        "flask_executor.Executor().submit": Follower(0, "fn"),
        "flask_executor.Executor().map": Follower(0, "fn"),
        "flask_executor.Executor().submit_stored": Follower(1, "fn"),
    },
)

MIGRATE = Library(
    name="flask_migrate",
    # Files a tool runs as entry points inside an application context: Flask-Migrate runs
    # Alembic's migrations/env.py from ``flask db`` (trailing path pattern, marker file relative
    # to the file's directory).
    entry_files=(("env.py", "script.py.mako"), ("versions/*.py", "../script.py.mako")),
    # An entry script importing one of these is run by that tool, inside Flask-Migrate's app
    # context (an Alembic env.py without the usual script.py.mako beside it).
    entry_imports=(("alembic", "context"),),
)

WTFORMS = Library(
    name="wtforms",
    # Constructing a subclass of these does not run ``__init__``: WTForms fields built in a
    # form's class body are UnboundFields until the form is instantiated.
    lazy_constructors=("wtforms.*Field", "wtforms.fields.*Field", "flask_wtf.*Field", "wtforms_*.*Field"),
)

__all__ = ["LOGIN", "SQLALCHEMY", "SOCKETIO", "CACHING", "RESTFUL", "API_FRAMEWORKS", "EXECUTOR", "MIGRATE",
           "WTFORMS"]
