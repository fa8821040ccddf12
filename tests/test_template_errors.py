"""Templates jinja2 cannot parse: CTX901 at the template's line (Flask raises TemplateSyntaxError when it
renders one); the tags of Jinja extensions ctxlint does not load are no error, and their body is read."""

from __future__ import annotations

import os
import textwrap

import pytest

from ctxlint.engine import analyse
from ctxlint.options import Options

flask = pytest.importorskip("flask")

BROKEN = "<h1>Invoice</h1>\n{% for line in lines %}\n<p>{{ line }}</p>\n{% endfi %}\n"


def test_flask_raises_when_it_renders_a_template_that_does_not_parse() -> None:
    from jinja2 import TemplateSyntaxError

    app = flask.Flask(__name__)
    with app.app_context(), pytest.raises(TemplateSyntaxError) as info:
        flask.render_template_string(BROKEN, lines=[])
    assert info.value.lineno == 4


def test_the_rule_page_quotes_what_rendering_its_example_raises() -> None:
    from ctxlint.rules import RULES

    rule = RULES["CTX901"]
    source = rule.example.split('render_template_string("', 1)[1].split('", user=', 1)[0]
    app = flask.Flask(__name__)
    with app.app_context(), pytest.raises(Exception) as info:
        flask.render_template_string(source, user="admin")
    assert rule.errors == (f"{type(info.value).__module__}.{type(info.value).__name__}: {info.value}",)


def test_flask_cachings_cache_tag_renders_its_body_in_the_callers_context() -> None:
    flask_caching = pytest.importorskip("flask_caching")
    app = flask.Flask(__name__)
    flask_caching.Cache(app, config={"CACHE_TYPE": "SimpleCache"})
    source = "{% cache 60, 'k' %}{{ request.url }}{% endcache %}"
    with app.app_context(), pytest.raises(RuntimeError, match="request context"):
        flask.render_template_string(source)  # a CLI command: the body reads the request
    with app.test_request_context("/x"):
        assert flask.render_template_string(source) == "http://localhost/x"


APP = """
import click
from flask import Flask, render_template

app = Flask(__name__)


@app.cli.command()
def send():
    click.echo(render_template("invoice.html"))


@app.get("/invoice")
def invoice():
    return render_template("invoice.html")
"""


def _project(tmp_path, template: str, extra: dict[str, str] | None = None) -> str:  # noqa: ANN001
    (tmp_path / "app.py").write_text(textwrap.dedent(APP), encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "invoice.html").write_text(template, encoding="utf-8")
    for name, text in (extra or {}).items():
        (tmp_path / "templates" / name).write_text(text, encoding="utf-8")
    return str(tmp_path)


def test_a_rendered_template_that_does_not_parse_is_reported_once_at_its_line(tmp_path) -> None:  # noqa: ANN001
    root = _project(tmp_path, BROKEN, {"unused.html": "{% if x %}never rendered"})
    findings = analyse([root], Options(use_cache=False)).findings
    assert [(f.code, os.path.basename(f.path), f.line) for f in findings] == [("CTX901", "invoice.html", 4)]
    assert findings[0].message.startswith("cannot parse template: Encountered unknown tag 'endfi'")
    assert "Traceback" not in findings[0].message


def test_a_template_included_by_a_rendered_one_is_checked_too(tmp_path) -> None:  # noqa: ANN001
    root = _project(tmp_path, "{% include 'lines.html' %}", {"lines.html": "{{ total(}}"})
    found = [(f.code, os.path.basename(f.path), f.line) for f in analyse([root], Options(use_cache=False)).findings]
    assert found == [("CTX901", "lines.html", 1)]


@pytest.mark.parametrize(("template", "line"), [
    ("{% if paid %}\nPaid\n{% els %}\nDue\n{% endif %}", 3),  # a typo of a Jinja tag, not an extension's
    ("{% for x in xs %}{{ x }}{% endfi %}", 1),
    ("{{ total(}}", 1),
])
def test_typos_are_errors(tmp_path, template: str, line: int) -> None:  # noqa: ANN001
    findings = analyse([_project(tmp_path, template)], Options(use_cache=False)).findings
    assert [(f.code, f.line) for f in findings] == [("CTX901", line)]


@pytest.mark.parametrize("tag", ["{% cache 60, 'invoice' %}{{ request.url }}{% endcache %}",
                                 "{% assets 'css' %}{{ request.url }}{% endassets %}"])
def test_an_extension_tag_is_no_error_and_its_body_is_read(tmp_path, tag: str) -> None:  # noqa: ANN001
    findings = analyse([_project(tmp_path, tag)], Options(use_cache=False)).findings
    assert [(f.code, f.function) for f in findings] == [("CTX501", "send")]


def test_the_command_line_reports_it_and_per_file_ignores_silence_it(tmp_path, cli, monkeypatch) -> None:  # noqa: ANN001
    root = _project(tmp_path, BROKEN)
    monkeypatch.chdir(root)
    code, out, err = cli(".", "--format", "concise")
    assert code == 1 and err == ""
    assert out.splitlines()[0].startswith(os.path.join("templates", "invoice.html") + ":4:1: CTX901 cannot parse")
    (tmp_path / "pyproject.toml").write_text('[tool.ctxlint.per-file-ignores]\n"templates/**" = ["CTX901"]\n',
                                             encoding="utf-8")
    code, out, _ = cli(".", "--format", "concise")
    assert code == 0 and "CTX901" not in out
