"""Processors loaded with importlib.import_module("literal") and run in a pool, and coroutines handed to another
thread's loop: the fixture run for real, each view's outcome compared with the findings."""

from __future__ import annotations

import os
import sys

from conftest import FIXTURES, thread_errors

from ctxlint.engine import analyse
from ctxlint.options import Options

BASE = os.path.join(FIXTURES, "dynamic_modules")


def test_the_fixture_crashes_exactly_where_ctxlint_reports() -> None:
    sys.path.insert(0, BASE)
    try:
        from checks import create_app

        app = create_app()
        app.testing = True  # the view's exception reaches the test
        client = app.test_client()
        outcome: dict[str, object] = {}
        for url in ("/preview", "/check-now", "/check-quietly", "/remember"):
            try:
                outcome[url] = client.post(url, data={"url": "ftp://example.org"}).status_code
            except RuntimeError as e:
                outcome[url] = str(e).splitlines()[0]
        for url in ("/background", "/background-quietly"):  # the thread's error, if any
            errors = thread_errors(lambda: client.post(url, data={"url": "ftp://example.org"}))  # noqa: B023
            outcome[url] = str(errors[0]).splitlines()[0] if errors else "no error"
    finally:
        sys.path.remove(BASE)
        for name in [m for m in sys.modules if m == "checks" or m.startswith("checks.")]:
            del sys.modules[name]
    # the pool's thread has no request; asyncio.run_coroutine_threadsafe runs the coroutine in a copy of the
    # caller's context (call_soon_threadsafe copies the contextvars), so flash() works there
    assert outcome == {"/preview": "Working outside of request context.", "/check-now": 200,
                       "/check-quietly": 200, "/remember": 204,
                       "/background": "Working outside of request context.", "/background-quietly": "no error"}
    found = {(os.path.basename(f.path), f.line, f.code) for f in analyse([BASE], Options(use_cache=False)).findings}
    # the pool task of /preview, and the thread start_check() starts (for text.SiteCheck, of the two it is given)
    assert found == {("views.py", 27, "CTX201"), ("views.py", 51, "CTX201")}
