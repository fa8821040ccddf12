"""A long-lived process's analysis (the language server's): summaries kept in memory, findings those of a cold run."""

from __future__ import annotations

import os
import shutil

from conftest import FIXTURES

from ctxlint.engine import Options, Workspace, analyse


def found(result) -> list[tuple[str, int, str, str]]:
    return sorted((os.path.basename(f.path), f.line, f.code, f.message) for f in result.findings)


def test_edits_added_and_deleted_files_give_a_cold_runs_findings(tmp_path) -> None:
    proj = tmp_path / "proj"
    shutil.copytree(os.path.join(FIXTURES, "realworld"), proj)
    opts = Options(jobs=1, use_cache=False)
    ws = Workspace([str(proj)], opts)
    assert found(ws.analyse()) == found(analyse([str(proj)], opts))
    pyfiles = sorted(p for p in proj.rglob("*.py") if p.name != "__init__.py")
    target = pyfiles[0]
    leak = ("\n\nimport threading\nfrom flask import request\n\n\ndef _leak():\n    return request.path\n\n\n"
            "threading.Thread(target=_leak).start()\n")
    # an unsaved buffer: the file on disk is unchanged
    buffer = {str(target): target.read_bytes() + leak.encode()}
    edited = ws.analyse(buffer)
    assert edited.findings != [] and found(edited) == found(analyse([str(proj)], opts, buffer))
    assert any(os.path.abspath(f.path) == str(target) and "_leak" in f.message for f in edited.findings)
    # back to the file on disk; then a new module, then that module deleted
    assert found(ws.analyse()) == found(analyse([str(proj)], opts))
    extra = target.parent / "added_module.py"
    extra.write_text(leak)
    assert found(ws.analyse()) == found(analyse([str(proj)], opts))
    extra.unlink()
    assert found(ws.analyse()) == found(analyse([str(proj)], opts))
    assert ws.runs == 5


def test_only_changed_sources_are_summarised_again(tmp_path, monkeypatch) -> None:
    proj = tmp_path / "proj"
    shutil.copytree(os.path.join(FIXTURES, "example"), proj)
    ws = Workspace([str(proj)], Options(jobs=1, use_cache=False))
    ws.analyse()
    from ctxlint import engine

    seen: list[int] = []
    real = engine.summarise_parallel

    def counting(items, jobs, timeout=30.0):
        seen.append(len(items))
        return real(items, jobs, timeout)

    monkeypatch.setattr(engine, "summarise_parallel", counting)
    tasks = proj / "app" / "tasks.py"
    ws.analyse({str(tasks): tasks.read_bytes() + b"\n# edited\n"})
    assert seen == [1]
