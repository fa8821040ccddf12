"""bench/generate.py: deterministic, valid Python, and its planted bugs are exactly what ctxlint finds."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

LINES = 3000
SEED = 1


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", os.path.join(ROOT, "bench", "generate.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def _tree(base: str) -> dict[str, bytes]:
    files = {}
    for dirpath, _, names in os.walk(base):
        for name in names:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as fh:
                files[os.path.relpath(path, base)] = fh.read()
    return files


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, object]:
    gen = _generator()
    base = tmp_path_factory.mktemp("bench")
    out = os.path.join(base, "proj")
    manifest = gen.generate(out, LINES, SEED)
    return out, manifest, gen


def test_same_seed_same_project(project: tuple[str, dict, object], tmp_path) -> None:
    out, manifest, gen = project
    again = os.path.join(tmp_path, "again")
    gen.generate(again, LINES, SEED)
    first, second = _tree(out), _tree(again)
    assert sorted(first) == sorted(second)
    assert [p for p in first if first[p] != second[p]] == []
    other = os.path.join(tmp_path, "other")
    gen.generate(other, LINES, SEED + 1)
    assert _tree(other) != first


def test_project_is_valid_python_of_the_requested_size(project: tuple[str, dict, object]) -> None:
    out, manifest, _ = project
    lines = 0
    for rel, data in _tree(out).items():
        if rel.endswith(".py"):
            compile(data, rel, "exec")
            lines += data.count(b"\n")
    assert lines == manifest["lines"]
    assert 0.9 * LINES <= lines <= 1.25 * LINES
    assert os.path.isfile(os.path.join(out, manifest["touch"]))


def test_ctxlint_finds_exactly_the_planted_bugs(project: tuple[str, dict, object]) -> None:
    out, manifest, _ = project
    planted = {(b["path"], b["line"], b["code"]) for b in manifest["bugs"]}
    # every kind of bug the generator plants is in this small project
    assert {code for _, _, code in planted} == {
        "CTX101", "CTX201", "CTX202", "CTX203", "CTX301", "CTX302", "CTX401", "CTX501"}
    parent, name = os.path.split(out)
    proc = subprocess.run([sys.executable, "-m", "ctxlint", name, "--format", "json"], cwd=parent,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    found = {(os.path.relpath(f["path"], name).replace(os.sep, "/"), f["line"], f["code"])
             for f in json.loads(proc.stdout)}
    assert sorted(found - planted) == [] and sorted(planted - found) == []
