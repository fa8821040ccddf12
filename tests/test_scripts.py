"""Script entry points (argparse dispatch, typer, fire): run with the real libraries, then analysed."""

from __future__ import annotations

import importlib.util
import sys
import textwrap

import pytest

from ctxlint.engine import analyse

APP = """
from flask import Flask, current_app

app = Flask("ops")
app.config["SEARCH_URL"] = "http://search"


def search_url():
    return current_app.config["SEARCH_URL"]
"""

ARGPARSE = """
import argparse
import sys

from opsapp import app, search_url


def show(args):
    return search_url()


def version(args):
    return "1.0"


def parser():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(required=True)
    sub.add_parser("show").set_defaults(func=show)
    sub.add_parser("version").set_defaults(func=version)
    return p


def main_pushed(argv):
    args = parser().parse_args(argv)
    with app.app_context():
        return args.func(args)


def main_bare(argv):
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    main_pushed(sys.argv[1:])
    main_bare(sys.argv[1:])
"""

TYPER = """
import typer

from opsapp import app, search_url

cli = typer.Typer()


@cli.command()
def show():
    print(search_url())


@cli.command()
def show_pushed():
    with app.app_context():
        print(search_url())
"""

FIRE = """
import fire

from opsapp import app, search_url


def show():
    return search_url()


def show_pushed():
    with app.app_context():
        return search_url()


if __name__ == "__main__":
    fire.Fire(show)
    fire.Fire(show_pushed)
"""


def _load(path, name):  # noqa: ANN001, ANN202
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def project(tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    for name, src in (("opsapp", APP), ("manage", ARGPARSE), ("tool", TYPER), ("quick", FIRE)):
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(src), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("opsapp", "manage", "tool", "quick"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    return tmp_path


def test_argparse_dispatch_runs_the_stored_function_with_the_scripts_context(project) -> None:  # noqa: ANN001
    manage = _load(project / "manage.py", "manage")
    assert manage.main_pushed(["show"]) == "http://search"
    assert manage.main_bare(["version"]) == "1.0"
    with pytest.raises(RuntimeError, match="application context"):
        manage.main_bare(["show"])

    found = [f for f in analyse([str(project)]).findings if f.path.endswith("manage.py")]
    # only the bare dispatch is reported: at the __main__ call of main_bare, through show()
    line = textwrap.dedent(ARGPARSE).splitlines().index("    main_bare(sys.argv[1:])") + 1
    assert [(f.code, f.line) for f in found] == [("CTX101", line)]
    assert "main_bare() reaches current_app.config" in found[0].message
    assert "via show() → search_url()" in found[0].message


def test_typer_and_fire_run_their_functions_with_no_context(project) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    tool = _load(project / "tool.py", "tool")
    result = CliRunner().invoke(tool.cli, ["show"])
    assert isinstance(result.exception, RuntimeError) and "application context" in str(result.exception)
    assert CliRunner().invoke(tool.cli, ["show-pushed"]).exit_code == 0

    import fire

    quick = _load(project / "quick.py", "quick")
    with pytest.raises(RuntimeError, match="application context"):
        fire.Fire(quick.show, command=[])
    assert fire.Fire(quick.show_pushed, command=[]) == "http://search"

    found = sorted((f.path.rsplit("/", 1)[-1], f.line, f.code) for f in analyse([str(project)]).findings
                   if not f.path.endswith("manage.py"))
    assert found == [("quick.py", 7, "CTX302"), ("tool.py", 10, "CTX302")]
