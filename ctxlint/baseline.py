"""Baselines: record today's findings, report only new ones from then on.

An entry identifies a finding by what survives unrelated edits: the file (relative
to the baseline file, so the baseline works from any directory), the code, the
functions on the call path, and the text of the boundary's line with its
whitespace collapsed.  Line numbers are kept for people reading the file but
never matched, so a line inserted above a finding does not make it new.  Two
identical entries stand for two findings.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

from . import __version__
from .findings import Finding
from .suppression import SourceLines

FORMAT = 1

Key = tuple[str, str, tuple[str, ...], str]


class BaselineError(Exception):
    """An unreadable or malformed baseline file."""


def _posix(path: str) -> str:
    return path.replace(os.sep, "/")


def source_text(f: Finding, sources: SourceLines) -> str:
    """The boundary's line, whitespace collapsed (empty when the file cannot be read)."""
    return " ".join((sources.line(f.path, f.line) or "").split())


def functions(f: Finding) -> tuple[str, ...]:
    return tuple(s.function for s in f.trace) or (f.function,)


def key(f: Finding, sources: SourceLines, relative_to: str) -> Key:
    """What a finding is matched on; paths relative to the directory ``relative_to``."""
    path = _posix(os.path.relpath(os.path.abspath(f.path), relative_to))
    return (path, f.code, functions(f), source_text(f, sources))


def fingerprint(f: Finding, sources: SourceLines, relative_to: str) -> str:
    """A stable hash of :func:`key` (SARIF ``partialFingerprints``)."""
    return hashlib.sha256(json.dumps(key(f, sources, relative_to)).encode()).hexdigest()[:32]


@dataclass
class Baseline:
    path: str
    entries: Counter[Key]

    @property
    def directory(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    def filter(self, findings: list[Finding], sources: SourceLines) -> tuple[list[Finding], int]:
        """The findings the baseline does not hold, and how many it held."""
        left = Counter(self.entries)
        new: list[Finding] = []
        known = 0
        for f in findings:
            k = key(f, sources, self.directory)
            if left[k] > 0:
                left[k] -= 1
                known += 1
            else:
                new.append(f)
        return new, known


def write(path: str, findings: list[Finding], sources: SourceLines) -> int:
    """Write the baseline of ``findings`` to ``path``; returns the number of entries."""
    directory = os.path.dirname(os.path.abspath(path))
    entries: list[dict[str, Any]] = []
    for f in findings:
        p, code, fns, text = key(f, sources, directory)
        entries.append({"path": p, "code": code, "functions": list(fns), "source": text,
                        "line": f.line, "message": f.message})
    entries.sort(key=lambda e: (e["path"], e["line"], e["code"], e["functions"], e["source"]))
    doc = {"ctxlint_baseline": FORMAT, "ctxlint_version": __version__,
           "comment": "Findings to leave unreported; matched on path, code, functions and source, not on line.",
           "findings": entries}
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None
    return len(entries)


def load(path: str) -> Baseline:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file (create it with --write-baseline {path})") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: not a ctxlint baseline (invalid JSON: {exc})") from None
    if not isinstance(doc, dict) or doc.get("ctxlint_baseline") != FORMAT or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"{path}: not a ctxlint baseline (expected an object with \"ctxlint_baseline\": {FORMAT} "
                            "and a \"findings\" array)")
    entries: Counter[Key] = Counter()
    for i, e in enumerate(doc["findings"]):
        try:
            fns = e["functions"]
            if not (isinstance(e["path"], str) and isinstance(e["code"], str) and isinstance(e["source"], str)
                    and isinstance(fns, list) and all(isinstance(x, str) for x in fns)):
                raise TypeError
        except (KeyError, TypeError):
            raise BaselineError(f"{path}: finding {i + 1} needs \"path\", \"code\", \"functions\" and \"source\"") \
                from None
        entries[(e["path"], e["code"], tuple(fns), e["source"])] += 1
    return Baseline(path, entries)
