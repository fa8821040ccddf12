"""What the knowledge claims about a library, checked against the real library."""

from __future__ import annotations

import textwrap

import pytest

from ctxlint.engine import analyse


def test_storing_into_a_proxy_outside_its_context_raises_like_reading_it() -> None:
    """Why a store (``g.user = u``, ``session["k"] = v``, ``session.modified = True``) is a use."""
    from flask import Flask, g, session

    with pytest.raises(RuntimeError, match="application context"):
        g.user = "u"
    with pytest.raises(RuntimeError, match="request context"):
        session["k"] = "v"
    with pytest.raises(RuntimeError, match="request context"):
        session.modified = True
    with Flask(__name__).app_context(), pytest.raises(RuntimeError, match="request context"):
        session["n"] = session.get("n", 0) + 1


def test_flask_login_current_user_is_none_outside_a_request_and_the_message_says_so(tmp_path) -> None:  # noqa: ANN001
    pytest.importorskip("flask_login")
    from flask import Flask
    from flask_login import LoginManager, current_user

    app = Flask(__name__)
    LoginManager(app)
    with app.app_context():  # a CLI command or a task with an app context: no request
        assert current_user._get_current_object() is None
        with pytest.raises(AttributeError):
            _ = current_user.username
    assert current_user._get_current_object() is None  # no context at all: still None, no RuntimeError

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    (tmp_path / "app.py").write_text(textwrap.dedent("""
        from flask import Flask
        from flask_login import current_user
        app = Flask(__name__)

        @app.cli.command()
        def whoami():
            print(current_user.username)
    """), encoding="utf-8")
    findings = analyse([str(tmp_path)]).findings
    assert [f.code for f in findings] == ["CTX501"]
    assert "current_user is None outside a request, so this raises AttributeError" in findings[0].message


CELERY_PRERUN_APP = """
from celery import Celery
from celery.signals import task_prerun
from flask import Flask, current_app

flask_app = Flask("shop")
celery = Celery("shop")
celery.conf.task_always_eager = True
celery.conf.task_eager_propagates = True


@celery.task
def report():
    return current_app.name
"""

CELERY_PRERUN_HANDLER = """

@task_prerun.connect
def push_app_context(*args, **kwargs):
    flask_app.app_context().push()
"""


@pytest.mark.parametrize("handler", [False, True], ids=["no handler", "task_prerun pushes"])
def test_a_task_prerun_handler_that_pushes_gives_every_task_an_app_context(tmp_path, handler) -> None:  # noqa: ANN001
    """A Celery task has no context, unless a ``task_prerun`` handler pushes one (and never pops it)."""
    pytest.importorskip("celery")
    import subprocess
    import sys

    source = CELERY_PRERUN_APP + (CELERY_PRERUN_HANDLER if handler else "")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    (tmp_path / "tasks.py").write_text(source, encoding="utf-8")
    # the real thing, in a fresh interpreter (the handler stays connected for the process's life)
    run = subprocess.run([sys.executable, "-c", "import tasks; print(tasks.report.delay().get())"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    findings = analyse([str(tmp_path)]).findings
    if handler:
        assert run.returncode == 0 and run.stdout.strip() == "shop", run.stderr
        assert findings == []
    else:
        assert "Working outside of application context" in run.stderr
        assert [f.code for f in findings] == ["CTX302"]
