"""Every fixture project: findings must match the ``# expect:`` annotations exactly."""

from __future__ import annotations

import os
import re

import pytest
from conftest import FIXTURES

from ctxlint.engine import analyse
from ctxlint.options import Options

EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>CTX\d+(?:\s*,\s*CTX\d+)*)")
OK = re.compile(r"#\s*ok:")


def projects() -> list[str]:
    return sorted(d for d in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, d)))


def annotations(project: str) -> tuple[set[tuple[str, int, str]], int]:
    expected: set[tuple[str, int, str]] = set()
    oks = 0
    base = os.path.join(FIXTURES, project)
    for dirpath, _, files in os.walk(base):
        for f in files:
            if not f.endswith(".py"):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, base)
            with open(path, encoding="utf-8") as fh:
                for i, line in enumerate(fh, start=1):
                    m = EXPECT.search(line)
                    if m:
                        for code in re.split(r"\s*,\s*", m.group("codes")):
                            expected.add((rel, i, code))
                    if OK.search(line):
                        oks += 1
    return expected, oks


@pytest.mark.parametrize("project", projects())
def test_fixture_findings_match_annotations(project: str) -> None:
    base = os.path.join(FIXTURES, project)
    expected, oks = annotations(project)
    result = analyse([base], Options(use_cache=False))  # nothing written into the repository
    got = {(os.path.relpath(os.path.abspath(f.path), base), f.line, f.code) for f in result.findings}
    missing = sorted(expected - got)
    unexpected = sorted(got - expected)
    details = {(os.path.relpath(os.path.abspath(f.path), base), f.line, f.code): f.message for f in result.findings}
    assert not missing and not unexpected, (
        f"missing: {missing}\nunexpected: {[(u, details[u]) for u in unexpected]}")


@pytest.mark.parametrize("project", projects())
def test_fixture_has_more_clean_lookalikes_than_bugs(project: str) -> None:
    expected, oks = annotations(project)
    assert expected, "a fixture project must contain at least one expected finding"
    assert oks >= len({(p, line) for p, line, _ in expected})


def test_every_rule_is_exercised_by_the_fixtures() -> None:
    codes = set()
    for p in projects():
        codes |= {c for _, _, c in annotations(p)[0]}
    assert {"CTX101", "CTX201", "CTX202", "CTX203", "CTX204", "CTX301", "CTX302", "CTX401", "CTX501"} <= codes
