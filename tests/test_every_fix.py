"""Every finding gets a fix object, and every fix ctxlint offers applies: in the fixture projects, the
fix cases and generated projects, each finding's fix (safe and unsafe) is applied alone to the texts it
was computed from, and then its edits do not overlap, the files parse, the finding is gone, no other
finding appears and pyflakes has nothing new to say (no import left unused, no name left undefined)."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import sys
from collections import Counter

import pytest
from conftest import FIXTURES, ROOT
from pyflakes.checker import Checker

from ctxlint.discover import discover
from ctxlint.engine import Options, analyse
from ctxlint.findings import Finding
from ctxlint.fixes import SAFE, SUGGESTION, UNSAFE, FixContext, fix_for
from ctxlint.fixing import apply_edits, check_parses, overlaps
from ctxlint.rules import RULES

CASES = os.path.join(ROOT, "fixtures_fix")
SEEDS = (1, 2, 3)
LINES = 1500


def _projects() -> list:
    out = [f"fixtures/{d}" for d in sorted(os.listdir(FIXTURES)) if os.path.isdir(os.path.join(FIXTURES, d))]
    out += [f"fixtures_fix/{d}" for d in sorted(os.listdir(CASES)) if os.path.isdir(os.path.join(CASES, d))]
    # generated projects take longer: they run with the slow tests
    return out + [pytest.param(f"generated/{seed}", marks=pytest.mark.slow) for seed in SEEDS]


def _project_dir(name: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    kind, rest = name.split("/", 1)
    if kind == "fixtures":
        return os.path.join(FIXTURES, rest)
    if kind == "fixtures_fix":
        return os.path.join(CASES, rest, "before")
    spec = importlib.util.spec_from_file_location("bench_generate", os.path.join(ROOT, "bench", "generate.py"))
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen  # dataclasses look their module up while the class is made
    spec.loader.exec_module(gen)
    out = os.path.join(tmp_path_factory.mktemp("generated"), "proj")
    gen.generate(out, LINES, int(rest))
    return out


def _key(f: Finding) -> tuple[str, str, str]:
    return f.code, os.path.abspath(f.path), f.function


def _flakes(text: str, path: str) -> Counter[str]:
    """pyflakes' warnings, without the line numbers some of them name."""
    messages = Checker(ast.parse(text), path).messages
    return Counter(re.sub(r"line \d+", "line N", m.message % m.message_args) for m in messages)


@pytest.mark.parametrize("name", _projects())
def test_every_fix_applies_and_removes_its_finding(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    project = _project_dir(name, tmp_path_factory)
    # a cache of its own: each analysis after a fix summarises only the files the fix changed
    opts = Options(jobs=1, cache_dir=str(tmp_path_factory.mktemp("cache")))
    before = analyse([project], opts).findings
    counts = Counter(_key(f) for f in before)
    ctx = FixContext(files=[f.abspath for f in discover([project]).files])  # the project's files, as the CLI does
    texts: dict[str, str] = {}
    checked = 0
    for f in before:
        fix = fix_for(f, ctx)
        assert not fix.error, f"{f.path}:{f.line} {f.code}: {fix.message}"
        obj = fix.as_json()  # every finding gets a fix object: edits, or a suggestion's message
        assert set(obj) == {"applicability", "message", "edits"}
        assert obj["applicability"] in (SAFE, UNSAFE, SUGGESTION) and obj["message"]
        assert bool(obj["edits"]) == (obj["applicability"] != SUGGESTION)
        for e in obj["edits"]:
            assert set(e) == {"path", "start", "end", "replacement"} and e["start"]["column"] >= 1
        if not fix.edits:
            continue
        checked += 1
        by_file: dict[str, list] = {}
        for e in fix.edits:
            by_file.setdefault(os.path.abspath(e.path), []).append(e)
        fixed: dict[str, str] = {}
        for path, edits in by_file.items():
            assert not [(a, b) for i, a in enumerate(edits) for b in edits[i + 1:] if overlaps(a, b)]
            if path not in texts:
                with open(path, encoding="utf-8") as fh:
                    texts[path] = fh.read()
            fixed[path] = apply_edits(texts[path], edits)
            check_parses(fixed[path], path)
            new_warnings = _flakes(fixed[path], path) - _flakes(texts[path], path)
            assert not new_warnings, f"{f.path}:{f.line} {f.code} ({fix.applicability}): {fix.message}"
        after = analyse([project], opts, {p: t.encode() for p, t in fixed.items()}).findings
        left = Counter(_key(g) for g in after)
        where = f"{f.path}:{f.line} {f.code} ({fix.applicability}) {fix.message}"
        assert left[_key(f)] < counts[_key(f)], f"still reported after its fix: {where}"
        # what the fixed finding hid (a CTX201 hides the CTX202 of the same worker) may show now
        hidden = {(code, _key(f)[1], f.function) for code in RULES[f.code].supersedes}
        new = [k for k in left if left[k] > counts[k] and k not in hidden]
        assert not new, f"new findings after the fix of {where}: {new}"
    if name.startswith("fixtures_fix/") or name.startswith("generated/"):
        assert checked, "a project with fixes"
