"""The command line's conventions, the way ruff has them: version, output-format, rule lookup, clean, statistics
formats, non-Python and empty inputs, --jobs, and the progress line."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT

from ctxlint import __version__
from ctxlint.rules import RULES


def run(*args: str, cwd: str = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The command line in a subprocess (where a real pipe or process exit matters)."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "ctxlint", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, input=stdin, timeout=300)


@pytest.fixture
def cl(monkeypatch, capsys):
    """The command line in this process: (exit status, stdout, stderr), run from ``cwd``."""
    from ctxlint.cli import main

    def call(*args: str, cwd: str = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        monkeypatch.chdir(cwd)
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse: --version, usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)
    return call


def test_version_short_and_long(cl) -> None:
    for flag in ("-V", "--version"):
        proc = cl(flag)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == f"ctxlint {__version__}"


def test_output_format_is_an_alias_of_format(cl, tmp_path) -> None:
    a = cl("--no-cache", "--output-format", "json", "fixtures/example")
    b = cl("--no-cache", "--format", "json", "fixtures/example")
    assert a.returncode == b.returncode == 1
    assert json.loads(a.stdout) == json.loads(b.stdout) and json.loads(a.stdout)


def test_rule_by_code_name_and_prefix(cl) -> None:
    by_code = cl("rule", "CTX201")
    by_name = cl("rule", RULES["CTX201"].name)
    assert by_code.returncode == by_name.returncode == 0
    assert by_code.stdout == by_name.stdout and "CTX201" in by_code.stdout
    prefix = cl("rule", "ctx2", "--format", "json")
    assert prefix.returncode == 0
    assert [r["code"] for r in json.loads(prefix.stdout)] == [c for c in RULES if c.startswith("CTX2")]
    assert len(json.loads(prefix.stdout)) > 1
    for unknown in ("CTX7", "no-such-rule"):
        proc = cl("rule", unknown)
        assert proc.returncode == 2 and proc.stdout == ""
        assert unknown in proc.stderr


def test_clean_removes_the_caches_below_the_current_directory(cl, tmp_path) -> None:
    for name in ("one", "two"):
        shutil.copytree(os.path.join(FIXTURES, "example"), tmp_path / name)
        (tmp_path / name / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\n')
        assert cl(name, cwd=str(tmp_path)).returncode == 1  # with the cache
        assert (tmp_path / name / ".ctxlint_cache").is_dir()
    custom = tmp_path / "elsewhere"
    custom.mkdir()
    (custom / "keep.txt").write_text("not ctxlint's")
    assert cl("--cache-dir", str(custom), "one", cwd=str(tmp_path)).returncode == 1
    assert any(p.name.startswith("v") for p in custom.iterdir())

    proc = cl("clean", "--cache-dir", str(custom), cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "one" / ".ctxlint_cache").exists() and not (tmp_path / "two" / ".ctxlint_cache").exists()
    assert "Removing cache at: " in proc.stderr
    # a directory the user chose keeps what is not ctxlint's
    assert sorted(p.name for p in custom.iterdir()) == ["keep.txt"]
    assert (tmp_path / "one" / "app" / "reports.py").is_file()
    # nothing to clean: still fine
    assert cl("clean", cwd=str(tmp_path)).returncode == 0


@pytest.mark.parametrize("fmt", ["sarif", "junit", "github"])
def test_statistics_refused_in_formats_that_cannot_hold_them(cl, fmt) -> None:
    proc = cl("--no-cache", "--statistics", "--format", fmt, "fixtures/example")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "--statistics" in proc.stderr and fmt in proc.stderr


@pytest.mark.parametrize("fmt", ["text", "concise", "json"])
def test_statistics_in_formats_that_hold_them(cl, fmt) -> None:
    proc = cl("--no-cache", "--statistics", "--format", fmt, "fixtures/example")
    assert proc.returncode == 1, proc.stderr
    assert "CTX201" in proc.stdout


def test_non_python_named_files_are_skipped_with_a_warning(cl, tmp_path) -> None:
    (tmp_path / "README.md").write_text("# The shop\n\nRun `flask run`.\n")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x1b[2J\x07")
    (tmp_path / "manage").write_text("#!/usr/bin/env python3\nfrom flask import request\nx = request.args\n")
    proc = cl("--no-cache", "README.md", "logo.png", cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stdout
    assert "README.md: not a Python file" in proc.stderr and "logo.png: not a Python file" in proc.stderr
    assert "CTX900" not in proc.stdout
    # a script with a python #! line is Python
    proc = cl("--no-cache", "--format", "concise", "manage", cwd=str(tmp_path))
    assert proc.returncode == 1 and proc.stdout.startswith("manage:3:5: CTX101"), proc.stdout + proc.stderr
    # --force-python analyses what it is given; the binary's bytes never reach the terminal raw
    proc = cl("--no-cache", "--force-python", "logo.png", cwd=str(tmp_path))
    assert proc.returncode == 1
    assert "logo.png:1:" in proc.stdout and "CTX900" in proc.stdout
    assert not any(ch in proc.stdout for ch in "\x00\x07\x1b\x1a")


def test_an_empty_directory_is_a_warning_not_an_error(cl, tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    proc = cl("--no-cache", "empty", cwd=str(tmp_path))
    assert proc.returncode == 0
    assert "warning: no Python files found" in proc.stderr
    proc = cl("--no-cache", "--format", "json", "empty", cwd=str(tmp_path))
    assert proc.returncode == 0 and json.loads(proc.stdout) == []
    # a path that does not exist is still an error
    proc = cl("--no-cache", "missing", cwd=str(tmp_path))
    assert proc.returncode == 2 and "missing: no such file or directory" in proc.stderr


def test_jobs_validated(cl) -> None:
    for bad in ("-3", "two"):
        proc = cl("--jobs", bad, "fixtures/example")
        assert proc.returncode == 2 and "--jobs" in proc.stderr and proc.stdout == ""
    zero = cl("--no-cache", "--jobs", "0", "--format", "json", "fixtures/example")
    one = cl("--no-cache", "--jobs", "1", "--format", "json", "fixtures/example")
    assert zero.returncode == one.returncode == 1
    assert json.loads(zero.stdout) == json.loads(one.stdout)


def test_stdin_refuses_fixing_and_other_paths(cl, tmp_path) -> None:
    for args in (["--fix", "-"], ["-", "fixtures/example"], ["--stdin-filename", "x.py", "fixtures/example"]):
        proc = cl(*args, stdin="x = 1\n")
        assert proc.returncode == 2, args
        assert proc.stdout == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_on_a_terminal_is_erased_before_the_report(monkeypatch, capsys) -> None:
    """On a terminal, a run that takes longer than the delay shows its phase on stderr, then erases it; the
    report on stdout is untouched."""
    from ctxlint import progress
    from ctxlint.cli import main

    monkeypatch.setattr(progress, "DELAY", 0.0)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code = main(["--no-cache", "--format", "concise", os.path.join(FIXTURES, "example")])
    out = capsys.readouterr().out
    assert code == 1
    err = terminal.getvalue()
    assert "\r\x1b[Kctxlint: " in err
    assert err.endswith("\r\x1b[K")  # erased
    assert "\x1b" not in out and "ctxlint: parsing" not in out
    assert progress._current is None


def test_no_progress_line_before_the_delay_or_through_a_pipe(tmp_path, monkeypatch, capsys) -> None:
    from ctxlint import progress
    from ctxlint.cli import main

    monkeypatch.setattr(progress, "DELAY", 60.0)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["--no-cache", os.path.join(FIXTURES, "example")]) == 1
    assert terminal.getvalue() == ""  # done before the delay: nothing shown
    # piped (a subprocess's stderr is a pipe): no status line whatever the run's length
    proc = run("--no-cache", "fixtures/example")
    assert proc.returncode == 1 and proc.stderr == ""


def test_progress_line_stops_before_a_diff_is_printed(monkeypatch, capsys) -> None:
    """--diff writes while the run is still going: the status line is erased first and never drawn again."""
    from ctxlint import progress
    from ctxlint.cli import main

    monkeypatch.setattr(progress, "DELAY", 0.0)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code = main(["--no-cache", "--diff", os.path.join(FIXTURES, "example")])
    out = capsys.readouterr().out
    assert code == 1 and out.startswith("--- ")
    err = terminal.getvalue()
    assert "\r\x1b[Kctxlint: " in err and " … " in err  # shown while analysing
    # erased before the status message and never redrawn after it; the diff has none of it
    tail = err[err.rindex("\r\x1b[K") + len("\r\x1b[K"):]
    assert tail.startswith("ctxlint: ") and tail.endswith("\n") and " … " not in tail
    assert "\x1b" not in out
