"""What a run needs to know of each source file to find its cached summary, without reading it when it can.

A summary's cache key is a hash of the module's source and names (:func:`ctxlint.cache.entry_key`).  On a
warm run nothing changed, yet hashing every file means reading every file.  As ruff does, a file whose
size, modification time and mode are those recorded in the project's *stat index* after it was last hashed
is taken to hold the same bytes: its recorded facts (the hash of its content, how far its relative imports
climb, the template folders it names) stand in for its content.  Anything else is read and hashed again:
a file whose stat changed, one given as an override (standard input, an unsaved buffer), and one whose
modification time was too close to the moment it was recorded — an edit in the same tick of the file
system's clock leaves size and time as they were (git's "racy" entries), so such an entry is not trusted.
A checkout with new timestamps everywhere (a CI runner restoring the cache) misses the stat index, hashes
every file, and finds the same summaries.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

from .discover import SourceFile
from .fixing import atomic_write

# an entry recorded less than this long after its file's modification time is not trusted next time
RACY_NS = 2_000_000_000
_INDEX_FORMAT = 1

_RELATIVE_IMPORT = re.compile(rb"^[ \t]*from[ \t]+(\.+)", re.MULTILINE)
_FOLDER_LITERAL = re.compile(rb"""template_folder\s*=\s*[rRuU]?["']([^"'\\\n]+)["']""")


@dataclass(frozen=True, slots=True)
class Facts:
    """What the cache keys need of a file's content."""
    digest: bytes  # blake2b of the bytes
    climb: int  # the most dots of a relative import (0: none)
    folders: tuple[str, ...]  # literal template_folder= values

    @classmethod
    def of(cls, data: bytes) -> Facts:
        return cls(hashlib.blake2b(data, digest_size=20).digest(), relative_climb(data), folder_literals(data))


def relative_climb(data: bytes) -> int:
    """The most dots of a module's relative imports (0: none)."""
    if b"from ." not in data and b"from\t." not in data:
        return 0
    return max((len(dots) for dots in _RELATIVE_IMPORT.findall(data)), default=0)


def folder_literals(data: bytes) -> tuple[str, ...]:
    """The literal ``template_folder=`` values a module's source passes."""
    return tuple(m.group(1).decode("utf-8", "replace") for m in _FOLDER_LITERAL.finditer(data))


def namespace_name(f: SourceFile, climb: int) -> str:
    """The name a module's relative imports are resolved from: its own, unless they climb above its
    package, which only works inside a namespace package (folders without ``__init__.py``): then its
    name in that namespace."""
    if not f.aliases or not climb:
        return f.import_name
    depth = f.import_name.count(".") + (1 if f.is_package else 0)
    if climb <= depth:
        return f.import_name
    for alias in f.aliases:
        if alias.count(".") + (1 if f.is_package else 0) >= climb:
            return alias
    return f.import_name


def read_source(f: SourceFile, overrides: dict[str, bytes] | None) -> bytes | str:
    """The file's bytes, or an error message."""
    if overrides is not None and f.abspath in overrides:
        return overrides[f.abspath]
    try:
        with open(f.abspath, "rb") as fh:
            return fh.read()
    except OSError as exc:
        return exc.strerror or str(exc)


def module_keys(files: list[SourceFile]) -> list[str]:
    """Each file's module key: its import name, with ``@2``, ``@3``... for a name taken already."""
    used: dict[str, int] = {}
    out: list[str] = []
    for f in files:
        key = f.import_name
        if key in used:
            used[key] += 1
            key = f"{key}@{used[key]}"
        else:
            used[key] = 1
        out.append(key)
    return out


def template_folders(files: Iterable[tuple[str, tuple[str, ...]]]) -> list[str]:
    """Every folder a project's templates can be in, from its files alone (no analysis): ``templates``
    next to each module and the literal ``template_folder=`` values its modules pass.  A superset of the
    folders the analysis finds, for the findings cache's key."""
    out: set[str] = set()
    for path, literals in files:
        here = os.path.dirname(path)
        out.add(os.path.normpath(os.path.join(here, "templates")))
        for folder in literals:
            out.add(os.path.normpath(os.path.join(here, folder)))
    return sorted(d for d in out if os.path.isdir(d))


def template_fingerprint(files: Iterable[tuple[str, tuple[str, ...]]]) -> tuple[tuple[str, int, int], ...]:
    """(path, size, mtime) of every file in the candidate template folders."""
    out: list[tuple[str, int, int]] = []
    for folder in template_folders(files):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                p = os.path.join(dirpath, name)
                try:
                    st = os.stat(p)
                except OSError:
                    continue
                out.append((p, st.st_size, st.st_mtime_ns))
    return tuple(out)


# ---- the stat index ------------------------------------------------------------------------------

Stat = tuple[int, int, int]  # size, mtime_ns, mode


def _stat(path: str) -> Stat | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_mode


class StatIndex:
    """abspath -> (stat, facts) for the files of one project, trusted while the stat is unchanged."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.entries: dict[str, tuple[Stat, Facts]] = {}
        self.changed = False
        self.hits = 0
        self.misses = 0
        if path is not None:
            try:
                with open(path, "rb") as fh:
                    data = pickle.load(fh)
                if isinstance(data, tuple) and len(data) == 2 and data[0] == _INDEX_FORMAT:
                    self.entries = data[1]
            except Exception:  # missing, unreadable or from elsewhere: every file is hashed
                self.entries = {}

    def facts(self, abspath: str) -> Facts | None:
        """The recorded facts of the file, when its stat is the one recorded (None: read and hash it)."""
        entry = self.entries.get(abspath)
        if entry is None:
            self.misses += 1
            return None
        if _stat(abspath) != entry[0]:
            self.misses += 1
            return None
        self.hits += 1
        return entry[1]

    def record(self, abspath: str, stat: Stat | None, facts: Facts) -> None:
        """Remember the facts of a file read with ``stat`` (taken before reading it); not when its modification
        time is so recent that an edit in the same tick would go unseen."""
        if stat is None or stat[1] > time.time_ns() - RACY_NS:
            if self.entries.pop(abspath, None) is not None:
                self.changed = True
            return
        if self.entries.get(abspath) != (stat, facts):
            self.entries[abspath] = (stat, facts)
            self.changed = True

    def keep_only(self, abspaths: Iterable[str]) -> None:
        live = set(abspaths)
        for p in [p for p in self.entries if p not in live]:
            del self.entries[p]
            self.changed = True

    def save(self) -> None:
        if self.path is None or not self.changed:
            return
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            atomic_write(self.path, pickle.dumps((_INDEX_FORMAT, self.entries), protocol=pickle.HIGHEST_PROTOCOL),
                         durable=False)
            self.changed = False
        except OSError:
            pass  # an index that cannot be written only costs time


def index_path(cache_dir: str, paths: list[str]) -> str:
    """The stat index of the project analysed from ``paths``, in the cache's directory for this version: one
    per set of directories given (the files named with them, as pre-commit names the changed ones, do not
    make another, which would be written anew for every commit)."""
    h = hashlib.blake2b(digest_size=10)
    for p in sorted(os.path.abspath(p) for p in [p for p in paths if os.path.isdir(p)] or paths):
        h.update(os.fsencode(p) + b"\0")
    return os.path.join(cache_dir, "stat", h.hexdigest())


@dataclass
class Known:
    """The files of a run with the facts of each, from the stat index or read (``data``, for those read)."""
    files: list[SourceFile]
    keys: list[str]  # module keys
    facts: list[Facts]
    data: dict[str, bytes]  # abspath -> bytes, of the files read on the way


def known_files(files: list[SourceFile], overrides: dict[str, bytes] | None, errors: list[str],
                index: StatIndex) -> Known:
    """Each readable file's facts: recorded ones where the stat index holds the file unchanged, the rest read
    (and recorded).  Unreadable files go to ``errors``."""
    kept: list[SourceFile] = []
    facts: list[Facts] = []
    data: dict[str, bytes] = {}
    for f in files:
        fact = None if overrides is not None and f.abspath in overrides else index.facts(f.abspath)
        if fact is None:
            stat = _stat(f.abspath)
            got = read_source(f, overrides)
            if isinstance(got, str):
                errors.append(f"{f.path}: {got}")
                continue
            fact = Facts.of(got)
            data[f.abspath] = got
            if overrides is None or f.abspath not in overrides:
                index.record(f.abspath, stat, fact)
        kept.append(f)
        facts.append(fact)
    return Known(kept, module_keys(kept), facts, data)


def entry_keys(files: list[SourceFile], keys: list[str], facts: list[Facts]) -> list[str]:
    """The summaries' cache keys (:func:`ctxlint.cache.entry_key`) from the files' facts."""
    from .cache import entry_key_of

    return [entry_key_of(fact.digest, key, namespace_name(f, fact.climb), f.abspath, f.is_package)
            for f, key, fact in zip(files, keys, facts)]
