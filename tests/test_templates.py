"""Templates in the call graph: a render call reaches what its template reads, line by line."""

from __future__ import annotations

import json
import os
import shutil
import textwrap

import pytest
from conftest import FIXTURES, ROOT

from ctxlint.engine import Options, analyse


def project(tmp_path, files: dict[str, str]) -> str:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(tmp_path)


APP = """
    import click
    from flask import Flask, render_template

    app = Flask(__name__)

    @app.cli.command()
    def send():
        click.echo(render_template("mail.html"))
"""


def findings(root: str) -> list:
    return analyse([root], Options(use_cache=False, jobs=1)).findings


def by_command(root: str) -> dict:
    """The findings by the function they are reported on (the name before the message's first ``()``), one each."""
    found = findings(root)
    out = {f.message.split("()")[0].rsplit(" ", 1)[-1]: f for f in found}
    assert len(out) == len(found), [f.message for f in found]
    return out


def test_the_call_path_goes_through_the_template_lines(cli, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = cli("fixtures/templates", "--format", "json")
    welcome = next(f for f in json.loads(out) if "send_welcome" in f["message"])
    assert welcome["code"] == "CTX501"
    assert [(os.path.basename(s["path"]), s["line"]) for s in welcome["trace"]] == [
        ("commands.py", 15), ("commands.py", 17), ("welcome.html", 1), ("base.html", 4), ("welcome.html", 6)]
    assert welcome["trace"][-1]["note"] == "uses url_for()"
    assert welcome["trace"][1]["note"] == "calls render_template('mail/welcome.html')"
    assert [s["note"] for s in welcome["trace"][2:4]] == [
        "calls mail/base.html", "calls mail/welcome.html block content"]
    assert "via mail/welcome.html → mail/base.html → mail/welcome.html block content;" in welcome["message"]


def test_sarif_code_flow_has_a_location_in_the_html_file(cli, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = cli("fixtures/templates", "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    invite = next(r for r in results if "send_invite" in r["message"]["text"])
    flow = invite["codeFlows"][0]["threadFlows"][0]["locations"]
    last = flow[-1]["location"]["physicalLocation"]
    assert last["artifactLocation"]["uri"] == "fixtures/templates/newsletter/templates/_macros.html"
    assert last["region"]["startLine"] == 2
    assert flow[-1]["location"]["message"]["text"] == "_macros.html macro button: uses url_for()"
    # the result itself stays at the boundary, where the fix and a noqa go
    assert invite["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("commands.py")


def test_an_edited_template_is_not_served_stale_findings(tmp_path) -> None:
    root = project(tmp_path / "p", {"app.py": APP, "templates/mail.html": "{{ request.path }}\n"})
    opts = Options(jobs=1, cache_dir=str(tmp_path / "cache"))
    assert [f.code for f in analyse([root], opts).findings] == ["CTX501"]
    with open(os.path.join(root, "templates", "mail.html"), "w", encoding="utf-8") as fh:
        fh.write("{{ config.DEBUG }} and nothing else\n")
    assert analyse([root], opts).findings == []


@pytest.mark.parametrize(("template", "reported"), [
    ("{{ request.path }}", True),
    ("{{ request }}", True),
    ("{{ session['user'] }}", True),
    ("{{ get_flashed_messages() }}", True),
    ("{{ url_for('index', _external=True) }}", True),
    ("{% if request %}{{ request.path }}{% endif %}", False),
    ("{% if not request %}-{% else %}{{ request.path }}{% endif %}", False),
    ("{{ request.path if request else '-' }}", False),
    ("{{ request and request.path }}", False),
    ("{% if request is defined %}{{ request.path }}{% endif %}", True),
    ("{% set request = none %}{{ request }}", False),
    ("{% for request in items %}{{ request.path }}{% endfor %}", False),
    ("{% macro m(request) %}{{ request.path }}{% endmacro %}{{ m(x) }}", False),
    ("{% macro m() %}{{ request.path }}{% endmacro %}{{ m() }}", True),
    ("{% macro m() %}{{ request.path }}{% endmacro %}", False),  # defined, never called
    ("{{ g.user }} {{ config.DEBUG }} {{ current_user.name }} {{ name }}", False),
    # the tags of the extensions projects commonly enable (Flask-Babel's i18n, do, loop controls) parse
    ("{% trans %}Hello{% endtrans %}{% do items.append(1) %}{{ request.path }}", True),
])
def test_what_a_template_reads(tmp_path, template: str, reported: bool) -> None:
    root = project(tmp_path, {"app.py": APP, "templates/mail.html": template})
    assert bool(findings(root)) == reported


def test_extends_blocks_super_include_and_import(tmp_path) -> None:
    files = {
        "app.py": """
            import click
            from flask import Flask, render_template

            app = Flask(__name__)

            @app.cli.command()
            def overrides():
                click.echo(render_template("child.html"))

            @app.cli.command()
            def calls_super():
                click.echo(render_template("super.html"))

            @app.cli.command()
            def includes():
                click.echo(render_template("page.html"))
        """,
        "templates/base.html": "<nav>{% block nav %}\n{{ request.path }}{% endblock %}</nav>\n",
        "templates/child.html": "{% extends 'base.html' %}{{ request.path }}{% block nav %}-{% endblock %}\n",
        "templates/super.html": "{% extends 'base.html' %}\n{% block nav %}{{ super() }}{% endblock %}\n",
        "templates/page.html": "{% import 'forms.html' as forms %}\n{% include ['missing.html', 'part.html'] %}\n",
        "templates/forms.html": "{% macro field() %}{{ request.form }}{% endmacro %}\n",
        "templates/part.html": "\n\n{{ session.sid }}\n",
    }
    found = by_command(project(tmp_path, files))
    assert set(found) == {"calls_super", "includes"}
    assert [(os.path.basename(s.path), s.line) for s in found["calls_super"].trace][-3:] == [
        ("base.html", 1), ("super.html", 2), ("base.html", 2)]
    assert (os.path.basename(found["includes"].trace[-1].path), found["includes"].trace[-1].line) == ("part.html", 3)


def test_template_folders_follow_flask(tmp_path) -> None:
    """The app's ``templates/`` next to its module, a blueprint's only when it names one."""
    files = {
        "shop/__init__.py": """
            from flask import Blueprint, Flask
            app = Flask(__name__, template_folder="views")
            plain = Blueprint("plain", __name__)
            given = Blueprint("given", __name__, template_folder="bp_templates")
        """,
        "shop/commands.py": """
            import click
            from flask import render_template
            from . import app

            @app.cli.command()
            def from_app_folder():
                click.echo(render_template("a.html"))

            @app.cli.command()
            def from_blueprint_folder():
                click.echo(render_template("b.html"))

            @app.cli.command()
            def not_in_any_folder():
                click.echo(render_template("c.html"))
        """,
        "shop/views/a.html": "{{ request.path }}",
        "shop/bp_templates/b.html": "{{ request.path }}",
        "shop/templates/c.html": "{{ request.path }}",  # the app's folder is views/, and a plain blueprint has none
    }
    assert sorted(by_command(project(tmp_path, files))) == ["from_app_folder", "from_blueprint_folder"]


def test_a_root_path_names_the_template_folder_only_when_absolute(tmp_path) -> None:
    """A relative ``root_path=`` is the working directory's when the app runs: not known from the files."""
    for name, root_path, reported in (("abs", repr(str(tmp_path / "abs" / "site")), True), ("rel", "'site'", False)):
        root = project(tmp_path / name, {
            "app.py": APP.replace("Flask(__name__)", f"Flask(__name__, root_path={root_path})"),
            "site/templates/mail.html": "{{ request.path }}"})
        assert bool(findings(root)) == reported, name


def test_a_guarded_context_processor_and_server_name(tmp_path) -> None:
    base = {
        "app.py": """
            import click
            from flask import Flask, has_request_context, render_template, request

            app = Flask(__name__)

            @app.context_processor
            def nav():
                if has_request_context():
                    return {"path": request.path}
                return {}

            @app.cli.command()
            def send():
                click.echo(render_template("mail.html"))
        """,
        "templates/mail.html": "{{ url_for('index', _external=True) }}",
    }
    assert [f.code for f in findings(project(tmp_path / "a", base))] == ["CTX501"]
    configured = dict(base, **{"app.py": base["app.py"].replace(
        "app = Flask(__name__)", "app = Flask(__name__)\n            app.config['SERVER_NAME'] = 'example.com'")})
    assert findings(project(tmp_path / "b", configured)) == []


def test_a_template_that_does_not_parse_is_reported_and_not_followed(tmp_path) -> None:
    root = project(tmp_path, {"app.py": APP, "templates/mail.html": "{% if %}{{ request.path }}"})
    assert [(f.code, os.path.basename(f.path), f.line) for f in findings(root)] == [("CTX901", "mail.html", 1)]


def test_the_fixture_copy_is_analysed_the_same_from_anywhere(tmp_path, monkeypatch) -> None:
    dst = tmp_path / "copy"
    shutil.copytree(os.path.join(FIXTURES, "templates"), dst)
    monkeypatch.chdir(tmp_path)
    here = sorted((os.path.basename(f.path), f.line) for f in analyse(["copy"], Options(use_cache=False)).findings)
    monkeypatch.chdir(ROOT)
    there = sorted((os.path.basename(f.path), f.line) for f in analyse([os.path.join(FIXTURES, "templates")],
                                                                      Options(use_cache=False)).findings)
    assert here == there and len(here) == 6


def test_project_template_globals_filters_and_tests_are_called_by_the_template(tmp_path) -> None:
    files = {
        "app.py": """
            import click
            from flask import Blueprint, Flask, render_template, request

            app = Flask(__name__)
            bp = Blueprint("bp", __name__)

            @app.template_global("canonical")
            def canonical_url():
                return request.url

            @bp.app_template_filter()
            def shout(value):
                return value.upper()

            def is_mobile(value):
                return "Mobile" in request.user_agent.string

            app.add_template_test(is_mobile, "mobile")

            @app.cli.command()
            def uses_global():
                click.echo(render_template("global.html"))

            @app.cli.command()
            def uses_filter():
                click.echo(render_template("filter.html"))

            @app.cli.command()
            def uses_test():
                click.echo(render_template("test.html"))
        """,
        "templates/global.html": "{{ canonical() }}",
        "templates/filter.html": "{{ name|shout }}{% filter shout %}x{% endfilter %}",
        "templates/test.html": "{% if agent is mobile %}m{% endif %}",
    }
    found = by_command(project(tmp_path, files))
    assert set(found) == {"uses_global", "uses_test"}
    assert "via global.html → canonical_url()" in found["uses_global"].message
    assert "via test.html → is_mobile()" in found["uses_test"].message


@pytest.mark.parametrize(("template", "reported"), [
    ("{% if current_user.is_authenticated %}{{ url_for('index') }}{% endif %}", False),
    ("{% if current_user %}{{ request.path }}{% endif %}", False),
    ("{% if not current_user.is_authenticated %}{{ url_for('index') }}{% endif %}", True),
    ("{% if current_user.is_anonymous %}-{% else %}{{ url_for('index') }}{% endif %}", True),
])
def test_flask_login_current_user_guards_like_the_request_in_a_template(tmp_path, template, reported) -> None:
    app = APP.replace("app = Flask(__name__)", "app = Flask(__name__)\n    LoginManager(app)").replace(
        "import click", "import click\n    from flask_login import LoginManager")
    root = project(tmp_path, {"app.py": app, "templates/mail.html": template})
    assert bool(findings(root)) == reported


def test_template_names_are_split_as_jinja_splits_them(tmp_path) -> None:
    """``./mail.html`` and ``/mail.html`` name templates/mail.html; ``../x.html`` names nothing."""
    for name, reported in (("./mail.html", True), ("/mail.html", True), ("../mail.html", False)):
        root = project(tmp_path / name.replace("/", "_").replace(".", "d"), {
            "app.py": APP.replace('"mail.html"', repr(name)), "templates/mail.html": "{{ request.path }}",
            "mail.html": "{{ request.path }}"})
        assert bool(findings(root)) == reported, name
