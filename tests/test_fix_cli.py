"""``ctxlint --fix / --unsafe-fixes / --diff`` and the JSON ``fix`` object, through the command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

CASES = os.path.join(ROOT, "fixtures_fix")


def run(*args: str, cwd: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "ctxlint", "--no-cache", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


pytestmark = pytest.mark.skipif("--fix" not in run("--help", cwd=ROOT).stdout,
                                reason="the CLI has no --fix option yet")


def copy(case: str, tmp_path) -> str:
    shutil.copytree(os.path.join(CASES, case, "before"), tmp_path / "proj")
    return str(tmp_path)


def read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def test_diff_fix_and_json(tmp_path) -> None:
    cwd = copy("stream_basic", tmp_path)
    views = os.path.join(cwd, "proj", "shop", "views.py")
    before = read(views)
    diff = run("--diff", "proj", cwd=cwd)
    assert diff.returncode == 1 and "+    return Response(stream_with_context(rows())" in diff.stdout
    assert read(views) == before
    report = json.loads(run("--format", "json", "proj", cwd=cwd).stdout)
    assert {item["fix"]["applicability"] for item in report} == {"safe"}
    assert report[0]["fix"]["edits"][0]["path"] == os.path.join("proj", "shop", "views.py")
    fixed = run("--fix", "proj", cwd=cwd)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert read(views) == read(os.path.join(CASES, "stream_basic", "after", "shop", "views.py"))
    assert run("--diff", "proj", cwd=cwd).returncode == 0


def test_unsafe_fixes_need_the_flag_and_noqa_is_respected(tmp_path) -> None:
    cwd = copy("unsafe_request", tmp_path)
    views = os.path.join(cwd, "proj", "blog", "views.py")
    before = read(views)
    assert run("--fix", "proj", cwd=cwd).returncode == 1 and read(views) == before
    with open(views, "w", encoding="utf-8") as fh:
        fh.write(before.replace("pool.submit(log_view, post_id)", "pool.submit(log_view, post_id)  # noqa: CTX201"))
    fixed = run("--fix", "--unsafe-fixes", "proj", cwd=cwd)
    assert fixed.returncode == 0 and "fixed 1 problem" in fixed.stderr  # the suppressed one is not reported
    text = read(views)
    assert "copy_current_request_context" not in text and 'kwargs={"user_id": fl.session.get("user_id")}' in text
