"""Everything ctxlint knows about Flask and its ecosystem, as data grouped by library.

Each module describes one library (or family): the names that need a context, the
decorators and calls that make it run code (roots), the calls that run code elsewhere
(spawners) and, where a table cannot say it, a small hook the analysis calls by name.
:class:`Knowledge` merges them; a user's configuration extends it (``Knowledge.extend``).
"""

from __future__ import annotations

from . import (
    babel,
    celery,
    click,
    extension_apps,
    extensions,
    flask,
    jobs,
    mail,
    orm,
    quart,
    scripts,
    signals,
    stdlib,
    threads,
)
from .base import (
    APP,
    CTX_NAMES,
    DEFAULT_LIBRARIES,
    NEEDS_APP,
    NEEDS_REQUEST,
    NEEDS_URL,
    NONE,
    REQUEST,
    Follower,
    Knowledge,
    Library,
    Local,
    Root,
    RootClass,
    Spawner,
    ThreadClass,
)

LIBRARIES: list[Library] = [
    flask.LIBRARY,
    quart.LIBRARY,
    extensions.LOGIN,
    extensions.SQLALCHEMY,
    orm.LIBRARY,
    extensions.SOCKETIO,
    extensions.CACHING,
    extensions.RESTFUL,
    extensions.API_FRAMEWORKS,
    extensions.EXECUTOR,
    extensions.MIGRATE,
    extensions.WTFORMS,
    celery.LIBRARY,
    jobs.RQ,
    jobs.FLASK_RQ,
    jobs.HUEY,
    jobs.DRAMATIQ,
    jobs.APSCHEDULER,
    jobs.PROCESS_HOOKS,
    click.LIBRARY,
    scripts.LIBRARY,
    threads.LIBRARY,
    stdlib.LIBRARY,
    stdlib.OTHER_FRAMEWORKS,
    signals.LIBRARY,
    babel.LIBRARY,
    extension_apps.LIBRARY,
    mail.LIBRARY,
]
DEFAULT_LIBRARIES[:] = LIBRARIES

# Files a tool runs inside an application context (read at discovery).
APP_CONTEXT_ENTRY_FILES = tuple(e for lib in LIBRARIES for e in lib.entry_files)

__all__ = ["APP", "CTX_NAMES", "NEEDS_APP", "NEEDS_REQUEST", "NEEDS_URL", "NONE", "REQUEST", "Follower", "Knowledge",
           "Library", "Local", "Root", "RootClass", "Spawner", "ThreadClass", "LIBRARIES", "APP_CONTEXT_ENTRY_FILES"]
