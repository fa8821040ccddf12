"""Project context managers that push a Flask context: checked with the real Flask, then analysed."""

from __future__ import annotations

import importlib.util
import sys
import textwrap

import pytest

from ctxlint.engine import analyse

SOURCE = textwrap.dedent("""
    import atexit
    from contextlib import contextmanager
    from typing import Optional

    from flask import Flask, current_app
    from flask.ctx import AppContext

    app = Flask("jobs")
    app.config["WHO"] = "jobs"


    @contextmanager
    def app_ctx():
        with app.app_context():
            yield


    @contextmanager
    def manual_ctx(flask_app):
        ctx = flask_app.app_context()
        ctx.push()
        try:
            yield
        finally:
            ctx.pop()


    @contextmanager
    def timer():
        yield


    class AppScope:
        def __init__(self, flask_app):
            self.app = flask_app

        def __enter__(self):
            self.ctx = self.app.app_context()
            self.ctx.push()
            return self

        def __exit__(self, *exc):
            self.ctx.pop()


    def who():
        return current_app.config["WHO"]


    def with_function_cm():
        with app_ctx():
            return who()


    def with_push_pop_cm():
        with manual_ctx(app):
            return who()


    def with_class_cm():
        with AppScope(app):
            return who()


    def with_plain_cm():
        with timer():
            return who()


    def with_given_or_own(context: Optional[AppContext] = None):
        with context or app_ctx():
            return who()


    def with_anything_or_own(context=None):
        with context or app_ctx():
            return who()


    atexit.register(with_function_cm)
    atexit.register(with_push_pop_cm)
    atexit.register(with_class_cm)
    atexit.register(with_plain_cm)
    atexit.register(with_given_or_own)
""")


def _load(path):  # noqa: ANN001, ANN202
    spec = importlib.util.spec_from_file_location("cm_jobs", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_a_context_manager_that_pushes_around_its_yield_gives_the_block_an_app_context(tmp_path,  # noqa: ANN001
                                                                                     monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "cm_jobs.py"
    path.write_text(SOURCE, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    registered: list[object] = []
    monkeypatch.setattr("atexit.register", registered.append)
    mod = _load(path)
    monkeypatch.delitem(sys.modules, "cm_jobs", raising=False)
    # the real behaviour, run with no context as an atexit handler is
    assert mod.with_function_cm() == "jobs"
    assert mod.with_push_pop_cm() == "jobs"
    assert mod.with_class_cm() == "jobs"
    with pytest.raises(RuntimeError, match="application context"):
        mod.with_plain_cm()
    assert mod.with_given_or_own() == "jobs"  # ``context or app_ctx()``: its own context
    assert mod.with_given_or_own(mod.app.app_context()) == "jobs"  # or the one it is given
    with pytest.raises(RuntimeError, match="application context"):
        mod.with_anything_or_own(mod.timer())  # given something that pushes nothing

    findings = analyse([str(tmp_path)]).findings
    assert [(f.code, f.message.split("(")[0].split()[-1]) for f in findings] == [("CTX302", "with_plain_cm")]
