"""How fast ``ctxlint server`` answers on a generated project: printed figures, not a test.

    python bench/server.py                          # 200k lines
    python bench/server.py --lines 50000 --keep /tmp/ctxbench --profile

A project from ``bench/generate.py`` (as ``bench/run.py`` makes them; ``--keep DIR`` keeps it and reuses it),
its cache warmed by a ``ctxlint .`` run, then ``ctxlint server`` started and driven over stdio by a small
JSON-RPC client here (the editor's side):

* first diagnostics: from ``didOpen`` of a module with a planted bug, in a fresh server with the cache
  warm, to the ``publishDiagnostics`` for it;
* one-line edit: ``didChange`` inserting a comment line at the top of that buffer, then a second one, then
  taking it out again (and so on: each text new, each moving the buffer's findings), to the
  ``publishDiagnostics`` that follows — the median of ``--edits`` edits.  This includes the
  server's debounce (``--debounce``, the server's default unless given); the server's own log line gives the
  analysis time alone.

``--profile`` also profiles one such analysis in this process (``Workspace.analyse`` with the edited buffer)
and prints the functions that take the most time.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)

import generate  # noqa: E402  (bench/generate.py)


class Client:
    """A minimal LSP client over a subprocess's stdio: requests, notifications, and the messages received."""

    def __init__(self, cmd: list[str], cwd: str) -> None:
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=cwd)
        self.inbox: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.next_id = 0
        self.logs: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self.inbox.put((time.perf_counter(), json.loads(out.read(length))))

    def send(self, message: dict[str, Any]) -> float:
        data = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.proc.stdin.flush()
        return time.perf_counter()

    def notify(self, method: str, params: Any) -> float:
        return self.send({"method": method, "params": params})

    def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        ident = self.next_id
        self.send({"id": ident, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == ident and "method" not in m)[1].get("result")

    def wait(self, match, timeout: float = 600.0) -> tuple[float, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            at, msg = self.inbox.get(timeout=max(0.0, deadline - time.monotonic()))
            if msg.get("method") == "window/logMessage":
                self.logs.append(msg["params"]["message"])
            if "id" in msg and "method" in msg:  # a request from the server (registerCapability): accept it
                self.send({"id": msg["id"], "result": None})
            if match(msg):
                return at, msg

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


def published(uri: str):
    return lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri


def last_analysis(logs: list[str]) -> float:
    for line in reversed(logs):
        if line.startswith("ctxlint: analysed ") and " in " in line:
            return float(line.rsplit(" in ", 1)[1].rstrip("s"))
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lines", type=int, default=200_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--edits", type=int, default=10)
    p.add_argument("--debounce", type=float, default=None, help="the server's debounce in seconds (default: its own)")
    p.add_argument("--keep", default=None, metavar="DIR", help="generate the project here and reuse it next time")
    p.add_argument("--profile", action="store_true", help="profile one edit's analysis in this process")
    opts = p.parse_args(argv)

    work = opts.keep or tempfile.mkdtemp(prefix="ctxlint-server-bench-")
    tree = os.path.join(work, f"tree-{opts.lines}-seed{opts.seed}")
    manifest_path = os.path.join(tree, generate.MANIFEST)
    manifest = None
    if os.path.exists(manifest_path):
        manifest = json.loads(Path(manifest_path).read_text())
        if manifest.get("target_lines") != opts.lines or manifest.get("seed") != opts.seed:
            manifest = None
    if manifest is None:
        manifest = generate.generate(tree, opts.lines, opts.seed)
    print(f"project: {manifest['lines']} lines in {manifest['files']} files ({tree}); {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")

    for what in ("cache warmed by", "then, warm,"):  # the second run shows the cache is warm
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ctxlint", ".", "--exit-zero", "--format", "concise"], cwd=tree,
                       stdout=subprocess.DEVNULL, check=True)
        print(f"{what} `ctxlint .` in {time.perf_counter() - started:.1f} s")

    target = os.path.join(tree, manifest["bugs"][0]["path"])
    uri = Path(target).as_uri()
    text = Path(target).read_text()
    init: dict[str, Any] = {}
    if opts.debounce is not None:
        init["debounce"] = opts.debounce
    client = Client([sys.executable, "-m", "ctxlint", "server"], cwd=tree)
    try:
        client.request("initialize", {"processId": os.getpid(), "rootUri": Path(tree).as_uri(),
                                      "capabilities": {}, "initializationOptions": init})
        client.notify("initialized", {})
        sent = client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}})
        at, msg = client.wait(published(uri))
        first = at - sent
        print(f"first diagnostics after didOpen (warm cache): {first:.3f} s "
              f"({len(msg['params']['diagnostics'])} in {manifest['bugs'][0]['path']}; "
              f"analysis {last_analysis(client.logs):.3f} s)")

        token = time.time_ns()  # not a text an earlier run analysed (its findings would be in the cache)
        latencies: list[float] = []
        analyses: list[float] = []
        for n in range(opts.edits):
            # a new text each time (never one analysed before), whose findings move one line down or up
            edited = f"# edit {n} of run {token}\n" * (1 + n % 2) + text
            sent = client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": n + 2},
                "contentChanges": [{"text": edited}]})
            at, msg = client.wait(published(uri))
            latencies.append(at - sent)
            analyses.append(last_analysis(client.logs))
        print(f"one-line edit to published diagnostics, median of {opts.edits}: {statistics.median(latencies):.3f} s "
              f"(min {min(latencies):.3f}, max {max(latencies):.3f}); the analysis alone: "
              f"median {statistics.median(analyses):.3f} s")
        print("  each edit (s): " + ", ".join(f"{a:.2f}" for a in latencies))
        print("  each analysis (s): " + ", ".join(f"{a:.2f}" for a in analyses))
    finally:
        client.close()
    print(f"load average {os.getloadavg()[0]:.1f} (a busy machine makes every figure slower)")

    if opts.profile:
        import cProfile
        import pstats

        from ctxlint.config import find_config, load_config, resolve
        from ctxlint.engine import Options, Workspace

        config = find_config([tree])
        s = resolve(load_config(config) if config else None, paths=[tree])
        ws = Workspace([tree, target], Options(respect_gitignore=s.respect_gitignore, exclude=s.exclude,
                                               knowledge=s.knowledge, noqa=False))
        # a first edit reads every summary from the disk cache into memory: not the one profiled
        ws.analyse({target: f"# warm-up {time.time_ns()}\n{text}".encode()})
        prof = cProfile.Profile()
        prof.enable()
        t0 = time.perf_counter()
        ws.analyse({target: f"# profiled {time.time_ns()}\n{text}".encode()})
        print(f"\nprofile of one edit's analysis in this process: {time.perf_counter() - t0:.3f} s")
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
