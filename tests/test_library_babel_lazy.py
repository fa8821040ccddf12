"""Flask-Babel's lazy strings, run for real: which operations turn one into text (and so call the locale
selector), and what happens then with no context, an application context only, and a request — what
knowledge.babel's ``LAZY`` and ``TEXT_CALLS`` and the summary's ``Text`` events claim."""

from __future__ import annotations

import builtins
import textwrap
from typing import Any, Callable

import pytest

from ctxlint.engine import analyse
from ctxlint.knowledge.babel import TEXT_CALLS
from ctxlint.options import Options

flask_babel = pytest.importorskip("flask_babel")

# each operation the analysis counts as turning a lazy string into text
EVALUATING: dict[str, Callable[[Any], object]] = {
    "f-string": lambda s: f"{s}",
    "concatenation": lambda s: s + "!",
    "concatenation (right)": lambda s: "!" + s,
    "%-formatting": lambda s: "%s!" % (s,),  # noqa: UP031
    "%-formatting (left)": lambda s: s % {},
    "repetition": lambda s: s * 2,
    "comparison": lambda s: s == "Hello",
    "ordering": lambda s: s < "Z",
    "membership": lambda s: s in {"Hello": 1},
    "containment": lambda s: "H" in s,
    "str.format()": lambda s: "{}".format(s),  # noqa: UP032
    "a method": lambda s: s.upper(),
    "format on it": lambda s: s.format(),
    **{call: (lambda f: lambda s: f(s))(getattr(builtins, call[len("builtins."):]))
       for call in TEXT_CALLS if call.startswith("builtins.")},
}
# operations that keep it lazy
KEEPING: dict[str, Callable[[Any], object]] = {
    "identity": lambda s: s is None,
    "isinstance": lambda s: isinstance(s, str),
    "stored": lambda s: {"title": s, "items": [s]},
    "passed": lambda s: (lambda x: x)(s),
}


def _app(calls: list[str]):  # noqa: ANN202
    from flask import Flask, request

    def locale():  # noqa: ANN202
        calls.append("locale")
        return request.accept_languages.best_match(["de"])

    app = Flask(__name__)
    flask_babel.Babel(app, locale_selector=locale)
    return app


@pytest.mark.parametrize("op", sorted(EVALUATING))
def test_turning_a_lazy_string_into_text_calls_the_selector_with_an_app_context(op: str) -> None:
    calls: list[str] = []
    app = _app(calls)
    lazy = flask_babel.lazy_gettext("Hello")
    EVALUATING[op](lazy)  # no context: untranslated, silently, and no selector
    assert calls == []
    with app.app_context(), pytest.raises(RuntimeError, match="request context"):
        EVALUATING[op](lazy)  # a CLI command or an app-context task: the selector reads the request
    assert calls == ["locale"]
    with app.test_request_context(headers={"Accept-Language": "de"}):
        EVALUATING[op](lazy)


@pytest.mark.parametrize("op", sorted(KEEPING))
def test_naming_storing_or_passing_a_lazy_string_calls_nothing(op: str) -> None:
    calls: list[str] = []
    with _app(calls).app_context():
        KEEPING[op](flask_babel.lazy_gettext("Hello"))
        flask_babel.lazy_ngettext("%(num)d post", "%(num)d posts", 2)
    assert calls == []


def test_jsonify_and_a_template_turn_it_into_text() -> None:
    from flask import jsonify, render_template_string

    calls: list[str] = []
    app = _app(calls)
    lazy = flask_babel.lazy_gettext("Hello")
    with app.app_context():
        with pytest.raises(RuntimeError, match="request context"):
            jsonify(title=[lazy])
        with pytest.raises(RuntimeError, match="request context"):
            render_template_string("{{ title }}", title=lazy)
        render_template_string("nothing printed", title=lazy)  # a template that does not print it
    assert calls == ["locale", "locale"]


PROJECT = """
from flask import Flask, request
from flask_babel import Babel, lazy_gettext as _l

TITLE = _l("Hello")


def pick_locale():
    return request.accept_languages.best_match(["en", "de"])


app = Flask(__name__)
Babel(app, locale_selector=pick_locale)


class ProfileForm:
    name = _l("Name")


@app.cli.command()
def banner():
    print(str(TITLE))


@app.cli.command()
def labels():
    return {"name": ProfileForm.name}


@app.get("/")
def index():
    return f"{TITLE}: {ProfileForm.name}"
"""


def test_a_cli_command_turning_a_module_lazy_string_into_text_is_reported_through_the_selector(tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "app.py").write_text(textwrap.dedent(PROJECT), encoding="utf-8")
    findings = analyse([str(tmp_path)], Options(use_cache=False)).findings
    assert [(f.code, f.function) for f in findings] == [("CTX501", "banner")]
    f = findings[0]
    assert "via pick_locale()" in f.message
    assert [(s.line, s.note) for s in f.trace][1:] == [
        (22, "calls gettext() as str() turns the lazy string TITLE into text, which calls the Flask-Babel "
             "locale selector pick_locale()"),
        (9, "uses request.accept_languages"),
    ]


def test_a_name_alone_does_not_make_a_lazy_string(tmp_path) -> None:  # noqa: ANN001
    # ``_l`` here is the project's own function, and TITLE a plain string: nothing to follow
    source = textwrap.dedent(PROJECT).replace("from flask_babel import Babel, lazy_gettext as _l",
                                              "from flask_babel import Babel\n\n\ndef _l(s):\n    return s\n")
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    assert analyse([str(tmp_path)], Options(use_cache=False)).findings == []


def test_each_app_calls_its_own_selector() -> None:
    """Two apps, each with its own Babel: a translation calls the selector of the current app only
    (why the analysis picks, among several selectors, the one registered in the caller's project)."""
    from flask import Flask

    calls: list[str] = []
    shop, office = Flask("shop"), Flask("office")
    flask_babel.Babel(shop, locale_selector=lambda: calls.append("shop") or "de")
    flask_babel.Babel(office, locale_selector=lambda: calls.append("office") or "en")
    with office.app_context():
        flask_babel.gettext("Report")
    with shop.app_context():
        str(flask_babel.lazy_gettext("Sale"))
    assert calls == ["office", "shop"]
