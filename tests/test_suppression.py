"""Suppression comments on a finding's line, and ``--report-unused-noqa``."""

from __future__ import annotations

import json
import textwrap

import pytest

from ctxlint.cli import main
from ctxlint.suppression import directives

HEAD = '''\
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app, request

app = Flask(__name__)
pool = ThreadPoolExecutor()


def work(*args):
    return request.args


def settings():
    return current_app.config


@app.route("/")
def index():
'''
# the view's body starts at line 19


@pytest.fixture
def cli(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def run(body: str, *args: str) -> tuple[int, list[tuple[int, str]], list[dict]]:
        (tmp_path / "app.py").write_text(HEAD + textwrap.indent(textwrap.dedent(body), "    ") + "    return 'ok'\n")
        code = main(["app.py", "--format", "json", "--no-cache", *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        data = json.loads(out)
        return code, [(f["line"], f["code"]) for f in data], data
    return run


@pytest.mark.parametrize("comment", [
    "# noqa", "# noqa: CTX201", "# noqa:CTX201", "# NOQA: ctx201", "# noqa: CTX2", "# noqa: E501, CTX201",
    "# noqa: CTX202,CTX201", "# ctxlint: ignore", "# ctxlint: ignore[CTX201]", "# ctxlint:ignore[CTX2]",
    "# type: ignore  # noqa: CTX201", "# noqa: E501  # ctxlint: ignore[CTX201]",
])
def test_suppressed(cli, comment: str) -> None:
    code, found, _ = cli(f"pool.submit(work)  {comment}\npool.submit(settings)\n")
    assert found == [(20, "CTX202")]
    assert code == 1


@pytest.mark.parametrize("comment", [
    "# noqa: E501", "# noqa: CTX202", "# ctxlint: ignore[CTX202]", "# noqa: CTX3", "# noqa CTX202 (no colon: bare)",
])
def test_not_suppressed(cli, comment: str) -> None:
    _, found, _ = cli(f"pool.submit(work)  {comment}\n")
    expected = [] if comment.startswith("# noqa CTX202") else [(19, "CTX201")]
    assert found == expected


def test_only_comments_count_not_strings(cli) -> None:
    _, found, _ = cli('pool.submit(work, "# noqa")\n')
    assert found == [(19, "CTX201")]


def test_a_comment_on_another_line_does_not_suppress(cli) -> None:
    _, found, _ = cli("# noqa: CTX201\npool.submit(work)\n")
    assert found == [(20, "CTX201")]


def test_disable_noqa(cli) -> None:
    _, found, _ = cli("pool.submit(work)  # noqa\n", "--disable-noqa")
    assert found == [(19, "CTX201")]


def test_per_file_ignores_and_noqa_together(cli) -> None:
    _, found, _ = cli("pool.submit(work)  # noqa\npool.submit(settings)\n", "--per-file-ignores", "app.py:CTX202")
    assert found == []


# ---- unused suppressions --------------------------------------------------------------------------

def test_unused_suppressions_are_reported_only_when_asked(cli) -> None:
    body = "x = 1  # noqa: CTX201\npool.submit(work)\n"
    _, found, _ = cli(body)
    assert found == [(20, "CTX201")]
    code, found, data = cli(body, "--report-unused-noqa")
    assert found == [(19, "CTX001"), (20, "CTX201")]
    unused = data[0]
    assert unused["column"] == 12 and unused["end_column"] == 12 + len("# noqa: CTX201")
    assert unused["message"].startswith("unused suppression code CTX201 in `# noqa: CTX201`; remove the comment")
    assert code == 1


@pytest.mark.parametrize(("body", "expected"), [
    # used
    ("pool.submit(work)  # noqa: CTX201\n", []),
    ("pool.submit(work)  # ctxlint: ignore\n", []),
    ("pool.submit(work)  # noqa: CTX2, E501\n", []),
    # another tool's: a bare noqa, other codes
    ("x = 1  # noqa\n", []),
    ("x = 1  # noqa: E501, F401\n", []),
    # ctxlint's own spelling, or CTX codes, that match nothing
    ("x = 1  # ctxlint: ignore\n", ["`# ctxlint: ignore` suppresses no finding on this line"]),
    ("x = 1  # ctxlint: ignore[CTX201]\n", ["`# ctxlint: ignore[CTX201]` suppresses no finding on this line"]),
    ("x = 1  # noqa: E501, CTX201\n", ["unused suppression code CTX201 in `# noqa: E501, CTX201`"]),
    ("pool.submit(work)  # noqa: CTX201, CTX202, CTX3\n",
     ["unused suppression codes CTX202, CTX3 in `# noqa: CTX201, CTX202, CTX3`"]),
    ("pool.submit(work)  # ctxlint: ignore[CTX201, CTX501]\n",
     ["unused suppression code CTX501 in `# ctxlint: ignore[CTX201, CTX501]`"]),
])
def test_which_suppressions_are_unused(cli, body: str, expected: list[str]) -> None:
    _, _, data = cli(body, "--report-unused-noqa")
    messages = [f["message"].split("; ")[0] for f in data if f["code"] == "CTX001"]
    assert messages == expected


def test_a_suppression_for_a_rule_not_selected_is_still_used(cli) -> None:
    _, found, _ = cli("pool.submit(work)  # noqa: CTX201\n", "--report-unused-noqa", "--select", "CTX1")
    assert found == []


def test_unused_suppressions_can_be_ignored_and_per_file_ignored(cli) -> None:
    body = "x = 1  # ctxlint: ignore\n"
    _, found, _ = cli(body, "--report-unused-noqa", "--ignore", "CTX001")
    assert found == []
    _, found, _ = cli(body, "--report-unused-noqa", "--per-file-ignores", "*.py:CTX0")
    assert found == []
    # --select does not turn the report off: the option asks for it
    _, found, _ = cli(body, "--report-unused-noqa", "--select", "CTX2")
    assert found == [(19, "CTX001")]


def test_unused_suppressions_in_files_without_findings(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("import os  # noqa: F401\nx = 1  # noqa: CTX101\n")
    (tmp_path / "b.py").write_text("y = 2\n")
    code = main([".", "--format", "concise", "--no-cache", "--report-unused-noqa"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[0] == ("a.py:2:8: CTX001 unused suppression code CTX101 in `# noqa: CTX101`; "
                                   "remove the comment, or the codes in it that match nothing")
    assert len(out.splitlines()) == 2


def test_directives_parse_comments_only() -> None:
    ds = directives(b'a = "# noqa"  # noqa: CTX201,CTX202\nb = 1  # ctxlint: ignore[CTX3]\nc = 1 # NoQA\n')
    assert [(d.line, d.column, d.tool, d.codes) for v in ds.values() for d in v] == [
        (1, 15, False, ("CTX201", "CTX202")), (2, 8, True, ("CTX3",)), (3, 7, False, None)]
    # a file Python cannot tokenize still has its comments read
    ds = directives(b'def broken(:\n    """unterminated  # noqa\n')
    assert [d.line for v in ds.values() for d in v] == [2]


def test_selecting_ctx001_by_name_reports_unused_suppressions(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("x = 1  # ctxlint: ignore\n")
    (tmp_path / "pyproject.toml").write_text('[tool.ctxlint]\nextend-select = ["CTX001"]\n')
    assert main(["a.py", "--format", "concise", "--no-cache"]) == 1
    assert capsys.readouterr().out.startswith("a.py:1:8: CTX001 `# ctxlint: ignore` suppresses no finding")
    (tmp_path / "pyproject.toml").write_text('[tool.ctxlint]\nselect = ["CTX"]\n')  # "CTX" alone does not
    assert main(["a.py", "--format", "concise", "--no-cache"]) == 0
