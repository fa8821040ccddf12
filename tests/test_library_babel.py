"""Flask-Babel, run for real: which helpers call which selector, and what happens with no context, an
application context only, and a request (what knowledge.babel claims)."""

from __future__ import annotations

import textwrap
from datetime import date, datetime, timedelta

import pytest

from ctxlint.engine import analyse
from ctxlint.knowledge.babel import APP_BOUND, LOCALE, SELECTOR_CALLS, TIMEZONE

flask_babel = pytest.importorskip("flask_babel")

ARGS: dict[str, tuple[object, ...]] = {
    "gettext": ("Hello",), "_": ("Hello",), "ngettext": ("%(num)d post", "%(num)d posts", 2),
    "pgettext": ("menu", "Open"), "npgettext": ("menu", "%(num)d item", "%(num)d items", 2),
    "format_date": (date(2024, 1, 2),), "format_timedelta": (timedelta(minutes=3),), "format_number": (1234,),
    "format_decimal": (1.5,), "format_currency": (3, "EUR"), "format_percent": (0.5,),
    "format_scientific": (12345,), "format_datetime": (datetime(2024, 1, 2, 3, 4),),
    "format_time": (datetime(2024, 1, 2, 3, 4),), "to_user_timezone": (datetime(2024, 1, 2, 3, 4),),
    "to_utc": (datetime(2024, 1, 2, 3, 4),),
}


def _app(calls: list[str], *, read_request: bool = False):  # noqa: ANN202
    from flask import Flask, request

    def locale():  # noqa: ANN202
        calls.append(LOCALE)
        return request.accept_languages.best_match(["de"]) if read_request else "de"

    def tz():  # noqa: ANN202
        calls.append(TIMEZONE)
        return "Europe/Berlin"

    app = Flask(__name__)
    flask_babel.Babel(app, locale_selector=locale, timezone_selector=tz)
    return app


@pytest.mark.parametrize("name", sorted(SELECTOR_CALLS))
def test_each_helper_calls_the_selectors_the_knowledge_says_with_an_app_context(name: str) -> None:
    calls: list[str] = []
    helper = getattr(flask_babel, name.rsplit(".", 1)[-1])
    with _app(calls).app_context():
        helper(*ARGS.get(name.rsplit(".", 1)[-1], ()))
    assert set(calls) == set(SELECTOR_CALLS[name])


@pytest.mark.parametrize("name", sorted(SELECTOR_CALLS))
def test_with_no_context_the_helpers_call_no_selector_and_only_the_app_bound_ones_raise(name: str) -> None:
    calls: list[str] = []
    _app(calls)
    short = name.rsplit(".", 1)[-1]
    helper = getattr(flask_babel, short)
    if short in APP_BOUND:
        with pytest.raises(RuntimeError, match="application context"):
            helper(*ARGS.get(short, ()))
    else:
        helper(*ARGS.get(short, ()))  # untranslated, or formatted for the default locale, silently
    assert calls == []


def test_a_selector_reading_the_request_breaks_translation_with_only_an_app_context() -> None:
    calls: list[str] = []
    app = _app(calls, read_request=True)
    assert flask_babel.gettext("Hello") == "Hello"  # no context: untranslated, silently
    with app.app_context(), pytest.raises(RuntimeError, match="request context"):
        flask_babel.gettext("Hello")  # a CLI command, a task or a thread that pushed an app context
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert flask_babel.gettext("Hello") == "Hello"
        assert str(flask_babel.get_locale()) == "de"
    lazy = flask_babel.lazy_gettext("Hello")  # made anywhere; the selector runs when it becomes text
    with app.app_context(), pytest.raises(RuntimeError, match="request context"):
        str(lazy)


def test_assigning_the_selector_to_the_configuration_registers_it() -> None:
    from flask import Flask

    app = Flask(__name__)
    flask_babel.Babel(app)
    flask_babel.get_babel(app).locale_selector = lambda: "fr"
    with app.app_context():
        assert str(flask_babel.get_locale()) == "fr"


PROJECT = """
import threading
from flask import Flask, request
from flask_babel import Babel, format_datetime, gettext


def pick_locale():
    return request.accept_languages.best_match(["en", "de"])


app = Flask(__name__)
Babel(app, locale_selector=pick_locale)


@app.cli.command()
def mail():
    print(gettext("Hello"))


@app.get("/")
def index():
    threading.Thread(target=later).start()
    return gettext("Hello")


def later():
    print(gettext("Hello"))


@app.get("/stamp")
def stamp():
    threading.Thread(target=stamp_later).start()
    return ""


def stamp_later():
    print(format_datetime())
"""


def test_a_cli_command_translating_a_string_is_reported_through_the_selector(tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "app.py").write_text(textwrap.dedent(PROJECT), encoding="utf-8")
    findings = analyse([str(tmp_path)]).findings
    # the first thread has no context: untranslated, quietly; the second formats a date: that raises
    assert [(f.code, f.function) for f in findings] == [("CTX501", "mail"), ("CTX202", "stamp")]
    f = findings[0]
    assert "reaches request.accept_languages" in f.message and "via pick_locale()" in f.message
    assert [s.note for s in f.trace][1] == "calls gettext(), which calls the Flask-Babel locale selector pick_locale()"


def test_a_package_with_flask_babels_api_comes_from_the_configuration(tmp_path) -> None:  # noqa: ANN001
    from ctxlint.knowledge import Knowledge
    from ctxlint.options import Options

    source = textwrap.dedent(PROJECT).replace("flask_babel", "flask_babelex")
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    assert analyse([str(tmp_path)], Options(use_cache=False)).findings == []
    kb = Knowledge()
    kb.extend(babel_modules=["flask_babelex"])
    findings = analyse([str(tmp_path)], Options(knowledge=kb, use_cache=False)).findings
    assert [(f.code, f.function) for f in findings] == [("CTX501", "mail"), ("CTX202", "stamp")]


REGISTRATIONS = """
from flask import Flask, request
from flask_babel import Babel, get_babel, gettext


def pick_locale():
    return request.accept_languages.best_match(["en", "de"])


app = Flask(__name__)
babel = Babel(app)
{registration}


@app.cli.command()
def mail():
    print(gettext("Hello"))
"""


@pytest.mark.parametrize("registration", [
    "babel.init_app(app, locale_selector=pick_locale)",
    "babel.localeselector(lambda: pick_locale())",
    "babel.localeselector(pick_locale)",  # before Flask-Babel 3
    "babel.locale_selector_func = pick_locale",  # before Flask-Babel 3
    "get_babel(app).locale_selector = pick_locale",
    # assigned inside a function to a global object: the value is the function's own name
    "def setup():\n    def pick():\n        return pick_locale()\n    get_babel(app).locale_selector = pick\nsetup()",
    "def setup():\n    def pick():\n        return pick_locale()\n    babel.locale_selector_func = pick\nsetup()",
    "app.extensions['babel'].locale_selector = pick_locale  # not known: nothing",
    "babel.localeselector(pick_locale)\nbabel.localeselector(lambda: 'en')  # two: which one runs is unknown",
])
def test_each_way_of_registering_a_selector(tmp_path, registration: str) -> None:  # noqa: ANN001
    (tmp_path / "app.py").write_text(textwrap.dedent(REGISTRATIONS).replace("{registration}", registration),
                                     encoding="utf-8")
    findings = analyse([str(tmp_path)]).findings
    assert [f.code for f in findings] == ([] if "nothing" in registration or "two" in registration else ["CTX501"])
    if registration.startswith("babel.localeselector(lambda"):
        assert findings[0].trace[1].note == "calls gettext(), which calls the Flask-Babel locale selector lambda()"


def test_force_locale_keeps_the_selector_from_being_called() -> None:
    from flask_babel import force_locale

    calls: list[str] = []
    with _app(calls, read_request=True).app_context(), force_locale("de"):
        flask_babel.gettext("Hello")  # a CLI command sending German mail: no request needed
        assert str(flask_babel.get_locale()) == "de"
    assert calls == []


def test_a_translation_inside_force_locale_is_not_reported(tmp_path) -> None:  # noqa: ANN001
    source = textwrap.dedent(REGISTRATIONS).replace("{registration}",
                                                    "babel.init_app(app, locale_selector=pick_locale)")
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    assert [f.code for f in analyse([str(tmp_path)]).findings] == ["CTX501"]
    source = source.replace('    print(gettext("Hello"))',
                            '    with force_locale("de"):\n        print(gettext("Hello"))')
    source = source.replace("from flask_babel import Babel,", "from flask_babel import Babel, force_locale,")
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    assert "with force_locale" in source and analyse([str(tmp_path)]).findings == []


def test_a_translation_at_import_time_is_not_followed_into_the_selector(tmp_path) -> None:  # noqa: ANN001
    # no context at import time: Flask-Babel returns the untranslated string without calling the selector
    source = textwrap.dedent(REGISTRATIONS).replace("{registration}", "babel.localeselector(pick_locale)")
    (tmp_path / "app.py").write_text(source + '\nprint(gettext("at import"))\n', encoding="utf-8")
    assert [(f.code, f.function) for f in analyse([str(tmp_path)]).findings] == [("CTX501", "mail")]


def test_the_babel_modules_setting_is_part_of_the_findings_cache_key(tmp_path) -> None:  # noqa: ANN001
    from ctxlint.knowledge import Knowledge
    from ctxlint.options import Options

    (tmp_path / "app.py").write_text(textwrap.dedent(PROJECT).replace("flask_babel", "flask_babelex"),
                                     encoding="utf-8")
    cache = str(tmp_path / "cache")
    assert analyse([str(tmp_path)], Options(cache_dir=cache)).findings == []
    kb = Knowledge()
    kb.extend(babel_modules=["flask_babelex"])
    # the same sources with another setting: not the findings cached for the first run
    assert len(analyse([str(tmp_path)], Options(knowledge=kb, cache_dir=cache)).findings) == 2
