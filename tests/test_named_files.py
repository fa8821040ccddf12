"""Paths inside the engine are absolute; findings show the user's paths."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from conftest import FIXTURES


def git_repo(src: str, dest: str) -> str:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["git", "init", "-q", "."], cwd=dest, check=True, capture_output=True)
    return dest


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
