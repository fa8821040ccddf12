"""The flake8 plugin, run through the real flake8 in a subprocess.

Each fixture project is copied into a temporary directory with its own
``pyproject.toml``, so that the plugin finds it as the project (in the
repository the nearest project would be ctxlint itself).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from importlib import metadata

import pytest
from conftest import FIXTURES, ROOT
from test_fixtures import annotations, projects

from ctxlint import __version__

LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$")


def _registered() -> bool:
    return any(ep.name == "CTX" and ep.value.startswith("ctxlint.")
               for ep in metadata.entry_points(group="flake8.extension"))


@pytest.fixture(autouse=True)
def plugin_registered() -> None:
    if not _registered():
        pytest.fail("the ctxlint flake8 plugin is not registered: install the project first "
                    "(pip install -e '.[test]')")


def copy_project(name: str, dest: str) -> str:
    """Copy fixtures/NAME to DEST/NAME with a pyproject.toml (its own, where it has one); returns the copy."""
    target = os.path.join(dest, name)
    shutil.copytree(os.path.join(FIXTURES, name), target, ignore=shutil.ignore_patterns("__pycache__"))
    if not os.path.exists(os.path.join(target, "pyproject.toml")):
        with open(os.path.join(target, "pyproject.toml"), "w", encoding="utf-8") as fh:
            fh.write(f'[project]\nname = "{name}"\nversion = "0"\n')
    return target


def env() -> dict[str, str]:
    """The environment for subprocesses: this working tree's ctxlint first."""
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, PYTHONPATH=ROOT + (os.pathsep + path if path else ""))


def flake8(*args: str, cwd: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flake8", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, env=env(), timeout=300)


def results(proc: subprocess.CompletedProcess[str]) -> list[tuple[str, int, int, str, str]]:
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    out = []
    for line in proc.stdout.splitlines():
        m = LINE.match(line)
        assert m, f"not a flake8 result line: {line!r}"
        out.append((os.path.normpath(m["path"]), int(m["line"]), int(m["col"]), m["code"], m["message"]))
    return out


def codes_at(proc: subprocess.CompletedProcess[str]) -> set[tuple[str, int, str]]:
    return {(path, line, code) for path, line, _, code, _ in results(proc)}


EXAMPLE_CTX = {
    ("app/cli.py", 26, "CTX501"), ("app/reports.py", 37, "CTX201"), ("app/reports.py", 45, "CTX202"),
    ("app/tasks.py", 26, "CTX301"), ("app/views.py", 11, "CTX101"), ("app/views.py", 24, "CTX203"),
    ("app/views.py", 66, "CTX401"),
}


def test_version_lists_ctxlint() -> None:
    proc = flake8("--version", cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert f"ctxlint: {__version__}" in proc.stdout


def test_every_fixture_project_at_once_matches_annotations_and_the_cli(tmp_path, monkeypatch) -> None:
    """One flake8 run over all projects: each file is analysed with its own project; -j 2 equals -j 1."""
    from ctxlint.engine import analyse

    names = projects()
    for name in names:
        copy_project(name, str(tmp_path))
    serial = flake8("--select", "CTX", "-j", "1", ".", cwd=str(tmp_path))
    got = results(serial)
    assert len(got) == len(set(got)), "a finding was reported twice"
    monkeypatch.chdir(tmp_path)
    for name in names:
        expected, _ = annotations(name)
        mine = {(os.path.relpath(p, name), line, code) for p, line, _, code, _ in got if p.startswith(name + os.sep)}
        assert mine == expected, name
        # the same codes, positions and messages as the command line
        cli = {(os.path.normpath(f.path), f.line, f.column, f.code, f.message) for f in analyse([name]).findings}
        assert {r for r in got if r[0].startswith(name + os.sep)} == cli, name
    parallel = flake8("--select", "CTX", "-j", "2", ".", cwd=str(tmp_path))
    assert parallel.stdout == serial.stdout
    assert parallel.returncode == serial.returncode == 1


def test_default_selection_includes_ctx_codes(tmp_path) -> None:
    proj = copy_project("example", str(tmp_path))
    got = codes_at(flake8(".", cwd=proj))
    assert EXAMPLE_CTX <= got


def test_select_extend_select_and_extend_ignore(tmp_path) -> None:
    proj = copy_project("example", str(tmp_path))
    assert codes_at(flake8("--select", "CTX", ".", cwd=proj)) == EXAMPLE_CTX
    assert codes_at(flake8("--select", "CTX201", ".", cwd=proj)) == {("app/reports.py", 37, "CTX201")}
    assert codes_at(flake8("--select", "E9", "--extend-select", "CTX5", ".", cwd=proj)) == {
        ("app/cli.py", 26, "CTX501")}
    got = codes_at(flake8("--select", "CTX", "--extend-ignore", "CTX2", ".", cwd=proj))
    assert got == {e for e in EXAMPLE_CTX if not e[2].startswith("CTX2")}
    # nothing selected: nothing reported (and nothing analysed)
    assert codes_at(flake8("--select", "E9", ".", cwd=proj)) == set()


def test_per_file_ignores(tmp_path) -> None:
    proj = copy_project("example", str(tmp_path))
    with open(os.path.join(proj, "setup.cfg"), "w", encoding="utf-8") as fh:
        fh.write("[flake8]\nselect = CTX\nper-file-ignores =\n    app/reports.py: CTX201\n    app/views.py: CTX\n")
    got = codes_at(flake8(".", cwd=proj))
    assert got == {e for e in EXAMPLE_CTX if e[:3] != ("app/reports.py", 37, "CTX201") and e[0] != "app/views.py"}


def _edit_line(path: str, lineno: int, suffix: str) -> None:
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    lines[lineno - 1] += suffix
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


@pytest.mark.parametrize("comment, suppressed", [
    ("  # noqa: CTX201", True),
    ("  # noqa:CTX2", True),
    ("  # noqa", True),
    ("  # noqa: CTX202", False),
    ("  # ctxlint: ignore[CTX201]", True),
])
def test_noqa(tmp_path, comment: str, suppressed: bool) -> None:
    proj = copy_project("example", str(tmp_path))
    _edit_line(os.path.join(proj, "app", "reports.py"), 37, comment)
    got = codes_at(flake8("--select", "CTX", ".", cwd=proj))
    finding = ("app/reports.py", 37, "CTX201")
    assert (finding not in got) is suppressed
    assert got - {finding} == EXAMPLE_CTX - {finding}
    if comment.startswith("  # noqa"):
        assert finding in codes_at(flake8("--select", "CTX", "--disable-noqa", ".", cwd=proj))


def test_one_file_is_analysed_with_its_project(tmp_path) -> None:
    proj = copy_project("example", str(tmp_path))
    got = results(flake8("--select", "CTX", os.path.join("app", "reports.py"), cwd=proj))
    assert [(p, line, col, code) for p, line, col, code, _ in got] == [
        ("app/reports.py", 37, 12, "CTX201"), ("app/reports.py", 45, 12, "CTX202")]
    assert "request.headers (app/audit.py:14, +1 more) via record_event() → client_fingerprint()" in got[0][4]
    # from another directory, the project is still the file's own
    got = codes_at(flake8("--select", "CTX", os.path.join(proj, "app", "reports.py"), cwd=str(tmp_path)))
    assert {(os.path.relpath(p, proj), line, code) for p, line, code in got} == {
        ("app/reports.py", 37, "CTX201"), ("app/reports.py", 45, "CTX202")}


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


@pytest.mark.parametrize("absolute", [False, True])
def test_stdin_buffer_is_analysed_with_the_project_on_disk(tmp_path, absolute: bool) -> None:
    """An editor's unsaved buffer: flake8 --stdin-display-name NAME -; the helper it reaches is on disk."""
    proj = copy_project("example", str(tmp_path))
    name = os.path.join(proj, "app", "reports.py") if absolute else os.path.join("app", "reports.py")
    buffer = "# two lines the disk\n# does not have\n" + _read(os.path.join(proj, "app", "reports.py"))
    got = results(flake8("--select", "CTX", "--stdin-display-name", name, "-", cwd=proj, stdin=buffer))
    assert [(line, col, code) for _, line, col, code, _ in got] == [(39, 12, "CTX201"), (47, 12, "CTX202")]
    assert all(p == os.path.normpath(name) for p, *_ in got)
    assert "(app/audit.py:14, +1 more) via record_event() → client_fingerprint()" in got[0][4]
    # the buffer fixes the bug the disk still has
    fixed = _read(os.path.join(proj, "app", "reports.py")).replace(
        "pool.submit(build_report, order_ids, fmt)", "pool.submit(load_order_rows, order_ids)")
    got = results(flake8("--select", "CTX", "--stdin-display-name", name, "-", cwd=proj, stdin=fixed))
    assert [(line, code) for _, line, _, code, _ in got] == [(45, "CTX202")]
    # a buffer identical to the disk
    got = results(flake8("--select", "CTX", "--stdin-display-name", name, "-", cwd=proj,
                         stdin=_read(os.path.join(proj, "app", "reports.py"))))
    assert [(line, code) for _, line, _, code, _ in got] == [(37, "CTX201"), (45, "CTX202")]


def test_crlf_file_uses_the_cached_project_analysis(tmp_path) -> None:
    proj = copy_project("example", str(tmp_path))
    path = os.path.join(proj, "app", "reports.py")
    with open(path, "rb") as fh:
        data = fh.read()
    with open(path, "wb") as fh:
        fh.write(data.replace(b"\n", b"\r\n"))
    assert codes_at(flake8("--select", "CTX", ".", cwd=proj)) == EXAMPLE_CTX


def test_file_the_project_walk_skips_is_analysed_on_its_own(tmp_path) -> None:
    proj = copy_project("example", str(tmp_path))
    with open(os.path.join(proj, ".gitignore"), "w", encoding="utf-8") as fh:
        fh.write("generated/\n")
    os.makedirs(os.path.join(proj, "generated"))
    with open(os.path.join(proj, "generated", "settings.py"), "w", encoding="utf-8") as fh:
        fh.write("from flask import current_app\n\nDEBUG = current_app.debug\n")
    for jobs in ("1", "2"):
        got = codes_at(flake8("--select", "CTX", "-j", jobs, ".", cwd=proj))
        assert got == EXAMPLE_CTX | {("generated/settings.py", 3, "CTX101")}


def test_project_root(tmp_path) -> None:
    from ctxlint.discover import find_project_root

    def touch(rel: str, text: str = "") -> str:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return str(path)

    touch("proj/pyproject.toml")
    touch("proj/src/shop/__init__.py")
    view = touch("proj/src/shop/views.py")
    # a module named setup.py inside a package is not a build script (CTFd has CTFd/forms/setup.py)
    touch("proj/src/shop/forms/__init__.py")
    form = touch("proj/src/shop/forms/setup.py", "from wtforms import Form\n")
    assert find_project_root(view) == find_project_root(form) == str(tmp_path / "proj")
    assert find_project_root(str(tmp_path / "proj" / "src")) == str(tmp_path / "proj")
    # the nearest marker wins: a sub-project with its own build script
    touch("proj/plugins/extra/setup.py", "from setuptools import setup\nsetup()\n")
    extra = touch("proj/plugins/extra/extra.py")
    assert find_project_root(extra) == str(tmp_path / "proj" / "plugins" / "extra")
    # .git may be a file (worktrees, submodules)
    touch("repo/.git", "gitdir: elsewhere\n")
    assert find_project_root(touch("repo/pkg/mod.py")) == str(tmp_path / "repo")
    # no marker anywhere: the directory above the outermost package (the walk up may meet a marker
    # outside tmp_path, so only check when there is none)
    touch("loose/app/__init__.py")
    mod = touch("loose/app/sub/__init__.py")
    root = find_project_root(mod)
    if not str(tmp_path).startswith(root):
        assert root == str(tmp_path / "loose")


# ---- in one process: the project is analysed once, and again only when the disk changes -------------

def test_one_analysis_per_project_per_process_and_disk_changes_are_seen(tmp_path, monkeypatch) -> None:
    from flake8.api import legacy
    from flake8.main.options import JobsArgument

    from ctxlint import flake8_plugin

    proj = copy_project("example", str(tmp_path))
    monkeypatch.chdir(proj)
    monkeypatch.setattr(flake8_plugin, "_STATE", flake8_plugin._State())

    def run() -> int:
        report = legacy.get_style_guide(select=["CTX"], jobs=JobsArgument("1")).check_files(["."])
        return report.total_errors

    assert run() == len(EXAMPLE_CTX)
    assert flake8_plugin._STATE.analyses == 1  # six files, one analysis
    assert run() == len(EXAMPLE_CTX)
    assert flake8_plugin._STATE.analyses == 1  # nothing changed on disk
    # a long-lived process (an editor's flake8 server) sees a fix in another file
    audit = os.path.join(proj, "app", "audit.py")
    with open(audit, encoding="utf-8") as fh:
        text = fh.read()
    with open(audit, "w", encoding="utf-8") as fh:
        fh.write(text.replace('"client": client_fingerprint()', '"client": None'))
    assert run() == len(EXAMPLE_CTX) - 4  # CTX201, CTX301, CTX401 and CTX501 went through record_event()
    assert flake8_plugin._STATE.analyses == 2
    # and a new file, with the project it belongs to
    with open(os.path.join(proj, "app", "more.py"), "w", encoding="utf-8") as fh:
        fh.write(MORE)
    assert run() == len(EXAMPLE_CTX) - 4 + 1
    assert flake8_plugin._STATE.analyses == 3
    report = legacy.get_style_guide(select=["CTX"], jobs=JobsArgument("1")).check_files(["app/more.py"])
    assert report.total_errors == 1 and flake8_plugin._STATE.analyses == 3


MORE = """\
from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint

from .reports import export_report

bp = Blueprint("more", __name__)
pool = ThreadPoolExecutor()


@bp.post("/export/<rid>")
def export(rid):
    pool.submit(export_report, rid, [])
    return "", 202
"""
