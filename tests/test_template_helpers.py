"""A helper rendering the template its caller names (``def send(to, template): render_template(template)``):
each call with a literal name renders that template in the caller's context (checked with Flask)."""

from __future__ import annotations

import os
import textwrap

import pytest

from ctxlint.engine import analyse
from ctxlint.options import Options

flask = pytest.importorskip("flask")


def test_the_template_a_helper_is_given_raises_in_a_cli_command(tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "welcome.html").write_text("{{ url_for('index', _external=True) }}", encoding="utf-8")
    app = flask.Flask(__name__, template_folder=str(tmp_path))
    app.add_url_rule("/", "index", lambda: "")

    def send(template: str) -> str:
        return flask.render_template(template)

    with app.app_context(), pytest.raises(RuntimeError, match="Unable to build URLs outside an active request"):
        send("welcome.html")  # what a flask command has
    with app.test_request_context():
        assert send("welcome.html") == "http://localhost/"


PROJECT = """
import click
from flask import Flask, render_template

app = Flask(__name__)


class Mailer:
    def send(self, to, template, **context):
        return render_template(template, **context)


mailer = Mailer()


@app.cli.command()
def welcome():
    mailer.send("ann@example.com", {name})


@app.get("/")
def index():
    return ""
"""


@pytest.mark.parametrize(("name", "reported"), [
    ('"welcome.html"', True),
    ('template="welcome.html"', True),
    ('["missing.html", "welcome.html"]', True),  # a list: the first that exists
    ('"plain.html"', False),
    ("TEMPLATE", False),  # not a literal
])
def test_a_method_rendering_the_template_it_is_given(tmp_path, name: str, reported: bool) -> None:  # noqa: ANN001
    (tmp_path / "app.py").write_text(textwrap.dedent(PROJECT).replace("{name}", name), encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "welcome.html").write_text("{{ url_for('index', _external=True) }}", encoding="utf-8")
    (tmp_path / "templates" / "plain.html").write_text("Hello", encoding="utf-8")
    findings = analyse([str(tmp_path)], Options(use_cache=False)).findings
    assert [(f.code, f.function) for f in findings] == ([("CTX501", "welcome")] if reported else [])
    if reported:
        steps = [(os.path.basename(s.path), s.note) for s in findings[0].trace]
        assert steps[1][1].startswith("calls mailer.send(), which calls render_template(")
        assert steps[2] == ("welcome.html", "uses url_for()")
