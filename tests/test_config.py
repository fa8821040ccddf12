"""``[tool.ctxlint]``: discovery, precedence of the command line, every key, and every error message."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from ctxlint.config import translate_pattern

APP = '''\
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app, request

app = Flask(__name__)
pool = ThreadPoolExecutor()
NAME = current_app.name


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
# app.py: CTX101 at 7, CTX201 at 20, CTX202 at 21


def codes(out: str) -> list[tuple[str, int, str]]:
    return sorted((f["path"].replace(os.sep, "/"), f["line"], f["code"]) for f in json.loads(out))


def write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


@pytest.fixture
def project(tmp_path, monkeypatch):
    """tmp/proj/pyproject.toml, tmp/proj/src/app.py; the current directory is tmp/proj."""
    root = tmp_path / "proj"
    write(root / "src" / "app.py", APP)
    monkeypatch.chdir(root)
    return root


def config(root, body: str, name: str = "pyproject.toml") -> None:
    write(root / name, body)


# ---- discovery --------------------------------------------------------------------------------

def test_without_configuration_everything_is_reported(project, cli) -> None:
    code, out, _ = cli("src", "--format", "json")
    assert code == 1
    assert codes(out) == [("src/app.py", 7, "CTX101"), ("src/app.py", 20, "CTX201"), ("src/app.py", 21, "CTX202")]


def test_configuration_is_found_by_walking_up_from_the_paths(project, cli, monkeypatch) -> None:
    config(project, '[tool.ctxlint]\nignore = ["CTX202"]\n')
    code, out, _ = cli("src", "--format", "json")
    assert [c for _, _, c in codes(out)] == ["CTX101", "CTX201"]
    # from another directory: the paths decide, not the current directory
    monkeypatch.chdir(project.parent)
    code, out, _ = cli(os.path.join("proj", "src", "app.py"), "--format", "json")
    assert [c for _, _, c in codes(out)] == ["CTX101", "CTX201"]


def test_a_pyproject_without_the_table_is_passed_over(project, cli) -> None:
    config(project, '[tool.ctxlint]\nignore = ["CTX202"]\n')
    config(project / "src", '[project]\nname = "inner"\n')
    _, out, _ = cli("src", "--format", "json")
    assert [c for _, _, c in codes(out)] == ["CTX101", "CTX201"]


def test_the_nearest_table_wins(project, cli) -> None:
    config(project, '[tool.ctxlint]\nignore = ["CTX202"]\n')
    config(project / "src", '[tool.ctxlint]\nignore = ["CTX101"]\n')
    _, out, _ = cli("src", "--format", "json")
    assert [c for _, _, c in codes(out)] == ["CTX201", "CTX202"]


def test_explicit_config_file_and_isolated(project, cli) -> None:
    config(project, '[tool.ctxlint]\nignore = ["CTX202"]\n')
    config(project, 'select = ["CTX1"]\n', name="ctxlint.toml")  # a standalone file: the table at the top level
    _, out, _ = cli("src", "--format", "json", "--config", "ctxlint.toml")
    assert [c for _, _, c in codes(out)] == ["CTX101"]
    config(project / "other", '[tool.ctxlint]\nselect = ["CTX201"]\n')
    _, out, _ = cli("src", "--format", "json", "--config", "other/pyproject.toml")
    assert [c for _, _, c in codes(out)] == ["CTX201"]
    _, out, _ = cli("src", "--format", "json", "--isolated")
    assert [c for _, _, c in codes(out)] == ["CTX101", "CTX201", "CTX202"]


# ---- precedence -------------------------------------------------------------------------------

@pytest.mark.parametrize(("table", "args", "expected"), [
    ('select = ["CTX2"]', (), ["CTX201", "CTX202"]),
    ('select = ["CTX2"]', ("--select", "CTX1"), ["CTX101"]),
    ('select = ["CTX2"]\nignore = ["CTX201"]', (), ["CTX202"]),
    # --select starts afresh: the file's ignore goes too (as in ruff)
    ('select = ["CTX2"]\nignore = ["CTX201"]', ("--select", "CTX2"), ["CTX201", "CTX202"]),
    ('ignore = ["CTX2"]', ("--ignore", "CTX101"), ["CTX201", "CTX202"]),
    ('ignore = ["CTX2"]', ("--extend-ignore", "CTX101"), []),
    ('select = ["CTX1"]\nextend-select = ["CTX202"]', (), ["CTX101", "CTX202"]),
    ('select = ["CTX1"]', ("--extend-select", "CTX201"), ["CTX101", "CTX201"]),
    ('ignore = ["CTX2"]\nextend-select = ["CTX201"]', (), ["CTX101", "CTX201"]),  # the longer prefix wins
    ('ignore = ["CTX2"]\nextend-ignore = ["CTX1"]', (), []),
    ('extend-ignore = ["CTX1"]', ("--ignore", "CTX202"), ["CTX101", "CTX201"]),
])
def test_command_line_overrides_the_file(project, cli, table: str, args: tuple[str, ...],
                                         expected: list[str]) -> None:
    config(project, f"[tool.ctxlint]\n{table}\n")
    _, out, _ = cli("src", "--format", "json", *args)
    assert [c for _, _, c in codes(out)] == expected


# ---- per-file-ignores, exclude, gitignore -----------------------------------------------------

def test_per_file_ignores_are_relative_to_the_configuration(project, cli, monkeypatch) -> None:
    write(project / "src" / "jobs" / "app.py", APP)
    config(project, '[tool.ctxlint.per-file-ignores]\n"src/jobs/*.py" = ["CTX2"]\n"*.py" = ["CTX101"]\n')
    _, out, _ = cli("src", "--format", "json")
    assert codes(out) == [("src/app.py", 20, "CTX201"), ("src/app.py", 21, "CTX202")]
    monkeypatch.chdir(project / "src")  # the patterns stay relative to the file's directory
    _, out, _ = cli(".", "--format", "json")
    assert codes(out) == [("app.py", 20, "CTX201"), ("app.py", 21, "CTX202")]


def test_per_file_ignores_on_the_command_line_replace_the_table(project, cli) -> None:
    config(project, '[tool.ctxlint.per-file-ignores]\n"src/*.py" = ["CTX2"]\n')
    _, out, _ = cli("src", "--format", "json", "--per-file-ignores", "src/app.py:CTX101,CTX201")
    assert [c for _, _, c in codes(out)] == ["CTX202"]


def test_exclude_and_extend_exclude(project, cli, monkeypatch) -> None:
    write(project / "src" / "legacy" / "old.py", APP)
    write(project / "src" / "generated" / "gen.py", APP)
    write(project / "src" / "vendor" / "lib.py", APP)
    _, out, _ = cli("src", "--format", "json")
    assert len({p for p, _, _ in codes(out)}) == 4
    config(project, '[tool.ctxlint]\nexclude = ["src/legacy/"]\nextend-exclude = ["gen*.py"]\n')
    _, out, _ = cli("src", "--format", "json")
    assert {p for p, _, _ in codes(out)} == {"src/app.py", "src/vendor/lib.py"}
    _, out, _ = cli("src", "--format", "json", "--extend-exclude", "vendor/")
    assert {p for p, _, _ in codes(out)} == {"src/app.py"}
    # --exclude replaces the file's exclude (extend-exclude stays)
    _, out, _ = cli("src", "--format", "json", "--exclude", "vendor/")
    assert {p for p, _, _ in codes(out)} == {"src/app.py", "src/legacy/old.py"}
    # anchored patterns are relative to the configuration's directory wherever ctxlint runs
    monkeypatch.chdir(project / "src")
    _, out, _ = cli(".", "--format", "json")
    assert {p for p, _, _ in codes(out)} == {"app.py", "vendor/lib.py"}


def test_respect_gitignore(project, cli) -> None:
    write(project / "src" / "scratch" / "try.py", APP)
    (project / ".gitignore").write_text("scratch/\n")
    _, out, _ = cli("src", "--format", "json")
    assert {p for p, _, _ in codes(out)} == {"src/app.py"}
    config(project, "[tool.ctxlint]\nrespect-gitignore = false\n")
    _, out, _ = cli("src", "--format", "json")
    assert {p for p, _, _ in codes(out)} == {"src/app.py", "src/scratch/try.py"}
    _, out, _ = cli("src", "--format", "json", "--respect-gitignore")
    assert {p for p, _, _ in codes(out)} == {"src/app.py"}


# ---- knowledge --------------------------------------------------------------------------------

EXT = '''\
from flask import Flask, request
from tenancy import current_tenant, run_in_thread, background, in_request, handler, app_only

app = Flask(__name__)
NAME = current_tenant.name


def work():
    return request.args


@in_request
def wrapped():
    return request.args


@app.route("/")
def index():
    run_in_thread(work)
    run_in_thread(wrapped)
    return "ok"


@background
def job():
    return request.args


@handler
def handle():
    return request.args


@app_only
def command():
    return request.args
'''


def test_knowledge_extensions(project, cli) -> None:
    write(project / "src" / "ext.py", EXT)
    _, out, _ = cli("src/ext.py", "--format", "json")
    assert codes(out) == []  # nothing from `tenancy` is known
    config(project, '''\
        [tool.ctxlint]
        request-bound = ["tenancy:current_tenant"]
        thread-spawners = ["tenancy:run_in_thread"]
        no-context-roots = ["tenancy.background"]
        request-roots = ["tenancy:handler"]
        app-roots = ["tenancy:app_only"]
        ''')
    _, out, _ = cli("src/ext.py", "--format", "json")
    data = json.loads(out)
    assert codes(out) == [("src/ext.py", 5, "CTX101"), ("src/ext.py", 19, "CTX201"), ("src/ext.py", 20, "CTX201"),
                          ("src/ext.py", 25, "CTX301"), ("src/ext.py", 35, "CTX501")]
    assert "current_tenant.name is evaluated at import time" in data[0]["message"]
    # a wrapper that pushes a request context around the wrapped function
    with open(project / "pyproject.toml", "a") as fh:
        fh.write('request-context-wrappers = ["tenancy:in_request"]\n')
    _, out, _ = cli("src/ext.py", "--format", "json")
    assert ("src/ext.py", 20, "CTX201") not in codes(out)
    assert ("src/ext.py", 19, "CTX201") in codes(out)


def test_app_bound_names_and_app_context_wrappers(project, cli) -> None:
    write(project / "src" / "ext.py", '''\
        from flask import Flask
        from tenancy import settings, run_in_thread, in_app

        app = Flask(__name__)
        VALUE = settings.get("x")


        def work():
            return settings.get("y")


        @in_app
        def wrapped():
            return settings.get("z")


        @app.route("/")
        def start():
            run_in_thread(work)
            run_in_thread(wrapped)
            return "ok"
        ''')
    config(project, '''\
        [tool.ctxlint]
        app-bound = ["tenancy:settings"]
        thread-spawners = ["tenancy:run_in_thread"]
        app-context-wrappers = ["tenancy:in_app"]
        ''')
    _, out, _ = cli("src/ext.py", "--format", "json")
    assert codes(out) == [("src/ext.py", 5, "CTX101"), ("src/ext.py", 19, "CTX202")]


def test_knowledge_names_defined_in_the_project(project, cli) -> None:
    write(project / "src" / "myapp" / "__init__.py", "")
    write(project / "src" / "myapp" / "auth.py", '''\
        from werkzeug.local import LocalProxy

        current_tenant = LocalProxy(lambda: None)
        ''')
    write(project / "src" / "myapp" / "views.py", '''\
        from myapp.auth import current_tenant

        NAME = current_tenant.name
        ''')
    config(project, '[tool.ctxlint]\nrequest-bound = ["myapp.auth:current_tenant"]\n')
    _, out, _ = cli("src", "--format", "json", "--select", "CTX101")
    assert ("src/myapp/views.py", 3, "CTX101") in codes(out)


# ---- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "message"), [
    ('[tool.ctxlint]\nselct = ["CTX2"]\n', "[tool.ctxlint] selct: unknown key (did you mean 'select'?)"),
    ('[tool.ctxlint]\nper_file_ignores = {}\n',
     "[tool.ctxlint] per_file_ignores: unknown key (did you mean 'per-file-ignores'?)"),
    ('[tool.ctxlint]\nfoo = 1\n', "[tool.ctxlint] foo: unknown key (known keys: select, "),
    ('[tool.ctxlint]\nselect = "CTX2"\n', "[tool.ctxlint] select: expected an array of strings, got a string"),
    ('[tool.ctxlint]\nignore = [201]\n',
     "[tool.ctxlint] ignore: expected an array of strings, got an array holding an integer"),
    ('[tool.ctxlint]\nselect = ["CTX999"]\n', "[tool.ctxlint] select: unknown rule code or prefix 'CTX999'"),
    ('[tool.ctxlint]\nextend-select = ["E501"]\n', "[tool.ctxlint] extend-select: unknown rule code or prefix 'E501'"),
    ('[tool.ctxlint]\nignore = ["XYZ"]\n', "[tool.ctxlint] ignore: unknown rule code or prefix 'XYZ'"),
    ('[tool.ctxlint]\nextend-ignore = ["CTX7"]\n', "[tool.ctxlint] extend-ignore: unknown rule code or prefix 'CTX7'"),
    ('[tool.ctxlint.per-file-ignores]\n"tests/*" = ["CTX9999"]\n',
     "[tool.ctxlint] per-file-ignores.'tests/*': unknown rule code or prefix 'CTX9999'"),
    ('[tool.ctxlint.per-file-ignores]\n"tests/*" = "CTX2"\n',
     "[tool.ctxlint] per-file-ignores.'tests/*': expected an array of strings, got a string"),
    ('[tool.ctxlint]\nper-file-ignores = ["tests/*"]\n',
     "[tool.ctxlint] per-file-ignores: expected a table of pattern = [codes], got an array"),
    ('[tool.ctxlint]\nexclude = "build"\n', "[tool.ctxlint] exclude: expected an array of strings, got a string"),
    ('[tool.ctxlint]\nextend-exclude = [true]\n',
     "[tool.ctxlint] extend-exclude: expected an array of strings, got an array holding a boolean"),
    ('[tool.ctxlint]\nrespect-gitignore = "no"\n',
     "[tool.ctxlint] respect-gitignore: expected a boolean (true or false), got a string"),
    ('[tool.ctxlint]\nparse-timeout = "30"\n',
     "[tool.ctxlint] parse-timeout: expected a number of seconds, got a string"),
    ('[tool.ctxlint]\nparse-timeout = 0\n',
     "[tool.ctxlint] parse-timeout: expected a number of seconds above 0, got 0"),
    ('[tool.ctxlint]\nrequest-bound = "myapp.auth:current_tenant"\n',
     "[tool.ctxlint] request-bound: expected an array of strings, got a string"),
    ('[tool.ctxlint]\napp-bound = ["current tenant"]\n',
     "[tool.ctxlint] app-bound: 'current tenant' is not a name like 'package.module:name'"),
    ('[tool.ctxlint]\nthread-spawners = ["run_in_thread"]\n',
     "[tool.ctxlint] thread-spawners: 'run_in_thread' is not a name like 'package.module:name'"),
    ('[tool.ctxlint]\nno-context-roots = ["a:b:c"]\n',
     "[tool.ctxlint] no-context-roots: 'a:b:c' is not a name like 'package.module:name'"),
    ("[tool]\nctxlint = 3\n", "[tool.ctxlint] must be a table, not an integer"),
    ("[tool.ctxlint\nselect = []\n", "invalid TOML: "),
])
def test_configuration_errors_name_the_file_and_the_key(project, cli, body: str, message: str) -> None:
    config(project, body)
    code, out, err = cli("src")
    assert code == 2
    assert out == ""
    assert err.startswith("ctxlint: pyproject.toml: "), err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_explicit_config_file_errors(project, cli) -> None:
    code, _, err = cli("src", "--config", "missing.toml")
    assert code == 2 and err == "ctxlint: missing.toml: no such file\n"
    config(project / "sub", '[project]\nname = "x"\n')
    code, _, err = cli("src", "--config", os.path.join("sub", "pyproject.toml"))
    assert code == 2 and err == f"ctxlint: {os.path.join('sub', 'pyproject.toml')}: no [tool.ctxlint] table\n"
    config(project, 'selectt = ["CTX1"]\n', name="ctxlint.toml")
    code, _, err = cli("src", "--config", "ctxlint.toml")
    assert code == 2 and err == "ctxlint: ctxlint.toml: selectt: unknown key (did you mean 'select'?)\n"


def test_command_line_code_errors_are_usage_errors(project, cli) -> None:
    for args in (("--extend-select", "CTX8"), ("--per-file-ignores", "src/*.py:CTX77"),
                 ("--per-file-ignores", "src/*.py"), ("--extend-ignore", "E5")):
        with pytest.raises(SystemExit) as exc:
            cli("src", *args)
        assert exc.value.code == 2


def test_a_broken_pyproject_on_the_way_up_is_reported(project, cli) -> None:
    config(project, "[tool.ctxlint\n")
    code, _, err = cli("src")
    assert code == 2 and "pyproject.toml: invalid TOML" in err


# ---- pattern translation ------------------------------------------------------------------------

@pytest.mark.parametrize(("pattern", "top", "expected"), [
    ("legacy/", "/p", "legacy/"),
    ("/legacy/", "/p", "/legacy/"),
    ("legacy/", "/p/app", "legacy/"),  # unanchored: any depth
    ("app/legacy/", "/p/app", "/legacy/"),
    ("/app/legacy/", "/p/app", "/legacy/"),
    ("a*/legacy", "/p/app", "/legacy"),
    ("app/legacy/", "/p/lib", None),
    ("/app/", "/p/app", None),  # the directory walked itself
    ("app/x/y.py", "/p/app/z", None),
    ("**/migrations/", "/p/app", "/**/migrations/"),
    ("app/**/gen/", "/p/app/sub", "/**/gen/"),
    ("!app/keep.py", "/p/app", "!/keep.py"),
    ("/legacy/", "/", "/p/legacy/"),  # walking above the configuration's directory
    ("legacy/", "/", "/p/**/legacy/"),
    ("/legacy/", "/q", None),
])
def test_translate_pattern(pattern: str, top: str, expected: str | None) -> None:
    assert translate_pattern(pattern, os.path.abspath("/p"), os.path.abspath(top)) == expected
