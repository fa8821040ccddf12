"""Files are summarised in supervised worker processes: a file that passes its deadline or kills its
worker costs only itself (CTX900), the rest of the project is still analysed, and Ctrl-C is prompt
even while libcst is inside a long parse (it holds the GIL, so no thread could be interrupted)."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT
from test_adversarial import BUG, findings, project

from ctxlint import summary
from ctxlint.workers import summarise_in_workers

# libcst's parser is superlinear on long trailer chains: this line takes it seconds (2,000
# subscripts: about 4 s here; 4,000: about 25 s), while CPython parses it in milliseconds
SLOW = "x = a" + "[0]" * 1500 + "\n"
SLOWER = "x = a" + "[0]" * 4000 + "\n"

forks = pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                           reason="the patched summariser reaches the workers only when they are forked")


def run(*args: str, cwd: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "ctxlint", "--format", "json", *args],
                          capture_output=True, text=True, env=env, timeout=300, cwd=cwd)


def items(names: list[str]) -> list[tuple[bytes, str, str, str, bool]]:
    return [(f"def {n}():\n    return 1\n".encode(), n, n, f"{n}.py", False) for n in names]


@forks
def test_a_file_past_its_deadline_costs_only_itself(monkeypatch) -> None:
    real = summary._summarise

    def hangs(source: bytes, key: str, *rest):  # type: ignore[no-untyped-def]
        if key == "hang":
            time.sleep(600)
        return real(source, key, *rest)

    monkeypatch.setattr(summary, "_summarise", hangs)
    names = [f"m{i}" for i in range(12)]
    names[3] = "hang"
    start = time.monotonic()
    mods = summarise_in_workers(items(names), jobs=2, timeout=1.0)
    assert time.monotonic() - start < 30
    assert [m.name for m in mods] == names
    hang = mods[3]
    assert hang.error is not None and hang.error[0].startswith("gave up after 1 s") and hang.transient
    assert all(m.error is None and f"{m.name}:{m.name}" in m.functions for m in mods if m is not hang)


@forks
def test_a_file_that_kills_its_worker_costs_only_itself(monkeypatch) -> None:
    real = summary._summarise

    def crashes(source: bytes, key: str, *rest):  # type: ignore[no-untyped-def]
        if key.startswith("crash"):
            os._exit(139)  # as a segfault in native code would
        return real(source, key, *rest)

    monkeypatch.setattr(summary, "_summarise", crashes)
    names = [f"m{i}" for i in range(20)]
    names[0], names[7], names[8] = "crash0", "crash7", "crash8"
    mods = summarise_in_workers(items(names), jobs=2, timeout=30.0)
    assert [m.name for m in mods] == names
    for m in mods:
        if m.name.startswith("crash"):
            assert m.error == ("the parser crashed on this file", 1, 0) and m.transient
        else:
            assert m.error is None and f"{m.name}:{m.name}" in m.functions


def test_parse_timeout_from_the_configuration_and_the_command_line(tmp_path) -> None:
    root = project(tmp_path, {"app.py": BUG, "slow.py": SLOW,
                              "pyproject.toml": "[tool.ctxlint]\nparse-timeout = 0.2\n"})
    cache = str(tmp_path / "cache")
    proc = run("--cache-dir", cache, ".", cwd=root)
    got = findings(proc)
    assert [(f, c) for f, _, c in got] == [("app.py", "CTX201"), ("slow.py", "CTX900")]
    message = [f["message"] for f in json.loads(proc.stdout) if f["code"] == "CTX900"][0]
    assert "gave up after 0.2 s (raise --parse-timeout, or exclude the file)" in message
    # a file given up on is not cached as unparsable: with time enough it is analysed
    proc = run("--cache-dir", cache, "--parse-timeout", "120", ".", cwd=root)
    assert [(f, c) for f, _, c in findings(proc)] == [("app.py", "CTX201")]


def test_parse_timeout_must_be_positive(tmp_path) -> None:
    root = project(tmp_path, {"app.py": BUG})
    proc = run("--parse-timeout", "0", ".", cwd=root)
    assert proc.returncode == 2 and "expected a number of seconds above 0, got '0'" in proc.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find leftover workers")
def test_ctrl_c_during_a_long_parse_exits_130_at_once_and_leaves_no_worker(tmp_path) -> None:
    files: dict[str, bytes | str] = {f"m{i}.py": BUG for i in range(40)}
    files["slow.py"] = SLOWER
    root = project(tmp_path, files)
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.Popen([sys.executable, "-m", "ctxlint", "--no-cache", "--jobs", "1", root],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(2.5)  # the 40 small files are done by now; the worker is inside slow.py
    assert proc.poll() is None
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - sent < 3
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    time.sleep(0.5)
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                if root.encode() in fh.read():
                    left.append(pid)
        except OSError:
            pass
    assert left == []
