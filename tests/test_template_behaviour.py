"""What ctxlint's template knowledge claims, checked with real Flask and Jinja.

The fixture projects' commands are run with Flask's own CLI runner (an application context, no
request, as ``flask mail welcome`` has): those whose ``def`` carries ``# expect:`` must raise, those
with ``# ok:`` must not.  So the markers the analysis is tested against are what really happens.
"""

from __future__ import annotations

import importlib
import os
import re
import sys

import pytest
from conftest import FIXTURES

flask = pytest.importorskip("flask")
import click  # noqa: E402

DEF = re.compile(r"^\s*def (?P<name>\w+)\(.*#\s*(?P<kind>expect|ok):")


def markers(path: str) -> dict[str, str]:
    """def name -> "expect" or "ok", for the functions marked on their def line."""
    out = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            m = DEF.match(line)
            if m:
                out[m.group("name")] = m.group("kind")
    return out


@pytest.fixture
def load(monkeypatch):
    loaded: list[str] = []

    def run(project: str, package: str):
        monkeypatch.syspath_prepend(os.path.join(FIXTURES, project))
        loaded.append(package)
        return importlib.import_module(package)
    yield run
    for name in list(sys.modules):
        if any(name == p or name.startswith(p + ".") for p in loaded):
            del sys.modules[name]


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """The function name behind each command -> the command line that runs it (with sample arguments)."""
    out: dict[str, list[str]] = {}
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            out.update(commands(cmd, (*prefix, name)))
            continue
        args = ["1" if isinstance(p.type, click.types.IntParamType) else "ann@example.com"
                for p in cmd.params if isinstance(p, click.Argument)]
        callback = cmd.callback
        while hasattr(callback, "__wrapped__"):
            callback = callback.__wrapped__
        out[callback.__name__] = [*prefix, name, *args]
    return out


def run_marked_commands(app, source: str) -> dict[str, BaseException | None]:
    """Run every command whose def is marked in ``source``; what each raised (None: it worked)."""
    runner = app.test_cli_runner()
    found = commands(app.cli)
    marked = markers(source)
    out = {}
    for name in marked:
        if name not in found:
            continue
        result = runner.invoke(args=found[name])
        out[name] = result.exception if result.exit_code else None
    return out


def test_newsletter_commands_raise_exactly_where_the_fixture_expects(load, monkeypatch) -> None:
    newsletter = load("templates", "newsletter")
    app = newsletter.create_app()
    sent: list[str] = []
    monkeypatch.setattr(importlib.import_module("newsletter.commands"), "deliver", lambda to, body: sent.append(body))
    source = os.path.join(FIXTURES, "templates", "newsletter", "commands.py")
    outcome = run_marked_commands(app, source)
    marked = markers(source)
    assert set(outcome) == set(marked)
    assert {n for n, exc in outcome.items() if exc is not None} == {n for n, k in marked.items() if k == "expect"}
    assert "Unable to build URLs outside an active request" in str(outcome["send_welcome"])
    assert "Unable to build URLs outside an active request" in str(outcome["send_invite"])  # through the macro
    assert "Unable to build URLs outside an active request" in str(outcome["print_button"])  # the fetched macro
    assert "Working outside of request context" in str(outcome["send_notice"])  # session, blueprint folder
    assert "Working outside of request context" in str(outcome["ping"])
    assert all(isinstance(exc, RuntimeError) for exc in outcome.values() if exc is not None)
    # the overridden footer block's url_for never ran; the guarded template printed nothing of the request
    assert any("Your code is" in body and "View in the browser" not in body for body in sent)
    assert any("<ul></ul>" in body and "Requested from" not in body for body in sent)


def test_the_same_templates_render_from_views(load) -> None:
    newsletter = load("templates", "newsletter")
    client = newsletter.create_app().test_client()
    for url in ("/preview/welcome", "/preview/invite"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"http://localhost/account/settings" in response.data


def test_server_name_lets_a_template_build_urls_from_a_command(load) -> None:
    mailer = load("guards_server_name", "mailer")
    app = mailer.create_app()
    result = app.test_cli_runner().invoke(args=["issue-mail", "3"])
    assert result.exit_code == 0, result.output
    assert "https://mailer.example.com/archive/3" in result.output


def test_every_render_runs_the_app_wide_context_processors(load) -> None:
    reports = load("template_processors", "reports")
    app = reports.app
    source = os.path.join(FIXTURES, "template_processors", "reports", "__init__.py")
    outcome = run_marked_commands(app, source)
    assert set(outcome) == {"print_report", "count_rows"}
    assert isinstance(outcome["print_report"], RuntimeError)
    assert "Working outside of request context" in str(outcome["print_report"])
    assert outcome["count_rows"] is None
    client = app.test_client()
    assert client.get("/report").status_code == 200
    # the blueprint's own processor ran in its request; outside a request it does not run at all
    assert b"Dashboard (/admin/, /admin/)" in client.get("/admin/").data
    app.template_context_processors[None].remove(reports.inject_nav)
    with app.app_context():
        assert flask.render_template_string("[{{ admin_path }}|{{ title }}]") == "[|Weekly report]"


@pytest.mark.parametrize(("source", "outcome"), [
    ("{{ request.path }}", "request context"),
    ("{{ request }}", "request context"),  # printing the proxy reads it
    ("{% if request is defined %}{{ request.path }}{% endif %}", "request context"),  # a global: defined
    ("{{ session.get('user') }}", "request context"),
    ("{{ get_flashed_messages() }}", "request context"),
    ("{{ url_for('index') }}", "Unable to build URLs outside an active request"),
    ("{% if request %}{{ request.path }}{% endif %}", ""),  # an unbound proxy is false
    ("{{ request.path if request else '-' }}", "-"),
    ("{% set request = none %}{{ request }}", "None"),
    ("{{ g.missing }}|{{ config.DEBUG }}", "|False"),
])
def test_what_a_template_can_read_with_only_an_application_context(source: str, outcome: str) -> None:
    app = flask.Flask(__name__)
    app.add_url_rule("/", "index", lambda: "")
    with app.app_context():
        if outcome.startswith(("request context", "Unable")):
            with pytest.raises(RuntimeError, match=outcome):
                flask.render_template_string(source)
        else:
            assert flask.render_template_string(source) == outcome


def test_current_user_in_a_template_outside_a_request_prints_nothing() -> None:
    """Flask-Login's context processor gives None outside a request, which Jinja prints as empty."""
    pytest.importorskip("flask_login")
    from flask_login import LoginManager

    app = flask.Flask(__name__)
    LoginManager(app)
    app.add_url_rule("/", "index", lambda: "")
    with app.app_context():
        assert flask.render_template_string("[{{ current_user.name }}|{{ current_user.is_authenticated }}]") == "[|]"
        # so a test of it (or of any attribute of it) is false outside a request, as {% if request %} is
        guarded = "{% if current_user.is_authenticated %}{{ url_for('index') }}{% endif %}"
        assert flask.render_template_string(guarded) == ""
        with pytest.raises(RuntimeError, match="Unable to build URLs"):
            flask.render_template_string("{% if current_user.is_anonymous %}-{% else %}{{ url_for('index') }}"
                                         "{% endif %}")


def test_fetching_a_template_macro_needs_an_application_context() -> None:
    with pytest.raises(RuntimeError, match="Working outside of application context"):
        flask.get_template_attribute("_macros.html", "button")


def test_a_blueprint_has_no_template_folder_unless_given_one() -> None:
    plain = flask.Blueprint("plain", __name__)
    given = flask.Blueprint("given", __name__, template_folder="templates")
    app = flask.Flask(__name__)
    assert plain.jinja_loader is None
    assert given.jinja_loader is not None and given.template_folder == "templates"
    assert app.template_folder == "templates"
    assert app.root_path == os.path.dirname(os.path.abspath(__file__))


def test_a_relative_root_path_is_kept_relative_to_the_working_directory() -> None:
    app = flask.Flask(__name__, root_path="sub")
    bp = flask.Blueprint("bp", __name__, root_path="sub", template_folder="templates")
    assert app.jinja_loader.searchpath == bp.jinja_loader.searchpath == [os.path.join("sub", "templates")]


def test_a_child_block_replaces_the_parents_and_the_child_prints_nothing_outside_blocks() -> None:
    import jinja2

    ran: list[str] = []

    def mark(name: str):
        return lambda: ran.append(name) or name

    env = jinja2.Environment(loader=jinja2.DictLoader({
        "base.html": "{% block nav %}{{ parent_nav() }}{% endblock %}{% block body %}{% endblock %}",
        "child.html": "{% extends 'base.html' %}{{ outside() }}{% block nav %}{{ child_nav() }}{% endblock %}",
        "super.html": "{% extends 'base.html' %}{% block nav %}{{ super() }}{% endblock %}",
    }))
    env.get_template("child.html").render(parent_nav=mark("parent"), child_nav=mark("child"), outside=mark("out"))
    assert ran == ["child"]
    ran.clear()
    env.get_template("super.html").render(parent_nav=mark("parent"))
    assert ran == ["parent"]


def test_how_jinja_splits_a_template_name(tmp_path) -> None:
    import jinja2

    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "mail.html").write_text("ok", encoding="utf-8")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path / "t")))
    assert env.get_template("./mail.html").render() == env.get_template("/mail.html").render() == "ok"
    with pytest.raises(jinja2.TemplateNotFound):
        env.get_template("../t/mail.html")
