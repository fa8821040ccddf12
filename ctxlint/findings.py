"""Findings: plain data, what every rule reports and every shell renders.

The rules themselves (their pages, messages and fixes) are in :mod:`ctxlint.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Step:
    path: str
    line: int
    function: str
    note: str


@dataclass(slots=True)
class Finding:
    code: str
    path: str
    line: int
    column: int  # 1-based
    end_line: int
    end_column: int
    message: str
    fix_hint: str
    trace: list[Step] = field(default_factory=list)
    function: str = ""  # the function the boundary is in (for baselines)
    # For fixes: where the root runs ("thread", "job", "import", "stream", "with", "app", "handover"),
    # the function started at the boundary (path, def line, qualified name), and every use reached
    # without its context as
    # (path, line, column, end_line, end_column, text, qualified name of the function it is in), 1-based columns.
    kind: str = ""
    target: tuple[str, int, str] | None = None
    uses: list[tuple[str, int, int, int, int, str, str]] = field(default_factory=list)
    proxies: list[str] = field(default_factory=list)  # CTX203: the proxies handed over
    process: bool = False  # the boundary starts another process, not a thread

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)
