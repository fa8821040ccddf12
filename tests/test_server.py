"""``ctxlint server`` end to end: a real LSP client (pytest-lsp) drives the server over stdio on a small project."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

HELPERS = 'def describe(order_id):\n    return f"order {order_id}"\n'
HELPERS_BAD = ('from flask import request\n\n\n'
               'def describe(order_id):\n    return f"order {order_id} for {request.remote_addr}"\n')
VIEWS = '''import threading

from flask import Blueprint

from .helpers import describe

bp = Blueprint("shop", __name__)


def send_receipt(order_id):
    print(describe(order_id))


@bp.route("/orders/<int:order_id>")
def order(order_id):
    threading.Thread(target=send_receipt, args=(order_id,)).start()
    return "ok"
'''
THREAD_LINE = 15  # 0-based: the Thread(...) line
FEED = '''from flask import Blueprint, Response, request

feed_bp = Blueprint("feed", __name__)


@feed_bp.route("/feed")
def feed():
    def rows():
        yield request.args.get("q", "")

    return Response(rows())
'''
FEED_LINE = 10  # 0-based: return Response(rows())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small project of its own for each test (the server finds each file's project, as for any file)."""
    root = tmp_path / "shop_project"
    (root / "shop").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\n\n[tool.ctxlint]\n')
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "helpers.py").write_text(HELPERS)
    (root / "shop" / "views.py").write_text(VIEWS)
    (root / "shop" / "feed.py").write_text(FEED)
    return root


# one server for the module's tests (starting one takes a second or two)
@pytest_lsp.fixture(scope="module",
                    config=ClientServerConfig(server_command=[sys.executable, "-m", "ctxlint", "server"]))
async def client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None

    workspace = tmp_path_factory.mktemp("workspace")
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=workspace.as_uri(),
        workspace_folders=[types.WorkspaceFolder(workspace.as_uri(), "workspace")],
        initialization_options={"debounce": 0.05, "ruleDocsUrl": "https://docs.example/rules/{code}.html"}))
    yield
    await lsp_client.shutdown_session()


pytestmark = pytest.mark.asyncio(loop_scope="module")


class Editor:
    """The client's side: open buffers, edits, and waiting for the diagnostics the server publishes."""

    def __init__(self, client: LanguageClient, root: Path) -> None:
        self.client = client
        self.root = root
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}

    def uri(self, name: str) -> str:
        return (self.root / "shop" / name).as_uri()

    def open(self, name: str) -> str:
        uri = self.uri(name)
        self.texts[uri] = (self.root / "shop" / name).read_text()
        self.versions[uri] = 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri, "python", 1, self.texts[uri])))
        return uri

    def change(self, uri: str, text: str) -> None:
        self.texts[uri] = text
        self.versions[uri] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=self.versions[uri], uri=uri),
            [types.TextDocumentContentChangeWholeDocument(text=text)]))

    def apply(self, edit: types.WorkspaceEdit) -> None:
        """Apply a workspace edit to the open buffers and tell the server, as an editor does."""
        assert edit.changes, edit
        for uri, edits in edit.changes.items():
            lines = self.texts[uri].splitlines(keepends=True)
            starts = [0]
            for line in lines:
                starts.append(starts[-1] + len(line))

            def offset(p: types.Position, starts: list[int] = starts) -> int:
                return starts[p.line] + p.character if p.line < len(starts) else starts[-1]

            text = self.texts[uri]
            for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
                text = text[:offset(e.range.start)] + e.new_text + text[offset(e.range.end):]
            self.change(uri, text)

    async def diagnostics(self, uri: str, check, timeout: float = 20.0) -> list[types.Diagnostic]:
        """Wait until the diagnostics published for ``uri`` (at its current version) satisfy ``check``."""
        async def until() -> list[types.Diagnostic]:
            while True:
                found = self.client.diagnostics.get(uri)
                if found is not None and check(list(found)):
                    return list(found)
                await self.client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        try:
            return await asyncio.wait_for(until(), timeout)
        except TimeoutError:
            raise AssertionError(f"{self.client.diagnostics}\n{self.client.log_messages}") from None

    async def actions(self, uri: str, line: int, only: list[str] | None = None) -> list[types.CodeAction]:
        found = await self.client.text_document_code_action_async(types.CodeActionParams(
            types.TextDocumentIdentifier(uri), types.Range(types.Position(line, 0), types.Position(line, 0)),
            types.CodeActionContext(diagnostics=list(self.client.diagnostics.get(uri, [])), only=only)))
        return [a for a in found or [] if isinstance(a, types.CodeAction)]


def codes(diags: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diags)


async def test_a_helper_edit_reports_and_clears_a_finding_in_the_view_with_its_call_path(client, project):
    ed = Editor(client, project)
    views = ed.open("views.py")
    helpers = ed.open("helpers.py")
    assert await ed.diagnostics(views, lambda d: d == []) == []
    # an unsaved edit of the helper: the thread target in the view now reaches request
    ed.change(helpers, HELPERS_BAD)
    (d,) = await ed.diagnostics(views, lambda d: d != [])
    assert d.code == "CTX201" and d.source == "ctxlint" and d.severity == types.DiagnosticSeverity.Warning
    assert d.range.start == types.Position(THREAD_LINE, 4)
    assert d.code_description is not None and d.code_description.href == "https://docs.example/rules/CTX201.html"
    assert "send_receipt() reaches request.remote_addr" in d.message
    hops = [(r.location.uri, r.location.range.start.line, r.message) for r in d.related_information or []]
    assert hops == [
        (views, THREAD_LINE, "1. order: hands send_receipt to a thread target"),
        (views, 10, "2. send_receipt: calls describe()"),
        (helpers, 4, "3. describe: uses request.remote_addr"),
    ], hops
    assert (project / "shop" / "helpers.py").read_text() == HELPERS  # nothing written
    # the helper fixed again: the view's finding goes away
    ed.change(helpers, HELPERS)
    assert await ed.diagnostics(views, lambda d: d == []) == []


async def test_a_half_typed_buffer_is_ctx900_and_the_rest_is_still_analysed(client, project):
    ed = Editor(client, project)
    feed = ed.open("feed.py")
    helpers = ed.open("helpers.py")
    await ed.diagnostics(feed, lambda d: codes(d) == ["CTX401"])
    ed.change(helpers, "def describe(order_id:\n    return (\n")
    (d,) = await ed.diagnostics(helpers, lambda d: d != [])
    assert d.code == "CTX900" and d.severity == types.DiagnosticSeverity.Error
    assert codes(client.diagnostics[feed]) == ["CTX401"]
    # the server still answers, and recovers when the buffer parses again
    ed.change(helpers, HELPERS)
    assert await ed.diagnostics(helpers, lambda d: d == []) == []
    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(feed), types.Position(FEED_LINE, 20)))
    assert hover is not None


async def test_the_safe_fix_applied_removes_the_finding(client, project):
    ed = Editor(client, project)
    feed = ed.open("feed.py")
    await ed.diagnostics(feed, lambda d: codes(d) == ["CTX401"])
    actions = await ed.actions(feed, FEED_LINE)
    titles = [a.title for a in actions]
    assert "Ignore CTX401 on this line" in titles and "Fix all safe ctxlint findings in this file" in titles
    (fix,) = [a for a in actions if a.kind == types.CodeActionKind.QuickFix and a.edit and a.is_preferred]
    assert "stream_with_context" in fix.title and "(unsafe)" not in fix.title
    ed.apply(fix.edit)
    assert "Response(stream_with_context(rows()))" in ed.texts[feed]
    assert await ed.diagnostics(feed, lambda d: d == []) == []


async def test_fix_all_and_unsafe_fixes(client, project):
    (project / "shop" / "helpers.py").write_text(HELPERS_BAD)
    ed = Editor(client, project)
    views = ed.open("views.py")
    feed = ed.open("feed.py")
    await ed.diagnostics(views, lambda d: codes(d) == ["CTX201"])
    # the thread's fix changes behaviour: offered, marked unsafe
    unsafe = [a for a in await ed.actions(views, THREAD_LINE) if a.edit and "(unsafe)" in a.title]
    assert unsafe and not unsafe[0].is_preferred
    await ed.diagnostics(feed, lambda d: codes(d) == ["CTX401"])
    (fix_all,) = await ed.actions(feed, 0, only=["source.fixAll"])
    assert fix_all.kind == "source.fixAll.ctxlint" and fix_all.edit is None  # computed on resolve
    resolved = await client.code_action_resolve_async(fix_all)
    ed.apply(resolved.edit)
    assert "stream_with_context(rows())" in ed.texts[feed]
    assert await ed.diagnostics(feed, lambda d: d == []) == []


async def test_ignore_on_this_line_adds_or_extends_noqa(client, project):
    (project / "shop" / "helpers.py").write_text(HELPERS_BAD)
    ed = Editor(client, project)
    views = ed.open("views.py")
    await ed.diagnostics(views, lambda d: codes(d) == ["CTX201"])
    (ignore,) = [a for a in await ed.actions(views, THREAD_LINE) if a.title == "Ignore CTX201 on this line"]
    ed.apply(ignore.edit)
    line = ed.texts[views].splitlines()[THREAD_LINE]
    assert line == "    threading.Thread(target=send_receipt, args=(order_id,)).start()  # noqa: CTX201"
    assert await ed.diagnostics(views, lambda d: d == []) == []
    # a noqa comment for another tool is extended
    ed.change(views, ed.texts[views].replace("  # noqa: CTX201", "  # noqa: E501"))
    await ed.diagnostics(views, lambda d: codes(d) == ["CTX201"])
    (ignore,) = [a for a in await ed.actions(views, THREAD_LINE) if a.title == "Ignore CTX201 on this line"]
    ed.apply(ignore.edit)
    assert ed.texts[views].splitlines()[THREAD_LINE].endswith("  # noqa: E501, CTX201")
    assert await ed.diagnostics(views, lambda d: d == []) == []


async def test_hover_shows_the_rule_page_and_the_path(client, project):
    (project / "shop" / "helpers.py").write_text(HELPERS_BAD)
    ed = Editor(client, project)
    views = ed.open("views.py")
    await ed.diagnostics(views, lambda d: codes(d) == ["CTX201"])
    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(views), types.Position(THREAD_LINE, 10)))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    for expected in ("CTX201", "request-local-in-thread", "Why it breaks at runtime",
                     "RuntimeError: Working outside of request context.", "**Example**", "**Fix.**",
                     "3. [helpers.py:5]", "`describe`: uses request.remote_addr"):
        assert expected in text, expected
    nothing = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(views), types.Position(0, 0)))
    assert nothing is None


async def test_configuration_is_reloaded_when_it_changes(client, project):
    ed = Editor(client, project)
    feed = ed.open("feed.py")
    await ed.diagnostics(feed, lambda d: codes(d) == ["CTX401"])
    config = project / "pyproject.toml"
    config.write_text('[project]\nname = "shop"\n\n[tool.ctxlint]\nextend-ignore = ["CTX4"]\n')
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        [types.FileEvent(config.as_uri(), types.FileChangeType.Changed)]))
    assert await ed.diagnostics(feed, lambda d: d == []) == []
