"""The query behind ``explain`` and ``map``: propagation with every root's exploration kept gives the
engine's findings, and a path from each root to each function it reaches."""

from __future__ import annotations

import os

import pytest
from conftest import FIXTURES

from ctxlint.engine import analyse
from ctxlint.knowledge import base as K
from ctxlint.options import Options
from ctxlint.whereruns import WhereRuns, analyse_project

QUICK = ("example", "threads", "receivers", "whereruns")
OTHERS = sorted(d for d in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, d)) and d not in QUICK)


def _where(project: str) -> WhereRuns:
    w = analyse_project([os.path.join(FIXTURES, project)], Options(use_cache=False, noqa=False), [])
    assert w is not None
    return w


@pytest.mark.parametrize("project", [*QUICK, *(pytest.param(p, marks=pytest.mark.slow) for p in OTHERS)])
def test_findings_are_the_engines(project: str) -> None:
    base = os.path.join(FIXTURES, project)
    engine = analyse([base], Options(use_cache=False, noqa=False))
    w = _where(project)
    assert sorted((f.path, f.line, f.code, f.message) for f in engine.findings) == \
        sorted((fi.finding.path, fi.finding.line, fi.finding.code, fi.finding.message) for fi in w.findings)


def test_each_root_gives_a_shortest_path_per_context() -> None:
    w = _where("whereruns")
    client_ip = w.functions["shop.helpers:client_ip"]
    assert client_ip.contexts == [K.REQUEST, K.NONE]
    by_root = {w.roots[r.root].entry: r for r in client_ip.reached}
    assert set(by_root) == {"shop.views:index", "shop.views:send_receipt"}
    thread = by_root["shop.views:send_receipt"]
    assert thread.context == K.NONE
    assert [h.function for h in thread.path] == ["shop.views:checkout", "shop.views:send_receipt",
                                                 "shop.helpers:audit", "shop.helpers:client_ip"]
    assert w.roots[thread.root].category == "thread" and w.roots[thread.root].boundary == "shop.views:checkout"
    assert w.functions["shop.helpers:unused_helper"].reached == []
    assert [u.text for u in w.uses_reached("shop.views:send_receipt")] == ["request.remote_addr"]
