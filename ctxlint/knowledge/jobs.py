"""Job queues and schedulers besides Celery: RQ, Huey, Dramatiq, APScheduler (and Flask-APScheduler),
``atexit`` and ``signal`` handlers.  Their functions run with no context unless the worker pushes one."""

from __future__ import annotations

import re
from typing import Any

from ..analysis.values import Cls, Ext
from ..model import CallEvent, Function
from .base import APP, NONE, Library, Root, Spawner

RQ_LABEL = "RQ job"
# An RQ worker the project builds itself (usually in a Flask CLI command) runs jobs in
# the process that built it, so they inherit its application context.
RQ_WORKERS = ("rq.Worker", "rq.worker.Worker", "rq.SimpleWorker", "rq.worker.SimpleWorker", "rq.worker.HerokuWorker",
              "rq.HerokuWorker")


def rq_job_context(prog: Any, label: str, target: Function) -> int | None:
    """RQ jobs run in the worker's process: with an app context when the project builds its own worker."""
    if label == RQ_LABEL and rq_worker_built(prog):
        return APP
    if label in EXTENSION_WORKER_CONTEXT:
        return NONE if plain_rq_worker(prog) else EXTENSION_WORKER_CONTEXT[label]
    return None


# The key discovery keeps the project's process commands under (beside its entry-point groups), and where
# it finds them: the files that start a project's processes (Procfile, compose files, Makefile, shell
# scripts, supervisor and systemd units) in these folders of the project root, the lines that start an
# RQ worker (files holding none of the marks are not read line by line).
PROCESS_COMMANDS = "<commands>"
PROCESS_FILES = ("Procfile*", "*.yml", "*.yaml", "Makefile", "Dockerfile*", "*.sh", "*.conf", "*.ini", "*.service")
PROCESS_DIRS = ("", "deploy", "docker", "bin", "scripts", "etc")
WORKER_MARKS = (b"rq ", b"rqworker", b'"rq"', b"'rq'")
WORKER_LINE_WORDS = ("rq", "worker")
_EXTENSION_JOB_CLASSES = ("flask_rq2.job.FlaskJob", "flask_rq._job_class.FlaskJob")


def plain_rq_worker(prog: Any) -> bool:
    """Whether a process file of the project starts a plain ``rq worker`` (not ``flask rq worker``, not
    with the extension's job class): its jobs then run with no context."""
    for line in getattr(prog, "declared", {}).get(PROCESS_COMMANDS, ()):
        words = [w for w in re.split(r"[\s\"',\[\]=]+", line) if w]
        for i, w in enumerate(words):
            starts = w == "rqworker" or w == "rq" and i + 1 < len(words) and words[i + 1] == "worker"
            if not starts:
                continue
            if "flask" in words[:i] or any(c in words[i:] for c in _EXTENSION_JOB_CLASSES):
                continue  # the extension's command, or RQ told to use the extension's job class (it loads the app)
            return True
    return False


def rq_worker_built(prog: Any) -> bool:
    """Whether the project builds its own RQ worker (whose jobs then share its context)."""
    state = prog.library_state
    if "rq_worker" in state:
        return bool(state["rq_worker"])
    found = False
    for fn in prog.functions.values():
        for ev in fn.events:
            if isinstance(ev, CallEvent):
                v = prog.resolve(ev.call.func, fn)
                if isinstance(v, Ext) and v.name in RQ_WORKERS:
                    found = True
                elif isinstance(v, Cls) and any(b in RQ_WORKERS for b in prog.resolver.ext_bases(v.qual)):
                    found = True
            if found:
                break
        if found:
            break
    state["rq_worker"] = found
    return found


RQ = Library(
    name="rq",
    packages=("rq",),
    module_aliases={"rq.queue": "rq", "rq.decorators": "rq"},
    roots={"rq.job": Root("job", RQ_LABEL)},
    spawners={
        "rq.Queue().enqueue": Spawner("job", RQ_LABEL, 0, "f"),
        "rq.Queue().enqueue_call": Spawner("job", RQ_LABEL, 0, "func", passes="args"),
        "rq.Queue().enqueue_in": Spawner("job", RQ_LABEL, 1, "func"),
        "rq.Queue().enqueue_at": Spawner("job", RQ_LABEL, 1, "f"),
        "?.enqueue": Spawner("job", RQ_LABEL, 0, "f"),
        "?.enqueue_call": Spawner("job", RQ_LABEL, 0, "func", passes="args"),
    },
    hooks={"registered_job_context": rq_job_context},
)

# Flask-RQ2 and Flask-RQ: ``@rq.job`` functions run by the extension's own worker command, ``flask rq
# worker``.  That command is an app-context CLI command: Flask-RQ2's job class (FlaskJob) pushes the
# current app's context around each job, Flask-RQ's work horse is another app-context command.  (A plain
# ``rq worker`` uses RQ's own job class and runs them with no context.)
FLASK_RQ2_LABEL = "Flask-RQ2 job"
FLASK_RQ_LABEL = "Flask-RQ job"
EXTENSION_WORKER_CONTEXT = {FLASK_RQ2_LABEL: APP, FLASK_RQ_LABEL: APP}

FLASK_RQ = Library(
    name="flask-rq and flask-rq2",
    packages=("flask_rq2", "flask_rq"),
    module_aliases={"flask_rq2.app": "flask_rq2", "flask_rq._extension": "flask_rq"},
    roots={
        "flask_rq2.RQ().job": Root("job", FLASK_RQ2_LABEL),
        "flask_rq.RQ().job": Root("job", FLASK_RQ_LABEL),
    },
    # Flask-RQ2: f.queue(*args), f.schedule(when, *args), f.cron(pattern, name, *args);
    # Flask-RQ: f.enqueue(*args), f.enqueue_at(when, *args), f.enqueue_in(delta, *args)
    enqueue_methods=("queue", "schedule", "cron", "enqueue", "enqueue_at", "enqueue_in"),
    job_calls={"queue": "rest", "enqueue": "rest"},
)

HUEY = Library(
    name="huey",
    packages=("huey",),
    module_aliases={"huey.api": "huey", "huey.contrib.mini": "huey"},
    name_aliases={f"huey.{c}": "huey.Huey" for c in ("RedisHuey", "SqliteHuey", "MemoryHuey", "FileHuey",
                                                      "PriorityRedisHuey", "RedisExpireHuey", "MiniHuey")},
    roots={
        "huey.Huey().task": Root("job", "Huey task"),
        "huey.Huey().periodic_task": Root("job", "Huey periodic task"),
        "huey.Huey().on_startup": Root("job", "Huey startup hook"),
    },
    enqueue_methods=("schedule",),
    job_calls={"schedule": "args"},
)

DRAMATIQ = Library(
    name="dramatiq",
    packages=("dramatiq",),
    roots={"dramatiq.actor": Root("job", "Dramatiq actor")},
    enqueue_methods=("send", "send_with_options"),
    job_calls={"send": "rest", "send_with_options": "args"},
)

APSCHEDULER = Library(
    name="apscheduler",
    packages=("apscheduler", "flask_apscheduler"),
    module_aliases={"flask_apscheduler.scheduler": "flask_apscheduler"},
    name_aliases={f"apscheduler.schedulers.{m}.{c}": "apscheduler.Scheduler"
                  for m, c in (("background", "BackgroundScheduler"), ("blocking", "BlockingScheduler"),
                               ("asyncio", "AsyncIOScheduler"), ("gevent", "GeventScheduler"),
                               ("tornado", "TornadoScheduler"), ("twisted", "TwistedScheduler"),
                               ("qt", "QtScheduler"))},
    roots={
        "apscheduler.Scheduler().scheduled_job": Root("job", "APScheduler job"),
        "flask_apscheduler.APScheduler().task": Root("job", "APScheduler job"),
    },
    spawners={
        "apscheduler.Scheduler().add_job": Spawner("job", "APScheduler job", 0, "func", passes="args"),
        "flask_apscheduler.APScheduler().add_job": Spawner("job", "APScheduler job", 1, "func", passes="args"),
    },
)

PROCESS_HOOKS = Library(
    name="atexit and signal",
    packages=("atexit", "signal"),
    roots={"atexit.register": Root("job", "atexit handler")},
    spawners={
        "atexit.register": Spawner("job", "atexit handler", 0, "func"),
        "signal.signal": Spawner("job", "signal handler", 1, "handler", passes="none"),
    },
)
