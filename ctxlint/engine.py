"""The one engine behind the command line and the flake8 plugin.

discover files → summarise each module → build the call graph → propagate
contexts from the roots → findings.
"""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass, field

from . import knowledge as K
from .cache import Cache, default_directory, entry_key, project_entry_key
from .discover import SourceFile, discover
from .findings import RULES, Finding, Step, selected
from .graph import Graph, Root, Use, short_name
from .knowledge import Knowledge
from .model import Module
from .propagate import Outcome, Propagator, Violation, walk_back
from .suppression import SourceLines, Suppressions
from .workers import DEFAULT_TIMEOUT, Item, can_fork_workers, summarise_in_workers


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


def read_source(f: SourceFile, overrides: dict[str, bytes] | None) -> bytes | str:
    """The file's bytes, or an error message."""
    if overrides is not None and f.abspath in overrides:
        return overrides[f.abspath]
    try:
        with open(f.abspath, "rb") as fh:
            return fh.read()
    except OSError as exc:
        return exc.strerror or str(exc)


def read_items(files: list[SourceFile], overrides: dict[str, bytes] | None,
               errors: list[str]) -> tuple[list[Item], list[SourceFile]]:
    """The source of each file with the names its summary needs; unreadable files go to ``errors``."""
    items: list[Item] = []
    kept: list[SourceFile] = []
    used: dict[str, int] = {}
    for f in files:
        data = read_source(f, overrides)
        if isinstance(data, str):
            errors.append(f"{f.path}: {data}")
            continue
        key = f.import_name
        if key in used:
            used[key] += 1
            key = f"{key}@{used[key]}"
        else:
            used[key] = 1
        items.append((data, key, f.import_name, f.path, f.is_package))
        kept.append(f)
    return items, kept


def summarise_files(files: list[SourceFile], overrides: dict[str, bytes] | None, errors: list[str],
                    options: Options | None = None, paths: list[str] | None = None) -> list[Module]:
    """Summaries of ``files``, from the cache where possible, the rest in parallel."""
    options = options or Options(use_cache=False, jobs=1)
    items, kept = read_items(files, overrides, errors)
    cache = Cache(options.cache_dir or default_directory(paths or ["."])) if options.use_cache else None
    return _summaries(items, kept, [entry_key(*item) for item in items], cache, options)


def _summaries(items: list[Item], kept: list[SourceFile], keys: list[str],
               cache: Cache | None, options: Options) -> list[Module]:
    modules: list[Module | None] = [None] * len(items)
    todo: list[int] = []
    for i, k in enumerate(keys):
        cached = cache.get(k) if cache is not None else None
        if cached is not None:
            modules[i] = cached
        else:
            todo.append(i)
    if todo:
        fresh = summarise_parallel([items[i] for i in todo], options.jobs, options.parse_timeout)
        for i, mod in zip(todo, fresh):
            modules[i] = mod
            if cache is not None and not mod.transient:
                cache.put(keys[i], mod)
    out: list[Module] = []
    for f, found in zip(kept, modules):
        assert found is not None
        found.aliases = f.aliases
        found.entry_ctx = f.entry_ctx
        out.append(found)
    return out


def _settings(options: Options) -> str:
    """Everything besides the sources that the findings depend on."""
    kb = options.knowledge
    return repr((options.select, options.ignore, kb.locals, kb.roots, kb.spawners, kb.followers, kb.wrappers))


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
            report_only: set[str] | None = None) -> Result:
    """Analyse ``paths`` as one project.

    ``overrides`` maps absolute paths to source to use instead of the file on disk
    (an editor's unsaved buffer); ``report_only`` restricts findings to these
    absolute paths (pre-commit passes only the changed files).
    """
    options = options or Options()
    found = discover(paths, options.respect_gitignore, options.exclude)
    errors = list(found.errors)
    items, kept = read_items(found.files, overrides, errors)
    keys = [entry_key(*item) for item in items]
    cache = Cache(options.cache_dir or default_directory(paths)) if options.use_cache else None
    modules: list[Module] = []
    # the findings of exactly this set of sources and settings, when nothing changed
    project_key = project_entry_key(keys, [(f.aliases, f.entry_ctx) for f in kept], _settings(options))
    cached = cache.get_findings(project_key) if cache is not None else None
    if cached is not None:
        findings = cached
    else:
        modules = _summaries(items, kept, keys, cache, options)
        findings = findings_for(modules, options)
        if cache is not None and not any(m.transient for m in modules):
            cache.put_findings(project_key, findings)
    findings = list(findings)
    if report_only is not None:
        keep = {os.path.abspath(p) for p in report_only}
        findings = [f for f in findings if os.path.abspath(f.path) in keep]
    if options.noqa:
        suppressions = Suppressions(SourceLines(overrides))
        findings = [f for f in findings if not suppressions.suppresses(f)]
    findings.sort(key=Finding.sort_key)
    return Result(findings, errors, len(found.files), modules)


def findings_for(modules: list[Module], options: Options) -> list[Finding]:
    out: list[Finding] = []
    for m in modules:
        if m.error is not None:
            msg, line, col = m.error
            out.append(Finding("CTX900", m.path, max(line, 1), col + 1, max(line, 1), col + 1,
                               f"cannot parse: {msg}", RULES["CTX900"].hint))
    graph = Graph(modules, options.knowledge)
    for outcome in Propagator(graph).run():
        out.extend(_outcome_findings(graph, outcome))
    uniq: dict[tuple[str, int, str], Finding] = {}
    for f in out:
        if selected(f.code, options.select, options.ignore):
            uniq.setdefault((f.path, f.line, f.code), f)
    return list(uniq.values())


# ---- turning outcomes into findings -------------------------------------------------------------

def _where(graph: Graph, use_path: str, use: Use) -> str:
    return f"{use_path}:{use.pos[0]}"


def _outcome_findings(graph: Graph, outcome: Outcome) -> list[Finding]:
    root = outcome.root
    found: list[Finding] = []
    if outcome.proxies:
        names = sorted({p[0] for p in outcome.proxies})
        what = " and ".join(f"the `{n}` proxy" for n in names)
        target = outcome.boundary_text
        msg = (f"{what} is handed to {_article(root.label)} {root.label} ({target}); "
               f"{RULES['CTX203'].hint}")
        f203 = _finding("CTX203", root, msg, RULES["CTX203"].hint,
                        [Step(root.path, root.pos[0], short_name(root.func), f"hands {names[0]} to {target}")])
        f203.proxies = names
        found.append(f203)
    by_code: dict[str, list[Violation]] = {}
    for v in outcome.violations:
        by_code.setdefault(v.code, []).append(v)
    if "CTX201" in by_code:
        by_code.pop("CTX202", None)
    if "CTX301" in by_code:
        by_code.pop("CTX302", None)
    for code, vs in by_code.items():
        first = vs[0]
        distinct = {(_fn_path(graph, v.state[0]), v.use.pos[0], v.use.text) for v in vs}
        more = len(distinct) - 1
        steps = list(walk_back(outcome, first.state))
        functions = [s[0][0] for s in steps] + [first.state[0]]
        trace = [_boundary_step(graph, outcome)]
        for state, act in steps:
            trace.append(Step(_fn_path(graph, state[0]), act.pos[0], short_name(state[0]),
                              f"calls {getattr(act, 'text', '') or 'wrapped function'}"))
        use_path = _fn_path(graph, first.state[0])
        trace.append(Step(use_path, first.use.pos[0], short_name(first.state[0]), f"uses {first.use.text}"))
        via_names = [short_name(q) + "()" for q in functions[1:]]
        via = f" via {' → '.join(via_names)}" if via_names else ""
        reached = f"{first.use.text} ({use_path}:{first.use.pos[0]}{f', +{more} more' if more else ''})"
        hint = _hint(code, root, first)
        if root.kind == "import":
            via_names = via_names[1:]
            via = f" via {' → '.join(via_names)}" if via_names else ""
        decorated = short_name(root.chain[-1][0]) + "()"
        if root.via and decorated in via_names:  # the decorator's closure and the function are the subject
            via_names = via_names[via_names.index(decorated) + 1:]
            via = f" via {' → '.join(via_names)}" if via_names else ""
        msg = f"{_subject(graph, root, outcome, code, functions, reached)}{via}"
        if code == "CTX401":
            msg += " after the view returned"
        msg += f"; {hint}"
        found.append(_finding(code, root, msg, hint, trace, graph, vs))
    return found


def _article(label: str) -> str:
    return "an" if label[:1].lower() in "aeiou" else "a"


def _fn_path(graph: Graph, qual: str) -> str:
    return graph.module_of(qual).path


def _finding(code: str, root: Root, msg: str, hint: str, trace: list[Step], graph: Graph | None = None,
             violations: list[Violation] | None = None) -> Finding:
    line, col, end_line, end_col = root.pos
    if end_line != line:
        end_line, end_col = line, col + 1
    f = Finding(code, root.path, line, col + 1, end_line, end_col + 1, msg, hint, trace, short_name(root.func))
    f.kind = root.kind
    f.process = root.process
    if graph is not None:
        entry = root.chain[-1][0]
        fn = graph.functions.get(entry)
        if fn is not None and root.kind not in ("import", "with", "handover"):
            f.target = (graph.module_of(entry).path, fn.pos[0], entry)
        seen = set()
        for v in violations or []:
            path = graph.module_of(v.state[0]).path
            p = v.use.pos
            key = (path, p[0], p[1], v.use.text)
            if key not in seen:
                seen.add(key)
                f.uses.append((path, p[0], p[1] + 1, p[2], p[3] + 1, v.use.text, v.state[0]))
    return f


def _boundary_step(graph: Graph, outcome: Outcome) -> Step:
    root = outcome.root
    if root.via:
        path, line, func = root.via_at
        target = short_name(root.chain[-1][0]) + "()"
        return Step(path, line, func, f"{root.via} hands {target} to {_article(root.label)} {root.label}")
    if root.kind in ("thread", "stream"):
        target = outcome.boundary_text or short_name(root.chain[-1][0]) + "()"
        note = f"hands {target} to {_article(root.label)} {root.label}"
    elif root.kind == "with":
        note = "pushes an application context"
    elif root.kind == "import":
        note = "runs at import time"
    else:
        note = f"{root.label} {short_name(root.func)}()"
    return Step(root.path, root.pos[0], short_name(root.func), note)


def _subject(graph: Graph, root: Root, outcome: Outcome, code: str, functions: list[str], reached: str) -> str:
    entry = short_name(root.chain[-1][0]) + "()"
    if root.via:
        return f"{entry} runs in a thread (its {root.via} decorator starts one) and reaches {reached}"
    if root.kind == "thread":
        return f"{root.label} {entry} reaches {reached}"
    if root.kind == "stream":
        return f"streamed generator {entry} reaches {reached}"
    if root.kind == "import":
        if len(functions) == 1:
            return f"{reached.split(' (')[0]} is evaluated at import time"
        return f"module-level call to {short_name(functions[1])}() reaches {reached} at import time"
    if root.kind == "with":
        where = "at module level" if root.func.endswith(":<module>") else f"in {short_name(root.func)}()"
        return f"`with` block {where} has only an application context but reaches {reached}"
    if code == "CTX501":
        return f"{root.label} {entry} has only an application context but reaches {reached}"
    return f"{root.label} {entry} runs with no context but reaches {reached}"


def _hint(code: str, root: Root, v: Violation) -> str:
    if code == "CTX101" and v.use.needs == K.NEEDS_REQUEST:
        return "move the access into a function that runs during a request"
    if code == "CTX201" and root.process:
        return ("the request context does not exist in another process — read the data in the view and pass it "
                "as an argument")
    if code == "CTX202" and root.process:
        return ("the application context does not exist in another process — create or import the app there "
                "and push app.app_context() in the worker")
    if v.use.text.startswith("url_for") and code in ("CTX501", "CTX301", "CTX201"):
        return (RULES[code].hint + "; url_for can also build URLs with only an application context once "
                "SERVER_NAME is configured")
    return RULES[code].hint
