"""The per-module cache and parallel summarising."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT

from ctxlint import cache as cache_mod
from ctxlint.engine import Options, analyse


def example(tmp_path) -> str:
    dst = tmp_path / "proj"
    shutil.copytree(os.path.join(FIXTURES, "example"), dst)
    (dst / "pyproject.toml").write_text("[project]\nname = 'proj'\n")
    return str(dst)


def codes(result) -> list[tuple[str, int, str]]:
    return sorted((os.path.basename(f.path), f.line, f.code) for f in result.findings)


def entries(cache_dir: str) -> list[str]:
    out = []
    for dirpath, _, files in os.walk(cache_dir):
        out += [os.path.join(dirpath, f) for f in files if not f.startswith(".")]
    return out


def test_default_cache_lives_at_the_project_root_and_ignores_itself(tmp_path) -> None:
    proj = example(tmp_path)
    analyse([os.path.join(proj, "app")], Options(jobs=1))
    root = os.path.join(proj, ".ctxlint_cache")
    assert os.path.isdir(root)
    with open(os.path.join(root, ".gitignore")) as fh:
        assert "*" in fh.read().split()
    assert entries(root)


def test_warm_run_serves_from_the_cache_and_content_change_invalidates(tmp_path) -> None:
    proj = example(tmp_path)
    opts = Options(jobs=1, cache_dir=str(tmp_path / "c"))
    cold = analyse([proj], opts)
    warm = analyse([proj], opts)
    assert codes(cold) == codes(warm) and len(codes(cold)) == 7
    tasks = os.path.join(proj, "app", "tasks.py")
    with open(tasks, "a") as fh:
        fh.write("\n\n@celery.task\ndef leak():\n    return record_event('leak')\n")
    changed = analyse([proj], opts)
    assert len(codes(changed)) == 8
    assert any(f.code == "CTX301" and "leak()" in f.message for f in changed.findings)


def test_settings_change_is_not_served_stale_findings(tmp_path) -> None:
    proj = example(tmp_path)
    cdir = str(tmp_path / "c")
    everything = analyse([proj], Options(jobs=1, cache_dir=cdir))
    threads_only = analyse([proj], Options(jobs=1, cache_dir=cdir, select=["CTX2"]))
    assert {f.code for f in everything.findings} > {f.code for f in threads_only.findings}
    assert {f.code for f in threads_only.findings} == {"CTX201", "CTX202", "CTX203"}


def test_version_change_starts_a_new_cache(tmp_path, monkeypatch) -> None:
    proj = example(tmp_path)
    cdir = str(tmp_path / "c")
    analyse([proj], Options(jobs=1, cache_dir=cdir))
    before = set(os.listdir(cdir))
    monkeypatch.setattr(cache_mod, "__version__", "999.0")
    c = cache_mod.Cache(cdir)
    assert c.dir != os.path.join(cdir, sorted(before - {".gitignore"})[0])
    result = analyse([proj], Options(jobs=1, cache_dir=cdir))
    assert len(codes(result)) == 7
    assert len(set(os.listdir(cdir)) - before) == 1  # a new namespace (the old one is dropped)


def test_corrupt_cache_files_are_ignored_and_rewritten(tmp_path) -> None:
    proj = example(tmp_path)
    cdir = str(tmp_path / "c")
    first = analyse([proj], Options(jobs=1, cache_dir=cdir))
    for path in entries(cdir):
        with open(path, "wb") as fh:
            fh.write(b"\x80\x04garbage")
    again = analyse([proj], Options(jobs=1, cache_dir=cdir))
    assert codes(again) == codes(first)
    c = cache_mod.Cache(cdir)
    # summaries, the findings (p...) and the stat index (stat/...), which was garbage too: ignored, written anew
    assert all(c.get(os.path.basename(p)) is not None or os.path.basename(p).startswith("p")
               or os.path.basename(os.path.dirname(p)) == "stat" for p in entries(cdir))


def test_unwritable_cache_dir_costs_nothing_but_time(tmp_path) -> None:
    proj = example(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = analyse([proj], Options(jobs=1, cache_dir=str(blocker / "c")))
    assert len(codes(result)) == 7


def big_project(tmp_path) -> str:
    proj = example(tmp_path)
    pkg = os.path.join(proj, "app", "filler")
    os.makedirs(pkg)
    open(os.path.join(pkg, "__init__.py"), "w").close()
    for i in range(60):
        with open(os.path.join(pkg, f"m{i}.py"), "w") as fh:
            nxt = f"from .m{i + 1} import step{i + 1}\n" if i < 59 else "from flask import g\n"
            body = f"    return step{i + 1}(x)\n" if i < 59 else "    return g.get('x')\n"
            fh.write(f"{nxt}\n\ndef step{i}(x):\n{body}")
    with open(os.path.join(proj, "app", "reports.py"), "a") as fh:
        fh.write("\n\nfrom .filler.m0 import step0\n\n\ndef start_chain(x):\n    return pool.submit(step0, x)\n")
    with open(os.path.join(proj, "app", "views.py"), "a") as fh:
        fh.write("\n\n@bp.route('/chain')\ndef chain():\n    reports.start_chain(1)\n    return ''\n")
    return proj


def test_jobs_1_and_jobs_2_give_identical_results(tmp_path) -> None:
    proj = big_project(tmp_path)
    one = analyse([proj], Options(jobs=1, use_cache=False))
    two = analyse([proj], Options(jobs=2, use_cache=False))
    assert [(f.path, f.line, f.code, f.message, f.trace) for f in one.findings] == \
        [(f.path, f.line, f.code, f.message, f.trace) for f in two.findings]
    chain = [f for f in one.findings if "step0()" in f.message]
    assert chain and chain[0].code == "CTX202" and "m59.py" in chain[0].message


@pytest.mark.skipif(sys.platform == "win32", reason="relies on fork-free subprocess timing only")
def test_a_fully_cached_run_does_not_import_the_parser(tmp_path) -> None:
    """Nor the analysis: the call graph, the propagation, the type layer, the fixes."""
    proj = example(tmp_path)
    heavy = ["libcst", "ctxlint.analysis.program", "ctxlint.analysis.types",
             "ctxlint.propagate", "ctxlint.summary", "ctxlint.rewrite", "ctxlint.fixes"]
    script = ("import sys, json; from ctxlint.cli import main; "
              f"code = main([{proj!r}, '--jobs', '1', '--output-file', {str(tmp_path / 'out.txt')!r}]); "
              f"print(json.dumps([code, any(m in sys.modules for m in {heavy!r})]))")
    env = dict(os.environ, PYTHONPATH=ROOT)
    runs = [json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                                      check=True).stdout) for _ in range(2)]
    assert runs[0] == [1, True]
    assert runs[1] == [1, False]
