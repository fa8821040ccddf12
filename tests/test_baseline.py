"""``--write-baseline`` / ``--baseline``: entries survive unrelated edits, new findings are reported."""

from __future__ import annotations

import json
import os

import pytest

APP = '''\
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app, request

app = Flask(__name__)
pool = ThreadPoolExecutor()


def work():
    return request.args


def settings():
    return current_app.config


@app.route("/")
def index():
    pool.submit(work)
    pool.submit(settings)
    return "ok"
'''


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text(APP)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def found(out: str) -> list[tuple[int, str]]:
    return [(f["line"], f["code"]) for f in json.loads(out)]


def edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_round_trip_survives_an_inserted_line_above(project, cli) -> None:
    views = project / "app" / "views.py"
    code, out, err = cli("app", "--write-baseline", "ctxlint-baseline.json")
    assert code == 0 and out == ""
    assert err == "ctxlint: wrote 2 findings to the baseline ctxlint-baseline.json\n"
    doc = json.loads((project / "ctxlint-baseline.json").read_text())
    assert doc["ctxlint_baseline"] == 1
    assert [(e["path"], e["code"], e["functions"], e["source"]) for e in doc["findings"]] == [
        ("app/views.py", "CTX201", ["index", "work"], "pool.submit(work)"),
        ("app/views.py", "CTX202", ["index", "settings"], "pool.submit(settings)"),
    ]

    code, out, _ = cli("app", "--baseline", "ctxlint-baseline.json")
    assert code == 0
    assert out.splitlines()[-1] == "All clear: no context problems in 1 file. (2 findings in the baseline not shown)"

    # unrelated edits: lines inserted above, the statement re-indented inside a new block
    edit(views, "import ThreadPoolExecutor\n",
         "import ThreadPoolExecutor\nimport logging\n\nlog = logging.getLogger()\n")
    edit(views, "    pool.submit(work)\n", "    log.info('submitting')\n    if True:\n        pool.submit(work)\n")
    code, out, _ = cli("app", "--baseline", "ctxlint-baseline.json", "--format", "json")
    assert code == 0 and found(out) == []
    code, out, _ = cli("app", "--format", "json")
    assert found(out) == [(24, "CTX201"), (25, "CTX202")]  # the lines moved


def test_only_new_findings_are_reported(project, cli) -> None:
    views = project / "app" / "views.py"
    cli("app", "--write-baseline", "baseline.json")
    # a new finding in the same function, and the same call in a new function
    edit(views, "    return \"ok\"\n", "    pool.submit(work, 1)\n    return \"ok\"\n")
    views.write_text(views.read_text() + '\n\n@app.route("/b")\ndef other():\n    pool.submit(work)\n    return "b"\n')
    code, out, _ = cli("app", "--baseline", "baseline.json", "--format", "json")
    assert code == 1
    assert found(out) == [(21, "CTX201"), (27, "CTX201")]


def test_a_changed_boundary_is_new(project, cli) -> None:
    views = project / "app" / "views.py"
    cli("app", "--write-baseline", "baseline.json")
    edit(views, "    pool.submit(settings)\n", "    pool.submit(settings, 2)\n")
    _, out, _ = cli("app", "--baseline", "baseline.json", "--format", "json")
    assert found(out) == [(20, "CTX202")]


def test_a_renamed_function_on_the_call_path_is_new(project, cli) -> None:
    views = project / "app" / "views.py"
    cli("app", "--write-baseline", "baseline.json")
    edit(views, "def work():", "def do_work():")
    edit(views, "pool.submit(work)", "pool.submit(do_work)")
    _, out, _ = cli("app", "--baseline", "baseline.json", "--format", "json")
    assert found(out) == [(19, "CTX201")]


def test_identical_entries_count(project, cli) -> None:
    views = project / "app" / "views.py"
    edit(views, "    pool.submit(work)\n", "    pool.submit(work)\n    pool.submit(work)\n")
    cli("app", "--write-baseline", "baseline.json")
    assert len(json.loads((project / "baseline.json").read_text())["findings"]) == 3
    code, out, _ = cli("app", "--baseline", "baseline.json", "--format", "json")
    assert code == 0 and found(out) == []
    edit(views, "    pool.submit(work)\n", "    pool.submit(work)\n    pool.submit(work)\n")
    code, out, _ = cli("app", "--baseline", "baseline.json", "--format", "json")
    assert code == 1 and len(found(out)) == 1


def test_paths_are_relative_to_the_baseline_file(project, cli, monkeypatch) -> None:
    os.mkdir(project / "ci")
    cli("app", "--write-baseline", os.path.join("ci", "baseline.json"))
    doc = json.loads((project / "ci" / "baseline.json").read_text())
    assert {e["path"] for e in doc["findings"]} == {"../app/views.py"}
    monkeypatch.chdir(project / "app")
    code, out, _ = cli(".", "--baseline", os.path.join("..", "ci", "baseline.json"), "--format", "json")
    assert code == 0 and found(out) == []


def test_the_baseline_holds_what_is_reported(project, cli) -> None:
    cli("app", "--write-baseline", "baseline.json", "--select", "CTX201")
    code, out, _ = cli("app", "--baseline", "baseline.json", "--format", "json")
    assert found(out) == [(20, "CTX202")]


@pytest.mark.parametrize(("content", "message"), [
    (None, "ctxlint: missing.json: no such baseline file (create it with --write-baseline missing.json)\n"),
    ("{not json", "ctxlint: missing.json: not a ctxlint baseline (invalid JSON: "),
    ('{"findings": []}', "ctxlint: missing.json: not a ctxlint baseline (expected an object with "),
    ('{"ctxlint_baseline": 1, "findings": [{"path": "a.py"}]}',
     'ctxlint: missing.json: finding 1 needs "path", "code", "functions" and "source"\n'),
])
def test_a_bad_baseline_is_a_usage_error(project, cli, content: str | None, message: str) -> None:
    if content is not None:
        (project / "missing.json").write_text(content)
    code, out, err = cli("app", "--baseline", "missing.json")
    assert code == 2 and out == ""
    assert err.startswith(message)


def test_an_unwritable_baseline_is_a_usage_error(project, cli) -> None:
    code, _, err = cli("app", "--write-baseline", os.path.join("no", "such", "dir.json"))
    assert code == 2 and "cannot write the baseline" in err
