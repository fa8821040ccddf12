"""Celery calls a task class's hooks and its signals' receivers outside the task's ``__call__``: checked with the
real Celery (eager mode runs the worker's own tracer), and ctxlint reports exactly the ones that run without a
context."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from ctxlint.engine import Options, analyse
from ctxlint.fixes import fix_for

SOURCE = """
from celery import Celery, Task
from celery.signals import task_failure, task_postrun, task_prerun, task_success, worker_process_init
from flask import Flask, current_app, has_app_context

app = Flask("billing")
seen = {{}}


class FlaskTask(Task):
    def __call__(self, *args, **kwargs):
        with app.app_context():
            return self.run(*args, **kwargs)

    def before_start(self, task_id, args, kwargs):
        seen["before_start"] = {probe}

    def on_success(self, retval, task_id, args, kwargs):
        seen["on_success"] = {probe}

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        seen["on_failure"] = {probe}

    def after_return(self, *args):
        seen["after_return"] = {probe}


celery = Celery("billing", task_cls=FlaskTask)
celery.conf.task_always_eager = True
{pusher}

@task_postrun.connect
def postrun(*args, **kwargs):
    seen["postrun"] = {probe}


@task_success.connect
def success(*args, **kwargs):
    seen["success"] = {probe}


@task_failure.connect
def failure(*args, **kwargs):
    seen["failure"] = {probe}


@celery.task
def charge():
    seen["charge"] = {probe}


@celery.task
def refund():
    seen["refund"] = {probe}
    raise ValueError("declined")
"""

PUSHER = """
@task_prerun.connect
def push(*args, **kwargs):
    app.app_context().push()
"""

RUN = """
import json, tasks
tasks.charge.delay()
try:
    tasks.refund.delay()
except Exception:
    pass
print(json.dumps(tasks.seen))
"""


@pytest.mark.parametrize("pusher", [False, True], ids=["FlaskTask only", "task_prerun pushes for good"])
def test_hooks_and_receivers_run_outside_the_task_class_context(tmp_path, pusher: bool) -> None:
    pytest.importorskip("celery")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "billing"\n', encoding="utf-8")
    module = tmp_path / "tasks.py"
    module.write_text(SOURCE.format(probe="has_app_context()", pusher=PUSHER if pusher else ""), encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(RUN)], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    seen: dict[str, bool] = json.loads(run.stdout)
    assert seen["charge"] is True and len(seen) == 9
    without = {name for name, has in seen.items() if not has}
    if not pusher:
        # only the task body runs inside FlaskTask.__call__
        assert without == set(seen) - {"charge", "refund"}
    else:
        assert without == set()
    module.write_text(SOURCE.format(probe="current_app.name", pusher=PUSHER if pusher else ""), encoding="utf-8")
    findings = analyse([str(tmp_path)], Options(use_cache=False)).findings
    reported = {f.function.rsplit(".", 1)[-1] for f in findings}
    assert reported == without
    assert all(f.code == "CTX302" for f in findings)
    # a task class cannot help what Celery calls outside it: neither the message nor the fix suggests one
    assert all("even where the task class pushes one" in f.message for f in findings)
    assert all("task class" not in fix_for(f).message for f in findings)
