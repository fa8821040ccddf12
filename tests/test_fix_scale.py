"""Fixes are computed against the project once, not once per finding: the JSON and SARIF outputs (and the
text report's ``[*]`` marks) must not scan every file of the project again for each finding."""

from __future__ import annotations

import json
import os

from ctxlint import fixing
from ctxlint.cli import main
from ctxlint.engine import Options, analyse
from ctxlint.fixes import _context, _expecting, fix_for, fixes_as_json

OPTS = Options(use_cache=False, jobs=1)

WORKER = '''\
from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint, request

bp = Blueprint("views{i}", __name__)
pool = ThreadPoolExecutor(2)


def export{i}(order_id):
    return order_id, request.args.get("fmt")


@bp.route("/export{i}")
def start{i}():
    pool.submit(export{i}, 1)
    return "started"
'''

FILLER = '''\
def helper{i}(value):
    return value * {i}
'''


def project(root: str, workers: int, fillers: int = 40) -> None:
    os.makedirs(os.path.join(root, "app"))
    with open(os.path.join(root, "pyproject.toml"), "w", encoding="utf-8") as fh:
        fh.write("[project]\nname = 'app'\n")
    with open(os.path.join(root, "app", "__init__.py"), "w", encoding="utf-8") as fh:
        fh.write("")
    for i in range(workers):
        with open(os.path.join(root, "app", f"views{i}.py"), "w", encoding="utf-8") as fh:
            fh.write(WORKER.format(i=i))
    for i in range(fillers):
        with open(os.path.join(root, "app", f"filler{i}.py"), "w", encoding="utf-8") as fh:
            fh.write(FILLER.format(i=i))


def reads_for_fixes(root: str, monkeypatch) -> tuple[int, list[dict]]:
    """The files read from disk while the fixes of every finding are computed, and the fixes."""
    findings = analyse([root], OPTS).findings
    assert findings and all(f.code == "CTX201" for f in findings)
    reads: list[str] = []
    real = fixing.SourceText.read.__func__  # type: ignore[attr-defined]

    def counted(cls, abspath: str):  # type: ignore[no-untyped-def]
        reads.append(abspath)
        return real(cls, abspath)

    monkeypatch.setattr(fixing.SourceText, "read", classmethod(counted))
    fixes = fixes_as_json(findings, [root], OPTS)
    monkeypatch.undo()
    return len(reads), fixes


def test_files_read_for_fixes_do_not_grow_with_the_findings(tmp_path, monkeypatch) -> None:
    few, many = str(tmp_path / "few"), str(tmp_path / "many")
    project(few, 2)
    project(many, 12)
    reads_few, fixes_few = reads_for_fixes(few, monkeypatch)
    reads_many, fixes_many = reads_for_fixes(many, monkeypatch)
    assert len(fixes_few) == 2 and len(fixes_many) == 12
    # every fix is the safe hoisting one: the check that the target is referenced once ran for each
    assert all(f["applicability"] == "safe" for f in fixes_few + fixes_many), fixes_many
    files_few, files_many = 2 + 40 + 1, 12 + 40 + 1
    # one pass over the project, plus the files the fixes themselves edit; before, every finding's fix
    # read every file of the project again (12 findings: over 600 reads)
    assert reads_few <= files_few + 2 * 2
    assert reads_many <= files_many + 2 * 12


def test_one_scan_of_the_project_for_all_findings(tmp_path) -> None:
    root = str(tmp_path / "proj")
    project(root, 12)
    findings = analyse([root], OPTS).findings
    ctx = _expecting(_context([root], OPTS), findings)
    fixes = [fix_for(f, ctx) for f in findings]
    assert [fx.applicability for fx in fixes] == ["safe"] * 12
    assert ctx.references.scans == 1  # before: one scan of every file per finding
    # a name no finding announced costs one more scan, once
    assert ctx.references.count("helper3", root) == 0  # defined, never referenced
    assert ctx.references.count("helper3", root) == 0
    assert ctx.references.scans == 2


def test_json_output_counts_references_across_the_project(tmp_path, monkeypatch, capsys) -> None:
    """A target also called from another module is not hoisted safely: the shared reference count sees it."""
    root = str(tmp_path / "proj")
    project(root, 3)
    with open(os.path.join(root, "app", "filler0.py"), "a", encoding="utf-8") as fh:
        fh.write("\nfrom app.views1 import export1\n\nexport1(2)\n")
    monkeypatch.chdir(root)
    assert main([".", "--no-cache", "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    by_path = {item["path"]: item["fix"] for item in out}
    assert by_path[os.path.join("app", "views0.py")]["applicability"] == "safe"
    assert by_path[os.path.join("app", "views1.py")]["applicability"] == "unsafe"
    assert "used elsewhere too" in by_path[os.path.join("app", "views1.py")]["message"]


def _plain_count(ctx, name: str, where: str) -> int:  # type: ignore[no-untyped-def]
    """The per-finding scan the shared index replaces: every file searched, the files holding the word parsed."""
    import re

    import libcst as cst

    from ctxlint.fixing import NoFix

    word = re.compile(rf"\b{re.escape(name)}\b")
    count = 0
    for path in ctx.project_files(where):
        try:
            text = ctx.sources.text(path).text
        except fixing.FixError:
            continue
        if not word.search(text):
            continue
        try:
            u = ctx.unit(path)
        except NoFix:
            count += 1
            continue
        for n in u.nodes:
            if isinstance(n, cst.Name) and n.value == name:
                p = u.up(n)
                if isinstance(p, (cst.ImportAlias, cst.AsName, cst.Param)):
                    continue
                if isinstance(p, (cst.FunctionDef, cst.ClassDef)) and p.name is n:
                    continue
                if isinstance(p, cst.Arg) and p.keyword is n:
                    continue
                if isinstance(p, cst.Attribute) and p.attr is n and isinstance(u.up(p), cst.ImportAlias):
                    continue
                count += 1
    return count


def test_shared_counts_equal_a_scan_per_name() -> None:
    import re

    from conftest import FIXTURES

    from ctxlint.rewrite import FixContext

    for project_dir in ("example", "threads", "realworld", "crossmodule"):
        root = os.path.join(FIXTURES, project_dir)
        files = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".py")]
        names: set[str] = set()
        for path in files:
            with open(path, encoding="utf-8") as fh:
                names |= set(re.findall(r"def (\w+)", fh.read()))
        shared, plain = FixContext(files=files), FixContext(files=files)
        shared.references.expect(sorted(names)[::2])  # half announced, half asked without notice
        for name in sorted(names):
            assert shared.references.count(name, root) == _plain_count(plain, name, root), (project_dir, name)
