"""flake8 plugin: ctxlint's findings for the file flake8 is checking.

flake8 hands a plugin one file at a time, possibly in several processes.
ctxlint needs the whole project, so each process analyses a project once and
keeps the result:

* the project of a file is found with :func:`ctxlint.discover.find_project_root`;
* the result is kept per (project root, current directory) with the files of
  the project and their (mtime, size); it is checked against the disk once per
  flake8 run (a long-lived process such as an editor's linting server runs
  flake8 many times), and the file being checked is checked every time;
* flake8 gives the plugin the file's text (``lines``); when that differs from
  the disk (an unsaved editor buffer through ``flake8 --stdin-display-name NAME -``)
  the project is analysed once more with the buffer in place of the file;
* with ``fork`` multiprocessing the projects of the files under the paths on
  the command line are analysed before flake8 starts its workers, which
  inherit the results;
* a file the project's walk skips (.gitignore, build/, a virtualenv) is
  analysed on its own.

``# noqa`` is left to flake8; ``# ctxlint: ignore[...]`` is honoured here.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import threading
import tokenize
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from . import __version__
from .discover import discover, find_project_root
from .engine import Options, analyse
from .findings import Finding
from .fixing import source_bytes
from .rules import RULES
from .suppression import Directive, directives


@dataclass
class _Analysis:
    files: dict[str, tuple[int, int] | None]  # every file the project's walk found -> (mtime_ns, size)
    by_file: dict[str, list[Finding]]  # findings by absolute path
    checked: int  # the flake8 run that last found it up to date


class _State:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.generation = 0  # one per flake8 run (parse_options)
        self.enabled = True
        self.projects: dict[tuple[str, str], _Analysis] = {}
        self.roots: dict[str, str] = {}  # directory -> project root, for this flake8 run
        self.buffers: OrderedDict[tuple[int, str, str, str], list[Finding]] = OrderedDict()
        self.analyses = 0  # how many times the engine ran (for tests)


_STATE = _State()
_MAX_BUFFERS = 8


def _root_of(path: str) -> str:
    """The project root of the file ``path`` (absolute), memoised per directory."""
    d = os.path.dirname(path)
    root = _STATE.roots.get(d)
    if root is None:
        root = _STATE.roots[d] = find_project_root(path)
    return root


def _roots_under(paths: list[str]) -> list[str]:
    """The projects of the Python files flake8 will find under ``paths`` (as the engine would find them)."""
    roots: set[str] = set()
    for p in paths:
        if os.path.isfile(p):
            roots.add(_root_of(os.path.abspath(p)))
        elif os.path.isdir(p):
            roots.update(_root_of(f.abspath) for f in discover([p]).files)
    return sorted(roots)


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _walk(root: str) -> dict[str, tuple[int, int] | None]:
    """The files the engine's walk of ``root`` finds, with their (mtime, size)."""
    return {f.abspath: _stat(f.abspath) for f in discover([root]).files}


def _run_engine(paths: list[str], overrides: dict[str, bytes] | None = None,
                report_only: set[str] | None = None) -> list[Finding]:
    """The findings; flake8 applies select, ignore and noqa itself."""
    _STATE.analyses += 1
    return analyse(paths, Options(noqa=False), overrides=overrides, report_only=report_only).findings


def _project(root: str) -> _Analysis:
    """The analysis of ``root`` for the current directory, from the cache when the disk has not changed.

    A cached analysis is checked against the disk (the walk's files and their mtime and size) once per
    flake8 run: within a run the files do not change, between runs of a long-lived process they may.
    """
    key = (root, os.getcwd())
    with _STATE.lock:
        cached = _STATE.projects.get(key)
        if cached is not None and (cached.checked == _STATE.generation or _walk(root) == cached.files):
            cached.checked = _STATE.generation
            return cached
        files = _walk(root)  # before the analysis: a file changed during it is seen as changed next time
        by_file: dict[str, list[Finding]] = {}
        for f in _run_engine([root]):
            by_file.setdefault(os.path.abspath(f.path), []).append(f)
        analysis = _Analysis(files, by_file, _STATE.generation)
        _STATE.projects[key] = analysis
        return analysis


def _fresh(analysis: _Analysis, path: str) -> bool:
    """Whether ``path`` is unchanged on disk since ``analysis`` read it."""
    return analysis.files.get(path) == _stat(path)


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def _disk_text(path: str) -> str | None:
    """The file's text as flake8 would read it, or None if it cannot be read or decoded."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return _normalise(data.decode(encoding))
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
        return None


def findings_for_file(filename: str, lines: Sequence[str]) -> list[Finding]:
    """ctxlint's findings in ``filename``, whose current text is ``lines``, analysed with its project."""
    path = os.path.abspath(filename)
    if not os.path.isfile(path):
        # an editor buffer never saved (or plain ``flake8 -``): the engine only analyses files that exist
        return []
    root = _root_of(path)
    text = _normalise("".join(lines))
    on_disk = _disk_text(path)
    same = on_disk is None or on_disk == text  # None: undecodable, the engine reads the disk like flake8 did
    with _STATE.lock:
        analysis = _project(root) if same else None
        if analysis is not None and path in analysis.files:
            if not _fresh(analysis, path):  # changed on disk since the project was analysed
                _STATE.projects.pop((root, os.getcwd()), None)
                analysis = _project(root)
            return list(analysis.by_file.get(path, []))
        # The buffer differs from the disk: analyse the project once more with the buffer in place of the
        # file, reporting only in this file.  A file the project's walk skips (.gitignore, build/, a
        # virtualenv) is analysed on its own, so that flake8 run on such a directory does not analyse the
        # whole project once per file.
        in_project = analysis is None
        # (within one flake8 run only: other files may change between runs of a long-lived process)
        key = (_STATE.generation, root if in_project else "", os.getcwd(), path + "\0" + text)
        cached = _STATE.buffers.get(key)
        if cached is not None:
            _STATE.buffers.move_to_end(key)
            return list(cached)
        overrides = None if same else {path: source_bytes(text)}
        findings = _run_engine([root, path] if in_project else [path], overrides=overrides,
                               report_only={path})
        _STATE.buffers[key] = findings
        while len(_STATE.buffers) > _MAX_BUFFERS:
            _STATE.buffers.popitem(last=False)
        return list(findings)


def _any_selected(options: argparse.Namespace) -> bool:
    """Whether flake8's --select/--ignore leave any CTX code on; if not the project need not be analysed."""
    try:
        from flake8.style_guide import Decision, DecisionEngine
        decider = DecisionEngine(options)
        return any(decider.decision_for(code) is Decision.Selected for code in RULES)
    except Exception:  # an older or newer flake8: analyse anyway
        return True


class CtxlintChecker:
    """The ``CTX`` codes of flake8: ctxlint's findings in the file being checked."""

    name = "ctxlint"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.filename = filename
        self.lines = lines

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        """Called once per flake8 run, in the main process before it forks its workers."""
        with _STATE.lock:
            _STATE.generation += 1
            _STATE.roots.clear()
            _STATE.enabled = _any_selected(options)
            filenames: list[str] = list(getattr(options, "filenames", None) or ["."])
            if not _STATE.enabled or "-" in filenames or not _forks(options):
                return
            # analyse the projects of the files to be checked before the workers fork, so that they share
            # one result instead of each analysing every project
            for root in _roots_under(filenames):
                _project(root)

    def run(self) -> Iterator[tuple[int, int, str, Any]]:
        if not _STATE.enabled:
            return
        ignores: dict[int, list[Directive]] | None = None
        for f in findings_for_file(self.filename, self.lines):
            if ignores is None:
                ignores = directives(source_bytes("".join(self.lines)))
            if any(d.tool and d.matches(f.code) for d in ignores.get(f.line, ())):
                continue
            message = " ".join(f.message.split())
            yield f.line, max(f.column - 1, 0), f"{f.code} {message}", type(self)


def _forks(options: argparse.Namespace) -> bool:
    """Whether flake8 will run workers forked from this process (so a result computed now is shared)."""
    try:
        import multiprocessing
        jobs = getattr(options, "jobs", None)
        n = jobs.n_jobs if jobs is not None and not jobs.is_auto else multiprocessing.cpu_count()
        return n > 1 and multiprocessing.get_start_method(allow_none=False) == "fork"
    except Exception:
        return False
