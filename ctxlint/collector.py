"""When Python's cyclic garbage collector runs during ctxlint's phases.

Each phase allocates millions of small objects that live to the end of the phase (libcst nodes while
parsing; in the main process, the summaries the workers send; summaries and resolved values while
analysing), so the collector's default schedule rescans them over and over: measured on a 1,300-file
project, about a third of the analysis and a fifth of the parsing went to it, and on a generated
200k-line project 2,700 collections (most of them full ones) while the main process received the
summaries.  Each phase therefore moves what already exists out of the
collector's sight (``gc.freeze``) and collects rarely, and the default schedule is restored after.
The cycles either phase makes are few and small, so memory grows by little.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

# objects allocated (net) before a young collection; Python's default is 700
PARSING = (20_000, 20, 50)
ANALYSING = (100_000, 20, 100)
# the main process while the workers summarise: it only unpickles the summaries they send
RECEIVING = ANALYSING


@contextmanager
def rarely(threshold: tuple[int, int, int]) -> Iterator[None]:
    """Collect on ``threshold`` instead of the default schedule, ignoring what exists already."""
    saved = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*threshold)
    try:
        yield
    finally:
        gc.set_threshold(*saved)
        gc.unfreeze()


def discard(obj: object, packages: tuple[str, ...]) -> None:
    """Drop the attributes of ``obj`` and of the objects of ``packages`` it reaches through attributes, so
    that a finished analysis (whose passes refer to each other) is freed as its last reference goes,
    not by a collection that scans it (about a sixth of a re-analysis in a long-lived process).  Only
    objects with a ``__dict__`` are emptied: the summaries (slotted) and what other code shares stay."""
    todo, seen = [obj], set()
    while todo:
        o = todo.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        attrs = getattr(o, "__dict__", None)
        if attrs is None or isinstance(o, type):
            continue
        for v in attrs.values():
            if (type(v).__module__ or "").startswith(packages) and not isinstance(v, type):
                todo.append(v)
        attrs.clear()
