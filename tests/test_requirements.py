"""The library versions a project declares, and what they change (Flask-SQLAlchemy 2 bound to an app)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ctxlint.engine import analyse
from ctxlint.options import Options
from ctxlint.requirements import below_major, declared_requirements


@pytest.mark.parametrize(("lines", "capped"), [
    (["Flask-SQLAlchemy==2.5.1"], True),
    (["flask_sqlalchemy == 2.3.2"], True),
    (["flask-sqlalchemy[async]==2.5.1 ; python_version >= '3.7'"], True),
    (["Flask-SQLAlchemy<3"], True),
    (["Flask-SQLAlchemy<3.0"], True),
    (["Flask-SQLAlchemy>=2.4,<3"], True),
    (["Flask-SQLAlchemy~=2.5"], True),
    (["Flask-SQLAlchemy==2.*"], True),
    (["Flask-SQLAlchemy (>=2.1, <3.0)"], True),
    (["flask-sqlalchemy ^2.5"], True),  # Poetry's caret
    (["Flask-SQLAlchemy>=2.5"], False),
    (["Flask-SQLAlchemy<3.1"], False),
    (["Flask-SQLAlchemy==3.1.1"], False),
    (["Flask-SQLAlchemy"], False),
    (["Flask-SQLAlchemy==2.5.1", "Flask-SQLAlchemy>=2"], False),  # one declaration leaves 3 possible
    (["Flask==2.0.3"], False),  # nothing said of the library
    ([], False),
])
def test_a_version_is_below_a_major_only_when_every_declaration_caps_it(lines: list[str], capped: bool) -> None:
    assert below_major(tuple(lines), "flask-sqlalchemy", 3) is capped


def test_declarations_are_read_from_the_project_files(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""
        [project]
        name = "x"
        dependencies = ["flask>=2"]
        [tool.poetry.dependencies]
        python = "^3.8"
        celery = {version = "^5.2", extras = ["redis"]}
    """), encoding="utf-8")
    (tmp_path / "setup.cfg").write_text("[options]\ninstall_requires =\n    click>=8\n    rq\n", encoding="utf-8")
    (tmp_path / "Pipfile").write_text('[packages]\nrequests = "*"\nflask-login = "==0.6.3"\n', encoding="utf-8")
    (tmp_path / "requirements.txt").write_text(textwrap.dedent("""\
        # pinned by pip-compile
        -r base.in
        flask-sqlalchemy==2.5.1 \\
            --hash=sha256:0123456789abcdef
        sqlalchemy==1.3.24  # via flask-sqlalchemy
    """), encoding="utf-8")
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "prod.in").write_text("babel<3\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("flask-sqlalchemy>=3\n", encoding="utf-8")  # not a requirements file
    found = declared_requirements(str(tmp_path))
    assert set(found) == {"flask>=2", "python ^3.8", "celery ^5.2", "click>=8", "rq", "requests",
                          "flask-login ==0.6.3", "flask-sqlalchemy==2.5.1", "sqlalchemy==1.3.24", "babel<3"}


APP = """
from threading import Thread
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
db = SQLAlchemy(app)


class Parcel(db.Model):
    id = db.Column(db.Integer, primary_key=True)


def weigh(parcel_id):
    Parcel.query.get(parcel_id)
    db.session.commit()


@app.post("/<int:parcel_id>")
def view(parcel_id):
    Thread(target=weigh, args=(parcel_id,)).start()
    return ""
"""


@pytest.mark.parametrize(("files", "reported"), [
    ({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["Flask-SQLAlchemy==2.5.1"]\n'}, False),
    ({"setup.py": 'from setuptools import setup\nsetup(name="x", install_requires=["Flask-SQLAlchemy<3"])\n'}, False),
    ({"setup.cfg": "[metadata]\nname = x\n", "requirements.txt": "flask-sqlalchemy~=2.4\n"}, False),
    ({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["Flask-SQLAlchemy>=3"]\n'}, True),
    ({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["Flask-SQLAlchemy"]\n'}, True),
    ({"pyproject.toml": '[project]\nname = "x"\n'}, True),
])
def test_flask_sqlalchemy_2_bound_to_its_app_needs_no_context(tmp_path: Path, files: dict[str, str],
                                                              reported: bool) -> None:
    """Flask-SQLAlchemy 2.5.1 with Flask 2.2 (checked in a separate environment: the tests run Flask 3, which
    2.x does not support): ``SQLAlchemy(app)`` finds its app in a thread with no context; 3.x raises."""
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    found = [f.code for f in analyse([str(tmp_path)], Options(use_cache=False)).findings]
    assert found == (["CTX202"] if reported else [])


def test_db_app_assigned_anywhere_binds_a_flask_sqlalchemy_2_object(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["flask-sqlalchemy==2.3.2"]\n',
                                             encoding="utf-8")
    (tmp_path / "app.py").write_text(APP.replace("db = SQLAlchemy(app)", "db = SQLAlchemy()\ndb.init_app(app)"),
                                     encoding="utf-8")
    assert [f.code for f in analyse([str(tmp_path)], Options(use_cache=False)).findings] == ["CTX202"]
    (tmp_path / "shell.py").write_text("from app import app, db as database\ndatabase.app = app\n", encoding="utf-8")
    assert analyse([str(tmp_path)], Options(use_cache=False)).findings == []
