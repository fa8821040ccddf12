"""Summarising files in supervised worker processes.

libcst's parser holds the GIL while it parses and is superlinear on some input (a
10,000-term ``a + b + ...`` chain takes minutes), so a thread cannot be interrupted
or given a deadline.  A worker process can: the main process hands out one file at
a time, and a worker that passes a file's deadline or dies is killed and replaced,
costing only that file (a ``CTX900``).  The main process only waits, so Ctrl-C is
seen at once.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from . import progress
from .collector import PARSING, RECEIVING, rarely
from .model import Module

Item = tuple[bytes, str, str, str, bool]  # source, module key, import name, path, is package

DEFAULT_TIMEOUT = 30.0  # seconds per file, and as many more per further MiB of source
_BATCH_FILES = 8  # files handed out at once (fewer round trips) ...
_BATCH_BYTES = 256 * 1024  # ... unless they are large


def deadline(item: Item, timeout: float) -> float:
    """The time ``item`` may take: ``timeout``, scaled up for files over 1 MiB."""
    return timeout * max(1.0, len(item[0]) / (1 << 20))


def can_fork_workers() -> bool:
    """Whether this process may start worker processes (a daemonic one, e.g. a flake8 worker, may not)."""
    try:
        return not multiprocessing.current_process().daemon
    except Exception:
        return False


def summarise_in_workers(items: list[Item], jobs: int, timeout: float) -> list[Module]:
    """The summaries of ``items`` in order, computed by ``jobs`` worker processes."""
    return _Supervisor(items, jobs, timeout).run()


@dataclass
class _Worker:
    process: Any
    conn: Connection
    # the files handed out, in the order the worker summarises them, each answered on its own;
    # a batch is handed out only to an idle worker, so neither side ever blocks on a full pipe
    batch: deque[int] = field(default_factory=deque)
    started: float = 0.0  # when the worker began the file at the head of ``batch``


class _Supervisor:
    def __init__(self, items: list[Item], jobs: int, timeout: float) -> None:
        self.items = items
        self.jobs = max(1, min(jobs, len(items)))
        self.timeout = timeout
        self.results: list[Module | None] = [None] * len(items)
        self.todo: deque[int] = deque(range(len(items)))
        self.workers: list[_Worker] = []
        self.context = multiprocessing.get_context()

    def run(self) -> list[Module]:
        # the summaries received live to the end of the run: the collector scanning them again and again
        # as they pile up (most of this process's time on a big project) would find nothing to free
        with rarely(RECEIVING):
            return self._run()

    def _run(self) -> list[Module]:
        try:
            for _ in range(self.jobs):
                self.workers.append(self._start())
            while self.todo or any(w.batch for w in self.workers):
                for w in self.workers:
                    self._hand_out(w)
                busy = [w for w in self.workers if w.batch]
                now = time.monotonic()
                nearest = min(w.started + self._limit(w) for w in busy)
                for conn in wait([w.conn for w in busy], timeout=max(0.0, min(0.2, nearest - now))):
                    self._receive(next(w for w in busy if w.conn is conn))
                self._enforce_deadlines()
        finally:  # also on Ctrl-C: stop the workers now rather than after their files
            for w in self.workers:
                self._stop(w)
        return [m for m in self.results if m is not None]

    def _start(self) -> _Worker:
        parent, child = self.context.Pipe()
        # a forked worker inherits the main process's ends of every pipe, its own among them; it closes
        # them, or it would never see end-of-file on its pipe when the main process dies
        others = [parent, *(w.conn for w in self.workers)] if self.context.get_start_method() == "fork" else []
        process = self.context.Process(target=_serve, args=(child, others, os.getpid()),
                                       name="ctxlint-worker", daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def _stop(self, w: _Worker) -> None:
        if w.process.is_alive():
            w.process.kill()
        w.process.join(1)
        w.conn.close()

    def _limit(self, w: _Worker) -> float:
        return deadline(self.items[w.batch[0]], self.timeout)

    def _hand_out(self, w: _Worker) -> None:
        if w.batch or not self.todo:
            return
        size = 0
        while self.todo and len(w.batch) < _BATCH_FILES and (not w.batch or size < _BATCH_BYTES):
            w.batch.append(self.todo.popleft())
            size += len(self.items[w.batch[-1]][0])
        w.started = time.monotonic()
        try:
            w.conn.send([(i, self.items[i]) for i in w.batch])
        except OSError:  # the worker died: wait() reports its pipe, and _receive replaces it
            pass

    def _receive(self, w: _Worker) -> None:
        try:
            i, module = w.conn.recv()
        except (EOFError, OSError):
            self._replace(w, "the parser crashed on this file")
            return
        if w.batch and w.batch[0] == i:
            w.batch.popleft()
            self.results[i] = module
            progress.advance()
            w.started = time.monotonic()

    def _enforce_deadlines(self) -> None:
        now = time.monotonic()
        for w in self.workers:
            if w.batch and now - w.started > self._limit(w):
                self._replace(w, f"gave up after {self._limit(w):g} s (raise --parse-timeout, or exclude the file)")

    def _replace(self, w: _Worker, reason: str) -> None:
        """Kill ``w`` and start another in its place; its current file fails with ``reason``,
        the rest of its batch goes back to be handed out again."""
        from .summary import failed_module

        self._stop(w)
        if w.batch:
            i = w.batch.popleft()
            _, key, import_name, path, is_package = self.items[i]
            failed = failed_module(key, import_name, path, is_package, (reason, 1, 0))
            failed.transient = True
            self.results[i] = failed
            progress.advance()
            self.todo.extendleft(reversed(w.batch))
        fresh = self._start()
        w.process, w.conn, w.batch = fresh.process, fresh.conn, deque()


def _serve(conn: Connection, inherited: list[Connection], main_pid: int) -> None:
    """A worker: summarise each file it is sent, until the main process goes away."""
    import gc
    import signal

    from .summary import on_big_stack, summarise_one

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    gc.freeze()  # what the worker inherited stays out of the collector's sight (see collector.py)
    gc.set_threshold(*PARSING)
    for c in inherited:
        c.close()

    def loop() -> None:
        while True:
            try:
                while not conn.poll(1.0):
                    if os.getppid() != main_pid:  # the main process was killed
                        return
                batch = conn.recv()
            except (EOFError, OSError):
                return
            for i, item in batch:
                module = summarise_one(item)
                try:
                    conn.send((i, module))
                except OSError:
                    return

    on_big_stack(loop)
    os._exit(0)
