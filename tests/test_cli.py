"""The command line, run for real in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT


def run(*args: str, cwd: str = ROOT) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "ctxlint", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)


def test_findings_exit_1_with_call_path_and_fix_hint() -> None:
    proc = run("fixtures/example")
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    head = next(line for line in lines if "CTX201" in line)
    assert head.startswith("fixtures/example/app/reports.py:37:12: CTX201 ")
    assert "request.headers (fixtures/example/app/audit.py:14" in head
    assert "via record_event() → client_fingerprint()" in head
    assert "copy_current_request_context" in head
    i = lines.index(head)
    assert "audit.py:14" in lines[i + 4] and "uses request.headers" in lines[i + 4]
    assert lines[-2].startswith("Found 7 problems")
    assert proc.stderr == ""


def test_clean_project_exits_0(tmp_path) -> None:
    (tmp_path / "app.py").write_text(
        "from flask import Flask, request\napp = Flask(__name__)\n\n@app.route('/')\ndef index():\n"
        "    return request.args.get('q', '')\n")
    proc = run(str(tmp_path))
    assert proc.returncode == 0, proc.stdout
    assert "All clear" in proc.stdout


def test_json_output_shape() -> None:
    proc = run("fixtures/example", "--format", "json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert {f["code"] for f in data} == {"CTX101", "CTX201", "CTX202", "CTX203", "CTX301", "CTX401", "CTX501"}
    for f in data:
        assert {"code", "path", "line", "column", "end_line", "end_column", "message", "fix_hint", "trace"} <= set(f)
        assert not os.path.isabs(f["path"])
        assert f["line"] <= f["end_line"] and f["column"] >= 1
        for step in f["trace"]:
            assert set(step) >= {"path", "line", "function"}
    thread = next(f for f in data if f["code"] == "CTX201")
    assert [s["function"] for s in thread["trace"]] == ["start_report", "build_report", "record_event",
                                                        "client_fingerprint"]
    assert thread["trace"][-1] == {"path": "fixtures/example/app/audit.py", "line": 14,
                                   "function": "client_fingerprint", "note": "uses request.headers"}


def test_paths_in_json_are_relative_to_the_current_directory() -> None:
    proc = run("example", "--format", "json", cwd=FIXTURES)
    data = json.loads(proc.stdout)
    assert all(f["path"].startswith("example/app/") for f in data)


def test_select_and_ignore_by_prefix() -> None:
    data = json.loads(run("fixtures/example", "--format", "json", "--select", "CTX2").stdout)
    assert {f["code"] for f in data} == {"CTX201", "CTX202", "CTX203"}
    data = json.loads(run("fixtures/example", "--format", "json", "--ignore", "CTX2,CTX101").stdout)
    assert {f["code"] for f in data} == {"CTX301", "CTX401", "CTX501"}
    data = json.loads(run("fixtures/example", "--format", "json", "--select", "CTX2", "--ignore", "CTX203").stdout)
    assert {f["code"] for f in data} == {"CTX201", "CTX202"}


def test_exit_zero() -> None:
    proc = run("fixtures/example", "--exit-zero")
    assert proc.returncode == 0 and "CTX201" in proc.stdout


def test_missing_path_is_a_one_line_error_and_exit_2(tmp_path) -> None:
    proc = run(str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 2  # the missing path, then "no Python files"
    assert "nope: no such file or directory" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_path_next_to_a_real_one_still_analyses(tmp_path) -> None:
    proc = run("fixtures/example", str(tmp_path / "nope"))
    assert proc.returncode == 1
    assert "nope: no such file or directory" in proc.stderr
    assert "CTX201" in proc.stdout


def test_unknown_code_is_a_usage_error() -> None:
    proc = run("fixtures/example", "--select", "XYZ1")
    assert proc.returncode == 2
    assert "unknown rule code" in proc.stderr


def test_unparsable_file_is_ctx900_and_the_rest_is_analysed(tmp_path) -> None:
    (tmp_path / "broken.py").write_text("def broken(:\n    pass\n")
    (tmp_path / "py2.py").write_text("print 'hello'\n")
    (tmp_path / "nul.py").write_bytes(b"x = 1\x00\n")
    (tmp_path / "app.py").write_text("from flask import current_app\nNAME = current_app.name\n")
    proc = run(str(tmp_path), "--format", "json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    codes = sorted((os.path.basename(f["path"]), f["code"]) for f in data)
    assert codes == [("app.py", "CTX101"), ("broken.py", "CTX900"), ("nul.py", "CTX900"), ("py2.py", "CTX900")]
    assert all(f["message"].startswith("cannot parse: ") for f in data if f["code"] == "CTX900")
    assert "Traceback" not in proc.stderr


def test_python_m_and_console_script_agree() -> None:
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("ctxlint ")


def test_rule_is_a_subcommand() -> None:
    proc = run("rule", "CTX201")
    assert proc.returncode == 0
    assert proc.stdout.startswith("CTX201 request-local-in-thread\n")
    assert "RuntimeError: Working outside of request context." in proc.stdout
    proc = run("rule", "--all")
    assert proc.returncode == 0 and proc.stdout.count("\nCTX") >= 8


def test_format_choices_and_output_file(tmp_path) -> None:
    for fmt in ("text", "concise", "json", "sarif", "github", "junit"):
        out = tmp_path / f"report.{fmt}"
        proc = run("fixtures/example", "--format", fmt, "--output-file", str(out))
        assert proc.returncode == 1 and proc.stdout == "", fmt
        assert out.read_text(encoding="utf-8").strip(), fmt


def test_pre_commit_entry_reads_the_configuration_and_refuses_whole_project_options(tmp_path, capsys,
                                                                                    monkeypatch) -> None:
    from ctxlint.cli import pre_commit_main

    shutil.copytree(os.path.join(ROOT, "fixtures", "threads"), tmp_path / "threads")
    monkeypatch.chdir(tmp_path / "threads")
    views = os.path.join("hub", "posts.py")
    assert pre_commit_main([views, "--format", "json"]) == 1
    codes = {f["code"] for f in json.loads(capsys.readouterr().out)}
    assert "CTX201" in codes
    with open("pyproject.toml", "w", encoding="utf-8") as fh:
        fh.write('[tool.ctxlint]\nextend-ignore = ["CTX201"]\n')
    pre_commit_main([views, "--format", "json"])
    assert "CTX201" not in {f["code"] for f in json.loads(capsys.readouterr().out)}
    with pytest.raises(SystemExit) as exc:
        pre_commit_main(["--fix", views])
    assert exc.value.code == 2 and "run ctxlint itself" in capsys.readouterr().err
