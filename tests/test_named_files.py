"""Files named on the command line are analysed with their whole project, by every way of running ctxlint.

``ctxlint FILE``, ``ctxlint - --stdin-filename FILE``, ``flake8 FILE`` and the pre-commit hook (run by the
real pre-commit) must report the same findings in FILE, cross-module ones included; and they must work
from a nested folder of a repository holding two packages of the same name.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT
from test_fixtures import annotations

LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>CTX\d+) (?P<message>.*)$")
HOOK = "import sys; from ctxlint.cli import pre_commit_main; sys.exit(pre_commit_main())"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "ctxlint tests", "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "ctxlint tests", "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}

Found = set[tuple[str, int, int, str, str]]  # absolute path, line, column, code, one-line message


def env(home: str) -> dict[str, str]:
    """This working tree's ctxlint first; git, pre-commit and the user's configuration kept inside ``home``."""
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, **GIT_ENV, PYTHONPATH=ROOT + (os.pathsep + path if path else ""), HOME=home,
                XDG_CONFIG_HOME=home, PRE_COMMIT_HOME=os.path.join(home, ".pre-commit"), PRE_COMMIT_COLOR="never",
                NO_COLOR="1")


def run(argv: list[str], cwd: str, home: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(argv, cwd=cwd, env=env(home), input=stdin, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr + proc.stdout
    return proc


def ctxlint(*args: str, cwd: str, home: str, stdin: str | None = None) -> Found:
    proc = run([sys.executable, "-m", "ctxlint", "--no-cache", "--format", "json", *args], cwd, home, stdin)
    assert proc.returncode in (0, 1), proc.stderr
    return {(os.path.normpath(os.path.join(cwd, f["path"])), f["line"], f["column"], f["code"],
             " ".join(f["message"].split())) for f in json.loads(proc.stdout)}


def lines(text: str, cwd: str) -> Found:
    out = set()
    for line in text.splitlines():
        m = LINE.match(line)
        if m:
            out.add((os.path.normpath(os.path.join(cwd, m["path"])), int(m["line"]), int(m["col"]), m["code"],
                     " ".join(m["message"].split())))
    return out


def flake8(*args: str, cwd: str, home: str) -> Found:
    proc = run([sys.executable, "-m", "flake8", "--select", "CTX", *args], cwd, home)
    assert proc.returncode in (0, 1), proc.stderr
    return lines(proc.stdout, cwd)


def hook(*args: str, cwd: str, home: str) -> Found:
    """``ctxlint-pre-commit``, the hook's command, run by hand."""
    proc = run([sys.executable, "-c", HOOK, "--no-cache", "--format", "concise", *args], cwd, home)
    assert proc.returncode in (0, 1), proc.stderr
    return lines(proc.stdout, cwd)


def git_repo(src: str, dest: str) -> str:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__"))
    home = os.path.dirname(dest)
    run(["git", "init", "-q", "."], dest, home)
    return dest


def expected_in(project: str, copy: str, rel_file: str | None = None) -> set[tuple[str, int, str]]:
    """The fixture's ``# expect:`` annotations as (absolute path in the copy, line, code)."""
    found, _ = annotations(project)
    return {(os.path.join(copy, path), line, code) for path, line, code in found
            if rel_file is None or path == rel_file}


def positions(found: Found) -> set[tuple[str, int, str]]:
    return {(path, line, code) for path, line, _, code, _ in found}


def test_a_named_file_is_analysed_with_its_project_by_the_cli_stdin_flake8_and_pre_commit(tmp_path) -> None:
    from ctxlint.engine import Options, analyse

    repo = git_repo(os.path.join(FIXTURES, "example"), str(tmp_path / "repo"))
    home = str(tmp_path)
    target = os.path.join("app", "reports.py")
    expected = expected_in("example", repo, target)
    # the file's findings need the rest of the project: analysed alone, the thread task's reach into
    # audit.py is lost (this is what ``ctxlint app/reports.py`` used to report)
    alone = {(os.path.abspath(f.path), f.line, f.code)
             for f in analyse([os.path.join(repo, target)], Options(use_cache=False)).findings}
    assert alone < expected

    cli = ctxlint(target, cwd=repo, home=home)
    assert positions(cli) == expected
    assert any("audit.py:14" in message for *_, message in cli)  # the cross-module finding, reached in audit.py
    with open(os.path.join(repo, target), encoding="utf-8") as fh:
        text = fh.read()
    assert ctxlint("-", "--stdin-filename", target, cwd=repo, home=home, stdin=text) == cli
    assert flake8(target, cwd=repo, home=home) == cli
    assert hook(target, cwd=repo, home=home) == cli

    # the hook as the real pre-commit runs it on the changed file
    with open(os.path.join(repo, ".pre-commit-config.yaml"), "w", encoding="utf-8") as fh:
        fh.write("repos:\n  - repo: local\n    hooks:\n      - id: ctxlint\n        name: ctxlint\n"
                 f"        entry: {sys.executable} -c \"{HOOK}\"\n        args: [--no-cache, --format, concise]\n"
                 "        language: system\n        types: [python]\n        require_serial: true\n")
    run(["git", "add", "-A"], repo, home)
    proc = run([sys.executable, "-m", "pre_commit", "run", "ctxlint", "--files", target], repo, home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert lines(proc.stdout, repo) == cli


def test_stdin_stands_for_the_named_file(tmp_path) -> None:
    repo = git_repo(os.path.join(FIXTURES, "example"), str(tmp_path / "repo"))
    home = str(tmp_path)
    target = os.path.join("app", "reports.py")
    with open(os.path.join(repo, target), encoding="utf-8") as fh:
        text = fh.read()
    # the text read from stdin is analysed, not the file on disk: here the thread task is gone
    fixed = text.replace("return pool.submit(build_report, order_ids, fmt)", "return build_report(order_ids, fmt)")
    assert fixed != text
    got = ctxlint("--stdin-filename", target, cwd=repo, home=home, stdin=fixed)
    assert positions(got) == expected_in("example", repo, target) - {(os.path.join(repo, target), 37, "CTX201")}
    # a file not saved yet, in a folder that does not exist yet, still sees the project's modules
    new = os.path.join("app", "exports", "new.py")
    source = ("from concurrent.futures import ThreadPoolExecutor\n\nfrom app.audit import client_fingerprint\n\n"
              "pool = ThreadPoolExecutor()\n\n\ndef start():\n    return pool.submit(client_fingerprint)\n")
    got = ctxlint("-", "--stdin-filename", new, cwd=repo, home=home, stdin=source)
    assert positions(got) == {(os.path.join(repo, new), 9, "CTX201")}
    assert all(os.path.join("app", "audit.py") in message for *_, message in got)
    # without a name, standard input is a file of its own, shown as -
    proc = run([sys.executable, "-m", "ctxlint", "--no-cache", "--format", "concise", "-"], repo, home,
               stdin="from flask import request\nlang = request.args\n")
    assert proc.returncode == 1
    assert proc.stdout.startswith("-:2:8: CTX101 ")


def test_same_named_packages_from_a_nested_folder(tmp_path) -> None:
    """Two services with a ``shop`` package in one repository, run from inside one of them: paths above the
    current folder are shown absolute, the others relative; the engine compares them in one form."""
    repo = git_repo(os.path.join(FIXTURES, "two_shops"), str(tmp_path / "repo"))
    home = str(tmp_path)
    nested = os.path.join(repo, "services", "store")
    target = os.path.join("app", "reports.py")
    expected = expected_in("two_shops", repo)
    assert expected  # the store's thread task reaches its own shop's request read

    whole = ctxlint(os.path.join("..", ".."), cwd=nested, home=home)
    assert positions(whole) == expected
    # the message quotes the module as the user sees it, relative to the nested folder
    assert all(f"({os.path.join('shop', 'audit.py')}:5)" in message for *_, message in whole)
    named = ctxlint(target, cwd=nested, home=home)
    assert named == whole
    assert flake8(target, cwd=nested, home=home) == whole
    assert hook(target, cwd=nested, home=home) == whole
    # billing's look-alike imports its own shop, which reads no request: nothing, by every route
    billing = os.path.join("..", "..", "billing", "app.py")
    assert ctxlint(billing, cwd=nested, home=home) == set()
    assert flake8(billing, cwd=nested, home=home) == set()
    assert hook(billing, cwd=nested, home=home) == set()


@pytest.mark.parametrize("cwd", ["root", "nested"])
def test_paths_in_the_engine_are_absolute_and_shown_relative(tmp_path, monkeypatch, cwd) -> None:
    """The engine's modules carry absolute paths; findings, their traces and messages show the user's."""
    from ctxlint.engine import Options, analyse

    repo = git_repo(os.path.join(FIXTURES, "two_shops"), str(tmp_path / "repo"))
    monkeypatch.chdir(repo if cwd == "root" else os.path.join(repo, "services", "store"))
    result = analyse([repo], Options(use_cache=False))
    assert result.modules and all(os.path.isabs(m.path) for m in result.modules)
    (f,) = result.findings
    assert os.path.abspath(f.path) == os.path.join(repo, "services", "store", "app", "reports.py")
    assert not os.path.isabs(f.path)
    shown = [s.path for s in f.trace] + [u[0] for u in f.uses]
    assert shown and not any(os.path.isabs(p) for p in shown)
    assert all(os.path.isabs(m) is False for m in re.findall(r"\(([^():]+\.py):\d+\)", f.message))


def test_fix_on_a_named_file_fixes_its_findings_with_the_project_for_context(tmp_path, monkeypatch, capsys) -> None:
    """``--fix FILE`` fixes the findings reported in FILE (cross-module ones included) and no others."""
    from ctxlint.cli import main

    repo = git_repo(os.path.join(FIXTURES, "example"), str(tmp_path / "repo"))
    monkeypatch.chdir(repo)
    target = os.path.join("app", "reports.py")
    before = {}
    for name in os.listdir("app"):
        with open(os.path.join("app", name), encoding="utf-8") as fh:
            before[name] = fh.read()
    assert main(["--no-cache", "--format", "concise", os.path.join("app", "views.py")]) == 1
    views = capsys.readouterr().out
    assert "CTX401" in views  # a safe fix, in a file not named below

    code = main(["--no-cache", "--fix", "--unsafe-fixes", "--format", "concise", target])
    out, err = capsys.readouterr()
    assert code == 0 and "in 1 file." in out, out + err
    assert "fixed 2 problems" in err  # CTX201, whose use is in audit.py, and CTX202
    changed = set()
    for name, text in before.items():
        with open(os.path.join("app", name), encoding="utf-8") as fh:
            if fh.read() != text:
                changed.add(name)
    assert "reports.py" in changed and "views.py" not in changed
    assert main(["--no-cache", "--format", "concise", os.path.join("app", "views.py")]) == 1
    assert capsys.readouterr().out == views
