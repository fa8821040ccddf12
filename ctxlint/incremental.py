"""What a long-lived process (:class:`ctxlint.engine.Workspace`) keeps between analyses of one project.

* the summaries, by entry key (a source re-summarised only when its bytes changed);
* each file's bytes and entry key by its ``(size, mtime_ns, ctime_ns, inode)``: a file whose status is
  unchanged is neither read nor hashed again (an editor's buffer, passed in ``overrides``, is compared
  by its bytes).  A file modified within :data:`RACY_NS` before it was read is read again next time,
  as a change within the file system's timestamp resolution would not show;
* each module's *version*: it stays the same while the module's summary is equal to the last one
  (an edit to a comment, or a line appended after the code, changes the source but not what the
  analysis reads from it); and the findings of the last analysis with the versions, the discovery
  and the settings they came from: when those are all unchanged the findings are those (the analysis
  is a function of exactly these inputs), else the whole program is analysed again.

The first analysis is this path starting from nothing.
"""

from __future__ import annotations

import dataclasses
import os
import time
from typing import Callable

from .cache import entry_key
from .findings import Finding
from .model import Module

RACY_NS = 2_000_000_000

Stat = tuple[int, int, int, int]

# the fields of a summary the analysis reads (``lines`` counts the source's lines, for statistics)
_COMPARED = tuple(f.name for f in dataclasses.fields(Module) if f.name != "lines")


def same_summary(a: Module, b: Module) -> bool:
    return a is b or all(getattr(a, name) == getattr(b, name) for name in _COMPARED)


class Memory:
    def __init__(self) -> None:
        self.summaries: dict[str, Module] = {}  # by entry key
        self._sources: dict[str, tuple[Stat | None, bytes]] = {}  # abspath -> (its status when read, bytes)
        self._keys: dict[tuple[bytes, str, str, str, bool], str] = {}  # item -> entry key (this run's, last run's)
        self._versions: dict[str, tuple[str, Module, int]] = {}  # module path -> (entry key, summary, version)
        self._made = 0
        self._last: tuple[object, list[Finding]] | None = None

    # ---- reading ---------------------------------------------------------------------------------
    def read(self, path: str, overrides: dict[str, bytes] | None) -> bytes | str:
        """The file's bytes (an override's, or the file's, unread when its status is unchanged), or an error."""
        if overrides is not None and path in overrides:
            return overrides[path]
        try:
            st = os.stat(path)
        except OSError as exc:
            self._sources.pop(path, None)
            return exc.strerror or str(exc)
        stat: Stat = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        known = self._sources.get(path)
        if known is not None and known[0] == stat:
            return known[1]
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            self._sources.pop(path, None)
            return exc.strerror or str(exc)
        trusted = max(st.st_mtime_ns, st.st_ctime_ns) < time.time_ns() - RACY_NS
        self._sources[path] = (stat if trusted else None, data)
        return data

    def keys(self, items: list[tuple[bytes, str, str, str, bool]]) -> list[str]:
        """The entry key of each item; an item equal to one of the last analysis is not hashed again."""
        known, self._keys = self._keys, {}
        out: list[str] = []
        for item in items:
            k = known.get(item)
            if k is None:
                k = entry_key(*item)
            self._keys[item] = k
            out.append(k)
        return out

    def forget(self, live: set[str]) -> None:
        """Drop the sources of files no longer discovered."""
        for path in [p for p in self._sources if p not in live]:
            del self._sources[path]

    # ---- findings --------------------------------------------------------------------------------
    def version(self, key: str, mod: Module) -> int:
        """A number that changes when the summary at ``mod.path`` changes."""
        last = self._versions.get(mod.path)
        if last is not None and (last[0] == key or same_summary(last[1], mod)):
            version = last[2]
        else:
            self._made += 1
            version = self._made
        self._versions[mod.path] = (key, mod, version)
        return version

    def findings(self, keys: list[str], modules: list[Module], inputs: object,
                 compute: Callable[[], list[Finding]]) -> list[Finding]:
        """The findings of ``modules`` (entry ``keys``) with ``inputs`` (everything else the analysis reads):
        the last analysis's when all are unchanged, else ``compute()``'s."""
        versions = tuple((m.name, m.path, self.version(k, m), m.aliases, m.entry_ctx) for k, m in zip(keys, modules))
        live = {m.path for m in modules}
        for path in [p for p in self._versions if p not in live]:
            del self._versions[path]
        fingerprint = (versions, inputs)
        if self._last is not None and self._last[0] == fingerprint:
            return list(self._last[1])
        found = compute()
        transient = any(m.transient for m in modules)
        self._last = None if transient else (fingerprint, list(found))
        return found
