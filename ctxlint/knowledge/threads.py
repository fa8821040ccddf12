"""Threads, processes and green threads: where no context follows (and the few that carry it)."""

from __future__ import annotations

from .base import Follower, Library, Spawner, ThreadClass


def _pools() -> dict[str, Spawner]:
    out: dict[str, Spawner] = {}
    for pool, process in (("multiprocessing.Pool()", True), ("multiprocessing.pool.ThreadPool()", False)):
        for m in ("apply", "apply_async", "map", "map_async", "imap", "imap_unordered", "starmap", "starmap_async"):
            out[f"{pool}.{m}"] = Spawner("thread", "process pool task" if process else "thread pool task",
                                         0, "func", process, passes="args" if m.startswith("apply") else "none")
    return out


LIBRARY = Library(
    name="threads and processes",
    packages=("threading", "concurrent", "multiprocessing", "gevent", "eventlet", "asyncio", "contextvars"),
    module_aliases={
        "concurrent.futures.thread": "concurrent.futures",
        "concurrent.futures.process": "concurrent.futures",
        "concurrent.futures._base": "concurrent.futures",
        "multiprocessing.pool": "multiprocessing",
        "multiprocessing.context": "multiprocessing",
        "multiprocessing.process": "multiprocessing",
        "gevent.greenlet": "gevent",
    },
    name_aliases={
        "threading._start_new_thread": "_thread.start_new_thread",
        "thread.start_new_thread": "_thread.start_new_thread",
        "multiprocessing.ThreadPool": "multiprocessing.pool.ThreadPool",
        "concurrent.futures.Executor": "concurrent.futures.Executor",
        "gevent.Greenlet.spawn": "gevent.spawn",
        "gevent.Greenlet.spawn_later": "gevent.spawn_later",
    },
    spawners={
        "threading.Thread": Spawner("thread", "thread target", 1, "target", passes="args"),
        "threading.Timer": Spawner("thread", "timer function", 1, "function", passes="args"),
        "_thread.start_new_thread": Spawner("thread", "thread function", 0, "function"),
        "?.start_new_thread": Spawner("thread", "thread function", 0, "function"),
        "concurrent.futures.ThreadPoolExecutor().submit": Spawner("thread", "thread pool task", 0, "fn"),
        "concurrent.futures.ThreadPoolExecutor().map": Spawner("thread", "thread pool task", 0, "fn", passes="none"),
        "concurrent.futures.ProcessPoolExecutor().submit": Spawner("thread", "process pool task", 0, "fn", True),
        "concurrent.futures.ProcessPoolExecutor().map": Spawner("thread", "process pool task", 0, "fn", True,
                                                                 passes="none"),
        "?.run_in_executor": Spawner("thread", "executor task", 1, "func"),
        "multiprocessing.Process": Spawner("thread", "process target", 1, "target", True, passes="args"),
        "gevent.spawn": Spawner("thread", "greenlet", 0, "run"),
        "gevent.spawn_later": Spawner("thread", "greenlet", 1, None),
        "gevent.spawn_raw": Spawner("thread", "greenlet", 0, None),
        "eventlet.spawn": Spawner("thread", "green thread", 0, "func"),
        "eventlet.spawn_n": Spawner("thread", "green thread", 0, "func"),
        "eventlet.spawn_after": Spawner("thread", "green thread", 1, "func"),
        **_pools(),
    },
    # Subclasses of these run their ``run`` method elsewhere once ``start()`` is called.
    thread_classes={
        "threading.Thread": ThreadClass(Spawner("thread", "thread", None)),
        "multiprocessing.Process": ThreadClass(Spawner("thread", "process", None, None, True)),
    },
    # Calls that run their argument in the caller's own context.
    followers={
        "asyncio.to_thread": Follower(0, "func"),
        "contextvars.copy_context().run": Follower(0, None),
        "contextvars.Context().run": Follower(0, None),
    },
)
