"""Suppression comments, read one way by every shell.

``# noqa``, ``# noqa: CTX201,CTX202``, ``# ctxlint: ignore`` and
``# ctxlint: ignore[CTX201]`` on a finding's line suppress it; codes may be
prefixes (``CTX2``).  Comments are found with the tokenizer, so the same text in a
string suppresses nothing.  The engine (``Options.noqa``), the command line and
pre-commit use :class:`Suppressions`; the flake8 plugin leaves ``noqa`` to flake8
and honours ``ctxlint: ignore`` through :func:`directives`.
"""

from __future__ import annotations

import io
import os
import re
import tokenize
from dataclasses import dataclass

from .findings import Finding
from .rules.meta import UnusedSuppression


class SourceLines:
    """The text of the files findings point into, read once per run."""

    def __init__(self, overrides: dict[str, bytes] | None = None) -> None:
        self._data: dict[str, bytes | None] = {}
        self._lines: dict[str, list[str]] = {}
        self._overrides = overrides or {}

    def data(self, path: str) -> bytes | None:
        full = os.path.abspath(path)
        if full not in self._data:
            if full in self._overrides:
                self._data[full] = self._overrides[full]
            else:
                try:
                    with open(full, "rb") as fh:
                        self._data[full] = fh.read()
                except OSError:
                    self._data[full] = None
        return self._data[full]

    def lines(self, path: str) -> list[str]:
        full = os.path.abspath(path)
        if full not in self._lines:
            data = self.data(full)
            self._lines[full] = _decode(data).splitlines() if data is not None else []
        return self._lines[full]

    def line(self, path: str, line: int) -> str | None:
        lines = self.lines(path)
        return lines[line - 1] if 0 < line <= len(lines) else None


def _decode(data: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding, errors="replace")
    except (SyntaxError, LookupError):
        return data.decode("utf-8", errors="replace")


# A suppression comment: noqa, noqa with codes (``noqa: CTX201,CTX202``), ``ctxlint: ignore`` or
# ``ctxlint: ignore[CTX201]``; codes may be prefixes (``CTX2``).
_DIRECTIVE = re.compile(r"#\s*(?P<kind>noqa|ctxlint:\s*ignore)(?::\s*|\[\s*)?"
                        r"(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*)?\]?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Directive:
    line: int
    column: int  # 1-based, of the ``#``
    text: str  # as written
    tool: bool  # True: ctxlint's own spelling (``ctxlint: ignore``); False: noqa
    codes: tuple[str, ...] | None  # None: every code

    def matches(self, code: str) -> bool:
        return self.codes is None or any(code.startswith(c) for c in self.codes)


def directives(data: bytes) -> dict[int, list[Directive]]:
    """The suppression comments of a file by line (comments only, not strings)."""
    low = data.lower()
    if b"noqa" not in low and b"ctxlint" not in low:
        return {}
    out: dict[int, list[Directive]] = {}

    def add(line: int, col: int, comment: str) -> None:
        for m in _DIRECTIVE.finditer(comment):
            codes = m.group("codes")
            out.setdefault(line, []).append(Directive(
                line, col + m.start() + 1, m.group(0).rstrip(), not m.group("kind").lower().startswith("noqa"),
                tuple(c.upper() for c in re.split(r"[,\s]+", codes) if c) if codes else None))

    try:
        for tok in tokenize.tokenize(io.BytesIO(data).readline):
            if tok.type == tokenize.COMMENT:
                add(tok.start[0], tok.start[1], tok.string)
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError, ValueError):
        # a file Python cannot read (CTX900): look at the raw lines
        out.clear()
        for n, text in enumerate(_decode(data).splitlines(), start=1):
            i = text.find("#")
            if i >= 0:
                add(n, i, text[i:])
    return out


class Suppressions:
    """Which findings the comments on their lines suppress, and which comments suppress nothing."""

    def __init__(self, sources: SourceLines) -> None:
        self.sources = sources
        self._by_file: dict[str, dict[int, list[Directive]]] = {}

    def of(self, path: str) -> dict[int, list[Directive]]:
        full = os.path.abspath(path)
        if full not in self._by_file:
            data = self.sources.data(full)
            self._by_file[full] = directives(data) if data is not None else {}
        return self._by_file[full]

    def suppresses(self, f: Finding) -> bool:
        return any(d.matches(f.code) for d in self.of(f.path).get(f.line, ()))

    def unused(self, findings: list[Finding], paths: list[str]) -> list[Finding]:
        """CTX001 for each suppression in ``paths`` that matches none of ``findings`` on its line.

        ``findings`` are all the findings before any filtering, so a comment for a
        rule that is not selected still counts as used.  A bare ``# noqa`` and codes
        that are not ctxlint's belong to other tools and are never reported.
        """
        on_line: dict[tuple[str, int], list[str]] = {}
        for f in findings:
            on_line.setdefault((os.path.abspath(f.path), f.line), []).append(f.code)
        out: list[Finding] = []
        for path in paths:
            for line, ds in sorted(self.of(path).items()):
                codes_here = on_line.get((os.path.abspath(path), line), [])
                for d in ds:
                    if d.codes is None:
                        if d.tool and not codes_here:
                            msg = f"`{d.text}` suppresses no finding on this line"
                            out.append(self._finding(path, d, msg))
                        continue
                    ours = [c for c in d.codes if c.startswith("CTX")] if not d.tool else list(d.codes)
                    unused = [c for c in ours if not any(code.startswith(c) for code in codes_here)]
                    if not unused:
                        continue
                    if d.tool and len(unused) == len(d.codes):
                        msg = f"`{d.text}` suppresses no finding on this line"
                    else:
                        what = "code" if len(unused) == 1 else "codes"
                        msg = f"unused suppression {what} {', '.join(unused)} in `{d.text}`"
                    out.append(self._finding(path, d, msg))
        return out

    @staticmethod
    def _finding(path: str, d: Directive, msg: str) -> Finding:
        return UnusedSuppression.finding(path, d.line, d.column, d.text, msg)
