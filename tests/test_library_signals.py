"""Flask's signals, run for real: the context each one's receivers get (knowledge.signals says it), and
why a context proxy must not be a signal's sender (CTX204)."""

from __future__ import annotations

import textwrap

import pytest

from ctxlint.engine import analyse
from ctxlint.knowledge import Knowledge
from ctxlint.knowledge.signals import CALLER_CONTEXT_SIGNALS, FLASK_SIGNALS

EXPECTED = {"request": (True, True), "app": (False, True), "job": (False, False)}


def _contexts_seen() -> tuple[dict[str, set[tuple[bool, bool]]], dict[str, set[tuple[bool, bool]]]]:
    """The (request context?, app context?) each Flask signal's receivers ran with: during requests (one
    that flashes and renders, one that fails), and in a bare ``with app.app_context():`` that renders."""
    from flask import Flask, flash, has_app_context, has_request_context, render_template_string
    from flask import signals as flask_signals

    app = Flask(__name__)
    app.secret_key = "k"
    seen: dict[str, set[tuple[bool, bool]]] = {}

    def receiver(name: str):  # noqa: ANN202
        def receive(sender, **extra):  # noqa: ANN001, ANN003, ANN202
            seen.setdefault(name, set()).add((has_request_context(), has_app_context()))
        return receive

    for name in (*FLASK_SIGNALS, *CALLER_CONTEXT_SIGNALS):
        getattr(flask_signals, name).connect(receiver(name), app, weak=False)

    @app.get("/")
    def index():  # noqa: ANN202
        flash("hi")
        return render_template_string("ok")

    @app.get("/fail")
    def fail():  # noqa: ANN202
        raise ValueError("boom")

    app.logger.disabled = True
    client = app.test_client()
    client.get("/")
    client.get("/fail")
    in_requests = dict(seen)
    seen.clear()
    with app.app_context():  # a CLI command or a task with an app context
        render_template_string("ok")
    return in_requests, dict(seen)


def test_each_flask_signal_runs_its_receivers_with_the_context_the_knowledge_says() -> None:
    in_requests, in_app_context = _contexts_seen()
    for name, kind in FLASK_SIGNALS.items():
        assert in_requests[name] == {EXPECTED[kind]}, name
        if kind != "request":  # the app-context signals are sent outside requests too
            assert in_app_context[name] == {EXPECTED[kind]}, name
    for name in CALLER_CONTEXT_SIGNALS:  # whatever context rendered the template
        assert in_requests[name] == {(True, True)}
        assert in_app_context[name] == {(False, True)}


def test_a_proxy_sent_as_the_sender_misses_the_receivers_connected_for_the_app() -> None:
    from blinker import Namespace
    from flask import Flask, current_app

    app = Flask(__name__)
    report_ready = Namespace().signal("report-ready")
    got: list[object] = []
    report_ready.connect(lambda sender, **kw: got.append(sender), app, weak=False)
    with app.app_context():
        report_ready.send(current_app)
        assert got == []  # what CTX204 reports: the receiver never ran
        report_ready.send(current_app._get_current_object())  # the fix
        assert got == [app]


RECEIVERS = """
from flask import Flask, current_app, request
from flask.signals import appcontext_popped, appcontext_tearing_down, request_started
from blinker import Namespace

report_ready = Namespace().signal("report-ready")


def on_start(sender, **extra):
    print(request.path)


def on_teardown(sender, **extra):
    print(request.path)


def on_popped(sender, **extra):
    print(current_app.name)


def connect_receivers(app):
    request_started.connect(on_start, app)
    appcontext_tearing_down.connect(on_teardown, app)
    appcontext_popped.connect(on_popped)


def create_app():
    app = Flask(__name__)

    @app.get("/")
    def index():
        report_ready.send(current_app)
        return ""
    return app
"""


def test_receivers_are_reported_with_their_signal_and_the_fix_makes_the_receiver_run(tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "app.py").write_text(textwrap.dedent(RECEIVERS), encoding="utf-8")
    findings = {f.code: f for f in analyse([str(tmp_path)]).findings}
    assert sorted(findings) == ["CTX204", "CTX302", "CTX501"]
    assert findings["CTX501"].message.startswith("appcontext_tearing_down receiver on_teardown()")
    assert findings["CTX302"].message.startswith("appcontext_popped receiver on_popped() runs with no context")
    assert "report_ready" in findings["CTX204"].message
    assert (findings["CTX204"].line, findings["CTX204"].column) == (32, 9)

    from ctxlint.cli import main

    assert main([str(tmp_path), "--fix", "--no-cache", "--select", "CTX204"]) == 0
    fixed = (tmp_path / "app.py").read_text(encoding="utf-8")
    assert "report_ready.send(current_app._get_current_object())" in fixed
    namespace: dict[str, object] = {"__name__": "signals_app"}
    exec(compile(fixed, str(tmp_path / "app.py"), "exec"), namespace)  # noqa: S102
    app = namespace["create_app"]()  # type: ignore[operator]
    got: list[object] = []
    namespace["report_ready"].connect(lambda sender, **kw: got.append(sender), app, weak=False)  # type: ignore[attr-defined]
    app.test_client().get("/")
    assert got == [app]


LIBRARY_SIGNAL = """
from flask import Flask, request
from flask_security.signals import user_authenticated, password_changed


@user_authenticated.connect
def on_login(sender, user, **extra):
    print(request.remote_addr)


@password_changed.connect_via(Flask(__name__))
def on_password(sender, user, **extra):
    print(request.remote_addr)
"""


def _findings_with(tmp_path, config: str) -> list[str]:  # noqa: ANN001
    from ctxlint.config import find_config, load_config, resolve
    from ctxlint.options import Options

    (tmp_path / "app.py").write_text(textwrap.dedent(LIBRARY_SIGNAL), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(f"[tool.ctxlint]\n{config}\n", encoding="utf-8")
    settings = resolve(load_config(find_config([str(tmp_path)]) or ""), paths=[str(tmp_path)])
    return [f.code for f in analyse([str(tmp_path)], Options(knowledge=settings.knowledge, use_cache=False)).findings]


SECURITY_SIGNALS = '["flask_security.signals:user_authenticated", "flask_security.signals:password_changed"]'


def test_another_librarys_signals_come_from_the_configuration(tmp_path) -> None:  # noqa: ANN001
    assert _findings_with(tmp_path, "") == []  # unknown signals: their receivers are no roots
    assert _findings_with(tmp_path, f"app-signals = {SECURITY_SIGNALS}") == ["CTX501", "CTX501"]
    assert _findings_with(tmp_path, f"request-signals = {SECURITY_SIGNALS}") == []
    kb = Knowledge()
    kb.extend(request_signals=["flask_security.signals:user_authenticated"])
    assert kb.roots["flask_security.signals.user_authenticated.connect"].kind == "request"
    assert "flask_security.signals.user_authenticated.send" in kb.signal_sends


def test_an_unknown_extension_keyword_is_an_error() -> None:
    with pytest.raises(TypeError):
        Knowledge().extend(no_such_key=["a.b"])


def test_flask_logins_signals_are_sent_during_requests() -> None:
    pytest.importorskip("flask_login")
    import flask_login
    from flask import Flask, has_request_context

    from ctxlint.knowledge.signals import FLASK_LOGIN_SIGNALS

    class User(flask_login.UserMixin):
        id = "1"

    app = Flask(__name__)
    app.secret_key = "k"
    app.config["SESSION_PROTECTION"] = "strong"
    manager = flask_login.LoginManager(app)
    manager.user_loader(lambda uid: User() if uid == "1" else None)
    manager.request_loader(lambda req: User() if req.args.get("token") else None)
    manager.refresh_view = "login"
    seen: dict[str, set[bool]] = {}
    for name in FLASK_LOGIN_SIGNALS:
        def receive(sender, _name=name, **extra):  # noqa: ANN001, ANN003, ANN202
            seen.setdefault(_name, set()).add(has_request_context())
        getattr(flask_login, name).connect(receive, app, weak=False)

    @app.get("/login")
    def login() -> str:
        flask_login.login_user(User(), remember=True)
        flask_login.confirm_login()
        return "in"

    @app.get("/private")
    @flask_login.login_required
    def private() -> str:
        return "private"

    @app.get("/fresh")
    @flask_login.fresh_login_required
    def fresh() -> str:
        return "fresh"

    @app.get("/logout")
    def logout() -> str:
        flask_login.logout_user()
        return "out"

    client = app.test_client()
    client.get("/private")  # user_unauthorized, user_accessed
    client.get("/private?token=1")  # user_loaded_from_request
    client.get("/login")  # user_logged_in, user_login_confirmed
    client.get("/private")
    with client.session_transaction() as sess:
        sess.pop("_user_id", None)
        sess["_fresh"] = False
    client.get("/private")  # user_loaded_from_cookie (the remember cookie)
    client.get("/fresh")  # user_needs_refresh
    client.get("/private", headers={"User-Agent": "another browser"})  # session_protected
    client.get("/logout")  # user_logged_out
    assert set(seen) == set(FLASK_LOGIN_SIGNALS)
    assert all(v == {True} for v in seen.values())


SIGNAL_CLASS = """
from flask import current_app
from mylib.events import Event

order_paid = Event("order-paid")


def pay():
    order_paid.send(current_app, order=1)
"""


def test_another_librarys_signal_class_comes_from_the_configuration(tmp_path) -> None:  # noqa: ANN001
    from ctxlint.options import Options

    (tmp_path / "app.py").write_text(textwrap.dedent(SIGNAL_CLASS), encoding="utf-8")
    assert analyse([str(tmp_path)], Options(use_cache=False)).findings == []
    kb = Knowledge()
    kb.extend(signal_classes=["mylib.events:Event"])
    findings = analyse([str(tmp_path)], Options(knowledge=kb, use_cache=False)).findings
    assert [(f.code, f.line) for f in findings] == [("CTX204", 9)]
