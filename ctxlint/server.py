"""``ctxlint server``: a language server over stdio (pygls), a thin shell over the engine like the CLI.

Each project (the directory :func:`ctxlint.discover.find_project_root` gives for an opened file, with its
``[tool.ctxlint]`` configuration) is one :class:`ctxlint.engine.Workspace`, analysed with the open buffers in
place of their files.  Edits are debounced and analysed in one worker thread, so the server keeps answering
while an analysis runs; after each analysis every open file of the project whose diagnostics changed gets them
published (an edit of a helper module can add or remove a finding in a view module), and a half-typed buffer
is a CTX900 diagnostic while the rest of the project is still analysed.

Diagnostics carry the rule code, the call path as related information (one location per hop), and the
finding for code actions (its fix, "fix all safe findings in this file", "ignore on this line") and hover
(the rule's page and the path).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from . import __version__
from .config import ConfigError, Settings, find_config, load_config, resolve
from .discover import PROJECT_MARKERS, _is_marker, find_project_root
from .engine import Options, Workspace
from .findings import Finding
from .fixing import SAFE, UNSAFE, Edit, Fix, FixError, SourceText, edits_between, source_bytes, split_lines
from .rules import RULES
from .suppression import SourceLines, Suppressions, directives
from .targets import PYTHON_SUFFIXES
from .workers import DEFAULT_TIMEOUT

log = logging.getLogger("ctxlint.server")

DEBOUNCE = 0.25  # seconds without an edit before a project is analysed again
CONFIG_FILES = ("pyproject.toml", "setup.cfg")
FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.ctxlint"
SOURCE = "ctxlint"

T = TypeVar("T")


# ---- one analysis of one project ----------------------------------------------------------------

@dataclass
class Run:
    """What one analysis saw and found: the texts of the open buffers (by absolute path, with their
    versions) and the findings reported, by absolute path."""
    texts: dict[str, str]
    versions: dict[str, int | None]
    findings: dict[str, list[Finding]]
    errors: list[str]
    fixes: dict[int, Fix] = field(default_factory=dict)  # by id() of a finding, computed when asked for
    fix_context: Any = None  # the FixContext of the analysed texts, made when a fix is first asked for


class Project:
    """One project: its settings, its long-lived :class:`Workspace`, its last analysis, and what was published."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.settings = Settings()
        self.config_error = ""
        self.workspace = Workspace([root], self._options())
        self.load_settings()
        self.run: Run | None = None
        self.published: dict[str, list[types.Diagnostic]] = {}  # by uri
        self.changed_at = 0.0
        self.dirty = False
        self.task: asyncio.Task[None] | None = None

    def load_settings(self) -> None:
        """Read ``[tool.ctxlint]`` again; a broken file keeps the settings in force and says why."""
        try:
            path = find_config([self.root])
            self.settings = resolve(load_config(path) if path else None, paths=[self.root])
            self.config_error = ""
        except ConfigError as exc:
            self.config_error = str(exc)
            return
        # the summaries do not depend on the settings: the workspace keeps them
        self.workspace.options = self._options()

    def _options(self) -> Options:
        s = self.settings
        return Options(select=None, ignore=None, respect_gitignore=s.respect_gitignore, exclude=s.exclude,
                       knowledge=s.knowledge, noqa=False, parse_timeout=s.parse_timeout or DEFAULT_TIMEOUT)

    def kept(self, found: list[Finding], texts: dict[str, bytes]) -> list[Finding]:
        """The findings the CLI would report: selection, per-file ignores and suppression comments (read from
        ``texts`` where given, from the files otherwise)."""
        suppressions = Suppressions(SourceLines(texts))
        return [f for f in found if self.settings.selected(f.code) and not self.settings.per_file_ignored(f)
                and not suppressions.suppresses(f)]

    def analyse(self, texts: dict[str, str], versions: dict[str, int | None]) -> Run:
        """Analyse the project with ``texts`` (the open buffers) in place of their files.  Runs in the worker
        thread."""
        overrides = {p: source_bytes(t) for p, t in texts.items()}
        # the open files are named too, as `ctxlint FILE` names them (a buffer not yet saved is found so)
        self.workspace.paths = [self.root, *sorted(texts)]
        result = self.workspace.analyse(overrides)
        by_path: dict[str, list[Finding]] = {}
        for f in self.kept(list(result.findings), overrides):
            by_path.setdefault(os.path.abspath(f.path), []).append(f)
        return Run(texts, versions, by_path, list(result.errors))

    def texts_for_fixes(self, run: Run) -> dict[str, SourceText]:
        """Every file of the project as the analysis saw it (buffers in place of files), for "fix all"."""
        from .discover import discover

        out: dict[str, SourceText] = {}
        options = self.workspace.options
        for sf in discover(self.workspace.paths, options.respect_gitignore, options.exclude,
                           virtual={p: b"" for p in run.texts}).files:
            try:
                if sf.abspath in run.texts:
                    out[sf.abspath] = SourceText.from_bytes(sf.abspath, source_bytes(run.texts[sf.abspath]))
                else:
                    out[sf.abspath] = SourceText.read(sf.abspath)
            except FixError:
                continue
        return out


# ---- positions -------------------------------------------------------------------------------------

class Lines:
    """A text's lines (split where Python splits them), to turn the engine's positions (1-based lines,
    code point columns) into the client's (0-based lines, columns in the negotiated encoding)."""

    def __init__(self, text: str, units: Callable[[str], int]) -> None:
        self.lines = [line.rstrip("\r\n") for line in split_lines(text)]
        self.units = units

    def position(self, line: int, column0: int) -> types.Position:
        i = line - 1
        if i < 0:
            return types.Position(0, 0)
        if i >= len(self.lines):
            return types.Position(len(self.lines), 0)
        text = self.lines[i]
        return types.Position(i, self.units(text[:max(column0, 0)]))

    def line_range(self, line: int) -> types.Range:
        """The line from its first non-blank character to its end."""
        i = line - 1
        if not 0 <= i < len(self.lines):
            p = self.position(line, 0)
            return types.Range(p, p)
        text = self.lines[i]
        return types.Range(self.position(line, len(text) - len(text.lstrip())), self.position(line, len(text)))

    def text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""


def read_text(path: str) -> str:
    try:
        return SourceText.read(path).text
    except FixError:
        return ""


# ---- the server -------------------------------------------------------------------------------------

class CtxlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("ctxlint", __version__)
        self.projects: dict[str, Project] = {}
        self.of_uri: dict[str, Project] = {}  # open documents' projects
        # one analysis (or fix) at a time: a Workspace is not shared between threads
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ctxlint-analysis")
        self.debounce = DEBOUNCE
        self.docs_url = ""  # initializationOptions.ruleDocsUrl: a page per rule, "{code}" replaced

    # -- documents and projects

    def project_for(self, path: str) -> Project:
        root = find_project_root(path)
        # no project marker between the file and the workspace folder holding it: the folder is the project
        # (not a directory above it, such as the home directory)
        marked = any(_is_marker(root, marker) for marker in PROJECT_MARKERS)
        for folder in self.folders():
            if not marked and _inside(path, folder) and not _inside(root, folder):
                root = folder
                break
        project = self.projects.get(root)
        if project is None:
            project = self.projects[root] = Project(root)
            if project.config_error:
                self.show_error(project.config_error)
        return project

    def folders(self) -> list[str]:
        """The client's workspace folders, innermost first."""
        uris = [f.uri for f in self.workspace.folders.values()]
        if self.workspace.root_uri:
            uris.append(self.workspace.root_uri)
        paths = {os.path.abspath(p) for p in (to_fs_path(u) for u in uris) if p}
        return sorted(paths, key=len, reverse=True)

    def open_docs(self, project: Project) -> dict[str, Any]:
        """The open documents of ``project`` by absolute path."""
        out: dict[str, Any] = {}
        for uri, p in self.of_uri.items():
            if p is project:
                doc = self.workspace.get_text_document(uri)
                out[os.path.abspath(doc.path)] = doc
        return out

    def show_error(self, message: str) -> None:
        self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"ctxlint: {message}"))

    def log(self, message: str) -> None:
        self.window_log_message(types.LogMessageParams(types.MessageType.Log, message))

    # -- analysis: debounced, in the worker thread

    def schedule(self, project: Project, delay: float | None = None) -> None:
        project.dirty = True
        project.changed_at = time.monotonic()
        if project.task is None or project.task.done():
            project.task = asyncio.get_running_loop().create_task(
                self._analyse_loop(project, self.debounce if delay is None else delay))

    async def in_worker(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn)

    async def _analyse_loop(self, project: Project, delay: float) -> None:
        while project.dirty:
            while True:  # until no edit came for ``delay`` seconds
                seen = project.changed_at
                await asyncio.sleep(max(0.0, seen + delay - time.monotonic()))
                if project.changed_at == seen:
                    break
            delay = self.debounce
            project.dirty = False
            docs = self.open_docs(project)
            texts = {p: d.source for p, d in docs.items()}
            versions = {p: d.version for p, d in docs.items()}
            started = time.monotonic()
            try:
                run = await self.in_worker(partial(project.analyse, texts, versions))
            except Exception as exc:  # a bug in the engine must not take the editor's server down
                log.exception("analysis failed")
                self.log(f"ctxlint: analysis of {project.root} failed: {exc!r}")
                continue
            self.log(f"ctxlint: analysed {project.root} in {time.monotonic() - started:.3f}s")
            project.run = run
            for err in run.errors:
                self.log(f"ctxlint: {err}")
            self.publish(project, run)

    def publish(self, project: Project, run: Run) -> None:
        """Publish the diagnostics of every open document of ``project`` that the run saw at its current
        version and whose diagnostics changed (the others are published by the run their edit started)."""
        docs = self.open_docs(project)
        for path, doc in docs.items():
            if path not in run.texts or run.versions.get(path) != doc.version:
                continue
            diagnostics = self.diagnostics(run, path)
            if project.published.get(doc.uri) != diagnostics:
                project.published[doc.uri] = diagnostics
                self.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(doc.uri, diagnostics, version=doc.version))

    def clear(self, uri: str, project: Project | None) -> None:
        if project is not None:
            project.published.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    # -- findings as LSP

    def units(self, text: str) -> int:
        return int(self.workspace.position_codec.client_num_units(text))

    def lines_of(self, run: Run, path: str, memo: dict[str, Lines] | None = None) -> Lines:
        ap = os.path.abspath(path)
        if memo is not None and ap in memo:
            return memo[ap]
        lines = Lines(run.texts[ap] if ap in run.texts else read_text(ap), self.units)
        if memo is not None:
            memo[ap] = lines
        return lines

    def finding_range(self, lines: Lines, f: Finding) -> types.Range:
        start = lines.position(f.line, f.column - 1)
        end = lines.position(f.end_line, f.end_column - 1) if f.end_line >= f.line else start
        if (end.line, end.character) <= (start.line, start.character):
            end = lines.line_range(f.line).end if f.line - 1 < len(lines.lines) else start
            if (end.line, end.character) < (start.line, start.character):
                end = start
        return types.Range(start, end)

    def diagnostics(self, run: Run, path: str) -> list[types.Diagnostic]:
        memo: dict[str, Lines] = {}
        lines = self.lines_of(run, path, memo)
        out: list[types.Diagnostic] = []
        for f in run.findings.get(path, []):
            related = []
            for n, step in enumerate(f.trace, start=1):
                step_lines = self.lines_of(run, step.path, memo)
                related.append(types.DiagnosticRelatedInformation(
                    types.Location(from_fs_path(os.path.abspath(step.path)) or step.path,
                                   step_lines.line_range(step.line)),
                    f"{n}. {step.function}: {step.note}"))
            href = self.docs_url.replace("{code}", f.code) if self.docs_url else ""
            out.append(types.Diagnostic(
                range=self.finding_range(lines, f),
                message=f.message,
                severity=types.DiagnosticSeverity.Error if f.code == "CTX900" else types.DiagnosticSeverity.Warning,
                code=f.code,
                code_description=types.CodeDescription(href) if href else None,
                source=SOURCE,
                related_information=related or None,
                data={"code": f.code, "line": f.line, "column": f.column},
            ))
        return out

    # -- code actions

    def findings_at(self, uri: str, first: int, last: int) -> tuple[Project, Run, str, list[Finding]] | None:
        """The findings of the current analysis of ``uri`` on lines ``first``..``last`` (0-based), when that
        analysis saw the buffer as it is now."""
        project = self.of_uri.get(uri)
        if project is None or project.run is None:
            return None
        doc = self.workspace.get_text_document(uri)
        path = os.path.abspath(doc.path)
        run = project.run
        if run.versions.get(path) != doc.version:
            return None
        return project, run, path, [f for f in run.findings.get(path, [])
                                    if f.line - 1 <= last and max(f.end_line, f.line) - 1 >= first]

    def fix_of(self, project: Project, run: Run, f: Finding) -> Fix:
        """The finding's fix against the texts the analysis saw (memoised per analysis).  Worker thread."""
        from .fixes import fix_for
        from .rewrite import FixContext, Sources

        fix = run.fixes.get(id(f))
        if fix is None:
            if run.fix_context is None:
                texts = {}
                for p, t in run.texts.items():
                    try:
                        texts[p] = SourceText.from_bytes(p, source_bytes(t))
                    except FixError:
                        pass
                run.fix_context = FixContext(Sources(texts))
            fix = run.fixes[id(f)] = fix_for(f, run.fix_context)
        return fix

    def workspace_edit(self, run: Run, edits: list[Edit], texts: dict[str, str] | None = None) -> types.WorkspaceEdit:
        """``edits`` (engine coordinates) as an LSP edit; ``texts``: the texts they apply to, by absolute path
        (the analysed buffers, the files otherwise)."""
        by_uri: dict[str, list[types.TextEdit]] = {}
        memo: dict[str, Lines] = {}
        for e in edits:
            ap = os.path.abspath(e.path)
            if texts is not None and ap in texts:
                lines = memo.get(ap) or memo.setdefault(ap, Lines(texts[ap], self.units))
            else:
                lines = self.lines_of(run, ap, memo)
            rng = types.Range(lines.position(*e.start), lines.position(*e.end))
            by_uri.setdefault(from_fs_path(ap) or ap, []).append(types.TextEdit(rng, e.replacement))
        return types.WorkspaceEdit(changes=by_uri)

    def noqa_edit(self, run: Run, path: str, f: Finding) -> Edit | None:
        """The edit that adds ``# noqa: CODE`` to the finding's line, or the code to the line's noqa comment."""
        text = run.texts.get(path, "")
        lines = split_lines(text)
        if not 0 < f.line <= len(lines):
            return None
        line = lines[f.line - 1].rstrip("\r\n")
        for d in directives(source_bytes(text)).get(f.line, []):
            if d.codes is None:
                continue
            col = d.column - 1 + len(d.text)
            if d.tool and d.text.endswith("]"):  # ``# ctxlint: ignore[CTX201]``
                col -= 1
            return Edit(path, (f.line, col), (f.line, col), f", {f.code}")
        if line.rstrip().endswith("\\"):  # a comment cannot follow a line continuation
            return None
        end = len(line.rstrip())
        return Edit(path, (f.line, end), (f.line, len(line)), f"  # noqa: {f.code}")

    async def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        found = self.findings_at(uri, params.range.start.line, params.range.end.line)
        if found is None:
            return []
        project, run, path, here = found
        only = params.context.only

        def wanted(kind: str) -> bool:
            return not only or any(kind == k or kind.startswith(f"{k}.") for k in only)

        out: list[types.CodeAction] = []
        diags = {(d.data or {}).get("line"): d for d in project.published.get(uri, []) if isinstance(d.data, dict)}
        if wanted(types.CodeActionKind.QuickFix):
            fixes = await self.in_worker(lambda: [self.fix_of(project, run, f) for f in here])
            for f, fix in zip(here, fixes):
                diag = diags.get(f.line)
                if fix.edits and fix.applicability in (SAFE, UNSAFE):
                    unsafe = " (unsafe)" if fix.applicability == UNSAFE else ""
                    out.append(types.CodeAction(
                        title=f"ctxlint: {fix.message[:1].upper()}{fix.message[1:]}{unsafe}"
                        if len(fix.message) < 100 else f"ctxlint: fix {f.code}{unsafe}: {fix.message[:90]}…",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diag] if diag else None,
                        is_preferred=fix.applicability == SAFE,
                        edit=self.workspace_edit(run, fix.edits)))
            for f in here:
                noqa = self.noqa_edit(run, path, f)
                if noqa is not None:
                    diag = diags.get(f.line)
                    out.append(types.CodeAction(
                        title=f"Ignore {f.code} on this line", kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diag] if diag else None, edit=self.workspace_edit(run, [noqa])))
        if run.findings.get(path) and wanted(FIX_ALL_KIND):
            out.append(types.CodeAction(title="Fix all safe ctxlint findings in this file", kind=FIX_ALL_KIND,
                                        data={"uri": uri, "fixAll": True}))
            if not self.resolves_edits():
                resolved = await self.resolve(out[-1])
                if resolved.edit is None:
                    out.pop()
        return out

    def resolves_edits(self) -> bool:
        caps = self.client_capabilities.text_document
        support = caps.code_action.resolve_support if caps and caps.code_action else None
        return bool(support and "edit" in support.properties)

    async def resolve(self, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        uri = data.get("uri")
        if not data.get("fixAll") or not isinstance(uri, str):
            return action
        found = self.findings_at(uri, 0, 1 << 30)
        if found is None:
            return action
        project, run, path, _ = found
        changes = await self.in_worker(lambda: self.fix_all(project, run, path))
        if changes:
            action.edit = types.WorkspaceEdit(changes=changes)
        return action

    def fix_all(self, project: Project, run: Run, path: str) -> dict[str, list[types.TextEdit]]:
        """The safe fixes of every finding in ``path``, applied together as ``ctxlint --fix FILE`` would (fix,
        analyse again, until nothing more applies).  Worker thread."""
        from .fixes import plan_fixes

        texts = project.texts_for_fixes(run)
        if path not in texts:
            return {}

        def keep(found: list[Finding], now: dict[str, bytes]) -> list[Finding]:
            return project.kept([f for f in found if os.path.abspath(f.path) == path], now)

        plan = plan_fixes(project.workspace.paths, project.workspace.options, False, texts, keep,
                          analyse=lambda _paths, _options, overrides: project.workspace.analyse(overrides))
        changes: dict[str, list[types.TextEdit]] = {}
        for p, fixed in plan.texts.items():
            old = texts[p].text
            if fixed.text == old:
                continue
            lines = Lines(old, self.units)
            changes[from_fs_path(p) or p] = [
                types.TextEdit(types.Range(lines.position(*e.start), lines.position(*e.end)), e.replacement)
                for e in edits_between(p, old, fixed.text)]
        return changes

    # -- hover

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        line = params.position.line
        found = self.findings_at(params.text_document.uri, line, line)
        if found is None or not found[3]:
            return None
        _, run, path, here = found
        lines = self.lines_of(run, path)
        parts: list[str] = []
        for f in here:
            steps = []
            for n, s in enumerate(f.trace, start=1):
                uri = from_fs_path(os.path.abspath(s.path)) or s.path
                steps.append(f"{n}. [{os.path.basename(s.path)}:{s.line}]({uri}#L{s.line}) "
                             f"`{s.function}`: {s.note}")
            section = [f"**{f.code}** {f.message}"]
            if steps:
                section += ["", "**Path**", "", *steps]
            rule = RULES.get(f.code)
            if rule is not None:
                section += ["", "---", "", rule.markdown().replace(f"## {rule.code}", f"### {rule.code}", 1)]
            parts.append("\n".join(section))
        return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, "\n\n---\n\n".join(parts)),
                           range=self.finding_range(lines, here[0]))

    # -- configuration

    def config_changed(self, path: str) -> None:
        for project in self.projects.values():
            if _inside(path, project.root) or os.path.dirname(os.path.abspath(path)) in _ancestors(project.root):
                project.load_settings()
                if project.config_error:
                    self.show_error(project.config_error)
                else:
                    self.log(f"ctxlint: configuration of {project.root} reloaded")
                    project.published.clear()  # publish everything again: the selection may differ
                self.schedule(project, 0.0)


def _inside(path: str, folder: str) -> bool:
    path, folder = os.path.abspath(path), os.path.abspath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _ancestors(path: str) -> set[str]:
    out = set()
    while True:
        out.add(path)
        parent = os.path.dirname(path)
        if parent == path:
            return out
        path = parent


def _is_python(uri: str, language_id: str | None) -> bool:
    path = to_fs_path(uri)
    return path is not None and (language_id == "python" or path.endswith(PYTHON_SUFFIXES))


def create_server() -> CtxlintServer:
    server = CtxlintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: CtxlintServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict):
            ls.docs_url = str(options.get("ruleDocsUrl") or "")
            if isinstance(options.get("debounce"), (int, float)):
                ls.debounce = max(0.0, float(options["debounce"]))

    @server.feature(types.INITIALIZED)
    async def initialized(ls: CtxlintServer, params: types.InitializedParams) -> None:
        caps = ls.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps else None
        if watched and watched.dynamic_registration:
            watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in (*CONFIG_FILES, "*.py")]
            try:
                await ls.client_register_capability_async(types.RegistrationParams([types.Registration(
                    "ctxlint-watched-files", types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    types.DidChangeWatchedFilesRegistrationOptions(watchers))]))
            except Exception as exc:  # the client said it could, then did not: configuration changes need didSave
                log.warning("cannot watch the configuration files: %s", exc)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CtxlintServer, params: types.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        if not _is_python(doc.uri, doc.language_id):
            return
        path = to_fs_path(doc.uri)
        assert path is not None
        project = ls.project_for(path)
        ls.of_uri[doc.uri] = project
        ls.schedule(project, 0.0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CtxlintServer, params: types.DidChangeTextDocumentParams) -> None:
        project = ls.of_uri.get(params.text_document.uri)
        if project is not None:
            ls.schedule(project)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: CtxlintServer, params: types.DidSaveTextDocumentParams) -> None:
        path = to_fs_path(params.text_document.uri)
        if path is not None and os.path.basename(path) in CONFIG_FILES:
            ls.config_changed(path)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CtxlintServer, params: types.DidCloseTextDocumentParams) -> None:
        project = ls.of_uri.pop(params.text_document.uri, None)
        if project is not None:
            ls.clear(params.text_document.uri, project)
            if any(p is project for p in ls.of_uri.values()):
                ls.schedule(project)  # the file on disk replaces the buffer: other files' findings may change

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: CtxlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        touched: set[int] = set()
        for change in params.changes:
            path = to_fs_path(change.uri)
            if path is None:
                continue
            if os.path.basename(path) in CONFIG_FILES:
                ls.config_changed(path)
                continue
            for project in ls.projects.values():
                if id(project) not in touched and _inside(path, project.root) \
                        and any(p is project for p in ls.of_uri.values()):
                    touched.add(id(project))
                    ls.schedule(project)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=True))
    async def code_action(ls: CtxlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return await ls.code_actions(params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls: CtxlintServer, params: types.CodeAction) -> types.CodeAction:
        return await ls.resolve(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: CtxlintServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: CtxlintServer, params: None) -> None:
        ls.executor.shutdown(wait=False, cancel_futures=True)

    return server


def server_main(argv: list[str]) -> int:
    """``ctxlint server``: serve the Language Server Protocol on standard input and output."""
    p = argparse.ArgumentParser(prog="ctxlint server",
                                description="A language server over stdio: diagnostics with the call path, quick "
                                            "fixes, fix all, ignore on this line, and the rule's page on hover.")
    p.add_argument("--stdio", action="store_true", help="use standard input and output (the default and only way)")
    p.add_argument("--log-level", choices=("error", "warning", "info", "debug"), default="warning",
                   help="what to log on standard error (default: warning)")
    args = p.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper(), format="ctxlint server: %(message)s")
    # The protocol owns standard input and output, through descriptors of its own.  Anything else printed (by
    # this process or a worker process it starts) goes to standard error; standard input becomes /dev/null: a
    # worker process forked while the reader thread waits on the protocol's input would otherwise block at its
    # start, closing a standard input whose lock that thread holds.
    sys.stdout.flush()
    protocol_in = os.fdopen(os.dup(0), "rb")
    protocol_out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(sys.stderr.fileno(), 1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdout = sys.stderr
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - for the process's life
    create_server().start_io(protocol_in, protocol_out)
    return 0
