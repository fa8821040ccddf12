"""A fixed app, run for real: Flask's test client, a real ThreadPoolExecutor."""

from __future__ import annotations

import importlib.util
import io
import itertools

import pytest

from ctxlint.autofix import run_fixes
from ctxlint.engine import Options

pytest.importorskip("flask")

APP = '''\
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, request

app = Flask(__name__)
pool = ThreadPoolExecutor(max_workers=2)


def greet(prefix):
    name = request.args.get("name", "nobody")
    return f"{prefix} {name}"


def current_name():
    return request.args.get("name", "nobody")


def shout(prefix):
    return f"{prefix} {current_name()}!".upper()


@app.get("/hello")
def hello():
    return pool.submit(greet, "hello").result()


@app.get("/shout")
def shout_view():
    return pool.submit(shout, "hey").result()
'''

_names = itertools.count()


def load(path):
    spec = importlib.util.spec_from_file_location(f"fixed_app_{next(_names)}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.app.testing = True
    return module.app.test_client()


def get(client, url):
    return client.get(url, query_string={"name": "ada"}).get_data(as_text=True)


def fix(path, unsafe):
    run_fixes([str(path)], Options(use_cache=False, jobs=1), unsafe=unsafe, out=io.StringIO(), err=io.StringIO())


def test_the_worker_gets_the_request_data_after_the_fix(tmp_path) -> None:
    path = tmp_path / "app.py"
    path.write_text(APP)
    client = load(path)
    for url in ("/hello", "/shout"):
        with pytest.raises(RuntimeError, match="Working outside of request context"):
            get(client, url)

    fix(tmp_path, unsafe=False)  # safe: the view reads the name and passes it to greet()
    assert 'name=request.args.get("name", "nobody")' in path.read_text()
    client = load(path)
    assert get(client, "/hello") == "hello ada"
    with pytest.raises(RuntimeError, match="Working outside of request context"):
        get(client, "/shout")  # reaches the request through a helper: only an unsafe fix

    fix(tmp_path, unsafe=True)  # unsafe: shout runs in a copy of the request context
    assert "copy_current_request_context(shout)" in path.read_text()
    client = load(path)
    assert get(client, "/hello") == "hello ada"
    assert get(client, "/shout") == "HEY ADA!"


STREAM_APP = '''\
from flask import Flask, Response, request

app = Flask(__name__)


def rows():
    limit = int(request.args.get("limit", "2"))
    yield from range(limit)


def to_lines(items):
    for item in items:
        yield f"{item}\\n"


@app.get("/lines")
def lines():
    return Response(to_lines(rows()), mimetype="text/plain")
'''


def test_a_generator_handed_to_the_streamed_one_gets_the_request_after_the_fix(tmp_path) -> None:
    """rows() is made in the view but first iterated by to_lines() while the response streams."""
    path = tmp_path / "app.py"
    path.write_text(STREAM_APP)
    client = load(path)
    with pytest.raises(RuntimeError, match="Working outside of request context"):
        client.get("/lines", query_string={"limit": "3"}).get_data(as_text=True)
    fix(tmp_path, unsafe=False)
    assert "to_lines(stream_with_context(rows()))" in path.read_text()
    assert load(path).get("/lines", query_string={"limit": "3"}).get_data(as_text=True) == "0\n1\n2\n"
