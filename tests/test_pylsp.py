"""The editor path: python-lsp-server with its flake8 plugin, spoken to over stdio.

pylsp lints an open document by piping its text to
``flake8 --stdin-display-name PATH -``; the CTX findings must come back as
diagnostics at the right range, for the text on disk and for an unsaved
buffer.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

import pytest
from test_flake8 import copy_project, env

pytest.importorskip("pylsp")

SETTINGS = {"pylsp": {"plugins": {
    "flake8": {"enabled": True, "select": ["CTX"]},
    "pycodestyle": {"enabled": False}, "pyflakes": {"enabled": False}, "mccabe": {"enabled": False},
    "pydocstyle": {"enabled": False}, "pylint": {"enabled": False}, "autopep8": {"enabled": False},
    "yapf": {"enabled": False},
}}}


class Server:
    """A pylsp process and a reader thread queueing what it sends."""

    def __init__(self, cwd: str) -> None:
        environ = env()
        # pylsp runs the `flake8` on PATH: the one installed with this interpreter
        environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + environ.get("PATH", "")
        self.proc = subprocess.Popen([sys.executable, "-m", "pylsp"], cwd=cwd, env=environ,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            assert length is not None
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method: str, params: dict[str, Any], timeout: float = 60) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        msg = self.wait(lambda m: m.get("id") == self.next_id and "method" not in m, timeout)
        assert "error" not in msg, msg
        return msg.get("result")

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def wait(self, match: Any, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("pylsp sent nothing matching in time")
            try:
                msg = self.messages.get(timeout=left)
            except queue.Empty:
                continue
            if match(msg):
                return msg

    def diagnostics(self, uri: str, line: int, timeout: float = 120) -> list[dict[str, Any]]:
        """The first diagnostics published for ``uri`` with a CTX201 at ``line`` (0-based)."""
        seen: list[Any] = []

        def match(m: dict[str, Any]) -> bool:
            if m.get("method") != "textDocument/publishDiagnostics" or m["params"]["uri"] != uri:
                return False
            seen.append(m["params"]["diagnostics"])
            return any(d.get("code") == "CTX201" and d["range"]["start"]["line"] == line
                       for d in m["params"]["diagnostics"])

        try:
            msg = self.wait(match, timeout)
        except AssertionError:
            raise AssertionError(f"no CTX201 at line {line}; diagnostics published: {seen}") from None
        return list(msg["params"]["diagnostics"])

    def close(self) -> None:
        try:
            self.request("shutdown", {}, timeout=20)
            self.notify("exit", {})
            self.proc.wait(timeout=20)
        except Exception:
            self.proc.kill()
            self.proc.wait(timeout=20)


def test_pylsp_flake8_plugin_publishes_ctx_diagnostics(tmp_path) -> None:
    workspace = copy_project("example", str(tmp_path))
    path = Path(workspace, "app", "reports.py")
    uri = path.as_uri()
    text = path.read_text(encoding="utf-8")
    server = Server(workspace)
    try:
        server.request("initialize", {"processId": os.getpid(), "rootUri": Path(workspace).as_uri(),
                                      "capabilities": {}})
        server.notify("initialized", {})
        server.notify("workspace/didChangeConfiguration", {"settings": SETTINGS})
        server.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}})

        diags = server.diagnostics(uri, 36)
        assert {d["code"] for d in diags} == {"CTX201", "CTX202"}  # only the CTX codes are on
        thread = next(d for d in diags if d["code"] == "CTX201")
        assert thread["source"] == "flake8"
        # reports.py:37:12 in flake8's 1-based terms
        assert thread["range"]["start"] == {"line": 36, "character": 11}
        assert thread["range"]["end"]["line"] == 36
        assert thread["message"].startswith("CTX201 thread pool task build_report() reaches request.headers "
                                            "(app/audit.py:14, +1 more) via record_event() → client_fingerprint()")

        # an unsaved edit: two lines above move the finding; the helper it reaches is still read from disk
        server.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"text": "# unsaved\n# edit\n" + text}]})
        diags = server.diagnostics(uri, 38)
        thread = next(d for d in diags if d["code"] == "CTX201")
        assert thread["range"]["start"] == {"line": 38, "character": 11}
        assert "(app/audit.py:14, +1 more)" in thread["message"]
    finally:
        server.close()
