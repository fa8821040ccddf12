"""The rules: one module per family, collected here.

* :mod:`.import_time` — CTX101
* :mod:`.threads` — CTX201, CTX202, CTX203, CTX204
* :mod:`.jobs` — CTX301, CTX302
* :mod:`.streaming` — CTX401
* :mod:`.app_only` — CTX501
* :mod:`.meta` — CTX900, CTX901, CTX001

A family module holds its rules' pages (:class:`~.base.Rule` subclasses), their hints
and the words their messages use for where the code runs (:class:`~.base.Boundary`),
and their fix makers.  Adding a rule is a class in its family's module (or a new
module listed in ``FAMILIES``) plus a fixture.  Rule selection (``select`` /
``ignore`` prefixes) is decided here for every shell.
"""

from __future__ import annotations

from . import app_only, import_time, jobs, meta, streaming, threads
from .base import Boundary, Rule

FAMILIES = (import_time, threads, jobs, streaming, app_only, meta)

RULES: dict[str, type[Rule]] = {r.code: r for family in FAMILIES for r in family.RULES}

# checks that look at calls themselves, not at what a root reaches: (graph) -> findings
CHECKS = (threads.proxy_sender_findings, meta.template_parse_findings)

# how messages describe where code runs, by root kind; other kinds get the default words
BOUNDARIES: dict[str, Boundary] = {kind: b for family in FAMILIES for b in family.BOUNDARIES for kind in b.kinds}
DEFAULT_BOUNDARY = Boundary()


def rules_table() -> str:
    """The README's rule table, made from the rules' pages (``ctxlint rule --all --format markdown``)."""
    rows = ["| code | name | finding | reported at |", "|---|---|---|---|"]
    for r in RULES.values():
        cells = [r.code, f"`{r.name}`", r.summary, r.reported_at]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows) + "\n"


def known_code(code: str) -> bool:
    """A rule code or a prefix of one (``CTX``, ``CTX2``, ``CTX201``)."""
    return any(c.startswith(code) for c in RULES)


def selected(code: str, select: list[str] | None, ignore: list[str] | None) -> bool:
    """ruff/flake8 semantics: the longest matching prefix of select and ignore wins."""
    best_sel = max((len(p) for p in (select or ["CTX"]) if code.startswith(p)), default=-1)
    best_ign = max((len(p) for p in (ignore or []) if code.startswith(p)), default=-1)
    return best_sel >= 0 and best_sel > best_ign
