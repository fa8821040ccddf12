"""Fixes apply as advertised: edits never overlap, and a fix whose edits cannot be applied says so."""

from __future__ import annotations

import json
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from ctxlint import fixes
from ctxlint.fixes import SAFE, SUGGESTION, Fix
from ctxlint.fixing import Edit, apply_edits, edits_between, overlaps

MAIL = '''import threading

from flask import Blueprint, current_app

bp = Blueprint("mail", __name__)


def send_async(msg):
    if current_app.config.get('MAIL_SUPPRESS_SEND'):
        return
    print(msg)


@bp.post("/send")
def send():
    threading.Thread(target=send_async, args=("hi",)).start()
    return "ok"
'''


def mail_project(tmp_path, monkeypatch) -> str:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    path = tmp_path / "app" / "mail.py"
    path.write_text(MAIL)
    monkeypatch.chdir(tmp_path)
    return str(path)


def test_a_read_replaced_by_a_name_sharing_letters_with_it_is_one_edit(cli, tmp_path, monkeypatch) -> None:
    # `current_app.config.get('MAIL_SUPPRESS_SEND')` → `mail_suppress_send`: widened to whole words, the
    # character blocks of the diff overlapped and the safe fix vanished from --diff and --fix
    path = mail_project(tmp_path, monkeypatch)
    code, out, _ = cli("--format", "json", ".")
    fix = json.loads(out)[0]["fix"]
    assert fix["applicability"] == SAFE
    spans = [((e["start"]["line"], e["start"]["column"]), (e["end"]["line"], e["end"]["column"]))
             for e in fix["edits"]]
    assert all(a[1] <= b[0] for a, b in zip(sorted(spans), sorted(spans)[1:])), spans
    assert {"path": os.path.join("app", "mail.py"), "start": {"line": 9, "column": 8},
            "end": {"line": 9, "column": 52}, "replacement": "mail_suppress_send"} in fix["edits"]
    code, out, _ = cli("--format", "sarif", ".")
    (result,) = json.loads(out)["runs"][0]["results"]
    (change,) = result["fixes"][0]["artifactChanges"]
    regions = sorted((r["deletedRegion"]["startLine"], r["deletedRegion"]["startColumn"], r["deletedRegion"]["endLine"],
                      r["deletedRegion"]["endColumn"]) for r in change["replacements"])
    assert all(a[2:] <= b[:2] for a, b in zip(regions, regions[1:])), regions
    code, out, err = cli("--diff", ".")
    assert code == 1 and "+    if mail_suppress_send:" in out and "1 fix available" in err
    code, _, err = cli("--fix", ".")
    assert code == 0, err
    with open(path, encoding="utf-8") as fh:
        assert "def send_async(msg, *, mail_suppress_send):" in fh.read()


def test_fixes_of_standard_input_are_computed_from_its_text_not_the_file_on_disk(cli, tmp_path, monkeypatch) -> None:
    # an editor sends its unsaved buffer: the edits must apply to that text, where the findings are
    import io
    import sys

    path = mail_project(tmp_path, monkeypatch)
    buffer = "# a comment\n# the buffer is two lines longer than the file\n" + MAIL
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(buffer.encode())))
    code, out, _ = cli("--format", "json", "-", "--stdin-filename", path)
    (finding,) = json.loads(out)
    assert code == 1 and finding["line"] == 18  # line 16 of MAIL
    fix = finding["fix"]
    assert fix["applicability"] == SAFE
    edits = [Edit(path, (e["start"]["line"], e["start"]["column"] - 1), (e["end"]["line"], e["end"]["column"] - 1),
                  e["replacement"]) for e in fix["edits"]]
    fixed = apply_edits(buffer, edits)
    assert fixed.startswith("# a comment\n") and "    if mail_suppress_send:\n" in fixed
    with open(path, encoding="utf-8") as fh:
        assert fh.read() == MAIL  # the file on disk is left alone


def test_a_fix_whose_edits_cannot_be_applied_is_reported(cli, tmp_path, monkeypatch) -> None:
    path = mail_project(tmp_path, monkeypatch)
    broken = [Edit(path, (9, 7), (9, 12), "mail_"), Edit(path, (9, 11), (9, 51), "x")]

    class Broken(fixes.RULES["CTX202"]):  # type: ignore[misc,valid-type]
        @staticmethod
        def fix(f, ctx):
            return Fix(SAFE, "overlapping", broken)

    monkeypatch.setitem(fixes.RULES, "CTX202", Broken)
    code, out, _ = cli("--format", "json", ".")
    fix = json.loads(out)[0]["fix"]
    assert fix["applicability"] == SUGGESTION and fix["edits"] == []
    assert "cannot be applied: two edits overlap (at line 9, column 12–line 9, column 13)" in fix["message"]
    code, out, err = cli("--diff", ".")
    assert out == "" and "a fix cannot be applied: CTX202 at app/mail.py:16:5: two edits overlap" in err
    code, out, err = cli("--fix", ".")
    assert code == 1 and "a fix cannot be applied: CTX202" in err
    with open(path, encoding="utf-8") as fh:
        assert fh.read() == MAIL


_LINES = st.lists(st.sampled_from(["    if current_app.config.get('K'):\n", "        return\n", "x = a.b(c)\n",
                                   "def f(a, *, k):\n", "\n", "y = [a, b]  # c\n", "mail_k = 1\n"]), max_size=6)


@settings(max_examples=300, deadline=None)
@given(_LINES, _LINES, st.text(alphabet="ab_(). '\n", max_size=30), st.text(alphabet="ab_(). '\n", max_size=30))
def test_edits_between_never_overlap_and_give_the_new_text(a: list[str], b: list[str], x: str, y: str) -> None:
    old, new = "".join(a) + x, "".join(b) + y
    edits = edits_between("m.py", old, new)
    assert not any(overlaps(e, o) for i, e in enumerate(edits) for o in edits[i + 1:])
    assert apply_edits(old, edits) == new


# ---- imports a fix leaves unused --------------------------------------------------------------------

def flakes(text: str) -> list[str]:
    """pyflakes' warnings about ``text``, without line numbers."""
    import ast

    from pyflakes.checker import Checker

    return sorted(m.message % m.message_args for m in Checker(ast.parse(text), "m.py").messages)


def removed(old: str, new: str, path: str = "m.py") -> str:
    import libcst as cst

    from ctxlint.rewrite import without_unused_flask_imports

    return without_unused_flask_imports(cst.parse_module(old), cst.parse_module(new), path, old)


def test_the_hoisting_fix_removes_the_imports_it_leaves_unused(tmp_path) -> None:
    import shutil

    from conftest import ROOT

    from ctxlint.engine import Options, analyse
    from ctxlint.fixes import FixContext, fix_for

    shutil.copytree(os.path.join(ROOT, "fixtures_fix", "hoist_cross_module", "before"), tmp_path / "proj")
    tasks = str(tmp_path / "proj" / "reports" / "tasks.py")
    with open(tasks, encoding="utf-8") as fh:
        before = fh.read()
    assert flakes(before) == []
    (finding,) = analyse([str(tmp_path / "proj")], Options(use_cache=False, jobs=1)).findings
    fix = fix_for(finding, FixContext())
    after = apply_edits(before, [e for e in fix.edits if os.path.abspath(e.path) == tasks])
    # the first fix moves the reads of request and session; g's read is the next pass's fix
    assert "from flask import g\n" in after and flakes(after) == []


def test_only_imports_the_fix_made_unused_go() -> None:
    old = ("import os\nimport flask as fl\nfrom flask import (\n    g,\n    request,\n    session,\n)\n"
           "from flask import current_app; import sys\n\n\ndef work():\n"
           "    return g.user, request.path, fl.request.path, session['k'], current_app.name, sys.argv\n")
    new = old.replace("g.user, request.path, fl.request.path, session['k'], current_app.name",
                      "user, path, path, k, app_name")
    out = removed(old, new)
    assert out == ("import os\nfrom flask import (\n    g,\n    request,\n    session,\n)\n"
                   "from flask import current_app; import sys\n\n\ndef work():\n"
                   "    return user, path, path, k, app_name, sys.argv\n").replace(
        "from flask import (\n    g,\n    request,\n    session,\n)\n", "").replace(
        "from flask import current_app; import sys", "import sys")
    assert flakes(out) == ["'os' imported but unused", "undefined name 'app_name'", "undefined name 'k'",
                           "undefined name 'path'", "undefined name 'path'", "undefined name 'user'"]


def test_imports_still_used_or_exported_are_kept() -> None:
    old = ("from flask import g, request, session\n__all__ = ['session']\n\n\n"
           "def work(flag: 'request') -> None:\n    return g.user, request.path, session['k']\n")
    new = old.replace("g.user, request.path, session['k']", "1")
    assert removed(old, new) == new.replace("import g, request, session", "import request, session")
    assert removed(old, new, "pkg/__init__.py") == new  # a package may re-export what it imports
    partly = ("from flask import (\n    g,  # the user\n    request,\n)\n\n\ndef work():\n"
              "    return g.user, request.path\n")
    assert removed(partly, partly.replace("request.path", "path")) == partly.replace(
        "    request,\n", "").replace("request.path", "path")
    for text in ("from flask import (g, request)\n", "from flask import (\n    g,\n    request\n)\n",
                 "from flask import (\n    g, request,\n)\n", "from flask import request, g\n"):
        old = text + "\n\ndef work():\n    return g.user, request.path\n"
        out = removed(old, old.replace("request.path", "path"))
        assert "request" not in out and flakes(out) == ["undefined name 'path'"], out
    last = "from flask import (\n    g,  # the user\n    request\n)\n\n\ndef work():\n    return g.user, request.path\n"
    out = removed(last, last.replace("request.path", "path"))
    assert out.startswith("from flask import (\n    g,  # the user\n)\n")


# ---- the text output says what --fix fixes --------------------------------------------------------------

def test_text_output_marks_fixable_findings_and_counts_them_as_ruff_does(cli, tmp_path, monkeypatch) -> None:
    import shutil

    from conftest import FIXTURES

    shutil.copytree(os.path.join(FIXTURES, "example"), tmp_path / "example")
    monkeypatch.chdir(tmp_path)
    _, out, _ = cli("example")
    heads = [line for line in out.splitlines() if line.startswith("example")]
    marked = [line.split(": ", 1)[0] for line in heads if " [*] " in line]
    assert marked == [os.path.join("example", "app", "views.py") + ":66:12"]  # the safe stream_with_context fix
    assert out.splitlines()[-1] == "[*] 1 fixable with `--fix` (2 unsafe fixes available with `--fix --unsafe-fixes`)."
    _, concise, _ = cli("example", "--format", "concise")
    assert [line.split(": ", 1)[0] for line in concise.splitlines() if " [*] " in line] == marked
    assert concise.splitlines()[-1] == out.splitlines()[-1]
    _, out, _ = cli("example", "--unsafe-fixes")
    assert out.splitlines()[-1] == "[*] 3 fixable with `--fix --unsafe-fixes`."
    unsafe = [line.split(": ", 1)[0] for line in out.splitlines() if " [*] " in line]
    _, out, _ = cli("example", "--select", "CTX201")
    assert out.splitlines()[-1] == "1 unsafe fix available with `--fix --unsafe-fixes`."
    # what is marked is what --fix fixes
    cli("example", "--fix")
    _, out, _ = cli("example")
    assert not set(marked) & {line.split(": ", 1)[0] for line in out.splitlines()}
    assert " [*] " not in out and out.splitlines()[-1] == "2 unsafe fixes available with `--fix --unsafe-fixes`."
    cli("example", "--fix", "--unsafe-fixes")
    _, out, _ = cli("example")
    assert not set(unsafe) & {line.split(": ", 1)[0] for line in out.splitlines()}
    assert "fixable" not in out and "available" not in out
