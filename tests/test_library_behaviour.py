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
