"""Paths as the user sees them.

Inside the engine every module path is absolute (one form: a module lookup compares the folders of
two modules, and a relative path cannot be compared with an absolute one).  Findings leave the
engine with the paths shown to the user: relative to the current directory when that is shorter
than going up two folders, absolute otherwise (:func:`ctxlint.discover.display_path`).
"""

from __future__ import annotations

import dataclasses
import os

from .discover import display_path
from .findings import Finding, Step


def shown_findings(findings: list[Finding], names: dict[str, str]) -> list[Finding]:
    """Copies of ``findings`` whose absolute paths (location, trace, target, uses, and the paths quoted in the
    message and hint) are the shown ones: ``names`` maps absolute paths to shown ones, other paths go through
    :func:`display_path`."""
    memo: dict[str, str] = {}

    def show(path: str) -> str:
        if not os.path.isabs(path):
            return path
        out = memo.get(path)
        if out is None:
            out = memo[path] = names.get(path) or display_path(path)
        return out

    out: list[Finding] = []
    for f in findings:
        quoted = {f.path, *(s.path for s in f.trace), *(u[0] for u in f.uses)}
        if f.target is not None:
            quoted.add(f.target[0])
        message, hint = f.message, f.fix_hint
        for p in sorted((p for p in quoted if os.path.isabs(p)), key=len, reverse=True):
            if p in message or p in hint:
                message, hint = message.replace(p, show(p)), hint.replace(p, show(p))
        out.append(dataclasses.replace(
            f, path=show(f.path), message=message, fix_hint=hint,
            trace=[Step(show(s.path), s.line, s.function, s.note) for s in f.trace],
            target=None if f.target is None else (show(f.target[0]), f.target[1], f.target[2]),
            uses=[(show(u[0]), u[1], u[2], u[3], u[4], u[5], u[6]) for u in f.uses],
            proxies=list(f.proxies)))
    return out
