"""Unit tests of the analysis passes: the resolver, actions, roots and import contexts.

Each test summarises a few small modules in memory and asks one pass a question, so a
change in what the engine understands shows here before it shows in a fixture project.
"""

from __future__ import annotations

import ast
import os
import textwrap

import pytest

from ctxlint.analysis.actions import Call, ParamCall, Spawn, Stream, Use
from ctxlint.analysis.program import Program
from ctxlint.analysis.values import Cls, Ext, FAttr, Func, Inst, Mod, Param, Proxy
from ctxlint.knowledge import APP, NONE, REQUEST, Knowledge, Library, Local, Root
from ctxlint.knowledge.base import NEEDS_APP, NEEDS_REQUEST
from ctxlint.model import CallEvent, Name
from ctxlint.summary import summarise

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def program(files: dict[str, str], kb: Knowledge | None = None) -> Program:
    modules = []
    for path, src in files.items():
        is_package = path.endswith("__init__.py")
        dotted = path[:-3].replace("/", ".")
        if is_package:
            dotted = dotted.rsplit(".", 1)[0]
        modules.append(summarise(textwrap.dedent(src).encode(), dotted, dotted, path, is_package))
    return Program(modules, kb or Knowledge())


def value_of(p: Program, module: str, name: str):  # noqa: ANN201
    return p.resolver.global_value(p.modules[module], name)


# ---- resolver ------------------------------------------------------------------------------------

def test_imports_resolve_across_modules_relative_and_reexported() -> None:
    p = program({
        "shop/__init__.py": "from .helpers import build as build_link\n",
        "shop/helpers.py": "from flask import request as rq\ndef build():\n    return rq.path\n",
        "shop/views.py": "from . import build_link\nfrom .helpers import rq\nimport shop.helpers as h\n",
    })
    assert value_of(p, "shop.views", "build_link") == Func("shop.helpers:build")
    assert value_of(p, "shop.views", "rq") == Ext("flask.request")
    assert value_of(p, "shop.views", "h") == Mod("shop.helpers")


def test_module_paths_are_canonicalised_to_public_names() -> None:
    p = program({"a.py": "from flask.globals import current_app\nfrom flask_login.utils import current_user\n"})
    assert value_of(p, "a", "current_app") == Ext("flask.current_app")
    assert value_of(p, "a", "current_user") == Ext("flask_login.current_user")


def test_methods_resolve_through_self_and_the_mro_and_constructors_give_instances() -> None:
    p = program({"m.py": """
        class Base:
            def save(self):
                return self.log()
            def log(self):
                pass
        class Child(Base):
            def log(self):
                pass
        store = Child()
    """})
    assert value_of(p, "m", "store") == Inst("m:Child")
    assert p.resolver.attribute(Inst("m:Child"), "log") == Func("m:Child.log")
    assert p.resolver.attribute(Inst("m:Child"), "save") == Func("m:Base.save")
    assert p.resolver.mro("m:Child") == ["m:Child", "m:Base"]


def test_an_unknown_receiver_is_not_guessed_from_the_method_name() -> None:
    p = program({"m.py": """
        class Store:
            def add(self):
                pass
        def run(store):
            store.add()
    """})
    fn = p.functions["m:run"]
    call = next(ev.call for ev in fn.events if isinstance(ev, CallEvent))
    assert p.resolve(call.func, fn) == Ext("?.add")  # a method of an object of unknown type
    assert [a for a in p.actions("m:run") if isinstance(a, Call)] == []


def test_disagreeing_bindings_are_unknown_and_parameters_stay_parameters() -> None:
    p = program({"m.py": """
        import os
        def a(): pass
        def b(): pass
        f = a
        f = b
        def g(x):
            return x
    """})
    assert value_of(p, "m", "f") == Func("m:b")  # the binding that stands after import
    fn = p.functions["m:g"]
    assert p.resolve(Name("m:g", "x"), fn) == Param("m:g", "x")


def test_functions_return_values_and_attributes_of_functions() -> None:
    p = program({"m.py": """
        class Client:
            pass
        def make():
            return Client()
        client = make()
        def task():
            pass
        enqueue = task.delay
    """})
    assert value_of(p, "m", "client") == Inst("m:Client")
    assert value_of(p, "m", "enqueue") == FAttr("m:task", "delay")
    assert value_of(p, "m", "Client") == Cls("m:Client")


def test_a_project_localproxy_is_context_bound_when_its_factory_reaches_a_local() -> None:
    p = program({"m.py": """
        from werkzeug.local import LocalProxy
        from flask import g, has_app_context
        def _tenant():
            return g.tenant
        def _safe():
            if has_app_context():
                return g.tenant
        tenant = LocalProxy(_tenant)
        safe = LocalProxy(_safe)
    """})
    assert value_of(p, "m", "tenant") == Proxy("m:_tenant")
    local = p.resolver.local_of(Proxy("m:_tenant"))
    assert local is not None and local.needs == NEEDS_APP and local.proxy
    assert p.resolver.local_of(Proxy("m:_safe")) is None


# ---- actions -------------------------------------------------------------------------------------

def test_actions_of_a_function() -> None:
    p = program({"m.py": """
        import threading
        from flask import request, session, Response, g
        def helper():
            pass
        def gen():
            yield 1
        def view(cb):
            x = request.args
            if "k" in session:
                helper()
            cb()
            threading.Thread(target=helper).start()
            {"g": g}
            return Response(gen())
    """})
    acts = p.actions("m:view")
    uses = [a for a in acts if isinstance(a, Use)]
    assert [(u.needs, u.text) for u in uses] == [(NEEDS_REQUEST, "request.args"), (NEEDS_REQUEST, "session")]
    assert [a.chain[-1][0] for a in acts if isinstance(a, Call)] == ["m:helper", "m:gen"]
    assert sum(isinstance(a, ParamCall) for a in acts) == 1
    spawn = next(a for a in acts if isinstance(a, Spawn))
    assert (spawn.family, spawn.label, spawn.chain) == ("thread", "thread target", (("m:helper", 0, ""),))
    stream = next(a for a in acts if isinstance(a, Stream))
    assert stream.chain == (("m:gen", 0, ""),)


def test_guards_and_pushes_resolve_to_contexts() -> None:
    p = program({"m.py": """
        from flask import has_request_context, current_app, request
        def f(app):
            if has_request_context():
                request.path
            with app.app_context():
                current_app.name
            try:
                request.path
            except RuntimeError:
                pass
    """})
    fn = p.functions["m:f"]
    assert [c for c in p.conditions(fn)] == [("guard", REQUEST), ("push", APP), ("guard", REQUEST)]


def test_decorator_chains_include_project_wrappers_and_known_context_wrappers() -> None:
    p = program({"m.py": """
        import functools
        from flask import copy_current_request_context
        def audited(f):
            @functools.wraps(f)
            def wrapper(*a, **kw):
                return f(*a, **kw)
            return wrapper
        @audited
        def view():
            pass
        @copy_current_request_context
        def work():
            pass
    """})
    assert p.chain_for("m:view") == (("m:audited.wrapper", 0, ""), ("m:view", 0, ""))
    assert p.chain_for("m:work") == (("m:work", REQUEST, ""),)


# ---- roots ---------------------------------------------------------------------------------------

def roots_by_func(p: Program) -> dict[str, tuple[str, int, str]]:
    return {r.func: (r.kind, r.ctx, r.label) for r in p.roots() if r.kind != "import"}


def test_roots_from_decorators_registrations_and_base_classes() -> None:
    p = program({"app.py": """
        import click
        from flask import Flask
        from flask.views import MethodView
        from celery import Celery
        app = Flask(__name__)
        celery = Celery()
        @app.route("/")
        def index():
            pass
        def health():
            pass
        app.add_url_rule("/health", view_func=health)
        @app.cli.command()
        def seed():
            pass
        @click.command()
        def plain():
            pass
        @celery.task
        def job():
            pass
        class Items(MethodView):
            def get(self):
                pass
    """})
    got = roots_by_func(p)
    assert got["app:index"] == ("request", REQUEST, "view")
    assert got["app:health"] == ("request", REQUEST, "view")
    assert got["app:seed"] == ("app", APP, "CLI command")
    assert got["app:plain"] == ("job", NONE, "click command")
    assert got["app:job"] == ("job", NONE, "Celery task")
    assert got["app:Items.get"] == ("request", REQUEST, "view method")


def test_a_celery_task_class_that_pushes_an_app_context_gives_tasks_one() -> None:
    p = program({"tasks.py": """
        from celery import Celery
        celery = Celery()
        class ContextTask(celery.Task):
            def __call__(self, *args, **kwargs):
                with app.app_context():
                    return self.run(*args, **kwargs)
        celery.Task = ContextTask
        @celery.task
        def job():
            pass
    """})
    assert roots_by_func(p)["tasks:job"] == ("job", APP, "Celery task")


def test_a_click_command_in_a_group_added_to_the_app_cli_has_an_app_context() -> None:
    p = program({"cli.py": """
        import click
        from flask import Flask
        app = Flask(__name__)
        @click.group()
        def admin():
            pass
        @admin.command()
        def create_user():
            pass
        app.cli.add_command(admin)
    """})
    assert roots_by_func(p)["cli:create_user"] == ("app", APP, "CLI command")


def test_a_root_entry_may_name_several_callable_slots() -> None:
    kb = Knowledge()
    kb.add(Library(name="selectors", roots={
        "babelish.Babel": Root("request", "locale selector", None, "locale_selector", more=((None, "tz_selector"),),
                               decorator=False)}))
    p = program({"app.py": """
        from babelish import Babel
        def pick_locale():
            pass
        def pick_tz():
            pass
        babel = Babel(None, locale_selector=pick_locale, tz_selector=pick_tz)
    """}, kb)
    got = roots_by_func(p)
    assert got["app:pick_locale"] == ("request", REQUEST, "locale selector")
    assert got["app:pick_tz"] == ("request", REQUEST, "locale selector")


def test_configuration_extends_the_knowledge() -> None:
    kb = Knowledge()
    kb.extend(request=["tenancy:current_tenant"])
    assert kb.locals["tenancy.current_tenant"] == Local(NEEDS_REQUEST, True)
    p = program({"m.py": "from tenancy import current_tenant\n"}, kb)
    assert p.resolver.local_of(value_of(p, "m", "current_tenant")) is not None


# ---- import contexts -----------------------------------------------------------------------------

def test_import_contexts_follow_importers() -> None:
    p = program({
        "wsgi.py": "import app.views\n",
        "app/__init__.py": "",
        "app/views.py": "import app.helpers\n",
        "app/helpers.py": "",
        "app/lazy.py": "",
        "app/cli.py": "def run():\n    import app.lazy\n",
    })
    ctx = {name: p.module_context(m) for name, m in p.modules.items()}
    assert ctx["wsgi"] == NONE and ctx["app.views"] == NONE and ctx["app.helpers"] == NONE
    assert ctx["app.lazy"] == REQUEST  # imported inside a function: assumed to be where a context is


# ---- the engine's passes name no library ---------------------------------------------------------

def _string_constants(path: str) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and n.body
                  and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


@pytest.mark.parametrize("module", sorted(f for f in os.listdir(os.path.join(ROOT, "ctxlint", "analysis"))
                                          if f.endswith(".py")) + ["propagate.py"])
def test_the_analysis_passes_name_no_library(module: str) -> None:
    """Library knowledge lives in ctxlint/knowledge: the passes only read its tables and call its hooks."""
    path = os.path.join(ROOT, "ctxlint", "analysis", module) if module != "propagate.py" \
        else os.path.join(ROOT, "ctxlint", module)
    packages = (Knowledge().packages | {"flask_celeryext", "alembic", "wtforms", "flask_wtf", "typing"}) - {"builtins"}
    named = [s for s in _string_constants(path)
             if any(s == p or s.startswith(p + ".") or s.startswith(p + "_") for p in packages)]
    assert named == [], f"{module} names libraries: {named}"


def test_a_value_passed_for_a_none_default_decides_its_fallback_but_a_computed_one_does_not() -> None:
    p = program({"m.py": """
        from flask import session
        def stamp(ts, tz=None):
            if not tz:
                tz = session.get("tz")
            return tz
        def countdown(n):
            return countdown(n - 1) if n else session.get("done")
        def caller(event):
            stamp(1, tz=event.tz)
            countdown(3)
    """})
    calls = {a.text: a for a in p.actions("m:caller") if isinstance(a, Call)}
    assert calls["stamp()"].facts == (("tz", "set"),)
    assert calls["countdown()"].facts == (("n", "true"),)
    fn = p.functions["m:countdown"]
    test = fn.conds[0].test  # type: ignore[union-attr]
    assert p.decide(test, {"n": "given"}, "m:countdown") is None  # n - 1 may be 0
    stamp = p.functions["m:stamp"]
    assert p.decide(stamp.conds[0].test, {"tz": "set"}, "m:stamp") is False  # type: ignore[union-attr]


def test_a_task_base_derived_from_the_apps_task_after_the_project_replaced_it_has_an_app_context() -> None:
    p = program({"tasks.py": """
        from celery import Celery
        from flask import Flask
        def create_celery_app():
            app = Flask(__name__)
            celery = Celery(app.import_name)
            class ContextTask(celery.Task):
                def __call__(self, *args, **kwargs):
                    with app.app_context():
                        return self.run(*args, **kwargs)
            celery.Task = ContextTask
            return celery
        celery = create_celery_app()
        class SqlAlchemyTask(celery.Task):
            def after_return(self, *args):
                pass
        @celery.task(base=SqlAlchemyTask)
        def run_plaso():
            pass
    """})
    assert roots_by_func(p)["tasks:run_plaso"] == ("job", APP, "Celery task")
