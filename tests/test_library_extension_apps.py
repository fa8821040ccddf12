"""Extensions constructed with the ``current_app`` proxy at import time, run for real: the ones the
knowledge says raise do, and Flask-Limiter's Limiter silently stays inactive (knowledge.extension_apps)."""

from __future__ import annotations

import importlib
import textwrap

import pytest

from ctxlint.engine import analyse
from ctxlint.knowledge import Knowledge
from ctxlint.knowledge.extension_apps import LIBRARY, UNKNOWN


def _construct(name: str) -> object:
    from flask import current_app

    module, _, cls = name.rpartition(".")
    spec = LIBRARY.app_arguments[name]
    ext = getattr(importlib.import_module(module), cls)
    if spec.arg is None:  # Limiter(key_func, app=...)
        from flask_limiter.util import get_remote_address

        return ext(get_remote_address, **{spec.kw or "app": current_app})
    return ext(current_app)


@pytest.mark.parametrize("name", sorted(LIBRARY.app_arguments))
def test_constructed_with_the_unbound_proxy_it_does_what_the_message_says(name: str) -> None:
    pytest.importorskip(name.rpartition(".")[0])
    note = LIBRARY.app_arguments[name].outside
    if "raises at import" in note:
        with pytest.raises(RuntimeError, match="application context"):
            _construct(name)
    else:
        assert "skips init_app" in note
        _construct(name)  # no error


def test_a_limiter_constructed_with_the_proxy_never_limits_anything() -> None:
    pytest.importorskip("flask_limiter")
    from flask import Flask

    limiter = _construct("flask_limiter.Limiter")
    app = Flask(__name__)

    @app.get("/")
    @limiter.limit("1/minute")  # type: ignore[attr-defined]
    def index() -> str:
        return "ok"

    client = app.test_client()
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 200]  # the limit is never enforced

    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    fixed = Flask(__name__)
    real = Limiter(get_remote_address, storage_uri="memory://")
    real.init_app(fixed)  # what the message says to do

    @fixed.get("/")
    @real.limit("1/minute")
    def index_fixed() -> str:
        return "ok"

    client = fixed.test_client()
    assert [client.get("/").status_code for _ in range(2)] == [200, 429]


MODULE = """
from flask import current_app
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from acme.ext import Widget

cache = Cache(current_app)
limiter = Limiter(get_remote_address, app=current_app)
widget = Widget(current_app)
"""


def test_the_messages_say_which_happens_and_other_extensions_come_from_the_configuration(tmp_path) -> None:  # noqa: ANN001
    from ctxlint.options import Options

    (tmp_path / "ext.py").write_text(textwrap.dedent(MODULE), encoding="utf-8")
    found = {f.line: f.message for f in analyse([str(tmp_path)], Options(use_cache=False)).findings}
    assert sorted(found) == [8, 9]
    assert "Flask-Caching's Cache calls init_app(app) at once, which raises at import" in found[8]
    assert "skips init_app" in found[9] and "no error at import" in found[9]
    kb = Knowledge()
    kb.extend(app_extensions=["acme.ext:Widget"])
    found = {f.line: f.message for f in analyse([str(tmp_path)], Options(knowledge=kb, use_cache=False)).findings}
    assert sorted(found) == [8, 9, 10] and UNKNOWN in found[10]
