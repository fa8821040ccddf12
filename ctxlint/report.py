"""Render findings for people (text) and for programs (json)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from .findings import Finding


def as_dict(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "message": f.message,
        "fix_hint": f.fix_hint,
        "function": f.function,
        "trace": [{"path": s.path, "line": s.line, "function": s.function, "note": s.note} for s in f.trace],
    }


def json_report(findings: list[Finding]) -> str:
    return json.dumps([as_dict(f) for f in findings], indent=2, ensure_ascii=False) + "\n"


def summary_line(findings: list[Finding], files: int) -> str:
    if not findings:
        return f"All clear: no context problems in {files} file{'s' if files != 1 else ''}."
    counts = Counter(f.code for f in findings)
    parts = ", ".join(f"{n} {code}" for code, n in sorted(counts.items()))
    n = len(findings)
    return f"Found {n} problem{'s' if n != 1 else ''} ({parts}) in {files} file{'s' if files != 1 else ''}."


def text_report(findings: list[Finding], files: int) -> str:
    out: list[str] = []
    for f in findings:
        out.append(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}")
        if len(f.trace) > 1:
            width = max(len(f"{s.path}:{s.line}") for s in f.trace)
            for s in f.trace:
                loc = f"{s.path}:{s.line}"
                out.append(f"    {loc:<{width}}  {s.function}: {s.note}")
    out.append(summary_line(findings, files))
    return "\n".join(out) + "\n"
