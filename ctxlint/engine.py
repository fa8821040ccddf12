"""The one engine behind the command line and the flake8 plugin.

discover files → summarise each module → build the call graph → propagate
contexts from the roots → findings.
"""

from __future__ import annotations

import multiprocessing
import os

from . import filestate, progress
from .cache import Cache, default_directory, entry_key, project_entry_key
from .collector import ANALYSING, discard, rarely
from .discover import Discovery, SourceFile, discover
from .filestate import read_source
from .findings import Finding
from .incremental import Memory
from .model import Module
from .options import Options, Result
from .shown import shown_findings
from .suppression import SourceLines, Suppressions
from .workers import DEFAULT_TIMEOUT, Item, can_fork_workers, summarise_in_workers


def _namespace_name(f: SourceFile, data: bytes) -> str:
    """The name a module's relative imports are resolved from (see filestate.namespace_name)."""
    return filestate.namespace_name(f, filestate.relative_climb(data))


def read_items(files: list[SourceFile], overrides: dict[str, bytes] | None, errors: list[str],
               memory: Memory | None = None) -> tuple[list[Item], list[SourceFile]]:
    """The source of each file with the names its summary needs (its absolute path: the engine's paths have one
    form); unreadable files go to ``errors``.  ``memory`` reads only files whose status changed."""
    kept: list[SourceFile] = []
    sources: list[bytes] = []
    for f in files:
        data = memory.read(f.abspath, overrides) if memory is not None else read_source(f, overrides)
        if isinstance(data, str):
            errors.append(f"{f.path}: {data}")
            continue
        kept.append(f)
        sources.append(data)
    items: list[Item] = [(data, key, _namespace_name(f, data), f.abspath, f.is_package)
                         for f, data, key in zip(kept, sources, filestate.module_keys(kept))]
    return items, kept


def summarise_files(files: list[SourceFile], overrides: dict[str, bytes] | None, errors: list[str],
                    options: Options | None = None, paths: list[str] | None = None) -> list[Module]:
    """Summaries of ``files``, from the cache where possible, the rest in parallel."""
    options = options or Options(use_cache=False, jobs=1)
    items, kept = read_items(files, overrides, errors)
    cache = Cache(options.cache_dir or default_directory(paths or ["."])) if options.use_cache else None
    return _summaries(items, kept, [entry_key(*item) for item in items], cache, options)


def _summaries(items: list[Item], kept: list[SourceFile], keys: list[str],
               cache: Cache | None, options: Options, memo: dict[str, Module] | None = None) -> list[Module]:
    """``memo`` (a long-lived process's summaries, by entry key) is looked at before the cache and keeps
    every summary made or read."""
    modules: list[Module | None] = [None] * len(items)
    todo: list[int] = []
    for i, k in enumerate(keys):
        cached = memo.get(k) if memo is not None else None
        if cached is None and cache is not None:
            cached = cache.get(k)
        if cached is not None:
            modules[i] = cached
        else:
            todo.append(i)
    if todo:
        progress.phase("parsing files", len(todo))
        fresh = summarise_parallel([items[i] for i in todo], options.jobs, options.parse_timeout)
        for i, mod in zip(todo, fresh):
            modules[i] = mod
            if cache is not None and not mod.transient:
                cache.put(keys[i], mod)
    if memo is not None:
        live = set(keys)
        for k in [k for k in memo if k not in live]:
            del memo[k]
        for k, kept_mod in zip(keys, modules):
            if kept_mod is not None and not kept_mod.transient:
                memo[k] = kept_mod
    out: list[Module] = []
    for f, found in zip(kept, modules):
        assert found is not None
        found.aliases = f.aliases if found.import_name == f.import_name else \
            (f.import_name, *(a for a in f.aliases if a != found.import_name))
        found.entry_ctx = f.entry_ctx
        out.append(found)
    return out


def _settings(options: Options) -> str:
    """Everything besides the sources that the findings depend on."""
    kb = options.knowledge
    return repr((options.select, options.ignore, kb.extended, kb.locals, kb.roots, kb.spawners, kb.followers,
                 kb.wrappers))


def summarise_parallel(items: list[Item], jobs: int | None, timeout: float = DEFAULT_TIMEOUT) -> list[Module]:
    """Summarise in supervised worker processes: a file that crashes the parser or passes its
    deadline costs only itself (CTX900), and Ctrl-C is seen at once."""
    from .summary import summarise_many

    if not items:
        return []
    # summarise here where workers cannot be started (inside a flake8 worker), or where each would be a
    # fresh interpreter (the spawn start method) and there is little to do
    if not can_fork_workers() or (multiprocessing.get_start_method() == "spawn" and len(items) < _SPAWN_MIN):
        return summarise_many(items)
    return summarise_in_workers(items, jobs or os.cpu_count() or 1, timeout)


_SPAWN_MIN = 32


def analyse(paths: list[str], options: Options | None = None, overrides: dict[str, bytes] | None = None,
            report_only: set[str] | None = None, memo: Memory | None = None) -> Result:
    """Analyse ``paths`` as one project.

    ``overrides`` maps absolute paths to source to use instead of the file on disk
    (an editor's unsaved buffer); ``report_only`` restricts findings to these
    absolute paths (pre-commit passes only the changed files); ``memo`` keeps the
    sources, summaries and findings in memory between calls (see :class:`Workspace`).
    """
    options = options or Options()
    found = discover(paths, options.respect_gitignore, options.exclude, virtual=overrides or ())
    errors = list(found.errors)
    if memo is not None:
        memo.forget({f.abspath for f in found.files})
    cache = Cache(options.cache_dir or default_directory(paths)) if options.use_cache else None
    modules: list[Module] = []
    # the findings of exactly this set of sources and settings, when nothing changed (the templates it renders
    # are read by the analysis: every file that can be one is in the key); a process without the sources in
    # memory reads only the files the stat index does not vouch for
    cached = None
    project_key: str | None = None
    if cache is not None and memo is None:
        index = filestate.StatIndex(filestate.index_path(cache.dir, paths))
        unread: list[str] = []
        known = filestate.known_files(found.files, overrides, unread, index)
        index.keep_only(f.abspath for f in found.files)
        index.save()
        inputs = _inputs(known.files, [fact.folders for fact in known.facts], found, options)
        project_key = _project_key(filestate.entry_keys(known.files, known.keys, known.facts), known.files, inputs)
        cached = cache.get_findings(project_key)
        if cached is not None:
            errors += unread
    if cached is not None:
        findings = cached
    else:
        items, kept = read_items(found.files, overrides, errors, memo)
        keys = memo.keys(items) if memo is not None else [entry_key(*item) for item in items]
        inputs = _inputs(kept, [filestate.folder_literals(item[0]) for item in items], found, options)
        project_key = _project_key(keys, kept, inputs) if cache is not None else None
        modules = _summaries(items, kept, keys, cache, options, memo.summaries if memo is not None else None)
        findings = memo.findings(keys, modules, inputs, lambda: findings_for(modules, options, found.entry_points)) \
            if memo is not None else findings_for(modules, options, found.entry_points)
        if project_key is not None and any(m.transient for m in modules):
            project_key = None
        if project_key is not None and cache is not None:
            cache.put_findings(project_key, findings)
    findings = shown_findings(list(findings), {f.abspath: f.path for f in found.files})
    if report_only is not None:
        keep = {os.path.abspath(p) for p in report_only}
        findings = [f for f in findings if os.path.abspath(f.path) in keep]
    if options.noqa:
        suppressions = Suppressions(SourceLines(overrides))
        findings = [f for f in findings if not suppressions.suppresses(f)]
    findings.sort(key=Finding.sort_key)
    return Result(findings, errors, len(found.files), modules, project_key)


def _inputs(files: list[SourceFile], folders: list[tuple[str, ...]], found: Discovery,
            options: Options) -> tuple[object, ...]:
    """Besides the sources, what the findings depend on: entry points, the templates (files in every folder
    that can hold them), the settings."""
    templates = filestate.template_fingerprint((f.abspath, names) for f, names in zip(files, folders))
    return (found.entry_points, templates, _settings(options))


def _project_key(keys: list[str], files: list[SourceFile], inputs: tuple[object, ...]) -> str:
    return project_entry_key(keys, ([(f.aliases, f.entry_ctx) for f in files], *inputs[:2]), str(inputs[2]))


def findings_for(modules: list[Module], options: Options,
                 entry_points: dict[str, tuple[str, ...]] | None = None) -> list[Finding]:
    from .analysis.program import Program as Graph
    from .propagate import Propagator
    from .rules import CHECKS, selected
    from .rules.messages import outcome_findings, parse_error_findings

    out: list[Finding] = parse_error_findings(modules)
    progress.phase(f"analysing {len(modules)} modules")
    with rarely(ANALYSING):
        graph = Graph(modules, options.knowledge, entry_points)
        for outcome in Propagator(graph).run():
            out.extend(outcome_findings(graph, outcome))
        for check in CHECKS:
            out.extend(check(graph))
        discard(graph, ("ctxlint.analysis.", "ctxlint.rules."))
    uniq: dict[tuple[str, int, str], Finding] = {}
    for f in out:
        if selected(f.code, options.select, options.ignore):
            uniq.setdefault((f.path, f.line, f.code), f)
    return list(uniq.values())


class Workspace:
    """One project analysed again and again by a long-lived process (the language server): the sources and
    summaries stay in memory (:class:`ctxlint.incremental.Memory`), so an analysis reads only files whose
    status changed and re-summarises only those whose source changed (an unsaved buffer is passed in
    ``overrides``), and gives the last findings again when no summary changed.  Its findings are those of a
    cold :func:`analyse`."""

    def __init__(self, paths: list[str], options: Options | None = None) -> None:
        self.paths = list(paths)
        self.options = options or Options()
        self.memory = Memory()
        self.runs = 0

    def analyse(self, overrides: dict[str, bytes] | None = None, report_only: set[str] | None = None) -> Result:
        self.runs += 1
        return analyse(self.paths, self.options, overrides, report_only, memo=self.memory)
