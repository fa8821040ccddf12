"""The fixes of a run's findings, cached with its findings: a warm run reports ``[*]`` marks and the JSON and
SARIF fixes without parsing a file.

A finding's fix depends on the finding and on the sources it was found in; both are fixed by the analysis's
cache key (:attr:`ctxlint.options.Result.key`: a hash of every source, its names and the settings).  So the
fixes computed for the findings of one key are stored under that key (with the working directory, which the
paths the edits name are relative to, and the paths analysed) and read back on the next run of the same
sources.  A finding not stored yet (another selection showed it for the first time) is computed and added.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import Any

from .cache import Cache, default_directory
from .findings import Finding
from .fixing import SAFE, SUGGESTION, UNSAFE
from .options import Options
from .report import Fixable

FixJson = dict[str, Any]


def _entry(key: str, paths: Sequence[str]) -> str:
    h = hashlib.blake2b(digest_size=20)
    h.update(key.encode())
    h.update(b"\0" + os.fsencode(os.getcwd()))
    for p in paths:
        h.update(b"\0" + os.fsencode(p))
    return "x" + h.hexdigest()


def _identity(f: Finding) -> str:
    return hashlib.blake2b(repr(f).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def fixes_json(findings: Sequence[Finding], paths: Sequence[str], options: Options,
               overrides: dict[str, bytes] | None, key: str | None) -> list[FixJson]:
    """``fixes.fixes_as_json`` of ``findings``, from the cache where the analysis's ``key`` has them."""
    if not findings:
        return []
    if key is None or not options.use_cache:
        from .fixes import fixes_as_json

        return fixes_as_json(findings, paths, options, overrides)
    cache = Cache(options.cache_dir or default_directory(list(paths)))
    entry = _entry(key, paths)
    stored = cache._load(entry)
    known: dict[str, FixJson] = stored if isinstance(stored, dict) else {}
    ids = [_identity(f) for f in findings]
    missing = [(i, f) for i, f in zip(ids, findings) if i not in known]
    if missing:
        from .fixes import fixes_as_json

        for (i, _), fix in zip(missing, fixes_as_json([f for _, f in missing], paths, options, overrides)):
            known[i] = fix
        cache.put(entry, known)
    return [known[i] for i in ids]


def fixable(findings: Sequence[Finding], paths: Sequence[str], options: Options, unsafe: bool,
            overrides: dict[str, bytes] | None, key: str | None) -> Fixable:
    """``fixes.fixable`` (the text report's ``[*]`` marks) from the fixes :func:`fixes_json` gives."""
    applicabilities = [fix["applicability"] if fix["edits"] else SUGGESTION
                       for fix in fixes_json(findings, paths, options, overrides, key)]
    return Fixable([a == SAFE or unsafe and a == UNSAFE for a in applicabilities],
                   0 if unsafe else applicabilities.count(UNSAFE), unsafe)
