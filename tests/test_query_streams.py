"""Queries made in a view and run later (while the response streams, in a thread): the fixture run with the real
Flask-SQLAlchemy, each crash compared with the findings."""

from __future__ import annotations

import os
import shutil
import sys
import threading

import pytest
from conftest import FIXTURES

from ctxlint.engine import analyse
from ctxlint.options import Options

BASE = os.path.join(FIXTURES, "query_streams")


def test_queries_run_after_the_view_crash_exactly_where_ctxlint_reports(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    pytest.importorskip("flask_sqlalchemy")
    shutil.copytree(BASE, tmp_path / "query_streams")
    monkeypatch.chdir(tmp_path)  # the app's sqlite file goes here
    sys.path.insert(0, str(tmp_path / "query_streams"))
    try:
        from orders import create_app, db
        from orders.models import Order

        app = create_app()
        with app.app_context():
            db.create_all()
            db.session.add(Order(total=500))
            db.session.commit()
        client = app.test_client()
        crashed: dict[str, bool] = {}
        for url in ("/orders.csv", "/orders-in-request.csv", "/orders-header.csv"):
            try:
                client.get(url).get_data()
                crashed[url] = False
            except RuntimeError as e:
                assert "application context" in str(e)
                crashed[url] = True
        errors: list[BaseException] = []
        hook = threading.excepthook
        threading.excepthook = lambda args: errors.append(args.exc_value)  # type: ignore[assignment,misc]
        started: list[threading.Thread] = []
        real_start = threading.Thread.start
        monkeypatch.setattr(threading.Thread, "start", lambda t: (started.append(t), real_start(t))[-1])
        try:
            client.post("/orders/count")
            for t in started:
                t.join(5)
        finally:
            threading.excepthook = hook
    finally:
        sys.path.remove(str(tmp_path / "query_streams"))
        for name in [m for m in sys.modules if m == "orders" or m.startswith("orders.")]:
            del sys.modules[name]
    assert crashed == {"/orders.csv": True, "/orders-in-request.csv": False, "/orders-header.csv": False}
    assert len(errors) == 1 and "application context" in str(errors[0])

    found = {(os.path.basename(f.path), f.line, f.code) for f in analyse([BASE], Options(use_cache=False)).findings}
    assert found == {("views.py", 20, "CTX401"), ("views.py", 38, "CTX202")}  # /orders.csv and the count thread
