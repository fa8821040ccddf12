"""Adversarial input: each case completes with correct findings or a CTX900 / stderr message
naming the path, and the rest of the project is still analysed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

BUG = ("from concurrent.futures import ThreadPoolExecutor\nfrom flask import Flask, request\n\n"
       "app = Flask(__name__)\npool = ThreadPoolExecutor()\n\n\ndef work():\n    return request.args\n\n\n"
       "@app.route('/')\ndef index():\n    pool.submit(work)\n    return ''\n")
BUG_LINE = 14  # the pool.submit line


def run(*args: str, cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "ctxlint", *args, "--format", "json", "--no-cache"],
                          capture_output=True, text=True, env=env, timeout=300, cwd=cwd)


def findings(proc: subprocess.CompletedProcess[str]) -> list[tuple[str, int, str]]:
    assert "Traceback" not in proc.stderr, proc.stderr
    return sorted((os.path.basename(f["path"]), f["line"], f["code"]) for f in json.loads(proc.stdout or "[]"))


def project(tmp_path, files: dict[str, bytes | str]) -> str:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    return str(tmp_path)


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("eof.py", "def f():\n    return (1,\n", [("eof.py", "CTX900")]),
    ("middle.py", "x = 1\ndef g(:\n    pass\ny = 2\n", [("middle.py", "CTX900")]),
    ("latin1.py", "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n".encode("latin-1"), []),
    ("bom.py", b"\xef\xbb\xbf" + BUG.encode(), [("bom.py", "CTX201")]),
    ("crlf.py", BUG.replace("\n", "\r\n").encode(), [("crlf.py", "CTX201")]),
    ("lonecr.py", BUG.replace("\n", "\r").encode(), [("lonecr.py", "CTX201")]),
    ("badutf8.py", b"x = '\xff\xfe'\n", [("badutf8.py", "CTX900")]),
    ("mixed.py", "# coding: utf-8\nx = 'caf\xe9'\n".encode("latin-1"), [("mixed.py", "CTX900")]),
    ("nul.py", b"x = 1\n\x00\n", [("nul.py", "CTX900")]),
    ("binary.py", bytes(range(256)) * 4, [("binary.py", "CTX900")]),
    ("tabs.py", "if True:\n\tx = 1\n        y = 2\n", [("tabs.py", "CTX900")]),
    ("py2.py", "print 'hello'\nexec 'x = 1'\n", [("py2.py", "CTX900")]),
    ("empty.py", "", []),
])
def test_bad_files_next_to_a_real_bug(tmp_path, name, content, expected) -> None:
    root = project(tmp_path, {"app.py": BUG, name: content})
    got = [(f, c) for f, _, c in findings(run(root))]
    assert sorted(got) == sorted([("app.py", "CTX201"), *expected])


def test_crlf_positions_match_the_file(tmp_path) -> None:
    root = project(tmp_path, {"crlf.py": BUG.replace("\n", "\r\n").encode()})
    assert findings(run(root)) == [("crlf.py", BUG_LINE, "CTX201")]


def test_cycles_self_imports_and_recursion_across_modules(tmp_path) -> None:
    root = project(tmp_path, {
        "pkg/__init__.py": "from . import *\nfrom pkg import a\n",
        "pkg/a.py": "from . import *\nfrom .b import ping\n\n\ndef pong(n):\n    return ping(n - 1)\n",
        "pkg/b.py": "from flask import g\nfrom . import *\nfrom .a import pong\n\n\ndef ping(n):\n"
                    "    return pong(n) if n else g.user\n",
        "pkg/views.py": "import threading\nimport pkg\nfrom .a import pong\n\n\ndef go():\n"
                        "    threading.Thread(target=pong, args=(3,)).start()\n",
        "pkg/app.py": "from flask import Flask\nfrom .views import go\napp = Flask(__name__)\n"
                      "app.add_url_rule('/', view_func=go)\n",
    })
    assert findings(run(root)) == [("views.py", 7, "CTX202")]


def test_symlink_loop_is_not_followed(tmp_path) -> None:
    root = project(tmp_path, {"app.py": BUG})
    os.symlink(tmp_path, tmp_path / "loop")
    os.symlink(tmp_path / "missing", tmp_path / "dangling.py")
    proc = run(root)
    assert [(f, c) for f, _, c in findings(proc)] == [("app.py", "CTX201")]
    assert "dangling.py" in proc.stderr


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read unreadable files")
def test_unreadable_file_and_directory(tmp_path) -> None:  # pragma: no cover - not run as root
    root = project(tmp_path, {"app.py": BUG, "secret.py": "x = 1\n", "locked/mod.py": "y = 2\n"})
    os.chmod(tmp_path / "secret.py", 0)
    os.chmod(tmp_path / "locked", 0)
    try:
        proc = run(root)
        assert [(f, c) for f, _, c in findings(proc)] == [("app.py", "CTX201")]
        assert "secret.py" in proc.stderr and "locked" in proc.stderr
    finally:
        os.chmod(tmp_path / "locked", 0o755)


def test_paths_with_spaces_and_non_ascii_names(tmp_path) -> None:
    root = project(tmp_path, {"my app/ünïcode views.py": BUG, "my app/données.py": "x = 1\n"})
    proc = run(os.path.join(root, "my app"))
    assert [(f, c) for f, _, c in findings(proc)] == [("ünïcode views.py", "CTX201")]


def test_file_deleted_between_discovery_and_reading(tmp_path, monkeypatch) -> None:
    from ctxlint import engine

    root = project(tmp_path, {"app.py": BUG, "gone.py": "x = 1\n"})
    real = engine.read_source

    def vanishing(f, overrides):
        if f.abspath.endswith("gone.py"):
            os.unlink(f.abspath)
        return real(f, overrides)

    monkeypatch.setattr(engine, "read_source", vanishing)
    result = engine.analyse([root], engine.Options(use_cache=False, jobs=1))
    assert [f.code for f in result.findings] == ["CTX201"]
    assert any("gone.py" in e for e in result.errors)


def test_empty_directory_is_a_warning_and_exit_0(tmp_path) -> None:
    proc = run(str(tmp_path))
    assert proc.returncode == 0 and "no Python files" in proc.stderr and "Traceback" not in proc.stderr


def test_long_chain_and_deep_nesting_complete(tmp_path) -> None:
    chain = [BUG.split("\n\n\ndef work")[0]]
    for i in range(3000):
        chain.append(f"def f{i}():\n    return f{i + 1}()\n")
    chain.append("def f3000():\n    return request.args\n")
    chain.append("@app.route('/chain')\ndef chain_view():\n    pool.submit(f0)\n    return ''\n")
    deep = "x = " + "[" * 500 + "1" + "]" * 500 + "\ny = " + "(" * 1000 + "1" + ")" * 1000 + "\n"
    root = project(tmp_path, {"chain.py": "\n".join(chain), "deep.py": deep})
    got = findings(run(root))
    assert [(f, c) for f, _, c in got] == [("chain.py", "CTX201")]


def test_broken_pipe_exits_quietly(tmp_path) -> None:
    root = project(tmp_path, {f"m{i}.py": BUG for i in range(30)})
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.run(f"{sys.executable} -m ctxlint --no-cache {root} | head -1", shell=True,
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.stdout.count("\n") == 1
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


@pytest.mark.slow  # libcst parses the file for over a minute
def test_a_100k_line_file_is_analysed_to_its_end(tmp_path) -> None:
    body = "".join(f"def helper_{i}(x):\n    y = x + {i}\n    if y > 3:\n        return helper_{i + 1}(y)\n"
                   f"    return None\n\n\n" for i in range(14_300))
    big = BUG.replace("\n\n\ndef work", "\n\n\n" + body + "def work")
    assert big.count("\n") > 100_000
    root = project(tmp_path, {"big.py": big})
    line = big.splitlines().index("    pool.submit(work)") + 1
    assert findings(run(root)) == [("big.py", line, "CTX201")]


def test_valid_python_that_libcst_rejects_is_not_called_a_syntax_error(tmp_path) -> None:
    # libcst's parser gives up on thousands of adjacent string literals; CPython accepts them
    root = project(tmp_path, {"app.py": BUG, "strings.py": "x = " + " ".join(["'a'"] * 4000) + "\n"})
    proc = run(root)
    got = json.loads(proc.stdout)
    assert sorted((os.path.basename(f["path"]), f["code"]) for f in got)[0] == ("app.py", "CTX201")
    for f in got:
        if f["code"] == "CTX900":
            assert "libcst's parser rejects this file, which Python accepts" in f["message"]
            assert "syntax error" not in f["message"] and len(f["message"]) < 300
