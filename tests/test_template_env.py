"""Project functions stored in the app's Jinja environment (``app.jinja_env.globals["x"] = f``,
``.update(x=f)``, ``app.jinja_env.filters["x"] = f``): Flask's templates call them, checked with the real
Flask, and the analysis follows a render into them."""

from __future__ import annotations

import os
import textwrap

import pytest

from ctxlint.engine import analyse
from ctxlint.options import Options

flask = pytest.importorskip("flask")


def _app():  # noqa: ANN202
    from flask import Flask, request

    app = Flask(__name__)

    def canonical():  # noqa: ANN202
        return request.base_url

    app.jinja_env.globals["canonical"] = canonical
    app.jinja_env.globals.update(also=canonical)
    app.jinja_env.filters["shout"] = lambda v: v.upper() + request.path
    return app


@pytest.mark.parametrize("source", ["{{ canonical() }}", "{{ also() }}", "{{ 'x'|shout }}"])
def test_a_stored_global_or_filter_runs_when_the_template_calls_it(source: str) -> None:
    app = _app()
    with app.app_context(), pytest.raises(RuntimeError, match="request context"):
        flask.render_template_string(source)  # a CLI command rendering a mail
    with app.test_request_context("/p"):
        assert flask.render_template_string(source)
    with app.app_context():
        assert flask.render_template_string("{% if request %}{{ canonical() }}{% endif %}") == ""


PROJECT = """
import click
from flask import Flask, render_template, request

app = Flask(__name__)


def canonical_url():
    return request.base_url


def create():
    app.jinja_env.globals{registration}


@app.cli.command()
def send():
    click.echo(render_template("mail.html"))
"""


@pytest.mark.parametrize(("registration", "reported"), [
    ('["canonical"] = canonical_url', True),
    (".update(canonical=canonical_url)", True),
    ('.update({"canonical": canonical_url})', True),
    ('["other"] = canonical_url', False),  # stored under another name than the template calls
    ("[name] = canonical_url", False),  # a key that is no literal: not known
])
def test_each_way_of_storing_a_template_global(tmp_path, registration: str, reported: bool) -> None:  # noqa: ANN001
    (tmp_path / "app.py").write_text(textwrap.dedent(PROJECT).replace("{registration}", registration),
                                     encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "mail.html").write_text("<a href='{{ canonical() }}'>x</a>\n", encoding="utf-8")
    findings = analyse([str(tmp_path)], Options(use_cache=False)).findings
    assert [f.code for f in findings] == (["CTX501"] if reported else [])
    if reported:
        assert [(os.path.basename(s.path), s.line, s.note) for s in findings[0].trace][2] == (
            "mail.html", 1, "calls canonical()")
