"""The type layer of the resolver: which project classes an expression can hold.

Annotations, call sites, attributes, ORM results and the class of ``self``: each test asks
the resolver (or the actions pass) what a receiver is, on a few lines of real-looking code.
"""

from __future__ import annotations

from test_analysis import program

from ctxlint.analysis.actions import Call
from ctxlint.analysis.program import Program
from ctxlint.analysis.values import Func, Inst, Many, Param, Query
from ctxlint.model import Attr, CallEvent


def called(p: Program, qual: str, self_cls: str = "") -> list[str]:
    """The project functions a function's calls enter."""
    return [a.chain[-1][0] for a in p.actions(qual, self_cls) if isinstance(a, Call) and a.chain]


def receiver(p: Program, qual: str, text: str):  # noqa: ANN201
    """What the receiver of the call ``text(...)`` in ``qual`` resolves to."""
    fn = p.functions[qual]
    for ev in fn.events:
        if isinstance(ev, CallEvent) and isinstance(ev.call.func, Attr):
            from ctxlint.analysis.values import render
            if render(ev.call.func) == text:
                return p.resolver.held(p.resolve(ev.call.func.value, fn))
    raise AssertionError(f"no call {text} in {qual}")


STORE = """
class WatchStore:
    def add(self, url):
        pass
class ArchiveStore:
    def add(self, url):
        pass
"""


def test_a_parameter_annotated_with_a_project_class() -> None:
    p = program({"store.py": STORE, "jobs.py": """
        from typing import TYPE_CHECKING, Optional
        if TYPE_CHECKING:
            from store import ArchiveStore
        from store import WatchStore
        def plain(store: WatchStore):
            store.add("x")
        def optional(store: Optional[WatchStore] = None):
            store.add("x")
        def union(store: "WatchStore | ArchiveStore"):
            store.add("x")
    """})
    assert called(p, "jobs:plain") == ["store:WatchStore.add"]
    assert called(p, "jobs:optional") == ["store:WatchStore.add"]
    assert sorted(called(p, "jobs:union")) == ["store:ArchiveStore.add", "store:WatchStore.add"]


def test_self_attribute_from_a_constructor_argument_typed_by_its_callers() -> None:
    p = program({"store.py": STORE, "jobs.py": """
        import threading
        from store import WatchStore
        class ImportJob:
            def __init__(self, store, urls):
                self.store = store
                self.urls = urls
            def run(self):
                self.store.add("x")
        def start():
            job = ImportJob(WatchStore(), [])
            threading.Thread(target=job.run).start()
    """})
    assert called(p, "jobs:ImportJob.run") == ["store:WatchStore.add"]


def test_arguments_handed_to_threads_pools_and_tasks_type_the_target_parameters() -> None:
    p = program({"store.py": STORE, "jobs.py": """
        import threading
        from concurrent.futures import ThreadPoolExecutor
        from celery import Celery
        from store import WatchStore, ArchiveStore
        celery = Celery()
        pool = ThreadPoolExecutor()
        def by_thread(store):
            store.add("x")
        def by_pool(store):
            store.add("x")
        @celery.task
        def by_task(store):
            store.add("x")
        def start():
            threading.Thread(target=by_thread, args=(WatchStore(),)).start()
            pool.submit(by_pool, ArchiveStore())
            by_task.delay(WatchStore())
    """})
    assert called(p, "jobs:by_thread") == ["store:WatchStore.add"]
    assert called(p, "jobs:by_pool") == ["store:ArchiveStore.add"]
    assert called(p, "jobs:by_task") == ["store:WatchStore.add"]


def test_a_duck_typed_parameter_with_unknown_callers_is_not_followed() -> None:
    p = program({"store.py": STORE, "jobs.py": """
        def sync(store):
            store.add("x")
        def start(thing):
            sync(thing)
            sync(load_from_somewhere())
    """})
    assert called(p, "jobs:sync") == []
    assert receiver(p, "jobs:sync", "store.add") is None
    fn = p.functions["jobs:sync"]
    assert isinstance(p.resolve(next(ev.call.func.value for ev in fn.events if isinstance(ev, CallEvent)), fn), Param)


def test_two_call_sites_passing_different_classes_give_a_union_and_flow_through_parameters() -> None:
    p = program({"store.py": STORE, "jobs.py": """
        from store import WatchStore, ArchiveStore
        def sync(store):
            store.add("x")
        def relay(store):
            sync(store)
        def start():
            relay(WatchStore())
            sync(ArchiveStore())
    """})
    held = receiver(p, "jobs:sync", "store.add")
    assert isinstance(held, Many) and set(held.options) == {Inst("store:ArchiveStore"), Inst("store:WatchStore")}
    assert sorted(called(p, "jobs:sync")) == ["store:ArchiveStore.add", "store:WatchStore.add"]


def test_a_same_named_method_on_an_unrelated_class_is_never_a_reason_to_follow() -> None:
    p = program({"store.py": STORE, "jobs.py": """
        from store import ArchiveStore
        def sync(store: ArchiveStore):
            store.add("x")
    """})
    assert called(p, "jobs:sync") == ["store:ArchiveStore.add"]


def test_return_annotations_dataclass_fields_and_module_globals() -> None:
    p = program({"store.py": STORE, "jobs.py": """
        from dataclasses import dataclass
        from store import WatchStore
        def make() -> "WatchStore":
            return build_somehow()
        @dataclass
        class Job:
            store: WatchStore
            def run(self):
                self.store.add("x")
        current: WatchStore = load()
        def a():
            make().add("x")
        def b():
            current.add("x")
    """})
    assert called(p, "jobs:a") == ["jobs:make", "store:WatchStore.add"]
    assert called(p, "jobs:Job.run") == ["store:WatchStore.add"]
    assert called(p, "jobs:b") == ["store:WatchStore.add"]


MODELS = """
from flask_sqlalchemy import SQLAlchemy
db = SQLAlchemy()
class Invoice(db.Model):
    def send(self):
        pass
    @property
    def link(self):
        return make_link(self)
"""


def test_orm_results_are_instances_of_their_model() -> None:
    p = program({"models.py": MODELS, "tasks.py": """
        from models import Invoice, db
        def one(i):
            Invoice.query.get(i).send()
        def filtered(i):
            inv = Invoice.query.filter_by(id=i).first_or_404()
            inv.send()
        def session(i):
            db.session.get(Invoice, i).send()
        def selected(i):
            db.session.execute(db.select(Invoice).where(Invoice.id == i)).scalar_one().send()
        def rows():
            for inv in Invoice.query.all():
                inv.send()
        def comprehension():
            return [inv.send() for inv in Invoice.query.filter_by(paid=False)]
        def prop(i):
            return Invoice.query.get(i).link
    """})
    for q in ("one", "filtered", "session", "selected", "rows", "comprehension"):
        assert called(p, f"tasks:{q}") == ["models:Invoice.send"], q
    assert called(p, "tasks:prop") == ["models:Invoice.link"]
    fn = p.functions["tasks:one"]
    get = next(ev.call.func for ev in fn.events if isinstance(ev, CallEvent)
               and isinstance(ev.call.func, Attr) and ev.call.func.attr == "get")
    assert isinstance(get, Attr)
    # Invoice.query is still the app-bound local it was
    query = p.resolve(get.value, fn)
    assert isinstance(query, Query) and p.resolver.local_of(query) is not None


def test_a_helper_returning_what_its_argument_selects_is_resolved_per_call_site() -> None:
    p = program({"models.py": MODELS + """
class Receipt(db.Model):
    def send(self):
        pass
""", "tasks.py": """
        from models import Invoice, Receipt, db
        def first_or_404(stmt):
            value = db.session.execute(stmt).scalar()
            return value
        def a():
            first_or_404(db.select(Invoice)).send()
        def b():
            first_or_404(db.select(Receipt)).send()
    """})
    assert called(p, "tasks:a") == ["tasks:first_or_404", "models:Invoice.send"]
    assert called(p, "tasks:b") == ["tasks:first_or_404", "models:Receipt.send"]


def test_self_is_the_subclass_a_method_runs_for() -> None:
    p = program({"mail.py": """
        class Digest:
            report_cls = None
            def recipients(self):
                return []
            def send(self):
                self.recipients()
                self.report_cls()
        class Team(Digest):
            report_cls = TeamReport
            def recipients(self):
                return []
        class TeamReport:
            def __init__(self):
                pass
    """})
    assert called(p, "mail:Digest.send") == ["mail:Digest.recipients"]
    assert called(p, "mail:Digest.send", "mail:Team") == ["mail:Team.recipients", "mail:TeamReport.__init__"]
    team = [a for a in p.actions("mail:Digest.send", "mail:Team") if isinstance(a, Call)]
    assert team[0].receiver == "mail:Team"
    assert p.resolver.attribute(Inst("mail:Team"), "recipients") == Func("mail:Team.recipients")


def test_plugins_loaded_from_an_entry_point_group_the_project_declares_in_setup_py() -> None:
    p = program({"setup.py": """
        from setuptools import setup
        setup(name="app", entry_points={"app.actions": ["purge = app_plugins:Purge", "log = app_plugins:Log"]})
    """, "app_plugins.py": """
        class Purge:
            def take_action(self):
                pass
        class Log:
            def take_action(self):
                pass
        class Unregistered:
            def take_action(self):
                pass
    """, "runner.py": """
        import pkg_resources
        def run_all():
            for ep in pkg_resources.iter_entry_points("app.actions"):
                ep.load()().take_action()
    """})
    assert sorted(called(p, "runner:run_all")) == ["app_plugins:Log.take_action", "app_plugins:Purge.take_action"]


def test_entry_points_declared_in_pyproject_and_setup_cfg(tmp_path) -> None:  # noqa: ANN001
    from ctxlint.discover import declared_entry_points

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "a"\n[project.entry-points."a.hooks"]\n'
                                             'one = "a.plugins:One"\n', encoding="utf-8")
    (tmp_path / "setup.cfg").write_text("[options.entry_points]\na.hooks =\n    two = a.plugins:Two\n"
                                        "console_scripts =\n    a = a.cli:main\n", encoding="utf-8")
    assert declared_entry_points(str(tmp_path)) == {"a.hooks": ("a.plugins:One", "a.plugins:Two"),
                                                    "console_scripts": ("a.cli:main",)}


def test_ctxlint_stats_reports_what_the_resolver_achieves(capsys) -> None:  # noqa: ANN001
    import json
    import os

    from ctxlint.stats import stats_main

    here = os.path.dirname(os.path.abspath(__file__))
    assert stats_main([os.path.join(here, "..", "fixtures", "receivers"), "--format", "json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    by = stats["method_calls_by_receiver"]
    assert stats["resolved_to_project"] > 0
    assert by["self attribute"]["resolved"] >= 5  # self.store.add(), self.mailer.send(), ...
    assert by["parameter"]["resolved"] >= 1  # store.add() on an annotated parameter
    assert stats_main([os.path.join(here, "no-such-folder")]) == 2
    assert "no such file or directory" in capsys.readouterr().err
