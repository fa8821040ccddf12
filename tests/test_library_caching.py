"""Flask-Caching, run for real: which ``@cache.cached(...)`` keys read the request, and what a cached
function does when called outside one (what knowledge.extensions.cached_reads_request claims)."""

from __future__ import annotations

import logging
import textwrap

import pytest

from ctxlint.engine import analyse
from ctxlint.knowledge.extensions import CACHED, CACHING, cached_reads_request
from ctxlint.model import CallExpr, Name, Str

pytest.importorskip("flask_caching")

CASES = [  # (decorator keywords, the same as ctxlint's summary sees them)
    ({}, ()),
    ({"timeout": 60}, ()),
    ({"key_prefix": "stats"}, (("key_prefix", Str("stats")),)),
    ({"key_prefix": "v/%s"}, (("key_prefix", Str("v/%s")),)),
    ({"query_string": True}, (("query_string", Name("", "True")),)),
    ({"query_string": True, "key_prefix": "stats"}, (("query_string", Name("", "True")), ("key_prefix", Str("stats")))),
    ({"make_cache_key": lambda *a, **k: "k"}, (("make_cache_key", Name("m", "make_key")),)),
]


def _cached_call_outside_a_request(debug: bool, **kw: object) -> tuple[int, int]:
    from flask import Flask
    from flask_caching import Cache

    app = Flask(__name__)
    app.debug = debug
    cache = Cache(app, config={"CACHE_TYPE": "SimpleCache"})
    calls = [0]

    @cache.cached(**kw)  # type: ignore[arg-type]
    def compute() -> int:
        calls[0] += 1
        return calls[0]

    with app.app_context():  # a CLI command or a task with an app context
        return compute(), compute()


@pytest.mark.parametrize("kw,summary", CASES)
def test_the_key_reads_the_request_exactly_when_the_knowledge_says(kw: dict[str, object], summary: tuple) -> None:  # type: ignore[type-arg]
    reads = cached_reads_request(CACHED, CallExpr(Name("", "cached"), (), summary))
    logging.getLogger("flask_caching").disabled = True
    try:
        first, second = _cached_call_outside_a_request(False, **kw)
    finally:
        logging.getLogger("flask_caching").disabled = False
    if reads:
        assert (first, second) == (1, 2)  # silently uncached: each call runs the function
        with pytest.raises(RuntimeError, match="request context"):
            _cached_call_outside_a_request(True, **kw)  # app.debug: the RuntimeError propagates
    else:
        assert (first, second) == (1, 1)  # cached without a request


def test_the_note_says_what_happens() -> None:
    note = CACHING.decorator_notes["cache.cached()"]
    assert "calls the function uncached" in note and "app.debug" in note


PROJECT = """
import threading
from flask import Flask
from flask_caching import Cache

app = Flask(__name__)
cache = Cache(app)


@cache.cached(timeout=60)
def page_stats():
    return 1


@cache.cached(timeout=60, key_prefix="totals")
def totals():
    return 2


@cache.memoize(60)
def count(x):
    return x


@app.cli.command()
def warm():
    page_stats()
    totals()
    count(1)
"""


def test_only_the_request_keyed_cached_function_is_reported(tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "app.py").write_text(textwrap.dedent(PROJECT), encoding="utf-8")
    findings = analyse([str(tmp_path)]).findings
    assert [(f.code, f.uses[0][5]) for f in findings] == [("CTX501", "cache.cached()")]
    assert "via page_stats()" in findings[0].message and "uncached" in findings[0].message
