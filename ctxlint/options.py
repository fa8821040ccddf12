"""What an analysis is run with and what it gives: shared by the engine, the shells and the fixes."""

from __future__ import annotations

from dataclasses import dataclass, field

from .findings import Finding
from .knowledge import Knowledge
from .model import Module
from .workers import DEFAULT_TIMEOUT


@dataclass
class Options:
    select: list[str] | None = None
    ignore: list[str] | None = None
    respect_gitignore: bool = True
    exclude: tuple[str, ...] = ()
    knowledge: Knowledge = field(default_factory=Knowledge)
    noqa: bool = True
    jobs: int | None = None  # processes for summarising; None: all cores
    cache_dir: str | None = None  # None: .ctxlint_cache at the project root
    use_cache: bool = True
    parse_timeout: float = DEFAULT_TIMEOUT  # seconds a file may take to summarise (more per MiB)


@dataclass
class Result:
    findings: list[Finding]
    errors: list[str]
    files: int
    modules: list[Module] = field(default_factory=list)
    # the cache's key of exactly these sources and settings (None: not cached); what was computed from the
    # findings alone (their fixes) can be cached under it
    key: str | None = None
