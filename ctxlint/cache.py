"""Per-module summaries on disk, so a re-run reads only what changed.

A summary depends only on the module's source, its names (dotted name, key,
absolute path) and ctxlint's own version: knowledge and settings are applied
later, to the call graph, which is rebuilt on every run.  So an entry's key is
a hash of exactly those, and each version of ctxlint keeps its own directory.
Entries are written to a temporary file and renamed, so concurrent runs and a
run killed halfway never leave a partial entry; an entry that cannot be read
is ignored and written again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys

from . import __version__
from .discover import find_project_root
from .findings import Finding
from .fixing import atomic_write
from .model import Module

# Bump when the summary format changes without a version change.
FORMAT = 5
DIRNAME = ".ctxlint_cache"


_CODE_HASH: str | None = None


def _code_hash() -> str:
    """A hash of ctxlint's own code: a changed checkout (same version number) never reads old entries."""
    global _CODE_HASH
    if _CODE_HASH is None:
        h = hashlib.blake2b(digest_size=6)
        here = os.path.dirname(os.path.abspath(__file__))
        for directory, subdirs, names in os.walk(here):
            subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
            for name in sorted(names):
                if name.endswith(".py"):
                    path = os.path.join(directory, name)
                    try:
                        with open(path, "rb") as fh:
                            h.update(os.path.relpath(path, here).encode() + b"\0" + fh.read())
                    except OSError:
                        pass
        _CODE_HASH = h.hexdigest()
    return _CODE_HASH


def _namespace() -> str:
    return f"v{__version__}-f{FORMAT}-py{sys.version_info[0]}{sys.version_info[1]}-{_code_hash()}"


def entry_key(source: bytes, key: str, import_name: str, path: str, is_package: bool) -> str:
    return entry_key_of(hashlib.blake2b(source, digest_size=20).digest(), key, import_name, path, is_package)


def entry_key_of(digest: bytes, key: str, import_name: str, path: str, is_package: bool) -> str:
    """:func:`entry_key` from the blake2b digest (20 bytes) of the source (see :mod:`ctxlint.filestate`)."""
    h = hashlib.blake2b(digest_size=20)
    h.update(digest)
    h.update(b"\0".join(x.encode("utf-8", "surrogateescape") for x in (key, import_name, path, str(is_package))))
    return h.hexdigest()


def project_entry_key(keys: list[str], extra: object, settings: str) -> str:
    h = hashlib.blake2b(digest_size=20)
    for k in keys:
        h.update(k.encode())
    h.update(repr(extra).encode("utf-8", "surrogateescape"))
    h.update(settings.encode("utf-8", "surrogateescape"))
    return "p" + h.hexdigest()


class Cache:
    def __init__(self, directory: str) -> None:
        self.root = directory
        self.dir = os.path.join(directory, _namespace())
        self.hits = 0
        self.misses = 0
        self._ready = False

    def _ensure(self) -> bool:
        if self._ready:
            return True
        try:
            if not os.path.isdir(self.dir):
                self._drop_other_versions()
            os.makedirs(self.dir, exist_ok=True)
            ignore = os.path.join(self.root, ".gitignore")
            if not os.path.exists(ignore):
                with open(ignore, "w", encoding="utf-8") as fh:
                    fh.write("# created by ctxlint\n*\n")
        except OSError:
            return False
        self._ready = True
        return True

    def _drop_other_versions(self) -> None:
        """Entries of other ctxlint versions are never read again: remove them (best effort)."""
        import shutil

        try:
            names = os.listdir(self.root)
        except OSError:
            return
        for name in names:
            if name.startswith("v") and os.path.join(self.root, name) != self.dir:
                shutil.rmtree(os.path.join(self.root, name), ignore_errors=True)

    def _load(self, key: str) -> object:
        try:
            with open(os.path.join(self.dir, key[:2], key), "rb") as fh:
                return pickle.load(fh)
        except Exception:  # missing, unreadable, truncated or from elsewhere: a miss
            return None

    def get(self, key: str) -> Module | None:
        mod = self._load(key)
        if not isinstance(mod, Module):
            self.misses += 1
            return None
        self.hits += 1
        return mod

    def get_findings(self, key: str) -> list[Finding] | None:
        found = self._load(key)
        if isinstance(found, list) and all(isinstance(f, Finding) for f in found):
            return found
        return None

    def put_findings(self, key: str, findings: list[Finding]) -> None:
        self.put(key, findings)

    def put(self, key: str, mod: object) -> None:
        if not self._ensure():
            return
        sub = os.path.join(self.dir, key[:2])
        try:
            os.makedirs(sub, exist_ok=True)
            atomic_write(os.path.join(sub, key), pickle.dumps(mod, protocol=pickle.HIGHEST_PROTOCOL), durable=False)
        except (OSError, pickle.PicklingError, RecursionError):
            pass  # a cache that cannot be written only costs time


def default_directory(paths: list[str]) -> str:
    first = paths[0] if paths else "."
    return os.path.join(find_project_root(first), DIRNAME)
