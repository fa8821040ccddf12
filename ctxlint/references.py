"""How often a project refers to a name, worked out once per fix context rather than once per fix.

A fix that gives a function new parameters is safe only when nothing else calls the function: it counts
the project's references to the name (:func:`ctxlint.hoisting.references`).  Scanning every file of the
project for each finding made the JSON and SARIF output quadratic in the number of findings (a
2.4-million-line project still computing fixes after 20 minutes).  Here the project's files are scanned
once for every name the findings may ask about (``expect``), each file's references are counted once
(parsing only the files that hold the word), and a name asked about without notice costs one more scan.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any, Protocol

from .fixing import FixError, SourceText


class FixContext(Protocol):
    """What the count needs of :class:`ctxlint.rewrite.FixContext` (which holds a :class:`References`)."""
    sources: Any

    def project_files(self, path: str) -> list[str]: ...

    def unit(self, path: str) -> Any: ...

_WORD = re.compile(r"\w+")
_WORDLIKE = re.compile(r"\w+\Z")


class References:
    """The references of one fix context's project: files holding a word, and each file's count."""

    def __init__(self, ctx: FixContext) -> None:
        self.ctx = ctx
        self.expected: set[str] = set()
        self.holding: dict[str, list[str]] = {}  # name -> project files whose text holds the word
        self.counts: dict[str, Counter[str] | None] = {}  # path -> references by name (None: does not parse)
        self.scans = 0  # passes over the project's files (one per batch of names, not per finding)

    def expect(self, names: Iterable[str]) -> None:
        """Names fixes will ask about: found together in the next pass over the files."""
        self.expected |= {n for n in names if n and _WORDLIKE.match(n) and n not in self.holding}

    def count(self, name: str, where: str) -> int:
        """How often the project of ``where`` refers to ``name`` besides defining and importing it."""
        files = self.ctx.project_files(where)
        if not _WORDLIKE.match(name):  # never an identifier the word index holds: the plain scan
            word = re.compile(rf"\b{re.escape(name)}\b")
            return sum(self._in_file(path, name) for path in files if word.search(self._text(path) or ""))
        if name not in self.holding:
            self._scan(files, {name} | self.expected)
        return sum(self._in_file(path, name) for path in self.holding[name])

    def _scan(self, files: list[str], names: set[str]) -> None:
        self.scans += 1
        names = {n for n in names if n not in self.holding}
        for n in names:
            self.holding[n] = []
        self.expected -= names
        for path in files:
            text = self._text(path)
            if text is None:
                continue
            for n in names.intersection(_WORD.findall(text)):
                self.holding[n].append(path)

    def _text(self, path: str) -> str | None:
        """The file's text, read without keeping it (the sources keep the files fixes parse)."""
        sources = self.ctx.sources
        try:
            known = sources.texts.get(path)
            return (known or SourceText.read(path)).text
        except FixError:
            return None

    def _in_file(self, path: str, name: str) -> int:
        if path not in self.counts:
            if self.ctx.sources.has_unit(path):
                self.counts[path] = _references(self.ctx.unit(path).module)
            else:
                self.counts[path] = _references(self._parse(path))
        found = self.counts[path]
        return 1 if found is None else found[name]

    def _parse(self, path: str) -> Any:
        """The file's tree, not kept (as :class:`ctxlint.rewrite.Unit` parses it); None when it does not parse."""
        import libcst as cst

        text = self._text(path)
        if text is None:
            return None
        try:
            return cst.parse_module(text)
        except (cst.ParserSyntaxError, RecursionError):
            return None


def _references(module: Any) -> Counter[str] | None:
    """The names a file refers to, how often: every ``Name`` but a definition's, an import's, a parameter's
    or a keyword argument's (None: the file does not parse)."""
    import libcst as cst

    from .cstwalk import children

    if module is None:
        return None
    out: Counter[str] = Counter()
    parent: dict[int, Any] = {}
    stack = [module]
    while stack:
        n = stack.pop()
        kids = children(n)
        for kid in kids:
            parent[id(kid)] = n
        stack.extend(kids)
        if isinstance(n, cst.Name):
            p = parent.get(id(n))
            if isinstance(p, (cst.ImportAlias, cst.AsName, cst.Param)):
                continue
            if isinstance(p, (cst.FunctionDef, cst.ClassDef)) and p.name is n:
                continue
            if isinstance(p, cst.Arg) and p.keyword is n:
                continue
            if isinstance(p, cst.Attribute) and p.attr is n and isinstance(parent.get(id(p)), cst.ImportAlias):
                continue
            out[n.value] += 1
    return out
