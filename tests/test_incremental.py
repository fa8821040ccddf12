"""A Workspace analysed after each edit of a generated project gives what a cold run gives (see ctxlint.incremental)."""

from __future__ import annotations

import os
import sys

import pytest

from ctxlint import engine
from ctxlint.engine import Options, Workspace, analyse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench"))
import generate  # noqa: E402  (bench/generate.py)

LEAK = ("\n\nimport threading as _threading\nfrom flask import request as _request\n\n\n"
        "def _leak_{n}():\n    return _request.path\n\n\n_threading.Thread(target=_leak_{n}).start()\n")
OPTIONS = Options(jobs=1, use_cache=False)


def cold(root, tmp_path, overrides: dict[str, bytes] | None = None, **settings) -> list[str]:
    """A cold run's findings (the command line's analysis: its summaries from a cache on disk, by content)."""
    return found(analyse([str(root)], Options(jobs=1, cache_dir=str(tmp_path / "cache"), **settings), overrides))


def found(result) -> list[str]:
    """Everything a finding holds: where, what, the path to it, what its fix needs."""
    return sorted(repr(f) for f in result.findings)


@pytest.fixture()
def project(tmp_path):
    root = tmp_path / "proj"
    manifest = generate.generate(str(root), 1000, 2)
    return root, manifest


def test_each_edit_gives_a_cold_runs_findings(project, tmp_path) -> None:
    root, manifest = project
    ws = Workspace([str(root)], OPTIONS)

    def same(overrides: dict[str, bytes] | None = None) -> list[str]:
        got = found(ws.analyse(overrides))
        assert got == cold(root, tmp_path, overrides)
        return got

    first = same()
    assert first
    helper = root / manifest["touch"]
    original = helper.read_text()
    # a bug added (an unsaved buffer, then saved), and removed again
    buffer = {str(helper): (original + LEAK.format(n=1)).encode()}
    added = same(buffer)
    assert len(added) == len(first) + 1
    helper.write_text(original + LEAK.format(n=1))
    assert same() == added
    helper.write_text(original)
    assert same() == first
    # the context-local reads of the helpers removed: the planted bugs that reach them go
    readers = sorted(p for p in (root / "shopfront" / "lib").rglob("*.py") if "request." in p.read_text())
    assert readers
    for p in readers:
        p.write_text(p.read_text().replace("request.", "dict_request."))
    fewer = same()
    assert len(fewer) < len(first)
    for p in readers:
        p.write_text(p.read_text().replace("dict_request.", "request."))
    assert same() == first
    # an import changed to another module, where the names it imports are not
    importer = next(p for p in sorted(root.rglob("*.py")) if "from shopfront.lib.billing." in p.read_text())
    text = importer.read_text()
    modules = sorted({line.split()[1] for line in text.splitlines() if line.startswith("from shopfront.lib.billing.")})
    importer.write_text(text.replace(f"from {modules[0]} import", "from shopfront.lib.billing import"))
    same()
    importer.write_text(text)
    assert same() == first
    # a module added, one deleted, one renamed
    (root / "shopfront" / "added.py").write_text(LEAK.format(n=2))
    assert len(same()) == len(first) + 1
    (root / "shopfront" / "added.py").unlink()
    assert same() == first
    helper.unlink()
    same()
    helper.write_text(original)
    assert same() == first
    helper.rename(helper.with_name("renamed_helper.py"))
    same()
    helper.with_name("renamed_helper.py").rename(helper)
    assert same() == first


def test_an_edit_that_changes_no_summary_is_not_analysed_again(project, tmp_path, monkeypatch) -> None:
    root, manifest = project
    ws = Workspace([str(root)], OPTIONS)
    first = found(ws.analyse())
    runs: list[int] = []
    real = engine.findings_for

    def counting(*args, **kwargs):
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "findings_for", counting)
    helper = str(root / manifest["touch"])
    with open(helper, "rb") as fh:
        original = fh.read()
    # a comment appended: the summary is the same, so are the findings
    assert found(ws.analyse({helper: original + b"# a comment\n"})) == first and runs == []
    # a comment above the code moves every line after it: analysed again, the findings' lines move
    moved = found(ws.analyse({helper: b"# a comment\n" + original}))
    assert runs == [1]
    assert moved == cold(root, tmp_path, {helper: b"# a comment\n" + original})
    # other settings: analysed again
    ws.options = Options(jobs=1, use_cache=False, ignore=["CTX5"])
    del runs[:]
    ignored = found(ws.analyse())
    assert runs == [1] and len(ignored) < len(first)
    assert ignored == cold(root, tmp_path, ignore=["CTX5"])
