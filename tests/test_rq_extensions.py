"""Flask-RQ2 and Flask-RQ jobs: the context the real libraries run them in, and what ctxlint says."""

from __future__ import annotations

import importlib
import os
import sys
import textwrap

import pytest

from ctxlint.engine import analyse
from ctxlint.options import Options

FIXTURE = os.path.join(os.path.dirname(__file__), os.pardir, "fixtures", "rqext")

RQ2_JOBS = """
from flask import Flask, current_app, request
from flask_rq2 import RQ

app = Flask("shop")
app.config.update(RQ_CONNECTION_CLASS="fakeredis.FakeStrictRedis", RQ_WORKER_CLASS="rq.worker.SimpleWorker")
rq = RQ(app)


@rq.job
def app_name():
    return current_app.name


@rq.job
def client():
    return request.remote_addr
"""

RQ_JOBS = """
from flask import Flask, current_app
from flask_rq import RQ

app = Flask("media")
app.config.update(RQ_CONNECTION_CLASS="fakeredis.FakeRedis")
rq = RQ(app)


@rq.job
def app_name():
    return current_app.name
"""


def _module(tmp_path, monkeypatch, name, source):  # noqa: ANN001, ANN202
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    return importlib.import_module(name)


def _codes(sub: str) -> list[tuple[int, str]]:
    # without the cache, which would be written into the fixture
    return sorted((f.line, f.code) for f in analyse([os.path.join(FIXTURE, sub)], Options(use_cache=False)).findings)


def test_flask_rq2_jobs_get_an_app_context_from_the_extensions_worker_and_none_from_a_plain_one(
        tmp_path, monkeypatch) -> None:  # noqa: ANN001
    pytest.importorskip("fakeredis")
    pytest.importorskip("flask_rq2")
    from rq import SimpleWorker
    from rq.job import Job

    mod = _module(tmp_path, monkeypatch, "rq2_jobs", RQ2_JOBS)
    with mod.app.app_context():  # enqueued from a view
        jobs = [mod.app_name.queue(), mod.client.queue()]
        queue = mod.rq.get_queue()
        worker = mod.rq.get_worker()  # what ``flask rq worker`` builds: the extension's job class
    # ``flask rq worker`` is a command of an AppGroup: it runs the worker inside an app context
    with mod.app.app_context():
        worker.work(burst=True)
    done = [Job.fetch(j.id, connection=queue.connection) for j in jobs]
    assert done[0].return_value() == "shop"
    assert done[1].is_failed and "request context" in done[1].latest_result().exc_string

    # a plain ``rq worker``: RQ's own job class, no app context
    with mod.app.app_context():
        again = mod.app_name.queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    failed = Job.fetch(again.id, connection=queue.connection)
    assert failed.is_failed and "application context" in failed.latest_result().exc_string

    # so ctxlint gives @rq.job functions an app context: a request use is CTX501, a current_app use is fine
    assert _codes("mailer2") == [(24, "CTX501"), (31, "CTX203")]


def test_flask_rq_jobs_run_in_the_app_context_of_the_work_horse_command(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    pytest.importorskip("fakeredis")
    pytest.importorskip("flask_rq")
    from flask_rq._job_class import FlaskJob
    from rq import SimpleWorker
    from rq.job import Job

    mod = _module(tmp_path, monkeypatch, "rq_jobs", RQ_JOBS)
    with mod.app.app_context():
        job = mod.app_name.enqueue()
        queue = mod.rq.queue
    group = mod.app.cli.commands["rq"]  # ``flask rq``: the extension's worker and its work horse
    assert {"worker", "work-horse"} <= set(group.commands)
    # the work horse is an app-context command (registered with with_appcontext=True): it performs the job
    # inside the app's context, with the extension's job class
    with mod.app.app_context():
        SimpleWorker([queue], connection=queue.connection, job_class=FlaskJob).work(burst=True)
    assert Job.fetch(job.id, connection=queue.connection).return_value() == "media"

    with mod.app.app_context():
        again = mod.app_name.enqueue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)  # a plain ``rq worker``
    assert Job.fetch(again.id, connection=queue.connection).is_failed

    assert _codes("mailer1") == [(15, "CTX501"), (23, "CTX203")]


JOB_PROJECT = """
from flask import Flask, current_app
from flask_rq2 import RQ

app = Flask(__name__)
rq = RQ(app)


@rq.job
def size():
    return current_app.config["THUMB_SIZE"]
"""


@pytest.mark.parametrize(("name", "text", "reported"), [
    ("Procfile", "worker: flask --app thumbs rq worker\n", False),
    ("Procfile", "worker: python -m flask rq worker high low\n", False),
    ("Procfile", "worker: rq worker --url $REDIS_URL\n", True),
    ("docker-compose.yml", 'services:\n  worker:\n    command: ["rq", "worker", "default"]\n', True),
    ("docker-compose.yml", 'services:\n  worker:\n    command: ["flask", "rq", "worker"]\n', False),
    ("supervisord.conf", "[program:worker]\ncommand=rqworker default\n", True),
    ("Makefile", "test:\n\tpytest\n", False),
])
def test_how_the_project_starts_its_worker_decides_the_jobs_context(tmp_path, name, text, reported) -> None:  # noqa: ANN001
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = thumbs\n", encoding="utf-8")
    (tmp_path / "thumbs.py").write_text(textwrap.dedent(JOB_PROJECT), encoding="utf-8")
    (tmp_path / name).write_text(text, encoding="utf-8")
    codes = [f.code for f in analyse([str(tmp_path)]).findings]
    assert codes == (["CTX302"] if reported else [])
