"""Objects that read the current app only when they were built without one (``self._config or
current_app.config``): the fixture run for real, each entry point's crash compared with the findings."""

from __future__ import annotations

import os
import smtplib
import sys
from unittest import mock

import pytest
from conftest import FIXTURES, thread_errors

from ctxlint.engine import analyse
from ctxlint.options import Options

BASE = os.path.join(FIXTURES, "fallbacks")


@pytest.fixture
def newsletter():  # noqa: ANN201
    sys.path.insert(0, BASE)
    try:
        import newsletter
        import newsletter.commands
        import newsletter.views

        yield newsletter
    finally:
        sys.path.remove(BASE)
        for name in [m for m in sys.modules if m == "newsletter" or m.startswith("newsletter.")]:
            del sys.modules[name]


def _mailing_errors(run) -> list[BaseException]:  # noqa: ANN001
    """What the threads started while ``run()`` runs raised, with no mail server needed."""
    with mock.patch.object(smtplib, "SMTP"):
        return thread_errors(run)


def test_the_fixture_crashes_exactly_where_ctxlint_reports(newsletter) -> None:  # noqa: ANN001
    from click.testing import CliRunner

    found = {(os.path.basename(f.path), f.line, f.code) for f in analyse([BASE], Options(use_cache=False)).findings}

    build = CliRunner().invoke(newsletter.commands.build)
    assert build.exception is None  # the settings built from the mapping never look at current_app
    assert ("commands.py", 8, "CTX302") not in found
    limit = CliRunner().invoke(newsletter.commands.limit)
    assert isinstance(limit.exception, RuntimeError) and "application context" in str(limit.exception)
    assert ("commands.py", 14, "CTX302") in found

    client = newsletter.create_app().test_client()
    crashed: dict[str, bool] = {}
    for url, data in [("/subscribe", {"email": "a@example.org"}), ("/broadcast", {"body": "hi"}),
                      ("/later", {"to": "b@example.org"}), ("/retry", {"to": "c@example.org"})]:
        errors = _mailing_errors(lambda: client.post(url, data=data))  # noqa: B023
        assert all(isinstance(e, RuntimeError) and "application context" in str(e) for e in errors)
        crashed[url] = bool(errors)
    reported = {line for name, line, code in found if name == "views.py" and code == "CTX202"}
    # the thread of each view, by line: subscribe's mailer holds the app, the others do not (or forget it)
    assert crashed == {"/subscribe": False, "/broadcast": True, "/later": True, "/retry": True}
    assert {33, 43, 56} <= reported
    assert 20 not in reported

    # through a decorator: @traced passes the config on, @defaults_only drops it
    errors = _mailing_errors(lambda: client.get("/addresses"))
    crashed_at = set()
    for e in errors:
        assert isinstance(e, RuntimeError) and "application context" in str(e)
        tb = e.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename.endswith(os.path.join("newsletter", "views.py")):
                crashed_at.add(tb.tb_lineno)
            tb = tb.tb_next
    assert crashed_at == {65, 66}
    assert reported == {33, 43, 56, 65, 66}
