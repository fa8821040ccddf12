"""Fixes: before/after pairs in fixtures_fix/, lossless writing, and a fix for every finding."""

from __future__ import annotations

import io
import json
import os
import shutil

import pytest
from conftest import FIXTURES, ROOT

from ctxlint import fixes
from ctxlint.autofix import run_fixes
from ctxlint.engine import Options, analyse
from ctxlint.fixes import SAFE, SUGGESTION, Fix, FixContext, fix_for
from ctxlint.fixing import Edit, FixError, SourceText, unified_diff, write_fixed

CASES = os.path.join(ROOT, "fixtures_fix")
OPTS = Options(use_cache=False, jobs=1)


def cases() -> list[str]:
    return sorted(d for d in os.listdir(CASES) if os.path.isdir(os.path.join(CASES, d)))


def snapshot(root: str) -> dict[str, bytes]:
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".py"):
                p = os.path.join(dirpath, f)
                with open(p, "rb") as fh:
                    out[os.path.relpath(p, root)] = fh.read()
    return out


def fix(path: str, unsafe: bool = False, diff: bool = False) -> tuple[int, str, str, list]:
    out, err = io.StringIO(), io.StringIO()
    code, result = run_fixes([path], OPTS, unsafe=unsafe, diff_only=diff, out=out, err=err)
    return code, out.getvalue(), err.getvalue(), result.findings


@pytest.mark.parametrize("case", cases())
def test_fix_case(case: str, tmp_path, monkeypatch) -> None:
    base = os.path.join(CASES, case)
    with open(os.path.join(base, "case.json"), encoding="utf-8") as fh:
        meta = json.load(fh)
    shutil.copytree(os.path.join(base, "before"), tmp_path / "proj")
    monkeypatch.chdir(tmp_path)
    before = snapshot("proj")
    after = {**before, **snapshot(os.path.join(base, "after"))}
    assert after != before
    if meta.get("needs_unsafe"):  # without --unsafe-fixes nothing changes
        assert fix("proj")[0] == 1 and snapshot("proj") == before

    code, diff, _, _ = fix("proj", meta["unsafe"], diff=True)
    expected = "".join(unified_diff(os.path.join("proj", rel), before[rel].decode(), after[rel].decode())
                       for rel in sorted(before) if before[rel] != after[rel])
    assert (code, diff) == (1, expected)
    assert snapshot("proj") == before  # --diff changes nothing

    _, _, err, remaining = fix("proj", meta["unsafe"])
    assert snapshot("proj") == after, err
    for rel, data in after.items():
        compile(data, rel, "exec")
    assert not [f for f in remaining if f.code in meta["codes"]]

    fix("proj", meta["unsafe"])  # a second run changes nothing
    assert snapshot("proj") == after
    assert fix("proj", meta["unsafe"], diff=True)[:2] == (0, "")


@pytest.mark.slow  # a minute and a half: every fix of every fixture at once; test_every_fix.py applies each alone
def test_every_fixable_finding_in_the_fixtures_is_fixed(tmp_path, monkeypatch) -> None:
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    monkeypatch.chdir(tmp_path)
    before = analyse(["fixtures"], OPTS).findings
    ctx = FixContext()
    fixable = {(f.path, f.line, f.code) for f in before if fix_for(f, ctx).edits}
    assert {c for _, _, c in fixable} == {"CTX201", "CTX202", "CTX203", "CTX204", "CTX401"}
    _, _, err, remaining = fix("fixtures", unsafe=True)
    assert "fixed" in err
    for rel, data in snapshot("fixtures").items():
        compile(data, rel, "exec")
    ctx = FixContext()
    assert not [f.message for f in remaining if fix_for(f, ctx).edits]
    assert len(remaining) < len(before)
    assert fix("fixtures", unsafe=True, diff=True)[:2] == (0, "")


def suggestion(project: str, code: str, line: int) -> str:
    for f in analyse([os.path.join(FIXTURES, project)], OPTS).findings:
        if f.code == code and f.line == line:
            fx = fix_for(f)
            assert fx.applicability == SUGGESTION
            return fx.message
    raise AssertionError("no such finding")


def test_suggestions_name_the_place_to_change() -> None:
    assert "def page_size(): return current_app.config.get" in suggestion("example", "CTX101", 11)
    assert "inside search_results()" in suggestion("import_time", "CTX101", 40)
    assert "email_report() (fixtures/example/app/tasks.py:26)" in suggestion("example", "CTX301", 26).replace(
        FIXTURES, "fixtures")
    assert "`with app.app_context():`" in suggestion("jobs", "CTX302", 19)
    assert "app.test_request_context()" in suggestion("cli", "CTX501", 9)
    assert "instead of `request`" in suggestion("example", "CTX203", 24)


# ---- writing files --------------------------------------------------------------------------------

VIEW = ("# -*- coding: latin-1 -*-\r\n# caf\xe9\r\nfrom flask import Blueprint, Response, request\r\n\r\n"
        "bp = Blueprint('b', __name__)\r\n\r\n\r\n@bp.get('/')\r\ndef index():\r\n    def gen():\r\n"
        "        yield request.args.get('q', '')\r\n\r\n    return Response(gen())")


def test_encoding_line_endings_and_missing_final_newline_are_kept(tmp_path) -> None:
    (tmp_path / "app").mkdir()
    path = tmp_path / "app" / "views.py"
    path.write_bytes(VIEW.encode("latin-1"))
    fix(str(tmp_path))
    data = path.read_bytes()
    assert data == VIEW.replace("Response, request", "Response, request, stream_with_context").replace(
        "Response(gen())", "Response(stream_with_context(gen()))").encode("latin-1")
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_bom_and_file_mode_are_kept(tmp_path) -> None:
    path = tmp_path / "views.py"
    path.write_bytes(b"\xef\xbb\xbf" + VIEW.split("\r\n", 2)[2].replace("\r\n", "\n").encode() + b"\n")
    os.chmod(path, 0o640)
    fix(str(tmp_path))
    assert path.read_bytes().startswith(b"\xef\xbb\xbffrom flask import Blueprint, Response, request, stream_with")
    assert os.stat(path).st_mode & 0o777 == 0o640


def test_a_file_changed_after_it_was_read_is_not_written(tmp_path, monkeypatch) -> None:
    shutil.copytree(os.path.join(CASES, "hoist_cross_module", "before"), tmp_path / "proj")
    tasks = tmp_path / "proj" / "reports" / "tasks.py"
    plan = fixes.plan_fixes

    def plan_then_edit(*args, **kwargs):
        planned = plan(*args, **kwargs)
        tasks.write_text(tasks.read_text() + "# edited meanwhile\n")
        return planned

    monkeypatch.setattr(fixes, "plan_fixes", plan_then_edit)
    before = snapshot(str(tmp_path / "proj"))
    code, _, err, _ = fix(str(tmp_path / "proj"))
    assert code == 1 and "changed on disk" in err
    now = snapshot(str(tmp_path / "proj"))
    assert now["reports/tasks.py"].endswith(b"# edited meanwhile\n")
    assert now["reports/views.py"] == before["reports/views.py"]  # the other half of the fix is held back too


def test_text_that_does_not_parse_is_never_written(tmp_path, monkeypatch) -> None:
    path = tmp_path / "views.py"
    path.write_text(VIEW.split("\r\n", 2)[2].replace("\r\n", "\n"))
    src = SourceText.read(str(path))
    with pytest.raises(FixError):
        write_fixed(src, src.text + "def broken(:\n")
    monkeypatch.setattr(fixes, "fix_for", lambda f, ctx=None: Fix(SAFE, "break it", [
        Edit(f.path, (f.line, 0), (f.line, 4), "retur (")]))
    before = path.read_bytes()
    assert fix(str(tmp_path))[0] == 1
    assert path.read_bytes() == before


def test_suppressed_and_unselected_findings_are_not_fixed(tmp_path) -> None:
    path = tmp_path / "views.py"
    src = VIEW.split("\r\n", 2)[2].replace("\r\n", "\n") + "\n"
    suppressed = src.replace("Response(gen())", "Response(gen())  # noqa: CTX401")
    path.write_text(suppressed)
    code, _, _, remaining = fix(str(tmp_path))
    assert (code, remaining, path.read_text()) == (0, [], suppressed)
    path.write_text(src)
    out, err = io.StringIO(), io.StringIO()
    code, result = run_fixes([str(tmp_path)], OPTS, out=out, err=err, keep=lambda fs, texts: [])
    assert (code, result.findings, path.read_text()) == (0, [], src)


def test_fixes_for_another_process_hand_over_values_not_contexts() -> None:
    # a forked or spawned process shares no context or app object with the view: the fix reads the
    # values in the view, never copy_current_request_context or current_app._get_current_object()
    found = [f for f in analyse([os.path.join(FIXTURES, "threads")], OPTS).findings if f.process]
    assert sorted((os.path.basename(f.path), f.line) for f in found) == [("uploads.py", 67), ("uploads.py", 85)]
    for f in found:
        fx = fix_for(f)
        assert "copy_current_request_context" not in fx.message and "_get_current_object" not in fx.message
        assert all("copy_current_request_context" not in e.replacement for e in fx.edits)
        assert "before starting the process" in fx.message
