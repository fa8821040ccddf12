"""Flask and Werkzeug: the context locals, the app and blueprint registrations, guards and pushes."""

from __future__ import annotations

from .base import (
    APP,
    NEEDS_APP,
    NEEDS_REQUEST,
    NEEDS_URL,
    REQUEST,
    Constructor,
    Library,
    Local,
    Root,
    RootClass,
    TemplateFolder,
    TemplateHelper,
    TemplateRender,
    Templates,
)

_FLASK_MODULES = ("globals", "helpers", "templating", "json", "wrappers", "app", "blueprints", "ctx",
                  "sansio.app", "sansio.blueprints", "sansio.scaffold", "scaffold")

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


def _roots() -> dict[str, Root]:
    roots: dict[str, Root] = {}
    for app in APP_LIKE + ("?",):
        for m in _VIEW_METHODS:
            if app == "?" and m != "route":
                continue  # .get/.post on an unknown object is not recognisably Flask
            roots[f"{app}.{m}"] = Root("request", "view", view=True)
        for m, label in _REQUEST_HOOKS.items():
            roots[f"{app}.{m}"] = Root("request", label)
        for m, root in _REGISTRATIONS.items():
            roots[f"{app}.{m}"] = root
        for m, label in _APP_HOOKS.items():
            roots[f"{app}.{m}"] = Root("app", label)
        roots[f"{app}.cli.command"] = Root("app", "CLI command")
        roots[f"{app}.cli.add_command"] = Root("app", "CLI command", 0, "cmd")
    roots.update({
        "flask.cli.AppGroup().command": Root("app", "CLI command"),
        "flask.cli.AppGroup().add_command": Root("app", "CLI command", 0, "cmd"),
        "flask.cli.with_appcontext": Root("app", "CLI command"),
        "flask.after_this_request": Root("request", "after_this_request callback"),
    })
    return roots


# Rendering a template (checked with Flask 3.1, see tests/test_template_behaviour.py): Flask's Jinja
# environment has ``request``, ``session``, ``g``, ``url_for``, ``get_flashed_messages`` and ``config`` as
# globals, so a template rendered with only an application context raises Flask's RuntimeError where it
# reads ``request``/``session`` (``{{ request.path }}``, ``{{ request }}``) or calls ``url_for`` (without
# SERVER_NAME) or ``get_flashed_messages``; ``{% if request %}`` is false there, and ``g``/``config`` work.
# Flask-Login's ``current_user`` comes from a context processor that gives None outside a request, which
# Jinja prints as empty: not an error. Every render runs the app-wide context processors
# (``app.context_processor``, ``bp.app_context_processor``); a blueprint's own ``bp.context_processor``
# only runs in that blueprint's requests. A Blueprint has no template folder unless given one.
TEMPLATES = Templates(
    renders={
        "flask.render_template": TemplateRender(0, "template_name_or_list"),
        "flask.stream_template": TemplateRender(0, "template_name_or_list"),
        "flask.render_template_string": TemplateRender(0, "source", source=True),
        "flask.stream_template_string": TemplateRender(0, "source", source=True),
        "flask.get_template_attribute": TemplateRender(0, "template_name", macro=(1, "attribute"), processors=False),
    },
    globals={name: "flask." + name for name in ("request", "session", "g", "url_for", "get_flashed_messages")},
    folders={
        "flask.Flask": TemplateFolder(0, "import_name", "templates"),
        "flask.Blueprint": TemplateFolder(1, "import_name", None),
    },
    processors=("flask.Flask().context_processor", "flask.Blueprint().app_context_processor"),
    helpers={
        f"{owner}.{verb}{prefix}template_{kind}": TemplateHelper(kind, decorator=not verb)
        for owner, prefix in (("flask.Flask()", ""), ("flask.Blueprint()", "app_"))
        for verb in ("", "add_") for kind in ("global", "filter", "test")
    },
    env_tables={f"{app}.jinja_env.{table}s": table for app in ("flask.Flask()", "flask.current_app")
                for table in ("global", "filter", "test")},
)

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "dispatch_request")

LIBRARY = Library(
    name="flask",
    packages=("flask", "werkzeug"),
    app_classes=("flask.Flask",),
    # Flask before 1.0 imported ``flask.ext.foo`` as the extension package ``flask_foo``
    module_prefixes={"flask.ext.": "flask_"},
    module_aliases={
        **{f"flask.{m}": "flask" for m in _FLASK_MODULES},
        "werkzeug.wrappers.response": "werkzeug.wrappers",
    },
    name_aliases={
        "werkzeug.Response": "werkzeug.wrappers.Response",
        "flask.cli.FlaskGroup": "flask.cli.AppGroup",
        "flask.views.MethodView": "flask.views.MethodView",
    },
    locals={
        # request-bound proxies
        "flask.request": Local(NEEDS_REQUEST, True),
        "flask.session": Local(NEEDS_REQUEST, True),
        # request-bound functions (they fail when called without a request)
        "flask.flash": Local(NEEDS_REQUEST, False, function=True),
        "flask.get_flashed_messages": Local(NEEDS_REQUEST, False, function=True),
        "flask.after_this_request": Local(NEEDS_REQUEST, False, function=True),
        "flask.copy_current_request_context": Local(NEEDS_REQUEST, False, function=True),
        "flask.stream_with_context": Local(NEEDS_REQUEST, False, function=True, decorates_lazily=True),
        "flask.send_file": Local(NEEDS_REQUEST, False, function=True),
        "flask.send_from_directory": Local(NEEDS_REQUEST, False, function=True),
        # application-bound proxies
        "flask.current_app": Local(NEEDS_APP, True),
        "flask.g": Local(NEEDS_APP, True),
        # application-bound functions
        "flask.url_for": Local(NEEDS_URL, False, function=True),
        "flask.render_template": Local(NEEDS_APP, False, function=True),
        "flask.render_template_string": Local(NEEDS_APP, False, function=True),
        "flask.stream_template": Local(NEEDS_APP, False, function=True),
        "flask.stream_template_string": Local(NEEDS_APP, False, function=True),
        "flask.get_template_attribute": Local(NEEDS_APP, False, function=True),
        "flask.jsonify": Local(NEEDS_APP, False, function=True),
        "flask.make_response": Local(NEEDS_APP, False, function=True),
    },
    roots=_roots(),
    root_classes={
        "flask.views.MethodView": RootClass("view method", HTTP_METHODS, views=HTTP_METHODS),
        "flask.views.View": RootClass("view method", ("dispatch_request",), views=HTTP_METHODS),
    },
    # ``View.as_view(name, *args, **kwargs)`` constructs the view class with the rest, per request
    constructors={f"flask.views.{c}.as_view": Constructor(None, rest_from=1) for c in ("View", "MethodView")},
    wrappers={
        "flask.copy_current_request_context": REQUEST,
        "flask.stream_with_context": REQUEST,
        "flask.cli.with_appcontext": APP,
    },
    push_methods={
        "app_context": APP,
        "test_request_context": REQUEST,
        "request_context": REQUEST,
    },
    context_classes={
        "flask.AppContext": APP,
        "flask.RequestContext": REQUEST,
    },
    guard_calls={
        "flask.has_request_context": REQUEST,
        "flask.has_app_context": APP,
    },
    response_bodies=(
        "flask.Response", "werkzeug.wrappers.Response", "flask.make_response",
        "flask.Flask().response_class", "flask.current_app.response_class", "?.response_class",
    ),
    # A project global built as ``LocalProxy(factory)`` is a context local when its factory
    # reaches one (CKAN's ``request = CKANRequest(_get_request)``).
    local_proxy_classes=("werkzeug.local.LocalProxy", "werkzeug.LocalProxy"),
    templates=TEMPLATES,
)

# Names of config keys that, once set, let url_for work with an app context alone.
SERVER_NAME_KEY = "SERVER_NAME"
