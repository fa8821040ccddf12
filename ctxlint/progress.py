"""A status line on stderr while a long run works: what it is doing, how far, and for how long.

The command line turns it on only when stderr is a terminal; it appears once the run has taken a
second (a quick run prints nothing), is redrawn a few times a second from a thread (the analysis
itself never waits for it), and is erased before the report is written.  The engine reports its
phases through :func:`phase` and :func:`advance`, which do nothing when no status line is on
(the flake8 plugin, pre-commit through a pipe, tests, the library).
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

DELAY = 1.0  # seconds before the line appears
TICK = 0.1  # seconds between redraws


class Progress:
    def __init__(self, stream: TextIO, delay: float | None = None, tick: float | None = None) -> None:
        self.stream = stream
        self.delay = DELAY if delay is None else delay
        self.tick = TICK if tick is None else tick
        self.start = time.monotonic()
        self.text = "reading files"
        self.done = 0
        self.total = 0
        self.shown = False
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="ctxlint-progress", daemon=True)

    def phase(self, text: str, total: int = 0) -> None:
        with self.lock:
            self.text, self.done, self.total = text, 0, total

    def advance(self, n: int = 1) -> None:
        with self.lock:
            self.done += n

    def line(self) -> str:
        with self.lock:
            count = f" {self.done}/{self.total}" if self.total else ""
            return f"ctxlint: {self.text}{count} … {time.monotonic() - self.start:.0f} s"

    def _run(self) -> None:
        if self.stopped.wait(self.delay):
            return
        last = ""
        while True:
            text = self.line()
            if text != last:  # redrawn when it changes, not on every tick
                self._write("\r\x1b[K" + text)
                self.shown, last = True, text
            if self.stopped.wait(self.tick):
                return

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def stop(self) -> None:
        """Stop and erase the line (output is about to be written); idempotent."""
        global _current
        if _current is self:
            _current = None
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join()
        if self.shown:
            self.shown = False
            self._write("\r\x1b[K")  # erase the line: what follows starts on a clean line

    def quiet(self, stream: TextIO) -> TextIO:
        """``stream``, stopping the line before the first thing written to it (a diff printed while the run is
        still inside this context)."""
        return _StopOnWrite(self, stream)  # type: ignore[return-value]

    def __enter__(self) -> Progress:
        global _current
        _current = self
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _StopOnWrite:
    def __init__(self, progress: Progress, stream: TextIO) -> None:
        self.progress = progress
        self.stream = stream

    def write(self, text: str) -> int:
        self.progress.stop()
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> object:
        return getattr(self.stream, name)


_current: Progress | None = None


def phase(text: str, total: int = 0) -> None:
    """The engine starts ``text`` (``total``: how many steps it has, if counted)."""
    if _current is not None:
        _current.phase(text, total)


def advance(n: int = 1) -> None:
    """The engine finished ``n`` more steps of its phase."""
    if _current is not None:
        _current.advance(n)
